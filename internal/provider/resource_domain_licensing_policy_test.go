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

const (
	dpOU  = "OU=SessionHosts,DC=contoso,DC=com"
	dpOU2 = "OU=Kiosks,DC=contoso,DC=com"
)

// dpFleet is a domain controller (the provider's host), a member server
// without Group Policy Management, and a session host in each OU.
func dpFleet(t *testing.T) *accEnv {
	dc := winsim.NewHost("DC01", "2022", "contoso.com")
	dc.DomainController = true
	sh := winsim.NewSessionHost("RDSH01", "2022", "contoso.com", graceEnds())
	sh.OU = dpOU
	kiosk := winsim.NewSessionHost("KIOSK01", "2022", "contoso.com", graceEnds())
	kiosk.OU = dpOU2
	e := newAccEnv(t, dc, winsim.NewHost("MEMBER", "2022", "contoso.com"), sh, kiosk)
	e.Sim.UpdateDomain("contoso.com", func(d *winsim.DomainState) { d.OUs = []string{dpOU, dpOU2} })
	return e
}

// wantGPO checks the domain's GPO "RDS Licensing": its values (mode 0:
// none; servers "": none) and links; gone: it does not exist.
func wantGPO(e *accEnv, gone bool, mode int, servers string, links ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		var gpo *winsim.GPOState
		for _, d := range e.Sim.Domains() {
			for i := range d.GPOs {
				if d.GPOs[i].Name == "RDS Licensing" {
					gpo = &d.GPOs[i]
				}
			}
		}
		switch {
		case gone && gpo != nil:
			return errorf("the GPO still exists")
		case gone:
			return nil
		case gpo == nil:
			return errorf("no GPO RDS Licensing")
		}
		gotMode, gotServers := 0, ""
		for _, s := range gpo.Settings {
			switch s.ValueName {
			case "LicensingMode":
				gotMode = map[string]int{"2": 2, "4": 4}[s.Value]
			case "LicenseServers":
				gotServers = s.Value
			}
		}
		var gotLinks []string
		for _, l := range gpo.Links {
			gotLinks = append(gotLinks, l.Target)
		}
		if gotMode != mode || gotServers != servers || strings.Join(gotLinks, ";") != strings.Join(links, ";") {
			return errorf("GPO: mode %d, servers %q, links %v; want %d, %q, %v", gotMode, gotServers, gotLinks, mode, servers, links)
		}
		return nil
	}
}

func TestAccDomainPolicy_lifecycle(t *testing.T) {
	e := dpFleet(t)
	const addr = "rdslicensing_domain_licensing_policy.rds"
	cfg := func(body string) string {
		return e.Config(`resource "rdslicensing_domain_licensing_policy" "rds" {
  gpo_name = "RDS Licensing"
` + body + `
}`)
	}
	first := cfg(`  licensing_mode  = "per_user"
  license_servers = ["ls01.contoso.com", "ls02.contoso.com"]
  links           = ["` + dpOU + `"]`)
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: first,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(e.Addr("DC01")+"/RDS Licensing")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("created_gpo"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("gpo_id"), knownvalue.NotNull()),
				},
				Check: resource.ComposeTestCheckFunc(wantGPO(e, false, 4, "ls01.contoso.com,ls02.contoso.com", dpOU),
					// The session host in the OU applies it at its next refresh.
					func(*terraform.State) error {
						if err := e.Sim.RefreshPolicy("RDSH01"); err != nil {
							return err
						}
						if sh := e.Host("RDSH01").State().SessionHost; sh.PolicyLicensingMode == nil || *sh.PolicyLicensingMode != 4 || sh.PolicyLicensingModeGPO != "RDS Licensing" {
							return errorf("RDSH01 after a policy refresh: %+v", sh)
						}
						return nil
					}),
			},
			{Config: first, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
			{
				// The session host's Resultant Set of Policy names the GPO.
				Config: first + `
data "rdslicensing_session_host" "rdsh01" {
  host = "` + e.Addr("RDSH01") + `"
}`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.rdslicensing_session_host.rdsh01", tfjsonpath.New("policy_licensing_mode_gpo"), knownvalue.StringExact("RDS Licensing")),
					statecheck.ExpectKnownValue("data.rdslicensing_session_host.rdsh01", tfjsonpath.New("policy_license_servers_gpo"), knownvalue.StringExact("RDS Licensing")),
					statecheck.ExpectKnownValue("data.rdslicensing_session_host.rdsh01", tfjsonpath.New("policy_licensing_mode"), knownvalue.StringExact("per_user")),
				},
			},
			{
				// Drift: the mode changed in Group Policy Management, the link removed.
				PreConfig: func() {
					e.Sim.UpdateDomain("contoso.com", func(d *winsim.DomainState) {
						g := &d.GPOs[0]
						g.Links = nil
						for i := range g.Settings {
							if g.Settings[i].ValueName == "LicensingMode" {
								g.Settings[i].Value = "2"
							}
						}
					})
				},
				Config:           first,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)}},
				Check:            wantGPO(e, false, 4, "ls01.contoso.com,ls02.contoso.com", dpOU),
			},
			{
				// The servers taken out, the GPO moved to the kiosks' OU.
				Config: cfg(`  licensing_mode = "per_device"
  links          = ["` + dpOU2 + `"]`),
				Check: wantGPO(e, false, 2, "", dpOU2),
			},
			{ResourceName: addr, ImportState: true, ImportStateId: e.Addr("DC01") + "/RDS Licensing", ImportStateVerify: true,
				ImportStateVerifyIgnore: []string{"links", "created_gpo"}},
		},
		// Destroy takes the values out and unlinks; the GPO stays.
		CheckDestroy: wantGPO(e, false, 0, ""),
	})
}

func TestAccDomainPolicy_deleteAndRefusals(t *testing.T) {
	e := dpFleet(t)
	on := func(host, body string) string {
		return e.Config(`resource "rdslicensing_domain_licensing_policy" "rds" {
  host     = "` + e.Addr(host) + `"
  gpo_name = "RDS Licensing"
` + body + `
}`)
	}
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: on("DC01", `  links = ["SessionHosts"]`), PlanOnly: true, ExpectError: errorText("Invalid link target", "OU=SessionHosts,DC=contoso,DC=com")},
			{Config: on("DC01", `  license_servers = []`), PlanOnly: true, ExpectError: errorText("license_servers", "at least 1")},
			{Config: on("MEMBER", `  licensing_mode = "per_user"`), ExpectError: errorText("Cannot set the licensing settings of the GPO RDS Licensing on "+e.Addr("MEMBER"), "GroupPolicy module", "Install-WindowsFeature GPMC")},
			{Config: on("DC01", `  create_gpo     = false
  licensing_mode = "per_user"`), ExpectError: errorText("no GPO named RDS Licensing exists", "create_gpo = true")},
			{Config: on("DC01", `  licensing_mode = "per_user"
  links          = ["OU=Nope,DC=contoso,DC=com"]`), ExpectError: errorText("OU=Nope,DC=contoso,DC=com", "nothing was changed")},
			{
				Config: on("DC01", `  licensing_mode        = "per_user"
  delete_gpo_on_destroy = true`),
				Check: wantGPO(e, false, 4, ""),
			},
		},
		CheckDestroy: wantGPO(e, true, 0, ""),
	})
}

// A GPO deleted in Group Policy Management: the refresh drops the
// resource, and the plan creates the GPO again; deleted again before a
// destroy, there is nothing to destroy.
func TestAccDomainPolicy_gpoDeletedByHand(t *testing.T) {
	e := dpFleet(t)
	config := e.Config(`resource "rdslicensing_domain_licensing_policy" "rds" {
  gpo_name       = "RDS Licensing"
  licensing_mode = "per_device"
}`)
	gone := func() {
		e.Sim.UpdateDomain("contoso.com", func(d *winsim.DomainState) { d.GPOs = nil })
	}
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: config, Check: wantGPO(e, false, 2, "")},
			{
				PreConfig:        gone,
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("rdslicensing_domain_licensing_policy.rds", plancheck.ResourceActionCreate)}},
				Check:            wantGPO(e, false, 2, ""),
			},
			{PreConfig: gone, Config: config, Destroy: true},
		},
		CheckDestroy: wantGPO(e, true, 0, ""),
	})
}

// A session host policy written locally where a domain GPO sets the same
// values: its refresh says, through the CLI, which GPO wins.
func TestAccDomainPolicy_localPolicyWarns(t *testing.T) {
	e := dpFleet(t)
	e.Sim.UpdateDomain("contoso.com", func(d *winsim.DomainState) {
		d.GPOs = append(d.GPOs, winsim.GPOState{ID: "g1", Name: "RDS Licensing", Links: []winsim.GPOLink{{Target: dpOU, Enabled: true, Order: 1}},
			Settings: []winsim.GPOSetting{{Key: `HKLM\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services`, ValueName: "LicensingMode", Type: "DWord", Value: "4"}}})
	})
	if err := e.Sim.RefreshPolicy("RDSH01"); err != nil {
		t.Fatal(err)
	}
	r := newCLIRun(t, e, "", nil)
	writeMain(t, r, cliConfig(e.Config(`resource "rdslicensing_session_host_policy" "rdsh01" {
  host            = "`+e.Addr("RDSH01")+`"
  licensing_mode  = "per_user"
  license_servers = ["ls01.contoso.com"]
  restart_service = false
}`)))
	r.run("apply", "-auto-approve")
	flat := strings.Join(strings.Fields(r.run("plan")), " ")
	if !strings.Contains(flat, "Warning: A domain GPO sets the licensing of "+e.Addr("RDSH01")) || !strings.Contains(flat, `the licensing mode (GPO "RDS Licensing")`) {
		t.Fatalf("the plan does not warn of the domain GPO:\n%s", flat)
	}
}

// A destroy says, through the CLI, which session hosts lose the settings.
func TestAccDomainPolicy_destroyWarns(t *testing.T) {
	e := dpFleet(t)
	r := newCLIRun(t, e, "", nil)
	writeMain(t, r, cliConfig(e.Config(`resource "rdslicensing_domain_licensing_policy" "rds" {
  gpo_name       = "RDS Licensing"
  licensing_mode = "per_user"
  links          = ["`+dpOU+`"]
}`)))
	r.run("apply", "-auto-approve")
	flat := strings.Join(strings.Fields(r.run("destroy", "-auto-approve")), " ")
	for _, want := range []string{"Warning: Destroy removes the domain licensing policy RDS Licensing", "takes the licensing settings out of the GPO RDS Licensing",
		"the session hosts of " + dpOU + " (the links this resource made go too) lose"} {
		if !strings.Contains(flat, want) {
			t.Errorf("destroy does not say %q:\n%s", want, flat)
		}
	}
	if err := wantGPO(e, false, 0, "")(nil); err != nil {
		t.Fatal(err)
	}
}
