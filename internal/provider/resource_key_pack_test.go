package provider

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/keypacks"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// kpLicenseServer is an activated Windows Server 2022 license server in
// contoso.com.
func kpLicenseServer(name string) winsim.HostState {
	return activated(winsim.NewLicenseServerHost(name, "2022", "contoso.com"))
}

// kpTyped is a code as users paste it: lower case, hyphens every 5.
func kpTyped(code string) string {
	var groups []string
	for i := 0; i < len(code); i += 5 {
		groups = append(groups, strings.ToLower(code[i:min(i+5, len(code))]))
	}
	return strings.Join(groups, "-")
}

// kpWantPacks checks the host's key packs other than the built-in one:
// KeyPackId -> TotalLicenses.
func kpWantPacks(e *accEnv, host string, want map[int64]int64) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got := map[int64]int64{}
		for _, kp := range e.Host(host).State().LicenseServer.KeyPacks {
			if kp.ProductType != 3 {
				got[kp.KeyPackID] = kp.TotalLicenses
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			return errorf("%s: key packs (id: total) are %v, want %v", host, got, want)
		}
		return nil
	}
}

// kpInstalls counts the install_key_pack operations host ran.
func kpInstalls(e *accEnv, host string) int {
	n := 0
	for _, l := range e.Host(host).Log(0) {
		if l.Event == "operation" && l.Operation == "install_key_pack" {
			n++
		}
	}
	return n
}

func kpWantInstalls(e *accEnv, host string, want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := kpInstalls(e, host); got != want {
			return errorf("%s ran install_key_pack %d times, want %d", host, got, want)
		}
		return nil
	}
}

func kpChecks(addr string, kv map[string]knownvalue.Check) []statecheck.StateCheck {
	keys := make([]string, 0, len(kv))
	for k := range kv {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []statecheck.StateCheck
	for _, k := range keys {
		out = append(out, statecheck.ExpectKnownValue(addr, tfjsonpath.New(k), kv[k]))
	}
	return out
}

func kpIDs(ids ...int64) knownvalue.Check {
	c := make([]knownvalue.Check, len(ids))
	for i, id := range ids {
		c[i] = knownvalue.Int64Exact(id)
	}
	return knownvalue.ListExact(c)
}

func kpPlan(addr string, a plancheck.ResourceActionType) resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, a)}}
}

var kpEmptyPlan = resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}

const kpPermanent = "2038-01-19T03:14:07Z"

func TestAccKeyPack_retail(t *testing.T) {
	e := newAccEnv(t, kpLicenseServer("LS01"))
	code := winsim.NewRetailCode("acc-retail", 7, 1, 20)
	e.Sim.UpdateClearinghouse(func(ch *winsim.ClearinghouseState) { ch.RetailCodes = append(ch.RetailCodes, code) })
	const addr = "rdslicensing_key_pack.cals"
	cfg := func(c string) string {
		return e.Config(`resource "rdslicensing_key_pack" "cals" {
  program         = "retail"
  license_code    = "` + c + `"
  product_version = "2022"
  cal_type        = "per_user"
}`)
	}
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: cfg(kpTyped(code.Code)),
				ConfigStateChecks: kpChecks(addr, map[string]knownvalue.Check{
					"id":                     knownvalue.StringExact(e.Addr("LS01") + "/2"),
					"key_pack_id":            knownvalue.Int64Exact(2),
					"key_pack_ids":           kpIDs(2),
					"quantity":               knownvalue.Int64Exact(20),
					"total_licenses":         knownvalue.Int64Exact(20),
					"issued_licenses":        knownvalue.Int64Exact(0),
					"available_licenses":     knownvalue.Int64Exact(20),
					"type_and_model":         knownvalue.StringExact("RDS Per User CAL"),
					"key_pack_type":          knownvalue.Int64Exact(1),
					"expiration_date":        knownvalue.StringExact(kpPermanent),
					"remove_cals_on_destroy": knownvalue.Bool(false),
				}),
				Check: resource.ComposeAggregateTestCheckFunc(kpWantPacks(e, "LS01", map[int64]int64{2: 20}), func(*terraform.State) error {
					if got := e.Sim.Clearinghouse().RetailCodes[0].UsedBy; got != e.Host("LS01").State().LicenseServer.ProductID {
						return errorf("the Clearinghouse has the code used by %q", got)
					}
					return nil
				}),
			},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true, ImportStateId: e.Addr("LS01") + "/2", ImportStateVerifyIgnore: []string{"license_code", "journal_owner"}},
			{
				// The same code written differently is no new code.
				Config:           cfg(code.Code),
				ConfigPlanChecks: kpPlan(addr, plancheck.ResourceActionUpdate),
				Check:            kpWantInstalls(e, "LS01", 1),
			},
			{
				// Drift: CALs issued and some removed by hand show in the state.
				PreConfig: e.Update("LS01", func(st *winsim.HostState) {
					st.LicenseServer.KeyPacks[1].IssuedLicenses = 3
					st.LicenseServer.KeyPacks[1].TotalLicenses = 15
				}),
				Config:           cfg(code.Code),
				ConfigPlanChecks: kpEmptyPlan,
				ConfigStateChecks: kpChecks(addr, map[string]knownvalue.Check{
					"quantity":           knownvalue.Int64Exact(15),
					"issued_licenses":    knownvalue.Int64Exact(3),
					"available_licenses": knownvalue.Int64Exact(12),
				}),
			},
			{
				// The role removed by hand: its database stays on disk, so
				// the pack stays in the state (with a warning), not installed again.
				PreConfig:         e.Update("LS01", func(st *winsim.HostState) { st.Features[winsim.FeatureLicensing] = winsim.StateAvailable }),
				Config:            cfg(code.Code),
				ConfigPlanChecks:  kpEmptyPlan,
				ConfigStateChecks: kpChecks(addr, map[string]knownvalue.Check{"key_pack_ids": kpIDs(2), "quantity": knownvalue.Int64Exact(15)}),
			},
			{
				PreConfig:        e.Update("LS01", func(st *winsim.HostState) { st.Features[winsim.FeatureLicensing] = winsim.StateInstalled }),
				Config:           cfg(code.Code),
				ConfigPlanChecks: kpEmptyPlan,
				Check:            kpWantInstalls(e, "LS01", 1),
			},
		},
		// A retail code is single-use: destroy keeps the pack by default.
		CheckDestroy: kpWantPacks(e, "LS01", map[int64]int64{2: 15}),
	})
}

func TestAccKeyPack_openLicense(t *testing.T) {
	e := newAccEnv(t, kpLicenseServer("LS01"))
	e.Sim.UpdateClearinghouse(func(ch *winsim.ClearinghouseState) {
		ch.OpenLicenses = append(ch.OpenLicenses, winsim.OpenLicense{LicenseNumber: "12345678", AuthorizationNumber: "ABCDE12345FGHIJ", ProductVersionID: 7, ProductType: 0, Count: 100})
	})
	const addr = "rdslicensing_key_pack.open"
	cfg := func(quantity int) string {
		return e.Config(fmt.Sprintf(`resource "rdslicensing_key_pack" "open" {
  program              = "open_license"
  license_number       = "1234 5678"
  authorization_number = "abcde-12345-fghij"
  product_version      = "2022"
  cal_type             = "per_device"
  quantity             = %d

  remove_cals_on_destroy = true
}`, quantity))
	}
	removeAll := e.Update("LS01", func(st *winsim.HostState) {
		st.LicenseServer.KeyPacks = st.LicenseServer.KeyPacks[:1]
	})
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: cfg(10),
				ConfigStateChecks: kpChecks(addr, map[string]knownvalue.Check{
					"key_pack_ids":           kpIDs(2),
					"total_licenses":         knownvalue.Int64Exact(10),
					"key_pack_type":          knownvalue.Int64Exact(5),
					"type_and_model":         knownvalue.StringExact("RDS Per Device CAL"),
					"remove_cals_on_destroy": knownvalue.Bool(true),
				}),
				Check: kpWantPacks(e, "LS01", map[int64]int64{2: 10}),
			},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true, ImportStateId: e.Addr("LS01") + "/2", ImportStateVerifyIgnore: []string{"license_number", "authorization_number", "remove_cals_on_destroy", "journal_owner"}},
			{
				// More CALs: Windows puts them into another pack.
				Config:           cfg(15),
				ConfigPlanChecks: kpPlan(addr, plancheck.ResourceActionUpdate),
				ConfigStateChecks: kpChecks(addr, map[string]knownvalue.Check{
					"id":             knownvalue.StringExact(e.Addr("LS01") + "/2"),
					"key_pack_ids":   kpIDs(2, 3),
					"total_licenses": knownvalue.Int64Exact(15),
				}),
				Check: kpWantPacks(e, "LS01", map[int64]int64{2: 10, 3: 5}),
			},
			{
				// Both packs of one Open License import as one resource.
				ResourceName: addr, ImportState: true, ImportStateVerify: true, ImportStateId: e.Addr("LS01") + "/2,3",
				ImportStateVerifyIgnore: []string{"license_number", "authorization_number", "remove_cals_on_destroy", "journal_owner"},
			},
			{
				// Fewer: the newest pack goes first, whole.
				Config:           cfg(8),
				ConfigPlanChecks: kpPlan(addr, plancheck.ResourceActionUpdate),
				ConfigStateChecks: kpChecks(addr, map[string]knownvalue.Check{
					"key_pack_ids":   kpIDs(2),
					"total_licenses": knownvalue.Int64Exact(8),
					"quantity":       knownvalue.Int64Exact(8),
				}),
				Check: kpWantPacks(e, "LS01", map[int64]int64{2: 8}),
			},
			{
				// Drift: licenses removed by hand; apply installs them again.
				PreConfig:        e.Update("LS01", func(st *winsim.HostState) { st.LicenseServer.KeyPacks[1].TotalLicenses = 6 }),
				Config:           cfg(8),
				ConfigPlanChecks: kpPlan(addr, plancheck.ResourceActionUpdate),
				ConfigStateChecks: kpChecks(addr, map[string]knownvalue.Check{
					"key_pack_ids":   kpIDs(2, 4),
					"total_licenses": knownvalue.Int64Exact(8),
				}),
				Check: kpWantPacks(e, "LS01", map[int64]int64{2: 6, 4: 2}),
			},
			{Config: cfg(8), ConfigPlanChecks: kpEmptyPlan},
			{
				// Drift: the packs removed by hand; apply installs them again.
				PreConfig:        removeAll,
				Config:           cfg(8),
				ConfigPlanChecks: kpPlan(addr, plancheck.ResourceActionCreate),
				ConfigStateChecks: kpChecks(addr, map[string]knownvalue.Check{
					"key_pack_ids": kpIDs(5),
					"id":           knownvalue.StringExact(e.Addr("LS01") + "/5"),
				}),
				Check: kpWantPacks(e, "LS01", map[int64]int64{5: 8}),
			},
			{Config: cfg(8), ConfigPlanChecks: kpEmptyPlan},
		},
		// remove_cals_on_destroy = true: destroy removes the packs.
		CheckDestroy: kpWantPacks(e, "LS01", map[int64]int64{}),
	})
}

func TestAccKeyPack_agreementWriteOnly(t *testing.T) {
	e := newAccEnv(t, kpLicenseServer("LS01"))
	e.Sim.UpdateClearinghouse(func(ch *winsim.ClearinghouseState) {
		ch.Agreements = append(ch.Agreements, winsim.Agreement{AgreementType: 1, Number: "7654321", ProductVersionID: 7, ProductType: 1, Count: 500})
	})
	const addr = "rdslicensing_key_pack.ea"
	cfg := func(version, quantity int) string {
		return e.Config(fmt.Sprintf(`resource "rdslicensing_key_pack" "ea" {
  program              = "agreement"
  agreement_type       = "enterprise"
  agreement_number_wo  = "765-4321"
  codes_wo_version     = %d
  product_version      = "2022"
  cal_type             = "per_user"
  quantity             = %d
  remove_cals_on_destroy = false
}`, version, quantity))
	}
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: cfg(1, 50),
				ConfigStateChecks: kpChecks(addr, map[string]knownvalue.Check{
					"agreement_number_wo": knownvalue.Null(),
					"agreement_number":    knownvalue.Null(),
					"key_pack_type":       knownvalue.Int64Exact(2),
					"total_licenses":      knownvalue.Int64Exact(50),
					"codes_wo_version":    knownvalue.Int64Exact(1),
				}),
				Check: kpWantPacks(e, "LS01", map[int64]int64{2: 50}),
			},
			{
				ResourceName: addr, ImportState: true, ImportStateVerify: true, ImportStateId: e.Addr("LS01") + "/2",
				// Not on the host: the version of the write-only codes and
				// what destroy does. The agreement type comes from the
				// license server's key pack journal.
				ImportStateVerifyIgnore: []string{"codes_wo_version", "remove_cals_on_destroy", "journal_owner"},
			},
			{
				// Issued CALs cannot be removed: plan says so.
				PreConfig:   e.Update("LS01", func(st *winsim.HostState) { st.LicenseServer.KeyPacks[1].IssuedLicenses = 45 }),
				Config:      cfg(1, 10),
				ExpectError: errorText("Cannot remove 40 CALs from", "only 5 of the 50 CALs in key pack 2", "are not issued", "Set quantity to 45 or more"),
			},
			{
				// A new version of the write-only code replaces the pack;
				// the old one stays (remove_cals_on_destroy = false).
				Config:           cfg(2, 50),
				ConfigPlanChecks: kpPlan(addr, plancheck.ResourceActionReplace),
				ConfigStateChecks: kpChecks(addr, map[string]knownvalue.Check{
					"key_pack_ids":    kpIDs(3),
					"issued_licenses": knownvalue.Int64Exact(0),
				}),
				Check: kpWantPacks(e, "LS01", map[int64]int64{2: 50, 3: 50}),
			},
		},
		CheckDestroy: kpWantPacks(e, "LS01", map[int64]int64{2: 50, 3: 50}),
	})
}

// An SPLA agreement number of 8 digits, as a public provisioning script
// installs one: accepted by the provider and the script alike.
func TestAccKeyPack_splaEightDigits(t *testing.T) {
	e := newAccEnv(t, kpLicenseServer("LS01"))
	e.Sim.UpdateClearinghouse(func(ch *winsim.ClearinghouseState) {
		ch.Agreements = append(ch.Agreements, winsim.Agreement{AgreementType: 4, Number: "12345678", ProductVersionID: 7, ProductType: 0, Count: 100})
	})
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: e.Config(`resource "rdslicensing_key_pack" "spla" {
  program                = "agreement"
  agreement_type         = "service_provider"
  agreement_number       = "1234-5678"
  product_version        = "2022"
  cal_type               = "per_device"
  quantity               = 25
  remove_cals_on_destroy = false
}`),
			Check: kpWantPacks(e, "LS01", map[int64]int64{2: 25}),
		}},
		CheckDestroy: kpWantPacks(e, "LS01", map[int64]int64{2: 25}),
	})
}

// Moving a plain code to its write-only form: the same code (typed
// differently) only records the move; another code is another purchase,
// installed by a replacement.
func TestAccKeyPack_plainToWriteOnly(t *testing.T) {
	e := newAccEnv(t, kpLicenseServer("LS01"))
	e.Sim.UpdateClearinghouse(func(ch *winsim.ClearinghouseState) {
		ch.Agreements = append(ch.Agreements,
			winsim.Agreement{AgreementType: 1, Number: "7654321", ProductVersionID: 7, ProductType: 1, Count: 500},
			winsim.Agreement{AgreementType: 1, Number: "7654322", ProductVersionID: 7, ProductType: 1, Count: 500})
	})
	const addr = "rdslicensing_key_pack.ea"
	cfg := func(number string) string {
		return e.Config(`resource "rdslicensing_key_pack" "ea" {
  program              = "agreement"
  agreement_type       = "enterprise"
  ` + number + `
  product_version      = "2022"
  cal_type             = "per_user"
  quantity             = 20
  remove_cals_on_destroy = false
}`)
	}
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: cfg(`agreement_number = "7654321"`), Check: kpWantPacks(e, "LS01", map[int64]int64{2: 20})},
			{
				Config:           cfg("agreement_number_wo = \"765-4321\"\n  codes_wo_version = 1"),
				ConfigPlanChecks: kpPlan(addr, plancheck.ResourceActionUpdate),
				Check:            resource.ComposeTestCheckFunc(kpWantPacks(e, "LS01", map[int64]int64{2: 20}), kpWantInstalls(e, "LS01", 1)),
			},
			{Config: cfg(`agreement_number = "7654321"`), ConfigPlanChecks: kpPlan(addr, plancheck.ResourceActionUpdate)},
			{
				Config:           cfg("agreement_number_wo = \"7654322\"\n  codes_wo_version = 1"),
				ConfigPlanChecks: kpPlan(addr, plancheck.ResourceActionReplace),
				Check:            resource.ComposeTestCheckFunc(kpWantPacks(e, "LS01", map[int64]int64{2: 20, 3: 20}), kpWantInstalls(e, "LS01", 2)),
			},
		},
		CheckDestroy: kpWantPacks(e, "LS01", map[int64]int64{2: 20, 3: 20}),
	})
}

func TestAccKeyPack_licenseKeyPackIDOffline(t *testing.T) {
	ls := kpLicenseServer("LS01")
	ls.Internet = false // the license key pack ID is for servers without Internet
	e := newAccEnv(t, ls)
	id := winsim.NewOfflineKeyPack("acc-offline", 6, 0, 15)
	e.Sim.UpdateClearinghouse(func(ch *winsim.ClearinghouseState) { ch.KeyPackIDs = append(ch.KeyPackIDs, id) })
	const addr = "rdslicensing_key_pack.offline"
	cfg := e.Config(`resource "rdslicensing_key_pack" "offline" {
  program                = "license_key_pack_id"
  license_key_pack_id_wo = "` + kpTyped(id.ID) + `"
  codes_wo_version       = 1
  product_version        = "2019"
  cal_type               = "per_device"
  remove_cals_on_destroy   = true
}`)
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: kpChecks(addr, map[string]knownvalue.Check{
					"quantity":       knownvalue.Int64Exact(15),
					"type_and_model": knownvalue.StringExact("RDS Per Device CAL"),
				}),
				Check: kpWantPacks(e, "LS01", map[int64]int64{2: 15}),
			},
			{
				// The pack cannot tell a key pack ID from a retail code: the
				// import says retail...
				ResourceName: addr, ImportState: true, ImportStateId: e.Addr("LS01") + "/2",
				ImportStateCheck: func(s []*terraform.InstanceState) error {
					if got := s[0].Attributes["program"]; got != "retail" {
						return errorf("imported program = %q, want retail", got)
					}
					return nil
				},
			},
			{
				// (state lost)
				Config: e.Provider() + `
removed {
  from = rdslicensing_key_pack.offline
  lifecycle {
    destroy = false # Terraform destroys without it
  }
}`,
				Check: kpWantPacks(e, "LS01", map[int64]int64{2: 15}),
			},
			{
				// ...and importing into the configuration records its
				// license_key_pack_id without installing the used ID again.
				Config: cfg + `
import {
  to = rdslicensing_key_pack.offline
  id = "` + e.Addr("LS01") + `/2"
}`,
				ConfigPlanChecks:  kpPlan(addr, plancheck.ResourceActionUpdate),
				ConfigStateChecks: kpChecks(addr, map[string]knownvalue.Check{"program": knownvalue.StringExact("license_key_pack_id")}),
				Check:             kpWantInstalls(e, "LS01", 1),
			},
			{Config: cfg, ConfigPlanChecks: kpEmptyPlan},
		},
		CheckDestroy: kpWantPacks(e, "LS01", map[int64]int64{}),
	})
}

// A retail code decides its own CALs: declared wrong, the install keeps
// them, and plan refuses to install the used code again.
func TestAccKeyPack_retailOtherCALsThanDeclared(t *testing.T) {
	e := newAccEnv(t, kpLicenseServer("LS01"))
	code := winsim.NewRetailCode("acc-2019", 6, 0, 5)
	e.Sim.UpdateClearinghouse(func(ch *winsim.ClearinghouseState) { ch.RetailCodes = append(ch.RetailCodes, code) })
	const addr = "rdslicensing_key_pack.r"
	cfg := func(version string) string {
		return e.Config(`resource "rdslicensing_key_pack" "r" {
  program         = "retail"
  license_code    = "` + code.Code + `"
  product_version = "` + version + `"
  cal_type        = "per_device"
}`)
	}
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				// The install succeeds with a warning; the refresh after it
				// shows the real release, which plan refuses to replace.
				Config:      cfg("2022"),
				ExpectError: errorText(`Key pack 2 on`, `holds CALs with product_version = "2019"`, "single-use", `Set product_version = "2019"`),
			},
			{
				Config:            cfg("2019"),
				ConfigPlanChecks:  kpEmptyPlan,
				ConfigStateChecks: kpChecks(addr, map[string]knownvalue.Check{"product_version": knownvalue.StringExact("2019")}),
				Check:             kpWantInstalls(e, "LS01", 1),
			},
		},
	})
}

// The connection breaks after Windows installed the CALs: the provider
// finds the new pack and adopts it, never installing twice.
func TestAccKeyPack_interruptedInstall(t *testing.T) {
	e := newAccEnv(t, kpLicenseServer("LS01"))
	e.Sim.UpdateClearinghouse(func(ch *winsim.ClearinghouseState) {
		ch.OpenLicenses = append(ch.OpenLicenses, winsim.OpenLicense{LicenseNumber: "87654321", AuthorizationNumber: "QWERT12345ASDFG", ProductVersionID: 7, ProductType: 0, Count: 100})
	})
	const addr = "rdslicensing_key_pack.open"
	cfg := e.Config(`resource "rdslicensing_key_pack" "open" {
  program              = "open_license"
  license_number       = "87654321"
  authorization_number = "QWERT12345ASDFG"
  product_version      = "2022"
  cal_type             = "per_device"
  quantity             = 10
}`)
	fault := func(kind string) func() {
		return func() {
			if _, err := e.Host("LS01").AddFault(winsim.Fault{Type: kind, Operation: "install_key_pack", Count: 1}); err != nil {
				t.Fatal(err)
			}
		}
	}
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				// Windows never ran the first install: the journal proves
				// it (a tombstone), so the provider installs once more;
				// then the second answer is lost after the install ran:
				// the journal gives the pack. One pack, 10 CALs drawn.
				PreConfig: func() {
					fault(winsim.FaultCrashBefore)()
					fault(winsim.FaultCrashAfter)()
				},
				Config:            cfg,
				ConfigStateChecks: kpChecks(addr, map[string]knownvalue.Check{"key_pack_ids": kpIDs(2), "total_licenses": knownvalue.Int64Exact(10)}),
				Check: resource.ComposeAggregateTestCheckFunc(
					kpWantPacks(e, "LS01", map[int64]int64{2: 10}),
					kpWantInstalls(e, "LS01", 2), // the crashed-before one and this one
					func(*terraform.State) error {
						if used := e.Sim.Clearinghouse().OpenLicenses[0].Used; used != 10 {
							return errorf("the Clearinghouse gave %d CALs, want 10", used)
						}
						return nil
					},
				),
			},
			{Config: cfg, ConfigPlanChecks: kpEmptyPlan},
		},
	})
}

// Per-device CALs are there; per-user ones come: plan warns (the warning
// text is unit-tested) and goes on.
func TestAccKeyPack_mixedCALTypes(t *testing.T) {
	ls := kpLicenseServer("LS01")
	ls.LicenseServer.KeyPacks = append(ls.LicenseServer.KeyPacks, winsim.KeyPackState{KeyPackID: 2, KeyPackType: 1, ProductType: 0, ProductVersionID: 7, TotalLicenses: 10, ExpirationDate: time.Date(2038, 1, 19, 3, 14, 7, 0, time.UTC)})
	e := newAccEnv(t, ls)
	code := winsim.NewRetailCode("acc-mixed", 7, 1, 5)
	e.Sim.UpdateClearinghouse(func(ch *winsim.ClearinghouseState) { ch.RetailCodes = append(ch.RetailCodes, code) })
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: e.Config(`resource "rdslicensing_key_pack" "users" {
  program         = "retail"
  license_code    = "` + code.Code + `"
  product_version = "2022"
  cal_type        = "per_user"
}`),
			Check: kpWantPacks(e, "LS01", map[int64]int64{2: 10, 3: 5}),
		}},
	})
}

// What fails before anything is installed: offline validation and the
// plan-time checks on the host.
func TestAccKeyPack_planTimeFailures(t *testing.T) {
	wg := activated(winsim.NewLicenseServerHost("WG01", "2022", ""))
	e := newAccEnv(t, kpLicenseServer("LS01"), wg)
	code := winsim.NewRetailCode("acc-plan", 7, 1, 20)
	e.Sim.UpdateClearinghouse(func(ch *winsim.ClearinghouseState) { ch.RetailCodes = append(ch.RetailCodes, code) })
	retail := func(extra string) string {
		return e.Config(`resource "rdslicensing_key_pack" "k" {
  program         = "retail"
  product_version = "2022"
  cal_type        = "per_device"
  ` + extra + `
}`)
	}
	typo := []byte(kpTyped(code.Code))
	typo[8] = '*' // group 2, character 3
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config:      retail(`license_code = "` + string(typo) + `"`),
				ExpectError: errorText("Invalid license_code", "license_code: character 8 (group 2, character 3) is \"*\"", "license codes hold only digits and letters"),
			},
			{
				Config: e.Config(`resource "rdslicensing_key_pack" "k" {
  program              = "open_license"
  license_number       = "1234O678"
  authorization_number = "ABCDE12345FGHIJ"
  product_version      = "2022"
  cal_type             = "per_device"
  quantity             = 5
}`),
				ExpectError: errorText(`license_number: character 5 is "O" (the letter O); Open License numbers are digits only, check whether it is a zero "0"`),
			},
			{
				Config: e.Config(`resource "rdslicensing_key_pack" "k" {
  program             = "agreement"
  agreement_type      = "select"
  agreement_number_wo = "123456"
  product_version     = "2022"
  cal_type            = "per_device"
  quantity            = 5
}`),
				ExpectError: errorText("agreement_number_wo must be 7 to 8 digits (hyphens and spaces are ignored); it has 6"),
			},
			{
				// 8 digits are for service_provider and other only; the message gives the length, not the number.
				Config: e.Config(`resource "rdslicensing_key_pack" "k" {
  program          = "agreement"
  agreement_type   = "enterprise"
  agreement_number = "1234-5678"
  product_version  = "2022"
  cal_type         = "per_device"
  quantity         = 5
}`),
				ExpectError: errorText(`Agreement number too long for agreement_type = "enterprise"`, "agreement_number has 8 digits", "which has 7", "Only service_provider and other agreement numbers may have 8"),
			},
			{
				Config:      retail(`license_code = "` + code.Code + `"` + "\n  quantity = 20"),
				ExpectError: errorText(`quantity cannot be set with program = "retail"`, "the retail license code decides how many CALs it installs"),
			},
			{
				Config:      retail(`license_code = "` + code.Code + `"` + "\n  license_code_wo = \"" + code.Code + `"`),
				ExpectError: errorText("Both license_code and license_code_wo are set"),
			},
			{
				Config:      retail(`license_number = "12345678"`),
				ExpectError: errorText(`license_number is only used with program = "open_license"`),
			},
			{
				Config:      retail(""),
				ExpectError: errorText("Missing license_code", `program = "retail" needs license_code`, "license_code_wo"),
			},
			{
				Config: e.Config(`resource "rdslicensing_key_pack" "k" {
  program         = "license_key_pack_id"
  license_key_pack_id = "` + strings.Repeat("B", 35) + `"
  product_version = "2025"
  cal_type        = "per_device"
}`),
				ExpectError: errorText("Windows Server 2025 CALs cannot be installed on a Windows Server 2022 license server;", "LS01"),
			},
			{
				Config: e.Config(`resource "rdslicensing_key_pack" "k" {
  host            = "` + e.Addr("WG01") + `"
  program         = "retail"
  license_code    = "` + code.Code + `"
  product_version = "2022"
  cal_type        = "per_user"
}`),
				ExpectError: errorText("Per-user CALs need Active Directory", "WG01", "is in workgroup WORKGROUP", "allow_per_user_in_workgroup = true"),
			},
		},
		// None of it reached the install.
		CheckDestroy: resource.ComposeAggregateTestCheckFunc(kpWantInstalls(e, "LS01", 0), kpWantInstalls(e, "WG01", 0)),
	})
}

// What Windows or the Clearinghouse refuse at apply.
func TestAccKeyPack_applyFailures(t *testing.T) {
	used := kpLicenseServer("LS01")
	usedCode := winsim.NewRetailCode("acc-used", 7, 1, 20)
	usedCode.UsedBy = used.LicenseServer.ProductID
	used.LicenseServer.KeyPacks = append(used.LicenseServer.KeyPacks, winsim.KeyPackState{KeyPackID: 2, KeyPackType: 1, ProductType: 1, ProductVersionID: 7, TotalLicenses: 20, ExpirationDate: time.Date(2038, 1, 19, 3, 14, 7, 0, time.UTC)})
	offline := kpLicenseServer("LS03")
	offline.Internet = false
	e := newAccEnv(t, used, winsim.NewLicenseServerHost("LS02", "2022", "contoso.com"), offline)
	good := winsim.NewRetailCode("acc-good", 7, 1, 20)
	e.Sim.UpdateClearinghouse(func(ch *winsim.ClearinghouseState) { ch.RetailCodes = append(ch.RetailCodes, usedCode, good) })
	retail := func(host, c string) string {
		return e.Config(`resource "rdslicensing_key_pack" "k" {
  host            = "` + e.Addr(host) + `"
  program         = "retail"
  license_code    = "` + c + `"
  product_version = "2022"
  cal_type        = "per_user"
}`)
	}
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config:      retail("LS01", winsim.NewRetailCode("never-sold", 7, 1, 20).Code),
				ExpectError: errorText("Cannot install CALs on", "the Microsoft Clearinghouse did not accept the license code", "check for typos (0/O, 1/I, 5/S, 8/B)"),
			},
			{
				Config: retail("LS01", usedCode.Code),
				ExpectError: errorText("Cannot install CALs on", "this retail license code has already been used", "A key pack on "+e.Addr("LS01")+" holds the CALs this resource declares",
					"A retail license code is single-use", "import that pack instead", "terraform import <address> "+e.Addr("LS01")+"/2", "error kind code_already_used"),
			},
			{
				Config: retail("LS02", good.Code),
				// Found at plan time: nothing in this plan activates LS02.
				ExpectError: errorText("The license server on", "is not activated, and no rdslicensing_server_activation planned before this key pack activates it",
					"host = rdslicensing_server_activation.<name>.id"),
			},
			{
				Config:      retail("LS03", good.Code),
				ExpectError: errorText("could not reach the Microsoft Clearinghouse", "allow outbound TCP 443 from LS03", `program "license_key_pack_id"`),
			},
		},
		CheckDestroy: resource.ComposeAggregateTestCheckFunc(
			kpWantPacks(e, "LS01", map[int64]int64{2: 20}), kpWantPacks(e, "LS02", map[int64]int64{}), kpWantPacks(e, "LS03", map[int64]int64{})),
	})
}

func TestAccKeyPack_importFailures(t *testing.T) {
	ls := kpLicenseServer("LS01")
	ls.LicenseServer.KeyPacks = append(ls.LicenseServer.KeyPacks,
		winsim.KeyPackState{KeyPackID: 2, KeyPackType: 1, ProductType: 1, ProductVersionID: 7, TotalLicenses: 20},
		winsim.KeyPackState{KeyPackID: 3, KeyPackType: 5, ProductType: 0, ProductVersionID: 7, TotalLicenses: 10},
		winsim.KeyPackState{KeyPackID: 4, KeyPackType: 1, ProductType: 0, ProductVersionID: 4, TotalLicenses: 10},
	)
	e := newAccEnv(t, ls)
	cfg := e.Config(`resource "rdslicensing_key_pack" "k" {
  program         = "retail"
  license_code    = "` + strings.Repeat("B", 25) + `"
  product_version = "2022"
  cal_type        = "per_user"
}`)
	step := func(id string, want ...string) resource.TestStep {
		return resource.TestStep{Config: cfg, ResourceName: "rdslicensing_key_pack.k", ImportState: true, ImportStateId: id, ExpectError: errorText(want...)}
	}
	addr := e.Addr("LS01")
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			step("5", "Invalid import ID", `The import ID must be "<host>/<key_pack_id>"`, `which has no "/"`),
			step(addr+"/five", "Invalid import ID", `"five" is not a key pack ID`),
			step("/5", "Invalid import ID", "whose host part is not a host name"),
			step(addr+"/1", "is the built-in per-device pack", "Import a key pack of CALs you installed"),
			step(addr+"/9", "There is no key pack 9 on", "The key packs there are: 2 (20 Windows Server 2022 RDS Per User CAL)"),
			step(addr+"/4", "holds Windows Server 2012 CALs"),
			step(addr+"/2,3", "cannot be one resource", "Import them as separate resources"),
		},
	})
}

// ---- unit tests ------------------------------------------------------------

func TestKeyPackConfigProblems(t *testing.T) {
	s := types.StringValue
	n := types.StringNull
	base := func() keyPackModel {
		var m keyPackModel
		m.nullCodes()
		m.Program, m.Quantity = n(), types.Int64Null()
		return m
	}
	tests := []struct {
		name string
		set  func(m *keyPackModel)
		want []string // "attr: summary substring"
	}{
		{"retail ok", func(m *keyPackModel) { m.Program, m.LicenseCode = s("retail"), s("x") }, nil},
		{"retail write-only ok", func(m *keyPackModel) {
			m.Program, m.LicenseCodeWO, m.CodesWOVersion = s("retail"), s("x"), types.Int64Value(1)
		}, nil},
		{"retail with quantity", func(m *keyPackModel) {
			m.Program, m.LicenseCode, m.Quantity = s("retail"), s("x"), types.Int64Value(5)
		}, []string{`quantity: quantity cannot be set with program = "retail"`}},
		{"retail with both forms", func(m *keyPackModel) {
			m.Program, m.LicenseCode, m.LicenseCodeWO = s("retail"), s("x"), s("x")
		}, []string{"license_code: Both license_code and license_code_wo are set"}},
		{"retail missing code, other program's", func(m *keyPackModel) {
			m.Program, m.LicenseNumber = s("retail"), s("1")
		}, []string{"license_code: Missing license_code", `license_number: license_number does not go with program = "retail"`}},
		{"open license ok", func(m *keyPackModel) {
			m.Program, m.LicenseNumber, m.AuthorizationNumberWO, m.CodesWOVersion, m.Quantity = s("open_license"), s("1"), s("2"), types.Int64Value(1), types.Int64Value(5)
		}, nil},
		{"open license missing", func(m *keyPackModel) { m.Program = s("open_license") },
			[]string{"license_number: Missing license_number", "authorization_number: Missing authorization_number", "quantity: Missing quantity"}},
		{"agreement missing type", func(m *keyPackModel) {
			m.Program, m.AgreementNumber, m.Quantity = s("agreement"), s("1"), types.Int64Value(5)
		}, []string{"agreement_type: Missing agreement_type"}},
		{"agreement type elsewhere", func(m *keyPackModel) {
			m.Program, m.LicenseKeyPackID, m.AgreementType = s("license_key_pack_id"), s("1"), s("select")
		}, []string{`agreement_type: agreement_type does not go with program = "license_key_pack_id"`}},
		{"wo version without wo", func(m *keyPackModel) {
			m.Program, m.LicenseCode, m.CodesWOVersion = s("retail"), s("x"), types.Int64Value(1)
		}, []string{"codes_wo_version: codes_wo_version without a write-only code"}},
		{"unknown program checks nothing else", func(m *keyPackModel) {
			m.Program, m.LicenseNumber = types.StringUnknown(), s("1")
		}, nil},
		{"unknown code counts as set", func(m *keyPackModel) {
			m.Program, m.LicenseCode = s("retail"), types.StringUnknown()
		}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := base()
			tc.set(&m)
			got := keypacks.ConfigProblems(m.config())
			if len(got) != len(tc.want) {
				t.Fatalf("problems = %+v, want %q", got, tc.want)
			}
			for i, w := range tc.want {
				if s := got[i].Attr + ": " + got[i].Summary; !strings.HasPrefix(s, w) {
					t.Errorf("problem %d = %q, want %q", i, s, w)
				}
			}
		})
	}
}
