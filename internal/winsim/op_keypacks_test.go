package winsim

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

// kpNonAdmin is a WinRM user outside the local Administrators group.
var kpNonAdmin = User{Name: "bob", Password: "Bob-P@ssw0rd", RemoteManagement: true}

const kpNonAdminMessage = `the account LS01\bob is not a member of the local Administrators group on LS01; RD Licensing and Remote Desktop WMI methods require an administrator`

// Codes and numbers of the test Clearinghouse.
var (
	kpRetail       = NewRetailCode("2022-user", 7, 1, 20)
	kpRetail2019   = NewRetailCode("2019-device", 6, 0, 5)
	kpRetail2025   = NewRetailCode("2025-user", 8, 1, 10)
	kpRetailUsed   = RetailCode{Code: NewRetailCode("used", 7, 0, 5).Code, ProductVersionID: 7, Count: 5, UsedBy: "11111-22222-33333-44444"}
	kpRetailUnsold = NewRetailCode("never-sold", 7, 1, 20)
	kpOffline      = NewOfflineKeyPack("2019-device", 6, 0, 15)
	kpOfflineUsed  = OfflineKeyPack{ID: NewOfflineKeyPack("used", 7, 0, 5).ID, ProductVersionID: 7, Count: 5, UsedBy: "11111-22222-33333-44444"}
)

func kpCatalog() ClearinghouseState {
	return ClearinghouseState{
		Reachable:    true,
		RetailCodes:  []RetailCode{kpRetail, kpRetail2019, kpRetail2025, kpRetailUsed},
		OpenLicenses: []OpenLicense{{LicenseNumber: "12345678", AuthorizationNumber: "ABCDE12345FGHIJ", ProductVersionID: 7, ProductType: 0, Count: 100, Used: 90}},
		Agreements: []Agreement{
			{AgreementType: 1, Number: "7654321", ProductVersionID: 7, ProductType: 1, Count: 500},
			{AgreementType: 4, Number: "1234567", ProductVersionID: 8, ProductType: 0, Count: 50},
			{AgreementType: 4, Number: "12345678", ProductVersionID: 7, ProductType: 0, Count: 30},
		},
		KeyPackIDs: []OfflineKeyPack{kpOffline, kpOfflineUsed},
	}
}

// kpSim is a fleet with one activated Windows Server 2022 license server,
// LS01 in contoso.com, and kpCatalog's Clearinghouse; mutate adjusts both.
func kpSim(t *testing.T, mutate func(st *HostState, ch *ClearinghouseState)) (*Sim, *Host) {
	t.Helper()
	st := NewLicenseServerHost("LS01", "2022", "contoso.com")
	st.LicenseServer.Activated = true
	// A scenario's Quirks get defaults only when all zero: start from them.
	st.Quirks = DefaultQuirks
	ch := kpCatalog()
	if mutate != nil {
		mutate(&st, &ch)
	}
	s := newTestSim(t, Scenario{Hosts: []HostState{st}, Clearinghouse: ch})
	return s, s.Host("LS01")
}

// kpWantError checks an operation's error exactly.
func kpWantError(t *testing.T, err *opError, kind, message string, code int64) {
	t.Helper()
	if err == nil {
		t.Fatalf("operation succeeded; want %s: %s", kind, message)
	}
	if err.Kind != kind || err.Message != message || err.Code != code {
		t.Fatalf("error:\n got  %s (code 0x%X): %s\n want %s (code 0x%X): %s", err.Kind, err.Code, err.Message, kind, code, message)
	}
}

// kpBuiltIn is the built-in pack as real servers list it (see
// TestBuiltInKeyPackIsTheCapturedRow).
var kpBuiltIn = rds.KeyPack{
	KeyPackID: 1, KeyPackType: 6, ProductType: 3,
	ProductVersion: "Windows 2000 Server", ProductVersionID: 0,
	TypeAndModel: "Built-in TS Per Device CAL", Description: "A02-5.00-EX",
	TotalLicenses: 4294967295, IssuedLicenses: 0, AvailableLicenses: 4294967295,
	ExpirationDate: "2035-12-31T23:00:00Z", BuiltIn: true,
}

// The role checks every key pack and report operation makes first.
func TestKeyPackOpsRoleAndAdminChecks(t *testing.T) {
	ops := []struct {
		name string
		in   any
	}{
		{"list_key_packs", rds.NoInput{}},
		{"install_key_pack", kpRequest(rds.InstallKeyPackInput{Program: "retail", LicenseCode: kpRetail.Code, ProductVersion: 7, ProductType: 1})},
		{"remove_key_pack", rds.KeyPackRef{KeyPackID: 2}},
		{"remove_licenses", rds.RemoveLicensesInput{KeyPackID: 2, LicenseCount: 1}},
		{"get_cal_usage_report", rds.NoInput{}},
	}
	withPack := func(st *HostState) {
		st.LicenseServer.KeyPacks = append(st.LicenseServer.KeyPacks, KeyPackState{KeyPackID: 2, KeyPackType: 1, ProductType: 1, ProductVersionID: 7, TotalLicenses: 10})
	}
	for _, op := range ops {
		t.Run(op.name+"/role_missing", func(t *testing.T) {
			_, h := kpSim(t, func(st *HostState, _ *ClearinghouseState) {
				withPack(st)
				delete(st.Features, FeatureLicensing)
			})
			before := h.State()
			err := runOp(t, h, testAdmin, op.name, op.in, nil)
			kpWantError(t, err, "role_missing", "the RD Licensing role service (RDS-Licensing) is not installed on LS01", WBEMInvalidClass)
			if !reflect.DeepEqual(h.State().LicenseServer, before.LicenseServer) {
				t.Fatalf("license server state changed")
			}
		})
		t.Run(op.name+"/reboot_pending", func(t *testing.T) {
			_, h := kpSim(t, func(st *HostState, _ *ClearinghouseState) {
				withPack(st)
				st.Features[FeatureLicensing] = StateInstallPending
			})
			before := h.State()
			err := runOp(t, h, testAdmin, op.name, op.in, nil)
			kpWantError(t, err, "reboot_pending", "the RD Licensing role service (RDS-Licensing) on LS01 is installed but waits for a restart", 0)
			if !reflect.DeepEqual(h.State().LicenseServer, before.LicenseServer) {
				t.Fatalf("license server state changed")
			}
		})
		t.Run(op.name+"/not_admin", func(t *testing.T) {
			_, h := kpSim(t, func(st *HostState, _ *ClearinghouseState) { withPack(st) })
			before := h.State()
			err := runOp(t, h, kpNonAdmin, op.name, op.in, nil)
			kpWantError(t, err, "access_denied", kpNonAdminMessage, 0)
			if !reflect.DeepEqual(h.State().LicenseServer, before.LicenseServer) {
				t.Fatalf("license server state changed")
			}
		})
	}
}

func TestListKeyPacks(t *testing.T) {
	t.Run("fresh license server", func(t *testing.T) {
		_, h := kpSim(t, nil)
		var got rds.KeyPackList
		if err := runOp(t, h, testAdmin, "list_key_packs", rds.NoInput{}, &got); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.KeyPacks, []rds.KeyPack{kpBuiltIn}) {
			t.Fatalf("key packs = %+v", got.KeyPacks)
		}
	})
	t.Run("sorted, with derived properties", func(t *testing.T) {
		expiry := time.Date(2030, 6, 30, 0, 0, 0, 0, time.UTC)
		_, h := kpSim(t, func(st *HostState, _ *ClearinghouseState) {
			st.LicenseServer.KeyPacks = append(st.LicenseServer.KeyPacks,
				KeyPackState{KeyPackID: 5, KeyPackType: 2, ProductType: 1, ProductVersionID: 7, TotalLicenses: 50, IssuedLicenses: 12, ExpirationDate: keyPackExpiry, Description: "C50-10.02-S"},
				KeyPackState{KeyPackID: 3, KeyPackType: 1, ProductType: 0, ProductVersionID: 4, TotalLicenses: 10, IssuedLicenses: 10, ExpirationDate: expiry},
			)
		})
		var got rds.KeyPackList
		if err := runOp(t, h, testAdmin, "list_key_packs", rds.NoInput{}, &got); err != nil {
			t.Fatal(err)
		}
		want := []rds.KeyPack{
			kpBuiltIn,
			{KeyPackID: 3, KeyPackType: 1, ProductType: 0, ProductVersion: "Windows Server 2012", ProductVersionID: 4,
				TypeAndModel: "TS Per Device CAL", TotalLicenses: 10, IssuedLicenses: 10, AvailableLicenses: 0,
				ExpirationDate: "2030-06-30T00:00:00Z"},
			{KeyPackID: 5, KeyPackType: 2, ProductType: 1, ProductVersion: "Windows Server 2022", ProductVersionID: 7,
				TypeAndModel: "RDS Per User CAL", Description: "C50-10.02-S", TotalLicenses: 50, IssuedLicenses: 12,
				AvailableLicenses: 38, ExpirationDate: "2038-01-19T03:14:07Z"},
		}
		if !reflect.DeepEqual(got.KeyPacks, want) {
			t.Fatalf("key packs:\n got  %+v\n want %+v", got.KeyPacks, want)
		}
	})
	t.Run("no packs is an empty array", func(t *testing.T) {
		_, h := kpSim(t, func(st *HostState, _ *ClearinghouseState) { st.LicenseServer.KeyPacks = nil })
		res, oerr, _ := h.runOperation(testAdmin, "list_key_packs", []byte(`{}`))
		if oerr != nil {
			t.Fatal(oerr)
		}
		list, ok := res.(rds.KeyPackList)
		if !ok {
			t.Fatalf("result is %T", res)
		}
		if kp := list.KeyPacks; kp == nil || len(kp) != 0 {
			t.Fatalf("key packs = %#v, want an empty, non-nil slice (JSON [])", kp)
		}
	})
}

func TestInstallKeyPackPrograms(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(st *HostState, ch *ClearinghouseState)
		in     rds.InstallKeyPackInput
		want   rds.KeyPack
		source string
		// used checks that the Clearinghouse recorded the use.
		used func(ch ClearinghouseState, productID string) bool
	}{
		{
			name: "retail",
			in:   rds.InstallKeyPackInput{Program: "retail", LicenseCode: kpRetail.Code, ProductVersion: 7, ProductType: 1},
			want: rds.KeyPack{KeyPackID: 2, KeyPackType: 1, ProductType: 1, ProductVersion: "Windows Server 2022", ProductVersionID: 7,
				TypeAndModel: "RDS Per User CAL", Description: "C50-10.02-S", TotalLicenses: 20, AvailableLicenses: 20,
				ExpirationDate: "2038-01-19T03:14:07Z"},
			source: "retail:" + kpRetail.Code,
			used:   func(ch ClearinghouseState, id string) bool { return ch.RetailCodes[0].UsedBy == id },
		},
		{
			name: "open license, the last 10 CALs",
			in: rds.InstallKeyPackInput{Program: "open_license", LicenseNumber: "12345678", AuthorizationNumber: "ABCDE12345FGHIJ",
				ProductVersion: 7, ProductType: 0, LicenseCount: 10},
			want: rds.KeyPack{KeyPackID: 2, KeyPackType: 5, ProductType: 0, ProductVersion: "Windows Server 2022", ProductVersionID: 7,
				TypeAndModel: "RDS Per Device CAL", Description: "A02-10.02-S", TotalLicenses: 10, AvailableLicenses: 10,
				ExpirationDate: "2038-01-19T03:14:07Z"},
			source: "open_license:12345678",
			used:   func(ch ClearinghouseState, _ string) bool { return ch.OpenLicenses[0].Used == 100 },
		},
		{
			name: "enterprise agreement",
			in: rds.InstallKeyPackInput{Program: "agreement", AgreementType: 1, AgreementNumber: "7654321",
				ProductVersion: 7, ProductType: 1, LicenseCount: 50},
			want: rds.KeyPack{KeyPackID: 2, KeyPackType: 2, ProductType: 1, ProductVersion: "Windows Server 2022", ProductVersionID: 7,
				TypeAndModel: "RDS Per User CAL", Description: "C50-10.02-S", TotalLicenses: 50, AvailableLicenses: 50,
				ExpirationDate: "2038-01-19T03:14:07Z"},
			source: "agreement:1:7654321",
			used:   func(ch ClearinghouseState, _ string) bool { return ch.Agreements[0].Used == 50 },
		},
		{
			// An SPLA number of 8 digits, as a public provisioning script installs.
			name: "SPLA agreement, 8 digits",
			in: rds.InstallKeyPackInput{Program: "agreement", AgreementType: 4, AgreementNumber: "12345678",
				ProductVersion: 7, ProductType: 0, LicenseCount: 30},
			want: rds.KeyPack{KeyPackID: 2, KeyPackType: 2, ProductType: 0, ProductVersion: "Windows Server 2022", ProductVersionID: 7,
				TypeAndModel: "RDS Per Device CAL", Description: "A02-10.02-S", TotalLicenses: 30, AvailableLicenses: 30,
				ExpirationDate: "2038-01-19T03:14:07Z"},
			source: "agreement:4:12345678",
			used:   func(ch ClearinghouseState, _ string) bool { return ch.Agreements[2].Used == 30 },
		},
		{
			name: "license key pack ID, offline",
			mutate: func(st *HostState, ch *ClearinghouseState) {
				st.Internet = false
				ch.Reachable = false
			},
			in: rds.InstallKeyPackInput{Program: "license_key_pack_id", LicenseKeyPackID: kpOffline.ID, ProductVersion: 6, ProductType: 0},
			want: rds.KeyPack{KeyPackID: 2, KeyPackType: 1, ProductType: 0, ProductVersion: "Windows Server 2019", ProductVersionID: 6,
				TypeAndModel: "RDS Per Device CAL", Description: "A02-10.01-S", TotalLicenses: 15, AvailableLicenses: 15,
				ExpirationDate: "2038-01-19T03:14:07Z"},
			source: "license_key_pack_id:" + kpOffline.ID,
			used:   func(ch ClearinghouseState, id string) bool { return ch.KeyPackIDs[0].UsedBy == id },
		},
		{
			name:   "2025 CALs on a 2025 license server",
			mutate: func(st *HostState, _ *ClearinghouseState) { st.OS = "2025" },
			in: rds.InstallKeyPackInput{Program: "agreement", AgreementType: 4, AgreementNumber: "1234567",
				ProductVersion: 8, ProductType: 0, LicenseCount: 50},
			want: rds.KeyPack{KeyPackID: 2, KeyPackType: 2, ProductType: 0, ProductVersion: "Windows Server 2025", ProductVersionID: 8,
				TypeAndModel: "RDS Per Device CAL", Description: "A02-10.03-S", TotalLicenses: 50, AvailableLicenses: 50,
				ExpirationDate: "2038-01-19T03:14:07Z"},
			source: "agreement:4:1234567",
			used:   func(ch ClearinghouseState, _ string) bool { return ch.Agreements[1].Used == 50 },
		},
		{
			name: "per-user CALs in a workgroup, allowed",
			mutate: func(st *HostState, _ *ClearinghouseState) {
				st.Domain = ""
				st.Workgroup = "LAB"
			},
			in: rds.InstallKeyPackInput{Program: "retail", LicenseCode: strings.ToLower(kpRetail.Code), ProductVersion: 7, ProductType: 1, AllowPerUserInWorkgroup: true},
			want: rds.KeyPack{KeyPackID: 2, KeyPackType: 1, ProductType: 1, ProductVersion: "Windows Server 2022", ProductVersionID: 7,
				TypeAndModel: "RDS Per User CAL", Description: "C50-10.02-S", TotalLicenses: 20, AvailableLicenses: 20,
				ExpirationDate: "2038-01-19T03:14:07Z"},
			source: "retail:" + kpRetail.Code,
			used:   func(ch ClearinghouseState, id string) bool { return ch.RetailCodes[0].UsedBy == id },
		},
		{
			// The code carries 2019 per-device CALs: Windows installs them
			// and the script returns the pack as it is, for the provider to judge.
			name: "retail code holding other CALs than declared",
			in:   rds.InstallKeyPackInput{Program: "retail", LicenseCode: kpRetail2019.Code, ProductVersion: 7, ProductType: 1},
			want: rds.KeyPack{KeyPackID: 2, KeyPackType: 1, ProductType: 0, ProductVersion: "Windows Server 2019", ProductVersionID: 6,
				TypeAndModel: "RDS Per Device CAL", Description: "A02-10.01-S", TotalLicenses: 5, AvailableLicenses: 5,
				ExpirationDate: "2038-01-19T03:14:07Z"},
			source: "retail:" + kpRetail2019.Code,
			used:   func(ch ClearinghouseState, id string) bool { return ch.RetailCodes[1].UsedBy == id },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, h := kpSim(t, tc.mutate)
			var got rds.KeyPackResult
			if err := runOp(t, h, testAdmin, "install_key_pack", kpRequest(tc.in), &got); err != nil {
				t.Fatal(err)
			}
			if got.KeyPack != tc.want {
				t.Fatalf("key pack:\n got  %+v\n want %+v", got.KeyPack, tc.want)
			}
			st := h.State()
			if n := len(st.LicenseServer.KeyPacks); n != 2 {
				t.Fatalf("%d key packs, want 2", n)
			}
			kp := st.LicenseServer.KeyPacks[1]
			if kp.KeyPackID != 2 || kp.Source != tc.source || kp.IssuedLicenses != 0 || !kp.ExpirationDate.Equal(keyPackExpiry) {
				t.Fatalf("stored pack = %+v", kp)
			}
			if st.LicenseServer.NextKeyPackID != 3 {
				t.Fatalf("NextKeyPackID = %d, want 3", st.LicenseServer.NextKeyPackID)
			}
			if !tc.used(s.Clearinghouse(), st.LicenseServer.ProductID) {
				t.Fatalf("the Clearinghouse did not record the use: %+v", s.Clearinghouse())
			}
		})
	}
}

func TestInstallKeyPackTwiceMakesTwoPacks(t *testing.T) {
	_, h := kpSim(t, nil)
	in := rds.InstallKeyPackInput{Program: "agreement", AgreementType: 1, AgreementNumber: "7654321", ProductVersion: 7, ProductType: 1, LicenseCount: 20}
	var first, second rds.KeyPackResult
	if err := runOp(t, h, testAdmin, "install_key_pack", kpRequest(in), &first); err != nil {
		t.Fatal(err)
	}
	if err := runOp(t, h, testAdmin, "install_key_pack", kpRequest(in), &second); err != nil {
		t.Fatal(err)
	}
	if first.KeyPack.KeyPackID != 2 || second.KeyPack.KeyPackID != 3 {
		t.Fatalf("key pack IDs %d and %d, want 2 and 3", first.KeyPack.KeyPackID, second.KeyPack.KeyPackID)
	}
	if n := len(h.State().LicenseServer.KeyPacks); n != 3 {
		t.Fatalf("%d key packs, want 3", n)
	}
}

func TestInstallKeyPackRetailCodeIsSingleUse(t *testing.T) {
	s, h := kpSim(t, nil)
	in := rds.InstallKeyPackInput{Program: "retail", LicenseCode: kpRetail.Code, ProductVersion: 7, ProductType: 1}
	if err := runOp(t, h, testAdmin, "install_key_pack", kpRequest(in), nil); err != nil {
		t.Fatal(err)
	}
	err := runOp(t, h, testAdmin, "install_key_pack", kpRequest(in), nil)
	kpWantError(t, err, "code_already_used", "installing CALs on LS01: this retail license code has already been used: retail codes are single-use, even on the same server; if its CALs are on this license server they are in its key pack list, otherwise have the Microsoft Clearinghouse reissue them (by phone) or migrate them from the license server that holds them: InstallRetailPurchaseLicenseKeyPack failed with 0x80041019 (WBEM_E_ALREADY_EXISTS)", WBEMAlreadyExists)
	if n := len(h.State().LicenseServer.KeyPacks); n != 2 {
		t.Fatalf("%d key packs, want 2", n)
	}
	if got := s.Clearinghouse().RetailCodes[0].UsedBy; got != h.State().LicenseServer.ProductID {
		t.Fatalf("UsedBy = %q", got)
	}
}

// A license server that left its domain is in workgroup WORKGROUP, as
// Win32_ComputerSystem says, even though nobody named one.
func TestInstallKeyPackPerUserAfterLeavingTheDomain(t *testing.T) {
	_, h := kpSim(t, nil)
	h.Update(func(st *HostState) { st.Domain = "" })
	in := rds.InstallKeyPackInput{Program: "retail", LicenseCode: kpRetail.Code, ProductVersion: 7, ProductType: 1}
	kpWantError(t, runOp(t, h, testAdmin, "install_key_pack", kpRequest(in), nil), "workgroup_unsupported",
		"per-user CALs need Active Directory: LS01 is in workgroup WORKGROUP, where per-user CALs cannot be tracked or reported; use per-device CALs, join the license server to a domain, or set allow_per_user_in_workgroup", 0)
}

func TestInstallKeyPackFailures(t *testing.T) {
	retail := func(code string, version, ptype int) rds.InstallKeyPackInput {
		return rds.InstallKeyPackInput{Program: "retail", LicenseCode: code, ProductVersion: version, ProductType: ptype}
	}
	open := rds.InstallKeyPackInput{Program: "open_license", LicenseNumber: "12345678", AuthorizationNumber: "ABCDE12345FGHIJ", ProductVersion: 7, ProductType: 0, LicenseCount: 5}
	agreement := rds.InstallKeyPackInput{Program: "agreement", AgreementType: 1, AgreementNumber: "7654321", ProductVersion: 7, ProductType: 1, LicenseCount: 50}
	with := func(in rds.InstallKeyPackInput, fn func(in *rds.InstallKeyPackInput)) rds.InstallKeyPackInput {
		fn(&in)
		return in
	}
	const tooOld = "the Microsoft Clearinghouse did not accept the"
	// The hint when a counted install's undocumented ProductVersion (7,
	// 8) comes back as WBEM_E_INVALID_PARAMETER.
	unknownVersion := func(v int, release string) string {
		return fmt.Sprintf("; or Windows does not know ProductVersion %d for Windows Server %s CALs (the install methods document 2, 4, 5 and 6 only)", v, release)
	}
	tests := []struct {
		name    string
		mutate  func(st *HostState, ch *ClearinghouseState)
		in      rds.InstallKeyPackInput
		kind    string
		message string
		code    int64
	}{
		// (2) input
		{name: "unknown program", in: with(open, func(in *rds.InstallKeyPackInput) { in.Program = "Retail" }),
			kind: "invalid_input", message: `program must be "retail", "open_license", "agreement" or "license_key_pack_id"; got "Retail"`},
		{name: "retail code too short", in: retail(kpRetail.Code[:24], 7, 1),
			kind: "invalid_input", message: "license_code must be 25 letters and digits without hyphens or spaces; got 24 characters"},
		{name: "retail code with hyphens", in: retail(strings.Join([]string{kpRetail.Code[:5], kpRetail.Code[5:10], kpRetail.Code[10:15], kpRetail.Code[15:20], kpRetail.Code[20:]}, "-"), 7, 1),
			kind: "invalid_input", message: "license_code must be 25 letters and digits without hyphens or spaces; got 29 characters"},
		{name: "retail code with a symbol", in: retail(kpRetail.Code[:24]+"-", 7, 1),
			kind: "invalid_input", message: "license_code must be 25 letters and digits without hyphens or spaces; got 25 characters, not all of them letters and digits"},
		{name: "retail code with a non-ASCII letter", in: retail("É"+kpRetail.Code[:24], 7, 1),
			kind: "invalid_input", message: "license_code must be 25 letters and digits without hyphens or spaces; got 25 characters, not all of them letters and digits"},
		{name: "license number with a letter", in: with(open, func(in *rds.InstallKeyPackInput) { in.LicenseNumber = "1234567A" }),
			kind: "invalid_input", message: "license_number must be 8 digits without hyphens or spaces; got 8 characters, not all of them digits"},
		{name: "authorization number too short", in: with(open, func(in *rds.InstallKeyPackInput) { in.AuthorizationNumber = "ABCDE12345FGHI" }),
			kind: "invalid_input", message: "authorization_number must be 15 letters and digits without hyphens or spaces; got 14 characters"},
		{name: "agreement type out of range", in: with(agreement, func(in *rds.InstallKeyPackInput) { in.AgreementType = 6 }),
			kind: "invalid_input", message: "agreement_type must be 0 (Select), 1 (Enterprise Agreement), 2 (Campus Agreement), 3 (School Agreement), 4 (Service Provider License Agreement) or 5 (other agreements); got 6"},
		{name: "agreement number too long", in: with(agreement, func(in *rds.InstallKeyPackInput) { in.AgreementNumber = "76543210" }),
			kind: "invalid_input", message: "agreement_number must be 7 digits without hyphens or spaces; got 8 characters"},
		{name: "SPLA number too long", in: with(agreement, func(in *rds.InstallKeyPackInput) { in.AgreementType, in.AgreementNumber = 4, "765432109" }),
			kind: "invalid_input", message: "agreement_number must be 7 to 8 digits without hyphens or spaces; got 9 characters"},
		{name: "other agreement number too short", in: with(agreement, func(in *rds.InstallKeyPackInput) { in.AgreementType, in.AgreementNumber = 5, "765432" }),
			kind: "invalid_input", message: "agreement_number must be 7 to 8 digits without hyphens or spaces; got 6 characters"},
		{name: "key pack ID too short", in: rds.InstallKeyPackInput{Program: "license_key_pack_id", LicenseKeyPackID: kpOffline.ID[:34], ProductVersion: 6},
			kind: "invalid_input", message: "license_key_pack_id must be 35 letters and digits without hyphens or spaces; got 34 characters"},
		{name: "2012 CALs", in: with(open, func(in *rds.InstallKeyPackInput) { in.ProductVersion = 4 }),
			kind: "invalid_input", message: "product_version must be 5 (Windows Server 2016), 6 (2019), 7 (2022) or 8 (2025); got 4"},
		{name: "product type 2", in: with(open, func(in *rds.InstallKeyPackInput) { in.ProductType = 2 }),
			kind: "invalid_input", message: "product_type must be 0 (per device) or 1 (per user); got 2"},
		{name: "no license count", in: with(open, func(in *rds.InstallKeyPackInput) { in.LicenseCount = 0 }),
			kind: "invalid_input", message: "license_count must be between 1 and 9999; got 0"},
		{name: "license count too large", in: with(agreement, func(in *rds.InstallKeyPackInput) { in.LicenseCount = 10000 }),
			kind: "invalid_input", message: "license_count must be between 1 and 9999; got 10000"},
		{name: "request ID with hyphens", in: with(agreement, func(in *rds.InstallKeyPackInput) { in.RequestID = "0123abcd-0000-4000-8000-0123456789ab" }),
			kind: "invalid_input", message: "request_id must be 32 lower-case hexadecimal digits; got 36 characters"},
		{name: "request ID in upper case", in: with(agreement, func(in *rds.InstallKeyPackInput) { in.RequestID = strings.ToUpper(kpRequest(agreement).RequestID) }),
			kind: "invalid_input", message: "request_id must be 32 lower-case hexadecimal digits; got 32 characters"},
		{name: "owner not a token", in: with(agreement, func(in *rds.InstallKeyPackInput) { in.RequestID, in.Owner = kpRequest(agreement).RequestID, "-" }),
			kind: "invalid_input", message: "owner must be 32 lower-case hexadecimal digits; got 1 characters"},
		{name: "code tag without salt", in: with(agreement, func(in *rds.InstallKeyPackInput) { *in = kpRequest(*in); in.CodeTag = "1a2b" }),
			kind: "invalid_input", message: "code_tag must be 16 lower-case hexadecimal digits, a colon and 4 more; got 4 characters"},
		// (3) activation
		{name: "not activated", mutate: func(st *HostState, _ *ClearinghouseState) { st.LicenseServer.Activated = false },
			in:   retail(kpRetail.Code, 7, 1),
			kind: "not_activated", message: "the license server on LS01 is not activated: Windows refuses to install CALs on a license server that is not activated; activate it first (rdslicensing_server_activation)"},
		// (4) version
		{name: "2025 CALs on a 2022 server", in: with(agreement, func(in *rds.InstallKeyPackInput) { in.ProductVersion = 8 }),
			kind: "version_unsupported", message: "Windows Server 2025 CALs cannot be installed on LS01, a Windows Server 2022 license server: a license server holds CALs of its own version or older; install them on a Windows Server 2025 license server"},
		{name: "2022 CALs on a 2019 server", mutate: func(st *HostState, _ *ClearinghouseState) { st.OS = "2019" },
			in:   retail(kpRetail.Code, 7, 1),
			kind: "version_unsupported", message: "Windows Server 2022 CALs cannot be installed on LS01, a Windows Server 2019 license server: a license server holds CALs of its own version or older; install them on a Windows Server 2022 license server"},
		// (5) workgroup
		{name: "per-user CALs in a workgroup",
			mutate: func(st *HostState, _ *ClearinghouseState) {
				st.Domain = ""
				st.Workgroup = "LAB"
			},
			in:   retail(kpRetail.Code, 7, 1),
			kind: "workgroup_unsupported", message: "per-user CALs need Active Directory: LS01 is in workgroup LAB, where per-user CALs cannot be tracked or reported; use per-device CALs, join the license server to a domain, or set allow_per_user_in_workgroup"},
		// (6) Windows and the Clearinghouse
		{name: "no Internet", mutate: func(st *HostState, _ *ClearinghouseState) { st.Internet = false },
			in:   retail(kpRetail.Code, 7, 1),
			kind: "clearinghouse_unreachable", code: WBEMNotAvailable,
			message: `installing CALs on LS01: the license server could not reach the Microsoft Clearinghouse to validate the license code; allow outbound TCP 443 from LS01 to the Internet, or install with program "license_key_pack_id" and a license key pack ID obtained from the Clearinghouse web site or by phone: InstallRetailPurchaseLicenseKeyPack failed with 0x80041009 (WBEM_E_NOT_AVAILABLE)`},
		{name: "Clearinghouse down", mutate: func(_ *HostState, ch *ClearinghouseState) { ch.Reachable = false },
			in:   agreement,
			kind: "clearinghouse_unreachable", code: WBEMNotAvailable,
			message: `installing CALs on LS01: the license server could not reach the Microsoft Clearinghouse to validate the agreement number; allow outbound TCP 443 from LS01 to the Internet, or install with program "license_key_pack_id" and a license key pack ID obtained from the Clearinghouse web site or by phone: InstallAgreementLicenseKeyPack failed with 0x80041009 (WBEM_E_NOT_AVAILABLE)`},
		{name: "unknown retail code", in: retail(kpRetailUnsold.Code, 7, 1),
			kind: "invalid_code", code: WBEMInvalidParameter,
			message: "installing CALs on LS01: " + tooOld + " license code; check for typos (0/O, 1/I, 5/S, 8/B) and that the purchase covers Windows Server 2022 per-user CALs: InstallRetailPurchaseLicenseKeyPack failed with 0x80041008 (WBEM_E_INVALID_PARAMETER)"},
		{name: "retail code used elsewhere", in: retail(kpRetailUsed.Code, 7, 0),
			kind: "code_already_used", code: WBEMAlreadyExists,
			message: "installing CALs on LS01: this retail license code has already been used: retail codes are single-use, even on the same server; if its CALs are on this license server they are in its key pack list, otherwise have the Microsoft Clearinghouse reissue them (by phone) or migrate them from the license server that holds them: InstallRetailPurchaseLicenseKeyPack failed with 0x80041019 (WBEM_E_ALREADY_EXISTS)"},
		{name: "key pack ID used", in: rds.InstallKeyPackInput{Program: "license_key_pack_id", LicenseKeyPackID: kpOfflineUsed.ID, ProductVersion: 7},
			kind: "code_already_used", code: WBEMAlreadyExists,
			message: "installing CALs on LS01: this license key pack ID has already been used: key pack IDs are single-use, even on the same server; if its CALs are on this license server they are in its key pack list, otherwise have the Microsoft Clearinghouse reissue them (by phone) or migrate them from the license server that holds them: InstallLicenseKeyPack failed with 0x80041019 (WBEM_E_ALREADY_EXISTS)"},
		{name: "unknown key pack ID", in: rds.InstallKeyPackInput{Program: "license_key_pack_id", LicenseKeyPackID: NewOfflineKeyPack("unknown", 7, 0, 1).ID, ProductVersion: 7},
			kind: "invalid_code", code: WBEMInvalidParameter,
			message: "installing CALs on LS01: " + tooOld + " license key pack ID; check for typos (0/O, 1/I, 5/S, 8/B) and that the purchase covers Windows Server 2022 per-device CALs: InstallLicenseKeyPack failed with 0x80041008 (WBEM_E_INVALID_PARAMETER)"},
		{name: "open license exhausted", in: with(open, func(in *rds.InstallKeyPackInput) { in.LicenseCount = 11 }),
			kind: "invalid_code", code: WBEMInvalidParameter,
			message: "installing CALs on LS01: " + tooOld + " license and authorization numbers; check for typos (0/O, 1/I, 5/S, 8/B) and that the purchase covers 11 more Windows Server 2022 per-device CALs" + unknownVersion(7, "2022") + ": InstallOpenLicenseKeyPack failed with 0x80041008 (WBEM_E_INVALID_PARAMETER)"},
		{name: "open license of another version", in: with(open, func(in *rds.InstallKeyPackInput) { in.ProductVersion = 6 }),
			kind: "invalid_code", code: WBEMInvalidParameter,
			message: "installing CALs on LS01: " + tooOld + " license and authorization numbers; check for typos (0/O, 1/I, 5/S, 8/B) and that the purchase covers 5 more Windows Server 2019 per-device CALs: InstallOpenLicenseKeyPack failed with 0x80041008 (WBEM_E_INVALID_PARAMETER)"},
		{name: "wrong authorization number", in: with(open, func(in *rds.InstallKeyPackInput) { in.AuthorizationNumber = "ABCDE12345FGHIK" }),
			kind: "invalid_code", code: WBEMInvalidParameter,
			message: "installing CALs on LS01: " + tooOld + " license and authorization numbers; check for typos (0/O, 1/I, 5/S, 8/B) and that the purchase covers 5 more Windows Server 2022 per-device CALs" + unknownVersion(7, "2022") + ": InstallOpenLicenseKeyPack failed with 0x80041008 (WBEM_E_INVALID_PARAMETER)"},
		{name: "agreement of another type", in: with(agreement, func(in *rds.InstallKeyPackInput) { in.AgreementType = 0 }),
			kind: "invalid_code", code: WBEMInvalidParameter,
			message: "installing CALs on LS01: " + tooOld + " agreement number; check for typos (0/O, 1/I, 5/S, 8/B) and that the purchase covers 50 more Windows Server 2022 per-user CALs" + unknownVersion(7, "2022") + ": InstallAgreementLicenseKeyPack failed with 0x80041008 (WBEM_E_INVALID_PARAMETER)"},
		{name: "agreement for per-device CALs", in: with(agreement, func(in *rds.InstallKeyPackInput) { in.ProductType = 0 }),
			kind: "invalid_code", code: WBEMInvalidParameter,
			message: "installing CALs on LS01: " + tooOld + " agreement number; check for typos (0/O, 1/I, 5/S, 8/B) and that the purchase covers 50 more Windows Server 2022 per-device CALs" + unknownVersion(7, "2022") + ": InstallAgreementLicenseKeyPack failed with 0x80041008 (WBEM_E_INVALID_PARAMETER)"},
		{
			// Declared 2022, but the code holds 2025 CALs: Windows refuses
			// them with VersionTooNewCode (WBEM_E_INVALID_PARAMETER by
			// default), which the script's table reads as invalid_code.
			name: "retail code holding CALs newer than the server", in: retail(kpRetail2025.Code, 7, 1),
			kind: "invalid_code", code: WBEMInvalidParameter,
			message: "installing CALs on LS01: " + tooOld + " license code; check for typos (0/O, 1/I, 5/S, 8/B) and that the purchase covers Windows Server 2022 per-user CALs: InstallRetailPurchaseLicenseKeyPack failed with 0x80041008 (WBEM_E_INVALID_PARAMETER)"},
		// Quirks: other codes from Windows change the script's classification.
		{name: "quirk: another unreachable code",
			mutate: func(st *HostState, _ *ClearinghouseState) {
				st.Internet = false
				st.Quirks.ClearinghouseUnreachableCode = WBEMFailed
			},
			in:   retail(kpRetail.Code, 7, 1),
			kind: "wmi_error", code: WBEMFailed,
			message: "installing CALs on LS01: InstallRetailPurchaseLicenseKeyPack failed with 0x80041001 (WBEM_E_FAILED)"},
		{name: "quirk: another version-too-new code",
			mutate: func(st *HostState, _ *ClearinghouseState) { st.Quirks.VersionTooNewCode = WBEMInvalidOperation },
			in:     retail(kpRetail2025.Code, 7, 1),
			kind:   "wmi_error", code: WBEMInvalidOperation,
			message: "installing CALs on LS01: InstallRetailPurchaseLicenseKeyPack failed with 0x80041016 (WBEM_E_INVALID_OPERATION)"},
		{name: "quirk: another already-used code",
			mutate: func(st *HostState, _ *ClearinghouseState) { st.Quirks.CodeAlreadyUsedCode = WBEMFailed },
			in:     retail(kpRetailUsed.Code, 7, 0),
			kind:   "wmi_error", code: WBEMFailed,
			message: "installing CALs on LS01: InstallRetailPurchaseLicenseKeyPack failed with 0x80041001 (WBEM_E_FAILED)"},
		{
			// If 2025 CALs are really 9, the provider sending 8 hits a
			// Windows that does not know 8, and the script reads the
			// WBEM_E_INVALID_PARAMETER as a rejected number.
			name: "quirk: 2025 CALs are 9, the script sends 8",
			mutate: func(st *HostState, _ *ClearinghouseState) {
				st.OS = "2025"
				st.Quirks.ProductVersion2025 = 9
			},
			in: rds.InstallKeyPackInput{Program: "agreement", AgreementType: 4, AgreementNumber: "1234567",
				ProductVersion: 8, ProductType: 0, LicenseCount: 50},
			kind: "invalid_code", code: WBEMInvalidParameter,
			message: "installing CALs on LS01: " + tooOld + " agreement number; check for typos (0/O, 1/I, 5/S, 8/B) and that the purchase covers 50 more Windows Server 2025 per-device CALs" + unknownVersion(8, "2025") + ": InstallAgreementLicenseKeyPack failed with 0x80041008 (WBEM_E_INVALID_PARAMETER)"},
		{
			// 7 for 2022 CALs is documented for the key pack property
			// only: if the install methods know another number, Windows
			// refuses 7 as an invalid parameter, and the message says
			// that the number may be the cause.
			name:   "quirk: 2022 CALs are not 7, the script sends 7",
			mutate: func(st *HostState, _ *ClearinghouseState) { st.Quirks.ProductVersion2022 = 9 },
			in:     agreement,
			kind:   "invalid_code", code: WBEMInvalidParameter,
			message: "installing CALs on LS01: " + tooOld + " agreement number; check for typos (0/O, 1/I, 5/S, 8/B) and that the purchase covers 50 more Windows Server 2022 per-user CALs; or Windows does not know ProductVersion 7 for Windows Server 2022 CALs (the install methods document 2, 4, 5 and 6 only): InstallAgreementLicenseKeyPack failed with 0x80041008 (WBEM_E_INVALID_PARAMETER)"},
		{name: "quirk: 2025 CALs are 9, the script refuses 9",
			mutate: func(st *HostState, _ *ClearinghouseState) {
				st.OS = "2025"
				st.Quirks.ProductVersion2025 = 9
			},
			in: rds.InstallKeyPackInput{Program: "agreement", AgreementType: 4, AgreementNumber: "1234567",
				ProductVersion: 9, ProductType: 0, LicenseCount: 50},
			kind: "invalid_input", message: "product_version must be 5 (Windows Server 2016), 6 (2019), 7 (2022) or 8 (2025); got 9"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, h := kpSim(t, tc.mutate)
			before, chBefore := h.State(), s.Clearinghouse()
			in := kpRequest(tc.in)
			err := runOp(t, h, testAdmin, "install_key_pack", in, nil)
			kpWantError(t, err, tc.kind, tc.message, tc.code)
			for _, secret := range tc.in.Secrets() {
				if len(secret) >= 7 && strings.Contains(err.Message, secret) {
					t.Fatalf("the message shows a secret: %s", err.Message)
				}
			}
			if !reflect.DeepEqual(h.State().LicenseServer, before.LicenseServer) {
				t.Fatalf("license server changed:\n%+v\n%+v", before.LicenseServer, h.State().LicenseServer)
			}
			if !reflect.DeepEqual(s.Clearinghouse(), chBefore) {
				t.Fatalf("Clearinghouse changed:\n%+v\n%+v", chBefore, s.Clearinghouse())
			}
			// A check before the lock records nothing; a refusal by
			// Windows is journalled as failed, with its code.
			journal := h.State().KeyPackJournal
			if tc.code == 0 && len(journal) != 0 {
				t.Fatalf("journal after a check failed: %+v", journal)
			}
			if tc.code != 0 && (len(journal) != 1 || journal[0].RequestID != in.RequestID || journal[0].State != rds.JournalFailed ||
				journal[0].ReturnValue != tc.code || journal[0].KeyPackID != 0) {
				t.Fatalf("journal after Windows refused: %+v", journal)
			}
		})
	}
}

// The Windows layer refuses what the script's pre-checks normally keep
// from it.
func TestKeyPackWindowsModel(t *testing.T) {
	s, h := kpSim(t, nil)
	st := h.State()
	x := &opContext{Host: &st, sim: s, Now: s.Now()}
	agreement := rds.InstallKeyPackInput{Program: "agreement", AgreementType: 1, AgreementNumber: "7654321", ProductVersion: 7, ProductType: 1, LicenseCount: 5}

	st.LicenseServer.Activated = false
	if _, code := x.kpInstall(agreement); code != WBEMFailed {
		t.Fatalf("install on a server not activated: 0x%X, want NotActivatedCode", code)
	}
	st.Quirks.NotActivatedCode = WBEMInvalidOperation
	if _, code := x.kpInstall(agreement); code != WBEMInvalidOperation {
		t.Fatalf("install on a server not activated: 0x%X, want the quirk's code", code)
	}
	st.LicenseServer.Activated = true

	st.OS = "2019"
	if _, code := x.kpInstall(agreement); code != WBEMInvalidParameter {
		t.Fatalf("2022 CALs on 2019: 0x%X, want VersionTooNewCode", code)
	}
	st.Quirks.VersionTooNewCode = WBEMValueOutOfRange
	if _, code := x.kpInstall(agreement); code != WBEMValueOutOfRange {
		t.Fatalf("2022 CALs on 2019: 0x%X, want the quirk's code", code)
	}
	st.OS = "2022"

	if code := st.kpUninstallWithID(1); code != WBEMInvalidParameter {
		t.Fatalf("uninstall the built-in pack: 0x%X", code)
	}
	if code := st.kpUninstallWithID(42); code != WBEMNotFound {
		t.Fatalf("uninstall an unknown pack: 0x%X", code)
	}
	if code := st.kpRemoveLicenses(1, 1); code != WBEMInvalidParameter {
		t.Fatalf("remove licenses from the built-in pack: 0x%X", code)
	}
	if code := st.kpRemoveLicenses(42, 1); code != WBEMNotFound {
		t.Fatalf("remove licenses from an unknown pack: 0x%X", code)
	}
	id, code := x.kpInstall(agreement)
	if code != 0 || id != 2 {
		t.Fatalf("install: id %d, code 0x%X", id, code)
	}
	st.LicenseServer.KeyPacks[1].IssuedLicenses = 2
	if code := st.kpRemoveLicenses(2, 4); code != WBEMInvalidParameter {
		t.Fatalf("remove issued licenses: 0x%X", code)
	}
	if code := st.kpRemoveLicenses(2, 3); code != 0 || st.LicenseServer.KeyPacks[1].TotalLicenses != 2 {
		t.Fatalf("remove 3 of 5 with 2 issued: 0x%X, total %d", code, st.LicenseServer.KeyPacks[1].TotalLicenses)
	}
	// A scenario's hand-made pack is skipped by the ID allocation.
	st.LicenseServer.KeyPacks = append(st.LicenseServer.KeyPacks, KeyPackState{KeyPackID: 7, ProductType: 0, ProductVersionID: 7, TotalLicenses: 1})
	if id, code := x.kpInstall(agreement); code != 0 || id != 8 {
		t.Fatalf("install after a pack 7: id %d, code 0x%X", id, code)
	}
}

// kpWithPacks adds pack 2 (2022 per user, 20 CALs, 3 issued) and pack 3
// (2019 per device, 10 CALs) with one CAL issued from pack 2.
func kpWithPacks(st *HostState, _ *ClearinghouseState) {
	st.LicenseServer.KeyPacks = append(st.LicenseServer.KeyPacks,
		KeyPackState{KeyPackID: 2, KeyPackType: 2, ProductType: 1, ProductVersionID: 7, TotalLicenses: 20, IssuedLicenses: 3, ExpirationDate: keyPackExpiry, Description: "C50-10.02-S"},
		KeyPackState{KeyPackID: 3, KeyPackType: 1, ProductType: 0, ProductVersionID: 6, TotalLicenses: 10, ExpirationDate: keyPackExpiry},
	)
	st.LicenseServer.NextKeyPackID = 4
	st.LicenseServer.IssuedCALs = []IssuedCALState{{LicenseID: 1, KeyPackID: 2, IssuedToComputer: "PC01", LicenseStatus: 2}}
}

func kpPackIDs(st HostState) []int64 {
	var ids []int64
	for _, kp := range st.LicenseServer.KeyPacks {
		ids = append(ids, kp.KeyPackID)
	}
	return ids
}

func TestRemoveKeyPack(t *testing.T) {
	t.Run("removes the pack", func(t *testing.T) {
		_, h := kpSim(t, kpWithPacks)
		var got rds.Empty
		if err := runOp(t, h, testAdmin, "remove_key_pack", rds.KeyPackRef{KeyPackID: 3}, &got); err != nil {
			t.Fatal(err)
		}
		if ids := kpPackIDs(h.State()); !reflect.DeepEqual(ids, []int64{1, 2}) {
			t.Fatalf("packs left: %v", ids)
		}
	})
	t.Run("a pack with issued CALs goes too", func(t *testing.T) {
		_, h := kpSim(t, kpWithPacks)
		if err := runOp(t, h, testAdmin, "remove_key_pack", rds.KeyPackRef{KeyPackID: 2}, nil); err != nil {
			t.Fatal(err)
		}
		st := h.State()
		if ids := kpPackIDs(st); !reflect.DeepEqual(ids, []int64{1, 3}) {
			t.Fatalf("packs left: %v", ids)
		}
		if len(st.LicenseServer.IssuedCALs) != 1 {
			t.Fatalf("issued CALs: %+v", st.LicenseServer.IssuedCALs)
		}
	})
	failures := []struct {
		name    string
		id      int64
		kind    string
		message string
		code    int64
	}{
		{"unknown pack", 9, "not_found", "there is no key pack 9 on LS01", WBEMNotFound},
		{"built-in pack", 1, "invalid_input", "key pack 1 on LS01 is the built-in per-device pack (Built-in TS Per Device CAL): Windows creates it with the license server, and it cannot be removed or changed", 0},
		{"negative ID", -1, "invalid_input", "key_pack_id must be a KeyPackId between 0 and 4294967295; got -1", 0},
		{"ID beyond uint32", 4294967296, "invalid_input", "key_pack_id must be a KeyPackId between 0 and 4294967295; got 4294967296", 0},
	}
	for _, tc := range failures {
		t.Run(tc.name, func(t *testing.T) {
			_, h := kpSim(t, kpWithPacks)
			err := runOp(t, h, testAdmin, "remove_key_pack", rds.KeyPackRef{KeyPackID: tc.id}, nil)
			kpWantError(t, err, tc.kind, tc.message, tc.code)
			if ids := kpPackIDs(h.State()); !reflect.DeepEqual(ids, []int64{1, 2, 3}) {
				t.Fatalf("packs left: %v", ids)
			}
		})
	}
}

func TestRemoveLicenses(t *testing.T) {
	pack2 := rds.KeyPack{KeyPackID: 2, KeyPackType: 2, ProductType: 1, ProductVersion: "Windows Server 2022", ProductVersionID: 7,
		TypeAndModel: "RDS Per User CAL", Description: "C50-10.02-S", IssuedLicenses: 3, ExpirationDate: "2038-01-19T03:14:07Z"}
	success := []struct {
		name             string
		count            int
		total, available int64
	}{
		{"some", 5, 15, 12},
		// Unverified: Windows might drop the pack instead.
		{"every license not issued", 17, 3, 0},
	}
	for _, tc := range success {
		t.Run(tc.name, func(t *testing.T) {
			_, h := kpSim(t, kpWithPacks)
			var got rds.KeyPackResult
			if err := runOp(t, h, testAdmin, "remove_licenses", rds.RemoveLicensesInput{KeyPackID: 2, LicenseCount: tc.count}, &got); err != nil {
				t.Fatal(err)
			}
			want := pack2
			want.TotalLicenses, want.AvailableLicenses = tc.total, tc.available
			if got.KeyPack != want {
				t.Fatalf("key pack:\n got  %+v\n want %+v", got.KeyPack, want)
			}
			kp := h.State().LicenseServer.KeyPacks[1]
			if kp.KeyPackID != 2 || kp.TotalLicenses != tc.total || kp.IssuedLicenses != 3 {
				t.Fatalf("stored pack: %+v", kp)
			}
		})
	}
	failures := []struct {
		name    string
		in      rds.RemoveLicensesInput
		kind    string
		message string
		code    int64
	}{
		{"more than are not issued", rds.RemoveLicensesInput{KeyPackID: 2, LicenseCount: 18},
			"invalid_input", "cannot remove 18 licenses from key pack 2 on LS01: only 17 are not issued", 0},
		{"no count", rds.RemoveLicensesInput{KeyPackID: 2, LicenseCount: 0},
			"invalid_input", "license_count must be at least 1; got 0", 0},
		{"negative count", rds.RemoveLicensesInput{KeyPackID: 2, LicenseCount: -3},
			"invalid_input", "license_count must be at least 1; got -3", 0},
		{"unknown pack", rds.RemoveLicensesInput{KeyPackID: 9, LicenseCount: 1},
			"not_found", "there is no key pack 9 on LS01", WBEMNotFound},
		{"built-in pack", rds.RemoveLicensesInput{KeyPackID: 1, LicenseCount: 1},
			"invalid_input", "key pack 1 on LS01 is the built-in per-device pack (Built-in TS Per Device CAL): Windows creates it with the license server, and it cannot be removed or changed", 0},
		{"negative ID", rds.RemoveLicensesInput{KeyPackID: -2, LicenseCount: 1},
			"invalid_input", "key_pack_id must be a KeyPackId between 0 and 4294967295; got -2", 0},
	}
	for _, tc := range failures {
		t.Run(tc.name, func(t *testing.T) {
			_, h := kpSim(t, kpWithPacks)
			before := h.State()
			err := runOp(t, h, testAdmin, "remove_licenses", tc.in, nil)
			kpWantError(t, err, tc.kind, tc.message, tc.code)
			if !reflect.DeepEqual(h.State().LicenseServer, before.LicenseServer) {
				t.Fatalf("license server changed")
			}
		})
	}
}

// A built-in pack whose only marker is its TypeAndModel (not ProductType 3,
// not an unlimited count), in another case: public scripts know the
// built-in pack by that name, so it is built-in, listed so and unchangeable.
func TestBuiltInKeyPackByTypeAndModelOnly(t *testing.T) {
	mutate := func(st *HostState, _ *ClearinghouseState) {
		st.LicenseServer.KeyPacks[0] = KeyPackState{KeyPackID: 1, ProductType: 0, ProductVersionID: 2,
			TotalLicenses: 100, ExpirationDate: keyPackExpiry, TypeAndModel: "BUILT-IN TS PER DEVICE CAL"}
	}
	_, h := kpSim(t, mutate)
	var got rds.KeyPackList
	if err := runOp(t, h, testAdmin, "list_key_packs", rds.NoInput{}, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.KeyPacks) != 1 || !got.KeyPacks[0].BuiltIn || got.KeyPacks[0].TypeAndModel != "BUILT-IN TS PER DEVICE CAL" {
		t.Fatalf("key packs = %+v, want the one built-in pack", got.KeyPacks)
	}
	refused := "key pack 1 on LS01 is the built-in per-device pack (Built-in TS Per Device CAL): Windows creates it with the license server, and it cannot be removed or changed"
	kpWantError(t, runOp(t, h, testAdmin, "remove_key_pack", rds.KeyPackRef{KeyPackID: 1}, nil), "invalid_input", refused, 0)
	kpWantError(t, runOp(t, h, testAdmin, "remove_licenses", rds.RemoveLicensesInput{KeyPackID: 1, LicenseCount: 1}, nil), "invalid_input", refused, 0)
	if st := h.State(); st.kpUninstallWithID(1) != WBEMInvalidParameter {
		t.Fatal("Windows' model uninstalled the built-in pack")
	}
}
