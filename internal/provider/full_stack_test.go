package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// The whole job in one configuration: the role, the activation, two key
// packs and three session hosts with for_each; then a plan with no changes.
func TestAccFullStack(t *testing.T) {
	const dom = "contoso.com"
	ls := winsim.NewHost("LS01", "2022", dom)
	ls.Address = "127.0.40.1"
	hosts := []winsim.HostState{ls}
	for i := 1; i <= 3; i++ {
		sh := winsim.NewSessionHost(fmt.Sprintf("RDSH0%d", i), "2022", dom, graceEnds())
		sh.Address = fmt.Sprintf("127.0.40.%d", 10+i)
		hosts = append(hosts, sh)
	}
	e := newAccEnv(t, hosts...)
	retail := winsim.NewRetailCode("full-stack", 7, 1, 25)
	e.Sim.UpdateClearinghouse(func(ch *winsim.ClearinghouseState) {
		ch.RetailCodes = append(ch.RetailCodes, retail)
		ch.Agreements = append(ch.Agreements, winsim.Agreement{AgreementType: 1, Number: "1234567", ProductVersionID: 7, ProductType: 1, Count: 100})
	})
	cfg := e.Config(fmt.Sprintf(`
locals {
  session_hosts = toset(["127.0.40.11", "127.0.40.12", "127.0.40.13"])
}

resource "rdslicensing_role" "ls" {}

resource "rdslicensing_server_activation" "ls" {
  host           = rdslicensing_role.ls.id
  first_name     = "Ada"
  last_name      = "Lovelace"
  company        = "Contoso Ltd"
  country_region = "United Kingdom"
}

resource "rdslicensing_key_pack" "enterprise" {
  host             = rdslicensing_server_activation.ls.id
  program          = "agreement"
  agreement_type   = "enterprise"
  agreement_number = "1234567"
  product_version  = "2022"
  cal_type         = "per_user"
  quantity         = 50
}

resource "rdslicensing_key_pack" "retail" {
  host            = rdslicensing_server_activation.ls.id
  program         = "retail"
  license_code    = %q
  product_version = "2022"
  cal_type        = "per_user"
}

resource "rdslicensing_session_host_policy" "rdsh" {
  for_each        = local.session_hosts
  host            = each.key
  licensing_mode  = "per_user"
  license_servers = [rdslicensing_server_activation.ls.id]
}

data "rdslicensing_diagnostics" "rdsh" {
  for_each   = local.session_hosts
  host       = each.key
  depends_on = [rdslicensing_session_host_policy.rdsh, rdslicensing_key_pack.enterprise, rdslicensing_key_pack.retail]
}

output "healthy" {
  value = alltrue([for d in data.rdslicensing_diagnostics.rdsh : d.healthy])
}
`, retail.Code))
	accTest(t, resource.TestCase{Steps: []resource.TestStep{
		{
			Config: cfg,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("healthy", knownvalue.Bool(true)),
				hostCheck(func() error {
					st := e.Host("LS01").State()
					var total int64
					for _, kp := range st.LicenseServer.KeyPacks {
						if kp.ProductType == 1 {
							total += kp.TotalLicenses
						}
					}
					if !st.FeatureInstalled(winsim.FeatureLicensing) || !st.LicenseServer.Activated || total != 75 {
						return errorf("license server: role %v, activated %v, %d per-user CALs (want 75)", st.FeatureInstalled(winsim.FeatureLicensing), st.LicenseServer.Activated, total)
					}
					for i := 1; i <= 3; i++ {
						sh := e.Host(fmt.Sprintf("RDSH0%d", i)).State().SessionHost
						if sh.PolicyLicensingMode == nil || *sh.PolicyLicensingMode != 4 || sh.PolicyLicenseServers == nil || *sh.PolicyLicenseServers != "127.0.40.1" {
							return errorf("RDSH0%d: policy %v %v", i, sh.PolicyLicensingMode, sh.PolicyLicenseServers)
						}
					}
					return nil
				}),
			},
		},
		{
			Config:           cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		},
		{
			// Destroy as a step: the framework's own destroy cannot read
			// for_each instances.
			Config: e.Provider(),
			ConfigStateChecks: []statecheck.StateCheck{hostCheck(func() error {
				st := e.Host("LS01").State()
				if st.FeatureState(winsim.FeatureLicensing) != winsim.StateAvailable || !st.LicenseServer.Activated {
					return errorf("license server after destroy: role %s, activated %v (destroy forgets the activation)", st.FeatureState(winsim.FeatureLicensing), st.LicenseServer.Activated)
				}
				for i := 1; i <= 3; i++ {
					if sh := e.Host(fmt.Sprintf("RDSH0%d", i)).State().SessionHost; sh.PolicyLicensingMode != nil || sh.PolicyLicenseServers != nil {
						return errorf("RDSH0%d still has policy values", i)
					}
				}
				return nil
			})},
		},
	}})
}
