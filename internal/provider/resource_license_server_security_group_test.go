package provider

import (
	"fmt"
	"slices"
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

// sgFleet is a domain license server (first: the provider's host), three
// session hosts of its domain, and a workgroup license server.
func sgFleet(t *testing.T, tweak func(ls *winsim.HostState)) *accEnv {
	ls := activated(winsim.NewLicenseServerHost("LS01", "2022", "contoso.com"))
	if tweak != nil {
		tweak(&ls)
	}
	return newAccEnv(t, ls,
		winsim.NewSessionHost("RDSH01", "2022", "contoso.com", graceEnds()),
		winsim.NewSessionHost("RDSH02", "2022", "contoso.com", graceEnds()),
		winsim.NewSessionHost("RDSH03", "2022", "contoso.com", graceEnds()),
		winsim.NewLicenseServerHost("LSWG", "2022", ""))
}

// wantSecurity checks LS01's policy value, group members, and whether a
// change waits for the licensing service's restart.
func wantSecurity(e *accEnv, policy *int, members []string, pending bool) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ls := e.Host("LS01").State().LicenseServer
		gotPolicy := "not configured"
		if ls.SecureLicensing != nil {
			gotPolicy = fmt.Sprint(*ls.SecureLicensing)
		}
		wantPolicy := "not configured"
		if policy != nil {
			wantPolicy = fmt.Sprint(*policy)
		}
		if gotPolicy != wantPolicy {
			return errorf("LS01: policy %s, want %s", gotPolicy, wantPolicy)
		}
		if !slices.Equal(ls.EndpointServers, members) {
			return errorf("LS01: RDS Endpoint Servers %q, want %q", ls.EndpointServers, members)
		}
		if (ls.AppliedSecurity != nil) != pending {
			return errorf("LS01: a change waits for the licensing service: %v, want %v", ls.AppliedSecurity != nil, pending)
		}
		return nil
	}
}

func TestAccSecurityGroup_lifecycle(t *testing.T) {
	e := sgFleet(t, nil)
	const addr = "rdslicensing_license_server_security_group.ls"
	on, off := intp(1), intp(0)
	cfg := func(body string) string {
		return e.Config(`resource "rdslicensing_license_server_security_group" "ls" {
` + body + `
}`)
	}
	two := cfg(`  members = ["RDSH01", "rdsh02.contoso.com"]`)
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: two,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(e.Addr("LS01"))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("exclusive"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("restart_service"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("other_members"), knownvalue.ListSizeExact(0)),
				},
				Check: wantSecurity(e, on, []string{`CONTOSO\RDSH01$`, `CONTOSO\RDSH02$`}, false),
			},
			{Config: two, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
			{
				// Someone adds RDSH03 by hand: it stays, listed in other_members.
				PreConfig: e.Update("LS01", func(st *winsim.HostState) {
					st.LicenseServer.EndpointServers = append(st.LicenseServer.EndpointServers, `CONTOSO\RDSH03$`)
				}),
				Config:           two,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("other_members"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(`CONTOSO\RDSH03$`)})),
				},
			},
			{
				// RDSH02 leaves the configuration: only it is removed.
				Config:           cfg(`  members = ["RDSH01"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)}},
				Check:            wantSecurity(e, on, []string{`CONTOSO\RDSH01$`, `CONTOSO\RDSH03$`}, false),
			},
			{
				// Drift: RDSH01 removed and the policy value deleted by hand.
				PreConfig: e.Update("LS01", func(st *winsim.HostState) {
					st.LicenseServer.EndpointServers = []string{`CONTOSO\RDSH03$`}
					st.LicenseServer.SecureLicensing = nil
				}),
				Config: cfg(`  members = ["RDSH01"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
				}},
				Check: wantSecurity(e, on, []string{`CONTOSO\RDSH03$`, `CONTOSO\RDSH01$`}, false),
			},
			{
				// exclusive: RDSH03 goes; the policy disabled, without a
				// restart: the running service waits for one.
				Config: cfg(`  members         = ["RDSH01"]
  exclusive       = true
  enabled         = false
  restart_service = false`),
				Check: wantSecurity(e, off, []string{`CONTOSO\RDSH01$`}, true),
			},
			{
				// exclusive holds: a member added by hand is planned away.
				PreConfig: e.Update("LS01", func(st *winsim.HostState) {
					st.LicenseServer.EndpointServers = append(st.LicenseServer.EndpointServers, `CONTOSO\RDSH03$`)
				}),
				Config: cfg(`  members         = ["RDSH01"]
  exclusive       = true
  enabled         = false
  restart_service = false`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)}},
				Check:            wantSecurity(e, off, []string{`CONTOSO\RDSH01$`}, true),
			},
			{ResourceName: addr, ImportState: true, ImportStateId: e.Addr("LS01"), ImportStateVerify: true,
				// Import cannot know these; they keep their defaults.
				ImportStateVerifyIgnore: []string{"exclusive", "restart_service", "members"}},
		},
		// Destroy removes the policy value and keeps the members.
		CheckDestroy: wantSecurity(e, nil, []string{`CONTOSO\RDSH01$`}, true),
	})
}

// An import names every member as Windows does; a configuration written
// so plans nothing.
func TestAccSecurityGroup_import(t *testing.T) {
	e := sgFleet(t, func(ls *winsim.HostState) {
		ls.LicenseServer.SecureLicensing = intp(1)
		ls.LicenseServer.EndpointServers = []string{`CONTOSO\RDSH01$`, `CONTOSO\RDSH02$`}
	})
	const addr = "rdslicensing_license_server_security_group.ls"
	config := e.Config(`resource "rdslicensing_license_server_security_group" "ls" {
  members = ["CONTOSO\\RDSH01$", "CONTOSO\\RDSH02$"]
}`)
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: config, ResourceName: addr, ImportState: true, ImportStateId: e.Addr("LS01"), ImportStatePersist: true,
				ImportStateCheck: func(s []*terraform.InstanceState) error {
					if len(s) != 1 || s[0].Attributes["members.#"] != "2" || s[0].Attributes["enabled"] != "true" || s[0].Attributes["other_members.#"] != "0" {
						return errorf("imported %v", s)
					}
					return nil
				},
			},
			{Config: config, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		},
	})
}

func TestAccSecurityGroup_removeMembersOnDestroy(t *testing.T) {
	e := sgFleet(t, func(ls *winsim.HostState) { ls.LicenseServer.EndpointServers = []string{`CONTOSO\RDSH03$`} })
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: e.Config(`resource "rdslicensing_license_server_security_group" "ls" {
  members                   = ["RDSH01"]
  remove_members_on_destroy = true
}`),
			Check: wantSecurity(e, intp(1), []string{`CONTOSO\RDSH03$`, `CONTOSO\RDSH01$`}, false),
		}},
		// Only the resource's member goes; the hand-added one stays.
		CheckDestroy: wantSecurity(e, nil, []string{`CONTOSO\RDSH03$`}, false),
	})
}

// Refusals: at plan (names, a workgroup server), and at apply for an
// account Windows cannot find, before anything changes.
func TestAccSecurityGroup_refusals(t *testing.T) {
	e := sgFleet(t, nil)
	resourceOn := func(host, members string) string {
		return e.Config(`resource "rdslicensing_license_server_security_group" "ls" {
  host    = "` + e.Addr(host) + `"
  members = ` + members + `
}`)
	}
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: resourceOn("LS01", `["RD*SH"]`), PlanOnly: true, ExpectError: errorText("Invalid member", `"RD*SH" holds a character computer names cannot have`)},
			{Config: resourceOn("LS01", `["RDSH01", "rdsh01.contoso.com"]`), PlanOnly: true, ExpectError: errorText("Two names for one member", "RDSH01$ twice")},
			{Config: resourceOn("LSWG", `["RDSH01"]`), PlanOnly: true, ExpectError: errorText("The license server "+e.Addr("LSWG")+" is not in a domain", "workgroup WORKGROUP")},
			{
				Config:      resourceOn("LS01", `["RDSH01", "GHOST"]`),
				ExpectError: errorText("Cannot set the license server security group on "+e.Addr("LS01"), "no account GHOST$ is known to LS01", "nothing was changed", "error kind not_found"),
				Check:       wantSecurity(e, nil, nil, false),
			},
		},
	})
	if err := wantSecurity(e, nil, nil, false)(nil); err != nil {
		t.Fatal(err)
	}
}

// The plan says, through the real CLI, who the change shuts out and that
// the licensing service restarts; a plan that changes nothing says nothing.
func TestAccSecurityGroup_warnings(t *testing.T) {
	e := sgFleet(t, func(ls *winsim.HostState) { ls.LicenseServer.EndpointServers = []string{`CONTOSO\RDSH03$`} })
	r := newCLIRun(t, e, "", nil)
	write := func(body string) {
		t.Helper()
		writeMain(t, r, cliConfig(e.Config(`resource "rdslicensing_license_server_security_group" "ls" {
`+body+`
}`)))
	}
	host := e.Addr("LS01")
	enabling := "Warning: Only members of RDS Endpoint Servers will get CALs from " + host
	restart := "Warning: Apply restarts Remote Desktop Licensing on " + host
	leaving := "Warning: 1 member(s) leave RDS Endpoint Servers on " + host
	check := func(what, out string, want ...string) {
		t.Helper()
		flat := strings.Join(strings.Fields(out), " ")
		for _, w := range []string{enabling, restart, leaving} {
			if got := strings.Contains(flat, w); got != slices.Contains(want, w) {
				t.Errorf("%s: shows %q: %v, want %v:\n%s", what, w, got, !got, out)
			}
		}
	}
	write(`  exclusive = true`)
	out := r.run("plan")
	check("plan of an empty group", out, enabling, restart, leaving)
	if !strings.Contains(strings.Join(strings.Fields(out), " "), "The group will be empty: no session host will get CALs from "+host) {
		t.Errorf("plan of an empty group does not say so:\n%s", out)
	}
	write(`  members = ["RDSH01"]`)
	check("plan of the creation", r.run("plan"), enabling, restart)
	r.run("apply", "-auto-approve")
	check("plan without a change", r.run("plan"))
	write(`  members   = ["RDSH01"]
  exclusive = true`)
	check("plan removing RDSH03", r.run("plan"), leaving, restart)
	write(`  members         = ["RDSH01"]
  exclusive       = true
  restart_service = false`)
	check("the same without a restart", r.run("plan"), leaving)
	out = r.run("destroy", "-auto-approve")
	if flat := strings.Join(strings.Fields(out), " "); !strings.Contains(flat, "Warning: Destroy turns the license server security group off on "+host) ||
		!strings.Contains(flat, "The members of RDS Endpoint Servers stay") {
		t.Errorf("destroy: no warning of what it does:\n%s", out)
	}
}

// RD Licensing removed by hand: refresh keeps the resource, and destroy
// succeeds with a warning (no licensing service serves anyone).
func TestAccSecurityGroup_roleGone(t *testing.T) {
	e := sgFleet(t, nil)
	config := e.Config(`resource "rdslicensing_license_server_security_group" "ls" {
  members = ["RDSH01"]
}`)
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig:        e.Update("LS01", func(st *winsim.HostState) { st.Features[winsim.FeatureLicensing] = winsim.StateAvailable }),
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{Config: config, Destroy: true},
		},
		CheckDestroy: wantSecurity(e, intp(1), []string{`CONTOSO\RDSH01$`}, false),
	})
}
