package winsim_test

import (
	"context"
	"testing"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// A held operation waits, without running, until released; the next one
// is not held; a hold for another operation lets this one through.
func TestHoldStopsAnOperationUntilReleased(t *testing.T) {
	st := winsim.NewLicenseServerHost("LS01", "2022", "")
	st.Realism = winsim.FastTiming
	sim := serveSim(t, winsim.Scenario{Hosts: []winsim.HostState{st}})
	h := sim.Host("LS01")
	c := adminClient(t, sim, h)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	other := h.Hold("get_license_server")
	hold := h.Hold("get_host_info")
	done := make(chan error, 1)
	mark := h.LogSeq()
	go func() {
		_, err := rds.GetHostInfo.Run(ctx, c, "", rds.NoInput{})
		done <- err
	}()
	select {
	case <-hold.Reached():
	case err := <-done:
		t.Fatalf("the operation finished (%v) without reaching the hold", err)
	}
	for _, e := range h.Log(mark) {
		if e.Event == "operation" {
			t.Fatalf("an operation ran while held: %+v", e)
		}
	}
	select {
	case <-other.Reached():
		t.Fatal("the hold of another operation was reached")
	default:
	}
	hold.Release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := rds.GetHostInfo.Run(ctx, c, "", rds.NoInput{}); err != nil {
		t.Fatalf("the next run: %v", err)
	}
	ops := 0
	for _, e := range h.Log(mark) {
		if e.Event == "operation" && e.Operation == "get_host_info" {
			ops++
		}
	}
	if ops != 2 {
		t.Fatalf("get_host_info ran %d times, want 2", ops)
	}
}
