// Package diagnosis says what RD Licensing Diagnoser would say of a
// session host and its license servers, as findings. Each remedy names the
// attribute or resource that fixes it.
package diagnosis

import (
	"fmt"
	"sort"
	"strings"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/keypacks"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/servernames"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/sessionhosts"
)

// Finding severities.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
	SeverityInfo    = "info"
)

// Finding is one thing the diagnosis found.
type Finding struct {
	Severity      string
	Code          string
	Summary       string
	Remedy        string
	LicenseServer string
}

// Server is a license server in effect on the session host.
type Server struct {
	Name string
	// Connectivity is GetTStoLSConnectivityStatus; -1 when not known.
	Connectivity int
	// BadName says what is wrong with a name no server can have.
	BadName string
	// Inspected is set when the provider could read the server over WinRM;
	// Skipped when it was asked not to.
	Inspected    bool
	Skipped      bool
	InspectError string
	Server       rds.LicenseServer
	KeyPacks     []rds.KeyPack
}

// Input is everything the diagnosis looks at.
type Input struct {
	Host             string
	SessionHost      rds.SessionHost
	Servers          []Server
	MinAvailableCALs int64
	GraceWarningDays int64
}

// Diagnose returns the findings, errors first: the session host's
// settings, its license server list, each license server, the CALs they
// hold, and the grace period when licensing does not work.
func Diagnose(in Input) []Finding {
	var d diagnosis
	sh, host := in.SessionHost, in.Host
	if !sh.RDSHInstalled {
		d.add(SeverityInfo, "rdsh_not_installed", "",
			fmt.Sprintf("%s is not an RD Session Host (RDS-RD-Server is not installed): it allows two administrative sessions without CALs, and licensing settings have no effect.", host),
			"Install the RD Session Host role service on this host if users should connect to it; otherwise there is nothing to license.")
		return sortFindings(d.out)
	}
	configured := sh.LicensingType == 2 || sh.LicensingType == 4
	d.settings(host, sh)
	discovery := d.serverList(host, sh)
	t := d.servers(host, sh, in.Servers)
	// CALs are judged only when every usable server could be read, and one
	// is activated (license_server_not_activated says the rest).
	if t.healthy > t.unactivated && t.uninspected == 0 && configured {
		d.out = append(d.out, calFindings(host, sh.LicensingType, sh.OSVersion, t.packs, in.MinAvailableCALs)...)
	}
	if working := (t.healthy > 0 || t.temporaryOnly > 0) && configured; !working {
		d.gracePeriod(host, sh.GracePeriodDays, discovery && configured, in.GraceWarningDays)
	}
	return sortFindings(d.out)
}

// diagnosis collects findings.
type diagnosis struct {
	out []Finding
}

// add records a finding. (Its text is not named summary: findings are
// data, not the diagnostics whose summaries docs_test.go collects.)
func (d *diagnosis) add(severity, code, server, text, remedy string) {
	d.out = append(d.out, Finding{Severity: severity, Code: code, Summary: text, Remedy: remedy, LicenseServer: server})
}

// settings: the licensing mode, and Group Policy overriding the server's
// own settings.
func (d *diagnosis) settings(host string, sh rds.SessionHost) {
	mode := sh.LicensingType
	if mode != 2 && mode != 4 {
		d.add(SeverityError, "licensing_mode_not_configured", "",
			fmt.Sprintf("The Remote Desktop licensing mode of %s is not configured (%s): when the grace period ends, users cannot connect (\"no Remote Desktop client access licenses available\").", host, sessionhosts.LicensingModeName(mode)),
			`Set licensing_mode ("per_user" or "per_device") in rdslicensing_session_host_policy for this host.`)
	}
	if mode == 4 && !sh.PartOfDomain {
		d.add(SeverityWarning, "per_user_in_workgroup", "",
			fmt.Sprintf("%s uses per-user licensing in a workgroup: per-user CALs need Active Directory to be tracked and reported, and Microsoft requires per-device CALs for workgroup session hosts.", host),
			`Set licensing_mode = "per_device" in rdslicensing_session_host_policy (with per-device CALs), or join the session host and license server to a domain.`)
	}
	if sh.PolicyLicensingMode != nil && sh.ConfigLicensingMode != nil && *sh.ConfigLicensingMode != 5 && *sh.PolicyLicensingMode != *sh.ConfigLicensingMode {
		d.add(SeverityWarning, "group_policy_overrides_mode", "",
			fmt.Sprintf("Group Policy sets the licensing mode of %s to %s, overriding the server's own setting %s (what method = \"wmi\" sets).", host, sessionhosts.LicensingModeName(*sh.PolicyLicensingMode), sessionhosts.LicensingModeName(*sh.ConfigLicensingMode)),
			`Change the Group Policy "Set the Remote Desktop licensing mode", or manage the setting with method = "group_policy" in rdslicensing_session_host_policy.`)
	}
	if sh.PolicyLicenseServers != nil && len(sh.ConfigLicenseServers) > 0 && !servernames.SameLists(sessionhosts.SplitServerList(*sh.PolicyLicenseServers), sh.ConfigLicenseServers) {
		d.add(SeverityWarning, "group_policy_overrides_license_servers", "",
			fmt.Sprintf("Group Policy sets the license servers of %s to %s, overriding the server's own list %s (what method = \"wmi\" sets).", host, *sh.PolicyLicenseServers, strings.Join(sh.ConfigLicenseServers, ",")),
			`Change the Group Policy "Use the specified Remote Desktop license servers", or manage the setting with method = "group_policy" in rdslicensing_session_host_policy.`)
	}
}

// serverList: with no license server specified, a domain member falls
// back to automatic discovery, whose result the provider cannot see: a
// warning there, an error in a workgroup, where nothing is found. It
// reports whether the host relies on discovery.
func (d *diagnosis) serverList(host string, sh rds.SessionHost) bool {
	discovery := len(sh.SpecifiedLicenseServers) == 0 && sh.PartOfDomain
	switch {
	case discovery:
		d.add(SeverityWarning, "no_license_server", "",
			fmt.Sprintf("No license server is specified on %s: it relies on automatic discovery, which finds only license servers published in Active Directory or running on a domain controller, and the provider cannot check what it finds.", host),
			"Set license_servers in rdslicensing_session_host_policy for this host.")
	case len(sh.SpecifiedLicenseServers) == 0:
		d.add(SeverityError, "no_license_server", "",
			fmt.Sprintf("No license server is specified on %s, and a workgroup server cannot discover one: when the grace period ends, users cannot connect.", host),
			"Set license_servers in rdslicensing_session_host_policy for this host.")
	}
	return discovery
}

// serverTally counts the license servers by what the diagnosis found.
type serverTally struct {
	healthy, uninspected, unactivated int
	// temporaryOnly counts license servers that are not activated, per
	// device: they issue temporary CALs, so users connect until those
	// expire, and the grace period findings would contradict that.
	temporaryOnly int
	packs         []rds.KeyPack // of the healthy, inspected servers
}

// servers: each license server in effect. Per-user CALs are not
// enforced: a license server issues them from an overused pool, even
// unactivated, so their shortage is a compliance warning. Per-device CALs
// are enforced.
func (d *diagnosis) servers(host string, sh rds.SessionHost, servers []Server) serverTally {
	perUser := sh.LicensingType == 4
	var t serverTally
	for _, s := range servers {
		switch {
		case s.BadName != "":
			d.add(SeverityError, "license_server_invalid", s.Name,
				fmt.Sprintf("The license servers of %s include %q, which %s: Windows finds no server of that name.", host, s.Name, s.BadName),
				"Correct license_servers in rdslicensing_session_host_policy (or the Group Policy \"Use the specified Remote Desktop license servers\"): one name per list element.")
		case s.Connectivity >= 0 && !sessionhosts.ConnectivityHealthy(s.Connectivity):
			code, remedy := connectivityFinding(s.Connectivity, s.Name, sh.OSVersion)
			d.add(SeverityError, code, s.Name,
				fmt.Sprintf("%s cannot use license server %s: Windows reports %s.", host, s.Name, sessionhosts.ConnectivityName(s.Connectivity)), remedy)
		case s.Skipped:
			t.healthy++
			t.uninspected++
		case !s.Inspected:
			t.uninspected++
			d.add(SeverityWarning, "license_server_not_inspected", s.Name,
				fmt.Sprintf("The provider could not read license server %s over WinRM, so its activation and CALs were not checked: %s", s.Name, s.InspectError),
				fmt.Sprintf("Give the provider WinRM access to %s with the same credentials (or check it in RD Licensing Manager); set inspect_license_servers = false to skip this check.", s.Name))
		case s.Server.ActivationStatus != 0 && perUser:
			t.healthy++
			t.unactivated++
			d.add(SeverityWarning, "license_server_not_activated", s.Name,
				fmt.Sprintf("License server %s is not activated: users still connect, since per-user CALs are not enforced, but it cannot hold installed CALs, so the deployment is out of compliance.", s.Name),
				fmt.Sprintf("Activate %s with rdslicensing_server_activation, and install per-user CALs.", s.Name))
		case s.Server.ActivationStatus != 0:
			t.temporaryOnly++
			d.add(SeverityError, "license_server_not_activated", s.Name, temporaryCALsSummary(host, s.Name, sh.GracePeriodDays),
				fmt.Sprintf("Activate %s with rdslicensing_server_activation, and install per-device CALs, before the temporary CALs expire.", s.Name))
		default:
			t.healthy++
			t.packs = append(t.packs, s.KeyPacks...)
		}
	}
	return t
}

// gracePeriod: where the grace period stands when licensing does not
// work; a warning rather than an error when discovery may have found a
// server.
func (d *diagnosis) gracePeriod(host string, days *int, discovery bool, warnDays int64) {
	if days == nil {
		return
	}
	over := SeverityError
	if discovery {
		over = SeverityWarning
	}
	switch {
	case *days == 0:
		d.add(over, "grace_period_over", "",
			fmt.Sprintf("The licensing grace period of %s is over and licensing does not work: users cannot connect.", host),
			"Fix the findings above: configure licensing_mode and license_servers with rdslicensing_session_host_policy, pointing at an activated license server with CALs.")
	case int64(*days) <= warnDays:
		d.add(SeverityWarning, "grace_period_ending", "",
			fmt.Sprintf("The licensing grace period of %s ends in %d days and licensing does not work yet.", host, *days),
			"Fix the findings above before then: configure licensing_mode and license_servers with rdslicensing_session_host_policy, pointing at an activated license server with CALs.")
	}
}

// temporaryCALsSummary is what Windows does behind a per-device license
// server that is not activated (value:TemporaryCAL.PerDevice): it issues a
// temporary CAL at a device's first sign-in, valid 90 days, and only an
// activated server makes it permanent. Users connect until theirs expire.
func temporaryCALsSummary(host, server string, graceDays *int) string {
	s := fmt.Sprintf("License server %s is not activated: it issues only temporary per-device CALs. Each device gets one at its first sign-in, valid 90 days, "+
		"and is refused when it expires, since only an activated license server replaces it with a permanent CAL.", server)
	switch {
	case graceDays == nil:
	case *graceDays == 0:
		s += fmt.Sprintf(" The licensing grace period of %s is over: its users connect on temporary CALs now.", host)
	default:
		s += fmt.Sprintf(" %s needs no CAL until its licensing grace period ends (in %d days); then its users connect on temporary CALs.", host, *graceDays)
	}
	return s
}

// connectivityFinding names an unhealthy connectivity status and its remedy.
func connectivityFinding(status int, server, osVersion string) (code, remedy string) {
	switch status {
	case 4:
		return "license_server_older", fmt.Sprintf("A license server must run the session host's Windows Server release (%s) or a newer one: point license_servers at such a server, or upgrade %s.", osVersion, server)
	case 5:
		return "license_server_security_group", fmt.Sprintf("%s only serves session hosts in its local group RDS Endpoint Servers (policy \"License server security group\"): add this session host to its members (rdslicensing_license_server_security_group), or disable the policy.", server)
	case 8:
		return "license_server_access_denied", fmt.Sprintf("%s refused the session host: put both in the same domain (or trusted domains), or both in workgroups, and check license_servers.", server)
	case 6:
		return "license_server_unreachable", fmt.Sprintf("Check that %s is up, has the RD Licensing role service (rdslicensing_role) with the Remote Desktop Licensing service running, that the session host reaches it (TCP 135 and the RPC dynamic ports), and the name in license_servers.", server)
	}
	return "license_server_invalid", fmt.Sprintf("Check %s with RD Licensing Diagnoser, and the name in license_servers.", server)
}

// calFindings checks the CALs of the working license servers against the
// session host's mode and release.
func calFindings(host string, mode int, osVersion string, packs []rds.KeyPack, minAvailable int64) []Finding {
	wantType := 0
	if mode == 4 {
		wantType = 1
	}
	typeName := keypacks.CALTypeName(wantType)
	osID := keypacks.ProductVersion(osVersion)
	var ofType, otherType, suitable bool
	var available, newestOfType int64
	for _, kp := range packs {
		if kp.BuiltIn {
			continue
		}
		if kp.ProductType != wantType {
			otherType = true
			continue
		}
		ofType = true
		if int64(kp.ProductVersionID) > newestOfType {
			newestOfType = int64(kp.ProductVersionID)
		}
		if osID == 0 || kp.ProductVersionID >= osID {
			suitable = true
			available += kp.AvailableLicenses
		}
	}
	// Per-user CALs are not enforced: users connect anyway, out of
	// compliance.
	short, compliance := SeverityError, ""
	if mode == 4 {
		short, compliance = SeverityWarning, " Per-user CALs are not enforced, so users still connect, but the deployment is out of compliance."
	}
	var out []Finding
	switch {
	case !ofType && otherType:
		out = append(out, Finding{Severity: short, Code: "cal_type_mismatch",
			Summary: fmt.Sprintf("%s uses %s licensing, but its license servers hold only %s CALs.", host, strings.ReplaceAll(typeName, "_", "-"), strings.ReplaceAll(keypacks.CALTypeName(1-wantType), "_", "-")) + compliance,
			Remedy:  fmt.Sprintf("Install %s CALs (rdslicensing_key_pack with cal_type = %q), or set licensing_mode = %q in rdslicensing_session_host_policy.", typeName, typeName, keypacks.CALTypeName(1-wantType))})
	case !ofType:
		out = append(out, Finding{Severity: short, Code: "no_cals",
			Summary: fmt.Sprintf("The license servers of %s hold no %s CALs.", host, typeName) + compliance,
			Remedy:  fmt.Sprintf("Install %s CALs of Windows Server %s or newer with rdslicensing_key_pack.", typeName, osVersion)})
	case !suitable:
		out = append(out, Finding{Severity: short, Code: "cal_version_too_old",
			Summary: fmt.Sprintf("%s runs Windows Server %s, but its license servers hold only Windows Server %s %s CALs: a CAL works for session hosts of its release or older.", host, osVersion, keypacks.ReleaseName(int(newestOfType)), typeName) + compliance,
			Remedy:  fmt.Sprintf("Install Windows Server %s (or newer) %s CALs with rdslicensing_key_pack (product_version = %q) on a license server of that release or newer.", osVersion, typeName, osVersion)})
	case available == 0:
		out = append(out, Finding{Severity: short, Code: "no_cals_available",
			Summary: fmt.Sprintf("Every %s CAL of Windows Server %s or newer on the license servers of %s is issued.", typeName, osVersion, host) + compliance,
			Remedy:  "Add CALs: raise quantity, or add an rdslicensing_key_pack."})
	case available < minAvailable:
		out = append(out, Finding{Severity: SeverityWarning, Code: "few_cals_available",
			Summary: fmt.Sprintf("Only %d %s CALs of Windows Server %s or newer are left on the license servers of %s (fewer than min_available_cals = %d).", available, typeName, osVersion, host, minAvailable),
			Remedy:  "Add CALs: raise quantity, or add an rdslicensing_key_pack."})
	}
	return out
}

func sortFindings(f []Finding) []Finding {
	rank := map[string]int{SeverityError: 0, SeverityWarning: 1, SeverityInfo: 2}
	sort.SliceStable(f, func(i, j int) bool { return rank[f[i].Severity] < rank[f[j].Severity] })
	return f
}

// Healthy: no finding is an error.
func Healthy(f []Finding) bool {
	for _, x := range f {
		if x.Severity == SeverityError {
			return false
		}
	}
	return true
}
