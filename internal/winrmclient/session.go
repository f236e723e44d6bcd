package winrmclient

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/masterzen/winrm"
)

//go:embed ps/bootstrap.ps1
var bootstrapScript string

//go:embed ps/prelude.ps1
var preludeScript string

// responsePrefix starts the prelude's one response line per request.
const responsePrefix = "#rdsl:"

// maxStderr caps the stderr kept for an error message (its end is kept).
const maxStderr = 64 << 10

// BootstrapCommand is the constant command line every operation runs
// behind: far below cmd.exe's 8191 characters, and without any input.
func BootstrapCommand() string { return bootstrapCommand }

var bootstrapCommand = func() string {
	u := utf16.Encode([]rune(bootstrapScript))
	b := make([]byte, 2*len(u))
	for i, r := range u {
		b[2*i], b[2*i+1] = byte(r), byte(r>>8)
	}
	return "powershell.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand " + base64.StdEncoding.EncodeToString(b)
}()

// session is one WinRS shell and, unless the client runs a process per
// operation, one powershell.exe in it running the bootstrap loop. An
// operation on a warm session is one Send and one Receive.
type session struct {
	p       *hostPool
	shellID string
	cmdID   string // the running bootstrap; "" when none
	exited  bool   // the bootstrap exited after its last answer
	gone    bool   // the host no longer has the shell
	// fresh is set until the prelude went to the running process: it
	// travels with the first request, saving a round trip.
	fresh    bool
	seq      int
	out      []byte     // stdout not yet split into lines
	stderr   stderrTail // of the current operation
	lastUsed time.Time
	ops      int
}

// envelope is the prelude's answer to one request.
type envelope struct {
	OK     bool            `json:"ok"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Kind    string `json:"kind"`
		Message string `json:"message"`
		Code    int64  `json:"code"`
	} `json:"error"`
}

// request is one line of the bootstrap protocol.
type request struct {
	ID     string          `json:"id"`
	Script string          `json:"script"`
	Input  json.RawMessage `json:"input"`
}

func (p *hostPool) newSession(ctx context.Context) (*session, error) {
	msg := winrm.NewOpenShellRequest(p.t.url, p.params)
	body, err := p.t.post(ctx, []byte(msg.String()))
	msg.Free()
	if err != nil {
		return nil, err
	}
	id, err := winrm.ParseOpenShellResponse(string(body))
	if err != nil || id == "" {
		return nil, &Error{Kind: KindProtocol, Host: p.host, Message: fmt.Sprintf("cannot read the shell id from the host's Create response: %v", err)}
	}
	s := &session{p: p, shellID: id, lastUsed: time.Now()}
	opLogger(ctx, p.log).Debug("shell created", "shell", shortID(id))
	if !p.c.cfg.perOperationProcess {
		if err := s.startProcess(ctx); err != nil {
			s.close(ctx)
			return nil, err
		}
	}
	return s, nil
}

// startProcess runs the bootstrap; the prelude follows with the first request.
func (s *session) startProcess(ctx context.Context) error {
	msg := newCommandRequest(s.p.t.url, s.shellID, bootstrapCommand, s.p.params)
	body, err := s.p.t.post(ctx, []byte(msg.String()))
	msg.Free()
	if err != nil {
		return err
	}
	id, err := winrm.ParseExecuteCommandResponse(string(body))
	if err != nil || id == "" {
		return &Error{Kind: KindProtocol, Host: s.p.host, Message: fmt.Sprintf("cannot read the command id from the host's Command response: %v", err)}
	}
	s.cmdID = id
	s.out = nil
	s.fresh = true
	return nil
}

// send writes data to the process's stdin. delivered reports whether
// the request may have reached the process: only the last chunk completes
// its line, and a refused chunk was not delivered.
func (s *session) send(ctx context.Context, data []byte, eof bool) (delivered bool, err error) {
	// Stay well inside the host's envelope limit: base64 grows data by 4/3.
	const chunk = 96 << 10
	for len(data) > 0 || eof {
		n := min(len(data), chunk)
		last := n == len(data)
		_, err := s.p.t.post(ctx, s.sendRequest(data[:n], eof && last))
		if err != nil {
			return last && !isUnsent(err), err
		}
		data = data[n:]
		if last {
			break
		}
	}
	return true, nil
}

// sendRequest is the Send envelope of one stdin chunk, as
// winrm.NewSendInputRequest makes it, built without handing the chunk's
// base64 (about 90 KB for a process's first chunk) to the XML DOM: the
// envelope is made around a placeholder that base64 needs no escaping to
// replace, and the prelude's base64, the same for every host, is encoded
// once per client (stdinHead).
func (s *session) sendRequest(chunk []byte, end bool) []byte {
	if len(chunk) == 0 { // an empty Stream element, written <rsp:Stream .../>
		msg := winrm.NewSendInputRequest(s.p.t.url, s.shellID, s.cmdID, chunk, end, s.p.params)
		defer msg.Free()
		return []byte(msg.String())
	}
	msg := winrm.NewSendInputRequest(s.p.t.url, s.shellID, s.cmdID, sendPlaceholder, end, s.p.params)
	env := msg.String()
	msg.Free()
	i := strings.Index(env, sendPlaceholderB64)
	head, rest := s.p.stdinHead.split(chunk)
	out := make([]byte, 0, len(env)-len(sendPlaceholderB64)+len(head)+base64.StdEncoding.EncodedLen(len(rest)))
	out = append(out, env[:i]...)
	out = append(out, head...)
	out = base64.StdEncoding.AppendEncode(out, rest)
	return append(out, env[i+len(sendPlaceholderB64):]...)
}

// sendPlaceholder stands for the chunk in the Send envelope; its base64
// appears nowhere else in one.
var (
	sendPlaceholder    = []byte("rdslicensing stdin chunk placeholder")
	sendPlaceholderB64 = base64.StdEncoding.EncodeToString(sendPlaceholder)
)

// stdinHead is the longest start of the prelude line whose length is a
// multiple of 3, with its base64: base64(head + rest) is then
// base64(head) + base64(rest).
type stdinHead struct {
	raw []byte
	b64 string
}

func newStdinHead(preludeLine string) stdinHead {
	raw := []byte(preludeLine[:len(preludeLine)-len(preludeLine)%3])
	return stdinHead{raw: raw, b64: base64.StdEncoding.EncodeToString(raw)}
}

// split returns the cached base64 of chunk's start when it is the head,
// and the bytes left to encode.
func (h *stdinHead) split(chunk []byte) (string, []byte) {
	if len(h.raw) > 0 && bytes.HasPrefix(chunk, h.raw) {
		return h.b64, chunk[len(h.raw):]
	}
	return "", chunk
}

// call runs one operation. delivered tells whether the request may have
// reached the process (from then on the operation may have run).
func (s *session) call(ctx context.Context, op Operation, input []byte) (env *envelope, delivered bool, err error) {
	s.seq++
	id := strconv.Itoa(s.seq)
	line, err := json.Marshal(request{ID: id, Script: op.Script, Input: input})
	if err != nil {
		return nil, false, err
	}
	s.stderr = stderrTail{}
	// The process may be gone: one per operation, or it exited after
	// its last answer.
	if s.cmdID == "" {
		if err := s.startProcess(ctx); err != nil {
			return nil, false, err
		}
	}
	prelude := ""
	if s.fresh {
		prelude = s.p.preludeLine
		s.fresh = false
	}
	data := make([]byte, 0, len(prelude)+base64.StdEncoding.EncodedLen(len(line))+1)
	data = append(data, prelude...)
	data = append(base64.StdEncoding.AppendEncode(data, line), '\n')
	eof := s.p.c.cfg.perOperationProcess
	if h := s.p.c.cfg.stdinHook; h != nil {
		data, eof = h(data, eof)
	}
	if delivered, err := s.send(ctx, data, eof); err != nil {
		return nil, delivered, err
	}
	env, err = s.receive(ctx, id)
	if err == nil && (s.p.c.cfg.perOperationProcess || s.exited) {
		s.signal(ctx)
	}
	s.ops++
	s.lastUsed = time.Now()
	return env, !errors.Is(err, errUnread), err
}

// receive polls until the response line for id arrives or the process ends.
func (s *session) receive(ctx context.Context, id string) (*envelope, error) {
	prefix := []byte(responsePrefix + id + ":")
	quiet := 0
	for {
		msg := winrm.NewGetOutputRequest(s.p.t.url, s.shellID, s.cmdID, "stdout stderr", s.p.params)
		start := time.Now()
		body, err := s.p.t.post(ctx, []byte(msg.String()))
		msg.Free()
		var f *Fault
		if errors.As(err, &f) && f.Code == FaultCodeTimedOut {
			// A host that times out at once would make this loop spin.
			if time.Since(start) < 100*time.Millisecond {
				quiet++
				if err := sleepCtx(ctx, time.Duration(min(quiet, 10))*100*time.Millisecond); err != nil {
					return nil, ctxError(ctx, "waiting for "+s.p.host)
				}
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		var stdout, stderr bytes.Buffer
		done, exit, perr := winrm.ParseSlurpOutputErrResponse(string(body), &stdout, &stderr)
		if perr != nil {
			return nil, &Error{Kind: KindProtocol, Host: s.p.host, Message: "cannot read the host's Receive response: " + perr.Error()}
		}
		s.stderr.write(stderr.Bytes())
		s.out = append(s.out, stdout.Bytes()...)
		for {
			i := bytes.IndexByte(s.out, '\n')
			if i < 0 {
				break
			}
			line := bytes.TrimRight(s.out[:i], "\r")
			s.out = s.out[i+1:]
			line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
			if j := bytes.Index(line, prefix); j >= 0 {
				// A process that exited after answering gets no more requests.
				s.exited = done
				return decodeEnvelope(line[j+len(prefix):], s.p.host)
			}
			if j := bytes.Index(line, []byte(responsePrefix)); j >= 0 {
				// Only one request is outstanding: this answer is no one's.
				return nil, s.strayAnswer(id, line[j+len(responsePrefix):])
			}
			if len(bytes.TrimSpace(line)) > 0 {
				opLogger(ctx, s.p.log).Debug("unexpected output from powershell.exe", "line", string(truncate(line, 200)))
			}
		}
		if done {
			s.cmdID = ""
			return nil, s.processDied(exit)
		}
		if stdout.Len() == 0 && stderr.Len() == 0 {
			quiet++
			if quiet > 3 {
				if err := sleepCtx(ctx, 200*time.Millisecond); err != nil {
					return nil, ctxError(ctx, "waiting for "+s.p.host)
				}
			}
		} else {
			quiet = 0
		}
	}
}

// stderrTail keeps the end of what the process wrote to stderr: a crash
// explains itself last.
type stderrTail struct {
	b   []byte
	cut bool
}

func (t *stderrTail) write(p []byte) {
	t.b = append(t.b, p...)
	if n := len(t.b) - maxStderr; n > 0 {
		t.b = append(t.b[:0:0], t.b[n:]...)
		t.cut = true
	}
}

// text decodes what was kept; after a cut, from the next whole CLIXML
// document. PowerShell writes the CLIXML header once per process, before
// its first record: the records of a later operation come without it.
func (t *stderrTail) text() string {
	b := t.b
	i := bytes.Index(b, []byte("<Objs"))
	switch {
	case i < 0 || bytes.Contains(b[:i], []byte("#< CLIXML")):
	case t.cut:
		b = append([]byte("#< CLIXML\r\n"), b[i:]...)
	default:
		b = append(append(b[:i:i], "#< CLIXML\r\n"...), b[i:]...)
	}
	return DecodeStderr(b)
}

// errUnread marks the prelude's answer to a request it could not read.
var errUnread = errors.New("request not read")

// strayAnswer is the error for an answer (rest: "<id>:<envelope>") to
// another request than want.
func (s *session) strayAnswer(want string, rest []byte) error {
	got, b64, _ := bytes.Cut(rest, []byte(":"))
	msg := "no message"
	if env, err := decodeEnvelope(b64, s.p.host); err == nil && env.Error != nil {
		msg = env.Error.Message
	}
	e := &Error{Kind: KindProtocol, Host: s.p.host}
	if string(got) == "0" {
		// The prelude answers id 0 when it cannot decode a request.
		e.Message, e.cause = "powershell.exe could not read the request: "+msg, errUnread
	} else {
		e.Message = fmt.Sprintf("powershell.exe answered request %.20q while request %s was outstanding: %s", got, want, msg)
	}
	return e
}

func (s *session) processDied(exit int) error {
	text := s.stderr.text()
	msg := fmt.Sprintf("powershell.exe on %s exited with code %d before answering", s.p.host, exit)
	if text != "" {
		msg += ": " + text
	}
	return &Error{Kind: KindScriptError, Host: s.p.host, Message: msg, Code: int64(exit), transient: true}
}

func decodeEnvelope(b64 []byte, host string) (*envelope, error) {
	raw, err := base64.StdEncoding.DecodeString(string(bytes.TrimSpace(b64)))
	if err != nil {
		return nil, &Error{Kind: KindProtocol, Host: host, Message: "the response line is not base64: " + err.Error()}
	}
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		return nil, &Error{Kind: KindProtocol, Host: host, Message: "the response is not the expected JSON envelope: " + err.Error()}
	}
	if !env.OK && env.Error == nil {
		return nil, &Error{Kind: KindProtocol, Host: host, Message: "the response envelope has neither a result nor an error"}
	}
	return &env, nil
}

// signal ends the current command (terminate), as MS-WSMV asks after its
// output has been read.
func (s *session) signal(ctx context.Context) {
	if s.cmdID == "" || s.gone {
		return
	}
	msg := winrm.NewSignalRequest(s.p.t.url, s.shellID, s.cmdID, s.p.params)
	_, err := s.p.t.post(ctx, []byte(msg.String()))
	msg.Free()
	s.cmdID, s.exited = "", false
	s.gone = isShellGone(err)
}

// close signals the command and deletes the shell with a fresh, short
// context (ctx gives only its logger), so that a canceled operation leaves
// nothing open on the host. A shell the host lost needs neither.
func (s *session) close(ctx context.Context) {
	log := opLogger(ctx, s.p.log)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	s.signal(ctx)
	if !s.gone {
		msg := winrm.NewDeleteShellRequest(s.p.t.url, s.shellID, s.p.params)
		_, err := s.p.t.post(ctx, []byte(msg.String()))
		msg.Free()
		if err != nil && !isShellGone(err) {
			log.Debug("could not delete shell", "shell", shortID(s.shellID), "error", err.Error())
			return
		}
	}
	log.Debug("shell closed", "shell", shortID(s.shellID), "operations", s.ops)
}

func isShellGone(err error) bool {
	var f *Fault
	return errors.As(err, &f) && f.Code == FaultCodeShellNotFound
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

func truncate(b []byte, n int) []byte {
	if len(b) > n {
		return append(b[:n:n], "..."...)
	}
	return b
}

// preludeFor builds the first stdin line: the prelude and the library.
func preludeFor(library string) string {
	text := preludeScript
	if strings.TrimSpace(library) != "" {
		text += "\n" + library
	}
	return base64.StdEncoding.EncodeToString([]byte(text)) + "\n"
}
