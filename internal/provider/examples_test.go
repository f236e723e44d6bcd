package provider

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
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
	})
	r.run("get")
	r.run("apply", "-auto-approve")
	if out := r.run("output", "-raw", "healthy"); out != "true" {
		t.Fatalf("healthy = %q; problems:\n%s", out, r.run("output", "problems"))
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
	// and each session host twice: its policy, and its diagnostics.
	reads = 0
	for _, l := range e.Host(addrs[0]).Log(shSeq) {
		if l.Event == "operation" && l.Operation == "get_session_host" {
			reads++
		}
	}
	if reads != 2 {
		t.Errorf("the plan read session host %s %d times, want 2 (its policy and its diagnostics)", addrs[0], reads)
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
