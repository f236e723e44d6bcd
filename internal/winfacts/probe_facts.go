package winfacts

import (
	"sort"
	"strings"
)

// ProbeFacts are the facts the conformance probe (cmd/winsim probe, the
// read-only operation get_windows_facts) observes, each with its Probe
// key. They join the catalog (Facts) when both are merged.
var ProbeFacts = probeFacts()

const (
	docTSSetting = "https://learn.microsoft.com/en-us/windows/win32/termserv/win32-terminalservicesetting"
	docKeyPack   = "https://learn.microsoft.com/en-us/windows/win32/termserv/win32-tslicensekeypack"
	docLS        = "https://learn.microsoft.com/en-us/windows/win32/termserv/win32-tslicenseserver"
	docIssued    = "https://learn.microsoft.com/en-us/windows/win32/termserv/win32-tsissuedlicense"
	docReport    = "https://learn.microsoft.com/en-us/windows/win32/termserv/win32-tslicensereport"
	// The install methods document ProductVersion 5 (2016) and 6 (2019).
	docAgreement = "https://learn.microsoft.com/en-us/windows/win32/termserv/installagreementlicensekeypack-win32-tslicensekeypack"
)

// probeMethods are the methods whose parameters the probe reads from
// Get-CimClass: "Class.Method in-parameters / out-parameters", each list
// comma-separated and sorted as the probe sorts them (case-insensitively).
var probeMethods = []string{
	"Win32_TSLicenseServer.ActivateServer sLicenseServerId / ActivationStatus",
	"Win32_TSLicenseServer.ActivateServerAutomatic  / ActivationStatus",
	"Win32_TSLicenseServer.DeactivateServerAutomatic  / ActivationStatus",
	"Win32_TSLicenseServer.GetActivationStatus  / ActivationStatus",
	"Win32_TSLicenseServer.GetLicenseServerId  / sLicenseServerId",
	"Win32_TSLicenseServer.ReactivateServer sNewLicenseServerId / ActivationStatus",
	"Win32_TSLicenseServer.ReactivateServerAutomatic Reason / ActivationStatus",
	"Win32_TSLicenseServer.ChangeRole ServerRole / ",
	"Win32_TSLicenseServer.IsLSinTSLSGroup Domain / IsMember",
	"Win32_TSLicenseServer.AddLStoTSLSGroup  / ",
	"Win32_TSLicenseServer.RemoveLSfromTSLSGroup  / ",
	"Win32_TSLicenseServer.IsLSonDC  / OnDC",
	"Win32_TSLicenseKeyPack.InstallRetailPurchaseLicenseKeyPack sLicenseCode / KeyPackId",
	"Win32_TSLicenseKeyPack.InstallLicenseKeyPack sLicenseKeyPackId / KeyPackId",
	"Win32_TSLicenseKeyPack.InstallOpenLicenseKeyPack LicenseCount,ProductType,ProductVersion,sAuthorizationNumber,sLicenseNumber / KeyPackId",
	"Win32_TSLicenseKeyPack.InstallAgreementLicenseKeyPack AgreementType,LicenseCount,ProductType,ProductVersion,sAgreementNumber / KeyPackId",
	"Win32_TSLicenseKeyPack.UninstallLicenseKeyPackWithId KeyPackId / ",
	"Win32_TSLicenseKeyPack.RemoveLicensesWithIdCount KeyPackId,LicenseCount / ",
	"Win32_TSLicenseReport.GenerateReportEx  / FileName",
	"Win32_TSLicenseReport.DeleteReport  / ",
	"Win32_TSLicenseReport.FetchReportEntries Count,StartIndex / Count,ReportEntries",
	"Win32_TerminalServiceSetting.ChangeMode LicensingType / ",
	"Win32_TerminalServiceSetting.SetSpecifiedLicenseServerList SpecifiedLSList / ",
	"Win32_TerminalServiceSetting.GetSpecifiedLicenseServerList  / SpecifiedLSList",
	"Win32_TerminalServiceSetting.GetGracePeriodDays  / DaysLeft",
	"Win32_TerminalServiceSetting.GetTStoLSConnectivityStatus ServerName / TStoLSConnectivityStatus",
}

var classDocs = map[string]string{
	"Win32_TSLicenseServer": docLS, "Win32_TSLicenseKeyPack": docKeyPack, "Win32_TSIssuedLicense": docIssued,
	"Win32_TSLicenseReport": docReport, "Win32_TerminalServiceSetting": docTSSetting,
}

func probeFacts() []Fact {
	var out []Fact
	classes := make([]string, 0, len(classDocs))
	for c := range classDocs {
		classes = append(classes, c)
	}
	sort.Strings(classes)
	for _, c := range classes {
		ns := "root/cimv2"
		if c == "Win32_TerminalServiceSetting" {
			ns = "root/cimv2/TerminalServices"
		}
		out = append(out, Fact{
			ID: "wmi_class:" + c, Kind: KindWMIClass, Statement: c + " is in namespace " + ns,
			Value: ns, Source: classDocs[c], Probe: "wmi_class." + c,
		})
	}
	for _, m := range probeMethods {
		name, sig, _ := strings.Cut(m, " ")
		in, outs, _ := strings.Cut(sig, "/")
		in, outs = strings.TrimSpace(in), strings.TrimSpace(outs)
		class, method, _ := strings.Cut(name, ".")
		out = append(out,
			Fact{ID: "wmi_method:" + name + ".in", Kind: KindWMIMethod, Statement: name + " takes the in parameters [" + in + "]",
				Value: in, Source: classDocs[class], Probe: "wmi_method." + class + "." + method + ".in"},
			Fact{ID: "wmi_method:" + name + ".out", Kind: KindWMIMethod, Statement: name + " returns the out parameters [" + outs + "] besides ReturnValue",
				Value: outs, Source: classDocs[class], Probe: "wmi_method." + class + "." + method + ".out"})
	}
	for _, f := range []string{"RDS-Licensing", "RDS-Licensing-UI", "RSAT-RDS-Licensing-Diagnosis-UI", "RDS-RD-Server", "RSAT-RDS-Tools"} {
		out = append(out, Fact{
			ID: "feature:" + f, Kind: KindFeature, Statement: "Get-WindowsFeature knows the feature " + f,
			Unverified: true, Probe: "feature." + f,
		})
	}
	return append(out,
		Fact{ID: "service:TermServLicensing", Kind: KindService, Value: "TermServLicensing", Unverified: true,
			Statement: "The RD Licensing role service runs as the service TermServLicensing", Probe: "role.licensing.service"},
		Fact{ID: "value:TerminalServerMode.without_rdsh", Kind: KindValue, Value: "0", Source: docTSSetting,
			Statement: "Without the RD Session Host role, TerminalServerMode is 0 (Remote Desktop for Administration)", Probe: "ts.without_rdsh.TerminalServerMode"},
		Fact{ID: "value:LicensingType.without_rdsh", Kind: KindValue, Value: "1", Unverified: true,
			Statement: "Without the RD Session Host role and without policy, LicensingType is 1 (Remote Desktop for Administration), whatever the registry holds", Probe: "ts.without_rdsh.LicensingType"},
		Fact{ID: "value:LicensingName.1", Kind: KindValue, Value: "Remote Desktop for Administration", Unverified: true,
			Statement: "LicensingName of LicensingType 1", Probe: "ts.licensing_name[1]"},
		Fact{ID: "value:LicensingName.2", Kind: KindValue, Value: "Per Device", Unverified: true,
			Statement: "LicensingName of LicensingType 2", Probe: "ts.licensing_name[2]"},
		Fact{ID: "value:LicensingName.4", Kind: KindValue, Value: "Per User", Unverified: true,
			Statement: "LicensingName of LicensingType 4", Probe: "ts.licensing_name[4]"},
		Fact{ID: "value:LicensingName.5", Kind: KindValue, Value: "Not configured", Unverified: true,
			Statement: "LicensingName of LicensingType 5", Probe: "ts.licensing_name[5]"},
		Fact{ID: "value:BuiltInKeyPack.TypeAndModel", Kind: KindValue, Value: "Built-in TS Per Device Cal", Unverified: true,
			Statement: "The built-in key pack's TypeAndModel", Probe: "keypack.builtin.TypeAndModel"},
		Fact{ID: "value:BuiltInKeyPack.ProductType", Kind: KindValue, Value: "3", Unverified: true,
			Statement: "The built-in key pack's ProductType (undocumented)", Probe: "keypack.builtin.ProductType"},
		Fact{ID: "value:BuiltInKeyPack.TotalLicenses", Kind: KindValue, Value: "4294967295", Unverified: true,
			Statement: "The built-in key pack's TotalLicenses (unlimited, 0xFFFFFFFF)", Probe: "keypack.builtin.TotalLicenses"},
		Fact{ID: "value:BuiltInKeyPack.KeyPackType", Kind: KindValue, Value: "0", Unverified: true,
			Statement: "The built-in key pack's KeyPackType", Probe: "keypack.builtin.KeyPackType"},
		Fact{ID: "value:ProductVersionID.2016", Kind: KindValue, Value: "5", Source: docAgreement,
			Statement: "Windows Server 2016 CALs have ProductVersion 5", Probe: "keypack.version_id[Windows Server 2016]"},
		Fact{ID: "value:ProductVersionID.2019", Kind: KindValue, Value: "6", Source: docAgreement,
			Statement: "Windows Server 2019 CALs have ProductVersion 6", Probe: "keypack.version_id[Windows Server 2019]"},
		Fact{ID: "value:ProductVersionID.2022", Kind: KindValue, Value: "7", Unverified: true, Quirk: "product_version_2022",
			Statement: "Windows Server 2022 CALs have ProductVersion 7", Probe: "keypack.version_id[Windows Server 2022]"},
		Fact{ID: "value:ProductVersionID.2025", Kind: KindValue, Value: "8", Unverified: true, Quirk: "product_version_2025",
			Statement: "Windows Server 2025 CALs have ProductVersion 8", Probe: "keypack.version_id[Windows Server 2025]"},
	)
}
