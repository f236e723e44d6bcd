package provider

import (
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// crFleet is an activated license server with 10 Windows Server 2022
// per-device CALs (Windows revokes 2 of them at a time), issued to PC01,
// PC02 and PC03, and a temporary CAL issued to NEWPC.
func crFleet(t *testing.T) *accEnv { return newAccEnv(t, crHosts()...) }

func crHosts() []winsim.HostState {
	ls := activated(winsim.NewLicenseServerHost("LS01", "2022", "contoso.com"))
	expires := time.Now().Add(60 * 24 * time.Hour).UTC().Truncate(time.Hour)
	ls.LicenseServer.KeyPacks = append(ls.LicenseServer.KeyPacks,
		winsim.KeyPackState{KeyPackID: 2, KeyPackType: 2, ProductType: 0, ProductVersionID: 7, TotalLicenses: 10, IssuedLicenses: 3})
	for i, pc := range []string{"PC01", "PC02", "PC03"} {
		ls.LicenseServer.IssuedCALs = append(ls.LicenseServer.IssuedCALs, winsim.IssuedCALState{LicenseID: int64(i + 1), KeyPackID: 2, IssuedToComputer: pc, LicenseStatus: 2, ExpirationDate: expires})
	}
	ls.LicenseServer.IssuedCALs = append(ls.LicenseServer.IssuedCALs, winsim.IssuedCALState{LicenseID: 9, KeyPackID: 1, IssuedToComputer: "NEWPC", LicenseStatus: 1, ExpirationDate: expires})
	return []winsim.HostState{ls}
}

// wantStatuses checks LS01's issued CALs' statuses by device.
func wantStatuses(e *accEnv, want map[string]int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, c := range e.Host("LS01").State().LicenseServer.IssuedCALs {
			if w, ok := want[c.IssuedToComputer]; ok && c.LicenseStatus != w {
				return errorf("the CAL of %s has status %d, want %d", c.IssuedToComputer, c.LicenseStatus, w)
			}
		}
		return nil
	}
}

func TestAccCALRevocation_lifecycle(t *testing.T) {
	e := crFleet(t)
	const addr = "rdslicensing_cal_revocation.old"
	cfg := func(body string) string {
		return e.Config(`resource "rdslicensing_cal_revocation" "old" {
` + body + `
}`)
	}
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: cfg(`  devices = ["pc01.contoso.com"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					// The plan says which CAL goes back.
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("revoked").AtSliceIndex(0).AtMapKey("license_id"), knownvalue.Int64Exact(1)),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("revoked").AtSliceIndex(0).AtMapKey("device"), knownvalue.StringExact("PC01")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("revoked"), knownvalue.ListSizeExact(1)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("revokable_cals"), knownvalue.Int64Exact(1)),
				},
				Check: wantStatuses(e, map[string]int{"PC01": 4, "PC02": 2, "PC03": 2}),
			},
			{Config: cfg(`  devices = ["pc01.contoso.com"]`), ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
			{
				// Another device: only its CAL goes. PC01 connected again
				// meanwhile and holds a new CAL, which nothing asked to revoke.
				PreConfig: e.Update("LS01", func(st *winsim.HostState) {
					st.LicenseServer.IssuedCALs = append(st.LicenseServer.IssuedCALs, winsim.IssuedCALState{LicenseID: 10, KeyPackID: 2, IssuedToComputer: "PC01", LicenseStatus: 2,
						ExpirationDate: st.LicenseServer.IssuedCALs[0].ExpirationDate})
				}),
				Config: cfg(`  devices = ["PC01", "PC02"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("revoked"), knownvalue.ListSizeExact(1)),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("revoked").AtSliceIndex(0).AtMapKey("device"), knownvalue.StringExact("PC02")),
				}},
				Check: func(*terraform.State) error {
					for _, c := range e.Host("LS01").State().LicenseServer.IssuedCALs {
						if c.LicenseID == 10 && c.LicenseStatus != 2 {
							return errorf("PC01's new CAL was revoked: adding PC02 must revoke only PC02's")
						}
					}
					return wantStatuses(e, map[string]int{"PC02": 4, "PC03": 2})(nil)
				},
			},
			{
				// Taking a device out revokes nothing, and keeps the record.
				Config: cfg(`  devices = ["PC02"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("revoked").AtSliceIndex(0).AtMapKey("device"), knownvalue.StringExact("PC02")),
				}},
			},
			{
				// Past the limit (2 of 10 revoked): the plan fails, nothing changes.
				Config:      cfg(`  devices = ["PC03"]` + "\n" + `  revocation_trigger = "2026-12-03"`),
				ExpectError: errorText("Too many Windows Server 2022 per-device CALs to revoke on "+e.Addr("LS01"), "gives back 1 Windows Server 2022 per-device CALs, and Windows allows 0 more"),
				Check:       wantStatuses(e, map[string]int{"PC03": 2}),
			},
			{
				Config: cfg(`  devices = ["PC02"]`), ResourceName: addr, ImportState: true, ImportStateId: e.Addr("LS01"),
				ExpectError: errorText("Nothing to import"),
			},
		},
		// Destroy gives nothing back.
		CheckDestroy: wantStatuses(e, map[string]int{"PC02": 4, "PC03": 2}),
	})
}

// The plan shows, through the real CLI, the CALs that go back and the
// devices that hold none; apply revokes exactly those.
func TestAccCALRevocation_planShowsTheCALs(t *testing.T) {
	e := crFleet(t)
	r := newCLIRun(t, e, "", nil)
	writeMain(t, r, cliConfig(e.Config(`resource "rdslicensing_cal_revocation" "old" {
  devices = ["PC03", "NEWPC"]
}`)))
	flat := strings.Join(strings.Fields(r.run("plan")), " ")
	for _, want := range []string{`device = "PC03"`, `description = "PC03: license 3 of key pack 2 (Windows Server 2022 RDS Per Device CAL, expires`, "Warning: No per-device CAL to revoke for NEWPC"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the plan does not show %q:\n%s", want, flat)
		}
	}
	r.run("apply", "-auto-approve")
	if err := wantStatuses(e, map[string]int{"PC01": 2, "PC02": 2, "PC03": 4, "NEWPC": 1})(nil); err != nil {
		t.Fatal(err)
	}
}
