package winsim

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

// kpRequests numbers the request IDs of kpRequest.
var kpRequests atomic.Int64

// kpRequest gives an install a new request ID, an owner and a code tag,
// as the provider does; fields already set stay.
func kpRequest(in rds.InstallKeyPackInput) rds.InstallKeyPackInput {
	n := kpRequests.Add(1)
	if in.RequestID == "" {
		in.RequestID = fmt.Sprintf("%032x", 0xa000+n)
	}
	if in.Owner == "" {
		in.Owner = kpOwnerA
	}
	if in.CodeTag == "" {
		in.CodeTag = kpCodeTag
	}
	return in
}

// Owner tokens and a code tag of the tests.
const (
	kpOwnerA  = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	kpOwnerB  = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	kpCodeTag = "0123456789abcdef:1a2b"
)

// kpAgreement installs 20 CALs of the test Enterprise Agreement, which
// covers 500: a second install would succeed, so only the journal stops it.
var kpAgreement = rds.InstallKeyPackInput{Program: "agreement", AgreementType: 1, AgreementNumber: "7654321", ProductVersion: 7, ProductType: 1, LicenseCount: 20}

// kpClock sets the simulated clock; it returns the time set.
func kpClock(s *Sim, t time.Time) time.Time {
	s.SetClock(func() time.Time { return t })
	return t
}

func listJournal(t *testing.T, h *Host) rds.KeyPackList {
	t.Helper()
	var got rds.KeyPackList
	if err := runOp(t, h, testAdmin, "list_key_packs", rds.NoInput{}, &got); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestInstallKeyPackJournalsTheRequest(t *testing.T) {
	s, h := kpSim(t, nil)
	now := kpClock(s, time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC))
	in := kpRequest(kpAgreement)
	var res rds.KeyPackResult
	if err := runOp(t, h, testAdmin, "install_key_pack", in, &res); err != nil {
		t.Fatal(err)
	}
	want := rds.JournalEntry{
		RequestID: in.RequestID, State: rds.JournalInstalled, Program: "agreement", ProductVersion: 7, ProductType: 1,
		LicenseCount: 20, AgreementType: 1, CodeTag: kpCodeTag, Owner: kpOwnerA, Before: []int64{1},
		KeyPackID: res.KeyPack.KeyPackID, Started: "2026-03-04T05:06:07Z", Updated: "2026-03-04T05:06:07Z",
	}
	got := listJournal(t, h)
	if !reflect.DeepEqual(got.Journal, []rds.JournalEntry{want}) {
		t.Fatalf("journal:\n got  %+v\n want %+v", got.Journal, want)
	}
	if got.HostTime != "2026-03-04T05:06:07Z" || got.BootTime != formatDate(h.State().BootTime) || got.BootTime == "" {
		t.Fatalf("host time %q, boot time %q", got.HostTime, got.BootTime)
	}
	if e := h.State().KeyPackJournal[0]; !e.Started.Equal(now) || res.KeyPack.KeyPackID != 2 {
		t.Fatalf("stored entry %+v, pack %d", e, res.KeyPack.KeyPackID)
	}

	// The same request ID again: refused before the install method, although
	// the agreement still covers the CALs.
	used := s.Clearinghouse().Agreements[0].Used
	err := runOp(t, h, testAdmin, "install_key_pack", in, nil)
	kpWantError(t, err, "conflict", "install request "+in.RequestID+" was already made on LS01 (its key pack journal entry is installed): a request installs at most once; nothing was installed", 0)
	if n := len(h.State().LicenseServer.KeyPacks); n != 2 || s.Clearinghouse().Agreements[0].Used != used {
		t.Fatalf("%d packs, %d CALs drawn: the second install ran", n, s.Clearinghouse().Agreements[0].Used)
	}
	if got := listJournal(t, h).Journal; len(got) != 1 || got[0].State != rds.JournalInstalled {
		t.Fatalf("journal after the refusal: %+v", got)
	}
}

// "Before" lists every pack there was, the built-in one included, so
// that a new pack is one not in it.
func TestInstallKeyPackJournalBefore(t *testing.T) {
	_, h := kpSim(t, func(st *HostState, _ *ClearinghouseState) {
		st.LicenseServer.KeyPacks = append(st.LicenseServer.KeyPacks,
			KeyPackState{KeyPackID: 9, KeyPackType: 1, ProductType: 0, ProductVersionID: 7, TotalLicenses: 5},
			KeyPackState{KeyPackID: 4, KeyPackType: 1, ProductType: 0, ProductVersionID: 7, TotalLicenses: 5})
	})
	in := kpRequest(kpAgreement)
	if err := runOp(t, h, testAdmin, "install_key_pack", in, nil); err != nil {
		t.Fatal(err)
	}
	e := listJournal(t, h).Journal[0]
	if !reflect.DeepEqual(e.Before, []int64{1, 4, 9}) || e.KeyPackID != 10 {
		t.Fatalf("before %v, key pack %d", e.Before, e.KeyPackID)
	}
}

// A tombstone written for a request whose answer was lost makes a late
// install of that request refuse: nothing is installed.
func TestInstallKeyPackRefusesATombstonedRequest(t *testing.T) {
	s, h := kpSim(t, nil)
	in := kpRequest(kpAgreement)
	tomb := rds.JournalWriteInput{RequestID: in.RequestID, State: rds.JournalAbandoned, Program: in.Program,
		ProductVersion: 7, ProductType: 1, LicenseCount: 20, AgreementType: 1, CodeTag: in.CodeTag}
	var w rds.JournalWriteResult
	if err := runOp(t, h, testAdmin, "write_key_pack_journal", tomb, &w); err != nil || !w.Changed {
		t.Fatalf("tombstone: %v %+v", err, w)
	}
	before, ch := h.State().LicenseServer, s.Clearinghouse()
	err := runOp(t, h, testAdmin, "install_key_pack", in, nil)
	kpWantError(t, err, "conflict", "install request "+in.RequestID+" was already made on LS01 (its key pack journal entry is abandoned): a request installs at most once; nothing was installed", 0)
	if !reflect.DeepEqual(h.State().LicenseServer, before) || !reflect.DeepEqual(s.Clearinghouse(), ch) {
		t.Fatal("the refused install changed the license server or the Clearinghouse")
	}
	if j := listJournal(t, h).Journal; len(j) != 1 || j[0].State != rds.JournalAbandoned || j[0].Owner != "" {
		t.Fatalf("journal %+v", j)
	}
}

// A subkey without State (its first write was cut short) is no entry: it
// is not listed, an install with its request ID proceeds, and a write
// expecting no entry creates it.
func TestJournalEntryWithoutStateIsNoEntry(t *testing.T) {
	const torn, torn2 = "0000000000000000000000000000000a", "0000000000000000000000000000000b"
	_, h := kpSim(t, func(st *HostState, _ *ClearinghouseState) {
		st.KeyPackJournal = []JournalEntryState{{RequestID: torn, Program: "agreement"}, {RequestID: torn2}}
	})
	if j := listJournal(t, h).Journal; len(j) != 0 {
		t.Fatalf("journal %+v", j)
	}
	in := kpRequest(kpAgreement)
	in.RequestID = torn
	if err := runOp(t, h, testAdmin, "install_key_pack", in, nil); err != nil {
		t.Fatal(err)
	}
	var w rds.JournalWriteResult
	if err := runOp(t, h, testAdmin, "write_key_pack_journal", rds.JournalWriteInput{RequestID: torn2, State: rds.JournalAbandoned}, &w); err != nil || !w.Changed {
		t.Fatalf("write: %v %+v", err, w)
	}
	j := listJournal(t, h).Journal
	if len(j) != 2 || j[0].State != rds.JournalInstalled || j[1].State != rds.JournalAbandoned || len(h.State().KeyPackJournal) != 2 {
		t.Fatalf("journal %+v", j)
	}
}

func TestWriteKeyPackJournal(t *testing.T) {
	const id = "0123456789abcdef0123456789abcdef"
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	installed := JournalEntryState{RequestID: id, State: rds.JournalInstalled, Program: "retail", ProductVersion: 7, ProductType: 1,
		CodeTag: kpCodeTag, Owner: kpOwnerA, Before: []int64{1}, KeyPackID: 2, Started: t0, Updated: t0}
	write := func(expectState, expectOwner, state, owner string, kp int64) rds.JournalWriteInput {
		return rds.JournalWriteInput{RequestID: id, ExpectState: expectState, ExpectOwner: expectOwner, State: state, Owner: owner, KeyPackID: kp}
	}
	conflict := func(want, found string) string {
		return "the key pack journal entry of request " + id + " on LS01 does not match the write: it expected " + want + ", but " + found + "; read the journal again"
	}
	tests := []struct {
		name    string
		entries []JournalEntryState
		in      rds.JournalWriteInput
		changed bool
		want    *rds.JournalEntry // the entry after; nil: as before
		kind    string            // an error of this kind, with message
		message string
	}{
		{name: "tombstone: no entry to abandoned",
			in: rds.JournalWriteInput{RequestID: id, State: rds.JournalAbandoned, Program: "agreement", ProductVersion: 7, ProductType: 1,
				LicenseCount: 20, AgreementType: 1, CodeTag: kpCodeTag},
			changed: true,
			want: &rds.JournalEntry{RequestID: id, State: rds.JournalAbandoned, Program: "agreement", ProductVersion: 7, ProductType: 1,
				LicenseCount: 20, AgreementType: 1, CodeTag: kpCodeTag, Before: []int64{}, Started: "2026-05-02T00:00:00Z", Updated: "2026-05-02T00:00:00Z"}},
		{name: "adopt a pack installed by hand", in: rds.JournalWriteInput{RequestID: id, State: rds.JournalAdopted, Owner: kpOwnerB, KeyPackID: 7},
			changed: true,
			want: &rds.JournalEntry{RequestID: id, State: rds.JournalAdopted, Owner: kpOwnerB, KeyPackID: 7, Before: []int64{},
				Started: "2026-05-02T00:00:00Z", Updated: "2026-05-02T00:00:00Z"}},
		{name: "release", entries: []JournalEntryState{installed}, in: write("installed", kpOwnerA, "installed", "", 2), changed: true,
			want: &rds.JournalEntry{RequestID: id, State: rds.JournalInstalled, Program: "retail", ProductVersion: 7, ProductType: 1,
				CodeTag: kpCodeTag, Before: []int64{1}, KeyPackID: 2, Started: "2026-05-01T10:00:00Z", Updated: "2026-05-02T00:00:00Z"}},
		{name: "resolve started to not_installed", entries: []JournalEntryState{{RequestID: id, State: rds.JournalStarted, Owner: kpOwnerA, Started: t0, Updated: t0}},
			in: write("started", kpOwnerA, "not_installed", kpOwnerA, 0), changed: true,
			want: &rds.JournalEntry{RequestID: id, State: rds.JournalNotInstalled, Owner: kpOwnerA, Before: []int64{}, Started: "2026-05-01T10:00:00Z", Updated: "2026-05-02T00:00:00Z"}},
		{name: "resolve started to installed, with the new pack", entries: []JournalEntryState{{RequestID: id, State: rds.JournalStarted, Owner: kpOwnerA, Before: []int64{1}, Started: t0, Updated: t0}},
			in: write("started", kpOwnerA, "installed", kpOwnerA, 5), changed: true,
			want: &rds.JournalEntry{RequestID: id, State: rds.JournalInstalled, Owner: kpOwnerA, Before: []int64{1}, KeyPackID: 5, Started: "2026-05-01T10:00:00Z", Updated: "2026-05-02T00:00:00Z"}},
		{name: "replay of an applied write", entries: []JournalEntryState{installed}, in: write("installed", kpOwnerB, "installed", kpOwnerA, 2), changed: false},
		{name: "replay of a tombstone", entries: []JournalEntryState{{RequestID: id, State: rds.JournalAbandoned, Started: t0, Updated: t0}},
			in: write("", "", "abandoned", "", 0), changed: false},
		{name: "expected state differs", entries: []JournalEntryState{installed}, in: write("started", kpOwnerA, "installed", kpOwnerA, 3),
			kind: "conflict", message: conflict("started and owned", "it is installed and owned")},
		{name: "expected owner differs: a claim of a held pack", entries: []JournalEntryState{installed}, in: write("installed", "", "installed", kpOwnerB, 2),
			kind: "conflict", message: conflict("installed and free", "it is installed and owned")},
		{name: "another owner's release", entries: []JournalEntryState{installed}, in: write("installed", kpOwnerB, "installed", "", 2),
			kind: "conflict", message: conflict("installed and owned", "it is installed and owned")},
		{name: "expected no entry", entries: []JournalEntryState{installed}, in: write("", "", "abandoned", "", 0),
			kind: "conflict", message: conflict("no entry", "it is installed and owned")},
		{name: "expected an entry", in: write("started", kpOwnerA, "not_installed", kpOwnerA, 0),
			kind: "conflict", message: conflict("started and owned", "there is none")},
		// (1) input
		{name: "request ID", in: rds.JournalWriteInput{RequestID: "x", State: "abandoned"},
			kind: "invalid_input", message: "request_id must be 32 lower-case hexadecimal digits; got 1 characters"},
		{name: "expected owner", in: write("installed", "A", "installed", "", 0),
			kind: "invalid_input", message: "expect_owner must be 32 lower-case hexadecimal digits; got 1 characters"},
		{name: "owner", in: write("installed", "", "installed", strings.ToUpper(kpOwnerA), 0),
			kind: "invalid_input", message: "owner must be 32 lower-case hexadecimal digits; got 32 characters"},
		{name: "expected state", in: write("Installed", "", "installed", "", 0),
			kind: "invalid_input", message: `expect_state must be "" (no entry) or one of started, installed, failed, not_installed, abandoned, removed, adopted; got "Installed"`},
		{name: "no state", in: write("", "", "", "", 0),
			kind: "invalid_input", message: `state must be one of started, installed, failed, not_installed, abandoned, removed, adopted; got ""`},
		{name: "key pack ID", in: write("", "", "adopted", kpOwnerA, 4294967296),
			kind: "invalid_input", message: "key_pack_id must be a KeyPackId between 0 and 4294967295; got 4294967296"},
		{name: "program of a new entry", in: rds.JournalWriteInput{RequestID: id, State: "abandoned", Program: "Retail"},
			kind: "invalid_input", message: `program must be "", "retail", "open_license", "agreement" or "license_key_pack_id"; got "Retail"`},
		{name: "code tag of a new entry", in: rds.JournalWriteInput{RequestID: id, State: "abandoned", CodeTag: "1a2b"},
			kind: "invalid_input", message: "code_tag must be 16 lower-case hexadecimal digits, a colon and 4 more; got 4 characters"},
		{name: "intent of an existing entry is not looked at", entries: []JournalEntryState{installed},
			in:      rds.JournalWriteInput{RequestID: id, ExpectState: "installed", ExpectOwner: kpOwnerA, State: "removed", Owner: kpOwnerA, KeyPackID: 2, Program: "x", CodeTag: "y"},
			changed: true,
			want: &rds.JournalEntry{RequestID: id, State: rds.JournalRemoved, Program: "retail", ProductVersion: 7, ProductType: 1,
				CodeTag: kpCodeTag, Owner: kpOwnerA, Before: []int64{1}, KeyPackID: 2, Started: "2026-05-01T10:00:00Z", Updated: "2026-05-02T00:00:00Z"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, h := kpSim(t, func(st *HostState, _ *ClearinghouseState) { st.KeyPackJournal = tc.entries })
			kpClock(s, time.Date(2026, 5, 2, 0, 0, 0, 0, time.UTC))
			before := listJournal(t, h).Journal
			var got rds.JournalWriteResult
			err := runOp(t, h, testAdmin, "write_key_pack_journal", tc.in, &got)
			after := listJournal(t, h).Journal
			if tc.kind != "" {
				kpWantError(t, err, tc.kind, tc.message, 0)
				for _, token := range []string{kpOwnerA, kpOwnerB} {
					if strings.Contains(err.Message, token) {
						t.Fatalf("the message shows an owner token: %s", err.Message)
					}
				}
				if !reflect.DeepEqual(after, before) {
					t.Fatalf("journal changed:\n%+v\n%+v", before, after)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := tc.want
			if want == nil {
				want = &before[0]
			}
			if got.Changed != tc.changed || !reflect.DeepEqual(got.Entry, *want) {
				t.Fatalf("result:\n got  %+v\n want changed=%v %+v", got, tc.changed, *want)
			}
			if len(after) != 1 || !reflect.DeepEqual(after[0], *want) {
				t.Fatalf("journal %+v", after)
			}
		})
	}
}

// Claims and releases move one pack between resources, never to two.
func TestWriteKeyPackJournalOwnership(t *testing.T) {
	const id = "00000000000000000000000000000001"
	_, h := kpSim(t, func(st *HostState, _ *ClearinghouseState) {
		st.KeyPackJournal = []JournalEntryState{{RequestID: id, State: rds.JournalInstalled, Owner: kpOwnerA, KeyPackID: 2}}
	})
	const ownerC = "cccccccccccccccccccccccccccccccc"
	w := func(expect, owner string) (rds.JournalWriteResult, *opError) {
		var r rds.JournalWriteResult
		err := runOp(t, h, testAdmin, "write_key_pack_journal", rds.JournalWriteInput{RequestID: id, ExpectState: "installed", ExpectOwner: expect, State: "installed", Owner: owner, KeyPackID: 2}, &r)
		return r, err
	}
	if r, err := w(kpOwnerA, ""); err != nil || !r.Changed {
		t.Fatalf("release: %v %+v", err, r)
	}
	if r, err := w("", kpOwnerB); err != nil || !r.Changed || r.Entry.Owner != kpOwnerB {
		t.Fatalf("claim: %v %+v", err, r)
	}
	if _, err := w("", ownerC); err == nil || err.Kind != "conflict" {
		t.Fatalf("a second claim of the free pack: %v", err)
	}
	if r, err := w("", kpOwnerB); err != nil || r.Changed {
		t.Fatalf("the claim again (its answer was lost): %v %+v", err, r)
	}
	if j := listJournal(t, h).Journal; j[0].Owner != kpOwnerB {
		t.Fatalf("owner %q", j[0].Owner)
	}
}

func TestListKeyPacksJournal(t *testing.T) {
	t1 := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	t2 := t1.Add(time.Hour)
	s, h := kpSim(t, func(st *HostState, _ *ClearinghouseState) {
		st.KeyPackJournal = []JournalEntryState{
			{RequestID: "cccccccccccccccccccccccccccccccc", State: rds.JournalFailed, ReturnValue: WBEMInvalidParameter, Started: t2, Updated: t2},
			{RequestID: "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", State: rds.JournalStarted, Before: []int64{1, 2}, Started: t1, Updated: t1},
			// Within one second: the request ID breaks the tie, as the script's sort does.
			{RequestID: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", State: rds.JournalAbandoned, Started: t1.Add(300 * time.Millisecond), Updated: t1},
		}
	})
	kpClock(s, t2.Add(time.Minute))
	got := listJournal(t, h)
	var order []string
	for _, e := range got.Journal {
		order = append(order, e.RequestID[:1])
	}
	if strings.Join(order, "") != "abc" || got.Journal[1].Started != "2026-02-01T00:00:00Z" || got.Journal[2].ReturnValue != WBEMInvalidParameter ||
		!reflect.DeepEqual(got.Journal[1].Before, []int64{1, 2}) || got.HostTime != "2026-02-01T01:01:00Z" || got.BootTime != "2026-01-05T08:00:00Z" {
		t.Fatalf("list %+v", got)
	}
	// JSON: an entry without Before still has "before": [], and a server
	// without a journal "journal": [].
	raw, oerr, _ := h.runOperation(testAdmin, "list_key_packs", []byte(`{}`))
	if oerr != nil {
		t.Fatal(oerr)
	}
	if b, _ := json.Marshal(raw); !strings.Contains(string(b), `"before":[]`) {
		t.Fatalf("JSON %s", b)
	}
	_, empty := kpSim(t, nil)
	raw, _, _ = empty.runOperation(testAdmin, "list_key_packs", []byte(`{}`))
	if b, _ := json.Marshal(raw); !strings.Contains(string(b), `"journal":[]`) {
		t.Fatalf("JSON %s", b)
	}
}

// The journal is the registry: a restart, removing the RD Licensing role
// and saving the fleet keep it.
func TestJournalPersists(t *testing.T) {
	s, h := kpSim(t, nil)
	h.Update(func(st *HostState) { st.Realism.RebootMS = 10 })
	in := kpRequest(kpAgreement)
	if err := runOp(t, h, testAdmin, "install_key_pack", in, nil); err != nil {
		t.Fatal(err)
	}
	want := listJournal(t, h).Journal
	bootBefore := h.State().BootTime

	h.Reboot(0)
	waitOnline(t, h)
	if st := h.State(); !st.BootTime.After(bootBefore) || !reflect.DeepEqual(listJournal(t, h).Journal, want) {
		t.Fatalf("after a restart: boot %v, journal %+v", st.BootTime, listJournal(t, h).Journal)
	}

	h.Update(func(st *HostState) { st.Features[FeatureLicensing] = StateUninstallPending })
	h.Update(func(st *HostState) { applyRestart(st, s.Now()) })
	if j := h.State().KeyPackJournal; len(j) != 1 || j[0].RequestID != in.RequestID || j[0].State != rds.JournalInstalled {
		t.Fatalf("after removing the role: %+v", j)
	}
	h.Update(func(st *HostState) { InstallLicensingRole(st) })

	path := filepath.Join(t.TempDir(), "fleet.json")
	if err := s.SaveScenarioFile(path); err != nil {
		t.Fatal(err)
	}
	sc, err := LoadScenarioFile(path, FastTiming)
	if err != nil {
		t.Fatal(err)
	}
	back := newTestSim(t, sc).Host("LS01")
	if got := listJournal(t, back).Journal; !reflect.DeepEqual(got, want) {
		t.Fatalf("after save and load:\n got  %+v\n want %+v", got, want)
	}
}

// waitOnline waits for a restarting host to answer again.
func waitOnline(t *testing.T, h *Host) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute) // a bound for a hang, not a speed
	for !h.online() {
		if time.Now().After(deadline) {
			t.Fatal("the host did not come back")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
