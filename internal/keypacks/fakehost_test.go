package keypacks

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
)

// fakeHost is a license server with the journal's rules (as the scripts
// keep them), and faults at each step of an install. It is a test double
// of the decisions' inputs, not a model of Windows: winsim is that.
type fakeHost struct {
	mu      sync.Mutex
	packs   []rds.KeyPack
	journal []rds.JournalEntry
	next    int64
	boot    time.Time
	now     time.Time
	// tick is how far the host clock moves at each List.
	tick time.Duration
	// down: this many calls fail to connect (a reboot in progress).
	down int
	// installFaults are taken one per install: "" none, "crash_before",
	// "before_wmi", "after_wmi", "after_journal" (answer lost at that
	// step; with a "reboot:" prefix the host also restarts), "refuse"
	// (invalid_code before anything), "wmi_fails", "wmi_fails_lost".
	installFaults []string
	// writeFaults are taken one per journal write: "" or "after_write".
	writeFaults []string
	// hook runs at the start of each install (concurrency tests).
	hook     func()
	installs int
	writes   int
}

func newFakeHost() *fakeHost {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	return &fakeHost{next: 2, boot: t0.Add(-time.Hour), now: t0, tick: 10 * time.Second,
		packs: []rds.KeyPack{{KeyPackID: 1, KeyPackType: 0, ProductType: 3, TotalLicenses: 4294967295, BuiltIn: true}}}
}

// lost is an install whose answer was lost.
func lost() error {
	return &winrmclient.Error{Kind: winrmclient.KindTransport, Operation: "install_key_pack", Message: "connection reset", OutcomeUnknown: true}
}

func unreachable(op string) error {
	return &winrmclient.Error{Kind: winrmclient.KindTransport, Operation: op, Message: "connection refused"}
}

func (f *fakeHost) reachable(op string) error {
	if f.down > 0 {
		f.down--
		return unreachable(op)
	}
	return nil
}

func (f *fakeHost) List(context.Context) (rds.KeyPackList, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.reachable("list_key_packs"); err != nil {
		return rds.KeyPackList{}, err
	}
	f.now = f.now.Add(f.tick)
	return rds.KeyPackList{KeyPacks: slices.Clone(f.packs), Journal: slices.Clone(f.journal),
		BootTime: f.boot.Format(time.RFC3339), HostTime: f.now.Format(time.RFC3339)}, nil
}

func (f *fakeHost) entry(id string) *rds.JournalEntry {
	for i := range f.journal {
		if f.journal[i].RequestID == id {
			return &f.journal[i]
		}
	}
	return nil
}

func (f *fakeHost) reboot() {
	f.now = f.now.Add(time.Minute)
	f.boot = f.now
	f.down = 2
}

func (f *fakeHost) Install(_ context.Context, in rds.InstallKeyPackInput) (rds.KeyPackResult, error) {
	if f.hook != nil {
		f.hook()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.reachable("install_key_pack"); err != nil {
		return rds.KeyPackResult{}, err
	}
	f.installs++
	fault := ""
	if len(f.installFaults) > 0 {
		fault, f.installFaults = f.installFaults[0], f.installFaults[1:]
	}
	at := func(step string) bool {
		switch fault {
		case step:
			return true
		case "reboot:" + step:
			f.reboot()
			return true
		}
		return false
	}
	switch {
	case at("crash_before"):
		return rds.KeyPackResult{}, lost()
	case fault == "refuse":
		return rds.KeyPackResult{}, &winrmclient.Error{Kind: rds.KindInvalidCode, Message: "the Microsoft Clearinghouse did not accept the agreement number"}
	case f.entry(in.RequestID) != nil:
		return rds.KeyPackResult{}, &winrmclient.Error{Kind: winrmclient.KindConflict, Message: "request already in the journal"}
	}
	var before []int64
	for _, kp := range f.packs {
		before = append(before, kp.KeyPackID)
	}
	f.journal = append(f.journal, rds.JournalEntry{RequestID: in.RequestID, State: rds.JournalStarted, Program: in.Program,
		ProductVersion: in.ProductVersion, ProductType: in.ProductType, LicenseCount: in.LicenseCount, AgreementType: in.AgreementType,
		CodeTag: in.CodeTag, Owner: in.Owner, Before: before, Started: f.now.Format(time.RFC3339)})
	if at("before_wmi") {
		return rds.KeyPackResult{}, lost()
	}
	if fault == "wmi_fails" || fault == "wmi_fails_lost" {
		e := f.entry(in.RequestID)
		e.State, e.ReturnValue = rds.JournalFailed, 0x80041008
		if fault == "wmi_fails_lost" {
			return rds.KeyPackResult{}, lost()
		}
		return rds.KeyPackResult{}, &winrmclient.Error{Kind: rds.KindInvalidCode, Message: "the Microsoft Clearinghouse did not accept the agreement number"}
	}
	kp := rds.KeyPack{KeyPackID: f.next, KeyPackType: ProgramNamed(in.Program).KeyPackType, ProductType: in.ProductType,
		ProductVersionID: in.ProductVersion, TotalLicenses: int64(in.LicenseCount), AvailableLicenses: int64(in.LicenseCount)}
	if !ProgramNamed(in.Program).Counted {
		kp.TotalLicenses, kp.AvailableLicenses = 20, 20
	}
	f.next++
	f.packs = append(f.packs, kp)
	if at("after_wmi") {
		return rds.KeyPackResult{}, lost()
	}
	e := f.entry(in.RequestID)
	e.State, e.KeyPackID = rds.JournalInstalled, kp.KeyPackID
	if at("after_journal") {
		return rds.KeyPackResult{}, lost()
	}
	return rds.KeyPackResult{KeyPack: kp}, nil
}

func (f *fakeHost) WriteJournal(_ context.Context, in rds.JournalWriteInput) (rds.JournalWriteResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.reachable("write_key_pack_journal"); err != nil {
		return rds.JournalWriteResult{}, err
	}
	f.writes++
	fault := ""
	if len(f.writeFaults) > 0 {
		fault, f.writeFaults = f.writeFaults[0], f.writeFaults[1:]
	}
	e := f.entry(in.RequestID)
	switch {
	case e != nil && e.State == in.State && e.Owner == in.Owner && e.KeyPackID == in.KeyPackID:
		return rds.JournalWriteResult{Entry: *e}, nil
	case e == nil && in.ExpectState == "":
		f.journal = append(f.journal, rds.JournalEntry{RequestID: in.RequestID, State: in.State, Owner: in.Owner, KeyPackID: in.KeyPackID,
			Program: in.Program, ProductVersion: in.ProductVersion, ProductType: in.ProductType, LicenseCount: in.LicenseCount,
			AgreementType: in.AgreementType, CodeTag: in.CodeTag, Started: f.now.Format(time.RFC3339)})
		e = &f.journal[len(f.journal)-1]
	case e != nil && e.State == in.ExpectState && e.Owner == in.ExpectOwner:
		e.State, e.Owner, e.KeyPackID = in.State, in.Owner, in.KeyPackID
	default:
		state := "none"
		if e != nil {
			state = e.State
		}
		return rds.JournalWriteResult{}, &winrmclient.Error{Kind: winrmclient.KindConflict, Message: fmt.Sprintf("entry %s is %s", in.RequestID, state)}
	}
	if fault == "after_write" {
		return rds.JournalWriteResult{}, unreachable("write_key_pack_journal")
	}
	return rds.JournalWriteResult{Entry: *e, Changed: true}, nil
}

// userPacks are the packs other than the built-in one: id -> total.
func (f *fakeHost) userPacks() map[int64]int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[int64]int64{}
	for _, kp := range f.packs {
		if !kp.BuiltIn {
			out[kp.KeyPackID] = kp.TotalLicenses
		}
	}
	return out
}

// owners are the journal's owners by KeyPackId, for entries holding packs.
func (f *fakeHost) owners() map[int64]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[int64]string{}
	for _, e := range f.journal {
		if holds(e) {
			out[e.KeyPackID] = e.Owner
		}
	}
	return out
}

func (f *fakeHost) RemovePack(_ context.Context, id int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.reachable("remove_key_pack"); err != nil {
		return err
	}
	n := len(f.packs)
	f.packs = slices.DeleteFunc(f.packs, func(kp rds.KeyPack) bool { return kp.KeyPackID == id && !kp.BuiltIn })
	if len(f.packs) == n {
		return &winrmclient.Error{Kind: winrmclient.KindNotFound, Message: fmt.Sprintf("no key pack %d", id)}
	}
	return nil
}

func (f *fakeHost) RemoveLicenses(_ context.Context, id int64, count int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.reachable("remove_licenses"); err != nil {
		return err
	}
	for i := range f.packs {
		kp := &f.packs[i]
		if kp.KeyPackID != id || kp.BuiltIn {
			continue
		}
		if kp.AvailableLicenses < int64(count) {
			return &winrmclient.Error{Kind: winrmclient.KindWMIError, Message: "not enough licenses that are not issued"}
		}
		kp.TotalLicenses -= int64(count)
		kp.AvailableLicenses -= int64(count)
		return nil
	}
	return &winrmclient.Error{Kind: winrmclient.KindNotFound, Message: fmt.Sprintf("no key pack %d", id)}
}
