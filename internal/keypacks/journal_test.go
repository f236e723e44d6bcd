package keypacks

import (
	"strings"
	"testing"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

func TestResolve(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	it := IntentOf(agreementInput(10))
	builtIn := rds.KeyPack{KeyPackID: 1, ProductType: 3, TotalLicenses: 4294967295, BuiltIn: true}
	pack := func(id int64, total int64) rds.KeyPack {
		return rds.KeyPack{KeyPackID: id, KeyPackType: 2, ProductType: 1, ProductVersionID: 7, TotalLicenses: total}
	}
	started := rds.JournalEntry{RequestID: "r1", State: rds.JournalStarted, Program: "agreement", ProductVersion: 7, ProductType: 1, LicenseCount: 10,
		AgreementType: 1, Owner: "me", Before: []int64{1, 2}, Started: t0.Format(time.RFC3339)}
	with := func(e rds.JournalEntry, f func(*rds.JournalEntry)) rds.JournalEntry { f(&e); return e }
	view := func(boot, now time.Time, packs []rds.KeyPack, journal ...rds.JournalEntry) View {
		return View{Packs: append([]rds.KeyPack{builtIn}, packs...), Journal: journal, BootTime: boot, HostTime: now}
	}
	before := t0.Add(-time.Hour)
	for _, tc := range []struct {
		name    string
		v       View
		outcome Outcome
		pack    int64
		write   string // the state the resolution writes, "" none
		why     string
	}{
		{"no entry: tombstone first", view(before, t0, nil), Wait, 0, rds.JournalAbandoned, "not in the journal"},
		{"abandoned", view(before, t0, nil, with(started, func(e *rds.JournalEntry) { e.State = rds.JournalAbandoned })), NotInstalled, 0, "", "abandoned"},
		{"installed", view(before, t0, []rds.KeyPack{pack(3, 10)}, with(started, func(e *rds.JournalEntry) { e.State, e.KeyPackID = rds.JournalInstalled, 3 })), Installed, 3, "", "recorded"},
		{"installed, pack removed since", view(before, t0, nil, with(started, func(e *rds.JournalEntry) { e.State, e.KeyPackID = rds.JournalInstalled, 3 })), NotInstalled, 0, "", "no longer on the server"},
		{"failed", view(before, t0, nil, with(started, func(e *rds.JournalEntry) { e.State, e.ReturnValue = rds.JournalFailed, 0x80041008 })), NotInstalled, 0, "", "0x80041008"},
		{"started, one new pack", view(before, t0.Add(time.Second), []rds.KeyPack{pack(2, 10), pack(3, 10)}, started), Installed, 3, rds.JournalInstalled, "after the key pack was made"},
		{"started, new pack of another count", view(t0.Add(time.Minute), t0.Add(2*time.Minute), []rds.KeyPack{pack(3, 11)}, started), NotInstalled, 0, rds.JournalNotInstalled, "before a key pack was made"},
		{"started, the new pack is another entry's", view(t0.Add(time.Minute), t0.Add(2*time.Minute), []rds.KeyPack{pack(3, 10)}, started,
			rds.JournalEntry{RequestID: "r2", State: rds.JournalInstalled, KeyPackID: 3}), NotInstalled, 0, rds.JournalNotInstalled, ""},
		{"started, two new packs", view(before, t0.Add(time.Second), []rds.KeyPack{pack(3, 10), pack(4, 10)}, started), Ambiguous, 0, "", "several"},
		{"started, nothing, rebooted since", view(t0.Add(time.Second), t0.Add(2*time.Second), nil, started), NotInstalled, 0, rds.JournalNotInstalled, ""},
		{"started, nothing, settling", view(before, t0.Add(SettleTime-time.Second), nil, started), Wait, 0, "", "may still complete"},
		{"started, nothing, settled", view(before, t0.Add(SettleTime), nil, started), NotInstalled, 0, rds.JournalNotInstalled, ""},
		{"unknown state", view(before, t0, nil, with(started, func(e *rds.JournalEntry) { e.State = "weird" })), Ambiguous, 0, "", "does not know"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Resolve(tc.v, "r1", it)
			if r.Outcome != tc.outcome || r.Pack.KeyPackID != tc.pack || !strings.Contains(r.Why, tc.why) {
				t.Fatalf("Resolve = outcome %d pack %d (%s); want %d pack %d (%q)", r.Outcome, r.Pack.KeyPackID, r.Why, tc.outcome, tc.pack, tc.why)
			}
			got := ""
			if r.Write != nil {
				got = r.Write.State
				if r.Write.RequestID != "r1" {
					t.Fatalf("the write names request %q", r.Write.RequestID)
				}
			}
			if got != tc.write {
				t.Fatalf("writes %q, want %q", got, tc.write)
			}
		})
	}
}

func TestFreeEntries(t *testing.T) {
	it := IntentOf(agreementInput(10))
	tag := it.NewCodeTag()
	entry := func(id string, kp int64, owner string, f func(*rds.JournalEntry)) rds.JournalEntry {
		e := rds.JournalEntry{RequestID: id, State: rds.JournalInstalled, Program: "agreement", ProductVersion: 7, ProductType: 1, LicenseCount: 10,
			AgreementType: 1, CodeTag: tag, Owner: owner, KeyPackID: kp}
		if f != nil {
			f(&e)
		}
		return e
	}
	otherCode := IntentOf(rds.InstallKeyPackInput{Program: "agreement", AgreementType: 1, AgreementNumber: "7654321", ProductVersion: 7, ProductType: 1, LicenseCount: 10})
	var packs []rds.KeyPack
	for id := int64(2); id <= 9; id++ {
		packs = append(packs, rds.KeyPack{KeyPackID: id, KeyPackType: 2, ProductType: 1, ProductVersionID: 7, TotalLicenses: 10})
	}
	v := View{Packs: packs, Journal: []rds.JournalEntry{
		entry("owned", 2, "someone", nil),
		entry("free", 3, "", nil),
		entry("free-other-count", 4, "", func(e *rds.JournalEntry) { e.LicenseCount = 5 }),
		entry("free-other-code", 5, "", func(e *rds.JournalEntry) { e.CodeTag = otherCode.NewCodeTag() }),
		entry("free-other-agreement-type", 6, "", func(e *rds.JournalEntry) { e.AgreementType = 0 }),
		entry("free-pack-gone", 42, "", nil),
		entry("free-removed", 7, "", func(e *rds.JournalEntry) { e.State = rds.JournalRemoved }),
		entry("free-started", 8, "", func(e *rds.JournalEntry) { e.State = rds.JournalStarted }),
		entry("free-too", 9, "", nil),
	}}
	var got []string
	for _, e := range FreeEntries(v, it) {
		got = append(got, e.RequestID)
	}
	if strings.Join(got, ",") != "free,free-too" {
		t.Fatalf("free entries %v, want free,free-too (oldest first)", got)
	}
}

func TestCodeTag(t *testing.T) {
	a := IntentOf(agreementInput(10))
	tag := a.NewCodeTag()
	if !a.TagMatches(tag) {
		t.Fatal("a tag does not match its own codes")
	}
	if a.NewCodeTag() == tag {
		t.Fatal("two tags of the same codes are equal: the salt is not random")
	}
	b := IntentOf(rds.InstallKeyPackInput{Program: "agreement", AgreementNumber: "7654321"})
	if b.TagMatches(tag) {
		t.Fatal("another agreement number matches the tag")
	}
	lower := IntentOf(retailInput("abcde12345abcde12345abcde"))
	if !IntentOf(retailInput("ABCDE12345ABCDE12345ABCDE")).TagMatches(lower.NewCodeTag()) {
		t.Fatal("letter case changes the tag of a retail code")
	}
	salt, t16, _ := strings.Cut(tag, ":")
	if len(salt) != 16 || len(t16) != 4 || strings.Contains(tag, "1234567") {
		t.Fatalf("tag %q: want a 16-hex salt and a 4-hex tag, without the code", tag)
	}
	for _, bad := range []string{"", "nocolon", ":" + t16, salt + ":"} {
		if a.TagMatches(bad) {
			t.Fatalf("tag %q matches", bad)
		}
	}
}

// The state keeps a pending install as "<request ID>:<count>".
func TestPendingInstallInState(t *testing.T) {
	o := Ownership{Owner: "o1", Pending: []PendingInstall{{RequestID: "r1", Count: 20}, {RequestID: "r2", Count: 5}}}
	for _, p := range o.Pending {
		if got := ParsePending(p.String()); got != p {
			t.Errorf("%+v became %q and %+v", p, p.String(), got)
		}
	}
	if got := o.PendingIDs(); got != "r1, r2" {
		t.Errorf("PendingIDs = %q", got)
	}
	if got := ParsePending("r3"); got != (PendingInstall{RequestID: "r3"}) {
		t.Errorf("a count-less entry: %+v", got)
	}
}
