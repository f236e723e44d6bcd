package winsim

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
)

// The simulated powershell.exe runs one program only: the client's
// bootstrap (internal/winrmclient/ps/bootstrap.ps1). It reads the prelude
// line, then one request per line, and answers each with the envelope the
// prelude would write. Of a request's script it reads only the
// "# operation:" header.
const (
	bootstrapHeader = "# rdslicensing-bootstrap 1"
	preludeHeader   = "# rdslicensing-prelude 1"
	responsePrefix  = "#rdsl:"
	clixmlHeader    = "#< CLIXML\r\n"
	utf8BOM         = "\ufeff"
)

func startPowerShell(c *command, st *HostState, rest string) *wsFault {
	p := &psProc{c: c, host: c.shell.host, user: c.shell.owner, quirks: st.Quirks, wake: make(chan struct{}, 1)}
	c.proc = p
	script, ok, usage := psArgs(rest)
	switch {
	case usage != "":
		// Argument errors come as plain text, before any CLIXML.
		go func() { p.c.write("stderr", []byte(usage+"\r\n")); p.c.finish(1) }()
	case !ok:
		go p.fail(`winsim simulates powershell.exe only with -EncodedCommand; interactive or -Command input is not simulated`)
	case firstLine(strings.TrimPrefix(script, "$ProgressPreference = 'SilentlyContinue';")) != bootstrapHeader:
		go p.fail("winsim simulates only the rdslicensing bootstrap (" + bootstrapHeader + "); it cannot run other PowerShell scripts")
	default:
		go p.run(st.Realism)
	}
	return nil
}

func firstLine(s string) string {
	s = strings.TrimPrefix(s, utf8BOM)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// sendOperations names the operations whose requests a Send completes:
// the complete stdin lines it makes for a simulated powershell.exe, read
// as the bootstrap reads them. Faults aimed at an operation use it.
func (h *Host) sendOperations(req *request, userKey string) []string {
	h.rt.mu.Lock()
	armed := len(h.rt.faults) > 0
	h.rt.mu.Unlock()
	if req.Body.Send == nil || !armed {
		return nil
	}
	sh, f := h.findShell(req.selector("ShellId"), userKey)
	if f != nil {
		return nil
	}
	var ops []string
	for _, s := range req.Body.Send.Streams {
		c := sh.command(s.CommandID)
		data, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s.Data))
		if c == nil || err != nil {
			continue
		}
		if p, ok := c.proc.(*psProc); ok {
			ops = append(ops, p.completedOperations(data)...)
		}
	}
	return ops
}

// completedOperations names the operations of the request lines that data
// completes, with the stdin not read yet.
func (p *psProc) completedOperations(data []byte) []string {
	p.mu.Lock()
	buf := append(append([]byte(nil), p.stdin...), data...)
	p.mu.Unlock()
	var ops []string
	for {
		i := bytes.IndexByte(buf, '\n')
		if i < 0 {
			return ops
		}
		line := strings.TrimSpace(string(buf[:i]))
		buf = buf[i+1:]
		var req psRequest
		raw, err := base64.StdEncoding.DecodeString(line)
		if err != nil || json.Unmarshal(raw, &req) != nil {
			continue // the prelude, or not a request
		}
		if name, err := winrmclient.ScriptOperationName(req.Script); err == nil {
			ops = append(ops, name)
		}
	}
}

// psProc is a running powershell.exe.
type psProc struct {
	c      *command
	host   *Host
	user   User
	quirks Quirks

	mu      sync.Mutex
	stdin   []byte
	eof     bool
	killed  bool
	wake    chan struct{}
	started bool // stderr CLIXML header written
	outBOM  bool
}

func (p *psProc) input(data []byte, eof bool) {
	p.mu.Lock()
	p.stdin = append(p.stdin, data...)
	p.eof = p.eof || eof
	p.mu.Unlock()
	p.poke()
}

func (p *psProc) signal(string) {
	p.mu.Lock()
	p.killed = true
	p.mu.Unlock()
	p.poke()
	// A terminated process reports exit code 1 (ctrl_c would give
	// STATUS_CONTROL_C_EXIT; masterzen and we only send terminate).
	p.c.finish(1)
}

func (p *psProc) poke() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

func (p *psProc) isKilled() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.killed
}

// sleep waits d unless the process is killed first; it reports whether
// the process is still alive.
func (p *psProc) sleep(d time.Duration) bool {
	if d <= 0 {
		return !p.isKilled()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		if p.isKilled() {
			return false
		}
		select {
		case <-t.C:
			return !p.isKilled()
		case <-p.wake:
		}
	}
}

// readLine blocks for the next stdin line; ok is false at end of input
// (an unterminated last line is still returned) or when killed.
func (p *psProc) readLine() (string, bool) {
	for {
		p.mu.Lock()
		if p.killed {
			p.mu.Unlock()
			return "", false
		}
		if i := bytes.IndexByte(p.stdin, '\n'); i >= 0 {
			line := strings.TrimRight(string(p.stdin[:i]), "\r")
			p.stdin = p.stdin[i+1:]
			p.mu.Unlock()
			return line, true
		}
		if p.eof {
			line := strings.TrimRight(string(p.stdin), "\r")
			p.stdin = nil
			p.mu.Unlock()
			return line, line != ""
		}
		p.mu.Unlock()
		<-p.wake
	}
}

func (p *psProc) stdout(s string) {
	if p.quirks.StdoutBOM && !p.outBOM {
		s = utf8BOM + s
		p.outBOM = true
	}
	p.c.write("stdout", []byte(s))
}

// stderrRecord writes one CLIXML document to stderr, with the header
// PowerShell writes before the first one.
func (p *psProc) stderrRecord(objs string) {
	s := objs
	if !p.started {
		s = clixmlHeader + s
		if p.quirks.StderrBOM {
			s = utf8BOM + s
		}
		p.started = true
	}
	p.c.write("stderr", []byte(s))
}

// fail ends the process as PowerShell does on an uncaught error.
func (p *psProc) fail(msg string) {
	p.stderrRecord(clixmlError(msg))
	p.c.finish(1)
}

func (p *psProc) run(r Realism) {
	if !p.sleep(ms(r.PowerShellStartMS)) {
		return
	}
	if p.quirks.ProgressNoise {
		p.stderrRecord(clixmlProgress("Preparing modules for first use."))
	}
	prelude, ok := p.readLine()
	if !ok {
		if !p.isKilled() {
			p.c.finish(0)
		}
		return
	}
	text, err := base64.StdEncoding.DecodeString(strings.TrimSpace(prelude))
	if err != nil || firstLine(string(text)) != preludeHeader {
		p.fail(`Exception calling "FromBase64String" with "1" argument(s): "The input is not a valid Base-64 string as it contains a non-base 64 character, more than two padding characters, or an illegal character among the padding characters. "` +
			"\r\n(winsim: the first stdin line must be the base64 of the rdslicensing prelude)")
		return
	}
	for {
		line, ok := p.readLine()
		if !ok {
			break
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		if !p.serve(line, r) {
			return
		}
	}
	if !p.isKilled() {
		p.c.finish(0)
	}
}

// psRequest is one line of the bootstrap protocol, decoded.
type psRequest struct {
	ID     string          `json:"id"`
	Script string          `json:"script"`
	Input  json.RawMessage `json:"input"`
}

type psEnvelope struct {
	OK     bool     `json:"ok"`
	Result any      `json:"result,omitempty"`
	Error  *opError `json:"error,omitempty"`
}

// serve runs one request; it returns false when the process ended.
func (p *psProc) serve(line string, r Realism) bool {
	start := time.Now()
	var req psRequest
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(line))
	if err == nil {
		err = json.Unmarshal(raw, &req)
	}
	if err != nil {
		p.respond("0", psEnvelope{Error: &opError{Kind: "script_error", Message: "cannot read the request: " + err.Error()}})
		return true
	}
	name, err := winrmclient.ScriptOperationName(req.Script)
	if err != nil {
		p.respond(req.ID, psEnvelope{Error: &opError{Kind: "script_error", Message: "winsim cannot simulate a script without an operation header: " + err.Error()}})
		return true
	}
	f := p.host.takeOpFault(name)
	if f != nil && f.Type == FaultCrashBefore {
		p.host.logOp(name, p.user, "crash", "process crashed before the operation ran (fault)", false, time.Since(start))
		p.fail(fmt.Sprintf("winsim fault: powershell.exe crashed before %s ran", name))
		return false
	}
	if f != nil && f.Type == FaultDelay && !p.sleep(ms(f.DelayMS)) {
		return false
	}
	var env psEnvelope
	var x *opContext
	if f != nil && f.Type == FaultOpError {
		env.Error = &opError{Kind: f.Kind, Message: f.Message, Code: f.Code}
	} else {
		res, oerr, ctx := p.host.runOperation(p.user, name, req.Input)
		x = ctx
		if x != nil && x.stopped != nil {
			p.stopAtStep(name, x, time.Since(start))
			return false
		}
		if oerr != nil {
			env.Error = oerr
		} else {
			env.OK, env.Result = true, res
		}
	}
	delay := ms(r.OperationMS)
	if x != nil {
		delay += x.delay
	}
	alive := p.sleep(delay)
	outcome := "ok"
	if env.Error != nil {
		outcome = env.Error.Kind
	}
	notes, changed := "", false
	if x != nil {
		notes, changed = strings.Join(x.notes, "; "), x.changed
	}
	if f != nil && f.Type == FaultCrashAfter {
		p.host.logOp(name, p.user, outcome, "process crashed after the operation ran (fault); "+notes, changed, time.Since(start))
		p.fail(fmt.Sprintf("winsim fault: powershell.exe crashed after %s ran", name))
		p.scheduleReboot(x)
		return false
	}
	p.host.logOp(name, p.user, outcome, notes, changed, time.Since(start))
	if !alive {
		p.scheduleReboot(x)
		return false
	}
	p.respond(req.ID, env)
	p.scheduleReboot(x)
	return true
}

// stopAtStep ends the process at the step where a crash_at or reboot_at
// fault stopped the operation, without an answer: powershell.exe dies
// (as with crash_after), or the whole host goes down at once.
func (p *psProc) stopAtStep(name string, x *opContext, d time.Duration) {
	f := x.stopped
	notes := strings.Join(x.notes, "; ")
	if f.Type == FaultRebootAt {
		p.host.logOp(name, p.user, "reboot", "host went down at step "+f.Step+" (fault); "+notes, x.changed, d)
		p.host.Reboot(0)
		return
	}
	p.host.logOp(name, p.user, "crash", "process crashed at step "+f.Step+" (fault); "+notes, x.changed, d)
	p.fail(fmt.Sprintf("winsim fault: powershell.exe crashed at step %s of %s", f.Step, name))
}

func (p *psProc) scheduleReboot(x *opContext) {
	if x != nil && x.reboot != nil {
		p.host.scheduleReboot(*x.reboot)
	}
}

func (p *psProc) respond(id string, env psEnvelope) {
	b, err := json.Marshal(env)
	if err != nil {
		b, _ = json.Marshal(psEnvelope{Error: &opError{Kind: "script_error", Message: "cannot encode the result: " + err.Error()}})
	}
	p.stdout(responsePrefix + id + ":" + base64.StdEncoding.EncodeToString(b) + "\r\n")
}

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// clixmlError renders an error record as powershell.exe writes it to a
// redirected stderr: CR/LF escaped as _x000D__x000A_.
func clixmlError(msg string) string {
	var b strings.Builder
	b.WriteString(`<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">`)
	for _, l := range strings.Split(strings.ReplaceAll(msg, "\r\n", "\n"), "\n") {
		b.WriteString(`<S S="Error">` + clixmlEscape(l) + `_x000D__x000A_</S>`)
	}
	b.WriteString(`<S S="Error">    + CategoryInfo          : NotSpecified: (:) [], RuntimeException_x000D__x000A_</S>`)
	b.WriteString(`<S S="Error">    + FullyQualifiedErrorId : RuntimeException_x000D__x000A_</S>`)
	b.WriteString(`<S S="Error"> _x000D__x000A_</S></Objs>`)
	return b.String()
}

func clixmlProgress(activity string) string {
	return `<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><Obj S="progress" RefId="0"><TN RefId="0"><T>System.Management.Automation.PSCustomObject</T><T>System.Object</T></TN><MS><I64 N="SourceId">1</I64><PR N="Record"><AV>` +
		clixmlEscape(activity) + `</AV><AI>0</AI><Nil /><PI>-1</PI><PC>-1</PC><T>Completed</T><SR>-1</SR><SD> </SD></PR></MS></Obj></Objs>`
}

func clixmlEscape(s string) string {
	s = xmlEscape(s)
	return strings.ReplaceAll(s, "_x", "_x005F_x")
}
