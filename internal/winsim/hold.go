package winsim

import (
	"strings"
	"sync"
)

// Hold stops an operation on a host before it runs, until released: a
// test then knows its client is in the middle of its work (holding a
// state lock, say) without timing anything.
type Hold struct {
	op      string
	reached chan struct{}
	release chan struct{}
	once    sync.Once
}

// Hold stops the next run of operation ("" for any operation) on the
// host before it runs. The operation's process waits, alive, until
// Release (or until it is killed).
func (h *Host) Hold(operation string) *Hold {
	x := &Hold{op: operation, reached: make(chan struct{}), release: make(chan struct{})}
	h.rt.mu.Lock()
	h.rt.holds = append(h.rt.holds, x)
	h.rt.mu.Unlock()
	return x
}

// Reached is closed when an operation reaches the hold.
func (x *Hold) Reached() <-chan struct{} { return x.reached }

// Release lets the held operation run (and a hold not reached yet pass
// through). It may be called more than once.
func (x *Hold) Release() { x.once.Do(func() { close(x.release) }) }

// takeHold removes and returns the first hold that op reaches, marking
// it reached.
func (h *Host) takeHold(op string) *Hold {
	h.rt.mu.Lock()
	defer h.rt.mu.Unlock()
	for i, x := range h.rt.holds {
		if x.op == "" || strings.EqualFold(x.op, op) {
			h.rt.holds = append(h.rt.holds[:i:i], h.rt.holds[i+1:]...)
			h.appendLog(LogEntry{Event: "fault", Operation: op, Detail: "held"})
			close(x.reached)
			return x
		}
	}
	return nil
}

// wait blocks until x is released; false when the process was killed
// first.
func (p *psProc) wait(x *Hold) bool {
	for {
		if p.isKilled() {
			return false
		}
		select {
		case <-x.release:
			return !p.isKilled()
		case <-p.wake:
		}
	}
}
