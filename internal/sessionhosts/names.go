package sessionhosts

import (
	"strconv"
)

// LicensingModeName is a Win32_TerminalServiceSetting LicensingType.
func LicensingModeName(t int) string {
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

// PolicySourceName names where a session host setting comes from.
func PolicySourceName(source int) string {
	if source == 1 {
		return "group_policy"
	}
	return "server"
}

func ConnectivityName(status int) string {
	if n, ok := connectivityNames[status]; ok {
		return n
	}
	return "unknown_" + strconv.Itoa(status)
}

// ConnectivityHealthy: the session host can get CALs from that server.
func ConnectivityHealthy(status int) bool {
	return status == 1 || status == 2 || status == 9 || status == 11
}

// LicensingModeNumber is the inverse for the two modes users set.
var LicensingModeNumber = map[string]int{"per_device": 2, "per_user": 4}

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
