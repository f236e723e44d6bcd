package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/activation"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// saContact is the contact every test configuration starts with.
const saContact = `
  first_name     = "Ada"
  last_name      = "Lovelace"
  company        = "Contoso"
  country_region = "United Kingdom"
`

// activationResource is an rdslicensing_server_activation block with the
// contact above and body.
func saResource(name, body string) string {
	return `resource "rdslicensing_server_activation" "` + name + `" {` + saContact + body + "\n}\n"
}

// opCount counts the runs of op on host (crashed runs too).
func saOpCount(e *accEnv, host, op string) int {
	n := 0
	for _, l := range e.Host(host).Log(0) {
		if l.Event == "operation" && l.Operation == op {
			n++
		}
	}
	return n
}

// wantOps checks how many times each operation ran on host so far.
func saWantOps(e *accEnv, host string, want map[string]int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for op, n := range want {
			if got := saOpCount(e, host, op); got != n {
				return errorf("%s: %s ran %d times, want %d", host, op, got, n)
			}
		}
		return nil
	}
}

// wantLicenseServer checks the simulated license server of host.
func saWantLicenseServer(e *accEnv, host string, check func(ls winsim.LicenseServerState) error) resource.TestCheckFunc {
	return func(*terraform.State) error { return check(e.Host(host).State().LicenseServer) }
}

func saWantActivated(e *accEnv, host string, activated bool) resource.TestCheckFunc {
	return saWantLicenseServer(e, host, func(ls winsim.LicenseServerState) error {
		if ls.Activated != activated {
			return errorf("%s: activated is %t, want %t", host, ls.Activated, activated)
		}
		return nil
	})
}

// wantContact checks contact properties by their Win32 names.
func saWantContact(e *accEnv, host string, want map[string]string) resource.TestCheckFunc {
	return saWantLicenseServer(e, host, func(ls winsim.LicenseServerState) error {
		got := map[string]string{
			"FirstName": ls.FirstName, "LastName": ls.LastName, "Company": ls.Company, "CountryRegion": ls.CountryRegion,
			"eMail": ls.Email, "OrgUnit": ls.OrgUnit, "Address": ls.Address, "City": ls.City, "State": ls.State, "PostalCode": ls.PostalCode,
		}
		for k, v := range want {
			if got[k] != v {
				return errorf("%s: %s is %q, want %q", host, k, got[k], v)
			}
		}
		return nil
	})
}

func TestAccServerActivation_automatic(t *testing.T) {
	e := newAccEnv(t, winsim.NewLicenseServerHost("LS01", "2022", ""))
	const addr = "rdslicensing_server_activation.ls"
	productID := e.Host("LS01").State().LicenseServer.ProductID
	id := winsim.LicenseServerIDFor(productID)
	updated := saResource("ls", `
  company = "Contoso Ltd"
  email   = "ada@contoso.com"
  city    = "London"
`)
	updated = strings.Replace(updated, `  company        = "Contoso"`+"\n", "", 1)
	reactivate := func(trigger, reason string) string {
		return e.Config(strings.TrimSuffix(updated, "}\n") + `  reactivation_trigger = "` + trigger + `"
  reactivation_reason  = "` + reason + `"
}
`)
	}
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: e.Config(saResource("ls", `  email = "ada@contoso.com"`)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(e.Addr("LS01"))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("method"), knownvalue.StringExact("automatic")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("activation_status"), knownvalue.StringExact("activated")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("product_id"), knownvalue.StringExact(productID)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("license_server_id"), knownvalue.StringExact(id)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("discovery_scope"), knownvalue.StringExact("workgroup")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("add_to_license_servers_group"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("deactivate_on_destroy"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("city"), knownvalue.Null()),
				},
				Check: resource.ComposeTestCheckFunc(
					saWantActivated(e, "LS01", true),
					saWantContact(e, "LS01", map[string]string{"FirstName": "Ada", "LastName": "Lovelace", "Company": "Contoso", "CountryRegion": "United Kingdom", "eMail": "ada@contoso.com", "City": ""}),
					saWantOps(e, "LS01", map[string]int{"activate_license_server": 1}),
				),
			},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true, ImportStateId: e.Addr("LS01")},
			{
				// Contact details change without reactivating.
				Config: e.Config(updated),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectSensitiveValue(addr, tfjsonpath.New("license_server_id")),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("license_server_id"), knownvalue.StringExact(id)),
				}},
				Check: resource.ComposeTestCheckFunc(
					saWantContact(e, "LS01", map[string]string{"Company": "Contoso Ltd", "City": "London", "eMail": "ada@contoso.com"}),
					saWantOps(e, "LS01", map[string]int{"activate_license_server": 1, "reactivate_license_server": 0}),
				),
			},
			{
				// Drift: contact details changed by hand, a postal code
				// added where the configuration has none.
				PreConfig: e.Update("LS01", func(st *winsim.HostState) {
					st.LicenseServer.Company, st.LicenseServer.City, st.LicenseServer.PostalCode = "Fabrikam", "", "SW1A 1AA"
				}),
				Config:           e.Config(updated),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)}},
				Check: resource.ComposeTestCheckFunc(
					saWantContact(e, "LS01", map[string]string{"Company": "Contoso Ltd", "City": "London", "PostalCode": ""}),
					saWantOps(e, "LS01", map[string]int{"activate_license_server": 1, "reactivate_license_server": 0}),
				),
			},
			{Config: e.Config(updated), ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
			{
				// Drift: deactivated by hand; apply activates it again, in
				// place (it was a re-creation before the id was the host).
				PreConfig: e.Update("LS01", func(st *winsim.HostState) {
					st.LicenseServer.Activated, st.LicenseServer.LicenseServerID = false, ""
				}),
				Config: e.Config(updated),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(e.Addr("LS01"))),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("activation_status"), knownvalue.StringExact("activated")),
				}},
				Check: resource.ComposeTestCheckFunc(
					saWantActivated(e, "LS01", true),
					saWantOps(e, "LS01", map[string]int{"activate_license_server": 2}),
				),
			},
			{Config: e.Config(updated), ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
			{
				// The trigger reactivates, with the reason.
				Config:           reactivate("2026-03-restored-from-backup", "redeployed"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)}},
				Check:            saWantOps(e, "LS01", map[string]int{"activate_license_server": 2, "reactivate_license_server": 1}),
			},
			{Config: reactivate("2026-03-restored-from-backup", "redeployed"), ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
			{
				// Changing the reason alone only stores it.
				Config:           reactivate("2026-03-restored-from-backup", "server_upgraded"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)}},
				Check:            saWantOps(e, "LS01", map[string]int{"reactivate_license_server": 1}),
			},
		},
		// Destroy only forgets: the server stays activated.
		CheckDestroy: resource.ComposeTestCheckFunc(
			saWantActivated(e, "LS01", true),
			saWantOps(e, "LS01", map[string]int{"deactivate_license_server": 0}),
		),
	})
}

func TestAccServerActivation_deactivateOnDestroy(t *testing.T) {
	e := newAccEnv(t, winsim.NewLicenseServerHost("LS01", "2022", ""))
	cfg := e.Config(saResource("ls", `  deactivate_on_destroy = true`))
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: cfg, Check: saWantActivated(e, "LS01", true)},
			{
				// Deactivating needs the Clearinghouse too; a failure is an error.
				PreConfig:   e.Update("LS01", func(st *winsim.HostState) { st.Internet = false }),
				Config:      cfg,
				Destroy:     true,
				ExpectError: errorText("Cannot deactivate the license server on", "could not reach the Microsoft Clearinghouse", "outbound TCP 443", "deactivate it by telephone", "set deactivate_on_destroy = false"),
			},
			{
				PreConfig:        e.Update("LS01", func(st *winsim.HostState) { st.Internet = true }),
				Config:           cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            saWantActivated(e, "LS01", true),
			},
		},
		CheckDestroy: resource.ComposeTestCheckFunc(
			saWantActivated(e, "LS01", false),
			saWantOps(e, "LS01", map[string]int{"deactivate_license_server": 2}),
		),
	})
}

func TestAccServerActivation_reactivationFailures(t *testing.T) {
	e := newAccEnv(t, winsim.NewLicenseServerHost("LS01", "2022", ""))
	const addr = "rdslicensing_server_activation.ls"
	productID := e.Host("LS01").State().LicenseServer.ProductID
	trigger := e.Config(saResource("ls", `  reactivation_trigger = "t1"
  reactivation_reason  = "redeployed"`))
	byID := func(id string) string {
		return e.Config(saResource("ls", `  method               = "license_server_id"
  license_server_id    = "`+id+`"
  reactivation_trigger = "t1"
  reactivation_reason  = "redeployed"`))
	}
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: e.Config(saResource("ls", ""))},
			{
				PreConfig: e.Update("LS01", func(st *winsim.HostState) { st.Internet = false }),
				Config:    trigger,
				ExpectError: errorText("Cannot reactivate the license server on", "could not reach the Microsoft Clearinghouse, which it must reach over outbound TCP 443",
					`can be reactivated with method = "license_server_id"`, "product ID "+productID),
			},
			{
				// The trigger was not stored: the next apply reactivates.
				PreConfig:        e.Update("LS01", func(st *winsim.HostState) { st.Internet = true }),
				Config:           trigger,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)}},
				Check:            saWantOps(e, "LS01", map[string]int{"reactivate_license_server": 2}),
			},
			{
				// A new license server ID the Clearinghouse did not issue
				// for this server.
				Config:      byID(winsim.LicenseServerIDFor("00000-00000-00000-00000")),
				ExpectError: errorText("Cannot reactivate the license server on", "the license server on LS01 was not reactivated: the Clearinghouse did not accept the license server ID for product ID "+productID),
			},
			{
				// The right one is the server's own: switching the method
				// and the ID to it changes nothing on the host.
				Config: byID(winsim.LicenseServerIDFor(productID)),
				Check:  saWantOps(e, "LS01", map[string]int{"reactivate_license_server": 3, "activate_license_server": 1}),
			},
			{Config: trigger, Check: saWantOps(e, "LS01", map[string]int{"reactivate_license_server": 3})},
			{
				// The connection breaks after Windows reactivated: the
				// server cannot show whether it ran (same ID), so the
				// trigger is recorded and nothing runs again unasked.
				PreConfig: func() {
					if _, err := e.Host("LS01").AddFault(winsim.Fault{Type: winsim.FaultCrashAfter, Operation: "reactivate_license_server", Count: 1}); err != nil {
						t.Fatal(err)
					}
				},
				Config: e.Config(saResource("ls", `  reactivation_trigger = "t2"
  reactivation_reason  = "redeployed"`)),
				ExpectError: errorText("The license server on", "may have been reactivated", "The new reactivation_trigger is recorded", "change reactivation_trigger once more"),
			},
			{
				Config: e.Config(saResource("ls", `  reactivation_trigger = "t2"
  reactivation_reason  = "redeployed"`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            saWantOps(e, "LS01", map[string]int{"reactivate_license_server": 4}),
			},
		},
	})
}

func TestAccServerActivation_licenseServerID(t *testing.T) {
	offline := func(name string) winsim.HostState {
		st := winsim.NewLicenseServerHost(name, "2022", "")
		st.Internet = false // the ID needs no Internet
		return st
	}
	e := newAccEnv(t, offline("LS01"), offline("LS02"))
	id1 := winsim.LicenseServerIDFor(e.Host("LS01").State().LicenseServer.ProductID)
	id2 := winsim.LicenseServerIDFor(e.Host("LS02").State().LicenseServer.ProductID)
	// As users copy it: groups of five, lower case, an en dash.
	var groups []string
	for i := 0; i < 35; i += 5 {
		groups = append(groups, strings.ToLower(id1[i:i+5]))
	}
	typed := strings.Join(groups[:3], "-") + "\u2013" + strings.Join(groups[3:], "-")
	cfg := func(a, b string) string {
		return e.Config(saResource("a", `  method = "license_server_id"`+"\n"+a) +
			saResource("b", `  host   = "`+e.Addr("LS02")+`"
  method = "license_server_id"
`+b))
	}
	first := cfg(`  license_server_id = "`+typed+`"`, `  license_server_id_wo         = "`+id2+`"
  license_server_id_wo_version = 1`)
	const a, b = "rdslicensing_server_activation.a", "rdslicensing_server_activation.b"
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: first,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectSensitiveValue(a, tfjsonpath.New("license_server_id")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					// Kept as written: no perpetual diff.
					statecheck.ExpectKnownValue(a, tfjsonpath.New("license_server_id"), knownvalue.StringExact(typed)),
					statecheck.ExpectKnownValue(b, tfjsonpath.New("license_server_id"), knownvalue.StringExact(id2)),
					statecheck.ExpectKnownValue(b, tfjsonpath.New("license_server_id_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(b, tfjsonpath.New("license_server_id_wo_version"), knownvalue.Int64Exact(1)),
				},
				Check: resource.ComposeTestCheckFunc(
					saWantLicenseServer(e, "LS01", func(ls winsim.LicenseServerState) error {
						if !ls.Activated || ls.LicenseServerID != id1 {
							return errorf("LS01: activated %t with %q, want activated with %q", ls.Activated, ls.LicenseServerID, id1)
						}
						return nil
					}),
					saWantActivated(e, "LS02", true),
				),
			},
			{Config: first, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
			{
				// The server reports the ID in canonical form; the method
				// cannot be read from Windows.
				ResourceName: a, ImportState: true, ImportStateVerify: true, ImportStateId: e.Addr("LS01"),
				ImportStateVerifyIgnore: []string{"method", "license_server_id"},
				ImportStateCheck: func(s []*terraform.InstanceState) error {
					if got := s[0].Attributes["license_server_id"]; got != id1 {
						return errorf("imported license_server_id is %q, want %q", got, id1)
					}
					return nil
				},
			},
			{
				ResourceName: b, ImportState: true, ImportStateVerify: true, ImportStateId: e.Addr("LS02"),
				ImportStateVerifyIgnore: []string{"method", "license_server_id_wo_version"},
			},
			{
				// a: the same ID, now write-only: nothing to do on the host.
				// b: a new version and the trigger reactivate with the ID.
				Config: cfg(`  license_server_id_wo         = "`+id1+`"
  license_server_id_wo_version = 1`, `  license_server_id_wo         = "`+id2+`"
  license_server_id_wo_version = 2
  reactivation_trigger         = "certificate-2026"
  reactivation_reason          = "certificate_corrupt"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(a, plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction(b, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					// The same ID: the state keeps it as it was written.
					statecheck.ExpectKnownValue(a, tfjsonpath.New("license_server_id"), knownvalue.StringExact(typed)),
				},
				Check: resource.ComposeTestCheckFunc(
					saWantOps(e, "LS01", map[string]int{"activate_license_server": 1, "reactivate_license_server": 0}),
					saWantOps(e, "LS02", map[string]int{"activate_license_server": 1, "reactivate_license_server": 1}),
				),
			},
			{
				Config: cfg(`  license_server_id_wo         = "`+id1+`"
  license_server_id_wo_version = 1`, `  license_server_id_wo         = "`+id2+`"
  license_server_id_wo_version = 2
  reactivation_trigger         = "certificate-2026"
  reactivation_reason          = "certificate_corrupt"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// TestAccServerActivation_adopt: an activated server is adopted as it is;
// only its contact changes. No Internet: nothing asks the Clearinghouse.
func TestAccServerActivation_adopt(t *testing.T) {
	offline := func(name string) winsim.HostState {
		st := activated(winsim.NewLicenseServerHost(name, "2022", ""))
		st.Internet = false
		return st
	}
	e := newAccEnv(t, offline("LS01"), offline("LS02"))
	id1 := winsim.LicenseServerIDFor(e.Host("LS01").State().LicenseServer.ProductID)
	id2 := winsim.LicenseServerIDFor(e.Host("LS02").State().LicenseServer.ProductID)
	cfg := e.Config(strings.Replace(saResource("a", ""), `"Contoso"`, `"Contoso Ltd"`, 1) +
		saResource("b", `  host              = "`+e.Addr("LS02")+`"
  method            = "license_server_id"
  license_server_id = "`+id2+`"`))
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("rdslicensing_server_activation.a", tfjsonpath.New("license_server_id"), knownvalue.StringExact(id1)),
				},
				Check: resource.ComposeTestCheckFunc(
					saWantContact(e, "LS01", map[string]string{"Company": "Contoso Ltd"}),
					saWantContact(e, "LS02", map[string]string{"Company": "Contoso"}),
					saWantActivated(e, "LS01", true),
					saWantOps(e, "LS01", map[string]int{"reactivate_license_server": 0}),
					saWantOps(e, "LS02", map[string]int{"reactivate_license_server": 0}),
				),
			},
			{Config: cfg, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		},
	})
}

func TestAccServerActivation_outcomeUnknown(t *testing.T) {
	e := newAccEnv(t, winsim.NewLicenseServerHost("LS01", "2022", ""), winsim.NewLicenseServerHost("LS02", "2022", ""))
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			PreConfig: func() {
				// LS01 activates and dies before answering; LS02 dies
				// before activating.
				if _, err := e.Host("LS01").AddFault(winsim.Fault{Type: winsim.FaultCrashAfter, Operation: "activate_license_server", Count: 1}); err != nil {
					t.Fatal(err)
				}
				if _, err := e.Host("LS02").AddFault(winsim.Fault{Type: winsim.FaultCrashBefore, Operation: "activate_license_server", Count: 1}); err != nil {
					t.Fatal(err)
				}
			},
			Config: e.Config(saResource("a", "") + saResource("b", `  host = "`+e.Addr("LS02")+`"`)),
			Check: resource.ComposeTestCheckFunc(
				saWantActivated(e, "LS01", true),
				saWantActivated(e, "LS02", true),
				// Looked, and activated once only where it had not run.
				saWantOps(e, "LS01", map[string]int{"activate_license_server": 1}),
				saWantOps(e, "LS02", map[string]int{"activate_license_server": 2}),
			),
		}},
	})
}

func TestAccServerActivation_domain(t *testing.T) {
	st := winsim.NewLicenseServerHost("LS01", "2022", "contoso.com")
	st.Users = append(st.Users, winsim.User{Name: "alice", Domain: "contoso.com", Password: "Al1ce-pw", Admin: true, DomainAdmin: true})
	e := newAccEnv(t, st)
	const addr = "rdslicensing_server_activation.ls"
	// Domain scope and the AD group need a Domain Admin: a provider alias.
	cfg := e.Provider() + e.AliasProvider("domain_admin", "LS01", `CONTOSO\alice`, "Al1ce-pw") + `
` + saResource("ls", `
  provider                     = rdslicensing.domain_admin
  discovery_scope              = "domain"
  add_to_license_servers_group = true
`)
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("discovery_scope"), knownvalue.StringExact("domain")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("add_to_license_servers_group"), knownvalue.Bool(true)),
				},
				Check: saWantLicenseServer(e, "LS01", func(ls winsim.LicenseServerState) error {
					if !ls.Activated || ls.ServerRole != 1 || !ls.InTSLSGroup {
						return errorf("LS01: activated %t, server role %d, in group %t; want true, 1, true", ls.Activated, ls.ServerRole, ls.InTSLSGroup)
					}
					return nil
				}),
			},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true, ImportStateId: e.Addr("LS01")},
			{
				// Drift: scope and group changed by hand.
				PreConfig: e.Update("LS01", func(st *winsim.HostState) {
					st.LicenseServer.ServerRole, st.LicenseServer.InTSLSGroup = 0, false
				}),
				Config:           cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)}},
				Check: saWantLicenseServer(e, "LS01", func(ls winsim.LicenseServerState) error {
					if ls.ServerRole != 1 || !ls.InTSLSGroup {
						return errorf("LS01: server role %d, in group %t; want 1, true", ls.ServerRole, ls.InTSLSGroup)
					}
					return nil
				}),
			},
			{Config: cfg, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		},
	})
}

// TestAccServerActivation_invalidConfig: what can be checked offline fails
// at plan time, before any host is asked.
func TestAccServerActivation_invalidConfig(t *testing.T) {
	e := newAccEnv(t, winsim.NewLicenseServerHost("LS01", "2022", ""))
	id := winsim.LicenseServerIDFor(e.Host("LS01").State().LicenseServer.ProductID)
	step := func(body string, want ...string) resource.TestStep {
		return resource.TestStep{Config: e.Config(saResource("ls", body)), PlanOnly: true, ExpectError: errorText(want...)}
	}
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			step(`  method = "license_server_id"
  license_server_id = "`+id[:10]+`-#`+id[11:]+`"`,
				"Invalid license_server_id", `license_server_id: character 11 (group 2, character 1) is "#"; license server IDs hold only digits and letters`),
			step(`  method = "license_server_id"
  license_server_id = "`+id[:30]+`"`,
				"Invalid license_server_id", "license_server_id must be 35 digits and letters (hyphens and spaces are ignored); it has 30"),
			step(`  method = "license_server_id"`,
				"Missing license server ID", `method = "license_server_id"`, "neither license_server_id nor license_server_id_wo is set", "https://activate.microsoft.com", "product ID", "ProductId"),
			step(`  method = "license_server_id"
  license_server_id = "`+id+`"
  license_server_id_wo = "`+id+`"
  license_server_id_wo_version = 1`,
				"Conflicting license server IDs", "Set license_server_id or license_server_id_wo, not both"),
			step(`  method = "license_server_id"
  license_server_id_wo = "`+id+`"`,
				"Missing license_server_id_wo_version", "Set license_server_id_wo_version"),
			step(`  license_server_id = "`+id+`"`,
				"License server ID with automatic activation", `license_server_id is only used with method = "license_server_id"`),
			step(`  method = "phone"`, `value must be one of`),
			step(`  reactivation_reason = "redeployed"`,
				"reactivation_reason without reactivation_trigger", "Set reactivation_trigger too"),
			step(`  reactivation_trigger = "2026"`,
				"Missing reactivation_reason", "set reactivation_reason to redeployed, certificate_corrupt"),
			step(`  discovery_scope = "site"`, `value must be one of`),
			{
				Config:      e.Config(strings.Replace(saResource("ls", ""), `"Lovelace"`, `"  "`, 1)),
				PlanOnly:    true,
				ExpectError: errorText("Empty last_name", "last_name must not be empty", "the Microsoft Clearinghouse needs the last name"),
			},
		},
	})
	if n := saOpCount(e, "LS01", "set_license_server_contact"); n != 0 {
		t.Errorf("set_license_server_contact ran %d times at plan time", n)
	}
}

func TestAccServerActivation_failures(t *testing.T) {
	offline := winsim.NewLicenseServerHost("OFFLINE", "2022", "")
	offline.Internet = false
	pending := winsim.NewLicenseServerHost("PENDING", "2022", "")
	pending.Features[winsim.FeatureLicensing] = winsim.StateInstallPending
	e := newAccEnv(t,
		winsim.NewLicenseServerHost("LS01", "2022", ""),
		offline,
		winsim.NewHost("NOROLE", "2022", ""),
		winsim.NewLicenseServerHost("DOMAIN", "2022", "contoso.com"),
		pending,
	)
	on := func(host, body string) string {
		return e.Config(saResource("x", `  host = "`+e.Addr(host)+`"`+"\n"+body))
	}
	productID := e.Host("OFFLINE").State().LicenseServer.ProductID
	wrongID := winsim.LicenseServerIDFor(e.Host("LS01").State().LicenseServer.ProductID)
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				// No outbound TCP 443: the error names it and the way out.
				Config: on("OFFLINE", ""),
				ExpectError: errorText("Cannot activate the license server on", "the license server OFFLINE could not reach the Microsoft Clearinghouse, which it must reach over outbound TCP 443 (HTTPS)",
					`can be activated with method = "license_server_id"`, "product ID "+productID, "ActivateServerAutomatic failed with 0x80041009"),
			},
			{
				// An ID issued for another server.
				Config: on("OFFLINE", `  method = "license_server_id"
  license_server_id = "`+wrongID+`"`),
				ExpectError: errorText("Cannot activate the license server on", "the license server on OFFLINE was not activated: the Clearinghouse did not accept the license server ID for product ID "+productID, "error kind invalid_code"),
			},
			{
				Config:      strings.Replace(on("LS01", ""), `"United Kingdom"`, `"Atlantis"`, 1),
				ExpectError: errorText("Invalid country_region", "country_region", "CountryRegion 'Atlantis' is not a country/region name the license server on LS01 accepts", "'United Kingdom'"),
			},
			{
				Config:      on("NOROLE", ""),
				ExpectError: errorText("Cannot activate the license server on", "the RD Licensing role service (RDS-Licensing) is not installed on NOROLE", "rdslicensing_role"),
			},
			{
				Config:      on("PENDING", ""),
				ExpectError: errorText("Cannot activate the license server on", "is installed but waits for a restart", "Restart the server", "restart = true"),
			},
			{
				// Found at plan time.
				Config:      on("LS01", `  discovery_scope = "domain"`),
				PlanOnly:    true,
				ExpectError: errorText("Discovery scope domain needs a domain", "cannot set the discovery scope of the license server on LS01 to 1 (domain): the server is not in a domain (workgroup WORKGROUP)", `Set discovery_scope = "workgroup"`),
			},
			{
				Config:      on("LS01", `  add_to_license_servers_group = true`),
				PlanOnly:    true,
				ExpectError: errorText("The license server is not in a domain", `the Active Directory group "Terminal Server License Servers" exists only in a domain`),
			},
			{
				// A host the plan cannot reach is checked at apply.
				Config:      e.Config(saResource("x", `  host = "127.0.99.99"`+"\n"+`  discovery_scope = "domain"`)),
				ExpectError: errorText("Cannot activate the license server on 127.0.99.99", "connection to 127.0.99.99:", "refused"),
			},
			{
				// The provider's Administrator is no Enterprise Admin.
				Config: on("DOMAIN", `  discovery_scope = "forest"`),
				ExpectError: errorText("Cannot set the discovery scope of the license server on", "to 2 (forest) needs an account that is an Enterprise Admin of the forest",
					"WBEM_E_ACCESS_DENIED", "provider whose username is such an account", "or leave discovery_scope out"),
			},
			{
				Config: on("DOMAIN", `  add_to_license_servers_group = true`),
				ExpectError: errorText("Cannot change the group membership of the license server on", `adding the license server DOMAIN to the group "Terminal Server License Servers" of contoso.com needs an account that is a Domain Admin of contoso.com`,
					"or leave add_to_license_servers_group out", "error kind access_denied"),
			},
			{
				Config:        on("LS01", ""),
				ResourceName:  "rdslicensing_server_activation.x",
				ImportState:   true,
				ImportStateId: e.Addr("NOROLE"),
				ExpectError:   errorText("Cannot import the license server activation of", "is not installed on NOROLE"),
			},
			{
				Config:        on("LS01", ""),
				ResourceName:  "rdslicensing_server_activation.x",
				ImportState:   true,
				ImportStateId: e.Addr("OFFLINE"),
				ExpectError:   errorText("is not activated", "activation status not_activated", "there is no activation to import"),
			},
			{
				Config:        on("LS01", ""),
				ResourceName:  "rdslicensing_server_activation.x",
				ImportState:   true,
				ImportStateId: "ls01 contoso",
				ExpectError:   errorText("The import ID must be the host name"),
			},
		},
	})
	// The plan-time checks changed nothing; the failed activations left
	// the servers as they were.
	for _, h := range []string{"OFFLINE", "PENDING"} {
		if e.Host(h).State().LicenseServer.Activated {
			t.Errorf("%s was activated", h)
		}
	}
}

// TestAccServerActivation_roleRemoved: a server whose role was removed
// by hand drops out of the state, and the plan proposes to create.
func TestAccServerActivation_roleRemoved(t *testing.T) {
	e := newAccEnv(t, winsim.NewLicenseServerHost("LS01", "2022", ""))
	const addr = "rdslicensing_server_activation.ls"
	cfg := e.Config(saResource("ls", ""))
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig:          e.Update("LS01", func(st *winsim.HostState) { st.Features[winsim.FeatureLicensing] = winsim.StateAvailable }),
				Config:             cfg,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks:   resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)}},
			},
			{
				// Waiting for a restart is an error on refresh: the
				// activation cannot be read until the role is installed.
				PreConfig:   e.Update("LS01", func(st *winsim.HostState) { st.Features[winsim.FeatureLicensing] = winsim.StateInstallPending }),
				Config:      cfg,
				ExpectError: errorText("Cannot read the license server on", "waits for a restart", "Restart the server"),
			},
			{
				PreConfig: e.Update("LS01", func(st *winsim.HostState) { st.Features[winsim.FeatureLicensing] = winsim.StateInstalled }),
				Config:    cfg,
			},
		},
	})
}

func TestLicenseServerIDValidator(t *testing.T) {
	for _, tc := range []struct {
		value types.String
		want  string
	}{
		{types.StringNull(), ""},
		{types.StringUnknown(), ""},
		{types.StringValue("BCDFG-HJKMP-QRTVW-XY234-6789B-CDFGH-JKMPQ"), ""},
		{types.StringValue("bcdfg hjkmp\u2013qrtvw-xy234-6789b-cdfgh-jkmpq"), ""},
		{types.StringValue("BCDFG-HJKMP-QRTVW-XY234-6789B-CDFGH-JKMP!"), "license_server_id: character 35 (group 7, character 5) is \"!\"; license server IDs hold only digits and letters.\n\nCopy the license server ID again from the Microsoft Clearinghouse web site or the telephone activation"},
		{types.StringValue("BCDFG-HJKMP-QRTVW-XY234-6789B-CDFGH"), "license_server_id must be 35 digits and letters (hyphens and spaces are ignored); it has 30"},
	} {
		resp := &validator.StringResponse{}
		codeValidator{"license_server_id"}.ValidateString(context.Background(), validator.StringRequest{Path: path.Root("license_server_id"), ConfigValue: tc.value}, resp)
		got := ""
		if resp.Diagnostics.HasError() {
			got = resp.Diagnostics.Errors()[0].Detail()
		}
		if !strings.HasPrefix(got, tc.want) || (tc.want == "") != (got == "") {
			t.Errorf("%s: got %q, want %q", tc.value, got, tc.want)
		}
	}
}

func TestContactNotBlank(t *testing.T) {
	v := contactValidator{required: true, why: "the Microsoft Clearinghouse needs it"}
	for value, bad := range map[string]bool{"Ada": false, "": true, "   ": true, "\t": true} {
		resp := &validator.StringResponse{}
		v.ValidateString(context.Background(), validator.StringRequest{Path: path.Root("first_name"), ConfigValue: types.StringValue(value)}, resp)
		if resp.Diagnostics.HasError() != bad {
			t.Errorf("%q: error %t, want %t", value, resp.Diagnostics.HasError(), bad)
		}
	}
}

func TestOptionalContact(t *testing.T) {
	for _, tc := range []struct {
		cur    types.String
		server string
		want   types.String
	}{
		{types.StringNull(), "", types.StringNull()},
		{types.StringValue(""), "", types.StringValue("")},
		{types.StringNull(), "London", types.StringValue("London")},
		{types.StringValue("London"), "", types.StringNull()},
		{types.StringValue("London"), "Paris", types.StringValue("Paris")},
	} {
		if got := optionalContact(tc.cur, tc.server); !got.Equal(tc.want) {
			t.Errorf("optionalContact(%s, %q) = %s, want %s", tc.cur, tc.server, got, tc.want)
		}
	}
}

func TestWillReactivate(t *testing.T) {
	const id = "BCDFGHJKMPQRTVWXY2346789BCDFGHJKMPQ"
	state := serverActivationModel{
		Method: types.StringValue(activation.MethodLicenseServerID), LicenseServerID: types.StringValue(id),
		ReactivationTrigger: types.StringValue("a"), LicenseServerIDWO: types.StringNull(),
	}
	with := func(fn func(m *serverActivationModel)) *serverActivationModel {
		m := state
		fn(&m)
		return &m
	}
	for name, tc := range map[string]struct {
		plan, config *serverActivationModel
		want         bool
	}{
		"nothing": {with(func(*serverActivationModel) {}), with(func(*serverActivationModel) {}), false},
		"same ID, new form": {&state, with(func(m *serverActivationModel) {
			m.LicenseServerID = types.StringValue(strings.ToLower(id[:5]) + "-" + id[5:])
		}), false},
		"new ID": {&state, with(func(m *serverActivationModel) { m.LicenseServerID = types.StringValue("C" + id[1:]) }), true},
		"same write-only ID": {&state, with(func(m *serverActivationModel) {
			m.LicenseServerID, m.LicenseServerIDWO = types.StringNull(), types.StringValue(id)
		}), false},
		"new write-only ID": {&state, with(func(m *serverActivationModel) {
			m.LicenseServerID, m.LicenseServerIDWO = types.StringNull(), types.StringValue("C"+id[1:])
		}), true},
		"unknown ID":        {&state, with(func(m *serverActivationModel) { m.LicenseServerID = types.StringUnknown() }), true},
		"trigger":           {with(func(m *serverActivationModel) { m.ReactivationTrigger = types.StringValue("b") }), &state, true},
		"trigger removed":   {with(func(m *serverActivationModel) { m.ReactivationTrigger = types.StringNull() }), &state, false},
		"automatic, new ID": {with(func(m *serverActivationModel) { m.Method = types.StringValue(activation.MethodAutomatic) }), with(func(m *serverActivationModel) { m.LicenseServerID = types.StringNull() }), false},
	} {
		if got := activation.WillReactivate(tc.plan.plan(tc.config), *state.known()); got != tc.want {
			t.Errorf("%s: willReactivate = %t, want %t", name, got, tc.want)
		}
	}
}

func TestActivationRemedy(t *testing.T) {
	err := &winrmclient.Error{Kind: rds.KindRoleMissing, Message: "the RD Licensing role service (RDS-Licensing) is not installed on LS01", Operation: "get_license_server", Host: "ls01"}
	got := activationRemedy(err, "Extra.")
	want := "the RD Licensing role service (RDS-Licensing) is not installed on LS01. Install the RD Licensing role service first with the rdslicensing_role resource, and make this resource depend on it (depends_on). Extra.\n\n(get_license_server on ls01, error kind role_missing)"
	if got != want {
		t.Errorf("activationRemedy:\n got %q\nwant %q", got, want)
	}
	if got := activation.ReasonCode("server_upgraded"); got != 4 {
		t.Errorf("server_upgraded is reason %d, want 4", got)
	}
	if got := activation.ScopeRole("forest"); got != 2 {
		t.Errorf("forest is server role %d, want 2", got)
	}
}
