// Package sessionhosts knows a session host's licensing settings: where
// they come from, what their numbers mean, and what Windows says of them.
package sessionhosts

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

// The two ways to configure a session host, and where Group Policy keeps
// its settings.
const (
	MethodGroupPolicy = "group_policy"
	MethodWMI         = "wmi"
	PolicyKey         = `HKLM\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services`
	PolicyGUIPath     = "Computer Configuration > Administrative Templates > Windows Components > Remote Desktop Services > Remote Desktop Session Host > Licensing"
)

// SplitServerList splits the policy's comma-separated REG_SZ.
func SplitServerList(s string) []string {
	var out []string
	for _, name := range strings.Split(s, ",") {
		if name = strings.TrimSpace(name); name != "" {
			out = append(out, name)
		}
	}
	return out
}

// SameServersAsScripts is Test-RdslSameServers: the same names in the same
// order, case ignored. Unlike sameServerLists, a short name is not its
// FQDN: the scripts write one over the other.
func SameServersAsScripts(a, b []string) bool {
	return slices.EqualFunc(a, b, strings.EqualFold)
}

// PolicyControlDetail explains why method = "wmi" cannot work on a host
// where policy values set the licensing; "" when none does.
func PolicyControlDetail(sh rds.SessionHost) string {
	byMode := sh.PolicySourceLicensingType == 1
	byServers := sh.PolicySourceLicenseServers == 1
	if !byMode && !byServers {
		return ""
	}
	var values []string
	what, it := "licensing mode", "it"
	if byMode {
		v := "unreadable"
		if sh.PolicyLicensingMode != nil {
			v = fmt.Sprint(*sh.PolicyLicensingMode)
		}
		values = append(values, fmt.Sprintf(`%s\LicensingMode = %s`, PolicyKey, v))
	}
	if byServers {
		v := "unreadable"
		if sh.PolicyLicenseServers != nil {
			v = *sh.PolicyLicenseServers
		}
		values = append(values, fmt.Sprintf(`%s\LicenseServers = "%s"`, PolicyKey, v))
		what = "license server list"
	}
	if byMode && byServers {
		what, it = "licensing mode and the license server list", "them"
	}
	return fmt.Sprintf(`method = "wmi" cannot set the %s of %s: Group Policy sets %s (%s), and Windows ignores and refuses changes made through WMI (Win32_TerminalServiceSetting) while a policy value is set. `+
		`Use method = "group_policy" to manage the policy values, or remove the policy setting (gpedit.msc: %s, or the domain GPO that sets it) and plan again.`,
		what, sh.ComputerName, it, strings.Join(values, ", "), PolicyGUIPath)
}

// SourceSettings are the mode and servers of the method's source; ok is
// false when that source sets neither (not configured).
func SourceSettings(sh rds.SessionHost, method string) (mode string, servers []string, ok bool) {
	var m *int
	if method == MethodGroupPolicy {
		m = sh.PolicyLicensingMode
		servers = []string{}
		if sh.PolicyLicenseServers != nil {
			servers = SplitServerList(*sh.PolicyLicenseServers)
		}
	} else {
		if sh.ConfigLicensingMode != nil && *sh.ConfigLicensingMode != 5 {
			m = sh.ConfigLicensingMode
		}
		servers = append([]string{}, sh.ConfigLicenseServers...)
	}
	if m == nil && len(servers) == 0 {
		return "", nil, false
	}
	mode = LicensingModeName(5)
	if m != nil {
		mode = LicensingModeName(*m)
	}
	return mode, servers, true
}

// InferMethod is the method whose source holds settings: policy values
// win, so they are what an imported resource manages when present.
func InferMethod(sh rds.SessionHost) string {
	if _, _, ok := SourceSettings(sh, MethodGroupPolicy); ok {
		return MethodGroupPolicy
	}
	return MethodWMI
}

// ConnectivityAdvice explains the GetTStoLSConnectivityStatus answers
// that mean the session host cannot get CALs from a license server.
var ConnectivityAdvice = map[int]string{
	3:  "BETA_RTM_MISMATCH: a pre-release license server and a released session host (or the reverse) cannot work together",
	4:  "LOWER_VERSION: the license server runs an older Windows Server release than the session host and cannot issue CALs for it; use a license server of the session host's release or newer",
	5:  "NOT_IN_TSCGROUP: the license server's \"License server security group\" policy is on and the session host is not in its local group RDS Endpoint Servers (Terminal Server Computers in Windows Server 2008 and earlier): add its computer account there (rdslicensing_license_server_security_group's members), or turn the policy off",
	6:  "NOT_CONNECTABLE: check that the name resolves on the session host, that the Remote Desktop Licensing service (TermServLicensing) runs on the license server, and that RPC (TCP 135 and the dynamic RPC ports) is open between them",
	8:  "CONNECTABLE_BUT_ACCESS_DENIED: session host and license server must be in the same domain or in domains with a two-way trust, and for per-user licensing across domains the license server must be in the Terminal Server License Servers group of each domain",
	10: "FEATURE_NOT_SUPPORTED: the license server does not support what the session host asks of it",
}

// SettingsHeld reports whether sh already holds mode and servers in the
// source of method, as the scripts compare them: then writing them
// changes nothing and restarts nothing.
func SettingsHeld(method string, mode int, servers []string, sh rds.SessionHost) bool {
	if method == MethodGroupPolicy {
		if sh.PolicyLicensingMode == nil || *sh.PolicyLicensingMode != mode {
			return false
		}
		if len(servers) == 0 {
			return sh.PolicyLicenseServers == nil
		}
		return sh.PolicyLicenseServers != nil && SameServersAsScripts(SplitServerList(*sh.PolicyLicenseServers), servers)
	}
	return sh.LicensingType == mode && SameServersAsScripts(sh.ConfigLicenseServers, servers)
}
