package calrevocation

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
)

func issued(id, pack int64, version int, device string, status int) rds.IssuedLicense {
	return rds.IssuedLicense{LicenseID: id, KeyPackID: pack, ProductVersionID: version, IssuedToComputer: device, LicenseStatus: status,
		CALType: "RDS Per Device CAL", ExpirationDate: "2027-01-01T00:00:00Z"}
}

func TestSelect(t *testing.T) {
	licenses := []rds.IssuedLicense{
		issued(3, 2, 7, "PC02", 2), issued(1, 2, 7, "PC01", 2), issued(2, 3, 6, "pc01", 2),
		issued(4, 2, 7, "TEMP", 1), issued(5, 2, 7, "GONE", 4),
	}
	selected, missing := Select([]string{"pc01.contoso.com", "TEMP", "GONE", "PC02"}, licenses)
	var ids []int64
	for _, l := range selected {
		ids = append(ids, l.LicenseID)
	}
	if fmt.Sprint(ids) != "[1 3 2]" || fmt.Sprint(missing) != "[TEMP GONE]" {
		t.Fatalf("selected %v, missing %v; want [1 3 2] (by key pack, then license) and [TEMP GONE]", ids, missing)
	}
}

func TestRoomAndLimit(t *testing.T) {
	packs := []rds.KeyPack{
		{KeyPackID: 1, ProductType: 0, TotalLicenses: 4294967295, BuiltIn: true},
		{KeyPackID: 2, ProductType: 0, ProductVersionID: 7, TotalLicenses: 10},
		{KeyPackID: 3, ProductType: 0, ProductVersionID: 7, TotalLicenses: 5},
		{KeyPackID: 4, ProductType: 1, ProductVersionID: 7, TotalLicenses: 100}, // per user: not counted
		{KeyPackID: 5, ProductType: 0, ProductVersionID: 6, TotalLicenses: 4},
	}
	licenses := []rds.IssuedLicense{issued(1, 2, 7, "A", 4), issued(2, 5, 6, "B", 2)}
	room := Room(packs, licenses)
	if room[7] != 2 || room[6] != 0 {
		t.Fatalf("room %v, want 2 for version 7 (20%% of 15, less 1 revoked) and 0 for 6 (20%% of 4)", room)
	}
	if p := LimitProblems("ls01", []rds.IssuedLicense{issued(3, 2, 7, "C", 2), issued(4, 2, 7, "D", 2)}, room); len(p) != 0 {
		t.Fatalf("two within the room of two: %v", p)
	}
	p := LimitProblems("ls01", []rds.IssuedLicense{issued(2, 5, 6, "B", 2)}, room)
	if len(p) != 1 || p[0].Summary != "Too many Windows Server 2019 per-device CALs to revoke on ls01" || !strings.Contains(p[0].Detail, "Windows allows 0 more") {
		t.Fatalf("problems %+v", p)
	}
}

func TestDescribe(t *testing.T) {
	if got := Describe(issued(3, 2, 7, "PC03", 2)); got != "PC03: license 3 of key pack 2 (Windows Server 2022 RDS Per Device CAL, expires 2027-01-01T00:00:00Z)" {
		t.Fatalf("Describe = %q", got)
	}
}

func TestNothingToRevokeAndRevokeFailure(t *testing.T) {
	if _, ok := NothingToRevoke("ls01", nil); ok {
		t.Error("warned with every device holding a CAL")
	}
	if w, ok := NothingToRevoke("ls01", []string{"PC1", "PC2"}); !ok || w.Attr != "devices" || !strings.Contains(w.Summary, "PC1, PC2") {
		t.Errorf("NothingToRevoke = %+v, %v", w, ok)
	}
	limit := RevokeFailure("ls01", &winrmclient.Error{Kind: rds.KindRevokeLimit})
	other := RevokeFailure("ls01", &winrmclient.Error{Kind: winrmclient.KindTransport})
	if len(limit.Hints) != 1 || !strings.Contains(limit.Hints[0], "20%") || len(other.Hints) != 0 || !strings.Contains(other.Note, "stay revoked") {
		t.Errorf("RevokeFailure: %+v / %+v", limit, other)
	}
}

// A device named twice (short name and FQDN) gives its CAL back once.
func TestSelectTakesEachCALOnce(t *testing.T) {
	licenses := []rds.IssuedLicense{{KeyPackID: 3, LicenseID: 7, IssuedToComputer: "PC01", LicenseStatus: statusActive}}
	selected, missing := Select([]string{"PC01", "pc01.contoso.com"}, licenses)
	if len(selected) != 1 || len(missing) != 0 {
		t.Errorf("Select = %+v, missing %v", selected, missing)
	}
}
