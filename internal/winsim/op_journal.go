package winsim

import (
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf16"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

// The key pack journal (docs/design/key-pack-journal.md): its registry
// entries as scripts/lib/journal.ps1 reads and writes them, and the
// write_key_pack_journal handler. Handlers run under the host's lock, which
// models the journal's named mutex: every journal write is atomic here, and
// the lock is never busy (an op_error fault of kind busy models that).

func init() {
	register(rds.WriteJournal, writeKeyPackJournal)
	registerSteps(rds.WriteJournal.Name, stepAfterWrite)
}

// stepAfterWrite: write_key_pack_journal changed the entry and has not
// answered. A write that changes nothing does not reach it.
const stepAfterWrite = "after_write"

// journalStates are the states an entry can have (rds.Journal*), in the
// scripts' order.
var journalStates = []string{
	rds.JournalStarted, rds.JournalInstalled, rds.JournalFailed, rds.JournalNotInstalled,
	rds.JournalAbandoned, rds.JournalRemoved, rds.JournalAdopted,
}

// journalSlot is the subkey of request id, created empty when missing
// (RegistryKey.CreateSubKey). Registry key names ignore case. The pointer
// is good until the journal grows.
func (st *HostState) journalSlot(id string) *JournalEntryState {
	for i := range st.KeyPackJournal {
		if strings.EqualFold(st.KeyPackJournal[i].RequestID, id) {
			return &st.KeyPackJournal[i]
		}
	}
	st.KeyPackJournal = append(st.KeyPackJournal, JournalEntryState{RequestID: id})
	return &st.KeyPackJournal[len(st.KeyPackJournal)-1]
}

// journalEntry mirrors Get-RdslJournalEntry: the entry of request id, nil
// when there is none or its subkey has no State (a first write cut short).
func (st *HostState) journalEntry(id string) *JournalEntryState {
	for i := range st.KeyPackJournal {
		if e := &st.KeyPackJournal[i]; strings.EqualFold(e.RequestID, id) && e.State != "" {
			return e
		}
	}
	return nil
}

// journal mirrors Get-RdslJournal: every entry, oldest first (Started as
// written, then request ID).
func (st *HostState) journal() []rds.JournalEntry {
	out := []rds.JournalEntry{}
	for _, e := range st.KeyPackJournal {
		if e.State != "" {
			out = append(out, convertJournalEntry(e))
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Started != out[j].Started {
			return out[i].Started < out[j].Started
		}
		return out[i].RequestID < out[j].RequestID
	})
	return out
}

// convertJournalEntry mirrors Read-RdslJournalEntry.
func convertJournalEntry(e JournalEntryState) rds.JournalEntry {
	return rds.JournalEntry{
		RequestID:      e.RequestID,
		State:          e.State,
		Program:        e.Program,
		ProductVersion: e.ProductVersion,
		ProductType:    e.ProductType,
		LicenseCount:   e.LicenseCount,
		AgreementType:  e.AgreementType,
		CodeTag:        e.CodeTag,
		Owner:          e.Owner,
		Before:         append([]int64{}, e.Before...), // [] rather than null, as @() gives
		KeyPackID:      e.KeyPackID,
		ReturnValue:    e.ReturnValue,
		Started:        formatDate(e.Started),
		Updated:        formatDate(e.Updated),
	}
}

var (
	journalIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)
	codeTagPattern   = regexp.MustCompile(`^[0-9a-f]{16}:[0-9a-f]{4}$`)
)

// utf16Len is .NET's String.Length.
func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }

// checkJournalID mirrors Assert-RdslJournalId.
func checkJournalID(name, value string, allowEmpty bool) error {
	if allowEmpty && value == "" || journalIDPattern.MatchString(value) {
		return nil
	}
	return fail("invalid_input", "%s must be 32 lower-case hexadecimal digits; got %d characters", name, utf16Len(value))
}

// checkCodeTag mirrors Assert-RdslCodeTag.
func checkCodeTag(value string, allowEmpty bool) error {
	if allowEmpty && value == "" || codeTagPattern.MatchString(value) {
		return nil
	}
	return fail("invalid_input", "code_tag must be 16 lower-case hexadecimal digits, a colon and 4 more; got %d characters", utf16Len(value))
}

// ownership mirrors Get-RdslOwnership.
func ownership(owner string) string {
	if owner != "" {
		return "owned"
	}
	return "free"
}

// checkJournalWrite mirrors step 1 of write_key_pack_journal.ps1.
func checkJournalWrite(in rds.JournalWriteInput) error {
	for _, err := range []error{
		checkJournalID("request_id", in.RequestID, false),
		checkJournalID("expect_owner", in.ExpectOwner, true),
		checkJournalID("owner", in.Owner, true),
	} {
		if err != nil {
			return err
		}
	}
	states := strings.Join(journalStates, ", ")
	if in.ExpectState != "" && !slices.Contains(journalStates, in.ExpectState) {
		return fail("invalid_input", `expect_state must be "" (no entry) or one of %s; got "%s"`, states, in.ExpectState)
	}
	if !slices.Contains(journalStates, in.State) {
		return fail("invalid_input", `state must be one of %s; got "%s"`, states, in.State)
	}
	if err := keyPackIDInput(in.KeyPackID); err != nil {
		return err
	}
	if in.ExpectState != "" {
		return nil
	}
	if _, ok := installNames[in.Program]; in.Program != "" && !ok {
		return fail("invalid_input", `program must be "", "retail", "open_license", "agreement" or "license_key_pack_id"; got "%s"`, in.Program)
	}
	return checkCodeTag(in.CodeTag, true)
}

// writeKeyPackJournal mirrors write_key_pack_journal.ps1.
func writeKeyPackJournal(x *opContext, in rds.JournalWriteInput) (rds.JournalWriteResult, error) {
	st := x.Host
	if err := checkJournalWrite(in); err != nil {
		return rds.JournalWriteResult{}, err
	}
	// (2) The compare-and-set.
	e := st.journalEntry(in.RequestID)
	changed := true
	switch {
	case e != nil && e.State == in.State && e.Owner == in.Owner && e.KeyPackID == in.KeyPackID:
		changed = false // a replay of a write that was applied
	case e == nil && in.ExpectState == "":
		*st.journalSlot(in.RequestID) = JournalEntryState{
			RequestID: in.RequestID, State: in.State, Program: in.Program,
			ProductVersion: in.ProductVersion, ProductType: in.ProductType, LicenseCount: in.LicenseCount,
			AgreementType: in.AgreementType, CodeTag: in.CodeTag, Owner: in.Owner,
			KeyPackID: in.KeyPackID, Started: x.Now, Updated: x.Now,
		}
	case e != nil && in.ExpectState != "" && e.State == in.ExpectState && e.Owner == in.ExpectOwner:
		e.Owner, e.KeyPackID, e.State, e.Updated = in.Owner, in.KeyPackID, in.State, x.Now
	default:
		want := "no entry"
		if in.ExpectState != "" {
			want = in.ExpectState + " and " + ownership(in.ExpectOwner)
		}
		found := "there is none"
		if e != nil {
			found = "it is " + e.State + " and " + ownership(e.Owner)
		}
		return rds.JournalWriteResult{}, fail("conflict", "the key pack journal entry of request %s on %s does not match the write: it expected %s, but %s; read the journal again", in.RequestID, st.Name, want, found)
	}
	if changed {
		x.Note("key pack journal %s: %s", in.RequestID, in.State)
		if err := x.step(stepAfterWrite); err != nil {
			return rds.JournalWriteResult{}, err
		}
	}
	return rds.JournalWriteResult{Entry: convertJournalEntry(*st.journalEntry(in.RequestID)), Changed: changed}, nil
}
