package winsim

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

// reportState gives LS01 a 2022 per-device pack (2), a built-in-pack CAL,
// four per-device CALs (one revoked, one from a removed pack) and two
// per-user CALs.
func reportState(st *HostState, _ *ClearinghouseState) {
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 9, 30, 0, 0, time.UTC) }
	st.LicenseServer.KeyPacks = append(st.LicenseServer.KeyPacks,
		KeyPackState{KeyPackID: 2, KeyPackType: 2, ProductType: 0, ProductVersionID: 7, TotalLicenses: 10, IssuedLicenses: 3, ExpirationDate: keyPackExpiry},
		KeyPackState{KeyPackID: 3, KeyPackType: 1, ProductType: 1, ProductVersionID: 6, TotalLicenses: 5, ExpirationDate: keyPackExpiry},
	)
	st.LicenseServer.IssuedCALs = []IssuedCALState{
		{LicenseID: 7, KeyPackID: 2, IssuedToUser: `CONTOSO\carol`, IssuedToComputer: "PC07", HardwareID: "HW-07", IssueDate: day(1, 10), ExpirationDate: day(3, 20), LicenseStatus: 2},
		{LicenseID: 3, KeyPackID: 2, IssuedToUser: `CONTOSO\alice`, IssuedToComputer: "PC03", HardwareID: "HW-03", IssueDate: day(1, 5), ExpirationDate: day(3, 1), LicenseStatus: 4},
		{LicenseID: 5, KeyPackID: 1, IssuedToUser: `CONTOSO\bob`, IssuedToComputer: "PC05", HardwareID: "HW-05", IssueDate: day(1, 6), ExpirationDate: day(4, 6), LicenseStatus: 1},
		{LicenseID: 4, KeyPackID: 2, IssuedToUser: `CONTOSO\dave`, IssuedToComputer: "PC04", HardwareID: "HW-04", IssueDate: day(1, 7), ExpirationDate: day(3, 2), LicenseStatus: 2},
		{LicenseID: 1, KeyPackID: 9, IssuedToComputer: "PC09", HardwareID: "HW-09", IssueDate: day(1, 1), ExpirationDate: day(2, 1), LicenseStatus: 2},
	}
	st.LicenseServer.PerUserCALs = []PerUserCALState{
		{User: `CONTOSO\erin`, KeyPackID: 3, ProductVersionID: 6, ExpirationDate: day(3, 15)},
		{User: `CONTOSO\frank`, KeyPackID: 0, ProductVersionID: 4, ExpirationDate: day(2, 28)},
	}
}

func TestGetCALUsageReport(t *testing.T) {
	s, h := kpSim(t, reportState)
	now := time.Date(2026, 2, 14, 12, 0, 5, 0, time.FixedZone("CET", 3600))
	s.SetClock(func() time.Time { return now })
	before := h.State()
	var got rds.UsageReport
	if err := runOp(t, h, testAdmin, "get_cal_usage_report", rds.NoInput{}, &got); err != nil {
		t.Fatal(err)
	}
	want := rds.UsageReport{
		GeneratedAt: "2026-02-14T11:00:05Z",
		PerUser: []rds.PerUserUsage{
			{User: `CONTOSO\erin`, ExpirationDate: "2026-03-15T09:30:00Z", CALType: "RDS Per User CAL", ProductVersion: "Windows Server 2019", ProductVersionID: 6},
			{User: `CONTOSO\frank`, ExpirationDate: "2026-02-28T09:30:00Z", CALType: "TS Per User CAL", ProductVersion: "Windows Server 2012", ProductVersionID: 4},
		},
		// Every issued CAL, revoked ones too, with its pack's type and
		// version (none for a CAL whose pack was removed).
		PerDevice: []rds.IssuedLicense{
			{LicenseID: 5, KeyPackID: 1, IssuedToUser: `CONTOSO\bob`, IssuedToComputer: "PC05", HardwareID: "HW-05", IssueDate: "2026-01-06T09:30:00Z", ExpirationDate: "2026-04-06T09:30:00Z", LicenseStatus: 1, CALType: "Built-in TS Per Device CAL"},
			{LicenseID: 3, KeyPackID: 2, IssuedToUser: `CONTOSO\alice`, IssuedToComputer: "PC03", HardwareID: "HW-03", IssueDate: "2026-01-05T09:30:00Z", ExpirationDate: "2026-03-01T09:30:00Z", LicenseStatus: 4, CALType: "RDS Per Device CAL", ProductVersionID: 7},
			{LicenseID: 4, KeyPackID: 2, IssuedToUser: `CONTOSO\dave`, IssuedToComputer: "PC04", HardwareID: "HW-04", IssueDate: "2026-01-07T09:30:00Z", ExpirationDate: "2026-03-02T09:30:00Z", LicenseStatus: 2, CALType: "RDS Per Device CAL", ProductVersionID: 7},
			{LicenseID: 7, KeyPackID: 2, IssuedToUser: `CONTOSO\carol`, IssuedToComputer: "PC07", HardwareID: "HW-07", IssueDate: "2026-01-10T09:30:00Z", ExpirationDate: "2026-03-20T09:30:00Z", LicenseStatus: 2, CALType: "RDS Per Device CAL", ProductVersionID: 7},
			{LicenseID: 1, KeyPackID: 9, IssuedToComputer: "PC09", HardwareID: "HW-09", IssueDate: "2026-01-01T09:30:00Z", ExpirationDate: "2026-02-01T09:30:00Z", LicenseStatus: 2},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("report:\n got  %+v\n want %+v", got, want)
	}
	// The report is deleted again: the license server is as it was.
	if !reflect.DeepEqual(h.State().LicenseServer, before.LicenseServer) {
		t.Fatalf("license server changed")
	}
}

func TestGetCALUsageReportEmpty(t *testing.T) {
	_, h := kpSim(t, nil)
	res, oerr, _ := h.runOperation(testAdmin, "get_cal_usage_report", []byte(`{}`))
	if oerr != nil {
		t.Fatal(oerr)
	}
	b, _ := json.Marshal(res)
	if !strings.Contains(string(b), `"per_user":[],"per_device":[]`) {
		t.Fatalf("result = %s", b)
	}
}

// FetchReportEntries says "no more entries" with LSERVER_I_NO_MORE_DATA
// (0x4001), so a report without per-user CALs gives that, not zero.
func TestFetchReportEntriesNoMoreData(t *testing.T) {
	rep := licenseReport{Entries: []reportEntry{{User: "a"}, {User: "b"}, {User: "c"}}}
	if got, code := rep.fetchReportEntries(1, 0); code != 0 || len(got) != 2 || got[0].User != "b" {
		t.Fatalf("from 1: %v %#x", got, code)
	}
	if got, code := rep.fetchReportEntries(0, 2); code != 0 || len(got) != 2 {
		t.Fatalf("two: %v %#x", got, code)
	}
	if got, code := rep.fetchReportEntries(3, 0); code != 0x4001 || got != nil {
		t.Fatalf("past the end: %v %#x", got, code)
	}
	if got, code := (licenseReport{}).fetchReportEntries(0, 0); code != 0x4001 || got != nil {
		t.Fatalf("empty: %v %#x", got, code)
	}
}
