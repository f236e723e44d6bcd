package winfacts

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Microsoft's pages for the WMI classes the scripts use.
const (
	docTermServ            = "https://learn.microsoft.com/en-us/windows/win32/termserv/"
	srcLicenseServer       = docTermServ + "win32-tslicenseserver"
	srcLicenseServerMeth   = docTermServ + "win32-tslicenseserver-methods"
	srcKeyPack             = docTermServ + "win32-tslicensekeypack"
	srcKeyPackMethods      = docTermServ + "win32-tslicensekeypack-methods"
	srcIssuedLicense       = docTermServ + "win32-tsissuedlicense"
	srcRevoke              = docTermServ + "revoke-win32-tsissuedlicense"
	srcReport              = docTermServ + "win32-tslicensereport"
	srcGenerateReportEx    = docTermServ + "generatereportex-win32-tslicensereport"
	srcFetchReportEntries  = docTermServ + "fetchreportentries-win32-tslicensereport"
	srcTSSetting           = docTermServ + "win32-terminalservicesetting"
	srcTSSettingMethods    = docTermServ + "win32-terminalservicesetting-methods"
	srcChangeMode          = docTermServ + "win32-terminalservicesetting-changemode"
	srcTermServErrors      = docTermServ + "terminal-services-wmi-provider-error-codes"
	srcComputerSystem      = "https://learn.microsoft.com/en-us/windows/win32/cimwin32prov/win32-computersystem"
	srcOperatingSystem     = "https://learn.microsoft.com/en-us/windows/win32/cimwin32prov/win32-operatingsystem"
	srcWMIErrorConstants   = "https://learn.microsoft.com/en-us/windows/win32/wmisdk/wmi-error-constants"
	srcDeploymentLicensing = docTermServ + "win32-tsdeploymentlicensing"
	srcRSoPRegistry        = "https://learn.microsoft.com/en-us/previous-versions/windows/desktop/policy/rsop-registrypolicysetting"
	srcRSoPGPO             = "https://learn.microsoft.com/en-us/previous-versions/windows/desktop/policy/rsop-gpo"
)

// WMIClass is the catalog's view of one WMI class: what the contract
// tests check the scripts against. It is derived from Facts.
type WMIClass struct {
	Name       string
	Namespace  string
	Properties []string
	Writable   []string
	Methods    map[string]WMIMethod
}

// WMIMethod is a method's calling convention and parameters.
type WMIMethod struct {
	Static bool
	In     []string
	Out    []string
}

func class(name, namespace, src, statement string) Fact {
	return Fact{ID: KindWMIClass + ":" + name, Kind: KindWMIClass, Statement: statement, Value: namespace, Source: src}
}

// props are read-only properties, named by spaces.
func props(class, names, src string) []Fact {
	var out []Fact
	for _, n := range strings.Fields(names) {
		out = append(out, Fact{ID: KindWMIProperty + ":" + class + "." + n, Kind: KindWMIProperty,
			Statement: class + " has the read-only property " + n + ".", Value: PropertyAccess(false), Source: src})
	}
	return out
}

// writable are read/write properties.
func writable(class, names, src string) []Fact {
	var out []Fact
	for _, n := range strings.Fields(names) {
		out = append(out, Fact{ID: KindWMIProperty + ":" + class + "." + n, Kind: KindWMIProperty,
			Statement: class + " has the read/write property " + n + ".", Value: PropertyAccess(true), Source: src})
	}
	return out
}

// method is a method fact; in and out name parameters by spaces.
func method(class, name string, static bool, in, out, src string) Fact {
	return Fact{ID: KindWMIMethod + ":" + class + "." + name, Kind: KindWMIMethod,
		Statement: fmt.Sprintf("%s.%s is a%s method.", class, name, map[bool]string{true: " static", false: "n instance"}[static]),
		Value:     MethodValue(WMIMethod{Static: static, In: strings.Fields(in), Out: strings.Fields(out)}),
		Source:    src}
}

func list(names string) string {
	if f := strings.Fields(names); len(f) > 0 {
		return strings.Join(f, ", ")
	}
	return "none"
}

var methodValue = regexp.MustCompile(`^(static|instance)\(in: ([^;]*); out: ([^)]*)\)$`)

// ParseMethod reads a wmi_method fact's Value.
func ParseMethod(value string) (WMIMethod, error) {
	m := methodValue.FindStringSubmatch(value)
	if m == nil {
		return WMIMethod{}, fmt.Errorf("method value %q is not static|instance(in: ...; out: ...)", value)
	}
	split := func(s string) []string {
		if s == "none" {
			return nil
		}
		return strings.Split(s, ", ")
	}
	return WMIMethod{Static: m[1] == "static", In: split(m[2]), Out: split(m[3])}, nil
}

// WMI gathers the wmi_class, wmi_property and wmi_method facts by class.
func WMI() (map[string]WMIClass, error) {
	out := map[string]WMIClass{}
	for _, f := range Facts {
		if f.Kind == KindWMIClass {
			name := strings.TrimPrefix(f.ID, KindWMIClass+":")
			out[name] = WMIClass{Name: name, Namespace: f.Value, Methods: map[string]WMIMethod{}}
		}
	}
	for _, f := range Facts {
		if f.Kind != KindWMIProperty && f.Kind != KindWMIMethod {
			continue
		}
		cls, member, ok := strings.Cut(strings.TrimPrefix(f.ID, f.Kind+":"), ".")
		c, found := out[cls]
		if !ok || !found {
			return nil, fmt.Errorf("%s: no class fact for %q", f.ID, cls)
		}
		switch {
		case f.Kind == KindWMIMethod:
			m, err := ParseMethod(f.Value)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f.ID, err)
			}
			c.Methods[member] = m
		case f.Value == "read/write":
			c.Properties = append(c.Properties, member)
			c.Writable = append(c.Writable, member)
		case f.Value == "read-only":
			c.Properties = append(c.Properties, member)
		default:
			return nil, fmt.Errorf("%s: property value %q is not read-only or read/write", f.ID, f.Value)
		}
		out[cls] = c
	}
	return out, nil
}

const (
	lsClass      = "Win32_TSLicenseServer"
	kpClass      = "Win32_TSLicenseKeyPack"
	issuedClass  = "Win32_TSIssuedLicense"
	reportClass  = "Win32_TSLicenseReport"
	settingClass = "Win32_TerminalServiceSetting"
)

func wmiFacts() []Fact {
	var f []Fact
	add := func(x ...Fact) { f = append(f, x...) }

	add(class(lsClass, "root/cimv2", srcLicenseServer,
		"The license server singleton; it exists only once the RDS-Licensing role service is installed (provider TlsWmiProv). Every method is static."))
	add(writable(lsClass, "FirstName LastName Company CountryRegion eMail OrgUnit Address City State PostalCode", srcLicenseServer)...)
	add(props(lsClass, "ServerRole DatabasePath ProductId Version VersionNumber", srcLicenseServer)...)
	for _, m := range []struct{ name, in, out string }{
		{"ActivateServer", "sLicenseServerId", "ActivationStatus"},
		{"ActivateServerAutomatic", "", "ActivationStatus"},
		{"DeactivateServer", "sConfirmCode", "ActivationStatus"},
		{"DeactivateServerAutomatic", "", "ActivationStatus"},
		{"GetActivationStatus", "", "ActivationStatus"},
		{"GetLicenseServerId", "", "sLicenseServerId"},
		{"ReactivateServer", "sNewLicenseServerId", "ActivationStatus"},
		{"ReactivateServerAutomatic", "Reason", "ActivationStatus"},
		{"ChangeRole", "ServerRole", ""},
		{"IsLSinTSLSGroup", "Domain", "IsMember"},
		{"AddLStoTSLSGroup", "", ""},
		{"RemoveLSfromTSLSGroup", "", ""},
		{"IsLSonDC", "", "OnDC"},
		{"IsLSPublished", "", "Published"},
		{"PublishLS", "", ""},
		{"UnpublishLS", "", ""},
		{"IsLSRegisteredToSCP", "", "Registered"},
		{"RegisterLSToSCP", "", ""},
		{"UnRegisterLSFromSCP", "", ""},
		{"IsLSSecGrpGPEnabled", "", "Enabled"},
		{"IsLSPreventUpgradeGPEnabled", "", "Enabled"},
		{"IsSecureAccessAllowed", "tsname", "Allowed"},
		{"IsTSinTSCGroup", "tsname", "IsMember"},
	} {
		add(method(lsClass, m.name, true, m.in, m.out, srcLicenseServerMeth))
	}

	add(class(kpClass, "root/cimv2", srcKeyPack, "A CAL key pack on the license server (key KeyPackId); its install methods are static."))
	add(props(kpClass, "KeyPackId Description KeyPackType ProductType ProductVersion ProductVersionID TotalLicenses IssuedLicenses AvailableLicenses ExpirationDate AccessRights TypeAndModel", srcKeyPack)...)
	open := "sLicenseNumber sAuthorizationNumber ProductVersion ProductType LicenseCount"
	agreement := "AgreementType sAgreementNumber ProductVersion ProductType LicenseCount"
	for _, m := range []struct{ name, in, out string }{
		{"InstallRetailPurchaseLicenseKeyPack", "sLicenseCode", "KeyPackId"},
		{"InstallLicenseKeyPack", "sLicenseKeyPackId", "KeyPackId"},
		{"InstallOpenLicenseKeyPack", open, "KeyPackId"},
		{"InstallAgreementLicenseKeyPack", agreement, "KeyPackId"},
		{"ReinstallRetailPurchaseLicenseKeyPack", "sLicenseCode", "KeyPackId"},
		{"ReinstallLicenseKeyPackOffline", "sLicenseKeyPackId", "KeyPackId"},
		{"ReinstallOpenPurchaseLicenseKeyPack", open, "KeyPackId"},
		{"ReinstallAgreementLicenseKeyPack", agreement, "KeyPackId"},
		{"UninstallLicenseKeyPack", "ProductVersion ProductType LicenseCount", ""},
		{"UninstallLicenseKeyPackWithId", "KeyPackId", ""},
		{"RemoveLicensesWithIdCount", "KeyPackId LicenseCount", ""},
	} {
		add(method(kpClass, m.name, true, m.in, m.out, srcKeyPackMethods))
	}
	convert := method(kpClass, "ConvertLicenses", false, "Count", "KeypackID", "")
	convert.Statement += " The page does not say static and speaks of the current key pack, so the scripts call it on an instance."
	convert.Unverified = true
	add(convert)

	add(class(issuedClass, "root/cimv2", srcIssuedLicense, "A CAL the license server issued."))
	add(props(issuedClass, "LicenseId KeyPackId sIssuedToUser sIssuedToComputer sHardwareId IssueDate ExpirationDate LicenseStatus", srcIssuedLicense)...)
	add(method(issuedClass, "Revoke", false, "", "RevokableCals NextRevokeAllowedOn", srcRevoke))

	add(class("RSOP_RegistryPolicySetting", "root/rsop/computer", srcRSoPRegistry,
		"A registry-based policy setting the policy engine applied (RSoP logging data of the computer): its key and value, the GPO that set it (GPOID) and its precedence (1 wins)."))
	add(props("RSOP_RegistryPolicySetting", "registryKey valueName GPOID precedence", srcRSoPRegistry)...)
	add(class("RSOP_GPO", "root/rsop/computer", srcRSoPGPO, "A GPO in the RSoP logging data: its id and its friendly name."))
	add(props("RSOP_GPO", "id name", srcRSoPGPO)...)

	add(class(reportClass, "root/cimv2", srcReport, "A per-user CAL usage report on the license server (key FileName)."))
	add(props(reportClass, "FileName GenerationDateTime Version LicenseUsageCount InstalledLicenses ScopeType ScopeValue", srcReport)...)
	add(method(reportClass, "GenerateReportEx", true, "", "FileName", srcGenerateReportEx))
	add(method(reportClass, "DeleteReport", false, "", "", srcReport))
	add(method(reportClass, "FetchReportEntries", false, "StartIndex Count", "Count ReportEntries", srcFetchReportEntries))
	for _, n := range []string{"ReportSummaryEntries", "ReportFailedPerUserEntries", "ReportFailedPerUserSummaryEntries", "ReportPerDeviceEntries"} {
		add(method(reportClass, "Fetch"+n, false, "StartIndex Count", "Count "+n, srcReport))
	}

	add(class(settingClass, "root/cimv2/TerminalServices", srcTSSetting,
		"The session host configuration (provider TSCfgWmi), present on every Windows Server; its methods are instance methods of the single instance."))
	add(props(settingClass, "ServerName TerminalServerMode LicensingType LicensingName LicensingDescription PossibleLicensingTypes PolicySourceLicensingType PolicySourceConfiguredLicenseServers", srcTSSetting)...)
	add(method(settingClass, "ChangeMode", false, "LicensingType", "", srcChangeMode))
	for _, m := range []struct{ name, in, out string }{
		{"SetSpecifiedLicenseServerList", "SpecifiedLSList", ""},
		{"GetSpecifiedLicenseServerList", "", "SpecifiedLSList"},
		{"AddLSToSpecifiedLicenseServerList", "LicenseServerName", ""},
		{"RemoveLSFromSpecifiedLicenseServerList", "LicenseServerName", ""},
		{"EmptySpecifiedLicenseServerList", "", ""},
		{"SetPrimaryLicenseServer", "LicenseServerName", ""},
		{"GetRegisteredLicenseServerList", "", "RegisteredLSList"},
		{"GetGracePeriodDays", "", "DaysLeft"},
		{"GetTStoLSConnectivityStatus", "ServerName", "TStoLSConnectivityStatus"},
		{"FindLicenseServers", "", "LicenseServersList Count"},
		{"GetDomain", "", "Domain"},
	} {
		add(method(settingClass, m.name, false, m.in, m.out, srcTSSettingMethods))
	}

	add(class("Win32_ComputerSystem", "root/cimv2", srcComputerSystem, "The computer: name, domain membership and role."))
	add(props("Win32_ComputerSystem", "Name DNSHostName Domain PartOfDomain DomainRole Workgroup Manufacturer Model", srcComputerSystem)...)
	add(class("Win32_OperatingSystem", "root/cimv2", srcOperatingSystem, "The installed Windows release."))
	add(props("Win32_OperatingSystem", "Caption Version BuildNumber LastBootUpTime OperatingSystemSKU", srcOperatingSystem)...)
	return withWMIProbes(f)
}

// ProbedClasses are the classes whose schema the conformance probe reads
// with Get-CimClass (get_windows_facts): the RD Licensing and session host
// classes. The scripts only read Win32_ComputerSystem and
// Win32_OperatingSystem, whose schema is long settled.
var ProbedClasses = []string{lsClass, kpClass, issuedClass, reportClass, settingClass}

// withWMIProbes gives each fact of a probed class its probe key: the ID
// with a dot for the colon ("wmi_method.Win32_TSLicenseServer.ChangeRole").
func withWMIProbes(facts []Fact) []Fact {
	for i, f := range facts {
		cls, _, _ := strings.Cut(f.Subject(), ".")
		if slices.Contains(ProbedClasses, cls) {
			facts[i].Probe = WMIProbeKey(f.ID)
		}
	}
	return facts
}

// WMIProbeKey is the probe key of a wmi_* fact ID.
func WMIProbeKey(id string) string { return strings.Replace(id, ":", ".", 1) }

// PropertyAccess is a wmi_property fact's Value for a property.
func PropertyAccess(writable bool) string {
	if writable {
		return "read/write"
	}
	return "read-only"
}

// MethodValue formats a method as a wmi_method fact's Value.
func MethodValue(m WMIMethod) string {
	kind := "instance"
	if m.Static {
		kind = "static"
	}
	return fmt.Sprintf("%s(in: %s; out: %s)", kind, list(strings.Join(m.In, " ")), list(strings.Join(m.Out, " ")))
}

// SameMethod compares two wmi_method Values as WMI does: the calling
// convention, and the parameter names as sets, case-insensitively (Get-CimClass
// lists parameters in its own order).
func SameMethod(a, b string) bool {
	ma, errA := ParseMethod(a)
	mb, errB := ParseMethod(b)
	if errA != nil || errB != nil {
		return a == b
	}
	return ma.Static == mb.Static && sameNames(ma.In, mb.In) && sameNames(ma.Out, mb.Out)
}

func sameNames(a, b []string) bool {
	norm := func(s []string) []string {
		out := make([]string, len(s))
		for i, n := range s {
			out[i] = strings.ToLower(n)
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(norm(a), norm(b))
}
