package winsim_test

import (
	"testing"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// serveSim builds a fleet and serves it; the test's cleanup stops it.
func serveSim(t *testing.T, sc winsim.Scenario) *winsim.Sim {
	t.Helper()
	sim, err := winsim.New(sc)
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Start(winsim.ServeOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	return sim
}

// adminClient is a client for host h, as Administrator over HTTPS with
// Basic, trusting the fleet's CA; the test's cleanup closes it.
func adminClient(t *testing.T, sim *winsim.Sim, h *winsim.Host) *winrmclient.Client {
	t.Helper()
	_, httpsPort := sim.Ports()
	c, err := winrmclient.New(winrmclient.Config{
		Host: h.State().Address, Port: httpsPort, HTTPS: true, CACert: sim.CACertPEM(),
		Username: "Administrator", Password: winsim.DefaultPassword, Auth: winrmclient.AuthBasic,
		OperationTimeout: 5 * time.Second, Timeout: 60 * time.Second, Library: rds.Library,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}
