package winsim

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

// The session host operations: get_session_host, set_session_host_licensing
// and clear_session_host_licensing. The first half of this file models what
// Windows does (Win32_TerminalServiceSetting and the registry values behind
// it); the second half mirrors the scripts and their library
// (scripts/lib/sessionhost.ps1) on top of it.

func init() {
	register(rds.GetSessionHost, shGetHandler)
	register(rds.SetSessionHostLicensing, shSetHandler)
	register(rds.ClearSessionHostLicensing, shClearHandler)
	// after_write: the settings are written; TermService not restarted yet.
	registerSteps(rds.SetSessionHostLicensing.Name, stepAfterWrite)
	registerSteps(rds.ClearSessionHostLicensing.Name, stepAfterWrite)
}

// ---- Windows: Win32_TerminalServiceSetting and the registry -------------

// GetTStoLSConnectivityStatus answers (docs/design/windows-facts.md,
// ConnectivityStatus).
const (
	shLSLowerVersion      = 4  // LOWER_VERSION
	shLSNotInTSCGroup     = 5  // NOT_IN_TSCGROUP
	shLSNotConnectable    = 6  // NOT_CONNECTABLE
	shLSAccessDenied      = 8  // CONNECTABLE_BUT_ACCESS_DENIED
	shLSValid             = 11 // VALID_LS
	shModeNotConfigured   = 5
	shPolicyKeyDisplay    = `HKLM\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services`
	shMethodGroupPolicy   = "group_policy"
	shMethodWMI           = "wmi"
	shServerNameMaxLength = 255
)

// shTSSetting is what Win32_TerminalServiceSetting shows of licensing.
type shTSSetting struct {
	TerminalServerMode                   int
	LicensingType                        int
	LicensingName                        string
	PolicySourceLicensingType            int
	PolicySourceConfiguredLicenseServers int
}

// shReadTSSetting derives the WMI view from the registry: a policy value,
// when set, wins over the non-policy one.
func shReadTSSetting(st *HostState) shTSSetting {
	var ts shTSSetting
	// Without the role the host is in Remote Desktop for Administration
	// mode: a real Get-CimInstance dump of such a server shows
	// TerminalServerMode 0 and LicensingType 1 (catalog facts
	// LicensingType.without_rdsh, TerminalServerMode.without_rdsh), whatever
	// the RCM value holds. With the role and nothing
	// configured, 5 is UNVERIFIED (it is what the RCM value holds).
	ts.LicensingType = 1
	if st.FeatureInstalled(FeatureSessionHost) {
		ts.TerminalServerMode = 1 // AppServer; 0 is Remote Desktop for Administration
		ts.LicensingType = st.SessionHost.ConfigLicensingMode
	}
	// That a policy mode shows here without the role is UNVERIFIED.
	if st.SessionHost.PolicyLicensingMode != nil {
		ts.LicensingType = *st.SessionHost.PolicyLicensingMode
		ts.PolicySourceLicensingType = 1
	}
	if st.SessionHost.PolicyLicenseServers != nil {
		ts.PolicySourceConfiguredLicenseServers = 1
	}
	ts.LicensingName = shLicensingName(ts.LicensingType)
	return ts
}

// shLicensingName is LicensingName for a LicensingType. The strings are
// UNVERIFIED: the mode names of the class documentation.
func shLicensingName(mode int) string {
	switch mode {
	case 0:
		return "Personal Terminal Server"
	case 1:
		return "Remote Desktop for Administration"
	case 2:
		return "Per Device"
	case 4:
		return "Per User"
	case 5:
		return "Not configured"
	case 6:
		return "AAD Per User"
	}
	return "Unknown"
}

// shSplitServerList reads the policy LicenseServers REG_SZ the way the
// session host does: comma-separated, trimmed, empty parts dropped.
func shSplitServerList(v string) []string {
	out := []string{}
	for _, part := range strings.Split(v, ",") {
		if name := strings.TrimSpace(part); name != "" {
			out = append(out, name)
		}
	}
	return out
}

// shGetSpecifiedLicenseServerList models the WMI method: the policy list
// when the policy value is set, else the non-policy list.
// Its ReturnValue is always 0 in the model.
func shGetSpecifiedLicenseServerList(st *HostState) []string {
	if st.SessionHost.PolicyLicenseServers != nil {
		return shSplitServerList(*st.SessionHost.PolicyLicenseServers)
	}
	return shStrings(st.SessionHost.ConfigLicenseServers)
}

// shGetGracePeriodDays models GetGracePeriodDays: the whole days left,
// rounded up, never below 0. Without a grace period (no RD Session Host
// role) it throws WBEM_E_FAILED (UNVERIFIED: jagilber's script only says it
// can throw there).
func shGetGracePeriodDays(st *HostState, now time.Time) (int, *cimException) {
	ends := st.SessionHost.GracePeriodEnds
	if ends == nil {
		return 0, &cimException{ErrorCode: WBEMFailed}
	}
	left := ends.Sub(now)
	if left <= 0 {
		return 0, nil
	}
	const day = 24 * time.Hour
	days := int64(left / day)
	if left%day != 0 {
		days++
	}
	return int(days), nil
}

// shResolve finds the license server a name points at, as the session
// host's name resolution would: itself under "localhost" or its own
// names, other hosts through the network.
func (x *opContext) shResolve(name string) (HostState, bool) {
	n := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(name)), ".")
	self := x.Host
	switch n {
	case "":
		return HostState{}, false
	case "localhost", "127.0.0.1", "::1", strings.ToLower(self.Name), self.FQDN(), self.Address:
		return *self, true
	}
	return x.Peer(n)
}

// shOSRank orders Windows Server releases (0 when unknown).
func shOSRank(release string) int {
	n, err := strconv.Atoi(release)
	if err != nil {
		return 0
	}
	return n
}

// shGetTStoLSConnectivityStatus models GetTStoLSConnectivityStatus. An
// activated license server is not needed: activation does not change the
// answer. The access-denied answer for hosts in different domains (or one
// in a domain and one not) is a modelling choice, UNVERIFIED.
func (x *opContext) shGetTStoLSConnectivityStatus(name string) int {
	ls, ok := x.shResolve(name)
	if !ok {
		return shLSNotConnectable // no such host, or down
	}
	if !ls.FeatureInstalled(FeatureLicensing) || ls.Services[ServiceLicensing].Status != "Running" {
		return shLSNotConnectable // nothing answers the licensing RPC
	}
	if shOSRank(ls.OS) < shOSRank(x.Host.OS) {
		return shLSLowerVersion // an older license server cannot serve a newer session host
	}
	if ls.Quirks.ConnectivityStatus != 0 {
		return ls.Quirks.ConnectivityStatus
	}
	if !strings.EqualFold(ls.Domain, x.Host.Domain) {
		return shLSAccessDenied
	}
	if policy, members := ls.LicenseServer.appliedSecurity(); policy && !slices.ContainsFunc(members, func(n string) bool {
		return endpointMemberIs(n, x.Host)
	}) {
		return shLSNotInTSCGroup
	}
	return shLSValid
}

// shChangeMode models ChangeMode: it writes RCM\Licensing Core\LicensingMode.
// While a policy sets the mode it returns Quirks.PolicyWriteCode (0 there
// models a Windows that writes the ignored value anyway).
func shChangeMode(st *HostState, mode int) int64 {
	if st.SessionHost.PolicyLicensingMode != nil && st.Quirks.PolicyWriteCode != 0 {
		return st.Quirks.PolicyWriteCode
	}
	switch mode {
	case 0, 1, 2, 4: // the documented values; 5 is not one
	default:
		return WBEMInvalidParameter
	}
	st.SessionHost.ConfigLicensingMode = mode
	return 0
}

// shSetSpecifiedLicenseServerList models SetSpecifiedLicenseServerList: it
// replaces TermService\Parameters\LicenseServers\SpecifiedLicenseServers,
// names as given, in order.
func shSetSpecifiedLicenseServerList(st *HostState, list []string) int64 {
	if st.SessionHost.PolicyLicenseServers != nil && st.Quirks.PolicyWriteCode != 0 {
		return st.Quirks.PolicyWriteCode
	}
	st.SessionHost.ConfigLicenseServers = shStrings(list)
	return 0
}

// shEmptySpecifiedLicenseServerList models EmptySpecifiedLicenseServerList.
func shEmptySpecifiedLicenseServerList(st *HostState) int64 {
	return shSetSpecifiedLicenseServerList(st, nil)
}

// shRestartTermService is Restart-Service TermService -Force.
func shRestartTermService(st *HostState) {
	ensureFeatureMaps(st)
	svc := st.Services[ServiceTerminalServices]
	svc.Status = "Running"
	st.Services[ServiceTerminalServices] = svc
	st.SessionHost.TermServiceRestarts++
}

// shRestartTermServiceIf mirrors the scripts'
// `if ($restart -and $changed) { Restart-RdslTermService }`.
func (x *opContext) shRestartTermServiceIf(restart, changed bool) {
	if restart && changed {
		shRestartTermService(x.Host)
		x.Note("TermService restarted")
	}
}

// shStrings copies a list, never nil (the scripts' @() arrays are [] in
// JSON, not null).
func shStrings(in []string) []string {
	return append([]string{}, in...)
}

// ---- The scripts ---------------------------------------------------------

// shPolicyKinds is the scripts' fixed code table for the WMI writes:
// WBEM_E_INVALID_OPERATION means a policy controls the setting. Should
// Windows answer with another code (Quirks.PolicyWriteCode), the script
// reports wmi_error.
var shPolicyKinds = map[int64]string{WBEMInvalidOperation: "policy_controlled"}

var shServerNameRE = regexp.MustCompile(`^[A-Za-z0-9._:-]+\z`)

// shValidServerName mirrors Test-RdslServerName.
func shValidServerName(name string) bool {
	return len(name) <= shServerNameMaxLength && shServerNameRE.MatchString(name)
}

// shAssertServerNames mirrors Assert-RdslServerNames.
func shAssertServerNames(st *HostState, names []string, field string) error {
	seen := map[string]bool{}
	for _, name := range names {
		if name == "" {
			return fail("invalid_input", "%s holds an empty license server name; name each license server of %s by host name, FQDN or IP address", field, st.Name)
		}
		if !shValidServerName(name) {
			return fail("invalid_input", "%s: \"%s\" is not a valid license server name for %s: use a host name, FQDN or IP address (letters, digits, '.', '-', '_' and ':' only, at most 255 characters)", field, name, st.Name)
		}
		key := strings.ToLower(name)
		if seen[key] {
			return fail("invalid_input", "%s: license server \"%s\" is listed twice; each server appears once in the list of %s", field, name, st.Name)
		}
		seen[key] = true
	}
	return nil
}

// shAssertMethod mirrors Assert-RdslSessionHostMethod.
func shAssertMethod(st *HostState, method string) error {
	if method != shMethodGroupPolicy && method != shMethodWMI {
		return fail("invalid_input", "method must be \"group_policy\" (local policy values, which win over everything else) or \"wmi\" (Win32_TerminalServiceSetting), not \"%s\"; nothing was changed on %s", method, st.Name)
	}
	return nil
}

// shAssertRole mirrors Assert-RdslSessionHostRole: a role service waiting
// for its post-install restart is accepted for group_policy only (ChangeMode
// 2 and 4 are documented "Valid for application servers").
func shAssertRole(st *HostState, method string) error {
	switch st.FeatureState(FeatureSessionHost) {
	case StateInstalled:
		return nil
	case StateInstallPending:
		if method != shMethodWMI {
			return nil
		}
		return fail("reboot_pending", "the RD Session Host role service (RDS-RD-Server) on %[1]s waits for the restart that completes its installation, and method \"wmi\" (ChangeMode) only works on an RD Session Host: restart %[1]s first, or use method = \"group_policy\"", st.Name)
	case StateUninstallPending:
		return fail("reboot_pending", "the RD Session Host role service (RDS-RD-Server) on %s is being removed and waits for a restart: licensing mode and license servers only matter on a session host", st.Name)
	}
	return fail("role_missing", "the RD Session Host role service (RDS-RD-Server) is not installed on %s: licensing mode and license servers only matter on a session host", st.Name)
}

// shAssertTermService mirrors the scripts' pre-check
// `if ($restart) { Assert-RdslTermService }`.
func shAssertTermService(st *HostState, restart bool) error {
	if !restart {
		return nil
	}
	svc, ok := st.Services[ServiceTerminalServices]
	if !ok {
		return fail("not_found", "the Remote Desktop Services service (TermService) does not exist on %s, so restart_service cannot restart it; nothing was changed", st.Name)
	}
	if svc.StartType == "Disabled" {
		return fail("not_supported", "the Remote Desktop Services service (TermService) is disabled on %s, so restart_service cannot restart it; enable the service or set restart_service = false; nothing was changed", st.Name)
	}
	return nil
}

// shAssertNoLicensingPolicy mirrors Assert-RdslNoLicensingPolicy.
func shAssertNoLicensingPolicy(st *HostState, ts shTSSetting) error {
	byMode := ts.PolicySourceLicensingType == 1
	byServers := ts.PolicySourceConfiguredLicenseServers == 1
	if !byMode && !byServers {
		return nil
	}
	var values []string
	if byMode {
		v := "unreadable"
		if m := st.SessionHost.PolicyLicensingMode; m != nil {
			v = strconv.Itoa(*m)
		}
		values = append(values, fmt.Sprintf(`%s\LicensingMode = %s`, shPolicyKeyDisplay, v))
	}
	if byServers {
		v := "unreadable"
		if s := st.SessionHost.PolicyLicenseServers; s != nil {
			v = *s
		}
		values = append(values, fmt.Sprintf(`%s\LicenseServers = "%s"`, shPolicyKeyDisplay, v))
	}
	var what, tail string
	switch {
	case byMode && byServers:
		what = fmt.Sprintf("the licensing mode and the license server list of %s are", st.Name)
		tail = "WMI cannot change them. Remove the policy settings"
	case byMode:
		what = fmt.Sprintf("the licensing mode of %s is", st.Name)
		tail = "WMI cannot change it. Remove the policy setting"
	default:
		what = fmt.Sprintf("the license server list of %s is", st.Name)
		tail = "WMI cannot change it. Remove the policy setting"
	}
	return fail("policy_controlled", "%s set by Group Policy (%s); %s, or use method = \"group_policy\"", what, strings.Join(values, ", "), tail)
}

// shSameServers mirrors Test-RdslSameServers: same order, names compared
// case-insensitively.
func shSameServers(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !strings.EqualFold(a[i], b[i]) {
			return false
		}
	}
	return true
}

// shReadSessionHost mirrors Get-RdslSessionHost.
func (x *opContext) shReadSessionHost(check []string, checkSpecified bool) (rds.SessionHost, error) {
	st := x.Host
	ts := shReadTSSetting(st)
	specified := shGetSpecifiedLicenseServerList(st)
	if checkSpecified {
		seen := map[string]bool{}
		for _, name := range check {
			seen[strings.ToLower(name)] = true
		}
		for _, name := range specified {
			if shValidServerName(name) && !seen[strings.ToLower(name)] {
				seen[strings.ToLower(name)] = true
				check = append(check, name)
			}
		}
	}

	var graceDays *int
	graceError := ""
	// The script takes a thrown code as the code returned.
	days, thrown := shGetGracePeriodDays(st, x.Now)
	if thrown != nil {
		code := cimErrorResult(thrown)
		graceError = fmt.Sprintf("GetGracePeriodDays failed on %s: returned 0x%08X (%s)", st.Name, code, wbemName(code))
	} else {
		graceDays = &days
	}

	connectivity := make([]rds.Connectivity, 0, len(check))
	for _, server := range check {
		connectivity = append(connectivity, rds.Connectivity{Server: server, Status: x.shGetTStoLSConnectivityStatus(server)})
	}

	var policyMode, configMode *int
	if m := st.SessionHost.PolicyLicensingMode; m != nil {
		v := *m
		policyMode = &v
	}
	var policyServers *string
	if s := st.SessionHost.PolicyLicenseServers; s != nil {
		v := *s
		policyServers = &v
	}
	cm := st.SessionHost.ConfigLicensingMode
	configMode = &cm

	cs := computerSystem(x) // Get-RdslComputer
	return rds.SessionHost{
		RDSHInstalled:              st.FeatureInstalled(FeatureSessionHost),
		TerminalServerMode:         ts.TerminalServerMode,
		LicensingType:              ts.LicensingType,
		LicensingName:              ts.LicensingName,
		PolicySourceLicensingType:  ts.PolicySourceLicensingType,
		PolicySourceLicenseServers: ts.PolicySourceConfiguredLicenseServers,
		SpecifiedLicenseServers:    shStrings(specified),
		PolicyLicensingMode:        policyMode,
		PolicyLicenseServers:       policyServers,
		PolicyLicensingModeGPO:     shPolicyGPO(cs.PartOfDomain && (policyMode != nil || policyServers != nil), st.SessionHost.PolicyLicensingModeGPO),
		PolicyLicenseServersGPO:    shPolicyGPO(cs.PartOfDomain && (policyMode != nil || policyServers != nil), st.SessionHost.PolicyLicenseServersGPO),
		ConfigLicensingMode:        configMode,
		ConfigLicenseServers:       shStrings(st.SessionHost.ConfigLicenseServers),
		GracePeriodDays:            graceDays,
		GracePeriodError:           graceError,
		Connectivity:               connectivity,
		PartOfDomain:               cs.PartOfDomain,
		Domain:                     cs.Domain,
		OSVersion:                  osVersionName(st),
		ComputerName:               st.Name,
		TermServiceStatus:          st.Services[ServiceTerminalServices].Status,
	}, nil
}

// shPolicyGPO mirrors Get-RdslPolicyGpo for one value: the domain GPO
// that set it at the last policy refresh, read only on a domain member
// with a policy value set.
func shPolicyGPO(set bool, gpo string) string {
	if !set {
		return ""
	}
	return gpo
}

// shGetHandler mirrors get_session_host.ps1.
func shGetHandler(x *opContext, in rds.SessionHostInput) (rds.SessionHost, error) {
	check := shStrings(in.CheckServers)
	if err := shAssertServerNames(x.Host, check, "check_servers"); err != nil {
		return rds.SessionHost{}, err
	}
	return x.shReadSessionHost(check, in.CheckSpecified)
}

// shSetHandler mirrors set_session_host_licensing.ps1.
func shSetHandler(x *opContext, in rds.SessionHostLicensingInput) (rds.SessionHost, error) {
	st := x.Host
	servers := shStrings(in.LicenseServers)
	mode := in.LicensingMode

	if err := shAssertRole(st, in.Method); err != nil {
		return rds.SessionHost{}, err
	}
	if err := shAssertMethod(st, in.Method); err != nil {
		return rds.SessionHost{}, err
	}
	if mode != 2 && mode != 4 {
		return rds.SessionHost{}, fail("invalid_input", "licensing_mode must be 2 (per device) or 4 (per user) on %s, not %d; to return to not configured (5), use clear_session_host_licensing", st.Name, mode)
	}
	if err := shAssertServerNames(st, servers, "license_servers"); err != nil {
		return rds.SessionHost{}, err
	}
	if err := shAssertTermService(st, in.RestartService); err != nil {
		return rds.SessionHost{}, err
	}

	changed := false
	if in.Method == shMethodGroupPolicy {
		sh := &st.SessionHost
		if sh.PolicyLicensingMode == nil || *sh.PolicyLicensingMode != mode {
			m := mode
			sh.PolicyLicensingMode = &m
			x.Note("policy LicensingMode = %d", mode)
			changed = true
		}
		if len(servers) == 0 {
			if sh.PolicyLicenseServers != nil {
				sh.PolicyLicenseServers = nil
				x.Note("policy LicenseServers removed")
				changed = true
			}
		} else if sh.PolicyLicenseServers == nil || !shSameServers(shSplitServerList(*sh.PolicyLicenseServers), servers) {
			v := strings.Join(servers, ",")
			sh.PolicyLicenseServers = &v
			x.Note("policy LicenseServers = %q", v)
			changed = true
		}
	} else {
		ts := shReadTSSetting(st)
		if err := shAssertNoLicensingPolicy(st, ts); err != nil {
			return rds.SessionHost{}, err
		}
		if ts.LicensingType != mode {
			if err := assertReturn(x.callMethod("ChangeMode", shChangeMode(st, mode)), "ChangeMode", shPolicyKinds, ""); err != nil {
				return rds.SessionHost{}, err
			}
			x.Note("ChangeMode(%d)", mode)
			changed = true
		}
		current := shGetSpecifiedLicenseServerList(st)
		if !shSameServers(current, servers) {
			if len(servers) == 0 {
				if err := assertReturn(x.callMethod("EmptySpecifiedLicenseServerList", shEmptySpecifiedLicenseServerList(st)), "EmptySpecifiedLicenseServerList", shPolicyKinds, ""); err != nil {
					return rds.SessionHost{}, err
				}
			} else if err := assertReturn(x.callMethod("SetSpecifiedLicenseServerList", shSetSpecifiedLicenseServerList(st, servers)), "SetSpecifiedLicenseServerList", shPolicyKinds, ""); err != nil {
				return rds.SessionHost{}, err
			}
			x.Note("license servers set to %q", servers)
			changed = true
		}
	}

	if err := x.step(stepAfterWrite); err != nil {
		return rds.SessionHost{}, err
	}
	x.shRestartTermServiceIf(in.RestartService, changed)
	return x.shReadSessionHost(servers, false)
}

// shClearHandler mirrors clear_session_host_licensing.ps1. It does not need
// the RD Session Host role, so that a host whose role is gone can still be
// cleaned up.
func shClearHandler(x *opContext, in rds.SessionHostLicensingInput) (rds.SessionHost, error) {
	st := x.Host
	if err := shAssertMethod(st, in.Method); err != nil {
		return rds.SessionHost{}, err
	}
	if err := shAssertTermService(st, in.RestartService); err != nil {
		return rds.SessionHost{}, err
	}

	changed := false
	if in.Method == shMethodGroupPolicy {
		sh := &st.SessionHost
		if sh.PolicyLicensingMode != nil {
			sh.PolicyLicensingMode = nil
			changed = true
		}
		if sh.PolicyLicenseServers != nil {
			sh.PolicyLicenseServers = nil
			changed = true
		}
		if changed {
			x.Note("policy licensing values removed")
		}
	} else {
		ts := shReadTSSetting(st)
		if err := shAssertNoLicensingPolicy(st, ts); err != nil {
			return rds.SessionHost{}, err
		}
		// ChangeMode refuses 5, so the script writes the registry value
		// itself (that 5 means not configured there is UNVERIFIED). Without
		// the role LicensingType is 1 whatever is configured: only the
		// registry value says anything then.
		appServer := ts.TerminalServerMode == 1
		if (appServer && ts.LicensingType != shModeNotConfigured) || st.SessionHost.ConfigLicensingMode != shModeNotConfigured {
			st.SessionHost.ConfigLicensingMode = shModeNotConfigured
			x.Note("RCM LicensingMode = 5")
			changed = true
		}
		current := shGetSpecifiedLicenseServerList(st)
		if len(current) > 0 {
			if err := assertReturn(x.callMethod("EmptySpecifiedLicenseServerList", shEmptySpecifiedLicenseServerList(st)), "EmptySpecifiedLicenseServerList", shPolicyKinds, ""); err != nil {
				return rds.SessionHost{}, err
			}
			x.Note("EmptySpecifiedLicenseServerList")
			changed = true
		}
	}

	if err := x.step(stepAfterWrite); err != nil {
		return rds.SessionHost{}, err
	}
	x.shRestartTermServiceIf(in.RestartService, changed)
	return x.shReadSessionHost(nil, false)
}
