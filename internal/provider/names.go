package provider

import (
	"strconv"
)

// The names the provider uses for Windows' numbers, in one place.

// licensingModeName is a Win32_TerminalServiceSetting LicensingType.
func licensingModeName(t int) string {
	switch t {
	case 0:
		return "personal_terminal_server"
	case 1:
		return "remote_desktop_for_administration"
	case 2:
		return "per_device"
	case 4:
		return "per_user"
	case 5:
		return "not_configured"
	case 6:
		return "aad_per_user"
	}
	return "unknown_" + strconv.Itoa(t)
}

// licensingModeNumber is the inverse for the two modes users set.
var licensingModeNumber = map[string]int{"per_device": 2, "per_user": 4}

// policySourceName names where a session host setting comes from.
func policySourceName(source int) string {
	if source == 1 {
		return "group_policy"
	}
	return "server"
}

// connectivityNames are GetTStoLSConnectivityStatus's answers.
var connectivityNames = map[int]string{
	0:  "unknown",
	1:  "valid_ws08r2",
	2:  "valid_ws08",
	3:  "beta_rtm_mismatch",
	4:  "lower_version",
	5:  "not_in_tsc_group",
	6:  "not_connectable",
	7:  "unknown_validity",
	8:  "connectable_but_access_denied",
	9:  "valid_ws08r2_vdi",
	10: "feature_not_supported",
	11: "valid_ls",
}

func connectivityName(status int) string {
	if n, ok := connectivityNames[status]; ok {
		return n
	}
	return "unknown_" + strconv.Itoa(status)
}

// connectivityHealthy: the session host can get CALs from that server.
func connectivityHealthy(status int) bool {
	return status == 1 || status == 2 || status == 9 || status == 11
}

// activationStatusName is GetActivationStatus's ActivationStatus.
func activationStatusName(s int) string {
	switch s {
	case 0:
		return "activated"
	case 1:
		return "not_activated"
	}
	return "unknown"
}

// discoveryScopes are Win32_TSLicenseServer.ServerRole 0-2.
var discoveryScopes = []string{"workgroup", "domain", "forest"}

// discoveryScopeName is Win32_TSLicenseServer.ServerRole.
func discoveryScopeName(role int) string {
	if role >= 0 && role < len(discoveryScopes) {
		return discoveryScopes[role]
	}
	return "unknown_" + strconv.Itoa(role)
}

// issuedLicenseStatusName is Win32_TSIssuedLicense.LicenseStatus.
func issuedLicenseStatusName(s int) string {
	switch s {
	case 0:
		return "unknown"
	case 1:
		return "temporary"
	case 2:
		return "active"
	case 3:
		return "upgrade"
	case 4:
		return "revoked"
	case 5:
		return "pending"
	case 6:
		return "concurrent"
	}
	return "unknown_" + strconv.Itoa(s)
}
