package winrmclient_test

import (
	"sync"
	"testing"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// idleSessions leaves n idle sessions on h: n operations run at once.
func idleSessions(t *testing.T, c *winrmclient.Client, h *winsim.Host, n int) {
	t.Helper()
	addFault(t, h, winsim.Fault{Type: winsim.FaultDelay, Operation: "get_host_info", DelayMS: 300, Count: n})
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got := len(h.Shells()); got != n {
		t.Fatalf("%d shells open, want %d", got, n)
	}
}

// rebootAndWait restarts h and waits until it answers again.
func rebootAndWait(t *testing.T, h *winsim.Host, d time.Duration) {
	t.Helper()
	mark := h.LogSeq()
	h.Reboot(d)
	deadline := time.Now().Add(30 * time.Second)
	for {
		for _, e := range h.Log(mark) {
			if e.Event == "reboot" && e.Detail == "up" {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the host did not come back")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// After a restart every idle shell is gone: the first operation makes a
// new one instead of failing on each dead shell in turn.
func TestFirstOperationAfterRestartSucceeds(t *testing.T) {
	for _, op := range []string{"get_host_info", "install_key_pack"} {
		t.Run(op, func(t *testing.T) {
			sim := startSim(t, activatedLS())
			h := sim.Host("LS01")
			c := clientFor(t, sim, h, nil)
			idleSessions(t, c, h, 4)
			rebootAndWait(t, h, 200*time.Millisecond)
			mark := h.LogSeq()
			var err error
			if op == "install_key_pack" {
				_, err = rds.InstallKeyPack.Run(ctxT(t), c, "", retailInput)
				wantKind(t, err, rds.KindInvalidCode)
			} else if _, err = rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{}); err != nil {
				t.Fatalf("first operation after the restart: %v", err)
			}
			// The dead shells cost one Send; none is signaled or deleted.
			for _, a := range httpActions(h, mark) {
				if a == "Signal" || a == "Delete" {
					t.Fatalf("requests after the restart: %v", httpActions(h, mark))
				}
			}
			if n := len(h.Shells()); n != 1 {
				t.Fatalf("%d shells open, want 1", n)
			}
		})
	}
}

// Close while operations run: each deletes its shell as it ends, and none
// makes a new one.
func TestCloseDuringOperationLeavesNoShell(t *testing.T) {
	for _, tc := range []struct {
		name   string
		faults []winsim.Fault
	}{
		{"operation ends", []winsim.Fault{{Type: winsim.FaultDelay, Operation: "get_host_info", DelayMS: 1000, Count: 1}}},
		// The Receive's connection breaks after the output: a retry.
		{"operation retried", []winsim.Fault{
			{Type: winsim.FaultDelay, Operation: "get_host_info", DelayMS: 1000, Count: 1},
			{Type: winsim.FaultDropAfter, Action: "Receive", Count: 1},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim := startSim(t, lsHost("LS01"))
			h := sim.Host("LS01")
			c := clientFor(t, sim, h, nil)
			for _, f := range tc.faults {
				addFault(t, h, f)
			}
			done := make(chan error, 1)
			go func() {
				_, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{})
				done <- err
			}()
			// Close once the operation runs on the host.
			for len(h.Shells()) == 0 || countHTTP(h, 0, "Send") == 0 {
				time.Sleep(10 * time.Millisecond)
			}
			if err := c.Close(); err != nil {
				t.Fatal(err)
			}
			if err := <-done; err != nil {
				t.Logf("the operation ended with: %v", err)
			}
			if n := len(h.Shells()); n != 0 {
				t.Fatalf("%d shells left open; requests %v", n, httpActions(h, 0))
			}
		})
	}
}
