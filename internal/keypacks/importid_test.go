package keypacks

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

func TestParseKeyPackImportID(t *testing.T) {
	for _, tc := range []struct {
		id, host, ids, problem string
	}{
		{"ls01.contoso.com/5", "ls01.contoso.com", "[5]", ""},
		{"10.0.0.4/5,7", "10.0.0.4", "[5 7]", ""},
		{" ls01 / 7, 5, 7 ", "ls01", "[5 7]", ""},
		{"ls01", "", "[]", `which has no "/"`},
		{"/5", "", "[]", "whose host part is not a host name"},
		{"ls01/", "", "[]", "no key pack ID after"},
		{"ls01/x", "", "[]", `"x" is not a key pack ID`},
		{"ls01/4294967296", "", "[]", "is not a key pack ID"},
		{"ls 01/5", "", "[]", "whose host part is not a host name"},
	} {
		host, ids, problem := ParseImportID(tc.id)
		if host != tc.host || fmt.Sprint(ids) != tc.ids || tc.problem == "" && problem != "" || !strings.Contains(problem, tc.problem) {
			t.Errorf("ParseImportID(%q) = %q, %v, %q; want %q, %s, %q", tc.id, host, ids, problem, tc.host, tc.ids, tc.problem)
		}
	}
}

func TestImportablePacks(t *testing.T) {
	device2 := devicePack
	device2.KeyPackID = 4
	old := devicePack
	old.KeyPackID, old.ProductVersionID, old.ProductVersion = 5, 4, "Windows Server 2012"
	temp := devicePack
	temp.KeyPackID, temp.KeyPackType = 6, 4
	packs := []rds.KeyPack{builtInPack, userPack, devicePack, device2, old, temp}
	for _, tc := range []struct {
		ids     []int64
		want    string
		problem string
	}{
		{[]int64{2}, "[2]", ""},
		{[]int64{3, 4}, "[3 4]", ""},
		{[]int64{1}, "", "is the built-in per-device pack"},
		{[]int64{9}, "", "There is no key pack 9 on ls01. The key packs there are: 2 (20 Windows Server 2022 RDS Per User CAL)"},
		{[]int64{5}, "", "holds Windows Server 2012 CALs"},
		{[]int64{6}, "", "has KeyPackType 4"},
		{[]int64{2, 3}, "", "cannot be one resource"},
	} {
		got, problem := ImportablePacks("ls01", packs, tc.ids)
		var ids []int64
		for _, kp := range got {
			ids = append(ids, kp.KeyPackID)
		}
		if tc.problem == "" && (problem != "" || fmt.Sprint(ids) != tc.want) || tc.problem != "" && !strings.Contains(problem, tc.problem) {
			t.Errorf("ImportablePacks(%v) = %v, %q; want %s, %q", tc.ids, ids, problem, tc.want, tc.problem)
		}
	}
}

func TestImportedAgreementType(t *testing.T) {
	installed := func(id int64, agreementType int) rds.JournalEntry {
		return rds.JournalEntry{RequestID: fmt.Sprint("r", id), State: rds.JournalInstalled, Program: "agreement", AgreementType: agreementType, KeyPackID: id}
	}
	packs := []rds.KeyPack{{KeyPackID: 2, KeyPackType: 2}, {KeyPackID: 3, KeyPackType: 2}}
	for _, tc := range []struct {
		name    string
		journal []rds.JournalEntry
		want    string
	}{
		{"installed by the provider", []rds.JournalEntry{installed(2, 1), installed(3, 1)}, "enterprise"},
		{"one pack installed by hand", []rds.JournalEntry{installed(3, 4)}, "service_provider"},
		{"installed by hand: adopted entries carry no agreement type", []rds.JournalEntry{{State: rds.JournalAdopted, Program: "agreement", KeyPackID: 2}}, ""},
		{"no journal", nil, ""},
		{"entries disagree", []rds.JournalEntry{installed(2, 1), installed(3, 0)}, ""},
		{"another pack's entry", []rds.JournalEntry{installed(7, 1)}, ""},
		{"removed since", []rds.JournalEntry{{State: rds.JournalRemoved, Program: "agreement", AgreementType: 1, KeyPackID: 2}}, ""},
	} {
		if got := ImportedAgreementType(tc.journal, packs); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
