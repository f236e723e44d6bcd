package keypacks

import (
	"slices"
	"strconv"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winfacts"
)

// The names of a key pack's numbers: CAL releases, CAL types and
// purchase programs.

// ProductVersion is the CAL ProductVersion number of a release the
// provider installs ("2016" to "2025"), 0 for any other: the numbers are
// the facts catalog's (winfacts; 7 and 8 are unverified, winsim's
// Quirks.ProductVersion2022/2025).
func ProductVersion(release string) int {
	if !slices.Contains(winfacts.InstallableReleases, release) {
		return 0
	}
	n, _ := winfacts.ProductVersion(release)
	return n
}

// ReleaseName is the release of a CAL ProductVersionID (2008,
// 2008R2 and 2012 included), or unknown_<number>.
func ReleaseName(id int) string {
	if r, ok := winfacts.ReleaseOf(id); ok {
		return r
	}
	return "unknown_" + strconv.Itoa(id)
}

// CALTypeName is a key pack's ProductType.
func CALTypeName(productType int) string {
	switch productType {
	case 0:
		return "per_device"
	case 1:
		return "per_user"
	case 3:
		return "built_in"
	}
	return "unknown_" + strconv.Itoa(productType)
}

// CALTypeNumber is the inverse for the two types users set.
var CALTypeNumber = map[string]int{"per_device": 0, "per_user": 1}

// ProgramOfType names how a key pack was bought, from its KeyPackType.
func ProgramOfType(keyPackType int, builtIn bool) string {
	if builtIn {
		return "built_in"
	}
	switch keyPackType {
	case 1:
		return "retail"
	case 2:
		return "agreement"
	case 3:
		return "concurrent"
	case 4:
		return "temporary"
	case 5:
		return "open_license"
	}
	return "unknown"
}

// AgreementTypes are the agreement_type names, in AgreementType order (0-5).
var AgreementTypes = []string{"select", "enterprise", "campus", "school", "service_provider", "other"}
