package winsim

import (
	"fmt"
	"time"
)

// Shared pieces of the Windows model that several operations use. The
// handlers mirror their scripts; these mirror the library functions the
// scripts share (scripts/lib/rds.ps1) and the Windows facts behind them.

// osVersionName is what Get-RdslOSVersion answers.
func osVersionName(st *HostState) string { return st.OS }

// assertLicensingRole mirrors Assert-RdslLicensingRole: the licensing WMI
// provider exists only once RDS-Licensing is installed and the host has
// restarted if the install asked for it.
func assertLicensingRole(st *HostState) error {
	switch st.FeatureState(FeatureLicensing) {
	case StateInstalled:
		return nil
	case StateInstallPending:
		return fail("reboot_pending", "the RD Licensing role service (RDS-Licensing) on %s is installed but waits for a restart", st.Name)
	default:
		return failCode("role_missing", WBEMInvalidClass, "the RD Licensing role service (RDS-Licensing) is not installed on %s", st.Name)
	}
}

// clearinghouseReachable reports whether this host can reach the
// Microsoft Clearinghouse: the Clearinghouse is up and the host has
// outbound TCP 443.
func (x *opContext) clearinghouseReachable() bool {
	up := false
	_ = x.Clearinghouse(func(ch *ClearinghouseState) error { up = ch.Reachable; return nil })
	return up && x.Host.Internet
}

// productVersionString is Win32_TSLicenseKeyPack.ProductVersion for a
// ProductVersionID.
func (st *HostState) productVersionString(id int) string {
	switch id {
	case 0:
		return "Windows 2000 Server" // the built-in pack's (captured)
	case 2:
		return "Windows Server 2008"
	case 3:
		return "Windows Server 2008 R2"
	case 4:
		return "Windows Server 2012"
	}
	if r := st.ReleaseOfVersionID(id); r != "" {
		return "Windows Server " + r
	}
	return fmt.Sprintf("Unknown (%d)", id)
}

// wbemName mirrors Get-RdslWbemName.
func wbemName(code int64) string {
	switch code {
	case WBEMFailed:
		return "WBEM_E_FAILED"
	case WBEMNotFound:
		return "WBEM_E_NOT_FOUND"
	case WBEMAccessDenied:
		return "WBEM_E_ACCESS_DENIED"
	case 0x80041004:
		return "WBEM_E_PROVIDER_FAILURE"
	case 0x80041005:
		return "WBEM_E_TYPE_MISMATCH"
	case WBEMInvalidParameter:
		return "WBEM_E_INVALID_PARAMETER"
	case WBEMNotAvailable:
		return "WBEM_E_NOT_AVAILABLE"
	case WBEMNotSupported:
		return "WBEM_E_NOT_SUPPORTED"
	case WBEMInvalidClass:
		return "WBEM_E_INVALID_CLASS"
	case WBEMInvalidOperation:
		return "WBEM_E_INVALID_OPERATION"
	case WBEMAlreadyExists:
		return "WBEM_E_ALREADY_EXISTS"
	case WBEMValueOutOfRange:
		return "WBEM_E_VALUE_OUT_OF_RANGE"
	case 0x8004102F:
		return "WBEM_E_INVALID_METHOD_PARAMETERS"
	}
	return "unknown code"
}

// assertReturn mirrors Assert-RdslReturn: a non-zero WMI return value
// becomes the kind the script's table gives it, else wmi_error.
func assertReturn(code int64, method string, kinds map[int64]string, context string) error {
	if code == 0 {
		return nil
	}
	kind := "wmi_error"
	if k, ok := kinds[code]; ok {
		kind = k
	}
	text := fmt.Sprintf("%s failed with 0x%08X (%s)", method, uint32(code), wbemName(code))
	if context != "" {
		text = context + ": " + text
	}
	return failCode(kind, code, "%s", text)
}

// formatDate mirrors Format-RdslDate.
func formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}
