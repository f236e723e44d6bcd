package provider

import (
	"testing"

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
			ExpectError: errorText("is not a member of the local Administrators group on LS01"),
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
