package winsim

import (
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/gsskrb5"
)

// Fault types.
const (
	// HTTP level, matched by WS-Management action (Create, Command, Send,
	// Receive, Signal, Delete) or any; with an operation, only the Send
	// that completes a request for that operation (a drop_after there
	// loses the operation's answer: it runs, the client hears nothing).
	FaultHTTPStatus = "http_status" // answer Status with Body (text/html) instead
	FaultDropBefore = "drop"        // close the connection without processing the request or answering
	FaultDropAfter  = "drop_after"  // process the request, then close without answering
	FaultSOAP       = "soap_fault"  // answer a WS-Management fault (Code, Subcode, Message)
	FaultDelay      = "delay"       // wait DelayMS, then go on
	// Operation level, matched by operation name.
	FaultOpError     = "op_error"     // the operation fails with Kind, Message, Code
	FaultCrashBefore = "crash_before" // powershell.exe dies before the operation runs
	FaultCrashAfter  = "crash_after"  // powershell.exe dies after the operation ran, before answering
	// Step level, matched by operation name and Step: the operation stops
	// at that step (what it wrote so far stays) and never answers.
	FaultCrashAt  = "crash_at"  // powershell.exe dies at the step
	FaultRebootAt = "reboot_at" // the host goes down at the step, as Host.Reboot
)

// Fault is an injected failure. HTTP-level types are selected by Action
// (none: every authenticated WS-Management request) or by Operation (the
// Send carrying its request), operation-level types by Operation; delay
// takes either. validate refuses other combinations.
type Fault struct {
	ID        int    `json:"id"`
	Type      string `json:"type"`
	Action    string `json:"action,omitempty"`
	Operation string `json:"operation,omitempty"`
	// Skip lets this many matching requests through first.
	Skip int `json:"skip,omitempty"`
	// Count is how many times the fault fires; 0 means until cleared.
	Count   int    `json:"count,omitempty"`
	Status  int    `json:"status,omitempty"`
	Body    string `json:"body,omitempty"`
	DelayMS int    `json:"delay_ms,omitempty"`
	Code    int64  `json:"code,omitempty"`
	Subcode string `json:"subcode,omitempty"`
	Kind    string `json:"kind,omitempty"`
	Message string `json:"message,omitempty"`
	// Step names where crash_at and reboot_at stop the operation: one of
	// its steps (opSteps), e.g. install_key_pack's before_wmi.
	Step  string `json:"step,omitempty"`
	Fired int    `json:"fired"`
}

var faultTypes = map[string]bool{
	FaultHTTPStatus: true, FaultDropBefore: true, FaultDropAfter: true, FaultSOAP: true, FaultDelay: true,
	FaultOpError: true, FaultCrashBefore: true, FaultCrashAfter: true, FaultCrashAt: true, FaultRebootAt: true,
}

// stepFault reports the fault types that fire at an operation's step.
func stepFault(typ string) bool { return typ == FaultCrashAt || typ == FaultRebootAt }

// opFault reports the fault types selected by operation name only.
func opFault(typ string) bool {
	return typ == FaultOpError || typ == FaultCrashBefore || typ == FaultCrashAfter || stepFault(typ)
}

// faultActions are the WS-Management actions an HTTP-level fault can name.
var faultActions = []string{"Create", "Command", "Send", "Receive", "Signal", "Delete"}

// validate refuses faults that could never fire.
func (f *Fault) validate() error {
	if !faultTypes[f.Type] {
		return fmt.Errorf("unknown fault type %q", f.Type)
	}
	opLevel := opFault(f.Type)
	httpLevel := f.Type != FaultDelay && !opLevel
	switch {
	case opLevel && f.Operation == "":
		return fmt.Errorf("fault type %s needs an operation", f.Type)
	case opLevel && f.Action != "":
		return fmt.Errorf("fault type %s is selected by operation; action %q would never match", f.Type, f.Action)
	case httpLevel && f.Operation != "" && f.Action != "" && !strings.EqualFold(f.Action, "Send"):
		return fmt.Errorf("fault type %s with an operation fires on the Send carrying its request; action %q would never match", f.Type, f.Action)
	case f.Type == FaultDelay && f.Action != "" && f.Operation != "":
		return fmt.Errorf("fault type %s takes an action or an operation, not both", f.Type)
	case f.Action != "" && !slices.ContainsFunc(faultActions, func(a string) bool { return strings.EqualFold(a, f.Action) }):
		return fmt.Errorf("fault action %q is not one of %s", f.Action, strings.Join(faultActions, ", "))
	}
	if f.Type == FaultHTTPStatus && (f.Status < 100 || f.Status > 599) {
		return fmt.Errorf("fault type http_status needs a status between 100 and 599")
	}
	if f.Type == FaultOpError && f.Kind == "" {
		return fmt.Errorf("fault type op_error needs a kind")
	}
	return f.validateStep()
}

// validateStep refuses a step on other fault types, and a step fault
// whose operation has no such step.
func (f *Fault) validateStep() error {
	if !stepFault(f.Type) {
		if f.Step != "" {
			return fmt.Errorf("fault type %s takes no step; step %q is for %s and %s", f.Type, f.Step, FaultCrashAt, FaultRebootAt)
		}
		return nil
	}
	var steps []string
	for op, s := range opSteps {
		if strings.EqualFold(op, f.Operation) {
			steps = s
		}
	}
	if len(steps) == 0 {
		var with []string
		for op, s := range opSteps {
			with = append(with, fmt.Sprintf("%s (%s)", op, strings.Join(s, ", ")))
		}
		slices.Sort(with)
		return fmt.Errorf("fault type %s needs an operation with steps; operation %q has none (operations with steps: %s)", f.Type, f.Operation, strings.Join(with, "; "))
	}
	if !slices.Contains(steps, f.Step) {
		return fmt.Errorf("fault type %s needs a step of %s: one of %s, not %q", f.Type, f.Operation, strings.Join(steps, ", "), f.Step)
	}
	return nil
}

// LogEntry is one thing that happened on a host: an HTTP request, an
// operation, a reboot.
type LogEntry struct {
	Seq   int64     `json:"seq"`
	Time  time.Time `json:"time"`
	Event string    `json:"event"` // http, operation, reboot, fault, shell
	// HTTP requests.
	Status  int    `json:"status,omitempty"`
	Action  string `json:"action,omitempty"` // Create, Command, Send, ... or "" for auth legs
	Auth    string `json:"auth,omitempty"`   // basic, negotiate, ntlm, session, encrypted, anonymous
	TLS     bool   `json:"tls,omitempty"`
	User    string `json:"user,omitempty"`
	ShellID string `json:"shell_id,omitempty"`
	// CommandLine is what a Command request asked to run.
	CommandLine string `json:"command_line,omitempty"`
	// Operations.
	Operation string `json:"operation,omitempty"`
	Outcome   string `json:"outcome,omitempty"`
	Detail    string `json:"detail,omitempty"`
	// Changed: the operation changed the host (its state, or what the
	// state does not show, as a reactivation). Tests count these to prove
	// that nothing ran twice.
	Changed bool `json:"changed,omitempty"`
	// DurationMS is how long the request or operation took.
	DurationMS int64 `json:"duration_ms,omitempty"`
}

const logCap = 20000

// hostRuntime is a host's live state besides HostState: shells, faults,
// the log, listeners and connections.
type hostRuntime struct {
	mu        sync.Mutex
	shells    map[string]*shell
	faults    []*Fault
	nextFault int
	holds     []*Hold
	log       []LogEntry
	logSeq    int64
	inflight  map[string]int // per user: requests being processed
	down      bool
	conns     map[net.Conn]struct{}
	listeners []net.Listener
	replay    gsskrb5.ReplayCache // Kerberos authenticators seen
}

func (r *hostRuntime) init() {
	r.shells = map[string]*shell{}
	r.inflight = map[string]int{}
	r.conns = map[net.Conn]struct{}{}
}

func (h *Host) online() bool {
	h.rt.mu.Lock()
	defer h.rt.mu.Unlock()
	return !h.rt.down
}

// AddFault injects a fault; it returns the fault's ID.
func (h *Host) AddFault(f Fault) (int, error) {
	if err := f.validate(); err != nil {
		return 0, err
	}
	h.rt.mu.Lock()
	defer h.rt.mu.Unlock()
	h.rt.nextFault++
	f.ID = h.rt.nextFault
	f.Fired = 0
	h.rt.faults = append(h.rt.faults, &f)
	return f.ID, nil
}

// Faults lists the injected faults and how often each fired.
func (h *Host) Faults() []Fault {
	h.rt.mu.Lock()
	defer h.rt.mu.Unlock()
	out := make([]Fault, 0, len(h.rt.faults))
	for _, f := range h.rt.faults {
		out = append(out, *f)
	}
	return out
}

// ClearFaults removes every injected fault.
func (h *Host) ClearFaults() {
	h.rt.mu.Lock()
	h.rt.faults = nil
	h.rt.mu.Unlock()
}

// takeFault returns the first fault that matches and fires it.
func (h *Host) takeFault(match func(f *Fault) bool) *Fault {
	h.rt.mu.Lock()
	defer h.rt.mu.Unlock()
	for _, f := range h.rt.faults {
		if f.Count > 0 && f.Fired >= f.Count {
			continue
		}
		if !match(f) {
			continue
		}
		if f.Skip > 0 {
			f.Skip--
			continue
		}
		f.Fired++
		c := *f
		detail := f.Type
		if f.Step != "" {
			detail += " at " + f.Step
		}
		h.appendLog(LogEntry{Event: "fault", Action: f.Action, Operation: f.Operation, Detail: detail})
		return &c
	}
	return nil
}

// takeHTTPFault takes the fault of a request of action; ops are the
// operations whose requests a Send completes (sendOperations).
func (h *Host) takeHTTPFault(action string, ops []string) *Fault {
	return h.takeFault(func(f *Fault) bool {
		switch {
		case opFault(f.Type):
			return false
		case f.Operation == "":
			return f.Action == "" || strings.EqualFold(f.Action, action)
		case f.Type == FaultDelay:
			return false // a delay with an operation delays the operation
		}
		return slices.ContainsFunc(ops, func(op string) bool { return strings.EqualFold(op, f.Operation) })
	})
}

// takeOpFault takes the fault that acts before or after the whole
// operation; step faults wait for their step (takeStepFault).
func (h *Host) takeOpFault(op string) *Fault {
	return h.takeFault(func(f *Fault) bool {
		return f.Operation != "" && strings.EqualFold(f.Operation, op) &&
			(opFault(f.Type) && !stepFault(f.Type) || f.Type == FaultDelay)
	})
}

// takeStepFault takes the crash_at or reboot_at fault of op at step. It
// runs under h.mu (inside the handler): h.mu before h.rt.mu is the order.
func (h *Host) takeStepFault(op, step string) *Fault {
	return h.takeFault(func(f *Fault) bool {
		return stepFault(f.Type) && strings.EqualFold(f.Operation, op) && f.Step == step
	})
}

// appendLog needs h.rt.mu held.
func (h *Host) appendLog(e LogEntry) {
	h.rt.logSeq++
	e.Seq = h.rt.logSeq
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	h.rt.log = append(h.rt.log, e)
	if len(h.rt.log) > logCap {
		h.rt.log = append([]LogEntry(nil), h.rt.log[len(h.rt.log)-logCap/2:]...)
	}
}

func (h *Host) logEvent(e LogEntry) {
	h.rt.mu.Lock()
	h.appendLog(e)
	h.rt.mu.Unlock()
}

func (h *Host) logOp(op string, u User, outcome, detail string, changed bool, d time.Duration) {
	h.logEvent(LogEntry{Event: "operation", Operation: op, User: u.Name, Outcome: outcome, Detail: detail, Changed: changed, DurationMS: d.Milliseconds()})
}

// Log returns the entries after seq (0 for all).
func (h *Host) Log(since int64) []LogEntry {
	h.rt.mu.Lock()
	defer h.rt.mu.Unlock()
	var out []LogEntry
	for _, e := range h.rt.log {
		if e.Seq > since {
			out = append(out, e)
		}
	}
	return out
}

// LogSeq is the sequence number of the newest entry; use it as a mark.
func (h *Host) LogSeq() int64 {
	h.rt.mu.Lock()
	defer h.rt.mu.Unlock()
	return h.rt.logSeq
}

// ShellInfo describes an open shell.
type ShellInfo struct {
	ID       string    `json:"id"`
	Owner    string    `json:"owner"`
	Commands int       `json:"commands"`
	Created  time.Time `json:"created"`
	// ConsoleModeStdin is the WINRS_CONSOLEMODE_STDIN option of the
	// shell's last Command ("" when there was none).
	ConsoleModeStdin string `json:"console_mode_stdin,omitempty"`
}

// Shells lists the host's open shells.
func (h *Host) Shells() []ShellInfo {
	h.rt.mu.Lock()
	shells := make([]*shell, 0, len(h.rt.shells))
	for _, s := range h.rt.shells {
		shells = append(shells, s)
	}
	h.rt.mu.Unlock()
	out := make([]ShellInfo, 0, len(shells))
	for _, s := range shells {
		s.mu.Lock()
		out = append(out, ShellInfo{ID: s.id, Owner: s.owner.Name, Commands: len(s.commands), Created: s.created, ConsoleModeStdin: s.consoleMode})
		s.mu.Unlock()
	}
	return out
}

// Reboot restarts the host now: connections drop, shells vanish, and the
// host answers again after d (Realism.RebootMS when d is 0).
func (h *Host) Reboot(d time.Duration) {
	if d == 0 {
		d = ms(h.view().Realism.RebootMS)
	}
	h.goDown(d)
}

// scheduleReboot is shutdown /r /t: the host goes down after delay.
func (h *Host) scheduleReboot(delay time.Duration) {
	time.AfterFunc(delay, func() { h.Reboot(0) })
}

func (h *Host) goDown(d time.Duration) {
	h.rt.mu.Lock()
	if h.rt.down {
		h.rt.mu.Unlock()
		return
	}
	h.rt.down = true
	shells := h.rt.shells
	h.rt.shells = map[string]*shell{}
	listeners := h.rt.listeners
	h.rt.listeners = nil
	conns := h.rt.conns
	h.rt.conns = map[net.Conn]struct{}{}
	h.appendLog(LogEntry{Event: "reboot", Detail: fmt.Sprintf("down for %s", d)})
	h.rt.mu.Unlock()

	for _, l := range listeners {
		_ = l.Close()
	}
	for c := range conns {
		_ = c.Close()
	}
	for _, s := range shells {
		s.terminate()
	}
	time.AfterFunc(d, h.comeUp)
}

func (h *Host) comeUp() {
	h.mu.Lock()
	applyRestart(&h.state, h.sim.Now())
	h.publish()
	h.mu.Unlock()

	h.rt.mu.Lock()
	h.rt.down = false
	h.appendLog(LogEntry{Event: "reboot", Detail: "up"})
	h.rt.mu.Unlock()
	h.sim.mu.RLock()
	srv := h.sim.srv
	h.sim.mu.RUnlock()
	if srv != nil {
		if err := srv.listenHost(h); err != nil {
			h.logEvent(LogEntry{Event: "reboot", Detail: "cannot listen again: " + err.Error()})
		}
	}
}

// terminate ends every command of the shell (Delete, reboot, idle timeout).
func (s *shell) terminate() {
	s.mu.Lock()
	cmds := s.commands
	s.commands = map[string]*command{}
	s.mu.Unlock()
	for _, c := range cmds {
		c.proc.signal(signalTerminate)
		c.finish(1)
	}
}

// sweepIdle deletes shells unused for longer than the idle timeout, as
// WinRS does (Winrs IdleTimeout).
func (h *Host) sweepIdle(idle time.Duration) {
	if idle <= 0 {
		return
	}
	now := time.Now()
	var dead []*shell
	h.rt.mu.Lock()
	for id, s := range h.rt.shells {
		s.mu.Lock()
		expired := now.Sub(s.lastUse) > idle
		s.mu.Unlock()
		if expired {
			dead = append(dead, s)
			delete(h.rt.shells, id)
			h.appendLog(LogEntry{Event: "shell", ShellID: id, Detail: "deleted after the idle timeout"})
		}
	}
	h.rt.mu.Unlock()
	for _, s := range dead {
		s.terminate()
	}
}
