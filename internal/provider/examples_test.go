package provider

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// fleetScenario is a license server without the role and n session hosts,
// in contoso.com, with an Enterprise Agreement at the Clearinghouse.
func fleetScenario(t *testing.T, n int) (*accEnv, []string) {
	t.Helper()
	ls := winsim.NewHost("LS01", "2022", "contoso.com")
	ls.Address = "127.0.50.1"
	hosts := []winsim.HostState{ls}
	var addrs []string
	for i := 1; i <= n; i++ {
		sh := winsim.NewSessionHost(fmt.Sprintf("RDSH%03d", i), "2022", "contoso.com", graceEnds())
		sh.Address = fmt.Sprintf("127.0.51.%d", i)
		hosts = append(hosts, sh)
		addrs = append(addrs, sh.Address)
	}
	e := newAccEnv(t, hosts...)
	e.Sim.UpdateClearinghouse(func(ch *winsim.ClearinghouseState) {
		ch.Agreements = append(ch.Agreements, winsim.Agreement{AgreementType: 1, Number: "7777777", ProductVersionID: 7, ProductType: 1, Count: 1000})
	})
	return e, addrs
}

// names are the fleet's session host names RDSH<from> to RDSH<to>.
func names(from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, fmt.Sprintf("RDSH%03d", i))
	}
	return out
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// examples/fleet, with its two modules, against 50 session hosts: apply,
// then a plan with no changes.
func TestAccExampleFleet(t *testing.T) {
	e, addrs := fleetScenario(t, 50)
	r := newCLIRun(t, e, "fleet", map[string]string{
		"license_server": "127.0.50.1",
		"session_hosts":  jsonString(addrs),
		"contact":        `{first_name="Ada",last_name="Lovelace",company="Contoso Ltd",country_region="United Kingdom"}`,
		"key_packs":      `{enterprise={program="agreement",agreement_type="enterprise",product_version="2022",cal_type="per_user",quantity=200}}`,
		"key_pack_codes": `{enterprise={agreement_number="7777777"}}`,
		// Only the fleet's session hosts get CALs: all of them, so the
		// diagnostics stay healthy once the licensing service applies it.
		"endpoint_servers": jsonString(names(1, 50)),
	})
	r.run("get")
	r.run("apply", "-auto-approve")
	if out := r.run("output", "-raw", "healthy"); out != "true" {
		t.Fatalf("healthy = %q; problems:\n%s", out, r.run("output", "problems"))
	}
	if ls := e.Host("LS01").State().LicenseServer; ls.SecureLicensing == nil || *ls.SecureLicensing != 1 || len(ls.EndpointServers) != 50 || ls.AppliedSecurity != nil {
		t.Fatalf("LS01: policy %v, %d endpoint servers, waiting for a restart %v; want 1, 50, false", ls.SecureLicensing, len(ls.EndpointServers), ls.AppliedSecurity != nil)
	}
	for _, a := range addrs {
		if sh := e.Host(a).State().SessionHost; sh.PolicyLicensingMode == nil || *sh.PolicyLicensingMode != 4 {
			t.Fatalf("%s: licensing mode not set by the module", a)
		}
	}
	seq, shSeq := e.Host("LS01").LogSeq(), e.Host(addrs[0]).LogSeq()
	if out := r.run("plan", "-detailed-exitcode"); !strings.Contains(out, "No changes") {
		t.Fatalf("second plan is not empty:\n%s", out)
	}
	// The 50 diagnostics read the license server once between them; the
	// activation's refresh reads it too.
	reads := 0
	for _, l := range e.Host("LS01").Log(seq) {
		if l.Event == "operation" && l.Operation == "get_license_server" {
			reads++
		}
	}
	if reads != 2 {
		t.Errorf("the plan read the license server %d times, want 2 (the activation, and the diagnostics of 50 session hosts once)", reads)
	}
	// and each session host once: its policy and its diagnostics share the
	// read (providerData.readSessionHost).
	reads = 0
	for _, l := range e.Host(addrs[0]).Log(shSeq) {
		if l.Event == "operation" && l.Operation == "get_session_host" {
			reads++
		}
	}
	if reads != 1 {
		t.Errorf("the plan read session host %s %d times, want 1 (its policy and its diagnostics share it)", addrs[0], reads)
	}
	// The licensing service stops on the license server: the check block
	// warns on the next plan, naming the hosts and the fix.
	e.Host("LS01").Update(func(st *winsim.HostState) {
		st.Services[winsim.ServiceLicensing] = winsim.Service{Status: "Stopped", StartType: "Automatic"}
	})
	out := r.run("plan")
	for _, want := range []string{"Check block assertion failed", addrs[0] + ": " + addrs[0] + " cannot use license server 127.0.50.1", addrs[49] + ": " + addrs[49] + " cannot use license server 127.0.50.1", "Fix: Check that 127.0.50.1 is up"} {
		if !strings.Contains(out, want) {
			t.Fatalf("plan with the licensing service stopped does not say %q:\n%s", want, out)
		}
	}
}

// examples/fleet-provider-for-each: one provider instance per session host
// (OpenTofu's provider for_each), each logging on with its own password.
func TestAccExampleFleetProviderForEach(t *testing.T) {
	if cli := os.Getenv("TF_ACC_TERRAFORM_PATH"); cli != "" {
		if out, err := exec.Command(cli, "version").Output(); err == nil && !strings.Contains(string(out), "OpenTofu") {
			t.Skip("provider for_each is OpenTofu's; the CLI under test is not OpenTofu")
		}
	}
	e, addrs := fleetScenario(t, 3)
	passwords := map[string]string{}
	for i, a := range addrs {
		pw := fmt.Sprintf("Rdsh-%d-P@ss", i+1)
		passwords[a] = pw
		e.Host(a).Update(func(st *winsim.HostState) { st.Users[0].Password = pw })
	}
	// The license server is ready; this example only sets the session hosts.
	e.Host("LS01").Update(func(st *winsim.HostState) {
		*st = activated(*st)
		winsim.InstallLicensingRole(st)
		st.LicenseServer.KeyPacks = append(st.LicenseServer.KeyPacks, winsim.KeyPackState{KeyPackID: 2, KeyPackType: 2, ProductType: 1, ProductVersionID: 7, TotalLicenses: 50})
	})
	r := newCLIRun(t, e, "fleet-provider-for-each", map[string]string{
		"license_server":     "127.0.50.1",
		"session_hosts":      jsonString(passwords),
		"session_host_names": jsonString(addrs),
	})
	r.env = append(r.env, "RDSLICENSING_PASSWORD=wrong-on-purpose")
	r.run("get")
	r.run("apply", "-auto-approve")
	if out := r.run("output", "-raw", "healthy"); out != "true" {
		t.Fatalf("healthy = %q", out)
	}
	if out := r.run("plan", "-detailed-exitcode"); !strings.Contains(out, "No changes") {
		t.Fatalf("second plan is not empty:\n%s", out)
	}
}

// plainCLIRun is a run of the CLI under test with the provider binary
// and nothing else: no hosts, no provider settings.
func plainCLIRun(t *testing.T) *cliRun {
	t.Helper()
	if os.Getenv("TF_ACC") == "" || os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		t.Skip("runs the CLI: TF_ACC=1 and TF_ACC_TERRAFORM_PATH (make test or make testacc)")
	}
	dir := t.TempDir()
	rc := filepath.Join(dir, "dev.tfrc")
	if err := os.WriteFile(rc, []byte(fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"rdslicensing/rdslicensing\" = %q\n  }\n  direct {}\n}\n", providerBinary(t))), 0o600); err != nil {
		t.Fatal(err)
	}
	return &cliRun{t: t, dir: dir, env: append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")}
}

// The examples the documentation shows (examples/resources,
// examples/data-sources, examples/provider) are valid configurations for
// the CLI under test, ephemeral variables and write-only attributes
// included.
func TestAccExamplesValidate(t *testing.T) {
	r := plainCLIRun(t)
	dirs, _ := filepath.Glob(filepath.Join(repoRoot(), "examples", "resources", "*"))
	more, _ := filepath.Glob(filepath.Join(repoRoot(), "examples", "data-sources", "*"))
	dirs = append(append(dirs, more...), filepath.Join(repoRoot(), "examples", "provider"))
	for _, d := range dirs {
		files, _ := filepath.Glob(filepath.Join(d, "*.tf"))
		work := filepath.Join(r.dir, filepath.Base(d))
		if err := os.MkdirAll(work, 0o700); err != nil {
			t.Fatal(err)
		}
		other, declared := false, false
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			other = other || strings.Contains(string(b), `resource "local_`)
			declared = declared || strings.Contains(string(b), "required_providers")
			if err := os.WriteFile(filepath.Join(work, filepath.Base(f)), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if other {
			continue // needs another provider, which the tests do not download
		}
		if !declared { // examples/provider declares it, as a configuration must
			versions := "terraform {\n  required_providers {\n    rdslicensing = { source = \"rdslicensing/rdslicensing\" }\n  }\n}\n"
			if err := os.WriteFile(filepath.Join(work, "versions_test.tf"), []byte(versions), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(work, "contoso-ca.pem"), nil, 0o600); err != nil {
			t.Fatal(err)
		}
		run := &cliRun{t: t, dir: work, env: r.env}
		if out, err := run.try("validate"); err != nil {
			t.Errorf("%s: validate: %v\n%s", strings.TrimPrefix(d, repoRoot()), err, out)
		}
	}
}

// secretsIn lists which of the secrets a saved plan file holds (in any of
// its members: the plan, the configuration, the prior states) or its JSON
// rendering (`show -json`) shows.
func secretsIn(t *testing.T, r *cliRun, plan string, secrets ...string) []string {
	t.Helper()
	z, err := zip.OpenReader(filepath.Join(r.dir, plan))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = z.Close() }()
	var all strings.Builder
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		_ = rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
	}
	all.WriteString(r.run("show", "-json", plan))
	var found []string
	for _, s := range secrets {
		if strings.Contains(all.String(), s) {
			found = append(found, s)
		}
	}
	return found
}

// secretsInState lists which of the secrets the local state file holds.
func secretsInState(t *testing.T, r *cliRun, secrets ...string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(r.dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, s := range secrets {
		if strings.Contains(string(b), s) {
			found = append(found, s)
		}
	}
	return found
}

// The quick start as the README runs it, with a saved plan: neither the
// plan file (and `show -json` of it) nor the state holds the WinRM
// password (an ephemeral variable here; the environment by default) or the
// agreement number (ephemeral, into agreement_number_wo). Applying the
// saved plan needs them again, as the guide says.
func TestAccExampleQuickstartSavedPlanHoldsNoSecrets(t *testing.T) {
	e, addrs := fleetScenario(t, 3)
	r := newCLIRun(t, e, "quickstart", map[string]string{
		"license_server":   "127.0.50.1",
		"session_hosts":    jsonString(addrs),
		"agreement_number": "7777777",
		"winrm_password":   winsim.DefaultPassword,
	})
	// The password comes from the variable, not the environment.
	r.env = append(r.env, "RDSLICENSING_PASSWORD=wrong-on-purpose")
	secrets := []string{winsim.DefaultPassword, "7777777"}
	r.run("get")
	r.run("plan", "-out", "quickstart.tfplan")
	if found := secretsIn(t, r, "quickstart.tfplan", secrets...); len(found) > 0 {
		t.Errorf("the saved plan holds %q", found)
	}
	// Without the ephemeral variables, the saved plan cannot be applied.
	bare := &cliRun{t: t, dir: r.dir}
	for _, kv := range r.env {
		if !strings.HasPrefix(kv, "TF_VAR_agreement_number=") {
			bare.env = append(bare.env, kv)
		}
	}
	if out, err := bare.try("apply", "quickstart.tfplan"); err == nil || !strings.Contains(out, "agreement_number") {
		t.Fatalf("apply of the saved plan without agreement_number: err %v\n%s", err, out)
	}
	r.run("apply", "quickstart.tfplan")
	if ls := e.Host("LS01").State().LicenseServer; len(ls.KeyPacks) < 2 {
		t.Fatalf("apply installed no key pack: %+v", ls.KeyPacks)
	}
	if found := secretsInState(t, r, secrets...); len(found) > 0 {
		t.Errorf("the state holds %q", found)
	}
	if out := r.run("plan", "-detailed-exitcode"); !strings.Contains(out, "No changes") {
		t.Fatalf("second plan is not empty:\n%s", out)
	}
}

// What the secrets guide says lands in saved plan files and in the state
// for each way of passing the WinRM password and a code, checked with the
// CLI under test: a sensitive variable is in the plan file (the code also in
// the state), an ephemeral variable into a write-only attribute nowhere, a
// write-only attribute fed by a variable that is only sensitive still in the
// plan file (the variable's value), and RDSLICENSING_PASSWORD nowhere.
func TestAccSecretsGuideChoices(t *testing.T) {
	hosts := []winsim.HostState{kpLicenseServer("LSA"), kpLicenseServer("LSB"), kpLicenseServer("LSC"), kpLicenseServer("LSD")}
	for i := range hosts {
		hosts[i].Address = fmt.Sprintf("127.0.70.%d", i+1)
	}
	e := newAccEnv(t, hosts...)
	e.Sim.UpdateClearinghouse(func(ch *winsim.ClearinghouseState) {
		for i := 1; i <= 4; i++ {
			ch.Agreements = append(ch.Agreements, winsim.Agreement{AgreementType: 1, Number: fmt.Sprintf("700000%d", i), ProductVersionID: 7, ProductType: 1, Count: 100})
		}
	})
	const pw = winsim.DefaultPassword
	for i, tc := range []struct {
		name                        string
		pwVar, codeVar, codeAttr    string // variable attributes; "" for no password variable
		planPW, planCode, stateCode bool
	}{
		{"sensitive variables", "sensitive = true", "sensitive = true", "agreement_number", true, true, true},
		{"ephemeral variables, write-only code", "sensitive = true\n  ephemeral = true", "sensitive = true\n  ephemeral = true", "agreement_number_wo", false, false, false},
		{"sensitive variable into the write-only code", "sensitive = true\n  ephemeral = true", "sensitive = true", "agreement_number_wo", false, true, false},
		{"RDSLICENSING_PASSWORD", "", "sensitive = true\n  ephemeral = true", "agreement_number_wo", false, false, false},
	} {
		code := fmt.Sprintf("700000%d", i+1)
		r := newCLIRun(t, e, "", map[string]string{"code": code})
		provider := "provider \"rdslicensing\" {}\n"
		if tc.pwVar != "" {
			provider = "provider \"rdslicensing\" {\n  password = var.pw\n}\n\nvariable \"pw\" {\n  type = string\n  " + tc.pwVar + "\n}\n"
			r.env = append(r.env, "RDSLICENSING_PASSWORD=wrong-on-purpose", "TF_VAR_pw="+pw)
		}
		version := ""
		if tc.codeAttr == "agreement_number_wo" {
			version = "\n  codes_wo_version = 1"
		}
		cfg := `terraform {
  required_providers {
    rdslicensing = { source = "rdslicensing/rdslicensing" }
  }
}

` + provider + `
variable "code" {
  type = string
  ` + tc.codeVar + `
}

resource "rdslicensing_key_pack" "users" {
  host            = "` + hosts[i].Address + `"
  program         = "agreement"
  agreement_type  = "enterprise"
  ` + tc.codeAttr + ` = var.code` + version + `
  product_version = "2022"
  cal_type        = "per_user"
  quantity        = 10
}
`
		if err := os.WriteFile(filepath.Join(r.dir, "main.tf"), []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		r.run("plan", "-out", "saved.tfplan")
		found := secretsIn(t, r, "saved.tfplan", pw, code)
		if got := slices.Contains(found, pw); got != tc.planPW {
			t.Errorf("%s: the saved plan holds the password: %v, the guide says %v", tc.name, got, tc.planPW)
		}
		if got := slices.Contains(found, code); got != tc.planCode {
			t.Errorf("%s: the saved plan holds the agreement number: %v, the guide says %v", tc.name, got, tc.planCode)
		}
		r.run("apply", "saved.tfplan")
		found = secretsInState(t, r, pw, code)
		if slices.Contains(found, pw) {
			t.Errorf("%s: the state holds the password", tc.name)
		}
		if got := slices.Contains(found, code); got != tc.stateCode {
			t.Errorf("%s: the state holds the agreement number: %v, the guide says %v", tc.name, got, tc.stateCode)
		}
	}
}

// examples/fleet-domain: the license server module and one domain GPO for
// an OU of 5 session hosts. Before their policy refresh the diagnostics
// are unhealthy (no licensing configured); after it, healthy, and the plan
// is empty.
func TestAccExampleFleetDomain(t *testing.T) {
	dc := winsim.NewHost("DC01", "2022", "contoso.com")
	dc.DomainController = true
	dc.Address = "127.0.52.1"
	ls := winsim.NewHost("LS01", "2022", "contoso.com")
	ls.Address = "127.0.52.2"
	hosts := []winsim.HostState{dc, ls}
	var addrs []string
	for i := 1; i <= 5; i++ {
		sh := winsim.NewSessionHost(fmt.Sprintf("RDSH%03d", i), "2022", "contoso.com", graceEnds())
		sh.Address, sh.OU = fmt.Sprintf("127.0.53.%d", i), dpOU
		hosts = append(hosts, sh)
		addrs = append(addrs, sh.Address)
	}
	e := newAccEnv(t, hosts...)
	e.Sim.UpdateDomain("contoso.com", func(d *winsim.DomainState) { d.OUs = []string{dpOU} })
	e.Sim.UpdateClearinghouse(func(ch *winsim.ClearinghouseState) {
		ch.Agreements = append(ch.Agreements, winsim.Agreement{AgreementType: 1, Number: "7777777", ProductVersionID: 7, ProductType: 1, Count: 1000})
	})
	r := newCLIRun(t, e, "fleet-domain", map[string]string{
		"license_server":    "127.0.52.2",
		"domain_controller": "127.0.52.1",
		"session_hosts_ou":  dpOU,
		"session_hosts":     jsonString(addrs),
		"contact":           `{first_name="Ada",last_name="Lovelace",company="Contoso Ltd",country_region="United Kingdom"}`,
		"key_packs":         `{enterprise={program="agreement",agreement_type="enterprise",product_version="2022",cal_type="per_user",quantity=200}}`,
		"key_pack_codes":    `{enterprise={agreement_number="7777777"}}`,
	})
	r.run("get")
	r.run("apply", "-auto-approve")
	if out := r.run("output", "-raw", "healthy"); out != "false" {
		t.Fatalf("healthy = %q before the session hosts refreshed their policy", out)
	}
	for _, a := range addrs {
		if err := e.Sim.RefreshPolicy(a); err != nil {
			t.Fatal(err)
		}
	}
	if out := r.run("apply", "-auto-approve", "-refresh-only"); !strings.Contains(out, "Apply complete") {
		t.Fatalf("refresh:\n%s", out)
	}
	if out := r.run("output", "-raw", "healthy"); out != "true" {
		t.Fatalf("healthy = %q after the policy refresh", out)
	}
	for _, a := range addrs {
		if sh := e.Host(a).State().SessionHost; sh.PolicyLicensingMode == nil || *sh.PolicyLicensingMode != 4 || sh.PolicyLicensingModeGPO != "RDS Licensing" {
			t.Fatalf("%s: %+v", a, sh)
		}
	}
	if out := r.run("plan", "-detailed-exitcode"); !strings.Contains(out, "No changes") {
		t.Fatalf("the plan after the refresh is not empty:\n%s", out)
	}
}
