package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/testenv"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// Kerberos through the real CLI: winsim's domain members hold keys from a
// real MIT KDC (testenv), the provider logs on with a password or kinit's
// credential cache, and reaches the hosts by their FQDNs through
// host_addresses (the test does not touch the machine's resolver).

const (
	krbRealm    = "CONTOSO.COM"
	krbPassword = "Krb-P@ssw0rd3"
)

type krbAccEnv struct {
	*accEnv
	kdc  *testenv.KDC
	user string
}

func fqdn(name string) string { return strings.ToLower(name) + ".contoso.com" }

// newKrbAccEnv starts a fleet of domain members and gives each its
// HTTP/<fqdn> key; user is a Domain Admin of the KDC's realm.
func newKrbAccEnv(t *testing.T, user string, hosts ...winsim.HostState) *krbAccEnv {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance tests run with TF_ACC=1 (make test or make testacc)")
	}
	kdc := testenv.SharedKDC(t, krbRealm)
	if err := kdc.AddUser(user, krbPassword); err != nil {
		t.Fatal(err)
	}
	for i := range hosts {
		hosts[i].Domain = "contoso.com"
		hosts[i].Workgroup = ""
		hosts[i].Users = append(hosts[i].Users, winsim.User{Name: user, Password: krbPassword, Domain: "contoso.com", DomainAdmin: true, Admin: true})
	}
	e := newAccEnv(t, hosts...)
	for _, h := range hosts {
		kt, err := kdc.AddService("HTTP/" + fqdn(h.Name))
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Sim.AddKeytab(kt); err != nil {
			t.Fatal(err)
		}
	}
	return &krbAccEnv{accEnv: e, kdc: kdc, user: user}
}

// addresses is host_addresses for the fleet.
func (e *krbAccEnv) addresses() string {
	var lines []string
	for _, h := range e.Sim.Hosts() {
		lines = append(lines, fmt.Sprintf("    %q = %q", fqdn(h.State().Name), h.State().Address))
	}
	sort.Strings(lines)
	return "{\n" + strings.Join(lines, "\n") + "\n  }"
}

// KrbProvider is a provider block logging on with Kerberos to the first
// host by its FQDN, over HTTPS or HTTP; settings in extra replace the
// defaults of the same name.
func (e *krbAccEnv) KrbProvider(https bool, extra map[string]string) string {
	httpPort, httpsPort := e.Sim.Ports()
	settings := map[string]string{
		"host":               fmt.Sprintf("%q", fqdn(e.Sim.Hosts()[0].State().Name)),
		"port":               fmt.Sprint(httpPort),
		"https":              "false",
		"username":           fmt.Sprintf("%q", `CONTOSO\`+e.user),
		"password":           fmt.Sprintf("%q", krbPassword),
		"auth":               `"kerberos"`,
		"kerberos_realm":     `"contoso.com"`,
		"kerberos_krb5_conf": fmt.Sprintf("%q", e.kdc.Krb5Conf),
		"host_addresses":     e.addresses(),
		"timeout":            `"2m"`,
	}
	if https {
		settings["port"], settings["https"] = fmt.Sprint(httpsPort), "true"
		settings["ca_cert"] = "<<-EOT\n" + strings.TrimSpace(string(e.Sim.CACertPEM())) + "\nEOT"
	}
	for k, v := range extra {
		if v == "" {
			delete(settings, k)
		} else {
			settings[k] = v
		}
	}
	keys := make([]string, 0, len(settings))
	for k := range settings {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(`
terraform {
  required_providers {
    rdslicensing = { source = "registry.terraform.io/rdslicensing/rdslicensing" }
  }
}

provider "rdslicensing" {
`)
	for _, k := range keys {
		fmt.Fprintf(&b, "  %s = %s\n", k, settings[k])
	}
	b.WriteString("}\n")
	return b.String()
}

// authsSince counts a host's HTTP requests by authentication.
func authsSince(h *winsim.Host, mark int64) map[string]int {
	n := map[string]int{}
	for _, l := range h.Log(mark) {
		if l.Event == "http" {
			n[l.Auth]++
		}
	}
	return n
}

// Apply and an empty plan over Kerberos, on HTTPS and on HTTP with
// Kerberos message encryption (the hosts keep AllowUnencrypted false).
func TestAccKerberos_applyAndPlan(t *testing.T) {
	for _, https := range []bool{true, false} {
		t.Run(map[bool]string{true: "https", false: "encrypted http"}[https], func(t *testing.T) {
			user := map[bool]string{true: "tfkrbhttps", false: "tfkrbhttp"}[https]
			e := newKrbAccEnv(t, user, winsim.NewHost("LS01", "2022", ""))
			h := e.Host("LS01")
			mark := h.LogSeq()
			cfg := e.KrbProvider(https, nil) + `
resource "rdslicensing_role" "ls" {}
data "rdslicensing_license_server" "ls" { depends_on = [rdslicensing_role.ls] }
`
			accTest(t, resource.TestCase{Steps: []resource.TestStep{
				{
					Config: cfg,
					Check: resource.ComposeAggregateTestCheckFunc(
						resource.TestCheckResourceAttr("rdslicensing_role.ls", "id", fqdn("LS01")),
						resource.TestCheckResourceAttr("data.rdslicensing_license_server.ls", "domain", "contoso.com"),
						func(*terraform.State) error {
							if st := h.State(); !st.FeatureInstalled(winsim.FeatureLicensing) {
								return errorf("the role is not installed")
							}
							return nil
						},
					),
				},
				{
					Config:           cfg,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
					Check: func(*terraform.State) error {
						got := authsSince(h, mark)
						for auth, n := range got {
							if auth != "kerberos" && auth != "session" && auth != "encrypted" {
								return errorf("%d requests authenticated with %q: %v", n, auth, got)
							}
						}
						if want := map[bool]string{true: "session", false: "encrypted"}[https]; got[want] == 0 || got["kerberos"] == 0 {
							return errorf("requests by authentication %v, want kerberos logons and %s messages", got, want)
						}
						for _, l := range h.Log(mark) {
							if l.Event == "http" && l.User != user {
								return errorf("a request ran as %q", l.User)
							}
						}
						return nil
					},
				},
			}})
		})
	}
}

// Each failure names what failed and what to do.
func TestAccKerberos_failures(t *testing.T) {
	skewed := winsim.NewLicenseServerHost("LS03", "2022", "")
	skewed.ClockOffsetSeconds = 900
	e := newKrbAccEnv(t, "tfkrbfail", winsim.NewLicenseServerHost("LS01", "2022", ""), winsim.NewLicenseServerHost("LS02", "2022", ""), skewed)
	unreachable := filepath.Join(t.TempDir(), "krb5.conf")
	if err := os.WriteFile(unreachable, []byte("[libdefaults]\n default_realm = CONTOSO.COM\n dns_lookup_kdc = false\n[realms]\n CONTOSO.COM = {\n  kdc = 127.0.0.1:1\n }\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ls01 := e.Addr("LS01")
	read := func(host string) string {
		return fmt.Sprintf("data \"rdslicensing_license_server\" \"ls\" { host = %q }\n", host)
	}
	accTest(t, resource.TestCase{Steps: []resource.TestStep{
		{
			Config:      e.KrbProvider(true, map[string]string{"kerberos_krb5_conf": fmt.Sprintf("%q", unreachable)}) + read(fqdn("LS01")),
			ExpectError: errorText("Kerberos login as tfkrbfail@CONTOSO.COM failed: no KDC of realm CONTOSO.COM answered", "port 88"),
		},
		{
			Config:      e.KrbProvider(true, map[string]string{"username": `"CONTOSO\\nobody"`}) + read(fqdn("LS01")),
			ExpectError: errorText("knows no user nobody@CONTOSO.COM (KDC_ERR_C_PRINCIPAL_UNKNOWN)", "check username and kerberos_realm"),
		},
		{
			Config:      e.KrbProvider(true, map[string]string{"password": `"Not-The-Pa55word"`}) + read(fqdn("LS01")),
			ExpectError: errorText("Kerberos login as tfkrbfail@CONTOSO.COM failed: wrong password"),
		},
		{
			Config:      e.KrbProvider(true, nil) + read(ls01),
			ExpectError: errorText("the KDC knows no service principal HTTP/"+ls01+" (KDC_ERR_S_PRINCIPAL_UNKNOWN)", "not an IP address"),
		},
		{
			// LS02's name leads to LS01, which cannot decrypt LS02's ticket.
			Config:      strings.Replace(e.KrbProvider(false, nil), fmt.Sprintf("%q = %q", fqdn("LS02"), e.Addr("LS02")), fmt.Sprintf("%q = %q", fqdn("LS02"), ls01), 1) + read(fqdn("LS02")),
			ExpectError: errorText("cannot decrypt the ticket for HTTP/ls02.contoso.com (KRB_AP_ERR_MODIFIED)", "setspn -Q"),
		},
		{
			Config:      e.KrbProvider(true, nil) + read(fqdn("LS03")),
			ExpectError: errorText("its clock and this machine's differ by more than 5 minutes", "KRB_AP_ERR_SKEW", "w32tm /resync"),
		},
		{
			Config:      e.KrbProvider(true, map[string]string{"host_addresses": `{ "ls01.contoso.com" = "127.0.0.1:5986" }`}) + read(fqdn("LS01")),
			ExpectError: errorText("host_addresses", "without port"),
		},
	}})
}

// kinit's credential cache instead of a password; a cache whose TGT has
// expired is reported as such. Not parallel: KRB5CCNAME is the process's.
func TestAccKerberos_credentialCache(t *testing.T) {
	e := newKrbAccEnv(t, "tfkrbcc", winsim.NewLicenseServerHost("LS01", "2022", ""))
	dir := t.TempDir()
	good, expired := filepath.Join(dir, "good"), filepath.Join(dir, "expired")
	if err := e.kdc.Kinit("tfkrbcc", krbPassword, good, ""); err != nil {
		t.Fatal(err)
	}
	if err := e.kdc.Kinit("tfkrbcc", krbPassword, expired, "1s"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond) // let the 1 s ticket expire
	cfg := e.KrbProvider(false, map[string]string{"password": ""}) + `data "rdslicensing_license_server" "ls" {}` + "\n"
	t.Setenv("KRB5CCNAME", "FILE:"+good)
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testAccProviders, Steps: []resource.TestStep{
		{
			Config: cfg,
			Check: func(*terraform.State) error {
				if tgts, _ := e.kdc.Requests("tfkrbcc"); tgts != 2 {
					return errorf("%d TGTs issued, want only kinit's 2", tgts)
				}
				return nil
			},
		},
		{
			PreConfig:   func() { t.Setenv("KRB5CCNAME", "FILE:"+expired) },
			Config:      cfg,
			ExpectError: errorText("the ticket-granting ticket in the Kerberos credential cache", "has expired: run kinit tfkrbcc@CONTOSO.COM again, or set password"),
		},
	}})
}

// Twenty hosts, one TGT per run of the real provider binary: each run
// (a tofu command, a provider process) logs on once and gets one service
// ticket per host, counted in the KDC's log.
func TestAccKerberos_fleetSharesOneTGT(t *testing.T) {
	var hosts []winsim.HostState
	var names []string
	for i := 1; i <= 20; i++ {
		st := activated(winsim.NewLicenseServerHost(fmt.Sprintf("KF%02d", i), "2022", ""))
		hosts = append(hosts, st)
		names = append(names, fmt.Sprintf("%q", fqdn(st.Name)))
	}
	e := newKrbAccEnv(t, "tfkrbfleet", hosts...)
	r := newCLIRun(t, e.accEnv, "", nil)
	cfg := strings.Replace(e.KrbProvider(false, nil), "registry.terraform.io/rdslicensing/rdslicensing", "rdslicensing/rdslicensing", 1) + fmt.Sprintf(`
data "rdslicensing_license_server" "ls" {
  for_each = toset([%s])
  host     = each.value
}
output "activated" { value = length([for ls in data.rdslicensing_license_server.ls : ls if ls.activation_status == "activated"]) }
`, strings.Join(names, ", "))
	if err := os.WriteFile(filepath.Join(r.dir, "main.tf"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	if out := r.run("plan"); !strings.Contains(out, "activated = 20") {
		t.Fatalf("plan did not read the 20 hosts:\n%s", out)
	}
	tgts, tickets := e.kdc.Requests("tfkrbfleet")
	if tgts != 1 || tickets != 20 {
		t.Fatalf("tofu plan: the KDC issued %d TGTs and %d service tickets, want 1 and 20\n%s", tgts, tickets, e.kdc.Log())
	}
	if out := r.run("plan"); !strings.Contains(out, "activated = 20") {
		t.Fatalf("second plan:\n%s", out)
	}
	if t2, s2 := e.kdc.Requests("tfkrbfleet"); t2 != 2 || s2 != 40 {
		t.Fatalf("after a second tofu plan: %d TGTs and %d service tickets, want 2 and 40 (one login per run)", t2, s2)
	}
	r.run("apply", "-auto-approve")
	if t3, s3 := e.kdc.Requests("tfkrbfleet"); t3 != 3 || s3 != 60 {
		t.Fatalf("after tofu apply: %d TGTs and %d service tickets, want 3 and 60", t3, s3)
	}
}

// Extended Protection: a host that requires channel bindings (Strict)
// takes the provider's NTLM and Kerberos logons over HTTPS.
func TestAccChannelBinding_strict(t *testing.T) {
	st := winsim.NewLicenseServerHost("LS01", "2022", "")
	st.WinRM.CbtHardeningLevel = winsim.CbtStrict
	e := newKrbAccEnv(t, "tfkrbcbt", st)
	h := e.Host("LS01")
	read := `data "rdslicensing_license_server" "ls" {}` + "\n"
	noRefusal := func(*terraform.State) error {
		for _, l := range h.Log(0) {
			if strings.Contains(l.Detail, "refused") {
				return errorf("winsim refused a logon: %+v", l)
			}
		}
		return nil
	}
	accTest(t, resource.TestCase{Steps: []resource.TestStep{
		{Config: e.KrbProvider(true, map[string]string{"auth": `"ntlm"`}) + read, Check: noRefusal},
		{Config: e.KrbProvider(true, nil) + read, Check: noRefusal},
	}})
}
