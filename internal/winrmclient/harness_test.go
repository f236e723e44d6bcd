package winrmclient_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// startSim starts a fleet with fast timing and stops it with the test.
func startSim(t *testing.T, hosts ...winsim.HostState) *winsim.Sim {
	t.Helper()
	for i := range hosts {
		if hosts[i].Realism == (winsim.Realism{}) {
			hosts[i].Realism = winsim.FastTiming
		}
	}
	sim, err := winsim.New(winsim.Scenario{Hosts: hosts, Clearinghouse: winsim.ClearinghouseState{Reachable: true}})
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Start(winsim.ServeOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	return sim
}

// lsHost is a license server whose powershell.exe writes nothing to
// stderr when all goes well, so that tests can count round trips exactly.
func lsHost(name string) winsim.HostState {
	st := winsim.NewLicenseServerHost(name, "2022", "")
	st.Quirks = winsim.DefaultQuirks
	st.Quirks.ProgressNoise = false
	return st
}

// clientFor builds a client for the fleet's hosts over HTTPS with Basic,
// trusting winsim's CA; mutate adjusts the configuration.
func clientFor(t *testing.T, sim *winsim.Sim, host *winsim.Host, mutate func(*winrmclient.Config)) *winrmclient.Client {
	t.Helper()
	httpPort, httpsPort := sim.Ports()
	cfg := winrmclient.Config{
		Host:             host.State().Address,
		Port:             httpsPort,
		HTTPS:            true,
		CACert:           sim.CACertPEM(),
		Username:         "Administrator",
		Password:         winsim.DefaultPassword,
		Auth:             winrmclient.AuthBasic,
		OperationTimeout: 5 * time.Second,
		Timeout:          60 * time.Second,
		Library:          rds.Library,
		Logger:           testLogger(t),
	}
	if mutate != nil {
		mutate(&cfg)
		if !cfg.HTTPS && (cfg.Port == 0 || cfg.Port == httpsPort) {
			cfg.Port = httpPort
		}
	}
	c, err := winrmclient.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func testLogger(t *testing.T) hclog.Logger {
	if v, _ := strconv.ParseBool(os.Getenv("WINRMCLIENT_TEST_LOG")); v {
		return hclog.New(&hclog.LoggerOptions{Level: hclog.Trace, Output: os.Stderr, Name: t.Name()})
	}
	return hclog.NewNullLogger()
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}
