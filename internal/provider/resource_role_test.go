package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// wantFeatures checks the feature states of LS01.
func wantFeatures(e *accEnv, want map[string]string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		st := e.Host("LS01").State()
		for f, s := range want {
			if got := st.FeatureState(f); got != s {
				return errorf("LS01: feature %s is %s, want %s", f, got, s)
			}
		}
		return nil
	}
}

func TestAccRole_lifecycle(t *testing.T) {
	e := newAccEnv(t, winsim.NewHost("LS01", "2022", ""))
	const addr = "rdslicensing_role.ls"
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: e.Config(`resource "rdslicensing_role" "ls" {}`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(e.Addr("LS01"))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("include_management_tools"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("restart_pending"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("service_status"), knownvalue.StringExact("Running")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("os_version"), knownvalue.StringExact("2022")),
				},
				Check: wantFeatures(e, map[string]string{"RDS-Licensing": "Installed", "RDS-Licensing-UI": "Installed", "RSAT-RDS-Licensing-Diagnosis-UI": "Installed"}),
			},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true, ImportStateId: e.Addr("LS01")},
			{
				// Update: the management tools go.
				Config:           e.Config(`resource "rdslicensing_role" "ls" { include_management_tools = false }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)}},
				Check:            wantFeatures(e, map[string]string{"RDS-Licensing": "Installed", "RDS-Licensing-UI": "Available", "RSAT-RDS-Licensing-Diagnosis-UI": "Available"}),
			},
			{
				// Drift: an administrator removed the role by hand.
				PreConfig:        e.Update("LS01", func(st *winsim.HostState) { st.Features[winsim.FeatureLicensing] = winsim.StateAvailable }),
				Config:           e.Config(`resource "rdslicensing_role" "ls" { include_management_tools = false }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)}},
				Check:            wantFeatures(e, map[string]string{"RDS-Licensing": "Installed"}),
			},
			{
				// Drift: someone installed the tools; false removes them.
				PreConfig: e.Update("LS01", func(st *winsim.HostState) {
					st.Features[winsim.FeatureLicensingUI] = winsim.StateInstalled
					st.Features[winsim.FeatureLicensingDiag] = winsim.StateInstalled
				}),
				Config:           e.Config(`resource "rdslicensing_role" "ls" { include_management_tools = false }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)}},
			},
			{
				Config:           e.Config(`resource "rdslicensing_role" "ls" { include_management_tools = false }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
		CheckDestroy: wantFeatures(e, map[string]string{"RDS-Licensing": "Available"}),
	})
}

func TestAccRole_restart(t *testing.T) {
	st := winsim.NewHost("LS01", "2022", "")
	st.Quirks.LicensingRoleNeedsRestart = true
	e := newAccEnv(t, st)
	const addr = "rdslicensing_role.ls"
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				// Windows wants a restart; the provider leaves it to us.
				Config: e.Config(`resource "rdslicensing_role" "ls" {}`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("restart_pending"), knownvalue.Bool(true)),
				},
				Check: wantFeatures(e, map[string]string{"RDS-Licensing": "InstallPending"}),
			},
			{
				// restart = true restarts the server on the next change.
				Config: e.Config(`resource "rdslicensing_role" "ls" {
  restart                  = true
  include_management_tools = false
}`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("restart_pending"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("service_status"), knownvalue.StringExact("Running")),
				},
				Check: wantFeatures(e, map[string]string{"RDS-Licensing": "Installed"}),
			},
		},
	})
}

// Windows may answer "Maybe" and leave nothing pending: with restart =
// true the provider still waits until the host has restarted.
func TestAccRole_restartMaybe(t *testing.T) {
	st := winsim.NewHost("LS01", "2022", "")
	st.Quirks.RestartMaybe = true
	e := newAccEnv(t, st)
	booted := e.Host("LS01").State().BootTime
	accTest(t, resource.TestCase{Steps: []resource.TestStep{{
		Config: e.Config(`resource "rdslicensing_role" "ls" { restart = true }`),
		Check: func(*terraform.State) error {
			if st := e.Host("LS01").State(); st.BootTime.Equal(booted) {
				return errorf("apply ended before the host restarted")
			}
			return nil
		},
	}}})
}

func TestAccRole_failures(t *testing.T) {
	core := winsim.NewHost("CORE01", "2022", "")
	core.Features[winsim.FeatureLicensingUI] = winsim.StateRemoved
	e := newAccEnv(t, winsim.NewHost("LS01", "2022", ""), core)
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				// Server Core has no RD Licensing Manager.
				Config:      e.Config(`resource "rdslicensing_role" "core" { host = "` + e.Addr("CORE01") + `" }`),
				ExpectError: errorText("Cannot install RD Licensing on", "The source files could not be found", "include_management_tools = false"),
			},
			{
				Config:      e.Config(`resource "rdslicensing_role" "gone" { host = "127.0.99.99" }`),
				ExpectError: errorText("connection to 127.0.99.99:", "refused", "no WinRM listener"),
			},
			{
				Config:        e.Config(`resource "rdslicensing_role" "ls" {}`),
				ResourceName:  "rdslicensing_role.ls",
				ImportState:   true,
				ImportStateId: "ls01 contoso",
				ExpectError:   errorText("The import ID must be the host name"),
			},
		},
	})
}

func TestAccRole_nonAdministrator(t *testing.T) {
	st := winsim.NewHost("LS01", "2022", "")
	st.Users = append(st.Users, winsim.User{Name: "operator", Password: "0perator-pw", RemoteManagement: true})
	e := newAccEnv(t, st)
	cfg := e.Provider() + e.AliasProvider("operator", "LS01", "operator", "0perator-pw") + `
resource "rdslicensing_role" "ls" { provider = rdslicensing.operator }
`
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config:      cfg,
			ExpectError: errorText("must be a local administrator of the host;", "Access is denied"),
		}},
	})
}

func TestAccRole_timeout(t *testing.T) {
	e := newAccEnv(t, winsim.NewHost("LS01", "2022", ""))
	if _, err := e.Host("LS01").AddFault(winsim.Fault{Type: winsim.FaultDelay, Operation: "install_role", DelayMS: 30000}); err != nil {
		t.Fatal(err)
	}
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config:      e.Config(`resource "rdslicensing_role" "ls" { timeouts = { create = "2s" } }`),
			ExpectError: errorText("Cannot install RD Licensing on", "timed out", "Raise the resource's timeouts"),
		}},
	})
}

// Host names are case-insensitive: another spelling of the same host
// updates the resource in place; another host replaces it.
func TestHostAttributeReplacesOnlyAnotherHost(t *testing.T) {
	m := hostAttribute("x").PlanModifiers[0]
	for _, c := range []struct {
		state, plan string
		replace     bool
	}{
		{"ls01.contoso.com", "LS01.Contoso.com", false},
		{"ls01.contoso.com", "ls02.contoso.com", true},
		{"10.0.0.1", "10.0.0.2", true},
	} {
		req := planmodifier.StringRequest{StateValue: types.StringValue(c.state), PlanValue: types.StringValue(c.plan), ConfigValue: types.StringValue(c.plan),
			State: tfsdk.State{Raw: tftypes.NewValue(tftypes.Object{}, map[string]tftypes.Value{})}, Plan: tfsdk.Plan{Raw: tftypes.NewValue(tftypes.Object{}, map[string]tftypes.Value{})}}
		resp := &planmodifier.StringResponse{PlanValue: req.PlanValue}
		m.PlanModifyString(context.Background(), req, resp)
		if resp.RequiresReplace != c.replace {
			t.Errorf("%s -> %s: replace %v, want %v", c.state, c.plan, resp.RequiresReplace, c.replace)
		}
	}
}

// Creating the role without the tools removes tools installed before.
func TestAccRole_createWithoutToolsRemovesThem(t *testing.T) {
	ls := winsim.NewHost("LS01", "2022", "")
	ls.Features["RDS-Licensing-UI"] = winsim.StateInstalled
	ls.Features["RSAT-RDS-Licensing-Diagnosis-UI"] = winsim.StateInstalled
	e := newAccEnv(t, ls)
	cfg := e.Config(`resource "rdslicensing_role" "ls" { include_management_tools = false }`)
	accTest(t, resource.TestCase{Steps: []resource.TestStep{
		{
			Config: cfg,
			Check:  wantFeatures(e, map[string]string{"RDS-Licensing": "Installed", "RDS-Licensing-UI": "Available", "RSAT-RDS-Licensing-Diagnosis-UI": "Available"}),
		},
		{Config: cfg, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
	}})
}

// The role's id is the host, known at plan time: a role removed by hand is
// installed again with the same id, and what takes its host from it (the
// activation, and the key pack through it) keeps a known, unchanged host,
// so the key pack is not replaced.
func TestAccRole_reinstalledKeepsDependents(t *testing.T) {
	e, cfg := ipStack(t)
	addr := knownvalue.StringExact(e.Addr("LS01"))
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: cfg, Check: resource.ComposeTestCheckFunc(saWantActivated(e, "LS01", true), ipUntouched(e))},
			{
				PreConfig: e.Update("LS01", func(st *winsim.HostState) { st.Features[winsim.FeatureLicensing] = winsim.StateAvailable }),
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(ipRole, plancheck.ResourceActionCreate),
					plancheck.ExpectKnownValue(ipRole, tfjsonpath.New("id"), addr),
					// Without the role the activation is gone; created again,
					// it adopts the server, with the same id.
					plancheck.ExpectResourceAction(ipActivation, plancheck.ResourceActionCreate),
					plancheck.ExpectKnownValue(ipActivation, tfjsonpath.New("id"), addr),
					plancheck.ExpectResourceAction(ipKeyPack, plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ipRole, tfjsonpath.New("id"), addr),
					statecheck.ExpectKnownValue(ipKeyPack, tfjsonpath.New("host"), addr),
				},
				Check: resource.ComposeTestCheckFunc(
					wantFeatures(e, map[string]string{"RDS-Licensing": "Installed"}),
					saWantActivated(e, "LS01", true),
					ipUntouched(e),
				),
			},
			{Config: cfg, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		},
	})
}
