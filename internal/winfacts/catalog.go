package winfacts

import (
	"fmt"
	"strconv"
	"strings"
)

// Sources other than the WMI class pages.
const (
	srcCALs           = "https://learn.microsoft.com/en-us/windows-server/remote/remote-desktop-services/rds-client-access-license"
	srcInstallCALs    = "https://learn.microsoft.com/en-us/windows-server/remote/remote-desktop-services/rds-install-cals"
	srcAgreementPage  = docTermServ + "installagreementlicensekeypack-win32-tslicensekeypack"
	srcRetailPage     = docTermServ + "installretailpurchaselicensekeypack-win32-tslicensekeypack"
	srcKeyPackIDPage  = docTermServ + "installlicensekeypack-win32-tslicensekeypack"
	srcOpenPage       = docTermServ + "installopenlicensekeypack-win32-tslicensekeypack"
	srcModeWarning    = "https://learn.microsoft.com/en-us/troubleshoot/windows-server/remote/remote-desktop-licensing-mode-not-configured-warning"
	srcLicGuidance    = "https://learn.microsoft.com/en-us/troubleshoot/windows-server/remote/troubleshoot-rds-licensing-guidance"
	srcNoLicServer    = "https://learn.microsoft.com/en-us/troubleshoot/azure/virtual-machines/windows/troubleshoot-rdp-no-license-server"
	srcServerCore     = "https://learn.microsoft.com/en-us/windows-server/administration/server-core/server-core-roles-and-services"
	srcServerFeature  = "https://learn.microsoft.com/en-us/previous-versions/windows/desktop/mgmtprovider/msft-serverfeature"
	srcOSVersion      = "https://pkg.go.dev/github.com/Microsoft/hcsshim/osversion"
	srcKB5043080      = "https://support.microsoft.com/help/5043080"
	srcJagilber       = "jagilber/powershellScripts rds-lic-svr-chk.ps1"
	srcJournal        = "rdslicensing/terraform-provider-rdslicensing docs/design/key-pack-journal.md"
	srcReactivation   = "rdslicensing/terraform-provider-rdslicensing docs/design/reactivation-marker.md"
	srcAnsibleFeature = "ansible-collections/ansible.windows plugins/modules/win_feature.ps1"
	// A Checkmk agent's output of Win32_TSLicenseKeyPack, built-in pack included.
	srcCheckmkKeyPacks    = "Checkmk/checkmk cmk/base/legacy_checks/rds_licenses.py"
	srcFailedPerUserEntry = docTermServ + "win32-tslicensereportfailedperuserentry"
	// A public script that decodes product keys with their base-24 map.
	srcProductKeyMap = "BanterBoy/scripts-blog PowerShell/functions/Get-ProductKey.ps1"

	srcSecGroupPolicy  = "https://policypicker.app/policy/windows/windows-components/remote-desktop-services/rd-licensing/license-server-security-group-f2accbf387aa"
	srcEndpointSID     = "https://microsoft.github.io/windows-docs-rs/doc/windows/Win32/System/SystemServices/constant.DOMAIN_ALIAS_RID_RDS_ENDPOINT_SERVERS.html"
	srcSecGroup2003    = "https://learn.microsoft.com/en-us/previous-versions/windows/it-pro/windows-server-2003/cc758063(v=ws.10)"
	srcAddLocalMember  = "https://learn.microsoft.com/en-us/powershell/module/microsoft.powershell.localaccounts/add-localgroupmember"
	srcGetLocalMember  = "https://learn.microsoft.com/en-us/powershell/module/microsoft.powershell.localaccounts/get-localgroupmember"
	srcNTAccountTransl = "https://learn.microsoft.com/en-us/dotnet/api/system.security.principal.ntaccount.translate"
	srcGPProcessing    = "https://learn.microsoft.com/en-us/previous-versions/windows/it-pro/windows-server-2003/cc783171(v=ws.10)"
	srcSetGPRegistry   = "https://learn.microsoft.com/en-us/powershell/module/grouppolicy/set-gpregistryvalue"
	srcGetGPRegistry   = "https://learn.microsoft.com/en-us/powershell/module/grouppolicy/get-gpregistryvalue"
	srcNewGPLink       = "https://learn.microsoft.com/en-us/powershell/module/grouppolicy/new-gplink"
	srcSetGPLink       = "https://learn.microsoft.com/en-us/powershell/module/grouppolicy/set-gplink"
	srcNamingConv      = "https://learn.microsoft.com/en-us/troubleshoot/windows-server/active-directory/naming-conventions-for-computer-domain-site-ou"
)

// Facts is the catalog. IDs are unique; see facts_test.go for the rules.
var Facts = concat(wmiFacts(), codeFacts(), valueFacts(), registryFacts(), featureFacts(), protocolFacts(), wsmanFacts(), httpFacts(), kerberosFacts())

func concat(lists ...[]Fact) []Fact {
	var out []Fact
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// Lookup finds a fact by ID.
func Lookup(id string) (Fact, bool) {
	for _, f := range Facts {
		if f.ID == id {
			return f, true
		}
	}
	return Fact{}, false
}

// OfKind lists the facts of one kind, in catalog order.
func OfKind(kind string) []Fact {
	var out []Fact
	for _, f := range Facts {
		if f.Kind == kind {
			out = append(out, f)
		}
	}
	return out
}

// Subject is the part of the ID after "<kind>:".
func (f Fact) Subject() string { return strings.TrimPrefix(f.ID, f.Kind+":") }

// ReturnCode is the number a return_code fact stands for (ok false when
// its Value is not a number, as for how failures surface).
func (f Fact) ReturnCode() (int64, bool) {
	if f.Kind != KindReturnCode {
		return 0, false
	}
	n, err := strconv.ParseInt(f.Value, 0, 64)
	return n, err == nil
}

// HasReturnCode reports whether a return_code fact has the code.
func HasReturnCode(code int64) bool {
	for _, f := range OfKind(KindReturnCode) {
		if n, ok := f.ReturnCode(); ok && n == code {
			return true
		}
	}
	return false
}

func code(name string, n int64, src, statement string) Fact {
	return Fact{ID: KindReturnCode + ":" + name, Kind: KindReturnCode, Value: fmt.Sprintf("0x%X", n), Source: src,
		Statement: fmt.Sprintf("%s (%d): %s", name, n, statement)}
}

// mapping is an unverified choice of code for a failure, flipped by a quirk.
func mapping(id string, n int64, quirk, statement string) Fact {
	return Fact{ID: KindReturnCode + ":" + id, Kind: KindReturnCode, Value: fmt.Sprintf("0x%X", n),
		Statement: statement, Unverified: true, Quirk: quirk}
}

func codeFacts() []Fact {
	return []Fact{
		code("WBEM_E_FAILED", 0x80041001, srcWMIErrorConstants, "unspecified failure."),
		code("WBEM_E_NOT_FOUND", 0x80041002, srcWMIErrorConstants, "the object (a key pack, a report) does not exist."),
		code("WBEM_E_ACCESS_DENIED", 0x80041003, srcWMIErrorConstants, "the caller lacks the right (not an administrator, not Domain or Enterprise Admin)."),
		code("WBEM_E_PROVIDER_FAILURE", 0x80041004, srcTermServErrors, "the provider failed after initialization."),
		code("WBEM_E_TYPE_MISMATCH", 0x80041005, srcTermServErrors, "a value of the wrong type."),
		code("WBEM_E_INVALID_PARAMETER", 0x80041008, srcTermServErrors, "a parameter is not correct."),
		code("WBEM_E_NOT_AVAILABLE", 0x80041009, srcTermServErrors, "a resource, typically a remote server, is not available."),
		code("WBEM_E_NOT_SUPPORTED", 0x8004100C, srcTermServErrors, "not supported (the TSC group methods and GenerateReport since Windows Server 2012)."),
		code("WBEM_E_INVALID_CLASS", 0x80041010, srcWMIErrorConstants, "the class does not exist: Win32_TSLicenseServer and its siblings before RDS-Licensing is installed."),
		code("WBEM_E_INVALID_OPERATION", 0x80041016, srcTermServErrors, "the operation is not valid; documented also for writing a setting Group Policy controls."),
		code("WBEM_E_ALREADY_EXISTS", 0x80041019, srcTermServErrors, "the object already exists."),
		code("WBEM_E_VALUE_OUT_OF_RANGE", 0x8004102B, srcTermServErrors, "a value is out of range."),
		code("WBEM_E_INVALID_METHOD_PARAMETERS", 0x8004102F, srcTermServErrors, "the method's parameters are not valid."),
		code("LSERVER_I_NO_MORE_DATA", 0x4001, srcFetchReportEntries, "the Fetch* methods of Win32_TSLicenseReport have no more entries: not an error."),

		mapping("policy_controlled_write", 0x80041016, "policy_write_code",
			"ChangeMode and SetSpecifiedLicenseServerList return WBEM_E_INVALID_OPERATION when Group Policy sets the value (the error list documents the code for policy-controlled properties, not for these methods)."),
		mapping("clearinghouse_unreachable", 0x80041009, "clearinghouse_unreachable_code",
			"Activation and the agreement/open install methods return WBEM_E_NOT_AVAILABLE when the Clearinghouse cannot be reached."),
		mapping("invalid_code", 0x80041008, "invalid_code_code",
			"The install methods return WBEM_E_INVALID_PARAMETER for a code or number the Clearinghouse does not know."),
		mapping("code_already_used", 0x80041019, "code_already_used_code",
			"InstallRetailPurchaseLicenseKeyPack returns WBEM_E_ALREADY_EXISTS for a retail code used before."),
		mapping("not_activated", 0x80041001, "not_activated_code",
			"The install methods return WBEM_E_FAILED on a license server that is not activated (that activation is required is documented at "+srcInstallCALs+"; the code is not)."),
		mapping("version_too_new", 0x80041008, "version_too_new_code",
			"The install methods return WBEM_E_INVALID_PARAMETER for CALs newer than the license server's Windows release."),
		mapping("tsls_group_empty_domain", 0x80041008, "tsls_group_empty_domain",
			"IsLSinTSLSGroup refuses Domain = '' with WBEM_E_INVALID_PARAMETER (the page speaks of \"no domain name\" for the server's own domain)."),
		{ID: KindReturnCode + ":failure_surface", Kind: KindReturnCode, Value: "ReturnValue", Unverified: true, Quirk: "failures_as_cim_exception",
			Statement: "The licensing and session host methods report a failure as a non-zero ReturnValue rather than by throwing a CimException with the code (an informational code such as LSERVER_I_NO_MORE_DATA is never thrown). The scripts take both alike at every call (a contract test checks it); only GetGracePeriodDays is modelled as throwing always, where no grace period runs."},
	}
}

func value(id, v, src, statement string) Fact {
	return Fact{ID: KindValue + ":" + id, Kind: KindValue, Value: v, Source: src, Statement: statement}
}

func unverifiedValue(id, v, quirk, statement string) Fact {
	return Fact{ID: KindValue + ":" + id, Kind: KindValue, Value: v, Unverified: true, Quirk: quirk, Statement: statement}
}

func withProbe(f Fact, probe string) Fact { f.Probe = probe; return f }

// builtIn is a property of the built-in key pack as real servers show it.
func builtIn(property, v, src, statement string) Fact {
	return withProbe(value("BuiltInKeyPack."+property, v, src, statement), "keypack.builtin."+property)
}

func valueFacts() []Fact {
	f := []Fact{
		withProbe(value("ProductVersionID.2016", "5", srcAgreementPage, "Windows Server 2016 CALs have ProductVersion (install parameter) and ProductVersionID 5."), "keypack.version_id[Windows Server 2016]"),
		withProbe(value("ProductVersionID.2019", "6", srcAgreementPage, "Windows Server 2019 CALs have ProductVersion 6."), "keypack.version_id[Windows Server 2019]"),
		withProbe(unverifiedValue("ProductVersionID.2022", "7", "product_version_2022",
			"Windows Server 2022 CALs have ProductVersion 7 (the install methods document up to 6; 7 appears only for the ProductVersionID property)."), "keypack.version_id[Windows Server 2022]"),
		withProbe(unverifiedValue("ProductVersionID.2025", "8", "product_version_2025",
			"Windows Server 2025 CALs have ProductVersion 8 (documented nowhere; public scripts guess it by sequence)."), "keypack.version_id[Windows Server 2025]"),
		value("ProductVersionID.2008", "2", srcAgreementPage, "Windows Server 2008 (and 2008 R2 for the install methods) CALs have ProductVersion 2."),
		value("ProductVersionID.2008R2", "3", srcKeyPack, "Windows Server 2008 R2 CALs have ProductVersionID 3."),
		value("ProductVersionID.2012", "4", srcAgreementPage, "Windows Server 2012 and 2012 R2 CALs have ProductVersion 4."),
		value("ProductVersion.string", "Windows Server <release>", srcKeyPack, "The key pack property ProductVersion is a string such as \"Windows Server 2019\" (\"Windows Server 2008 R2\" for 3); the install parameter of the same name is the number."),
		unverifiedValue("ProductVersion.string.2025", "Windows Server 2025", "", "The ProductVersion string of Windows Server 2025 CALs."),
		value("OSBuild.2016", "10.0.14393", srcOSVersion, "Windows Server 2016 is build 10.0.14393."),
		value("OSBuild.2019", "10.0.17763", srcOSVersion, "Windows Server 2019 is build 10.0.17763."),
		value("OSBuild.2022", "10.0.20348", srcOSVersion, "Windows Server 2022 is build 10.0.20348."),
		value("OSBuild.2025", "10.0.26100", srcKB5043080, "Windows Server 2025 is build 10.0.26100 (its general-availability update KB5043080 is OS Build 26100.1742)."),
		value("CALVersionRule", "LS >= CAL >= session host", srcCALs, "A license server holds CALs of its own release or older; a CAL serves session hosts of its own release or older."),

		value("LicensingType.2", "2", srcDeploymentLicensing, "LicensingType/ChangeMode/LicensingMode 2 is Per Device."),
		value("LicensingType.4", "4", srcChangeMode, "LicensingType/ChangeMode/LicensingMode 4 is Per User (the class page's \"Per User (3)\" conflicts with its own PossibleLicensingTypes map and with ChangeMode)."),
		value("LicensingType.5", "5", srcDeploymentLicensing, "LicensingType 5 is Not Configured; winsim's RCM LicensingMode default."),
		withProbe(value("LicensingType.without_rdsh", "1", srcJagilber, "Without the RD Session Host role (TerminalServerMode 0) LicensingType is 1, Remote Desktop for Administration, whatever the registry holds."), "ts.without_rdsh.LicensingType"),
		withProbe(value("TerminalServerMode.without_rdsh", "0", srcTSSetting, "TerminalServerMode is 1 (AppServer) with the RD Session Host role, 0 (RemoteAdmin) without."), "ts.without_rdsh.TerminalServerMode"),
		value("PolicySource", "0 server, 1 Group Policy", srcTSSetting, "PolicySourceLicensingType and PolicySourceConfiguredLicenseServers say where the effective value comes from."),
		withProbe(unverifiedValue("LicensingName.2", "Per Device", "", "LicensingName of LicensingType 2."), "ts.licensing_name[2]"),
		withProbe(unverifiedValue("LicensingName.4", "Per User", "", "LicensingName of LicensingType 4."), "ts.licensing_name[4]"),
		withProbe(unverifiedValue("LicensingName.1", "Remote Desktop for Administration", "", "LicensingName of LicensingType 1 (a host without the RD Session Host role)."), "ts.licensing_name[1]"),
		withProbe(unverifiedValue("LicensingName.5", "Not configured", "", "LicensingName of LicensingType 5."), "ts.licensing_name[5]"),
		withProbe(unverifiedValue("ChangeMode.immediate", "true", "", "After ChangeMode, Win32_TerminalServiceSetting.LicensingType shows the new mode at once, without a restart of TermService (observed by the probe's lab write cycle)."), "write.ChangeMode.effective_without_restart"),
		withProbe(unverifiedValue("ChangeMode.registry", "true", "", "ChangeMode writes the mode to RCM\\Licensing Core\\LicensingMode, where the scripts read the configured (non-policy) mode (observed by the probe's lab write cycle)."), "write.ChangeMode.registry"),
		value("ConnectivityStatus", "4 LOWER_VERSION, 5 NOT_IN_TSCGROUP, 6 NOT_CONNECTABLE, 8 CONNECTABLE_BUT_ACCESS_DENIED, 11 VALID_LS", srcTSSettingMethods,
			"The GetTStoLSConnectivityStatus answers winsim models."),
		unverifiedValue("ConnectivityStatus.unmodelled", "3 BETA_RTM_MISMATCH, 7 UNKNOWN_VALIDITY, 10 FEATURE_NOT_SUPPORTED", "connectivity_status",
			"When Windows gives the GetTStoLSConnectivityStatus answers winsim does not derive from state."),
		value("GroupPolicy.registry_settings", "Set-GPRegistryValue / Remove-GPRegistryValue", srcSetGPRegistry,
			"Set-GPRegistryValue writes a registry-based setting (HKLM for Computer Configuration, with -Type DWord or String) into a domain GPO by name; Remove-GPRegistryValue takes it out of the GPO; both talk to the PDC emulator unless -Server."),
		value("GroupPolicy.get_not_configured", "an error", srcGetGPRegistry,
			"Get-GPRegistryValue reports an error, not an empty result, for a setting the GPO does not configure; a setting the GPO deletes on clients has PolicyState Delete."),
		unverifiedValue("GroupPolicy.get_not_configured.id", "UnableToRetrievePolicyRegistryItem", "",
			"The FullyQualifiedErrorId of Get-GPRegistryValue's error for a setting the GPO does not configure, which the scripts take for \"not configured\" (seen in community scripts only)."),
		value("GroupPolicy.links", "New-GPLink, Remove-GPLink, Get-GPInheritance", srcNewGPLink,
			"New-GPLink links a GPO to a domain or OU by distinguished name (enabled by default; -Order, -Enforced); Get-GPInheritance lists a target's links (DisplayName, Enabled, Enforced, Order); Remove-GPLink removes one."),
		value("GroupPolicy.link_order", "order 1 wins among a target's links", srcSetGPLink,
			"A link's Order gives its precedence over the other links of the same site, domain or OU: a lower number wins."),
		value("GroupPolicy.processing", "local, site, domain, then OUs from the top down", srcGPProcessing,
			"Computers apply GPOs in this order, so the OU closest to the computer account wins; enforced links and blocked inheritance change which apply (winsim does not model them). Clients apply a changed GPO at their next refresh (gpupdate, or the periodic refresh), not at once."),
		unverifiedValue("RSoP.local_gpo", "GPOID LocalGPO; registryKey without its hive", "",
			"In the RSoP logging data the local GPO's id is LocalGPO, and a registry setting's registryKey is the path under the hive (Software\\Policies\\...); the scripts match the key's end and take any other GPOID for a domain GPO."),
		value("SecurityGroupPolicy", "only members of RDS Endpoint Servers get CALs", srcSecGroupPolicy,
			"The license server policy \"License server security group\" (TS_LICENSE_SECGROUP): enabled, the license server answers CAL requests only from session hosts whose computer accounts are in its local group RDS Endpoint Servers (empty by default); disabled or not configured, the group is left as it is and every session host is served. It needs a domain."),
		value("RDSEndpointServers.SID", "S-1-5-32-576", srcEndpointSID,
			"The local group RDS Endpoint Servers is the builtin alias DOMAIN_ALIAS_RID_RDS_ENDPOINT_SERVERS (576): SID S-1-5-32-576, whatever its localised name."),
		unverifiedValue("RDSEndpointServers.applied_at_start", "at the next start of TermServLicensing", "endpoint_servers_live",
			"The licensing service reads the security group policy and the group's members when it starts, so a change takes effect after a restart of TermServLicensing (Windows Server 2003's documentation says so of the membership; for 2016-2025 unverified)."),
		value("LocalGroupMember.domain_accounts", "domain and trusted domains' users, computers and groups", srcAddLocalMember,
			"On a domain member, Add-LocalGroupMember adds user, computer and group accounts of its domain and of trusted domains to a local group; -SID names the group by its SID, and a member may be given by name or SID."),
		value("LocalGroupMember.output", "Name as DOMAIN\\name", srcGetLocalMember,
			"Get-LocalGroupMember -SID lists a local group's members, each Name as DOMAIN\\name (COMPUTER\\name for local accounts)."),
		value("NTAccount.Translate", "IdentityNotMappedException when not found", srcNTAccountTransl,
			"NTAccount.Translate(SecurityIdentifier) looks an account name up and throws IdentityNotMappedException when it cannot be mapped: the script looks every account up before it changes anything."),
		value("NetBIOSComputerName", "at most 15 characters, none of \\ / : * ? \" < > |", srcNamingConv,
			"A NetBIOS computer name has at most 15 characters and none of these; a computer's account is its NetBIOS name with a trailing $."),
		value("GracePeriodDays", "120", srcCALs, "A new session host has a 120-day grace period in which it needs no license server; GetGracePeriodDays counts it down."),

		value("TypeAndModel", "RDS Per Device CAL, RDS Per User CAL", srcKeyPack, "TypeAndModel of per-device and per-user packs."),
		value("KeyPackDescription", "A02-6.00-S (2008 per device), C50-6.02-S (2012 per user), C50-10.01-S (2019 per user)", srcCheckmkKeyPacks,
			"An installed pack's Description is a product code of its CALs' type and release, the same on volume (KeyPackType 2) and Open License (5) packs: it names neither the program nor the agreement, so Windows cannot tell a pack's agreement type."),
		unverifiedValue("KeyPackDescription.modelled", "A02 per device, C50 per user, then 6.01, 10.00, 10.02, 10.03 for 2008 R2, 2016, 2022, 2025", "",
			"The product codes of the releases no capture shows follow the pattern of those that do (winsim's descriptions)."),
		value("ProductKeyAlphabet", "BCDFGHJKMPQRTVWXY2346789", srcProductKeyMap,
			"Windows product keys (5 groups of 5) use these 24 characters, which leave out the vowels and the look-alikes 0, 1, 5, I, L, O, S: the base-24 map that decodes DigitalProductId."),
		unverifiedValue("RetailCode.alphabet", "the product key alphabet", "",
			"Retail license codes use the product key alphabet (the install method's page says only 25 alphanumeric characters): winsim's codes do, and the provider warns of other characters at plan, never refuses them."),
		value("TemporaryCAL.PerDevice", "90 days", srcCALs,
			"In per-device mode a device gets a temporary CAL at its first sign-in, valid 90 days; only an activated license server with CALs available replaces it with a permanent one, so behind one that is not activated each device connects until its temporary CAL expires. Per-user mode has no temporary CALs."),
		// Not probed: winsim differs on purpose, and nothing relies on it.
		value("BuiltInKeyPack.KeyPackId", "2", srcCheckmkKeyPacks, "The built-in pack's KeyPackId; packs installed later get 3 and up. winsim gives it 1 (its and the provider's tests number installed packs from 2); the provider never relies on the ID."),
		builtIn("Description", "A02-5.00-EX", srcCheckmkKeyPacks, "The built-in pack's Description."),
		builtIn("KeyPackType", "6", srcCheckmkKeyPacks, "The built-in pack's KeyPackType, 6 (documented as \"not supported\")."),
		builtIn("ProductType", "3", srcCheckmkKeyPacks, "The built-in pack's ProductType (3, built-in)."),
		builtIn("ProductVersion", "Windows 2000 Server", srcCheckmkKeyPacks, "The built-in pack's ProductVersion string."),
		builtIn("ProductVersionID", "0", srcCheckmkKeyPacks, "The built-in pack's ProductVersionID (0, documented as \"not supported\")."),
		builtIn("TotalLicenses", "4294967295", srcCheckmkKeyPacks, "The built-in pack's TotalLicenses, 0xFFFFFFFF (-1 where read signed); AvailableLicenses the same, IssuedLicenses 0."),
		// Not probed: a DateTime reaches the script in the server's time zone.
		value("BuiltInKeyPack.ExpirationDate", "20351231230000.000000-000", srcCheckmkKeyPacks, "The built-in pack's ExpirationDate."),
		builtIn("TypeAndModel", "Built-in TS Per Device CAL", srcFailedPerUserEntry, "The built-in pack's TypeAndModel, \"CAL\" in capitals, as the CALType list of the report classes spells it and a second capture of the pack shows (community scripts write \"Cal\"; the scripts compare without case)."),
		value("KeyPackType", "0 unknown, 1 retail, 2 volume, 3 concurrent, 4 temporary, 5 open license, 6 not supported", srcKeyPack, "Win32_TSLicenseKeyPack.KeyPackType."),
		value("ProductType", "0 per device, 1 per user, 2 not valid, 3 built-in", srcKeyPack, "Win32_TSLicenseKeyPack.ProductType; the install methods take 0 or 1."),
		value("AgreementType", "0 Select, 1 Enterprise, 2 Campus, 3 School, 4 Service Provider, 5 other", srcAgreementPage, "The AgreementType of InstallAgreementLicenseKeyPack."),
		value("AgreementNumber", "7 digits", srcAgreementPage, "sAgreementNumber is a 7-digit number without hyphens."),
		unverifiedValue("AgreementNumber.spla", "7 or 8 digits", "", "Service provider and other agreement numbers of 8 digits exist (SPLA)."),
		value("RetailCode", "25 characters", srcRetailPage, "A retail license code is 25 alphanumeric characters without hyphens."),
		value("LicenseKeyPackID", "35 characters", srcKeyPackIDPage, "A license key pack ID (web or phone) is 35 alphanumeric characters without hyphens."),
		value("LicenseServerID", "35 characters", srcLicenseServerMeth, "A license server ID (ActivateServer, ReactivateServer) is 35 alphanumeric characters."),
		value("OpenLicense", "8 digits + 15 characters", srcOpenPage, "An Open License number has 8 digits; its authorization number 15 alphanumeric characters."),
		value("ActivationStatus", "0 activated, 1 not activated, 2 unknown", srcLicenseServerMeth, "The ActivationStatus out parameter."),
		value("ServerRole", "0 workgroup, 1 domain, 2 forest", srcLicenseServer, "ServerRole/ChangeRole: discovery scope; 1 needs Domain Admin, 2 Enterprise Admin."),
		value("ReactivationReason", "0 redeployed, 1 certificate corrupt, 2 key compromised, 3 key expired, 4 upgraded", srcLicenseServerMeth, "ReactivateServerAutomatic's Reason."),
		value("ContactRequired", "FirstName LastName Company CountryRegion", srcLicenseServer, "ActivateServerAutomatic needs these contact properties; reactivation and deactivation need FirstName and LastName."),
		unverifiedValue("CountryRegion", "English country names", "accept_any_country", "Win32_TSLicenseServer takes only country names of its list (English on en-US; modelled as winfacts.CountryNames, compared without case) and refuses others with WBEM_E_INVALID_PARAMETER."),
		unverifiedValue("ProductId", "5-5-5-5 digits", "", "The format of Win32_TSLicenseServer.ProductId."),
		value("LicenseStatus", "1 temporary, 2 active, 4 revoked", srcIssuedLicense, "Win32_TSIssuedLicense.LicenseStatus values winsim uses (0 unknown, 3 upgrade, 5 pending, 6 concurrent are documented too)."),
		value("RevokeLimit", "20% of per-device CALs", srcCALs, "Per-device CALs can be revoked up to 20%; per-user CALs cannot be revoked."),
		value("Revoke.per_device", "per-device CALs only, by an administrator", srcRevoke,
			"Win32_TSIssuedLicense.Revoke revokes the per-device CAL of its instance; only per-device CALs can be revoked, by a member of Administrators. Out: RevokableCals (how many CALs of the same type can still be revoked) and NextRevokeAllowedOn, valid only when Revoke failed at the limit."),
		unverifiedValue("Revoke.limit_code", "0x80041001 WBEM_E_FAILED", "revoke_limit_code",
			"What Revoke returns past the limit of revoked per-device CALs; the scripts tell the limit by a valid NextRevokeAllowedOn instead of the code."),
		unverifiedValue("Revoke.limit_counting", "revoked CALs of the version count until they expire", "",
			"How Windows counts toward the limit: winsim counts the version's revoked CALs (LicenseStatus 4) against 20% of its installed per-device CALs, and gives the first one's expiry as NextRevokeAllowedOn. The provider's plan-time check counts the same way; apply trusts Revoke."),
		unverifiedValue("Revoke.returns_to_pack", "available again at once", "",
			"A revoked CAL is at once available to another device: its key pack's IssuedLicenses drops by one (Windows Server 2008 R2's documentation said so; no current page does)."),
		value("InstallState", "Available, Installed, InstallPending, UninstallPending, Removed", srcServerFeature, "Get-WindowsFeature's InstallState strings (MSFT_ServerFeature.State 0, 1, 3, 2, 5)."),
		value("ExitCode", "Success, NoChangeNeeded, SuccessRestartRequired, Failed", srcAnsibleFeature, "Install-WindowsFeature's ExitCode names."),
		unverifiedValue("RestartNeeded.maybe", "Maybe", "restart_maybe", "Install-WindowsFeature answers RestartNeeded Maybe for a change it made, with nothing left pending."),
	}
	return f
}

func registry(path, statement, src string) Fact {
	return Fact{ID: KindRegistry + ":" + path, Kind: KindRegistry, Statement: statement, Source: src}
}

// Registry paths, HKLM\ spelt out.
const (
	RegPolicy       = `HKLM\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services`
	RegLicCore      = `HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server\RCM\Licensing Core`
	RegLicServers   = `HKLM\SYSTEM\CurrentControlSet\Services\TermService\Parameters\LicenseServers`
	RegGracePeriod  = `HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server\RCM\GracePeriod`
	RegJournal      = `HKLM\SOFTWARE\rdslicensing\KeyPackJournal`
	RegReactivation = `HKLM\SOFTWARE\rdslicensing\Reactivation`
	RegCBSReboot    = `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending`
	RegWUReboot     = `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired`
)

func registryFacts() []Fact {
	f := []Fact{
		registry(RegPolicy, "The Group Policy key of the session host's licensing settings (TerminalServer.admx); its values win over the non-policy ones.", srcLicGuidance),
		registry(RegPolicy+`\LicensingMode`, "REG_DWORD, policy \"Set the Remote Desktop licensing mode\": 2 Per Device, 4 Per User.", srcModeWarning),
		registry(RegPolicy+`\LicenseServers`, "REG_SZ, policy \"Use the specified Remote Desktop license servers\": comma-separated names.", srcModeWarning),
		{ID: KindRegistry + ":" + RegPolicy + `\fSecureLicensing`, Kind: KindRegistry, Unverified: true,
			Statement: "REG_DWORD, policy \"License server security group\" on a license server: 1 enabled, 0 disabled, absent not configured. The key is the policy's (" + srcSecGroupPolicy + "); the value name is shown there truncated (\"fSe...\") and is inferred."},
		registry(RegLicCore, "The non-policy licensing configuration key that the RDS console and ChangeMode write.", srcModeWarning),
		registry(RegLicCore+`\LicensingMode`, "REG_DWORD: 2 Per Device, 4 Per User (5 not configured follows the WMI numbering).", srcModeWarning),
		registry(RegLicServers, "The key of the non-policy license server list.", srcNoLicServer),
		registry(RegLicServers+`\SpecifiedLicenseServers`, "REG_MULTI_SZ, the license servers SetSpecifiedLicenseServerList writes (names or IPs).", srcNoLicServer),
		{ID: KindRegistry + ":" + RegGracePeriod, Kind: KindRegistry, Unverified: true,
			Statement: "Holds the grace period timer (a binary value L$RTMTIMEBOMB_<GUID>, writable only by SYSTEM); the provider never touches it, winsim models only the days left."},
		{ID: KindRegistry + ":" + RegCBSReboot, Kind: KindRegistry, Unverified: true,
			Statement: "Present while component servicing waits for a restart: one of the two keys the scripts read as a pending restart."},
		{ID: KindRegistry + ":" + RegWUReboot, Kind: KindRegistry, Unverified: true,
			Statement: "Present while Windows Update waits for a restart."},
		registry(RegReactivation, "The provider's reactivation marker, in the 64-bit view, under the key pack journal's lock: a lost reactivation answer can be told from a method never called.", srcReactivation),
		registry(RegReactivation+`\Started`, "REG_SZ: the attempt ID (32 lower-case hex digits) of the last reactivation that went on to its WMI method.", srcReactivation),
		registry(RegReactivation+`\Fenced`, "REG_MULTI_SZ: the newest 16 attempt IDs the provider gave up; such an attempt never calls its method.", srcReactivation),
		registry(RegJournal, "The provider's key pack journal: one subkey per install request, named by its request ID, in the 64-bit view; it outlives restarts and the RD Licensing role.", srcJournal),
	}
	for _, v := range []struct{ name, kind string }{
		{"State", "REG_SZ, written last"}, {"Program", "REG_SZ"}, {"ProductVersion", "REG_QWORD"}, {"ProductType", "REG_QWORD"},
		{"LicenseCount", "REG_QWORD"}, {"AgreementType", "REG_QWORD"}, {"CodeTag", "REG_SZ"}, {"Owner", "REG_SZ"},
		{"Before", "REG_MULTI_SZ of key pack IDs"}, {"KeyPackId", "REG_QWORD"}, {"ReturnValue", "REG_QWORD"},
		{"Started", "REG_SZ, round-trip time"}, {"Updated", "REG_SZ, round-trip time"},
	} {
		f = append(f, registry(RegJournal+`\<request id>\`+v.name, "Journal entry value "+v.name+": "+v.kind+".", srcJournal))
	}
	return f
}

func featureFacts() []Fact {
	feature := func(name, statement string) Fact {
		return Fact{ID: KindFeature + ":" + name, Kind: KindFeature, Value: name, Statement: statement, Source: srcServerCore, Probe: "feature." + name}
	}
	service := func(name, statement string, probe string) Fact {
		return Fact{ID: KindService + ":" + name, Kind: KindService, Value: name, Statement: statement, Source: srcJagilber, Probe: probe}
	}
	return []Fact{
		feature("RDS-Licensing", "The Remote Desktop Licensing role service."),
		feature("RDS-Licensing-UI", "RD Licensing Manager (RSAT), not on Server Core."),
		feature("RSAT-RDS-Licensing-Diagnosis-UI", "RD Licensing Diagnoser (RSAT), not on Server Core."),
		feature("RDS-RD-Server", "The RD Session Host role service, not on Server Core; its install needs a restart."),
		feature("RSAT-RDS-Tools", "The RSAT container of the RDS tools."),
		{ID: KindFeature + ":GPMC", Kind: KindFeature, Value: "GPMC", Unverified: true,
			Statement: "Group Policy Management, whose class library the GroupPolicy cmdlets are built on (https://learn.microsoft.com/en-us/previous-versions//ee840126(v=vs.85)), is the feature named GPMC: on domain controllers, installable on member servers; the scripts test for the GroupPolicy module itself."},
		{ID: KindFeature + ":RDS-Licensing.restart", Kind: KindFeature, Value: "no restart", Unverified: true, Quirk: "licensing_role_needs_restart",
			Statement: "Installing RDS-Licensing alone needs no restart (RestartNeeded No)."},
		{ID: KindFeature + ":IncludeManagementTools", Kind: KindFeature, Unverified: true,
			Statement: "Whether Install-WindowsFeature -IncludeManagementTools on RDS-Licensing pulls in RDS-Licensing-UI: the scripts name the tools one by one."},
		service("TermServLicensing", "The Remote Desktop Licensing service of the RDS-Licensing role; public scripts make it Automatic and start it after the install.", "role.licensing.service"),
		service("TermService", "The Remote Desktop Services service; the session host reads its licensing settings when it starts.", ""),
	}
}

func protocolFacts() []Fact {
	p := func(id, quirk, statement string) Fact {
		return Fact{ID: KindProtocol + ":" + id, Kind: KindProtocol, Unverified: true, Quirk: quirk, Statement: statement}
	}
	return []Fact{
		p("stderr_bom", "stderr_bom", "powershell.exe's stderr starts with a UTF-8 BOM under code page 65001 (reported once)."),
		p("stdout_bom", "stdout_bom", "powershell.exe's stdout starts with a UTF-8 BOM under code page 65001."),
		p("progress_noise", "progress_noise", "powershell.exe writes a \"Preparing modules for first use.\" progress record to stderr at start."),
		{ID: KindProtocol + ":httpsys_timeouts", Kind: KindProtocol, Value: "HeaderWait 120 s, EntityBody 120 s, IdleConnection 120 s",
			Source:    "https://learn.microsoft.com/en-us/windows/win32/http/server-timeouts-property",
			Statement: "HTTP.sys, which serves WinRM, disconnects a client that takes longer than these to send its headers, the next piece of its body (the timer restarts with each), or its next request on an idle connection."},
	}
}
