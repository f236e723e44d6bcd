package winsim

import (
	"fmt"
	"strings"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

// get_role, install_role, uninstall_role and restart_computer, mirroring
// their scripts, on top of a model of Install/Uninstall-WindowsFeature and
// of what a restart does.

func init() {
	register(rds.GetRole, func(x *opContext, _ rds.NoInput) (rds.RoleState, error) {
		return roleState(x.Host), nil
	})
	register(rds.InstallRole, installRole)
	register(rds.UninstallRole, uninstallRole)
	registerSteps(rds.InstallRole.Name, stepAfterFeatures)
	registerSteps(rds.UninstallRole.Name, stepAfterFeatures)
	register(rds.RestartComputer, restartComputer)
}

// licensingFeatures are the features get_role reports, in its order, with
// their Get-WindowsFeature display names.
var licensingFeatures = []struct{ name, display string }{
	{FeatureLicensing, "Remote Desktop Licensing"},
	{FeatureLicensingUI, "Remote Desktop Licensing Tools"},
	{FeatureLicensingDiag, "RD Licensing Diagnoser Tools"},
}

// licensingFeatureNames mirrors Get-RdslLicensingFeatureNames.
func licensingFeatureNames(tools, toolsOnly bool) []string {
	if toolsOnly {
		return []string{FeatureLicensingUI, FeatureLicensingDiag}
	}
	if tools {
		return []string{FeatureLicensing, FeatureLicensingUI, FeatureLicensingDiag}
	}
	return []string{FeatureLicensing}
}

// licensingWMIPresent mirrors Test-RdslLicensingWmi: the provider's MOF is
// registered once RDS-Licensing is installed (not while it is pending).
func licensingWMIPresent(st *HostState) bool { return st.FeatureInstalled(FeatureLicensing) }

// roleState mirrors Get-RdslRoleState.
func roleState(st *HostState) rds.RoleState {
	features := make([]rds.Feature, 0, len(licensingFeatures))
	for _, f := range licensingFeatures {
		features = append(features, rds.Feature{Name: f.name, DisplayName: f.display, InstallState: st.FeatureState(f.name)})
	}
	svc := st.Services[ServiceLicensing] // zero value ('' and '') when absent, as Get-RdslServiceState
	return rds.RoleState{
		Features:         features,
		ServiceStatus:    svc.Status,
		ServiceStartType: svc.StartType,
		WMIReady:         licensingWMIPresent(st),
		RestartPending:   st.RebootPending(),
		OSVersion:        osVersionName(st),
		BootTime:         formatDate(st.BootTime),
	}
}

// --- Windows: Install-WindowsFeature and Uninstall-WindowsFeature ---------

// featureOperation is the result of Install/Uninstall-WindowsFeature, with
// the error records the cmdlet writes next to it.
type featureOperation struct {
	Success       bool
	RestartNeeded string // No, Yes, Maybe
	ExitCode      string // Success, NoChangeNeeded, SuccessRestartRequired, Failed
	Errors        []string
}

// errSourceFilesNotFound is Install-WindowsFeature's error (0x800F081F) for
// a feature whose payload was removed (state Removed).
const errSourceFilesNotFound = "The request to add or remove features on the specified server failed. " +
	"Installation of one or more roles, role services, or features failed. The source files could not be found. " +
	"Use the \"Source\" option to specify the location of the files that are required to install the feature. " +
	"For more information on specifying a source location, see http://go.microsoft.com/fwlink/?LinkId=243077. Error: 0x800f081f"

// setFeatureState moves feature n, which Install/Uninstall-WindowsFeature
// changes, to state done; under Quirks.LicensingRoleNeedsRestart,
// RDS-Licensing goes to state pending instead, and it reports the restart
// that needs.
func setFeatureState(st *HostState, n, done, pending string) (restart bool) {
	if n == FeatureLicensing && st.Quirks.LicensingRoleNeedsRestart {
		st.Features[n] = pending
		return true
	}
	st.Features[n] = done
	return false
}

func ensureFeatureMaps(st *HostState) {
	if st.Features == nil {
		st.Features = map[string]string{}
	}
	if st.Services == nil {
		st.Services = map[string]Service{}
	}
}

// installWindowsFeature models Install-WindowsFeature -Name names. All or
// nothing: a Removed feature fails the whole call. RDS-Licensing needs a
// restart only under Quirks.LicensingRoleNeedsRestart; re-adding a feature
// whose removal waits for a restart needs one too (unverified).
func installWindowsFeature(x *opContext, names []string) featureOperation {
	st := x.Host
	ensureFeatureMaps(st)
	for _, n := range names {
		if st.FeatureState(n) == StateRemoved {
			return featureOperation{RestartNeeded: "No", ExitCode: "Failed", Errors: []string{errSourceFilesNotFound}}
		}
	}
	changed, restart := false, false
	for _, n := range names {
		switch st.FeatureState(n) {
		case StateInstalled:
		case StateInstallPending:
			restart = true // NoChangeNeeded, but the pending restart shows (ansible.windows#287)
		case StateUninstallPending:
			st.Features[n] = StateInstallPending
			changed, restart = true, true
		default:
			changed = true
			if setFeatureState(st, n, StateInstalled, StateInstallPending) {
				restart = true
				continue
			}
			switch n {
			case FeatureLicensing:
				// A fresh install registers and starts the service and
				// creates the database with its built-in pack.
				st.Services[ServiceLicensing] = Service{Status: "Running", StartType: "Automatic"}
				licensingServiceStarted(st)
				ensureBuiltInKeyPack(st)
			case FeatureLicensingUI, FeatureLicensingDiag:
				// Adding a tool adds its parent, "Remote Desktop Services Tools".
				if st.FeatureState(FeatureRDSTools) == StateAvailable {
					st.Features[FeatureRDSTools] = StateInstalled
				}
			}
		}
	}
	if changed {
		x.Delay(time.Duration(st.Realism.FeatureInstallMS) * time.Millisecond)
	}
	if changed && !restart && st.Quirks.RestartMaybe {
		return featureOperation{Success: true, RestartNeeded: "Maybe", ExitCode: featureExitCode(changed, restart)}
	}
	return featureOperation{Success: true, RestartNeeded: yesNo(restart), ExitCode: featureExitCode(changed, restart)}
}

// uninstallWindowsFeature models Uninstall-WindowsFeature -Name names.
// Rule for restarts: removing RDS-Licensing needs one exactly when
// installing it does (Quirks.LicensingRoleNeedsRestart), and removing a
// feature whose install still waits for a restart needs one; the tools
// never do. The licensing database stays on disk (unverified): activation
// and key packs are untouched and come back with a reinstall.
func uninstallWindowsFeature(x *opContext, names []string) featureOperation {
	st := x.Host
	ensureFeatureMaps(st)
	changed, restart := false, false
	for _, n := range names {
		switch st.FeatureState(n) {
		case StateInstalled:
			changed = true
			if setFeatureState(st, n, StateAvailable, StateUninstallPending) {
				restart = true
				continue
			}
			if n == FeatureLicensing {
				delete(st.Services, ServiceLicensing)
			}
		case StateInstallPending:
			st.Features[n] = StateUninstallPending
			changed, restart = true, true
		case StateUninstallPending:
			restart = true
		}
	}
	if changed {
		x.Delay(time.Duration(st.Realism.FeatureInstallMS) * time.Millisecond)
	}
	return featureOperation{Success: true, RestartNeeded: yesNo(restart), ExitCode: featureExitCode(changed, restart)}
}

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

func featureExitCode(changed, restart bool) string {
	switch {
	case !changed:
		return "NoChangeNeeded"
	case restart:
		return "SuccessRestartRequired"
	default:
		return "Success"
	}
}

// --- the scripts ------------------------------------------------------------

// stepAfterFeatures: Install- or Uninstall-WindowsFeature returned; the
// script has not configured the service or answered.
const stepAfterFeatures = "after_features"

const maxInstallWaitSeconds = 3600

// installRole mirrors scripts/install_role.ps1.
func installRole(x *opContext, in rds.RoleInput) (rds.RoleChange, error) {
	st := x.Host
	if in.WaitSeconds < 0 || in.WaitSeconds > maxInstallWaitSeconds {
		return rds.RoleChange{}, fail("invalid_input", "cannot install RD Licensing on %s: wait_seconds must be between 0 and 3600, not %d", st.Name, in.WaitSeconds)
	}
	names := licensingFeatureNames(in.IncludeManagementTools, false)
	r := installWindowsFeature(x, names)
	if err := x.step(stepAfterFeatures); err != nil {
		return rds.RoleChange{}, err
	}
	if !r.Success {
		text := featureFailureText(r)
		var removed []string
		for _, n := range names {
			if st.FeatureState(n) == StateRemoved {
				removed = append(removed, n)
			}
		}
		if len(removed) > 0 {
			text += fmt.Sprintf("; in state Removed (their installation files are not on this server, as on Server Core or after Uninstall-WindowsFeature -Remove): %s; restore the files (Install-WindowsFeature -Source) or leave the management tools out (include_management_tools = false)", strings.Join(removed, ", "))
		}
		return rds.RoleChange{}, fail("script_error", "Install-WindowsFeature could not install %s on %s (exit code %s): %s", strings.Join(names, ", "), st.Name, r.ExitCode, text)
	}
	changed := r.ExitCode != "NoChangeNeeded"
	restart := r.RestartNeeded != "No"
	if !restart {
		// Set-Service -StartupType Automatic and Start-Service, where needed.
		if svc, ok := st.Services[ServiceLicensing]; ok {
			if svc.StartType != "Automatic" {
				svc.StartType = "Automatic"
				changed = true
			}
			if svc.Status != "Running" {
				svc.Status = "Running"
				changed = true
				licensingServiceStarted(st)
			}
			st.Services[ServiceLicensing] = svc
		}
		if !licensingWMIPresent(st) {
			x.Delay(time.Duration(in.WaitSeconds) * time.Second)
			return rds.RoleChange{}, fail("reboot_pending", "the RD Licensing role service (RDS-Licensing) was installed on %s but its WMI provider (Win32_TSLicenseServer) did not appear within %d seconds; restart the server (restart = true)", st.Name, in.WaitSeconds)
		}
	}
	return rds.RoleChange{State: roleState(st), Changed: changed, RestartNeeded: restart, ExitCode: r.ExitCode}, nil
}

// uninstallRole mirrors scripts/uninstall_role.ps1.
func uninstallRole(x *opContext, in rds.RoleInput) (rds.RoleChange, error) {
	st := x.Host
	names := licensingFeatureNames(in.IncludeManagementTools, in.ToolsOnly)
	r := uninstallWindowsFeature(x, names)
	if err := x.step(stepAfterFeatures); err != nil {
		return rds.RoleChange{}, err
	}
	if !r.Success {
		return rds.RoleChange{}, fail("script_error", "Uninstall-WindowsFeature could not remove %s from %s (exit code %s): %s", strings.Join(names, ", "), st.Name, r.ExitCode, featureFailureText(r))
	}
	return rds.RoleChange{
		State:         roleState(st),
		Changed:       r.ExitCode != "NoChangeNeeded",
		RestartNeeded: r.RestartNeeded != "No",
		ExitCode:      r.ExitCode,
	}, nil
}

// featureFailureText mirrors Get-RdslFeatureFailure (winsim's failures
// carry no per-feature messages, only error records).
func featureFailureText(r featureOperation) string {
	if len(r.Errors) == 0 {
		return "Windows gave no details"
	}
	return strings.Join(r.Errors, "; ")
}

// maxShutdownDelay is the largest /t shutdown.exe takes (ten years).
const maxShutdownDelay = 315360000

// restartComputer mirrors scripts/restart_computer.ps1: shutdown.exe /r /t
// with at least 5 seconds, so the answer leaves before the host goes down.
func restartComputer(x *opContext, in rds.RestartInput) (rds.Empty, error) {
	delay := int64(in.DelaySeconds)
	if delay > maxShutdownDelay {
		return rds.Empty{}, fail("invalid_input", "cannot restart %s: delay_seconds must be at most 315360000 (the shutdown.exe limit), not %d", x.Host.Name, delay)
	}
	if delay < 5 {
		delay = 5
	}
	x.Reboot(time.Duration(delay) * time.Second)
	x.Note("shutdown.exe /r /t %d /d p:4:1", delay)
	return rds.Empty{}, nil
}

// applyRestart is what a restart does to a host: pending feature changes
// complete, automatic services start, and the licensing database (with its
// built-in pack) exists wherever RDS-Licensing is installed. TermService is
// Manual (trigger-started) but runs after boot on a session host, the only
// hosts winsim gives it: unless disabled it starts, and counts a restart.
// The runtime calls it when a simulated reboot ends.
func applyRestart(st *HostState, now time.Time) {
	ensureFeatureMaps(st)
	licensingRemoved := false
	for name, s := range st.Features {
		switch s {
		case StateInstallPending:
			st.Features[name] = StateInstalled
		case StateUninstallPending:
			st.Features[name] = StateAvailable
			licensingRemoved = licensingRemoved || name == FeatureLicensing
		}
	}
	if licensingRemoved {
		delete(st.Services, ServiceLicensing)
	}
	if st.FeatureInstalled(FeatureLicensing) {
		if _, ok := st.Services[ServiceLicensing]; !ok {
			st.Services[ServiceLicensing] = Service{Status: "Stopped", StartType: "Automatic"}
		}
		ensureBuiltInKeyPack(st)
	}
	// The RD Session Host grace period starts when the role is in place
	// (when exactly is a DOC-CONFLICT; install completion is the guess).
	if st.FeatureInstalled(FeatureSessionHost) && st.SessionHost.GracePeriodEnds == nil {
		ends := now.Add(120 * 24 * time.Hour)
		st.SessionHost.GracePeriodEnds = &ends
	}
	for name, svc := range st.Services {
		if svc.StartType == "Automatic" {
			svc.Status = "Running"
			st.Services[name] = svc
		}
	}
	if st.Services[ServiceLicensing].Status == "Running" {
		licensingServiceStarted(st)
	}
	if svc, ok := st.Services[ServiceTerminalServices]; ok && svc.StartType != "Disabled" {
		svc.Status = "Running"
		st.Services[ServiceTerminalServices] = svc
		st.SessionHost.TermServiceRestarts++
	}
	st.BootTime = now
}
