package winfacts

import "strconv"

// CAL releases and their ProductVersion numbers. The catalog's
// ProductVersionID rows are the one home of this table: the provider, winsim
// and the contract test of install_key_pack.ps1 (which needs a copy at run
// time) all read it from here.

// calReleases are the releases with a ProductVersionID row, oldest first.
var calReleases = []string{"2008", "2008R2", "2012", "2016", "2019", "2022", "2025"}

// InstallableReleases are the CAL releases the provider installs (the
// install methods' ProductVersion 5 and later), oldest first.
var InstallableReleases = []string{"2016", "2019", "2022", "2025"}

// ProductVersion is the CAL ProductVersion number of a release ("2016"),
// as the catalog records it; false for a release it does not know.
func ProductVersion(release string) (int, bool) {
	f, ok := Lookup(KindValue + ":ProductVersionID." + release)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(f.Value)
	if err != nil {
		panic("winfacts: ProductVersionID." + release + " is not a number: " + f.Value)
	}
	return n, true
}

// ReleaseOf is the release of a CAL ProductVersion number; false when the
// catalog knows none.
func ReleaseOf(version int) (string, bool) {
	for _, r := range calReleases {
		if n, _ := ProductVersion(r); n == version {
			return r, true
		}
	}
	return "", false
}
