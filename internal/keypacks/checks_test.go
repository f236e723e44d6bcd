package keypacks

import (
	"strings"
	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

func TestHostChecks(t *testing.T) {
	domain := rds.HostInfo{ComputerName: "LS01", OSVersion: "2022", PartOfDomain: true, Domain: "contoso.com"}
	workgroup := rds.HostInfo{ComputerName: "LS01", OSVersion: "2022", Domain: "WORKGROUP"}
	for _, tc := range []struct {
		name     string
		info     rds.HostInfo
		version  string
		calType  string
		allow    bool
		wantAttr []string
	}{
		{"fits", domain, "2022", "per_user", false, nil},
		{"newer CALs", domain, "2025", "per_device", false, []string{"product_version"}},
		{"per-user in a workgroup", workgroup, "2019", "per_user", false, []string{"cal_type"}},
		{"per-user in a workgroup, allowed", workgroup, "2019", "per_user", true, nil},
		{"both", workgroup, "2025", "per_user", false, []string{"product_version", "cal_type"}},
	} {
		got := HostChecks("ls01", tc.info, tc.version, tc.calType, tc.allow)
		if len(got) != len(tc.wantAttr) {
			t.Fatalf("%s: %+v", tc.name, got)
		}
		for i, f := range got {
			if f.Attr != tc.wantAttr[i] || f.Warning || !strings.Contains(f.Detail, "ls01") {
				t.Errorf("%s: finding %d = %+v", tc.name, i, f)
			}
		}
	}
}

func TestInventoryChecks(t *testing.T) {
	in := rds.InstallKeyPackInput{Program: "agreement", AgreementType: 1, AgreementNumber: "1234567", ProductVersion: 7, ProductType: 1, LicenseCount: 20,
		RequestID: rds.NewID(), Owner: rds.NewID()}
	byHand := rds.KeyPack{KeyPackID: 5, KeyPackType: 2, ProductType: 1, ProductVersionID: 7, ProductVersion: "Windows Server 2022", TotalLicenses: 20, AvailableLicenses: 20}
	device := byHand
	device.KeyPackID, device.ProductType = 6, 0
	list := func(packs ...rds.KeyPack) rds.KeyPackList {
		return rds.KeyPackList{KeyPacks: packs, BootTime: "2026-12-01T08:00:00Z", HostTime: "2026-12-03T08:00:00Z"}
	}
	summaries := func(fs []Finding) string {
		var s []string
		for _, f := range fs {
			if !f.Warning {
				t.Errorf("an inventory finding is a warning: %+v", f)
			}
			s = append(s, f.Summary)
		}
		return strings.Join(s, " | ")
	}
	if got := summaries(InventoryChecks("ls01", list(builtInPack), 1, &in)); got != "" {
		t.Errorf("nothing to say: %q", got)
	}
	if got := summaries(InventoryChecks("ls01", list(builtInPack, device), 1, nil)); got != "Per-user and per-device CALs on one license server" {
		t.Errorf("mixed: %q", got)
	}
	if got := summaries(InventoryChecks("ls01", list(builtInPack, byHand), 1, &in)); got != "A key pack with these CALs is already on ls01" {
		t.Errorf("installed by hand: %q", got)
	}
	retail := rds.InstallKeyPackInput{Program: "retail", LicenseCode: strings.Repeat("B", 25), ProductVersion: 7, ProductType: 1}
	retailPack := byHand
	retailPack.KeyPackType = 1
	if got := summaries(InventoryChecks("ls01", list(retailPack), 1, &retail)); got != "" {
		t.Errorf("a single-use code is refused with its own hint, not warned of: %q", got)
	}
}
