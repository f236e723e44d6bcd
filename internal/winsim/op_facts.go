package winsim

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winfacts"
)

// get_windows_facts, mirroring scripts/get_windows_facts.ps1: what the
// host shows of the facts the conformance probe compares with the catalog.

func init() { register(rds.GetWindowsFacts, getWindowsFacts) }

// probeFeatures and probeServices are the names the script looks up.
var (
	probeFeatures = []string{FeatureLicensing, FeatureLicensingUI, FeatureLicensingDiag, FeatureSessionHost, FeatureRDSTools}
	probeServices = []string{ServiceLicensing, ServiceTerminalServices}
)

func getWindowsFacts(x *opContext, _ rds.NoInput) (rds.WindowsFacts, error) {
	st := x.Host
	obs := map[string]string{}
	add := func(key string, v any) { obs[key] = fmt.Sprint(v) }
	add("probe.format", "1")

	os := operatingSystem(st)
	add("os.caption", os.Caption)
	add("os.build", os.Version)
	add("os.release", osVersionName(st))
	cs := computerSystem(x)
	add("computer.part_of_domain", cs.PartOfDomain)
	add("computer.domain_role", cs.DomainRole)
	add("computer.domain", cs.Domain)

	// Every feature the script names exists on Windows Server.
	for _, name := range probeFeatures {
		add("feature."+name, st.FeatureState(name))
	}
	for _, name := range probeServices {
		if svc, ok := st.Services[name]; ok && svc.Status != "" {
			add("service."+name+".status", svc.Status)
			add("service."+name+".start_type", svc.StartType)
		}
	}
	if st.FeatureInstalled(FeatureLicensing) {
		name := ""
		if svc, ok := st.Services[ServiceLicensing]; ok && svc.Status != "" {
			name = ServiceLicensing
		}
		add("role.licensing.service", name)
	}

	// The schema Get-CimClass shows is the catalog's: winsim models it.
	for _, f := range winfacts.Facts {
		if f.Probe == "" || (f.Kind != winfacts.KindWMIClass && f.Kind != winfacts.KindWMIMethod && f.Kind != winfacts.KindWMIProperty) {
			continue
		}
		class, _, _ := strings.Cut(f.Subject(), ".")
		if class == "Win32_TerminalServiceSetting" || licensingWMIPresent(st) {
			add(f.Probe, f.Value)
		}
	}

	ts := shReadTSSetting(st)
	add("ts.TerminalServerMode", ts.TerminalServerMode)
	add("ts.LicensingType", ts.LicensingType)
	add("ts.LicensingName", ts.LicensingName)
	add("ts.PolicySourceLicensingType", ts.PolicySourceLicensingType)
	add("ts.PolicySourceConfiguredLicenseServers", ts.PolicySourceConfiguredLicenseServers)
	add(fmt.Sprintf("ts.licensing_name[%d]", ts.LicensingType), ts.LicensingName)

	sh := st.SessionHost
	if sh.PolicyLicensingMode != nil {
		add("reg.policy.LicensingMode", *sh.PolicyLicensingMode)
	}
	if sh.PolicyLicenseServers != nil {
		add("reg.policy.LicenseServers.count", len(shSplitServerList(*sh.PolicyLicenseServers)))
	}
	// winsim always holds the RCM value (5: not configured).
	add("reg.rcm.LicensingMode", sh.ConfigLicensingMode)
	if len(sh.ConfigLicenseServers) > 0 {
		add("reg.config.SpecifiedLicenseServers.kind", "MultiString")
		add("reg.config.SpecifiedLicenseServers.count", len(sh.ConfigLicenseServers))
	}
	if !st.FeatureInstalled(FeatureSessionHost) && sh.PolicyLicensingMode == nil {
		add("ts.without_rdsh.TerminalServerMode", ts.TerminalServerMode)
		add("ts.without_rdsh.LicensingType", ts.LicensingType)
	}

	if licensingWMIPresent(st) {
		add("ls.activation_status", getActivationStatus(st))
		add("ls.ServerRole", st.LicenseServer.ServerRole)
		builtIn := false
		for _, id := range st.keyPackIDList() {
			p, _ := st.keyPackByID(id)
			k := "keypack." + strconv.FormatInt(id, 10) + "."
			add(k+"Description", p.Description)
			add(k+"KeyPackType", p.KeyPackType)
			add(k+"ProductType", p.ProductType)
			add(k+"ProductVersion", p.ProductVersion)
			add(k+"ProductVersionID", p.ProductVersionID)
			add(k+"TypeAndModel", p.TypeAndModel)
			add(k+"TotalLicenses", p.TotalLicenses)
			add(k+"IssuedLicenses", p.IssuedLicenses)
			if !isBuiltInKeyPack(p) {
				add("keypack.version_id["+p.ProductVersion+"]", p.ProductVersionID)
				continue
			}
			if !builtIn {
				builtIn = true
				add("keypack.builtin.KeyPackId", id)
				add("keypack.builtin.Description", p.Description)
				add("keypack.builtin.KeyPackType", p.KeyPackType)
				add("keypack.builtin.ProductType", p.ProductType)
				add("keypack.builtin.ProductVersion", p.ProductVersion)
				add("keypack.builtin.ProductVersionID", p.ProductVersionID)
				add("keypack.builtin.TotalLicenses", p.TotalLicenses)
				add("keypack.builtin.TypeAndModel", p.TypeAndModel)
			}
		}
	}
	return rds.WindowsFacts{Observations: obs}, nil
}
