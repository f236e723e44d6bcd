package winsim_test

import (
	"time"

	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// HTTP-level faults aimed at an operation fire on the Send that carries
// its request, not on the reads before it; the log marks the runs that
// changed the host.

func ofSessionHost(t *testing.T) (*winsim.Host, *winrmclient.Client) {
	t.Helper()
	sim := serveSim(t, winsim.Scenario{Hosts: []winsim.HostState{winsim.NewSessionHost("RDSH01", "2022", "contoso.com", time.Now().Add(100*24*time.Hour))}})
	h := sim.Host("RDSH01")
	return h, adminClient(t, sim, h)
}

// ofRuns are the host's runs of op after mark, and how many changed it.
func ofRuns(h *winsim.Host, mark int64, op string) (runs, changed int) {
	for _, e := range h.Log(mark) {
		if e.Event == "operation" && e.Operation == op {
			runs++
			if e.Changed {
				changed++
			}
		}
	}
	return runs, changed
}

func TestOperationAimedHTTPFaults(t *testing.T) {
	set := rds.SessionHostLicensingInput{Method: "group_policy", LicensingMode: 4, LicenseServers: []string{"LS01"}, RestartService: true}
	for _, tc := range []struct {
		fault   winsim.Fault
		runs    int // of set_session_host_licensing
		wantErr bool
	}{
		// The answer is lost after the operation ran: an idempotent
		// operation runs again, and changes nothing the second time.
		{winsim.Fault{Type: winsim.FaultDropAfter, Operation: "set_session_host_licensing"}, 2, false},
		// Refused before it reached the process: sent again, run once.
		{winsim.Fault{Type: winsim.FaultHTTPStatus, Status: 503, Operation: "set_session_host_licensing"}, 1, false},
		// A fault the client cannot explain: not run, not retried.
		{winsim.Fault{Type: winsim.FaultSOAP, Operation: "set_session_host_licensing"}, 0, true},
	} {
		t.Run(tc.fault.Type, func(t *testing.T) {
			h, c := ofSessionHost(t)
			ctx := jfCtx(t)
			tc.fault.Count = 1
			if _, err := h.AddFault(tc.fault); err != nil {
				t.Fatal(err)
			}
			mark := h.LogSeq()
			if _, err := rds.GetSessionHost.Run(ctx, c, "", rds.SessionHostInput{}); err != nil {
				t.Fatalf("a read failed: the fault fired on another operation's request: %v", err)
			}
			_, err := rds.SetSessionHostLicensing.Run(ctx, c, "", set)
			if (err != nil) != tc.wantErr {
				t.Fatalf("set_session_host_licensing: error %v, want error %v", err, tc.wantErr)
			}
			if f := h.Faults()[0]; f.Fired != 1 {
				t.Fatalf("the fault fired %d times, want 1", f.Fired)
			}
			runs, changed := ofRuns(h, mark, "set_session_host_licensing")
			if runs != tc.runs || changed != min(runs, 1) {
				t.Fatalf("set_session_host_licensing ran %d times, %d of them changing the host; want %d, %d", runs, changed, tc.runs, min(tc.runs, 1))
			}
			if r, ch := ofRuns(h, mark, "get_session_host"); r != 1 || ch != 0 {
				t.Fatalf("get_session_host ran %d times, %d changing the host; want once, changing nothing", r, ch)
			}
			if n := h.State().SessionHost.TermServiceRestarts; n != min(tc.runs, 1) {
				t.Fatalf("TermService restarted %d times, want %d", n, min(tc.runs, 1))
			}
		})
	}
}
