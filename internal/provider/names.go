package provider

import (
	"strconv"
)

// The names the provider uses for Windows' numbers, in one place.

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
