package winsim_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// A result far larger than the client's MaxEnvelopeSize (153600) crosses
// several Receives, its response line cut between them, and the client
// reassembles it.
func TestLargeResultCrossesReceives(t *testing.T) {
	st := winsim.NewLicenseServerHost("LS01", "2022", "")
	st.Realism = winsim.FastTiming
	issued := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	const n = 3000
	for i := range n {
		st.LicenseServer.IssuedCALs = append(st.LicenseServer.IssuedCALs, winsim.IssuedCALState{
			LicenseID: int64(i + 1), KeyPackID: 1, IssuedToUser: fmt.Sprintf("CONTOSO\\user%04d", i),
			IssuedToComputer: fmt.Sprintf("PC%04d", i), HardwareID: fmt.Sprintf("%08X-0000-0000-0000-%012d", i, i),
			IssueDate: issued, ExpirationDate: issued.AddDate(0, 3, 0), LicenseStatus: 2,
		})
	}
	sim := serveSim(t, winsim.Scenario{Hosts: []winsim.HostState{st}})
	h := sim.Host("LS01")
	c := adminClient(t, sim, h)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := rds.GetHostInfo.Run(ctx, c, "", rds.NoInput{}); err != nil { // warm the session
		t.Fatal(err)
	}
	mark := h.LogSeq()
	report, err := rds.GetCALUsageReport.Run(ctx, c, "", rds.NoInput{})
	if err != nil {
		t.Fatal(err)
	}
	list := report.PerDevice
	if len(list) != n || list[n-1].IssuedToComputer != "PC2999" || list[0].HardwareID != "00000000-0000-0000-0000-000000000000" {
		t.Fatalf("%d licenses, last %+v", len(list), list[len(list)-1])
	}
	receives := 0
	for _, e := range h.Log(mark) {
		if e.Event == "http" && e.Action == "Receive" && e.Status == 200 {
			receives++
		}
	}
	if receives < 3 {
		t.Fatalf("the result came in %d Receive responses; at 153600 bytes each it needs several", receives)
	}
}
