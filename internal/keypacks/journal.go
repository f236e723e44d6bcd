package keypacks

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

// SettleTime is how long after a started install, on a host that has not
// rebooted since, the provider waits before it concludes from the key pack
// list that the install made nothing: the install method may still be
// completing in the licensing service after its caller died (unverified,
// so the provider waits rather than guess). Tests shorten it.
var SettleTime = 2 * time.Minute

// View is a license server's key packs and journal as list_key_packs read
// them, with the host's clocks.
type View struct {
	Packs    []rds.KeyPack
	Journal  []rds.JournalEntry
	BootTime time.Time
	HostTime time.Time
}

// NewView reads a list_key_packs result.
func NewView(l rds.KeyPackList) (View, error) {
	v := View{Packs: l.KeyPacks, Journal: l.Journal}
	var err error
	if v.BootTime, err = time.Parse(time.RFC3339, l.BootTime); err != nil {
		return View{}, fmt.Errorf("list_key_packs answered boot_time %q, not an RFC 3339 time", l.BootTime)
	}
	if v.HostTime, err = time.Parse(time.RFC3339, l.HostTime); err != nil {
		return View{}, fmt.Errorf("list_key_packs answered host_time %q, not an RFC 3339 time", l.HostTime)
	}
	return v, nil
}

// Entry is the journal entry of a request.
func (v View) Entry(requestID string) (rds.JournalEntry, bool) {
	i := slices.IndexFunc(v.Journal, func(e rds.JournalEntry) bool { return e.RequestID == requestID })
	if i < 0 {
		return rds.JournalEntry{}, false
	}
	return v.Journal[i], true
}

// Pack is the key pack with this KeyPackId.
func (v View) Pack(id int64) (rds.KeyPack, bool) {
	i := slices.IndexFunc(v.Packs, func(kp rds.KeyPack) bool { return kp.KeyPackID == id && !kp.BuiltIn })
	if i < 0 {
		return rds.KeyPack{}, false
	}
	return v.Packs[i], true
}

// holds: e is an entry whose key pack the journal accounts for.
func holds(e rds.JournalEntry) bool {
	return e.State == rds.JournalInstalled || e.State == rds.JournalAdopted
}

// EntryOfPack is the entry that accounts for key pack id.
func (v View) EntryOfPack(id int64) (rds.JournalEntry, bool) {
	i := slices.IndexFunc(v.Journal, func(e rds.JournalEntry) bool { return holds(e) && e.KeyPackID == id })
	if i < 0 {
		return rds.JournalEntry{}, false
	}
	return v.Journal[i], true
}

// Outcome is what an install request did, as far as can be told.
type Outcome int

// Outcomes of Resolve.
const (
	// Wait: not known yet; look again later (after Write, if set).
	Wait Outcome = iota
	// Installed: the request made Pack.
	Installed
	// NotInstalled: the request installed nothing.
	NotInstalled
	// Ambiguous: several packs could be the request's.
	Ambiguous
)

// Resolution is what Resolve concluded about one request.
type Resolution struct {
	Outcome Outcome
	// Pack is the request's key pack (Installed).
	Pack rds.KeyPack
	// Candidates are the packs that could be it (Ambiguous).
	Candidates []rds.KeyPack
	// Entry is the request's journal entry, if any.
	Entry rds.JournalEntry
	// Write, when set, records the conclusion in the journal first; a
	// conflict means someone else recorded one: read again.
	Write *rds.JournalWriteInput
	// Why says, for messages, how the conclusion was reached.
	Why string
}

// Resolve tells what the install request requestID of it did, from v.
func Resolve(v View, requestID string, it Intent) Resolution {
	e, ok := v.Entry(requestID)
	if !ok {
		// The script never recorded the request: it never ran, or has
		// not taken the lock yet. A tombstone makes that final.
		return Resolution{Outcome: Wait, Why: "the request is not in the journal",
			Write: &rds.JournalWriteInput{RequestID: requestID, ExpectState: "", State: rds.JournalAbandoned,
				Program: it.Program, ProductVersion: it.ProductVersion, ProductType: it.ProductType, LicenseCount: it.LicenseCount, AgreementType: it.AgreementType}}
	}
	r := Resolution{Entry: e}
	switch e.State {
	case rds.JournalInstalled:
		kp, ok := v.Pack(e.KeyPackID)
		if !ok {
			r.Outcome, r.Why = NotInstalled, fmt.Sprintf("the journal says key pack %d was installed, and it is no longer on the server (removed since)", e.KeyPackID)
			return r
		}
		r.Outcome, r.Pack, r.Why = Installed, kp, "the journal recorded the new key pack"
		return r
	case rds.JournalFailed:
		r.Outcome, r.Why = NotInstalled, fmt.Sprintf("the install method returned 0x%X", e.ReturnValue)
		return r
	case rds.JournalNotInstalled, rds.JournalAbandoned, rds.JournalRemoved:
		r.Outcome, r.Why = NotInstalled, "the journal says nothing was installed ("+e.State+")"
		return r
	case rds.JournalStarted:
	default:
		r.Outcome, r.Why = Ambiguous, "the journal entry has state "+e.State+", which this provider does not know"
		return r
	}
	// Started: the script died between recording the request and its
	// outcome (or still runs). The pack it may have made is new since,
	// matches the intent, and no other entry accounts for it.
	var found []rds.KeyPack
	for _, kp := range v.Packs {
		if kp.BuiltIn || slices.Contains(e.Before, kp.KeyPackID) || !it.PackMatches(kp) {
			continue
		}
		if _, other := v.EntryOfPack(kp.KeyPackID); other {
			continue
		}
		found = append(found, kp)
	}
	started, _ := time.Parse(time.RFC3339, e.Started)
	rebooted := !started.IsZero() && v.BootTime.After(started)
	switch {
	case len(found) == 1:
		r.Outcome, r.Pack, r.Why = Installed, found[0], "the install was interrupted after the key pack was made"
		r.Write = &rds.JournalWriteInput{RequestID: requestID, ExpectState: rds.JournalStarted, ExpectOwner: e.Owner, State: rds.JournalInstalled, Owner: e.Owner, KeyPackID: found[0].KeyPackID}
	case len(found) > 1:
		r.Outcome, r.Candidates, r.Why = Ambiguous, found, "the install was interrupted, and several new key packs with these CALs appeared meanwhile"
	case rebooted || started.IsZero() || v.HostTime.Sub(started) >= SettleTime:
		r.Outcome, r.Why = NotInstalled, "the install was interrupted before a key pack was made"
		r.Write = &rds.JournalWriteInput{RequestID: requestID, ExpectState: rds.JournalStarted, ExpectOwner: e.Owner, State: rds.JournalNotInstalled, Owner: e.Owner}
	default:
		r.Outcome = Wait
		r.Why = fmt.Sprintf("the install started at %s and no key pack has appeared yet; it may still complete (the provider waits %s after the start, or until the server restarts)", e.Started, SettleTime)
	}
	return r
}

// FreeEntries are the entries with it's CALs that no resource holds and
// whose packs are still on the server, oldest first: a resource claims one
// instead of installing the same CALs again.
func FreeEntries(v View, it Intent) []rds.JournalEntry {
	var out []rds.JournalEntry
	for _, e := range v.Journal {
		if e.Owner != "" || !holds(e) || !it.entryMatches(e) {
			continue
		}
		if kp, ok := v.Pack(e.KeyPackID); ok && kp.KeyPackType == ProgramNamed(it.Program).KeyPackType {
			out = append(out, e)
		}
	}
	return out
}

// Claim is the journal write that gives the free entry e to owner.
func Claim(e rds.JournalEntry, owner string) rds.JournalWriteInput {
	return rds.JournalWriteInput{RequestID: e.RequestID, ExpectState: e.State, ExpectOwner: "", State: e.State, Owner: owner, KeyPackID: e.KeyPackID}
}

// Release is the journal write that frees owner's entry e.
func Release(e rds.JournalEntry, owner string) rds.JournalWriteInput {
	return rds.JournalWriteInput{RequestID: e.RequestID, ExpectState: e.State, ExpectOwner: owner, State: e.State, Owner: "", KeyPackID: e.KeyPackID}
}

// Removed is the journal write after owner removed e's pack.
func Removed(e rds.JournalEntry, owner string) rds.JournalWriteInput {
	return rds.JournalWriteInput{RequestID: e.RequestID, ExpectState: e.State, ExpectOwner: owner, State: rds.JournalRemoved, Owner: owner, KeyPackID: e.KeyPackID}
}

// Adopt is the journal write that records a pack installed outside the
// provider (import) as owner's, under a new request ID.
func Adopt(requestID string, kp rds.KeyPack, program, owner string) rds.JournalWriteInput {
	return rds.JournalWriteInput{RequestID: requestID, ExpectState: "", State: rds.JournalAdopted, Owner: owner, KeyPackID: kp.KeyPackID,
		Program: program, ProductVersion: kp.ProductVersionID, ProductType: kp.ProductType, LicenseCount: int(kp.TotalLicenses)}
}

// Ownership is what a key pack resource keeps of the journal: its owner
// token, and the installs whose outcome it has not seen yet.
type Ownership struct {
	Owner   string
	Pending []PendingInstall
}

// PendingInstall is an install whose outcome is unknown: its request ID
// and how many CALs it asked for.
type PendingInstall struct {
	RequestID string
	Count     int
}

// ParsePending reads a pending install as the state holds it,
// "<request ID>:<count>".
func ParsePending(s string) PendingInstall {
	id, n, _ := strings.Cut(s, ":")
	count, _ := strconv.Atoi(n)
	return PendingInstall{RequestID: id, Count: count}
}

// String is how the state holds p.
func (p PendingInstall) String() string { return p.RequestID + ":" + strconv.Itoa(p.Count) }

// PendingIDs are the request IDs of the pending installs, for messages.
func (o Ownership) PendingIDs() string {
	ids := make([]string, len(o.Pending))
	for i, p := range o.Pending {
		ids[i] = p.RequestID
	}
	return strings.Join(ids, ", ")
}
