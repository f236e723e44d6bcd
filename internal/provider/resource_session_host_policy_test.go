package provider

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// shpDeref shows a pointer's value in messages.
func shpDeref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// shpWantPolicy checks the session host's Group Policy values (nil: not set).
func shpWantPolicy(e *accEnv, host string, mode *int, servers *string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		sh := e.Host(host).State().SessionHost
		if !reflect.DeepEqual(sh.PolicyLicensingMode, mode) || !reflect.DeepEqual(sh.PolicyLicenseServers, servers) {
			return errorf("%s: policy LicensingMode = %v, LicenseServers = %v; want %v, %v", host,
				shpDeref(sh.PolicyLicensingMode), shpDeref(sh.PolicyLicenseServers), shpDeref(mode), shpDeref(servers))
		}
		return nil
	}
}

// shpWantWMI checks the session host's own (non-policy) values.
func shpWantWMI(e *accEnv, host string, mode int, servers ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		sh := e.Host(host).State().SessionHost
		if sh.ConfigLicensingMode != mode || strings.Join(sh.ConfigLicenseServers, ",") != strings.Join(servers, ",") {
			return errorf("%s: WMI LicensingMode = %d, servers = %q; want %d, %q", host, sh.ConfigLicensingMode, sh.ConfigLicenseServers, mode, servers)
		}
		return nil
	}
}

// shpWantRestarts checks how often TermService was restarted.
func shpWantRestarts(e *accEnv, host string, n int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := e.Host(host).State().SessionHost.TermServiceRestarts; got != n {
			return errorf("%s: TermService restarted %d times, want %d", host, got, n)
		}
		return nil
	}
}

func shpKnownStrings(s ...string) knownvalue.Check {
	checks := make([]knownvalue.Check, len(s))
	for i, v := range s {
		checks[i] = knownvalue.StringExact(v)
	}
	return knownvalue.ListExact(checks)
}

// shpAddr is the resource most tests manage.
const shpAddr = "rdslicensing_session_host_policy.rdsh"

func shpStateChecks(kv map[string]knownvalue.Check) []statecheck.StateCheck {
	var out []statecheck.StateCheck
	for k, v := range kv {
		out = append(out, statecheck.ExpectKnownValue(shpAddr, tfjsonpath.New(k), v))
	}
	return out
}

func TestAccSessionHostPolicy_groupPolicy(t *testing.T) {
	e := newAccEnv(t,
		winsim.NewSessionHost("RDSH01", "2022", "contoso.com", graceEnds()),
		winsim.NewLicenseServerHost("LS01", "2022", "contoso.com"),
		winsim.NewLicenseServerHost("LS02", "2025", "contoso.com"))
	const addr = shpAddr
	cfg := func(body string) string {
		return e.Config(`resource "rdslicensing_session_host_policy" "rdsh" {
` + body + `
}`)
	}
	step3 := cfg(`  licensing_mode  = "per_device"
  license_servers = ["ls02.contoso.com", "LS01"]`)
	update := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)}}
	empty := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: cfg(`  licensing_mode  = "per_user"
  license_servers = ["LS01", "ls02.contoso.com"]`),
				ConfigStateChecks: shpStateChecks(map[string]knownvalue.Check{
					"id":                        knownvalue.StringExact(e.Addr("RDSH01")),
					"licensing_mode":            knownvalue.StringExact("per_user"),
					"license_servers":           shpKnownStrings("LS01", "ls02.contoso.com"),
					"method":                    knownvalue.StringExact("group_policy"),
					"restart_service":           knownvalue.Bool(true),
					"effective_licensing_mode":  knownvalue.StringExact("per_user"),
					"effective_license_servers": shpKnownStrings("LS01", "ls02.contoso.com"),
					"licensing_mode_source":     knownvalue.StringExact("group_policy"),
					"license_servers_source":    knownvalue.StringExact("group_policy"),
					"grace_period_days":         knownvalue.Int64Exact(100),
				}),
				Check: resource.ComposeTestCheckFunc(
					shpWantPolicy(e, "RDSH01", intp(4), strp("LS01,ls02.contoso.com")),
					shpWantWMI(e, "RDSH01", 5),
					shpWantRestarts(e, "RDSH01", 1)),
			},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true, ImportStateId: e.Addr("RDSH01")},
			{
				// Update: the mode, and the order of preference.
				Config:           step3,
				ConfigPlanChecks: update,
				ConfigStateChecks: shpStateChecks(map[string]knownvalue.Check{
					"effective_licensing_mode":  knownvalue.StringExact("per_device"),
					"effective_license_servers": shpKnownStrings("ls02.contoso.com", "LS01"),
				}),
				Check: resource.ComposeTestCheckFunc(
					shpWantPolicy(e, "RDSH01", intp(2), strp("ls02.contoso.com,LS01")),
					shpWantRestarts(e, "RDSH01", 2)),
			},
			{
				// The same servers written by hand in other forms: no change,
				// nothing written, no restart; Windows' names show in the
				// effective list.
				PreConfig: e.Update("RDSH01", func(st *winsim.HostState) {
					st.SessionHost.PolicyLicenseServers = strp("LS02, ls01.CONTOSO.com")
				}),
				Config:           step3,
				ConfigPlanChecks: empty,
				ConfigStateChecks: shpStateChecks(map[string]knownvalue.Check{
					"license_servers":           shpKnownStrings("ls02.contoso.com", "LS01"),
					"effective_license_servers": shpKnownStrings("LS02", "ls01.CONTOSO.com"),
				}),
				Check: resource.ComposeTestCheckFunc(
					shpWantPolicy(e, "RDSH01", intp(2), strp("LS02, ls01.CONTOSO.com")),
					shpWantRestarts(e, "RDSH01", 2)),
			},
			{
				// Drift: an administrator changed the mode in gpedit.
				PreConfig:        e.Update("RDSH01", func(st *winsim.HostState) { st.SessionHost.PolicyLicensingMode = intp(4) }),
				Config:           step3,
				ConfigPlanChecks: update,
				Check: resource.ComposeTestCheckFunc(
					shpWantPolicy(e, "RDSH01", intp(2), strp("ls02.contoso.com,LS01")),
					shpWantRestarts(e, "RDSH01", 3)),
			},
			{Config: step3, ConfigPlanChecks: empty},
			{
				// Drift: the policy was set back to Not Configured by hand.
				PreConfig: e.Update("RDSH01", func(st *winsim.HostState) {
					st.SessionHost.PolicyLicensingMode, st.SessionHost.PolicyLicenseServers = nil, nil
				}),
				Config:           step3,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)}},
				Check:            shpWantPolicy(e, "RDSH01", intp(2), strp("ls02.contoso.com,LS01")),
			},
			{Config: step3, ConfigPlanChecks: empty},
			{
				// No servers: the policy value goes; the mode stays.
				Config:           cfg(`  licensing_mode = "per_device"`),
				ConfigPlanChecks: update,
				ConfigStateChecks: shpStateChecks(map[string]knownvalue.Check{
					"license_servers":        knownvalue.ListSizeExact(0),
					"license_servers_source": knownvalue.StringExact("server"),
				}),
				Check: shpWantPolicy(e, "RDSH01", intp(2), nil),
			},
			{Config: cfg(`  licensing_mode = "per_device"`), ConfigPlanChecks: empty},
		},
		CheckDestroy: resource.ComposeTestCheckFunc(
			shpWantPolicy(e, "RDSH01", nil, nil),
			shpWantRestarts(e, "RDSH01", 6)),
	})
}

func TestAccSessionHostPolicy_wmi(t *testing.T) {
	e := newAccEnv(t,
		winsim.NewSessionHost("RDSH01", "2022", "contoso.com", graceEnds()),
		winsim.NewLicenseServerHost("LS01", "2022", "contoso.com"))
	const addr = shpAddr
	wmi := e.Config(`resource "rdslicensing_session_host_policy" "rdsh" {
  method          = "wmi"
  licensing_mode  = "per_user"
  license_servers = ["LS01"]
}`)
	wmi2 := e.Config(`resource "rdslicensing_session_host_policy" "rdsh" {
  method         = "wmi"
  licensing_mode = "per_device"
}`)
	gpMode := func(st *winsim.HostState) { st.SessionHost.PolicyLicensingMode = intp(2) }
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: e.Config(`resource "rdslicensing_session_host_policy" "rdsh" {
  licensing_mode  = "per_user"
  license_servers = ["LS01"]
}`),
				Check: shpWantPolicy(e, "RDSH01", intp(4), strp("LS01")),
			},
			{
				// Another method replaces: the policy values go first, and
				// their presence at plan time is no error.
				Config:           wmi,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate)}},
				ConfigStateChecks: shpStateChecks(map[string]knownvalue.Check{
					"method":                   knownvalue.StringExact("wmi"),
					"effective_licensing_mode": knownvalue.StringExact("per_user"),
					"licensing_mode_source":    knownvalue.StringExact("server"),
					"license_servers_source":   knownvalue.StringExact("server"),
				}),
				Check: resource.ComposeTestCheckFunc(
					shpWantPolicy(e, "RDSH01", nil, nil),
					shpWantWMI(e, "RDSH01", 4, "LS01"),
					shpWantRestarts(e, "RDSH01", 3)),
			},
			// The method is inferred: no policy values, so wmi.
			{ResourceName: addr, ImportState: true, ImportStateVerify: true, ImportStateId: e.Addr("RDSH01")},
			{
				Config: wmi2,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeTestCheckFunc(shpWantWMI(e, "RDSH01", 2), shpWantRestarts(e, "RDSH01", 4)),
			},
			{
				// Drift: the mode changed through Server Manager.
				PreConfig:        e.Update("RDSH01", func(st *winsim.HostState) { st.SessionHost.ConfigLicensingMode = 4 }),
				Config:           wmi2,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)}},
				Check:            shpWantWMI(e, "RDSH01", 2),
			},
			{
				// A policy now sets the mode: a change through WMI fails at
				// plan time, naming the policy value.
				PreConfig:   e.Update("RDSH01", gpMode),
				Config:      wmi,
				ExpectError: errorText(`Group Policy controls the licensing of RDSH01`, `method = "wmi" cannot set the licensing mode of RDSH01`, `Terminal Services\LicensingMode = 2`, `Use method = "group_policy"`),
			},
			{
				// Without a change there is nothing to refuse (a warning says
				// the policy overrides the resource).
				Config:           wmi2,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            shpWantWMI(e, "RDSH01", 2),
			},
			{
				// Drift: the policy and the WMI settings cleared by hand.
				PreConfig: e.Update("RDSH01", func(st *winsim.HostState) {
					st.SessionHost.PolicyLicensingMode = nil
					st.SessionHost.ConfigLicensingMode = 5
				}),
				Config:           wmi2,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)}},
				Check:            shpWantWMI(e, "RDSH01", 2),
			},
			{Config: wmi2, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		},
		CheckDestroy: resource.ComposeTestCheckFunc(
			shpWantWMI(e, "RDSH01", 5),
			shpWantPolicy(e, "RDSH01", nil, nil)),
	})
}

// Creating a wmi resource on a host where Group Policy sets the licensing
// fails at plan time, as the docs say, before anything is written (it used
// to only warn, and apply failed); with a group_policy resource on the
// same host being replaced, whose policy values go first, it plans (see
// TestAccSessionHostPolicy_wmi). A policy that appears only between plan
// and apply fails the apply, before writing.
func TestAccSessionHostPolicy_wmiCreateUnderPolicy(t *testing.T) {
	gp := winsim.NewSessionHost("RDSH01", "2022", "contoso.com", graceEnds())
	gp.SessionHost.PolicyLicenseServers = strp("ls01.contoso.com")
	e := newAccEnv(t, gp, winsim.NewLicenseServerHost("LS01", "2022", "contoso.com"))
	wmi := e.Config(`resource "rdslicensing_session_host_policy" "rdsh" {
  method          = "wmi"
  licensing_mode  = "per_user"
  license_servers = ["LS01"]
}`)
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config:             wmi,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ExpectError: errorText(`Group Policy controls the licensing of RDSH01`, `method = "wmi" cannot set the license server list of RDSH01`,
					`Terminal Services\LicenseServers = "ls01.contoso.com"`, `Use method = "group_policy"`),
			},
			{
				// Nothing was written.
				PreConfig: e.Update("RDSH01", func(st *winsim.HostState) { st.SessionHost.PolicyLicenseServers = nil }),
				Config:    wmi,
				Check:     resource.ComposeTestCheckFunc(shpWantWMI(e, "RDSH01", 4, "LS01"), shpWantRestarts(e, "RDSH01", 1)),
			},
		},
	})
	writes := 0
	for _, l := range e.Host("RDSH01").Log(0) {
		if l.Event == "operation" && l.Operation == rds.SetSessionHostLicensing.Name {
			writes++
		}
	}
	if writes != 1 {
		t.Errorf("%d writes, want 1 (the apply after the policy went)", writes)
	}
}

func TestAccSessionHostPolicy_restartService(t *testing.T) {
	e := newAccEnv(t, winsim.NewSessionHost("RDSH01", "2022", "contoso.com", graceEnds()))
	const addr = shpAddr
	cfg := func(mode string, restart bool) string {
		r := "false"
		if restart {
			r = "true"
		}
		return e.Config(`resource "rdslicensing_session_host_policy" "rdsh" {
  licensing_mode  = "` + mode + `"
  restart_service = ` + r + `
}`)
	}
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: cfg("per_device", false),
				Check:  resource.ComposeTestCheckFunc(shpWantPolicy(e, "RDSH01", intp(2), nil), shpWantRestarts(e, "RDSH01", 0)),
			},
			{
				// restart_service alone changes nothing on the host.
				Config:           cfg("per_device", true),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)}},
				Check:            shpWantRestarts(e, "RDSH01", 0),
			},
			{
				Config: cfg("per_user", true),
				Check:  resource.ComposeTestCheckFunc(shpWantPolicy(e, "RDSH01", intp(4), nil), shpWantRestarts(e, "RDSH01", 1)),
			},
			{
				// The role removed by hand: the settings are still read, the
				// plan is empty.
				PreConfig:        e.Update("RDSH01", func(st *winsim.HostState) { st.Features[winsim.FeatureSessionHost] = winsim.StateAvailable }),
				Config:           cfg("per_user", true),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
		// Destroy works without the role, and restarts TermService.
		CheckDestroy: resource.ComposeTestCheckFunc(shpWantPolicy(e, "RDSH01", nil, nil), shpWantRestarts(e, "RDSH01", 2)),
	})
}

// shpSimCheck is a state check that looks at winsim rather than the state:
// terraform-plugin-testing's legacy Check and CheckDestroy cannot read a
// state that holds for_each instances.
type shpSimCheck resource.TestCheckFunc

func (f shpSimCheck) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = f(nil)
}

func TestAccSessionHostPolicy_fleet(t *testing.T) {
	e := newAccEnv(t,
		winsim.NewLicenseServerHost("LS01", "2025", "contoso.com"),
		winsim.NewSessionHost("RDSH01", "2022", "contoso.com", graceEnds()),
		winsim.NewSessionHost("RDSH02", "2022", "contoso.com", graceEnds()),
		winsim.NewSessionHost("RDSH03", "2019", "contoso.com", graceEnds()))
	fleet := `
locals {
  session_hosts = {
    rdsh01 = "` + e.Addr("RDSH01") + `"
    rdsh02 = "` + e.Addr("RDSH02") + `"
    rdsh03 = "` + e.Addr("RDSH03") + `"
  }
}

resource "rdslicensing_session_host_policy" "rdsh" {
  for_each        = local.session_hosts
  host            = each.value
  licensing_mode  = "per_user"
  license_servers = ["ls01.contoso.com"]
}
`
	// RDSH03 was configured by hand before, naming the license server by
	// its short name: it is imported, and nothing is written.
	cfg := e.Config(fleet + `
import {
  to = rdslicensing_session_host_policy.rdsh["rdsh03"]
  id = "` + e.Addr("RDSH03") + `"
}
`)
	inst := func(key string) string { return `rdslicensing_session_host_policy.rdsh["` + key + `"]` }
	all := func(fn func(host string) resource.TestCheckFunc) statecheck.StateCheck {
		return shpSimCheck(resource.ComposeTestCheckFunc(fn("RDSH01"), fn("RDSH02"), fn("RDSH03")))
	}
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				PreConfig: e.Update("RDSH03", func(st *winsim.HostState) {
					st.SessionHost.PolicyLicensingMode = intp(4)
					st.SessionHost.PolicyLicenseServers = strp("LS01")
				}),
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(inst("rdsh01"), plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction(inst("rdsh02"), plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction(inst("rdsh03"), plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(inst("rdsh02"), tfjsonpath.New("id"), knownvalue.StringExact(e.Addr("RDSH02"))),
					statecheck.ExpectKnownValue(inst("rdsh03"), tfjsonpath.New("host"), knownvalue.StringExact(e.Addr("RDSH03"))),
					statecheck.ExpectKnownValue(inst("rdsh03"), tfjsonpath.New("method"), knownvalue.StringExact("group_policy")),
					statecheck.ExpectKnownValue(inst("rdsh03"), tfjsonpath.New("license_servers"), shpKnownStrings("LS01")),
					shpSimCheck(resource.ComposeTestCheckFunc(
						shpWantPolicy(e, "RDSH01", intp(4), strp("ls01.contoso.com")),
						shpWantPolicy(e, "RDSH02", intp(4), strp("ls01.contoso.com")),
						shpWantPolicy(e, "RDSH03", intp(4), strp("LS01")),
						shpWantRestarts(e, "RDSH01", 1), shpWantRestarts(e, "RDSH02", 1), shpWantRestarts(e, "RDSH03", 0),
						// The license server is the provider's default host: untouched.
						shpWantPolicy(e, "LS01", nil, nil))),
				},
			},
			{Config: cfg, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
			{
				// Destroy, as a step: the test framework's own destroy
				// cannot read for_each instances.
				Config: e.Provider(),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(inst("rdsh01"), plancheck.ResourceActionDestroy),
					plancheck.ExpectResourceAction(inst("rdsh03"), plancheck.ResourceActionDestroy),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					all(func(h string) resource.TestCheckFunc { return shpWantPolicy(e, h, nil, nil) }),
				},
			},
		},
	})
}

func TestAccSessionHostPolicy_failures(t *testing.T) {
	plain := winsim.NewHost("PLAIN01", "2022", "contoso.com")
	removing := winsim.NewSessionHost("RDSHOLD", "2022", "contoso.com", graceEnds())
	removing.Features[winsim.FeatureSessionHost] = winsim.StateUninstallPending
	disabled := winsim.NewSessionHost("RDSHDIS", "2022", "contoso.com", graceEnds())
	disabled.Services[winsim.ServiceTerminalServices] = winsim.Service{Status: "Stopped", StartType: "Disabled"}
	gp := winsim.NewSessionHost("RDSHGP", "2022", "contoso.com", graceEnds())
	gp.SessionHost.PolicyLicensingMode = intp(4)
	gp.SessionHost.PolicyLicenseServers = strp("ls01.contoso.com")
	pending := winsim.NewSessionHost("RDSHNEW", "2022", "contoso.com", graceEnds())
	pending.Features[winsim.FeatureSessionHost] = winsim.StateInstallPending
	e := newAccEnv(t, winsim.NewSessionHost("RDSH01", "2022", "contoso.com", graceEnds()), plain, removing, disabled, gp, pending)
	// get_session_host fails on RDSHGP, so that the plan-time check cannot
	// run and the script's own refusal is what the user sees.
	if _, err := e.Host("RDSHGP").AddFault(winsim.Fault{Type: winsim.FaultOpError, Operation: "get_session_host", Kind: "wmi_error", Message: "simulated"}); err != nil {
		t.Fatal(err)
	}
	on := func(host, body string) string {
		return e.Config(`resource "rdslicensing_session_host_policy" "x" {
  host           = "` + host + `"
  licensing_mode = "per_user"
` + body + `
}`)
	}
	servers := func(list string) string {
		return e.Config(`resource "rdslicensing_session_host_policy" "x" {
  licensing_mode  = "per_user"
  license_servers = ` + list + `
}`)
	}
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config:      on(e.Addr("PLAIN01"), ""),
				ExpectError: errorText("Cannot configure Remote Desktop licensing on "+e.Addr("PLAIN01"), "RD Session Host role service (RDS-RD-Server) is not installed on PLAIN01", "Install-WindowsFeature RDS-RD-Server"),
			},
			{
				Config:      on(e.Addr("RDSHOLD"), ""),
				ExpectError: errorText("is being removed and waits for a restart", "Restart the server, then apply again"),
			},
			{
				// ChangeMode is for application servers, which the host is not before its restart.
				Config:      on(e.Addr("RDSHNEW"), `  method = "wmi"`),
				ExpectError: errorText("waits for the restart that completes its installation", `restart RDSHNEW first, or use method = "group_policy"`, "Restart the server, then apply again"),
			},
			{
				Config:      on(e.Addr("RDSHDIS"), ""),
				ExpectError: errorText("(TermService) is disabled on RDSHDIS, so restart_service cannot restart it", "set restart_service = false"),
			},
			{
				Config:      on(e.Addr("RDSHGP"), `  method = "wmi"`),
				ExpectError: errorText("Cannot configure Remote Desktop licensing on", "the licensing mode and the license server list of RDSHGP are set by Group Policy", `LicenseServers = "ls01.contoso.com"`, `or use method = "group_policy"`),
			},
			{
				Config:      on("127.0.99.99", ""),
				ExpectError: errorText("connection to 127.0.99.99:", "refused"),
			},
			{Config: servers(`["LS01", ""]`), ExpectError: errorText("Invalid license server name", `license_servers[1] "" is empty`)},
			{Config: servers(`["ls01,ls02"]`), ExpectError: errorText(`license_servers[0] "ls01,ls02" holds more than one name`, "its own list element")},
			{Config: servers(`["ls01.contoso.com:443"]`), ExpectError: errorText(`license_servers[0]`, "a license server takes no port")},
			{Config: servers(`["ls01!"]`), ExpectError: errorText(`license_servers[0] "ls01!" contains '!'`)},
			{Config: servers(`["LS01", "ls02", "ls01.contoso.com"]`), ExpectError: errorText("License server listed twice", `license_servers[2] "ls01.contoso.com" names the same license server as license_servers[0] "LS01"`)},
			{Config: on(e.Addr("RDSH01"), `  method = "registry"`), ExpectError: errorText("method", `value must be one of: ["group_policy" "wmi"]`)},
			{
				Config:      e.Config(`resource "rdslicensing_session_host_policy" "x" { licensing_mode = "per_seat" }`),
				ExpectError: errorText("licensing_mode", `value must be one of: ["per_user" "per_device"], got: "per_seat"`),
			},
			{
				Config:        e.Config(`resource "rdslicensing_session_host_policy" "x" { licensing_mode = "per_user" }`),
				ResourceName:  "rdslicensing_session_host_policy.x",
				ImportState:   true,
				ImportStateId: "rdsh01 contoso",
				ExpectError:   errorText("Invalid import ID", "The import ID must be the host name"),
			},
			{
				// Nothing configured on the host: nothing to import.
				Config:        e.Config(`resource "rdslicensing_session_host_policy" "x" { licensing_mode = "per_user" }`),
				ResourceName:  "rdslicensing_session_host_policy.x",
				ImportState:   true,
				ImportStateId: e.Addr("RDSH01"),
				ExpectError:   errorText("Nothing to import on "+e.Addr("RDSH01"), "Remote Desktop licensing is not configured on RDSH01", "Create the resource instead"),
			},
			{
				// None of the failures changed anything.
				Config: e.Provider(),
				ConfigStateChecks: []statecheck.StateCheck{shpSimCheck(resource.ComposeTestCheckFunc(
					shpWantPolicy(e, "RDSH01", nil, nil), shpWantWMI(e, "RDSH01", 5),
					shpWantPolicy(e, "PLAIN01", nil, nil),
					shpWantPolicy(e, "RDSHOLD", nil, nil),
					shpWantPolicy(e, "RDSHNEW", nil, nil), shpWantWMI(e, "RDSHNEW", 5),
					shpWantPolicy(e, "RDSHDIS", nil, nil), shpWantRestarts(e, "RDSHDIS", 0),
					shpWantPolicy(e, "RDSHGP", intp(4), strp("ls01.contoso.com")), shpWantWMI(e, "RDSHGP", 5), shpWantRestarts(e, "RDSHGP", 0),
				))},
			},
		},
	})
}

func TestAccSessionHostPolicy_nonAdministrator(t *testing.T) {
	st := winsim.NewSessionHost("RDSH01", "2022", "contoso.com", graceEnds())
	st.Users = append(st.Users, winsim.User{Name: "operator", Password: "0perator-pw", RemoteManagement: true})
	e := newAccEnv(t, st)
	cfg := e.Provider() + e.AliasProvider("operator", "RDSH01", "operator", "0perator-pw") + `
resource "rdslicensing_session_host_policy" "rdsh" {
  provider       = rdslicensing.operator
  licensing_mode = "per_device"
}
`
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config:      cfg,
				ExpectError: errorText("Cannot configure Remote Desktop licensing on", "must be a local administrator of the host;", "Access is denied"),
			},
			{
				Config:            e.Provider(),
				ConfigStateChecks: []statecheck.StateCheck{shpSimCheck(shpWantPolicy(e, "RDSH01", nil, nil))},
			},
		},
	})
}

// Unit tests of the helpers.

func TestSessionHostPolicy_errorHints(t *testing.T) {
	var diags diag.Diagnostics
	err := &winrmclient.Error{Kind: rds.KindRoleMissing, Message: "the RD Session Host role service (RDS-RD-Server) is not installed on X", Operation: "set_session_host_licensing", Host: "x"}
	sessionHostError(&diags, "Cannot configure", err, "extra")
	d := diags[0].Detail()
	if !strings.HasPrefix(d, "the RD Session Host role service (RDS-RD-Server) is not installed on X. Install the role service first") ||
		!strings.HasSuffix(d, "(set_session_host_licensing on x, error kind role_missing)") || strings.Contains(d, "extra") {
		t.Errorf("detail: %q", d)
	}
	diags = nil
	sessionHostError(&diags, "Cannot clear", &winrmclient.Error{Kind: rds.KindPolicyControlled, Message: "policy", Host: "x"}, "Use terraform state rm.")
	if d := diags[0].Detail(); !strings.HasPrefix(d, "policy. Use terraform state rm.\n\n(x, error kind policy_controlled)") {
		t.Errorf("detail: %q", d)
	}
	diags = nil
	sessionHostError(&diags, "Cannot", errors.New("plain"), "")
	if d := diags[0].Detail(); d != "plain" {
		t.Errorf("detail: %q", d)
	}
}

func TestSessionHostPolicy_keepEquivalentServers(t *testing.T) {
	ctx := context.Background()
	state := sessionHostPolicyModel{
		ID: types.StringValue("h"), Host: types.StringNull(), LicensingMode: types.StringValue("per_user"),
		LicenseServers: serverNameList([]string{"ls01.contoso.com", "ls02"}), Method: types.StringValue("group_policy"),
		RestartService: types.BoolValue(true), EffectiveLicensingMode: types.StringValue("per_user"),
		GracePeriodDays: types.Int64Value(10),
	}
	plan := state
	plan.LicenseServers = serverNameList([]string{"LS01", "LS02.contoso.com"})
	plan.EffectiveLicensingMode, plan.GracePeriodDays = types.StringUnknown(), types.Int64Unknown()
	if !plan.keepEquivalentServers(ctx, &state) || !reflect.DeepEqual(plan, state) {
		t.Errorf("equivalent names, nothing else changes: plan %+v, want the state", plan)
	}

	plan = state
	plan.LicensingMode = types.StringValue("per_device")
	plan.LicenseServers = serverNameList([]string{"LS01", "LS02"})
	plan.EffectiveLicensingMode = types.StringUnknown()
	if !plan.keepEquivalentServers(ctx, &state) || !plan.LicenseServers.Equal(state.LicenseServers) || !plan.EffectiveLicensingMode.IsUnknown() {
		t.Errorf("equivalent names and a mode change: plan %+v", plan)
	}

	plan = state
	plan.LicenseServers = serverNameList([]string{"ls02", "ls01"})
	if plan.keepEquivalentServers(ctx, &state) {
		t.Error("another order was kept as the same list")
	}
	plan.LicenseServers = types.ListUnknown(serverNameType{})
	if plan.keepEquivalentServers(ctx, &state) {
		t.Error("an unknown list was replaced")
	}
}
