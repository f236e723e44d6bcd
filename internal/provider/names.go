package provider

import (
	"strconv"
)

// The names the provider uses for Windows' numbers, in one place.

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
