package winrmclient_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// warmClient returns a client whose session on h is warm, so that the
// next operation is one Send and one Receive.
func warmClient(t *testing.T, sim *winsim.Sim, h *winsim.Host) *winrmclient.Client {
	t.Helper()
	c := clientFor(t, sim, h, nil)
	if _, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{}); err != nil {
		t.Fatal(err)
	}
	return c
}

// expiring is a context that ends with context.DeadlineExceeded when
// expire is called: a deadline that falls at a chosen moment rather than
// at a time, which a busy machine could reach before the request is out.
type expiring struct {
	context.Context
	done chan struct{}
	once sync.Once
}

func newExpiring() *expiring {
	return &expiring{Context: context.Background(), done: make(chan struct{})}
}

func (e *expiring) Done() <-chan struct{} { return e.done }

func (e *expiring) Err() error {
	select {
	case <-e.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

func (e *expiring) expire() { e.once.Do(func() { close(e.done) }) }

// A deadline or a cancellation that ends a non-idempotent operation after
// its request reached the process leaves its outcome unknown.
func TestDeadlineAfterDeliveryLeavesOutcomeUnknown(t *testing.T) {
	for _, tc := range []struct {
		name string
		kind winrmclient.Kind
		ctx  func() (context.Context, func())
	}{
		{"timeout", winrmclient.KindTimeout, func() (context.Context, func()) {
			e := newExpiring()
			return e, e.expire
		}},
		{"cancel", winrmclient.KindCanceled, func() (context.Context, func()) {
			return context.WithCancel(context.Background())
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim := startSim(t, activatedLS())
			h := sim.Host("LS01")
			c := warmClient(t, sim, h)
			// The install would take an hour; the context ends once the
			// host has the request (its Send answered).
			addFault(t, h, winsim.Fault{Type: winsim.FaultDelay, Operation: "install_key_pack", DelayMS: 3_600_000})
			ctx, end := tc.ctx()
			defer end()
			mark := h.LogSeq()
			go func() {
				for countHTTP(h, mark, "Send") == 0 && ctx.Err() == nil {
					time.Sleep(10 * time.Millisecond)
				}
				end()
			}()
			_, err := rds.InstallKeyPack.Run(ctx, c, "", retailInput)
			e := kindError(t, err, tc.kind, "may have run on the host")
			if !e.OutcomeUnknown {
				t.Fatalf("OutcomeUnknown not set: %v", err)
			}
			// An idempotent operation that never ran gets no such flag:
			// its Send is held for an hour, so whenever the context ends,
			// the request has not reached the process.
			addFault(t, h, winsim.Fault{Type: winsim.FaultDelay, Action: "Send", DelayMS: 3_600_000, Count: 1})
			ctx, end = tc.ctx()
			defer end()
			time.AfterFunc(300*time.Millisecond, end)
			_, err = rds.GetHostInfo.Run(ctx, c, "", rds.NoInput{})
			if e := kindError(t, err, tc.kind); e.OutcomeUnknown {
				t.Fatalf("OutcomeUnknown set for an idempotent operation: %v", err)
			}
		})
	}
}

// installRuns counts the install_key_pack runs the host saw after mark.
func installRuns(h *winsim.Host, mark int64) (n int) {
	for _, e := range h.Log(mark) {
		if e.Event == "operation" && e.Operation == "install_key_pack" {
			n++
		}
	}
	return n
}

// A request the host refused, or never received, did not run: it is
// retried, and never reported as one that may have run.
func TestUndeliveredRequestIsNotReportedAsMayHaveRun(t *testing.T) {
	t.Run("fault answers the Send", func(t *testing.T) {
		sim := startSim(t, activatedLS())
		h := sim.Host("LS01")
		c := warmClient(t, sim, h)
		addFault(t, h, winsim.Fault{Type: winsim.FaultSOAP, Action: "Send", Code: winrmclient.FaultCodeQuotaOperations, Subcode: "w:QuotaLimit", Message: "The WS-Management service cannot process the request. This user is allowed a maximum number of 1500 concurrent operations, which has been exceeded. ", Count: 1})
		mark := h.LogSeq()
		_, err := rds.InstallKeyPack.Run(ctxT(t), c, "", retailInput)
		// Retried, then run once: the empty Clearinghouse refuses the code.
		wantKind(t, err, rds.KindInvalidCode)
		if n := installRuns(h, mark); n != 1 {
			t.Fatalf("install_key_pack ran %d times, want 1", n)
		}
	})
	t.Run("non-retryable fault answers the Send", func(t *testing.T) {
		sim := startSim(t, activatedLS())
		h := sim.Host("LS01")
		c := warmClient(t, sim, h)
		addFault(t, h, winsim.Fault{Type: winsim.FaultSOAP, Action: "Send", Count: 1})
		_, err := rds.InstallKeyPack.Run(ctxT(t), c, "", retailInput)
		if e := kindError(t, err, winrmclient.KindProtocol); e.OutcomeUnknown {
			t.Fatalf("a refused Send reported as may have run: %v", err)
		}
	})
	t.Run("host restarting", func(t *testing.T) {
		sim := startSim(t, activatedLS())
		h := sim.Host("LS01")
		c := warmClient(t, sim, h)
		mark := h.LogSeq()
		h.Reboot(3 * time.Second)
		_, err := rds.InstallKeyPack.Run(ctxT(t), c, "", retailInput)
		if e := kindError(t, err, winrmclient.KindTransport, "refused"); e.OutcomeUnknown {
			t.Fatalf("a connection refused reported as may have run: %v", err)
		}
		if n := installRuns(h, mark); n != 0 {
			t.Fatalf("install_key_pack ran %d times", n)
		}
	})
}

// A process that exits right after its answer is not reused: the next
// operation starts a new one instead of writing to a dead one.
func TestProcessThatExitedAfterAnsweringIsNotReused(t *testing.T) {
	sim := startSim(t, activatedLS())
	h := sim.Host("LS01")
	var sends atomic.Int32
	c := clientFor(t, sim, h, func(cfg *winrmclient.Config) {
		// The first request closes stdin: powershell.exe answers, then exits.
		winrmclient.SetStdinHook(cfg, func(data []byte, eof bool) ([]byte, bool) {
			return data, eof || sends.Add(1) == 1
		})
	})
	// The answer and the exit come back in one Receive.
	addFault(t, h, winsim.Fault{Type: winsim.FaultDelay, Action: "Receive", DelayMS: 300, Count: 1})
	if _, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{}); err != nil {
		t.Fatal(err)
	}
	mark := h.LogSeq()
	_, err := rds.InstallKeyPack.Run(ctxT(t), c, "", retailInput)
	wantKind(t, err, rds.KindInvalidCode)
	if n := installRuns(h, mark); n != 1 {
		t.Fatalf("install_key_pack ran %d times, want 1", n)
	}
}

// An answer to another request (the prelude answers id 0 when it cannot
// read one) ends the operation at once with the prelude's message.
func TestAnswerToAnotherRequestEndsTheOperation(t *testing.T) {
	sim := startSim(t, activatedLS())
	h := sim.Host("LS01")
	var sends atomic.Int32
	c := clientFor(t, sim, h, func(cfg *winrmclient.Config) {
		cfg.Timeout = 5 * time.Second
		winrmclient.SetStdinHook(cfg, func(data []byte, eof bool) ([]byte, bool) {
			if sends.Add(1) == 2 {
				data = []byte("not base64!\n")
			}
			return data, eof
		})
	})
	if _, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{}); err != nil {
		t.Fatal(err)
	}
	mark := h.LogSeq()
	_, err := rds.InstallKeyPack.Run(ctxT(t), c, "", retailInput)
	if e := kindError(t, err, winrmclient.KindProtocol, "cannot read the request"); e.OutcomeUnknown {
		t.Fatalf("a request the host could not read reported as may have run: %v", err)
	}
	if n := installRuns(h, mark); n != 0 {
		t.Fatalf("install_key_pack ran %d times", n)
	}
}
