package winsim

import (
	"sort"
	"strings"
)

// WMIClass is what Get-CimClass shows of a class get_windows_facts reads:
// its namespace and each method's in and out parameters (ReturnValue
// aside). The contract tests hold it to the scripts' WMI catalog.
type WMIClass struct {
	Namespace string
	Methods   map[string]WMIMethod
}

// WMIMethod is one method's parameters, by direction.
type WMIMethod struct {
	In, Out []string
}

func sig(in, out string) WMIMethod {
	return WMIMethod{In: strings.Fields(in), Out: strings.Fields(out)}
}

// licensingClasses are the classes the RD Licensing role's WMI provider
// registers (present with the role only).
var licensingClasses = []string{"Win32_TSLicenseServer", "Win32_TSLicenseKeyPack", "Win32_TSIssuedLicense", "Win32_TSLicenseReport"}

var wmiSchema = map[string]WMIClass{
	"Win32_TSLicenseServer": {Namespace: "root/cimv2", Methods: map[string]WMIMethod{
		"ActivateServer":              sig("sLicenseServerId", "ActivationStatus"),
		"ActivateServerAutomatic":     sig("", "ActivationStatus"),
		"DeactivateServer":            sig("sConfirmCode", "ActivationStatus"),
		"DeactivateServerAutomatic":   sig("", "ActivationStatus"),
		"GetActivationStatus":         sig("", "ActivationStatus"),
		"GetLicenseServerId":          sig("", "sLicenseServerId"),
		"ReactivateServer":            sig("sNewLicenseServerId", "ActivationStatus"),
		"ReactivateServerAutomatic":   sig("Reason", "ActivationStatus"),
		"ChangeRole":                  sig("ServerRole", ""),
		"IsLSinTSLSGroup":             sig("Domain", "IsMember"),
		"AddLStoTSLSGroup":            sig("", ""),
		"RemoveLSfromTSLSGroup":       sig("", ""),
		"IsLSonDC":                    sig("", "OnDC"),
		"IsLSPublished":               sig("", "Published"),
		"PublishLS":                   sig("", ""),
		"UnpublishLS":                 sig("", ""),
		"IsLSRegisteredToSCP":         sig("", "Registered"),
		"RegisterLSToSCP":             sig("", ""),
		"UnRegisterLSFromSCP":         sig("", ""),
		"IsLSSecGrpGPEnabled":         sig("", "Enabled"),
		"IsLSPreventUpgradeGPEnabled": sig("", "Enabled"),
		"IsSecureAccessAllowed":       sig("tsname", "Allowed"),
		"IsTSinTSCGroup":              sig("tsname", "IsMember"),
	}},
	"Win32_TSLicenseKeyPack": {Namespace: "root/cimv2", Methods: map[string]WMIMethod{
		"InstallRetailPurchaseLicenseKeyPack":   sig("sLicenseCode", "KeyPackId"),
		"InstallLicenseKeyPack":                 sig("sLicenseKeyPackId", "KeyPackId"),
		"InstallOpenLicenseKeyPack":             sig("sLicenseNumber sAuthorizationNumber ProductVersion ProductType LicenseCount", "KeyPackId"),
		"InstallAgreementLicenseKeyPack":        sig("AgreementType sAgreementNumber ProductVersion ProductType LicenseCount", "KeyPackId"),
		"ReinstallRetailPurchaseLicenseKeyPack": sig("sLicenseCode", "KeyPackId"),
		"ReinstallLicenseKeyPackOffline":        sig("sLicenseKeyPackId", "KeyPackId"),
		"ReinstallOpenPurchaseLicenseKeyPack":   sig("sLicenseNumber sAuthorizationNumber ProductVersion ProductType LicenseCount", "KeyPackId"),
		"ReinstallAgreementLicenseKeyPack":      sig("AgreementType sAgreementNumber ProductVersion ProductType LicenseCount", "KeyPackId"),
		"UninstallLicenseKeyPack":               sig("ProductVersion ProductType LicenseCount", ""),
		"UninstallLicenseKeyPackWithId":         sig("KeyPackId", ""),
		"RemoveLicensesWithIdCount":             sig("KeyPackId LicenseCount", ""),
		"ConvertLicenses":                       sig("Count", "KeypackID"),
	}},
	"Win32_TSIssuedLicense": {Namespace: "root/cimv2", Methods: map[string]WMIMethod{
		"Revoke": sig("", "RevokableCals NextRevokeAllowedOn"),
	}},
	"Win32_TSLicenseReport": {Namespace: "root/cimv2", Methods: map[string]WMIMethod{
		"GenerateReportEx":                       sig("", "FileName"),
		"DeleteReport":                           sig("", ""),
		"FetchReportEntries":                     sig("StartIndex Count", "Count ReportEntries"),
		"FetchReportSummaryEntries":              sig("StartIndex Count", "Count ReportSummaryEntries"),
		"FetchReportFailedPerUserEntries":        sig("StartIndex Count", "Count ReportFailedPerUserEntries"),
		"FetchReportFailedPerUserSummaryEntries": sig("StartIndex Count", "Count ReportFailedPerUserSummaryEntries"),
		"FetchReportPerDeviceEntries":            sig("StartIndex Count", "Count ReportPerDeviceEntries"),
	}},
	"Win32_TerminalServiceSetting": {Namespace: "root/cimv2/TerminalServices", Methods: map[string]WMIMethod{
		"ChangeMode":                             sig("LicensingType", ""),
		"SetSpecifiedLicenseServerList":          sig("SpecifiedLSList", ""),
		"GetSpecifiedLicenseServerList":          sig("", "SpecifiedLSList"),
		"AddLSToSpecifiedLicenseServerList":      sig("LicenseServerName", ""),
		"RemoveLSFromSpecifiedLicenseServerList": sig("LicenseServerName", ""),
		"EmptySpecifiedLicenseServerList":        sig("", ""),
		"SetPrimaryLicenseServer":                sig("LicenseServerName", ""),
		"GetRegisteredLicenseServerList":         sig("", "RegisteredLSList"),
		"GetGracePeriodDays":                     sig("", "DaysLeft"),
		"GetTStoLSConnectivityStatus":            sig("ServerName", "TStoLSConnectivityStatus"),
		"FindLicenseServers":                     sig("", "LicenseServersList Count"),
		"GetDomain":                              sig("", "Domain"),
	}},
}

// WMISchema returns the classes get_windows_facts reads, for the contract
// tests.
func WMISchema() map[string]WMIClass {
	out := make(map[string]WMIClass, len(wmiSchema))
	for name, c := range wmiSchema {
		m := make(map[string]WMIMethod, len(c.Methods))
		for k, v := range c.Methods {
			m[k] = WMIMethod{In: append([]string(nil), v.In...), Out: append([]string(nil), v.Out...)}
		}
		out[name] = WMIClass{Namespace: c.Namespace, Methods: m}
	}
	return out
}

// wmiClassPresent mirrors Get-CimClass: the licensing classes exist once
// the role's WMI provider is registered, the others always.
func wmiClassPresent(st *HostState, class string) bool {
	for _, c := range licensingClasses {
		if c == class {
			return licensingWMIPresent(st)
		}
	}
	_, ok := wmiSchema[class]
	return ok
}

// sortedJoin is the script's (@($x | Sort-Object)) -join ','.
func sortedJoin(names []string) string {
	s := append([]string(nil), names...)
	sort.Slice(s, func(i, j int) bool { return strings.ToLower(s[i]) < strings.ToLower(s[j]) })
	return strings.Join(s, ",")
}
