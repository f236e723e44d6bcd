package provider

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// The warnings users see, through the real CLI (terraform-plugin-testing
// does not show warnings): each appears on the apply, plan or destroy
// that causes it, with its host.
func TestAccWarningsShowInCLI(t *testing.T) {
	lsr := winsim.NewHost("LSR", "2022", "contoso.com")
	lsr.Address = "127.0.60.1"
	lsr.Quirks.LicensingRoleNeedsRestart = true
	lsa := winsim.NewLicenseServerHost("LSA", "2022", "contoso.com")
	lsa.Address = "127.0.60.2"
	ls01 := kpLicenseServer("LS01")
	ls01.Address = "127.0.60.3"
	shwg := winsim.NewSessionHost("SHWG", "2022", "", graceEnds())
	shwg.Address = "127.0.60.4"
	shx := winsim.NewSessionHost("SHX", "2022", "contoso.com", graceEnds())
	shx.Address = "127.0.60.5"
	shw := winsim.NewSessionHost("SHW", "2022", "contoso.com", graceEnds())
	shw.Address = "127.0.60.6"
	e := newAccEnv(t, lsr, lsa, ls01, shwg, shx, shw)
	e.Sim.UpdateClearinghouse(func(ch *winsim.ClearinghouseState) {
		ch.Agreements = append(ch.Agreements,
			winsim.Agreement{AgreementType: 1, Number: "7654321", ProductVersionID: 7, ProductType: 1, Count: 500},
			winsim.Agreement{AgreementType: 1, Number: "7654322", ProductVersionID: 7, ProductType: 0, Count: 500})
	})
	r := newCLIRun(t, e, "", nil)
	cfg := strings.Replace(e.Config(`
resource "rdslicensing_role" "lsr" {
  host = "127.0.60.1"
}

resource "rdslicensing_server_activation" "lsa" {
  host = "127.0.60.2"
`+saContact+`
}

resource "rdslicensing_key_pack" "users" {
  host                = "127.0.60.3"
  program             = "agreement"
  agreement_type      = "enterprise"
  agreement_number_wo = "7654321"
  codes_wo_version    = 1
  product_version     = "2022"
  cal_type            = "per_user"
  quantity            = 10
  # Destroy keeps CALs by default, with a warning.
}

resource "rdslicensing_key_pack" "devices" {
  host                = "127.0.60.3"
  program             = "agreement"
  agreement_type      = "enterprise"
  agreement_number_wo = "7654322"
  codes_wo_version    = 1
  product_version     = "2022"
  cal_type            = "per_device"
  quantity            = 10
  depends_on          = [rdslicensing_key_pack.users]
  # Only when asked does destroy remove CALs, and the plan says which.
  remove_cals_on_destroy = true
}

resource "rdslicensing_session_host_policy" "workgroup" {
  host           = "127.0.60.4"
  licensing_mode = "per_user"
}

resource "rdslicensing_session_host_policy" "unreachable" {
  host            = "127.0.60.5"
  licensing_mode  = "per_user"
  license_servers = ["127.0.99.99"]
}

resource "rdslicensing_session_host_policy" "wmi" {
  host            = "127.0.60.6"
  method          = "wmi"
  licensing_mode  = "per_user"
  license_servers = ["127.0.60.3"]
}
`), "registry.terraform.io/rdslicensing/rdslicensing", "rdslicensing/rdslicensing", 1)
	if err := os.WriteFile(filepath.Join(r.dir, "main.tf"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	wantAll := func(what, out string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("%s does not say %q:\n%s", what, w, out)
			}
		}
	}
	// The connection breaks after Windows installed the first pack.
	if _, err := e.Host("LS01").AddFault(winsim.Fault{Type: winsim.FaultCrashAfter, Operation: "install_key_pack", Count: 1}); err != nil {
		t.Fatal(err)
	}
	apply := r.run("apply", "-auto-approve")
	wantAll("apply", apply,
		"Warning: Key pack 2 installed on 127.0.60.3 after an interrupted answer",
		"Warning: Restart pending on 127.0.60.1",
		"Warning: Per-user and per-device CALs on one license server",
		"Warning: Per-user licensing on a workgroup session host",
		"Warning: License server 127.0.99.99 unusable from SHX",
	)
	if strings.Contains(apply, "7654321") || strings.Contains(apply, "7654322") {
		t.Errorf("apply output shows an agreement number:\n%s", apply)
	}

	// Out of band: RD Licensing waits for a restart on LS01, and Group
	// Policy sets another mode on SHW.
	e.Host("LS01").Update(func(st *winsim.HostState) { st.Features[winsim.FeatureLicensing] = winsim.StateInstallPending })
	e.Host("SHW").Update(func(st *winsim.HostState) { mode := 2; st.SessionHost.PolicyLicensingMode = &mode })
	wantAll("plan", r.run("plan"),
		"Warning: Cannot read the key packs on 127.0.60.3",
		"Warning: Group Policy overrides this resource on 127.0.60.6",
	)
	e.Host("LS01").Update(func(st *winsim.HostState) { st.Features[winsim.FeatureLicensing] = winsim.StateInstalled })
	// While the policy stays, WMI cannot undo what this resource set:
	// destroy fails, naming the policy and the ways out.
	out, err := r.try("destroy", "-auto-approve", "-target", "rdslicensing_session_host_policy.wmi")
	if err == nil {
		t.Fatalf("destroy under Group Policy succeeded:\n%s", out)
	}
	wantAll("destroy under Group Policy", strings.Join(strings.Fields(out), " "),
		"Error: Cannot return Remote Desktop licensing to not configured on 127.0.60.6",
		`LicensingMode = 2); WMI cannot change it. Remove the policy setting, or use method = "group_policy".`,
		"remove the resource from the state instead")
	e.Host("SHW").Update(func(st *winsim.HostState) { st.SessionHost.PolicyLicensingMode = nil })

	destroy := r.run("destroy", "-auto-approve")
	wantAll("destroy", destroy,
		"Warning: License server on 127.0.60.2 stays activated",
		"Warning: CALs stay installed on 127.0.60.3",
		"Warning: Destroy removes 10 CALs from 127.0.60.3",
		"Warning: Destroy keeps the CALs on 127.0.60.3",
	)
	var kept []int64
	for _, kp := range e.Host("LS01").State().LicenseServer.KeyPacks {
		if kp.ProductType != 3 { // not the built-in pack
			kept = append(kept, kp.KeyPackID)
		}
	}
	if len(kept) != 1 || kept[0] != 2 || !e.Host("LSA").State().LicenseServer.Activated {
		t.Errorf("after destroy: key packs %v on LS01 (want [2], the per-user one), LSA activated %v (want true)",
			kept, e.Host("LSA").State().LicenseServer.Activated)
	}
}
