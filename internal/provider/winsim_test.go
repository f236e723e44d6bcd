package provider

import (
	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// startTestSim starts two license servers, LS01 and LS02.
func startTestSim(t *testing.T) *winsim.Sim {
	t.Helper()
	sim, err := winsim.NewWithOptions(winsim.Scenario{
		Hosts:         []winsim.HostState{winsim.NewLicenseServerHost("LS01", "2022", ""), winsim.NewLicenseServerHost("LS02", "2022", "")},
		Clearinghouse: winsim.ClearinghouseState{Reachable: true},
	}, winsim.Options{BaseAddress: fleetBase()})
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Start(winsim.ServeOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	return sim
}
