package rds_test

import "strings"

// wmiClass is what the reference (shared/reference/windows-rds-licensing.md,
// sections 1-4, from Microsoft's class documentation) says a class has.
type wmiClass struct {
	namespace  string
	properties []string
	writable   []string
	methods    map[string]wmiMethod
}

type wmiMethod struct {
	static bool
	in     []string
	out    []string
}

func static(in, out []string) wmiMethod   { return wmiMethod{static: true, in: in, out: out} }
func instance(in, out []string) wmiMethod { return wmiMethod{in: in, out: out} }
func names(s string) []string             { return strings.Fields(s) }

var contact = "FirstName LastName Company CountryRegion eMail OrgUnit Address City State PostalCode"

// wmiCatalog lists every class the scripts may use.
var wmiCatalog = map[string]wmiClass{
	"Win32_TSLicenseServer": {
		namespace:  "root/cimv2",
		properties: names(contact + " ServerRole DatabasePath ProductId Version VersionNumber"),
		writable:   names(contact),
		methods: map[string]wmiMethod{
			"ActivateServer":              static(names("sLicenseServerId"), names("ActivationStatus")),
			"ActivateServerAutomatic":     static(nil, names("ActivationStatus")),
			"DeactivateServer":            static(names("sConfirmCode"), names("ActivationStatus")),
			"DeactivateServerAutomatic":   static(nil, names("ActivationStatus")),
			"GetActivationStatus":         static(nil, names("ActivationStatus")),
			"GetLicenseServerId":          static(nil, names("sLicenseServerId")),
			"ReactivateServer":            static(names("sNewLicenseServerId"), names("ActivationStatus")),
			"ReactivateServerAutomatic":   static(names("Reason"), names("ActivationStatus")),
			"ChangeRole":                  static(names("ServerRole"), nil),
			"IsLSinTSLSGroup":             static(names("Domain"), names("IsMember")),
			"AddLStoTSLSGroup":            static(nil, nil),
			"RemoveLSfromTSLSGroup":       static(nil, nil),
			"IsLSonDC":                    static(nil, names("OnDC")),
			"IsLSPublished":               static(nil, names("Published")),
			"PublishLS":                   static(nil, nil),
			"UnpublishLS":                 static(nil, nil),
			"IsLSRegisteredToSCP":         static(nil, names("Registered")),
			"RegisterLSToSCP":             static(nil, nil),
			"UnRegisterLSFromSCP":         static(nil, nil),
			"IsLSSecGrpGPEnabled":         static(nil, names("Enabled")),
			"IsLSPreventUpgradeGPEnabled": static(nil, names("Enabled")),
			"IsSecureAccessAllowed":       static(names("tsname"), names("Allowed")),
			"IsTSinTSCGroup":              static(names("tsname"), names("IsMember")),
		},
	},
	"Win32_TSLicenseKeyPack": {
		namespace:  "root/cimv2",
		properties: names("KeyPackId Description KeyPackType ProductType ProductVersion ProductVersionID TotalLicenses IssuedLicenses AvailableLicenses ExpirationDate AccessRights TypeAndModel"),
		methods: map[string]wmiMethod{
			"InstallRetailPurchaseLicenseKeyPack":   static(names("sLicenseCode"), names("KeyPackId")),
			"InstallLicenseKeyPack":                 static(names("sLicenseKeyPackId"), names("KeyPackId")),
			"InstallOpenLicenseKeyPack":             static(names("sLicenseNumber sAuthorizationNumber ProductVersion ProductType LicenseCount"), names("KeyPackId")),
			"InstallAgreementLicenseKeyPack":        static(names("AgreementType sAgreementNumber ProductVersion ProductType LicenseCount"), names("KeyPackId")),
			"ReinstallRetailPurchaseLicenseKeyPack": static(names("sLicenseCode"), names("KeyPackId")),
			"ReinstallLicenseKeyPackOffline":        static(names("sLicenseKeyPackId"), names("KeyPackId")),
			"ReinstallOpenPurchaseLicenseKeyPack":   static(names("sLicenseNumber sAuthorizationNumber ProductVersion ProductType LicenseCount"), names("KeyPackId")),
			"ReinstallAgreementLicenseKeyPack":      static(names("AgreementType sAgreementNumber ProductVersion ProductType LicenseCount"), names("KeyPackId")),
			"UninstallLicenseKeyPack":               static(names("ProductVersion ProductType LicenseCount"), nil),
			"UninstallLicenseKeyPackWithId":         static(names("KeyPackId"), nil),
			"RemoveLicensesWithIdCount":             static(names("KeyPackId LicenseCount"), nil),
			"ConvertLicenses":                       instance(names("Count"), names("KeypackID")),
		},
	},
	"Win32_TSIssuedLicense": {
		namespace:  "root/cimv2",
		properties: names("LicenseId KeyPackId sIssuedToUser sIssuedToComputer sHardwareId IssueDate ExpirationDate LicenseStatus"),
		methods:    map[string]wmiMethod{"Revoke": instance(nil, names("RevokableCals NextRevokeAllowedOn"))},
	},
	"Win32_TSLicenseReport": {
		namespace:  "root/cimv2",
		properties: names("FileName GenerationDateTime Version LicenseUsageCount InstalledLicenses ScopeType ScopeValue"),
		methods: map[string]wmiMethod{
			"GenerateReportEx":                       static(nil, names("FileName")),
			"DeleteReport":                           instance(nil, nil),
			"FetchReportEntries":                     instance(names("StartIndex Count"), names("Count ReportEntries")),
			"FetchReportSummaryEntries":              instance(names("StartIndex Count"), names("Count ReportSummaryEntries")),
			"FetchReportFailedPerUserEntries":        instance(names("StartIndex Count"), names("Count ReportFailedPerUserEntries")),
			"FetchReportFailedPerUserSummaryEntries": instance(names("StartIndex Count"), names("Count ReportFailedPerUserSummaryEntries")),
			"FetchReportPerDeviceEntries":            instance(names("StartIndex Count"), names("Count ReportPerDeviceEntries")),
		},
	},
	"Win32_TerminalServiceSetting": {
		namespace:  "root/cimv2/TerminalServices",
		properties: names("ServerName TerminalServerMode LicensingType LicensingName LicensingDescription PossibleLicensingTypes PolicySourceLicensingType PolicySourceConfiguredLicenseServers"),
		methods: map[string]wmiMethod{
			"ChangeMode":                             instance(names("LicensingType"), nil),
			"SetSpecifiedLicenseServerList":          instance(names("SpecifiedLSList"), nil),
			"GetSpecifiedLicenseServerList":          instance(nil, names("SpecifiedLSList")),
			"AddLSToSpecifiedLicenseServerList":      instance(names("LicenseServerName"), nil),
			"RemoveLSFromSpecifiedLicenseServerList": instance(names("LicenseServerName"), nil),
			"EmptySpecifiedLicenseServerList":        instance(nil, nil),
			"SetPrimaryLicenseServer":                instance(names("LicenseServerName"), nil),
			"GetRegisteredLicenseServerList":         instance(nil, names("RegisteredLSList")),
			"GetGracePeriodDays":                     instance(nil, names("DaysLeft")),
			"GetTStoLSConnectivityStatus":            instance(names("ServerName"), names("TStoLSConnectivityStatus")),
			"FindLicenseServers":                     instance(nil, names("LicenseServersList Count")),
			"GetDomain":                              instance(nil, names("Domain")),
		},
	},
	// Standard Win32 classes, for host facts.
	"Win32_ComputerSystem": {
		namespace:  "root/cimv2",
		properties: names("Name DNSHostName Domain PartOfDomain DomainRole Workgroup Manufacturer Model"),
	},
	"Win32_OperatingSystem": {
		namespace:  "root/cimv2",
		properties: names("Caption Version BuildNumber LastBootUpTime OperatingSystemSKU"),
	},
}

// Members every CIM instance and every method result has.
var (
	instanceMembers = names("PSComputerName CimInstanceProperties CimClass CimSystemProperties Count Length")
	resultMembers   = names("ReturnValue PSComputerName")
)
