package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// The activation's id is the host, known at plan time, and it never turns
// unknown: a license server found deactivated, or deactivated and
// activated again with activated, is updated in place, and the key packs
// that take their host from it are left alone (no CALs removed or
// installed again).

const (
	ipActivation = "rdslicensing_server_activation.ls"
	ipKeyPack    = "rdslicensing_key_pack.ea"
	ipRole       = "rdslicensing_role.ls"
)

// ipAgreement puts an Enterprise Agreement for 2022 per-user CALs at the
// Clearinghouse of e.
func ipAgreement(e *accEnv) {
	e.Sim.UpdateClearinghouse(func(ch *winsim.ClearinghouseState) {
		ch.Agreements = append(ch.Agreements, winsim.Agreement{AgreementType: 1, Number: "7654321", ProductVersionID: 7, ProductType: 1, Count: 500})
	})
}

// ipKeyPackResource is 50 CALs of that agreement on the activation's host.
const ipKeyPackResource = `
resource "rdslicensing_key_pack" "ea" {
  host             = rdslicensing_server_activation.ls.id
  program          = "agreement"
  agreement_type   = "enterprise"
  agreement_number = "7654321"
  product_version  = "2022"
  cal_type         = "per_user"
  quantity         = 50
}
`

// ipStack starts LS01 without the role, and is the configuration of the
// role, the activation and the key pack on it, each taking its host from
// the one before: the wiring the license-server module uses.
func ipStack(t *testing.T) (*accEnv, string) {
	t.Helper()
	e := newAccEnv(t, winsim.NewHost("LS01", "2022", "contoso.com"))
	ipAgreement(e)
	return e, e.Config(`resource "rdslicensing_role" "ls" {}
` + saResource("ls", `  host = rdslicensing_role.ls.id`) + ipKeyPackResource)
}

// ipUntouched checks that LS01 still has exactly the key pack the first
// apply installed, and that no CALs were removed or installed since.
func ipUntouched(e *accEnv) resource.TestCheckFunc {
	return resource.ComposeTestCheckFunc(
		kpWantPacks(e, "LS01", map[int64]int64{2: 50}),
		saWantOps(e, "LS01", map[string]int{"install_key_pack": 1, "remove_key_pack": 0, "remove_licenses": 0}),
	)
}

// ipInPlace is the plan of an in-place change of the activation that
// leaves the key pack alone, with the id known and unchanged.
func ipInPlace(e *accEnv, status string) resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
		plancheck.ExpectResourceAction(ipActivation, plancheck.ResourceActionUpdate),
		plancheck.ExpectResourceAction(ipKeyPack, plancheck.ResourceActionNoop),
		plancheck.ExpectKnownValue(ipActivation, tfjsonpath.New("id"), knownvalue.StringExact(e.Addr("LS01"))),
		plancheck.ExpectKnownValue(ipActivation, tfjsonpath.New("activation_status"), knownvalue.StringExact(status)),
		plancheck.ExpectKnownValue(ipKeyPack, tfjsonpath.New("host"), knownvalue.StringExact(e.Addr("LS01"))),
	}}
}

// deactivateByHand is an administrator deactivating LS01 in RD Licensing
// Manager.
func deactivateByHand(e *accEnv, host string) func() {
	return e.Update(host, func(st *winsim.HostState) {
		st.LicenseServer.Activated, st.LicenseServer.LicenseServerID = false, ""
	})
}

// TestAccServerActivation_deactivatedByHand: a server deactivated by hand
// stays in the state as not_activated; plan shows an in-place update and
// the key pack as no-op, and apply activates it again.
func TestAccServerActivation_deactivatedByHand(t *testing.T) {
	e := newAccEnv(t, winsim.NewLicenseServerHost("LS01", "2022", "contoso.com"))
	ipAgreement(e)
	cfg := e.Config(saResource("ls", "") + ipKeyPackResource)
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(ipActivation, plancheck.ResourceActionCreate),
					plancheck.ExpectKnownValue(ipActivation, tfjsonpath.New("id"), knownvalue.StringExact(e.Addr("LS01"))),
					// The key pack sees its host in the same plan.
					plancheck.ExpectKnownValue(ipKeyPack, tfjsonpath.New("host"), knownvalue.StringExact(e.Addr("LS01"))),
				}},
				Check: resource.ComposeTestCheckFunc(saWantActivated(e, "LS01", true), ipUntouched(e)),
			},
			{
				// The refresh keeps the resource, as not activated.
				PreConfig:          deactivateByHand(e, "LS01"),
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(ipActivation, "activation_status", "not_activated"),
					resource.TestCheckResourceAttr(ipActivation, "id", e.Addr("LS01")),
					resource.TestCheckResourceAttr(ipActivation, "activated", "true"),
				),
			},
			{
				Config:           cfg,
				ConfigPlanChecks: ipInPlace(e, "activated"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ipActivation, tfjsonpath.New("activation_status"), knownvalue.StringExact("activated")),
					statecheck.ExpectKnownValue(ipActivation, tfjsonpath.New("license_server_id"), knownvalue.StringExact(winsim.LicenseServerIDFor(e.Host("LS01").State().LicenseServer.ProductID))),
					statecheck.ExpectKnownValue(ipKeyPack, tfjsonpath.New("key_pack_ids"), kpIDs(2)),
				},
				Check: resource.ComposeTestCheckFunc(
					saWantActivated(e, "LS01", true),
					saWantOps(e, "LS01", map[string]int{"activate_license_server": 2, "reactivate_license_server": 0}),
					ipUntouched(e),
				),
			},
			{Config: cfg, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		},
	})
}

// TestAccServerActivation_activatedFalse: activated = false deactivates
// the server in place and keeps it so, true activates it again; both are
// updates that leave the key pack alone.
func TestAccServerActivation_activatedFalse(t *testing.T) {
	e := newAccEnv(t, winsim.NewLicenseServerHost("LS01", "2022", "contoso.com"))
	ipAgreement(e)
	cfg := func(activated string) string {
		return e.Config(saResource("ls", activated) + ipKeyPackResource)
	}
	on, off := cfg(""), cfg(`  activated = false`)
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: on,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ipActivation, tfjsonpath.New("activated"), knownvalue.Bool(true)),
				},
				Check: resource.ComposeTestCheckFunc(saWantActivated(e, "LS01", true), ipUntouched(e)),
			},
			{
				Config:           off,
				ConfigPlanChecks: ipInPlace(e, "not_activated"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ipActivation, tfjsonpath.New("activated"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(ipActivation, tfjsonpath.New("activation_status"), knownvalue.StringExact("not_activated")),
					statecheck.ExpectKnownValue(ipActivation, tfjsonpath.New("id"), knownvalue.StringExact(e.Addr("LS01"))),
				},
				Check: resource.ComposeTestCheckFunc(
					saWantActivated(e, "LS01", false),
					saWantOps(e, "LS01", map[string]int{"deactivate_license_server": 1, "activate_license_server": 1}),
					ipUntouched(e),
				),
			},
			// Deactivated as declared: nothing to do.
			{Config: off, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
			{
				// Activated by hand while the configuration says false:
				// deactivated again, in place.
				PreConfig: e.Update("LS01", func(st *winsim.HostState) {
					st.LicenseServer.Activated, st.LicenseServer.LicenseServerID = true, winsim.LicenseServerIDFor(st.LicenseServer.ProductID)
				}),
				Config:           off,
				ConfigPlanChecks: ipInPlace(e, "not_activated"),
				Check: resource.ComposeTestCheckFunc(
					saWantActivated(e, "LS01", false),
					saWantOps(e, "LS01", map[string]int{"deactivate_license_server": 2}),
					ipUntouched(e),
				),
			},
			{
				Config:           on,
				ConfigPlanChecks: ipInPlace(e, "activated"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ipActivation, tfjsonpath.New("activated"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(ipActivation, tfjsonpath.New("activation_status"), knownvalue.StringExact("activated")),
				},
				Check: resource.ComposeTestCheckFunc(
					saWantActivated(e, "LS01", true),
					saWantOps(e, "LS01", map[string]int{"deactivate_license_server": 2, "activate_license_server": 2, "reactivate_license_server": 0}),
					ipUntouched(e),
				),
			},
			{Config: on, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
			{ResourceName: ipActivation, ImportState: true, ImportStateVerify: true, ImportStateId: e.Addr("LS01")},
		},
	})
}

// TestAccServerActivation_firstDeployment: role, activation and key pack
// in one configuration, wired through the ids: every id and host is known
// in the first plan.
func TestAccServerActivation_firstDeployment(t *testing.T) {
	e, cfg := ipStack(t)
	addr := knownvalue.StringExact(e.Addr("LS01"))
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(ipRole, plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction(ipActivation, plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction(ipKeyPack, plancheck.ResourceActionCreate),
					plancheck.ExpectKnownValue(ipRole, tfjsonpath.New("id"), addr),
					plancheck.ExpectKnownValue(ipActivation, tfjsonpath.New("host"), addr),
					plancheck.ExpectKnownValue(ipActivation, tfjsonpath.New("id"), addr),
					plancheck.ExpectKnownValue(ipActivation, tfjsonpath.New("activation_status"), knownvalue.StringExact("activated")),
					plancheck.ExpectKnownValue(ipKeyPack, tfjsonpath.New("host"), addr),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ipRole, tfjsonpath.New("id"), addr),
					statecheck.ExpectKnownValue(ipActivation, tfjsonpath.New("id"), addr),
				},
				Check: resource.ComposeTestCheckFunc(
					func(*terraform.State) error {
						if st := e.Host("LS01").State(); !st.FeatureInstalled(winsim.FeatureLicensing) {
							return errorf("LS01: RD Licensing is not installed")
						}
						return nil
					},
					saWantActivated(e, "LS01", true),
					ipUntouched(e),
				),
			},
			{Config: cfg, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		},
	})
}

// TestAccServerActivation_inPlaceFailures: an activation or deactivation
// in place that fails says why and what to do, and leaves the state as it
// was: the next plan proposes the same in-place update, nothing replaced.
func TestAccServerActivation_inPlaceFailures(t *testing.T) {
	offline := winsim.NewLicenseServerHost("LS02", "2022", "")
	offline.Internet = false
	e := newAccEnv(t, winsim.NewLicenseServerHost("LS01", "2022", "contoso.com"), offline)
	ipAgreement(e)
	productID2 := e.Host("LS02").State().LicenseServer.ProductID
	id2 := winsim.LicenseServerIDFor(productID2)
	cfg := func(a, id string) string {
		return e.Config(saResource("ls", a) + ipKeyPackResource + saResource("b", `  host              = "`+e.Addr("LS02")+`"
  method            = "license_server_id"
  license_server_id = "`+id+`"`))
	}
	good := cfg("", id2)
	internet := func(on bool) func() {
		return e.Update("LS01", func(st *winsim.HostState) { st.Internet = on })
	}
	const b = "rdslicensing_server_activation.b"
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: good, Check: resource.ComposeTestCheckFunc(saWantActivated(e, "LS01", true), saWantActivated(e, "LS02", true), ipUntouched(e))},
			{
				// Deactivated by hand, and the Clearinghouse out of reach.
				PreConfig: func() { deactivateByHand(e, "LS01")(); internet(false)() },
				Config:    good,
				ExpectError: errorText("Cannot activate the license server on", "could not reach the Microsoft Clearinghouse", "outbound TCP 443",
					"The license server stays deactivated", "the next plan proposes the activation again"),
			},
			{
				// The state is as it was: the same in-place update.
				Config:             good,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(ipActivation, plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction(ipKeyPack, plancheck.ResourceActionNoop),
					plancheck.ExpectResourceAction(b, plancheck.ResourceActionNoop),
				}},
			},
			{
				PreConfig:        internet(true),
				Config:           good,
				ConfigPlanChecks: ipInPlace(e, "activated"),
				Check:            resource.ComposeTestCheckFunc(saWantActivated(e, "LS01", true), ipUntouched(e)),
			},
			{
				// A new reactivation_trigger cannot go with activated = false.
				Config: cfg(`  activated            = false
  reactivation_trigger = "t1"
  reactivation_reason  = "redeployed"`, id2),
				PlanOnly:    true,
				ExpectError: errorText("Reactivation of a license server that stays deactivated", "reactivation_trigger changed while activated = false", "Set activated = true"),
			},
			{
				// Deactivating needs the Clearinghouse as well.
				PreConfig:   internet(false),
				Config:      cfg(`  activated = false`, id2),
				ExpectError: errorText("Cannot deactivate the license server on", "could not reach the Microsoft Clearinghouse", "The server is still activated", "set activated = true"),
			},
			{
				// Still activated, as the state says: nothing to do.
				PreConfig:        internet(true),
				Config:           good,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            resource.ComposeTestCheckFunc(saWantActivated(e, "LS01", true), ipUntouched(e)),
			},
			{
				// LS02, activated with a license server ID, deactivated by
				// hand: an ID the Clearinghouse did not issue for it is refused,
				// and the error says where a new one comes from.
				PreConfig: deactivateByHand(e, "LS02"),
				Config:    cfg("", winsim.LicenseServerIDFor("00000-00000-00000-00000")),
				ExpectError: errorText("Cannot activate the license server on", "the Clearinghouse did not accept the license server ID for product ID "+productID2,
					"may not be taken again", "get a new one for product ID "+productID2, "The license server stays deactivated"),
			},
			{
				// Its own ID activates it again, in place.
				Config: good,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(b, plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction(ipActivation, plancheck.ResourceActionNoop),
				}},
				Check: resource.ComposeTestCheckFunc(
					saWantLicenseServer(e, "LS02", func(ls winsim.LicenseServerState) error {
						if !ls.Activated || !strings.EqualFold(ls.LicenseServerID, id2) {
							return errorf("LS02: activated %t with %q, want activated with %q", ls.Activated, ls.LicenseServerID, id2)
						}
						return nil
					}),
					saWantOps(e, "LS02", map[string]int{"reactivate_license_server": 0}),
				),
			},
			{Config: good, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		},
	})
}

// TestAccServerActivation_createDeactivated: a new resource with
// activated = false sets the contact and leaves the server deactivated;
// true then activates it in place.
func TestAccServerActivation_createDeactivated(t *testing.T) {
	e := newAccEnv(t, winsim.NewLicenseServerHost("LS01", "2022", ""))
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: e.Config(saResource("ls", `  activated = false`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(ipActivation, tfjsonpath.New("id"), knownvalue.StringExact(e.Addr("LS01"))),
					plancheck.ExpectKnownValue(ipActivation, tfjsonpath.New("activation_status"), knownvalue.StringExact("not_activated")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ipActivation, tfjsonpath.New("activation_status"), knownvalue.StringExact("not_activated")),
					statecheck.ExpectKnownValue(ipActivation, tfjsonpath.New("license_server_id"), knownvalue.Null()),
				},
				Check: resource.ComposeTestCheckFunc(
					saWantActivated(e, "LS01", false),
					saWantContact(e, "LS01", map[string]string{"FirstName": "Ada", "Company": "Contoso"}),
					saWantOps(e, "LS01", map[string]int{"activate_license_server": 0}),
				),
			},
			{Config: e.Config(saResource("ls", `  activated = false`)), ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
			{
				Config: e.Config(saResource("ls", "")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(ipActivation, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeTestCheckFunc(saWantActivated(e, "LS01", true), saWantOps(e, "LS01", map[string]int{"activate_license_server": 1})),
			},
		},
	})
}
