package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/keypacks"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// Key pack plans as users read them in the CLI (terraform-plugin-testing
// shows neither warnings nor the rendered plan).

// writeCLIMain writes main.tf of r: the provider, set from the
// environment, and body.
func writeCLIMain(t *testing.T, r *cliRun, body string) {
	t.Helper()
	writeMain(t, r, "terraform {\n  required_providers {\n    rdslicensing = { source = \"rdslicensing/rdslicensing\" }\n  }\n}\n\nprovider \"rdslicensing\" {}\n\n"+body)
}

// A retail code with a character product keys leave out (here a zero):
// plan warns, naming the group and character and what it probably is, and
// apply's error names the position too; neither shows the code or its
// groups. The right code plans and installs without the warning.
func TestAccKeyPack_retailLookalike(t *testing.T) {
	ls := kpLicenseServer("LS01")
	ls.Address = "127.0.72.1"
	e := newAccEnv(t, ls)
	code := winsim.NewRetailCode("acc-lookalike", 7, 1, 20)
	e.Sim.UpdateClearinghouse(func(ch *winsim.ClearinghouseState) { ch.RetailCodes = append(ch.RetailCodes, code) })
	typo := code.Code[:8] + "0" + code.Code[9:] // group 2, character 4
	r := newCLIRun(t, e, "", nil)
	cfg := func(c string) string {
		return `resource "rdslicensing_key_pack" "retail" {
  host            = "127.0.72.1"
  program         = "retail"
  license_code    = "` + kpTyped(c) + `"
  product_version = "2022"
  cal_type        = "per_user"
}
`
	}
	leaks := func(out string) {
		t.Helper()
		up := strings.ToUpper(out)
		for _, s := range []string{typo, code.Code, typo[5:10], code.Code[5:10]} {
			if strings.Contains(up, s) {
				t.Errorf("the output holds %q of the code:\n%s", s, out)
			}
		}
	}
	writeCLIMain(t, r, cfg(typo))
	out := r.run("plan")
	if !errorText("Warning: license_code may be mistyped", `license_code: group 2, character 4 is an O or a zero, probably a "D" or a "Q"`,
		"Check these characters on the purchase confirmation", "the provider installs the code as typed").MatchString(out) {
		t.Errorf("plan does not warn of the look-alike:\n%s", out)
	}
	leaks(out)
	out, err := r.try("apply", "-auto-approve")
	if err == nil || !errorText("Cannot install CALs on 127.0.72.1", "did not accept the license code",
		"The license code has characters Windows product keys do not use, likely typos: group 2, character 4 is an O or a zero").MatchString(out) {
		t.Errorf("apply: err %v, want the Clearinghouse's refusal naming the position:\n%s", err, out)
	}
	leaks(out)
	writeCLIMain(t, r, cfg(code.Code))
	if out := r.run("apply", "-auto-approve"); strings.Contains(out, "mistyped") {
		t.Errorf("the right code is warned of:\n%s", out)
	}
	if n := kpInstalls(e, "LS01"); n != 2 {
		t.Errorf("%d installs, want 2 (the refused code, the right one)", n)
	}
}

// An agreement pack imported after its state was lost plans clean once its
// codes are set: the import reads agreement_type from the key pack
// journal (Windows keeps none), so the plan only records the codes, and
// nothing is installed again.
func TestAccKeyPack_importAgreementPlansClean(t *testing.T) {
	e := newAccEnv(t, kpLicenseServer("LS01"))
	e.Sim.UpdateClearinghouse(func(ch *winsim.ClearinghouseState) {
		ch.Agreements = append(ch.Agreements, winsim.Agreement{AgreementType: 4, Number: "7654321", ProductVersionID: 7, ProductType: 0, Count: 500})
	})
	const addr = "rdslicensing_key_pack.spla"
	cfg := e.Config(`resource "rdslicensing_key_pack" "spla" {
  program             = "agreement"
  agreement_type      = "service_provider"
  agreement_number_wo = "7654321"
  codes_wo_version    = 1
  product_version     = "2022"
  cal_type            = "per_device"
  quantity            = 20
}`)
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: cfg, Check: kpWantPacks(e, "LS01", map[int64]int64{2: 20})},
			{
				// (state lost)
				Config: e.Provider() + `
removed {
  from = rdslicensing_key_pack.spla
  lifecycle {
    destroy = false
  }
}`,
			},
			{
				Config: cfg + `
import {
  to = rdslicensing_key_pack.spla
  id = "` + e.Addr("LS01") + `/2"
}`,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					expectOnlyChanges(addr, "codes_wo_version"),
				}},
				ConfigStateChecks: kpChecks(addr, map[string]knownvalue.Check{"agreement_type": knownvalue.StringExact("service_provider")}),
				Check:             kpWantInstalls(e, "LS01", 1),
			},
			{Config: cfg, ConfigPlanChecks: kpEmptyPlan},
		},
		CheckDestroy: kpWantPacks(e, "LS01", map[int64]int64{2: 20}),
	})
}

// expectOnlyChanges checks that the plan of addr changes no attribute the
// configuration sets other than attrs (computed ones may become unknown).
func expectOnlyChanges(addr string, attrs ...string) plancheck.PlanCheck {
	return onlyChanges{addr, attrs}
}

type onlyChanges struct {
	addr  string
	attrs []string
}

func (c onlyChanges) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != c.addr {
			continue
		}
		before, _ := rc.Change.Before.(map[string]any)
		after, _ := rc.Change.After.(map[string]any)
		unknown, _ := rc.Change.AfterUnknown.(map[string]any)
		var changed []string
		for k, v := range after {
			if unknown[k] == true || slices.Contains(c.attrs, k) || reflect.DeepEqual(before[k], v) {
				continue
			}
			changed = append(changed, fmt.Sprintf("%s: %v -> %v", k, before[k], v))
		}
		if len(changed) > 0 {
			sort.Strings(changed)
			resp.Error = fmt.Errorf("%s: the plan changes %s", c.addr, strings.Join(changed, "; "))
		}
		return
	}
	resp.Error = fmt.Errorf("%s is not in the plan", c.addr)
}

// Raising the quantity installs CALs: on a license server found not
// activated, plan fails as it does for a new key pack, before any install
// (apply used to try and fail).
func TestAccKeyPack_moreCALsOnUnactivatedServer(t *testing.T) {
	e := newAccEnv(t, kpLicenseServer("LS01"))
	e.Sim.UpdateClearinghouse(func(ch *winsim.ClearinghouseState) {
		ch.Agreements = append(ch.Agreements, winsim.Agreement{AgreementType: 1, Number: "7654321", ProductVersionID: 7, ProductType: 1, Count: 500})
	})
	cfg := func(quantity int) string {
		return e.Config(fmt.Sprintf(`resource "rdslicensing_key_pack" "ea" {
  program             = "agreement"
  agreement_type      = "enterprise"
  agreement_number_wo = "7654321"
  codes_wo_version    = 1
  product_version     = "2022"
  cal_type            = "per_user"
  quantity            = %d
}`, quantity))
	}
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: cfg(10), Check: kpWantPacks(e, "LS01", map[int64]int64{2: 10})},
			{
				PreConfig: e.Update("LS01", func(st *winsim.HostState) { st.LicenseServer.Activated = false }),
				Config:    cfg(20),
				PlanOnly:  true,
				ExpectError: errorText("The license server on "+e.Addr("LS01")+" is not activated",
					"no rdslicensing_server_activation planned before this key pack activates it", "host = rdslicensing_server_activation.<name>.id"),
			},
			{
				// Fewer CALs install nothing: no activation needed.
				Config: cfg(5),
				Check:  resource.ComposeTestCheckFunc(kpWantPacks(e, "LS01", map[int64]int64{2: 5}), kpWantInstalls(e, "LS01", 1)),
			},
		},
		CheckDestroy: kpWantPacks(e, "LS01", map[int64]int64{2: 5}),
	})
}

// The plan of a key pack's update lists every write-only attribute under
// OpenTofu ("~ agreement_number_wo = (write-only attribute)", five lines
// a pack, set or not), and none under Terraform; a create lists the five
// under both. This is how OpenTofu renders write-only attributes, not
// something the provider plans: it cannot see whether one is set (the
// provider returns each one null, as the JSON plan shows), so it shows
// all of them whenever the resource changes (OpenTofu 1.12,
// internal/command/jsonformat/differ/block.go ComputeDiffForBlock and
// attribute.go computeAttributeDiffAsWriteOnly; by design, per
// opentofu/opentofu#3640, and #3167 proposes showing less). This test pins
// the behaviour under both CLIs, so that a change in either shows.
func TestAccKeyPack_writeOnlyPlanLines(t *testing.T) {
	ls := kpLicenseServer("LS01")
	ls.Address = "127.0.73.1"
	e := newAccEnv(t, ls)
	e.Sim.UpdateClearinghouse(func(ch *winsim.ClearinghouseState) {
		ch.Agreements = append(ch.Agreements, winsim.Agreement{AgreementType: 1, Number: "7000001", ProductVersionID: 7, ProductType: 1, Count: 100})
	})
	r := newCLIRun(t, e, "", nil)
	tofu := strings.Contains(r.run("version"), "OpenTofu")
	cfg := func(quantity int) string {
		return fmt.Sprintf(`resource "rdslicensing_key_pack" "users" {
  host                = "127.0.73.1"
  program             = "agreement"
  agreement_type      = "enterprise"
  agreement_number_wo = "7000001"
  codes_wo_version    = 1
  product_version     = "2022"
  cal_type            = "per_user"
  quantity            = %d
}
`, quantity)
	}
	writeOnly := func(out string) []string {
		var lines []string
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, "(write-only attribute)") {
				lines = append(lines, strings.Join(strings.Fields(l), " "))
			}
		}
		sort.Strings(lines)
		return lines
	}
	all := func(sign string) []string {
		var lines []string
		for _, a := range keypacks.CodeAttrs {
			lines = append(lines, sign+" "+a+"_wo = (write-only attribute)")
		}
		sort.Strings(lines)
		return lines
	}
	writeCLIMain(t, r, cfg(10))
	if got := writeOnly(r.run("plan")); !slices.Equal(got, all("+")) {
		t.Errorf("create: the plan lists %q, want %q", got, all("+"))
	}
	r.run("apply", "-auto-approve")
	writeCLIMain(t, r, cfg(20))
	want := []string(nil)
	if tofu {
		want = all("~")
	}
	if got := writeOnly(r.run("plan")); !slices.Equal(got, want) {
		t.Errorf("update (OpenTofu %v): the plan lists %q, want %q", tofu, got, want)
	}
	// The provider plans every write-only attribute null.
	r.run("plan", "-out", "update.tfplan")
	var plan struct {
		ResourceChanges []struct {
			Change struct {
				After map[string]any `json:"after"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal([]byte(r.run("show", "-json", "update.tfplan")), &plan); err != nil || len(plan.ResourceChanges) != 1 {
		t.Fatalf("show -json: %v, %d changes", err, len(plan.ResourceChanges))
	}
	for _, a := range keypacks.CodeAttrs {
		if v, ok := plan.ResourceChanges[0].Change.After[a+"_wo"]; !ok || v != nil {
			t.Errorf("the plan has %s_wo = %v (present %v), want null", a, v, ok)
		}
	}
}
