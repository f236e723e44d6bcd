package winsim

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

// bareHost is a Windows Server without RD Licensing.
func bareHost(name, domain string) HostState {
	return HostState{Name: name, OS: "2022", Domain: domain, Internet: true}
}

func featureStates(rs rds.RoleState) map[string]string {
	m := map[string]string{}
	for _, f := range rs.Features {
		m[f.Name] = f.InstallState
	}
	return m
}

func TestGetRoleWithoutRole(t *testing.T) {
	s := newTestSim(t, Scenario{Hosts: []HostState{bareHost("SRV1", "")}})
	var got rds.RoleState
	if err := runOp(t, s.Host("SRV1"), testAdmin, "get_role", rds.NoInput{}, &got); err != nil {
		t.Fatalf("get_role: %v", err)
	}
	want := rds.RoleState{
		Features: []rds.Feature{
			{Name: "RDS-Licensing", DisplayName: "Remote Desktop Licensing", InstallState: "Available"},
			{Name: "RDS-Licensing-UI", DisplayName: "Remote Desktop Licensing Tools", InstallState: "Available"},
			{Name: "RSAT-RDS-Licensing-Diagnosis-UI", DisplayName: "RD Licensing Diagnoser Tools", InstallState: "Available"},
		},
		OSVersion: "2022",
		BootTime:  "2026-01-05T08:00:00Z",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("get_role:\n got %+v\nwant %+v", got, want)
	}
}

func TestGetRoleInstalled(t *testing.T) {
	s := newTestSim(t, Scenario{Hosts: []HostState{NewLicenseServerHost("LS01", "2019", "")}})
	var got rds.RoleState
	if err := runOp(t, s.Host("LS01"), testAdmin, "get_role", rds.NoInput{}, &got); err != nil {
		t.Fatalf("get_role: %v", err)
	}
	if got.ServiceStatus != "Running" || got.ServiceStartType != "Automatic" || !got.WMIReady || got.RestartPending || got.OSVersion != "2019" {
		t.Fatalf("get_role: %+v", got)
	}
	for name, state := range featureStates(got) {
		if state != "Installed" {
			t.Errorf("%s: %s", name, state)
		}
	}
}

func TestInstallRoleWithoutRestart(t *testing.T) {
	s := newTestSim(t, Scenario{Hosts: []HostState{bareHost("SRV1", "")}})
	h := s.Host("SRV1")
	var got rds.RoleChange
	if err := runOp(t, h, testAdmin, "install_role", rds.RoleInput{WaitSeconds: 60}, &got); err != nil {
		t.Fatalf("install_role: %v", err)
	}
	if !got.Changed || got.RestartNeeded || got.ExitCode != "Success" {
		t.Fatalf("install_role: %+v", got)
	}
	want := map[string]string{"RDS-Licensing": "Installed", "RDS-Licensing-UI": "Available", "RSAT-RDS-Licensing-Diagnosis-UI": "Available"}
	if fs := featureStates(got.State); !reflect.DeepEqual(fs, want) {
		t.Fatalf("features %v, want %v", fs, want)
	}
	if got.State.ServiceStatus != "Running" || got.State.ServiceStartType != "Automatic" || !got.State.WMIReady || got.State.RestartPending {
		t.Fatalf("state: %+v", got.State)
	}
	st := h.State()
	if len(st.LicenseServer.KeyPacks) != 1 || st.LicenseServer.KeyPacks[0].ProductType != 3 {
		t.Fatalf("key packs after install: %+v", st.LicenseServer.KeyPacks)
	}
	if st.FeatureState(FeatureRDSTools) != StateAvailable {
		t.Fatalf("RSAT-RDS-Tools installed without the tools")
	}

	// Idempotent: the second run answers NoChangeNeeded.
	if err := runOp(t, h, testAdmin, "install_role", rds.RoleInput{WaitSeconds: 60}, &got); err != nil {
		t.Fatalf("install_role again: %v", err)
	}
	if got.Changed || got.RestartNeeded || got.ExitCode != "NoChangeNeeded" {
		t.Fatalf("second install_role: %+v", got)
	}
}

func TestInstallRoleWithManagementTools(t *testing.T) {
	s := newTestSim(t, Scenario{Hosts: []HostState{bareHost("SRV1", "")}})
	h := s.Host("SRV1")
	var got rds.RoleChange
	if err := runOp(t, h, testAdmin, "install_role", rds.RoleInput{IncludeManagementTools: true}, &got); err != nil {
		t.Fatalf("install_role: %v", err)
	}
	for name, state := range featureStates(got.State) {
		if state != "Installed" {
			t.Errorf("%s: %s", name, state)
		}
	}
	if featureOf(h, FeatureRDSTools) != StateInstalled {
		t.Errorf("the tools' parent RSAT-RDS-Tools is not installed")
	}
}

func TestInstallRoleNeedingRestart(t *testing.T) {
	st := bareHost("SRV1", "")
	st.Quirks = DefaultQuirks
	st.Quirks.LicensingRoleNeedsRestart = true
	s := newTestSim(t, Scenario{Hosts: []HostState{st}})
	h := s.Host("SRV1")
	var got rds.RoleChange
	// A long wait must not matter: a restart is needed, so it returns at once.
	if err := runOp(t, h, testAdmin, "install_role", rds.RoleInput{WaitSeconds: 3600}, &got); err != nil {
		t.Fatalf("install_role: %v", err)
	}
	if !got.Changed || !got.RestartNeeded || got.ExitCode != "SuccessRestartRequired" {
		t.Fatalf("install_role: %+v", got)
	}
	if fs := featureStates(got.State); fs["RDS-Licensing"] != "InstallPending" {
		t.Fatalf("features %v", fs)
	}
	if got.State.WMIReady || !got.State.RestartPending || got.State.ServiceStatus != "" {
		t.Fatalf("state: %+v", got.State)
	}
	// The licensing operations wait for the restart.
	err := runOp(t, h, testAdmin, "get_license_server", rds.NoInput{}, nil)
	if err == nil || err.Kind != "reboot_pending" || !strings.Contains(err.Message, "on SRV1 is installed but waits for a restart") {
		t.Fatalf("get_license_server before restart: %v", err)
	}
	// Installing again before the restart changes nothing but still asks for it.
	if err := runOp(t, h, testAdmin, "install_role", rds.RoleInput{}, &got); err != nil {
		t.Fatalf("install_role again: %v", err)
	}
	if got.Changed || !got.RestartNeeded || got.ExitCode != "NoChangeNeeded" {
		t.Fatalf("second install_role: %+v", got)
	}

	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	h.Update(func(st *HostState) { applyRestart(st, now) })
	if err := runOp(t, h, testAdmin, "get_role", rds.NoInput{}, &got.State); err != nil {
		t.Fatalf("get_role: %v", err)
	}
	if fs := featureStates(got.State); fs["RDS-Licensing"] != "Installed" || !got.State.WMIReady ||
		got.State.ServiceStatus != "Running" || got.State.ServiceStartType != "Automatic" || got.State.RestartPending {
		t.Fatalf("after restart: %+v", got.State)
	}
	if kp := h.State().LicenseServer.KeyPacks; len(kp) != 1 || kp[0].ProductType != 3 {
		t.Fatalf("built-in key pack after restart: %+v", kp)
	}
}

func TestInstallRoleRemovedPayload(t *testing.T) {
	// Server Core: the UI tools' payload is not on the server.
	st := bareHost("CORE1", "")
	st.Features = map[string]string{FeatureLicensingUI: StateRemoved, FeatureLicensingDiag: StateRemoved}
	s := newTestSim(t, Scenario{Hosts: []HostState{st}})
	h := s.Host("CORE1")
	err := runOp(t, h, testAdmin, "install_role", rds.RoleInput{IncludeManagementTools: true, WaitSeconds: 30}, nil)
	if err == nil || err.Kind != "script_error" {
		t.Fatalf("install_role with removed tools: %v, want script_error", err)
	}
	for _, part := range []string{
		"Install-WindowsFeature could not install RDS-Licensing, RDS-Licensing-UI, RSAT-RDS-Licensing-Diagnosis-UI on CORE1 (exit code Failed): ",
		"The source files could not be found.",
		"Error: 0x800f081f",
		"in state Removed (their installation files are not on this server, as on Server Core or after Uninstall-WindowsFeature -Remove): RDS-Licensing-UI, RSAT-RDS-Licensing-Diagnosis-UI;",
		"include_management_tools = false",
	} {
		if !strings.Contains(err.Message, part) {
			t.Errorf("message %q lacks %q", err.Message, part)
		}
	}
	after := h.State()
	if after.FeatureState(FeatureLicensing) != StateAvailable || len(after.Services) != 0 || len(after.LicenseServer.KeyPacks) != 0 {
		t.Fatalf("a failed install changed the host: features %v services %v", after.Features, after.Services)
	}

	// Without the tools the role itself installs.
	var got rds.RoleChange
	if err := runOp(t, h, testAdmin, "install_role", rds.RoleInput{WaitSeconds: 30}, &got); err != nil {
		t.Fatalf("install_role without tools: %v", err)
	}
	if fs := featureStates(got.State); fs["RDS-Licensing"] != "Installed" || fs["RDS-Licensing-UI"] != "Removed" {
		t.Fatalf("features %v", fs)
	}
}

func TestInstallRoleRepairsService(t *testing.T) {
	st := NewLicenseServerHost("LS01", "2022", "")
	st.Services[ServiceLicensing] = Service{Status: "Stopped", StartType: "Disabled"}
	s := newTestSim(t, Scenario{Hosts: []HostState{st}})
	var got rds.RoleChange
	if err := runOp(t, s.Host("LS01"), testAdmin, "install_role", rds.RoleInput{}, &got); err != nil {
		t.Fatalf("install_role: %v", err)
	}
	if !got.Changed || got.ExitCode != "NoChangeNeeded" || got.State.ServiceStatus != "Running" || got.State.ServiceStartType != "Automatic" {
		t.Fatalf("install_role: %+v", got)
	}
}

func TestInstallRoleInvalidWait(t *testing.T) {
	s := newTestSim(t, Scenario{Hosts: []HostState{bareHost("SRV1", "")}})
	h := s.Host("SRV1")
	for _, wait := range []int{-1, 3601} {
		err := runOp(t, h, testAdmin, "install_role", rds.RoleInput{WaitSeconds: wait}, nil)
		if err == nil || err.Kind != "invalid_input" {
			t.Fatalf("wait %d: %v, want invalid_input", wait, err)
		}
		want := "cannot install RD Licensing on SRV1: wait_seconds must be between 0 and 3600, not "
		if !strings.HasPrefix(err.Message, want) {
			t.Errorf("message %q", err.Message)
		}
	}
	if featureOf(h, FeatureLicensing) != StateAvailable {
		t.Fatalf("invalid input installed the role")
	}
}

func TestUninstallRole(t *testing.T) {
	st := NewLicenseServerHost("LS01", "2022", "")
	st.LicenseServer.ProductID = productID(st.Name)
	st.LicenseServer.Activated = true
	st.LicenseServer.LicenseServerID = LicenseServerIDFor(st.LicenseServer.ProductID)
	s := newTestSim(t, Scenario{Hosts: []HostState{st}})
	h := s.Host("LS01")
	var got rds.RoleChange
	if err := runOp(t, h, testAdmin, "uninstall_role", rds.RoleInput{}, &got); err != nil {
		t.Fatalf("uninstall_role: %v", err)
	}
	if !got.Changed || got.RestartNeeded || got.ExitCode != "Success" {
		t.Fatalf("uninstall_role: %+v", got)
	}
	want := map[string]string{"RDS-Licensing": "Available", "RDS-Licensing-UI": "Installed", "RSAT-RDS-Licensing-Diagnosis-UI": "Installed"}
	if fs := featureStates(got.State); !reflect.DeepEqual(fs, want) {
		t.Fatalf("features %v, want %v", fs, want)
	}
	if got.State.ServiceStatus != "" || got.State.ServiceStartType != "" || got.State.WMIReady {
		t.Fatalf("state: %+v", got.State)
	}
	after := h.State()
	if _, ok := after.Services[ServiceLicensing]; ok {
		t.Fatalf("TermServLicensing still registered")
	}
	// The database stays: activation and key packs survive.
	if !after.LicenseServer.Activated || len(after.LicenseServer.KeyPacks) != 1 {
		t.Fatalf("license server database lost: %+v", after.LicenseServer)
	}
	err := runOp(t, h, testAdmin, "get_license_server", rds.NoInput{}, nil)
	if err == nil || err.Kind != "role_missing" || err.Code != WBEMInvalidClass {
		t.Fatalf("get_license_server after uninstall: %v", err)
	}

	// With the tools, then again: NoChangeNeeded.
	if err := runOp(t, h, testAdmin, "uninstall_role", rds.RoleInput{IncludeManagementTools: true}, &got); err != nil {
		t.Fatalf("uninstall_role tools: %v", err)
	}
	if !got.Changed || got.ExitCode != "Success" {
		t.Fatalf("uninstall tools: %+v", got)
	}
	if err := runOp(t, h, testAdmin, "uninstall_role", rds.RoleInput{IncludeManagementTools: true}, &got); err != nil {
		t.Fatalf("uninstall_role again: %v", err)
	}
	if got.Changed || got.RestartNeeded || got.ExitCode != "NoChangeNeeded" {
		t.Fatalf("second uninstall: %+v", got)
	}
	for name, state := range featureStates(got.State) {
		if state != "Available" {
			t.Errorf("%s: %s", name, state)
		}
	}

	// A reinstall finds the old database.
	if err := runOp(t, h, testAdmin, "install_role", rds.RoleInput{}, &got); err != nil {
		t.Fatalf("reinstall: %v", err)
	}
	var ls rds.LicenseServer
	if err := runOp(t, h, testAdmin, "get_license_server", rds.NoInput{}, &ls); err != nil {
		t.Fatalf("get_license_server: %v", err)
	}
	if ls.ActivationStatus != 0 || ls.LicenseServerID != st.LicenseServer.LicenseServerID {
		t.Fatalf("activation after reinstall: %+v", ls)
	}
	if n := len(h.State().LicenseServer.KeyPacks); n != 1 {
		t.Fatalf("%d key packs after reinstall, want the one built-in pack", n)
	}
}

func TestUninstallRoleNeedingRestart(t *testing.T) {
	st := NewLicenseServerHost("LS01", "2022", "")
	st.Quirks = DefaultQuirks
	st.Quirks.LicensingRoleNeedsRestart = true
	s := newTestSim(t, Scenario{Hosts: []HostState{st}})
	h := s.Host("LS01")
	var got rds.RoleChange
	if err := runOp(t, h, testAdmin, "uninstall_role", rds.RoleInput{}, &got); err != nil {
		t.Fatalf("uninstall_role: %v", err)
	}
	if !got.Changed || !got.RestartNeeded || got.ExitCode != "SuccessRestartRequired" {
		t.Fatalf("uninstall_role: %+v", got)
	}
	if fs := featureStates(got.State); fs["RDS-Licensing"] != "UninstallPending" || !got.State.RestartPending || got.State.WMIReady {
		t.Fatalf("state: %+v", got.State)
	}
	h.Update(func(st *HostState) { applyRestart(st, time.Now()) })
	after := h.State()
	if after.FeatureState(FeatureLicensing) != StateAvailable {
		t.Fatalf("after restart: %s", after.FeatureState(FeatureLicensing))
	}
	if _, ok := after.Services[ServiceLicensing]; ok {
		t.Fatalf("TermServLicensing survived the restart that removed the role")
	}
}

func TestRestartComputer(t *testing.T) {
	s := newTestSim(t, Scenario{Hosts: []HostState{bareHost("SRV1", "")}})
	h := s.Host("SRV1")
	for _, c := range []struct {
		in   int
		want time.Duration
	}{{0, 5 * time.Second}, {-3, 5 * time.Second}, {5, 5 * time.Second}, {120, 120 * time.Second}} {
		raw, _ := json.Marshal(rds.RestartInput{DelaySeconds: c.in})
		res, oerr, x := h.runOperation(testAdmin, "restart_computer", raw)
		if oerr != nil {
			t.Fatalf("delay %d: %v", c.in, oerr)
		}
		if res != (rds.Empty{}) {
			t.Fatalf("delay %d: result %#v", c.in, res)
		}
		if x.reboot == nil || *x.reboot != c.want {
			t.Fatalf("delay %d: reboot %v, want %v", c.in, x.reboot, c.want)
		}
	}
	raw, _ := json.Marshal(rds.RestartInput{DelaySeconds: 315360001})
	_, oerr, x := h.runOperation(testAdmin, "restart_computer", raw)
	if oerr == nil || oerr.Kind != "invalid_input" ||
		oerr.Message != "cannot restart SRV1: delay_seconds must be at most 315360000 (the shutdown.exe limit), not 315360001" {
		t.Fatalf("too long a delay: %v", oerr)
	}
	if x.reboot != nil {
		t.Fatalf("a refused restart was scheduled")
	}
}

func TestApplyRestart(t *testing.T) {
	st := bareHost("SRV1", "")
	st.Features = map[string]string{
		FeatureLicensing:   StateInstallPending,
		FeatureSessionHost: StateInstallPending,
		FeatureLicensingUI: StateUninstallPending,
	}
	st.Services = map[string]Service{
		"Spooler":               {Status: "Stopped", StartType: "Automatic"},
		"W32Time":               {Status: "Stopped", StartType: "Manual"},
		ServiceTerminalServices: {Status: "Stopped", StartType: "Manual"},
	}
	st.SessionHost.TermServiceRestarts = 2
	now := time.Date(2026, 2, 1, 9, 30, 0, 0, time.UTC)
	applyRestart(&st, now)

	wantFeatures := map[string]string{
		FeatureLicensing:   StateInstalled,
		FeatureSessionHost: StateInstalled,
		FeatureLicensingUI: StateAvailable,
	}
	if !reflect.DeepEqual(st.Features, wantFeatures) {
		t.Errorf("features %v, want %v", st.Features, wantFeatures)
	}
	wantServices := map[string]Service{
		"Spooler":               {Status: "Running", StartType: "Automatic"},
		"W32Time":               {Status: "Stopped", StartType: "Manual"},
		ServiceTerminalServices: {Status: "Running", StartType: "Manual"},
		ServiceLicensing:        {Status: "Running", StartType: "Automatic"},
	}
	if !reflect.DeepEqual(st.Services, wantServices) {
		t.Errorf("services %v, want %v", st.Services, wantServices)
	}
	if !st.BootTime.Equal(now) || st.SessionHost.TermServiceRestarts != 3 {
		t.Errorf("boot time %v, TermService restarts %d", st.BootTime, st.SessionHost.TermServiceRestarts)
	}
	if len(st.LicenseServer.KeyPacks) != 1 || st.LicenseServer.KeyPacks[0].ProductType != 3 {
		t.Errorf("key packs %+v", st.LicenseServer.KeyPacks)
	}
	if g := st.SessionHost.GracePeriodEnds; g == nil || !g.Equal(now.Add(120*24*time.Hour)) {
		t.Errorf("grace period ends %v", g)
	}

	// A second restart changes only the boot time and the counter.
	later := now.Add(time.Hour)
	applyRestart(&st, later)
	if len(st.LicenseServer.KeyPacks) != 1 || !st.SessionHost.GracePeriodEnds.Equal(now.Add(120*24*time.Hour)) ||
		st.SessionHost.TermServiceRestarts != 4 || !st.BootTime.Equal(later) {
		t.Errorf("second restart: %+v", st)
	}

	// Odd state must not panic; without TermService nothing restarts it.
	var empty HostState
	applyRestart(&empty, now)
	if empty.SessionHost.TermServiceRestarts != 0 {
		t.Errorf("TermService restarts %d on a host without it", empty.SessionHost.TermServiceRestarts)
	}
}

// featureOf is a host's feature state as Get-WindowsFeature shows it.
func featureOf(h *Host, name string) string {
	st := h.State()
	return st.FeatureState(name)
}

func TestUninstallRoleToolsOnly(t *testing.T) {
	s := newTestSim(t, Scenario{Hosts: []HostState{NewLicenseServerHost("LS01", "2022", "")}})
	h := s.Host("LS01")
	var got rds.RoleChange
	if err := runOp(t, h, testAdmin, "uninstall_role", rds.RoleInput{ToolsOnly: true}, &got); err != nil {
		t.Fatalf("uninstall_role: %v", err)
	}
	want := map[string]string{"RDS-Licensing": "Installed", "RDS-Licensing-UI": "Available", "RSAT-RDS-Licensing-Diagnosis-UI": "Available"}
	if fs := featureStates(got.State); !reflect.DeepEqual(fs, want) || !got.Changed || !got.State.WMIReady {
		t.Fatalf("features %v (want %v), %+v", fs, want, got)
	}
}
