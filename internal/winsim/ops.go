package winsim

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

// opContext is what an operation handler sees. Host is the host's state,
// locked for the handler's whole run; other hosts are only seen through
// snapshots (Peer), so handlers never hold two host locks.
type opContext struct {
	Host *HostState
	User User
	Now  time.Time

	sim    *Sim
	host   *Host
	op     string
	delay  time.Duration
	reboot *time.Duration
	notes  []string
	// stopped is the crash_at or reboot_at fault that stopped the
	// operation at a step: the process never answers.
	stopped *Fault
	// changed: the operation changed the host (runOperation compares the
	// state; markChanged says so for what the state does not hold).
	changed bool
}

// markChanged records a change the host's state does not show.
func (x *opContext) markChanged() { x.changed = true }

// step is a point of the operation where a crash_at or reboot_at fault
// can stop it: what the handler changed so far stays, the rest never
// runs. A handler returns the error at once; it is never answered.
func (x *opContext) step(name string) error {
	if !slices.Contains(opSteps[x.op], name) {
		panic("winsim: operation " + x.op + " has no step " + name + "; register it with registerSteps")
	}
	if x.host == nil {
		return nil
	}
	f := x.host.takeStepFault(x.op, name)
	if f == nil {
		return nil
	}
	x.stopped = f
	x.Note("stopped at step %s (%s fault)", name, f.Type)
	return fail("script_error", "winsim: %s stopped at step %s (%s fault); the process does not answer", x.op, name, f.Type)
}

// Clearinghouse runs fn with the fleet's Clearinghouse locked.
func (x *opContext) Clearinghouse(fn func(ch *ClearinghouseState) error) error {
	x.sim.chMu.Lock()
	defer x.sim.chMu.Unlock()
	return fn(&x.sim.clearinghouse)
}

// Peer returns a snapshot of another host, found by NetBIOS name, FQDN or
// address (case-insensitive), as name resolution on the network would.
// ok is false when no such host exists or it is down (restarting). The
// snapshot shares its maps and slices with the host's view: read only.
func (x *opContext) Peer(name string) (st HostState, ok bool) {
	h := x.sim.lookup(name)
	if h == nil || !h.online() {
		return HostState{}, false
	}
	return *h.view(), true
}

// Delay adds simulated run time; it is slept after the host is unlocked.
func (x *opContext) Delay(d time.Duration) { x.delay += d }

// Reboot schedules a restart of the host after the response is sent.
func (x *opContext) Reboot(after time.Duration) { x.reboot = &after }

// Note records a detail in the host's operation log.
func (x *opContext) Note(format string, args ...any) {
	x.notes = append(x.notes, fmt.Sprintf(format, args...))
}

// opError is a failed operation, as the script's envelope reports it.
type opError struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
	Code    int64  `json:"code"`
}

func (e *opError) Error() string { return e.Kind + ": " + e.Message }

// fail builds the error a script's Fail call produces.
func fail(kind, format string, args ...any) error {
	return &opError{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// failCode is fail with a WMI code.
func failCode(kind string, code int64, format string, args ...any) error {
	return &opError{Kind: kind, Message: fmt.Sprintf(format, args...), Code: code}
}

type opHandler func(x *opContext, in json.RawMessage) (any, error)

var handlers = map[string]opHandler{}

// opSteps lists, per operation, the steps where crash_at and reboot_at
// faults can stop it (opContext.step).
var opSteps = map[string][]string{}

// registerSteps declares an operation's steps, for Fault.validate.
func registerSteps(op string, steps ...string) {
	opSteps[op] = append(opSteps[op], steps...)
}

// OperationSteps lists, per operation, the steps that crash_at and
// reboot_at faults can name.
func OperationSteps() map[string][]string {
	out := map[string][]string{}
	for op, steps := range opSteps {
		out[op] = slices.Clone(steps)
	}
	return out
}

// register binds a handler to an operation. The types tie the handler to
// the operation's Go input and result, so winsim answers with exactly the
// shape the client decodes.
func register[I, O any](op rds.Op[I, O], fn func(x *opContext, in I) (O, error)) {
	if _, dup := handlers[op.Name]; dup {
		panic("winsim: two handlers for " + op.Name)
	}
	handlers[op.Name] = func(x *opContext, raw json.RawMessage) (any, error) {
		var in I
		if len(raw) > 0 && string(raw) != "null" {
			if err := json.Unmarshal(raw, &in); err != nil {
				return nil, fail("script_error", "cannot read the operation input: %v", err)
			}
		}
		return fn(x, in)
	}
}

// HandledOperations lists the operations winsim answers, sorted.
func HandledOperations() []string {
	names := make([]string, 0, len(handlers))
	for n := range handlers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
