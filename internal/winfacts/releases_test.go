package winfacts

import "testing"

func TestProductVersions(t *testing.T) {
	for i, r := range calReleases {
		n, ok := ProductVersion(r)
		if !ok {
			t.Fatalf("no ProductVersionID row for %s", r)
		}
		if back, _ := ReleaseOf(n); back != r {
			t.Errorf("ReleaseOf(%d) = %q, want %q", n, back, r)
		}
		if i > 0 {
			if prev, _ := ProductVersion(calReleases[i-1]); prev >= n {
				t.Errorf("%s has ProductVersion %d, not after %s's %d", r, n, calReleases[i-1], prev)
			}
		}
	}
	for _, r := range InstallableReleases {
		if n, _ := ProductVersion(r); n < 5 {
			t.Errorf("installable release %s has ProductVersion %d, before the install methods' 5", r, n)
		}
	}
	if _, ok := ProductVersion("2003"); ok {
		t.Error("a release without a row has a ProductVersion")
	}
	if r, ok := ReleaseOf(99); ok {
		t.Errorf("ReleaseOf(99) = %q", r)
	}
}
