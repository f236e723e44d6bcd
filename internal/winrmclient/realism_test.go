package winrmclient_test

import (
	"testing"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// The realism knobs slow the host down as configured. Only lower bounds
// are asserted: a busy machine can make things slower, never faster.
func TestRealismKnobs(t *testing.T) {
	st := lsHost("LS01")
	st.Realism = winsim.Realism{LatencyMS: 20, ShellCreateMS: 100, PowerShellStartMS: 300, OperationMS: 10, ReceivePollMS: 2000}
	sim := startSim(t, st)
	c := clientFor(t, sim, sim.Host("LS01"), nil)
	start := time.Now()
	if _, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{}); err != nil {
		t.Fatal(err)
	}
	// Create and Command (latency, shell creation) come before the process
	// starts; the Send and Receive latencies overlap its start-up.
	if d, least := time.Since(start), 2*20*time.Millisecond+100*time.Millisecond+300*time.Millisecond+10*time.Millisecond; d < least {
		t.Fatalf("cold operation took %v, less than the %v the knobs add", d, least)
	}
	start = time.Now()
	if _, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{}); err != nil {
		t.Fatal(err)
	}
	// Send and Receive latencies; the operation runs during the second.
	if d, least := time.Since(start), 2*20*time.Millisecond; d < least {
		t.Fatalf("warm operation took %v, less than the %v the knobs add", d, least)
	}
}

// An install that needs a restart, the restart, and the host back with
// the role in place.
func TestRestartCompletesPendingInstall(t *testing.T) {
	st := winsim.NewHost("LS01", "2022", "")
	st.Quirks.LicensingRoleNeedsRestart = true
	st.Quirks.ProgressNoise = false
	sim := startSim(t, st)
	h := sim.Host("LS01")
	c := clientFor(t, sim, h, func(cfg *winrmclient.Config) { cfg.Timeout = 20 * time.Second })
	ch, err := rds.InstallRole.Run(ctxT(t), c, "", rds.RoleInput{IncludeManagementTools: true, WaitSeconds: 10})
	if err != nil {
		t.Fatal(err)
	}
	if !ch.RestartNeeded || !ch.State.RestartPending || ch.State.WMIReady {
		t.Fatalf("install: %+v", ch)
	}
	_, err = rds.GetLicenseServer.Run(ctxT(t), c, "", rds.NoInput{})
	wantKind(t, err, rds.KindRebootPending, "waits for a restart")
	if _, err := rds.RestartComputer.Run(ctxT(t), c, "", rds.RestartInput{DelaySeconds: 0}); err != nil {
		t.Fatal(err)
	}
	// Down after the shutdown delay, up after RebootMS.
	deadline := time.Now().Add(20 * time.Second)
	var role rds.RoleState
	for {
		role, err = rds.GetRole.Run(ctxT(t), c, "", rds.NoInput{})
		if err == nil && !role.RestartPending {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("host did not come back with the role installed: %+v %v", role, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if !role.WMIReady || role.ServiceStatus != "Running" || role.ServiceStartType != "Automatic" {
		t.Fatalf("after the restart: %+v", role)
	}
	ls, err := rds.GetLicenseServer.Run(ctxT(t), c, "", rds.NoInput{})
	if err != nil || ls.ActivationStatus != 1 {
		t.Fatalf("license server after the restart: %+v %v", ls, err)
	}
	reboots := 0
	for _, e := range h.Log(0) {
		if e.Event == "reboot" && e.Detail == "up" {
			reboots++
		}
	}
	if reboots != 1 {
		t.Fatalf("host restarted %d times", reboots)
	}
}
