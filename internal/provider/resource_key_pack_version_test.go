package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// 7 for Windows Server 2022 CALs is documented for the key pack property
// only, not for the install methods. On a Windows that numbers them
// otherwise the install fails with WBEM_E_INVALID_PARAMETER, and the error
// names the undocumented number as a possible cause.
func TestAccKeyPack_unknownProductVersion(t *testing.T) {
	ls := kpLicenseServer("LS01")
	ls.Quirks.ProductVersion2022 = 9
	e := newAccEnv(t, ls)
	e.Sim.UpdateClearinghouse(func(ch *winsim.ClearinghouseState) {
		ch.Agreements = append(ch.Agreements, winsim.Agreement{AgreementType: 1, Number: "7654321", ProductVersionID: 9, ProductType: 1, Count: 500})
	})
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: e.Config(`resource "rdslicensing_key_pack" "ea" {
  program              = "agreement"
  agreement_type       = "enterprise"
  agreement_number_wo  = "7654321"
  codes_wo_version     = 1
  product_version      = "2022"
  cal_type             = "per_user"
  quantity             = 20
  remove_cals_on_destroy = false
}`),
			ExpectError: errorText("Cannot install CALs on", "Windows does not know ProductVersion 7 for Windows Server 2022 CALs",
				"the install methods document 2, 4, 5 and 6 only", "error kind invalid_code"),
		}},
		CheckDestroy: kpWantPacks(e, "LS01", map[int64]int64{}),
	})
}
