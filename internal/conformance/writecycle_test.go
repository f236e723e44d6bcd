package conformance_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/conformance"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// sessionHostConfig is what the write cycle touches and must give back.
type sessionHostConfig struct {
	mode     int
	servers  string
	policy   bool
	restarts int
}

func configOf(sim *winsim.Sim, name string) sessionHostConfig {
	sh := sim.Host(name).State().SessionHost
	return sessionHostConfig{
		mode: sh.ConfigLicensingMode, servers: strings.Join(sh.ConfigLicenseServers, ","),
		policy: sh.PolicyLicensingMode != nil || sh.PolicyLicenseServers != nil, restarts: sh.TermServiceRestarts,
	}
}

func opCount(sim *winsim.Sim, host, op string) int {
	n := 0
	for _, e := range sim.Host(host).Log(0) {
		if e.Event == "operation" && e.Operation == op {
			n++
		}
	}
	return n
}

// The cycle changes the mode to the other CAL type, observes it, and puts
// back the mode and the license servers it found, without restarting
// TermService; from "not configured" it clears again.
func TestWriteCycleRestores(t *testing.T) {
	notConfigured := sessionHost()
	notConfigured.Name = "RDSH002"
	notConfigured.SessionHost.ConfigLicensingMode = 5
	notConfigured.SessionHost.ConfigLicenseServers = nil
	sim := serve(t, sessionHost(), notConfigured)
	for _, host := range []string{"RDSH001", "RDSH002"} {
		t.Run(host, func(t *testing.T) {
			before := configOf(sim, host)
			tr, err := probeWith(t, sim, host, conformance.Options{WriteCycle: true})
			if err != nil {
				t.Fatal(err)
			}
			if tr.WriteCycle != conformance.CycleRestored {
				t.Errorf("write cycle %q", tr.WriteCycle)
			}
			if after := configOf(sim, host); after != before {
				t.Errorf("the host was %+v, is %+v", before, after)
			}
			if opCount(sim, host, "set_session_host_licensing") == 0 {
				t.Error("the cycle changed nothing")
			}
			r, text := report(t, tr)
			for _, id := range []string{"value:ChangeMode.immediate", "value:ChangeMode.registry"} {
				if f, _ := r.Find(id); f.Status != conformance.NowObserved {
					t.Errorf("%s: %+v\n%s", id, f, text)
				}
			}
			if r.Count(conformance.Differs) != 0 {
				t.Errorf("differences:\n%s", text)
			}
		})
	}
}

// A host the cycle cannot restore exactly is refused before anything
// changes, and the probe still reports the rest.
func TestWriteCycleRefuses(t *testing.T) {
	policy := sessionHost()
	mode := 4
	policy.SessionHost.PolicyLicensingMode = &mode
	serversOnly := sessionHost()
	serversOnly.Name = "RDSH002"
	serversOnly.SessionHost.ConfigLicensingMode = 5
	noRole := winsim.NewHost("RDSH003", "2022", "contoso.com")
	sim := serve(t, policy, serversOnly, noRole)
	for host, reason := range map[string]string{
		"RDSH001": "a Group Policy sets the licensing mode",
		"RDSH002": "mode is 5 with 1 license servers",
		"RDSH003": "RD Session Host role is not installed",
	} {
		t.Run(host, func(t *testing.T) {
			before := configOf(sim, host)
			tr, err := probeWith(t, sim, host, conformance.Options{WriteCycle: true})
			if err == nil || !strings.Contains(err.Error(), "refused, nothing was changed") || !strings.Contains(err.Error(), reason) {
				t.Fatalf("err %v, want a refusal saying %q", err, reason)
			}
			if tr.WriteCycle != conformance.CycleRefused || len(tr.Observations) < 10 {
				t.Errorf("write cycle %q, %d observations", tr.WriteCycle, len(tr.Observations))
			}
			if configOf(sim, host) != before || opCount(sim, host, "set_session_host_licensing")+opCount(sim, host, "clear_session_host_licensing") != 0 {
				t.Error("a refused cycle changed the host")
			}
		})
	}
}

// A failure after the change still restores the host; a failed restore
// says so and names the settings to put back by hand.
func TestWriteCycleFailures(t *testing.T) {
	for _, tc := range []struct {
		name    string
		fault   winsim.Fault
		outcome string
	}{
		{"read after the change fails", winsim.Fault{Type: winsim.FaultOpError, Operation: "get_session_host", Skip: 1, Count: 1, Kind: "unexpected", Message: "lost"},
			conformance.CycleFailedRestored},
		{"the change fails", winsim.Fault{Type: winsim.FaultOpError, Operation: "set_session_host_licensing", Count: 1, Kind: "unexpected", Message: "lost"},
			conformance.CycleFailedRestored},
		{"the restore fails", winsim.Fault{Type: winsim.FaultOpError, Operation: "set_session_host_licensing", Skip: 1, Count: 1, Kind: "unexpected", Message: "lost"},
			conformance.CycleNotRestored},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim := serve(t, sessionHost())
			before := configOf(sim, "RDSH001")
			if _, err := sim.Host("RDSH001").AddFault(tc.fault); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			_, recs, err := conformance.WriteCycle(ctx, client(t, sim, "RDSH001"), "")
			if err == nil {
				t.Fatal("no error")
			}
			if tc.outcome == conformance.CycleNotRestored {
				if !errors.Is(err, conformance.ErrNotRestored) || !strings.Contains(err.Error(), "set it back to licensing mode 4 (WMI) with license servers [LS01.contoso.com]") {
					t.Errorf("err %v", err)
				}
				return
			}
			if errors.Is(err, conformance.ErrNotRestored) || !strings.Contains(err.Error(), "the session host was restored") {
				t.Errorf("err %v", err)
			}
			if after := configOf(sim, "RDSH001"); after != before {
				t.Errorf("the host was %+v, is %+v", before, after)
			}
			for _, rec := range recs {
				if rec.Error != nil && rec.Error.Message != "" {
					t.Errorf("%s: the transcript keeps an error message (it may name servers): %q", rec.Name, rec.Error.Message)
				}
			}
		})
	}
}
