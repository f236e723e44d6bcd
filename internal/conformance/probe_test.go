package conformance_test

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/conformance"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winfacts"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

const (
	productID   = "00490-92005-99454-AT527"
	retailCode  = "BCDFGHJKMPQRTVWXY23467892"
	contactMail = "alice@contoso.com"
)

// licenseServer is an activated license server in contoso.com with CALs of
// every release winsim models, issued CALs and a contact: everything the
// transcript must not leak.
func licenseServer() winsim.HostState {
	st := winsim.NewLicenseServerHost("LS01", "2022", "contoso.com")
	st.LicenseServer.ProductID = productID
	st.LicenseServer.Activated = true
	st.LicenseServer.LicenseServerID = winsim.LicenseServerIDFor(productID)
	st.LicenseServer.FirstName, st.LicenseServer.LastName, st.LicenseServer.Email = "Alice", "Admin", contactMail
	exp := time.Date(2038, 1, 19, 3, 14, 7, 0, time.UTC)
	for i, v := range []int{5, 6, 7, 8} {
		st.LicenseServer.KeyPacks = append(st.LicenseServer.KeyPacks, winsim.KeyPackState{
			KeyPackID: int64(2 + i), KeyPackType: 1, ProductType: i % 2, ProductVersionID: v,
			TotalLicenses: 20, IssuedLicenses: 1, ExpirationDate: exp, Source: "retail:" + retailCode,
		})
	}
	st.LicenseServer.NextKeyPackID = 6
	st.LicenseServer.IssuedCALs = []winsim.IssuedCALState{{
		LicenseID: 1, KeyPackID: 2, IssuedToUser: `CONTOSO\bob`, IssuedToComputer: "PC-BOB-0042",
		HardwareID: "0A1B2C3D-0000-0000-0000-000000000042", IssueDate: exp.AddDate(-20, 0, 0), ExpirationDate: exp, LicenseStatus: 2,
	}}
	return st
}

// sessionHost is a session host set to per-user CALs from LS01.
func sessionHost() winsim.HostState {
	st := winsim.NewSessionHost("RDSH001", "2019", "contoso.com", time.Now().Add(90*24*time.Hour))
	st.SessionHost.ConfigLicensingMode = 4
	st.SessionHost.ConfigLicenseServers = []string{"LS01.contoso.com"}
	return st
}

func serve(t *testing.T, hosts ...winsim.HostState) *winsim.Sim {
	t.Helper()
	sim, err := winsim.New(winsim.Scenario{Hosts: hosts, Clearinghouse: winsim.ClearinghouseState{Reachable: true}})
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Start(winsim.ServeOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	return sim
}

// client logs on to one host of sim, as the command does.
func client(t *testing.T, sim *winsim.Sim, name string) *winrmclient.Client {
	t.Helper()
	_, httpsPort := sim.Ports()
	c, err := winrmclient.New(winrmclient.Config{
		Host: sim.Host(name).State().Address, Port: httpsPort, HTTPS: true, CACert: sim.CACertPEM(),
		Username: "Administrator", Password: winsim.DefaultPassword, Auth: winrmclient.AuthBasic,
		OperationTimeout: 5 * time.Second, Timeout: 60 * time.Second, Library: rds.Library,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// probe runs the probe on one host of sim, as the command does.
func probe(t *testing.T, sim *winsim.Sim, name string, keepNames bool) conformance.Transcript {
	t.Helper()
	tr, err := probeWith(t, sim, name, conformance.Options{KeepNames: keepNames})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func probeWith(t *testing.T, sim *winsim.Sim, name string, opt conformance.Options) (conformance.Transcript, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	opt.Names = append(opt.Names, sim.Host(name).State().Address)
	opt.Secrets = append(opt.Secrets, winsim.DefaultPassword)
	return conformance.Probe(ctx, client(t, sim, name), "", opt)
}

func report(t *testing.T, tr conformance.Transcript) (conformance.Report, string) {
	t.Helper()
	r := conformance.Compare(conformance.Catalog(), tr.Observations)
	var b bytes.Buffer
	if err := r.Write(&b); err != nil {
		t.Fatal(err)
	}
	return r, b.String()
}

// Against winsim with its default quirks, every observed fact is what the
// catalog says, and the facts each host can show are observed.
func TestProbeWinsimConforms(t *testing.T) {
	sim := serve(t, licenseServer(), sessionHost())
	for _, tc := range []struct {
		host     string
		observed int               // facts seen at least
		want     map[string]string // fact ID -> status
	}{
		{"LS01", 60, map[string]string{
			"wmi_class:Win32_TSLicenseKeyPack":                                 conformance.Matches,
			"wmi_method:Win32_TSLicenseKeyPack.InstallAgreementLicenseKeyPack": conformance.Matches,
			"wmi_method:Win32_TSLicenseKeyPack.ConvertLicenses":                conformance.NowObserved,
			"wmi_property:Win32_TSLicenseServer.FirstName":                     conformance.Matches,
			"wmi_method:Win32_TerminalServiceSetting.ChangeMode":               conformance.Matches,
			"value:ProductVersionID.2016":                                      conformance.Matches,
			"value:ProductVersionID.2022":                                      conformance.NowObserved,
			"value:ProductVersionID.2025":                                      conformance.NowObserved,
			"value:BuiltInKeyPack.TypeAndModel":                                conformance.Matches,
			"value:BuiltInKeyPack.KeyPackType":                                 conformance.Matches,
			"value:TerminalServerMode.without_rdsh":                            conformance.Matches,
			"value:LicensingName.1":                                            conformance.NowObserved,
			"service:TermServLicensing":                                        conformance.Matches,
			"feature:RDS-Licensing":                                            conformance.Matches,
			"value:LicensingName.4":                                            conformance.NotObserved,
		}},
		{"RDSH001", 10, map[string]string{
			"wmi_class:Win32_TerminalServiceSetting": conformance.Matches,
			"wmi_class:Win32_TSLicenseServer":        conformance.NotObserved, // no licensing role
			"value:LicensingName.4":                  conformance.NowObserved,
			"value:TerminalServerMode.without_rdsh":  conformance.NotObserved,
		}},
	} {
		t.Run(tc.host, func(t *testing.T) {
			tr := probe(t, sim, tc.host, false)
			r, text := report(t, tr)
			if n := r.Count(conformance.Differs); n != 0 {
				t.Errorf("%d facts differ from winsim:\n%s", n, text)
			}
			for id, want := range tc.want {
				f, ok := r.Find(id)
				if !ok || f.Status != want {
					t.Errorf("%s: %+v, want %s", id, f, want)
				}
			}
			if r.Count(conformance.Matches)+r.Count(conformance.NowObserved) < tc.observed {
				t.Errorf("too few facts observed:\n%s", text)
			}
		})
	}
}

// A host whose 2022 CALs carry another ProductVersion (the quirk flipped)
// is reported as differing, with the quirk that models it.
func TestProbeReportsAFlippedQuirk(t *testing.T) {
	st := licenseServer()
	st.Quirks.ProductVersion2022 = 9
	st.LicenseServer.KeyPacks[2].ProductVersionID = 9 // the 2022 pack
	sim := serve(t, st)
	r, text := report(t, probe(t, sim, "LS01", false))
	f, _ := r.Find("value:ProductVersionID.2022")
	if f.Status != conformance.Differs || f.Observed != "9" {
		t.Fatalf("2022 CALs: %+v\n%s", f, text)
	}
	if !strings.Contains(text, `differs      value:ProductVersionID.2022: catalog "7", observed "9" (was unverified; winsim quirk product_version_2022`) {
		t.Errorf("the report does not say it:\n%s", text)
	}
	if n := r.Count(conformance.Differs); n != 1 {
		t.Errorf("%d differences, want 1:\n%s", n, text)
	}
}

// The transcript holds no password, code, ID, person or name; with
// -keep-names the names stay and the rest is still gone.
func TestTranscriptIsSanitised(t *testing.T) {
	sim := serve(t, licenseServer(), sessionHost())
	secrets := []string{winsim.DefaultPassword, productID, winsim.LicenseServerIDFor(productID), retailCode,
		contactMail, "Alice", `bob`, "PC-BOB-0042", "0A1B2C3D"}
	names := []string{"LS01", "RDSH001", "contoso", sim.Host("LS01").State().Address, sim.Host("RDSH001").State().Address}
	for _, host := range []string{"LS01", "RDSH001"} {
		for _, keep := range []bool{false, true} {
			tr := probe(t, sim, host, keep)
			b, err := json.Marshal(tr)
			if err != nil {
				t.Fatal(err)
			}
			text := strings.ToLower(string(b))
			for _, s := range secrets {
				if strings.Contains(text, strings.ToLower(s)) {
					t.Errorf("%s (keep names %v): the transcript contains %q", host, keep, s)
				}
			}
			for _, n := range names {
				if strings.Contains(text, strings.ToLower(n)) && !keep {
					t.Errorf("%s: the transcript contains the name %q", host, n)
				}
			}
			if keep && (!strings.Contains(text, strings.ToLower(host)) || !strings.Contains(text, "contoso")) {
				t.Errorf("%s: -keep-names lost the names: %s", host, b)
			}
			if len(tr.Operations) < 7 || !strings.Contains(text, "windows server") {
				t.Errorf("%s: the transcript lost its content: %s", host, b)
			}
		}
	}
}

// A transcript loaded as a scenario answers the probe as the server did,
// the flipped quirk included.
func TestTranscriptRoundTrip(t *testing.T) {
	flipped := licenseServer()
	flipped.Quirks.ProductVersion2022 = 9
	flipped.LicenseServer.KeyPacks[2].ProductVersionID = 9
	flipped.Name = "LS02"
	wg := winsim.NewHost("WG01", "2016", "")
	sim := serve(t, licenseServer(), sessionHost(), flipped, wg)
	for _, host := range []string{"LS01", "RDSH001", "LS02", "WG01"} {
		t.Run(host, func(t *testing.T) {
			first := probe(t, sim, host, false)
			b, err := json.Marshal(first)
			if err != nil {
				t.Fatal(err)
			}
			sc, err := winsim.ScenarioFromTranscript(bytes.NewReader(b), winsim.FastTiming)
			if err != nil {
				t.Fatal(err)
			}
			again := probe(t, serve(t, sc.Hosts...), winsim.TranscriptHostName, false)
			if !maps.Equal(first.Observations, again.Observations) {
				for k, v := range first.Observations {
					if again.Observations[k] != v {
						t.Errorf("%s: %q, then %q", k, v, again.Observations[k])
					}
				}
				for k, v := range again.Observations {
					if _, ok := first.Observations[k]; !ok {
						t.Errorf("%s: new %q", k, v)
					}
				}
			}
		})
	}
}

// Probe keys are unique: one observation checks one fact.
func TestProbeKeysAreUnique(t *testing.T) {
	seen := map[string]string{}
	n := 0
	for _, f := range conformance.Catalog() {
		if f.Probe == "" {
			continue
		}
		n++
		if other, ok := seen[f.Probe]; ok {
			t.Errorf("%s and %s share the probe key %s", other, f.ID, f.Probe)
		}
		seen[f.Probe] = f.ID
	}
	if n < 120 {
		t.Errorf("only %d facts have a probe key", n)
	}
}

// Method signatures compare as Get-CimClass lists them: parameters in any
// order and case, the calling convention exactly.
func TestSameMethod(t *testing.T) {
	cat := "static(in: AgreementType, sAgreementNumber, LicenseCount; out: KeyPackId)"
	for _, tc := range []struct {
		observed string
		same     bool
	}{
		{cat, true},
		{"static(in: licensecount, AgreementType, sAgreementNumber; out: KeyPackId)", true},
		{"instance(in: AgreementType, sAgreementNumber, LicenseCount; out: KeyPackId)", false},
		{"static(in: AgreementType, sAgreementNumber; out: KeyPackId)", false},
		{"static(in: AgreementType, sAgreementNumber, LicenseCount; out: none)", false},
		{"", false},
	} {
		if got := winfacts.SameMethod(cat, tc.observed); got != tc.same {
			t.Errorf("%q: same %v, want %v", tc.observed, got, tc.same)
		}
	}
}

// keyLiteral is a probe key the script writes: 'wmi_class.{0}' or
// 'keypack.builtin.KeyPackType', before -Value or a -f.
var keyLiteral = regexp.MustCompile(`-Key \(?'([^']+)'`)

// Every probe key of the catalog is one get_windows_facts.ps1 writes (or
// the write cycle, in Go), and one winsim's handler writes: no fact waits
// for an observation nothing makes. The script cannot run here, so its key
// patterns are read from its text.
func TestEveryProbeKeyIsObservable(t *testing.T) {
	var patterns []*regexp.Regexp
	for _, m := range keyLiteral.FindAllStringSubmatch(rds.GetWindowsFacts.Script, -1) {
		quoted := regexp.QuoteMeta(m[1])
		patterns = append(patterns, regexp.MustCompile("^"+strings.ReplaceAll(quoted, `\{0\}`, `[^.]+`)+"$"))
		patterns = append(patterns, regexp.MustCompile("^"+strings.NewReplacer(`\{0\}`, `[^.]+`, `\{1\}`, `[^.]+`).Replace(quoted)+"$"))
	}
	if len(patterns) < 40 {
		t.Fatalf("only %d keys found in the script: the pattern is out of date", len(patterns)/2)
	}
	// What winsim shows across hosts that between them show everything.
	noRole := winsim.NewHost("WS01", "2022", "contoso.com")
	perDevice, notConfigured := sessionHost(), sessionHost()
	perDevice.Name, perDevice.SessionHost.ConfigLicensingMode = "RDSH002", 2
	notConfigured.Name, notConfigured.SessionHost.ConfigLicensingMode, notConfigured.SessionHost.ConfigLicenseServers = "RDSH003", 5, nil
	sim := serve(t, licenseServer(), sessionHost(), noRole, perDevice, notConfigured)
	seen := map[string]bool{}
	for _, host := range []string{"LS01", "RDSH001", "WS01", "RDSH002", "RDSH003"} {
		tr, err := probeWith(t, sim, host, conformance.Options{WriteCycle: host == "RDSH001"})
		if err != nil {
			t.Fatal(err)
		}
		for k := range tr.Observations {
			seen[k] = true
		}
	}
	for _, f := range conformance.Catalog() {
		if f.Probe == "" {
			continue
		}
		if !seen[f.Probe] {
			t.Errorf("%s: winsim never shows %s", f.ID, f.Probe)
		}
		if strings.HasPrefix(f.Probe, "write.") {
			continue
		}
		if !slices.ContainsFunc(patterns, func(p *regexp.Regexp) bool { return p.MatchString(f.Probe) }) {
			t.Errorf("%s: get_windows_facts.ps1 never writes %s", f.ID, f.Probe)
		}
	}
}
