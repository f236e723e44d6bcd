package keypacks

import (
	"slices"
	"strings"
	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

var (
	builtInPack = rds.KeyPack{KeyPackID: 1, ProductType: 3, TotalLicenses: 4294967295, BuiltIn: true, TypeAndModel: "Built-in TS Per Device CAL"}
	userPack    = rds.KeyPack{KeyPackID: 2, KeyPackType: 1, ProductType: 1, ProductVersionID: 7, ProductVersion: "Windows Server 2022", TypeAndModel: "RDS Per User CAL", TotalLicenses: 20, AvailableLicenses: 20}
	devicePack  = rds.KeyPack{KeyPackID: 3, KeyPackType: 5, ProductType: 0, ProductVersionID: 7, ProductVersion: "Windows Server 2022", TypeAndModel: "RDS Per Device CAL", TotalLicenses: 10, AvailableLicenses: 10}
)

func TestCALVersionTooNew(t *testing.T) {
	for _, tc := range []struct {
		cal, os string
		want    bool
	}{
		{"2025", "2022", true}, {"2022", "2022", false}, {"2016", "2025", false}, {"2019", "2016", true},
		{"2022", "", false}, {"2022", "2012", false}, // unknown releases: left to the install
	} {
		if got := CALVersionTooNew(tc.cal, tc.os); got != tc.want {
			t.Errorf("CALVersionTooNew(%s, %s) = %v, want %v", tc.cal, tc.os, got, tc.want)
		}
	}
}

func TestMixedCALWarning(t *testing.T) {
	empty := devicePack
	empty.TotalLicenses = 0
	tests := []struct {
		name        string
		packs       []rds.KeyPack
		productType int
		want        string
	}{
		{"only the built-in pack", []rds.KeyPack{builtInPack}, 1, ""},
		{"same type", []rds.KeyPack{builtInPack, userPack}, 1, ""},
		{"per-device there, per-user comes", []rds.KeyPack{builtInPack, devicePack}, 1, "Key pack 3 already holds 10 Windows Server 2022 RDS Per Device CAL, and this key pack installs per-user CALs"},
		{"per-user there, per-device comes", []rds.KeyPack{userPack}, 0, "installs per-device CALs"},
		{"an emptied pack", []rds.KeyPack{empty}, 1, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := MixedCALWarning(tc.packs, tc.productType)
			if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
				t.Fatalf("warning = %q, want %q", got, tc.want)
			}
			if got != "" && !strings.Contains(got, "many guides say not to mix them") {
				t.Fatalf("warning %q does not say why", got)
			}
		})
	}
}

func TestCodeUsedHint(t *testing.T) {
	in := rds.InstallKeyPackInput{Program: "retail", ProductVersion: 7, ProductType: 1, LicenseCode: strings.Repeat("B", 25)}
	got := CodeUsedHint("ls01.contoso.com", in, []rds.KeyPack{builtInPack, userPack, devicePack})
	for _, want := range []string{"A key pack on ls01.contoso.com holds the CALs this resource declares", "A retail license code is single-use", "terraform import <address> ls01.contoso.com/2"} {
		if !strings.Contains(got, want) {
			t.Errorf("hint %q does not contain %q", got, want)
		}
	}
	if strings.Contains(got, "/3") || strings.Contains(got, in.LicenseCode) {
		t.Errorf("hint %q names the wrong pack or the code", got)
	}
	if got := CodeUsedHint("ls01", in, []rds.KeyPack{builtInPack, devicePack}); got != "" {
		t.Errorf("hint without a matching pack: %q", got)
	}
}

func TestFilter(t *testing.T) {
	packs := []rds.KeyPack{{KeyPackID: 9, ProductVersionID: ProductVersion("2022"), ProductType: CALTypeNumber["per_user"]},
		{KeyPackID: 1, BuiltIn: true, ProductType: 3}, {KeyPackID: 4, ProductVersionID: ProductVersion("2019"), ProductType: CALTypeNumber["per_user"]}}
	ids := func(ps []rds.KeyPack) (out []int64) {
		for _, p := range ps {
			out = append(out, p.KeyPackID)
		}
		return out
	}
	if got := ids(Filter(packs, "", "per_user", false)); !slices.Equal(got, []int64{4, 9}) {
		t.Errorf("per-user packs: %v", got)
	}
	if got := ids(Filter(packs, "2022", "", false)); !slices.Equal(got, []int64{9}) {
		t.Errorf("2022 packs: %v", got)
	}
	if got := ids(Filter(packs, "", "", true)); !slices.Equal(got, []int64{1, 4, 9}) {
		t.Errorf("all packs: %v", got)
	}
}
