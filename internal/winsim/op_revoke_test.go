package winsim

import (
	"fmt"
	"testing"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

// revokeFleet is a license server with 10 Windows Server 2022 per-device
// CALs (2 may be revoked), 4 of them issued, one of them revoked already,
// and a 2019 pack with one issued.
func revokeFleet(t *testing.T, cimException bool) *Host {
	expires := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	_, h := lsSim(t, "contoso.com", func(st *HostState) {
		st.Quirks.FailuresAsCimException = cimException
		st.LicenseServer.KeyPacks = append(st.LicenseServer.KeyPacks,
			KeyPackState{KeyPackID: 2, KeyPackType: 2, ProductType: 0, ProductVersionID: 7, TotalLicenses: 10, IssuedLicenses: 3},
			KeyPackState{KeyPackID: 3, KeyPackType: 2, ProductType: 0, ProductVersionID: 6, TotalLicenses: 5, IssuedLicenses: 1})
		for i, pc := range []string{"PC01", "PC02", "PC03"} {
			st.LicenseServer.IssuedCALs = append(st.LicenseServer.IssuedCALs, IssuedCALState{LicenseID: int64(i + 1), KeyPackID: 2, IssuedToComputer: pc, LicenseStatus: 2, ExpirationDate: expires})
		}
		st.LicenseServer.IssuedCALs = append(st.LicenseServer.IssuedCALs,
			IssuedCALState{LicenseID: 4, KeyPackID: 2, IssuedToComputer: "OLDPC", LicenseStatus: 4, ExpirationDate: expires.Add(-time.Hour)},
			IssuedCALState{LicenseID: 5, KeyPackID: 3, IssuedToComputer: "PC19", LicenseStatus: 2, ExpirationDate: expires})
	})
	return h
}

func ref(id, pack int64) rds.LicenseRef { return rds.LicenseRef{LicenseID: id, KeyPackID: pack} }

func TestRevokeLicenses(t *testing.T) {
	h := revokeFleet(t, false)
	var got rds.RevokeResult
	shNoErr(t, runOp(t, h, testAdmin, "revoke_licenses", rds.RevokeInput{Licenses: []rds.LicenseRef{ref(1, 2), ref(4, 2)}}, &got))
	shWantEqual(t, "first revocation", got, rds.RevokeResult{Revoked: []int64{1}, AlreadyRevoked: []int64{4}, RevokableCals: 0})
	st := h.State()
	if st.LicenseServer.IssuedCALs[0].LicenseStatus != 4 || st.LicenseServer.KeyPacks[1].IssuedLicenses != 2 {
		t.Fatalf("after the revocation: CAL status %d, key pack issued %d; want 4 and 2", st.LicenseServer.IssuedCALs[0].LicenseStatus, st.LicenseServer.KeyPacks[1].IssuedLicenses)
	}
	// The limit: 2 of 10 may be revoked, and 2 are.
	wantErr(t, runOp(t, h, testAdmin, "revoke_licenses", rds.RevokeInput{Licenses: []rds.LicenseRef{ref(5, 3), ref(2, 2)}}, nil),
		"revoke_limit", "CAL 2 (issued to PC02)", "allows 0 more", "next on 2026-05-31T23:00:00Z", "Revoked before it: 5")
	if st := h.State(); st.LicenseServer.IssuedCALs[4].LicenseStatus != 4 || st.LicenseServer.IssuedCALs[1].LicenseStatus != 2 {
		t.Fatal("the 2019 CAL was not revoked, or the 2022 one was past the limit")
	}
	// A CAL that is not there: nothing revoked.
	wantErr(t, runOp(t, h, testAdmin, "revoke_licenses", rds.RevokeInput{Licenses: []rds.LicenseRef{ref(3, 2), ref(9, 2)}}, nil), "not_found", "CAL 9 of key pack 2", "nothing was revoked")
	if h.State().LicenseServer.IssuedCALs[2].LicenseStatus != 2 {
		t.Fatal("CAL 3 was revoked though the request named a missing one")
	}
	var list rds.IssuedLicenseList
	shNoErr(t, runOp(t, h, testAdmin, "list_issued_licenses", rds.NoInput{}, &list))
	if len(list.Licenses) != 5 || list.Licenses[0].CALType != "RDS Per Device CAL" || list.Licenses[0].ProductVersionID != 7 || fmt.Sprint(list.Licenses[0].LicenseStatus) != "4" {
		t.Fatalf("list: %+v", list.Licenses)
	}
}

// A failure thrown as a CimException loses the out parameters: the error
// cannot say when the next revocation is allowed.
func TestRevokeLicensesCimException(t *testing.T) {
	h := revokeFleet(t, true)
	shNoErr(t, runOp(t, h, testAdmin, "revoke_licenses", rds.RevokeInput{Licenses: []rds.LicenseRef{ref(1, 2)}}, nil))
	wantErr(t, runOp(t, h, testAdmin, "revoke_licenses", rds.RevokeInput{Licenses: []rds.LicenseRef{ref(2, 2)}}, nil), "wmi_error", "Revoked before it: none")
}
