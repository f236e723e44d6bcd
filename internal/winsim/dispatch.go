package winsim

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// dispatch answers one WS-Management shell request. It returns the reply
// body (an envelope) or a fault. owner is the logon name a new shell shows.
func (h *Host) dispatch(user User, userKey, owner string, req *request, st *HostState, address, clientIP string, stop <-chan struct{}) ([]byte, *wsFault) {
	action := req.Header.Action
	if req.Header.ResourceURI != "" && !strings.EqualFold(req.Header.ResourceURI, resourceCmd) {
		return nil, faultResourceNotFound()
	}
	timeout := time.Duration(st.WinRM.MaxTimeoutMS) * time.Millisecond
	if t := req.Header.OperationTimeout; t != "" {
		d, err := parseDuration(t)
		if err != nil {
			return nil, faultInvalidTimeout(t)
		}
		if d < timeout || timeout <= 0 {
			timeout = d
		}
	}
	switch action {
	case actionCreate:
		return h.createShell(user, userKey, owner, req, st, address, clientIP)
	}
	sh, f := h.findShell(req.selector("ShellId"), userKey)
	if f != nil {
		return nil, f
	}
	sh.mu.Lock()
	sh.lastUse = time.Now()
	sh.mu.Unlock()
	relates := req.Header.MessageID
	switch action {
	case actionCommand:
		if req.Body.CommandLine == nil {
			return nil, faultInvalidParameter()
		}
		line := strings.TrimSpace(req.Body.CommandLine.Command)
		if line == "" {
			return nil, faultInvalidParameter()
		}
		c := newCommand(sh, line)
		if f := startProcess(c, req.Body.CommandLine.Arguments); f != nil {
			return nil, f
		}
		mode, _ := req.option("WINRS_CONSOLEMODE_STDIN")
		sh.mu.Lock()
		sh.commands[c.id] = c
		sh.consoleMode = mode
		sh.mu.Unlock()
		return envelope(nsShell+"/CommandResponse", relates,
			`<rsp:CommandResponse><rsp:CommandId>`+c.id+`</rsp:CommandId></rsp:CommandResponse>`), nil
	case actionSend:
		if req.Body.Send == nil {
			return nil, faultInvalidParameter()
		}
		for _, s := range req.Body.Send.Streams {
			data, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s.Data))
			if err != nil {
				return nil, faultSchema("The stdin stream is not valid base64. ")
			}
			// A Send to a finished command is accepted and dropped:
			// masterzen's final empty End=true often arrives after Done.
			if c := sh.command(s.CommandID); c != nil && !c.isDone() {
				c.proc.input(data, strings.EqualFold(s.End, "true"))
			}
		}
		return envelope(nsShell+"/SendResponse", relates, `<rsp:SendResponse/>`), nil
	case actionReceive:
		if req.Body.Receive == nil {
			return nil, faultInvalidParameter()
		}
		id := strings.TrimSpace(req.Body.Receive.DesiredStream.CommandID)
		c := sh.command(id)
		if c == nil {
			return nil, faultInvalidSelectors(msgUnknownCommand)
		}
		wait := timeout
		if p := ms(st.Realism.ReceivePollMS); p > 0 && p < wait {
			wait = p
		}
		out, done, exit, timedOut := c.receive(wait, receiveBudget(req, st), stop)
		if timedOut {
			return nil, faultTimedOut()
		}
		return envelope(nsShell+"/ReceiveResponse", relates, receiveBody(c.id, out, done, exit)), nil
	case actionSignal:
		if req.Body.Signal == nil {
			return nil, faultInvalidParameter()
		}
		id := strings.TrimSpace(req.Body.Signal.CommandID)
		if c := sh.command(id); c != nil {
			code := strings.TrimSpace(req.Body.Signal.Code)
			if !c.isDone() {
				c.proc.signal(code)
			}
			if code == signalTerminate {
				sh.mu.Lock()
				delete(sh.commands, id)
				sh.mu.Unlock()
			}
		}
		// Signals for commands that are gone succeed: clients send a
		// second terminate after a cancellation.
		return envelope(nsShell+"/SignalResponse", relates, `<rsp:SignalResponse/>`), nil
	case actionDelete:
		h.rt.mu.Lock()
		delete(h.rt.shells, sh.id)
		h.rt.mu.Unlock()
		sh.terminate()
		return envelope(nsTransfer+"/DeleteResponse", relates, ``), nil
	}
	return nil, faultActionNotSupported(action)
}

func (h *Host) createShell(user User, userKey, owner string, req *request, st *HostState, address, clientIP string) ([]byte, *wsFault) {
	// Remote Management Users may use WinRM (the PowerShell endpoint), but
	// the cmd shell's own security descriptor admits administrators only:
	// Windows refuses them "Access is denied", code 5 (pywinrm issue 336,
	// NetExec PR 1396: cmd and PowerShell have separate SDDLs).
	if !user.Admin {
		return nil, faultAccessDenied()
	}
	cp, ok := req.option("WINRS_CODEPAGE")
	if !ok {
		cp = "437"
	}
	in, out := "stdin", "stdout stderr"
	if req.Body.Shell != nil {
		if v := strings.TrimSpace(req.Body.Shell.InputStreams); v != "" {
			in = v
		}
		if v := strings.TrimSpace(req.Body.Shell.OutputStreams); v != "" {
			out = v
		}
	}
	now := time.Now()
	sh := &shell{id: newUUID(), host: h, owner: user, ownerKey: userKey, codepage: cp, created: now, lastUse: now, commands: map[string]*command{}}
	// Count and add in one step, so that concurrent Creates cannot all
	// pass the quota; the shell exists while it starts.
	h.rt.mu.Lock()
	owned := 0
	for _, s := range h.rt.shells {
		if s.ownerKey == userKey {
			owned++
		}
	}
	if limit := st.WinRM.MaxShellsPerUser; limit > 0 && owned >= limit {
		h.rt.mu.Unlock()
		return nil, faultQuotaShells(limit)
	}
	h.rt.shells[sh.id] = sh
	h.rt.mu.Unlock()
	time.Sleep(ms(st.Realism.ShellCreateMS))
	return envelope(nsTransfer+"/CreateResponse", req.Header.MessageID, createResponse(address, sh.id, owner, clientIP, st.WinRM.IdleTimeoutMS, in, out)), nil
}

func (h *Host) findShell(id, userKey string) (*shell, *wsFault) {
	h.rt.mu.Lock()
	sh := h.rt.shells[strings.ToUpper(strings.TrimSpace(id))]
	h.rt.mu.Unlock()
	// Another user's shell is as good as missing.
	if sh == nil || sh.ownerKey != userKey {
		return nil, faultShellNotFound(id)
	}
	return sh, nil
}

func (s *shell) command(id string) *command {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.commands[strings.ToUpper(strings.TrimSpace(id))]
}

// receiveBudget is how many bytes of rsp:Stream elements a Receive
// response may carry: the client's MaxEnvelopeSize, capped by the host's
// MaxEnvelopeSizekb (MS-WSMV 3.1.4.1.7), less room for the rest of the
// envelope. Windows faults a MaxEnvelopeSize under 8192; winsim answers
// within 8192 then.
func receiveBudget(req *request, st *HostState) int {
	limit := st.WinRM.MaxEnvelopeSizeKB * 1024
	if n, err := strconv.Atoi(strings.TrimSpace(req.Header.MaxEnvelopeSize)); err == nil && n > 0 && (n < limit || limit <= 0) {
		limit = n
	}
	return max(limit, 8192) - 2048
}

func receiveBody(cmdID string, out []chunk, done bool, exit int) string {
	var b strings.Builder
	b.WriteString(`<rsp:ReceiveResponse>`)
	for _, c := range out {
		b.WriteString(`<rsp:Stream Name="` + c.stream + `" CommandId="` + cmdID + `">` + base64.StdEncoding.EncodeToString(c.data) + `</rsp:Stream>`)
	}
	if done {
		b.WriteString(`<rsp:Stream Name="stdout" CommandId="` + cmdID + `" End="true"></rsp:Stream>`)
		b.WriteString(`<rsp:Stream Name="stderr" CommandId="` + cmdID + `" End="true"></rsp:Stream>`)
		b.WriteString(`<rsp:CommandState CommandId="` + cmdID + `" State="` + stateDone + `"><rsp:ExitCode>` + strconv.Itoa(exit) + `</rsp:ExitCode></rsp:CommandState>`)
	} else {
		b.WriteString(`<rsp:CommandState CommandId="` + cmdID + `" State="` + stateRunning + `"></rsp:CommandState>`)
	}
	b.WriteString(`</rsp:ReceiveResponse>`)
	return b.String()
}
