package keypacks

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
)

// Holding is what one key pack resource holds on its license server: the
// KeyPackIds of its packs, oldest first, and its journal ownership.
type Holding struct {
	IDs []int64
	Ownership
	// Install is the input that installed its CALs (codes included, count
	// not): pending installs are matched against it.
	Install rds.InstallKeyPackInput
}

// withCount is h's install input for count CALs.
func (h Holding) withCount(count int) rds.InstallKeyPackInput {
	in := h.Install
	in.LicenseCount = count
	return in
}

// Held is a resource's holding after a lifecycle step, with its packs as
// the host showed them.
type Held struct {
	Holding
	Packs []rds.KeyPack
	// Warnings are what the user should hear about the step.
	Warnings []Finding
}

// Gone: the resource holds nothing on the host, and waits for no install.
func (h Held) Gone() bool { return len(h.Packs) == 0 && len(h.Pending) == 0 }

// StepError is a step on the host that failed.
type StepError = rds.Failure

// InstallError is a failed Acquire for In (the error is Acquire's).
type InstallError struct {
	In  rds.InstallKeyPackInput
	Err error
}

func (e *InstallError) Error() string { return e.Err.Error() }

func (e *InstallError) Unwrap() error { return e.Err }

// Error makes a Finding that is not a warning an error, with its own
// explanation.
func (f Finding) Error() string { return f.Summary + ": " + f.Detail }

func (i *Installer) readError(err error) error {
	return &StepError{Summary: "Cannot read the key packs on " + i.Server, Err: err}
}

// Refresh reads the resource's packs, looks once at each install whose
// answer was lost (a pack it made joins the holding, one that made nothing
// is dropped), and records in the journal that the resource holds its
// packs: packs with no entry (installed before the journal, or imported)
// get one, free ones are claimed, and with takeOver (an import) so are
// those of another owner; otherwise a pack another resource holds is only
// reported. These writes change no CALs. A read error is a *StepError.
func (i *Installer) Refresh(ctx context.Context, h Holding, takeOver bool) (Held, error) {
	v, err := i.Read(ctx)
	if err != nil {
		return Held{Holding: h}, i.readError(err)
	}
	out, v := i.resolvePending(ctx, h, v, false)
	out.Packs = Own(v.Packs, out.IDs)
	if !out.Gone() {
		i.recordOwnership(ctx, v, &out, takeOver)
	}
	return out, nil
}

// resolvePending looks at h's installs whose answer was lost: a pack they
// made joins the IDs; those that made nothing are dropped; the others stay
// pending. wait follows each one until ctx ends (apply); otherwise each
// is looked at once (refresh).
func (i *Installer) resolvePending(ctx context.Context, h Holding, v View, wait bool) (Held, View) {
	out := Held{Holding: h}
	out.IDs = slices.Clone(h.IDs)
	out.Pending = nil
	for _, p := range h.Pending {
		it := IntentOf(h.withCount(p.Count))
		var res Resolution
		var err error
		if wait {
			res, err = i.Follow(ctx, p.RequestID, it)
			if nv, lerr := i.Read(ctx); lerr == nil {
				v = nv
			}
		} else {
			res, v, err = i.Look(ctx, v, p.RequestID, it)
		}
		var amb *AmbiguousError
		switch {
		case errors.As(err, &amb):
			out.Warnings = append(out.Warnings, Finding{Warning: true, Summary: "Cannot tell which key pack an interrupted install made on " + i.Server,
				Detail: amb.Error() + ". Import the right one (terraform import <address> " + i.Server + "/<key_pack_id>) after removing this resource from the state."})
			out.Pending = append(out.Pending, p)
		case err != nil || res.Outcome == Wait:
			out.Pending = append(out.Pending, p)
		case res.Outcome == Installed:
			if !slices.Contains(out.IDs, res.Pack.KeyPackID) {
				out.IDs = append(out.IDs, res.Pack.KeyPackID)
			}
		}
	}
	return out, v
}

func (i *Installer) recordOwnership(ctx context.Context, v View, h *Held, takeOver bool) {
	for _, kp := range h.Packs {
		e, ok := v.EntryOfPack(kp.KeyPackID)
		var w rds.JournalWriteInput
		switch {
		case !ok:
			w = Adopt(rds.NewID(), kp, ProgramOfPack(kp), i.Owner)
		case e.Owner == i.Owner:
			continue
		case e.Owner == "" || takeOver:
			w = Claim(e, i.Owner)
			w.ExpectOwner = e.Owner
		default:
			h.Warnings = append(h.Warnings, Finding{Warning: true, Summary: fmt.Sprintf("Key pack %d on %s is also held by another resource", kp.KeyPackID, i.Server),
				Detail: fmt.Sprintf("The license server's key pack journal records key pack %d (%s) as held by another rdslicensing_key_pack (another state or workspace). Two resources managing one pack would count its CALs twice. "+
					"Remove one of them from its state (terraform state rm), or import the pack again to take it over here.", kp.KeyPackID, Describe(kp))})
			continue
		}
		if _, err := i.Host.WriteJournal(ctx, w); err != nil && !isKind(err, winrmclient.KindConflict) {
			i.warn(ctx, "cannot record key pack ownership in the journal", kp.KeyPackID, err)
		}
	}
}

// Resize brings the resource's CALs to want: more are acquired with the
// input Install for the difference (claimed or installed once, Acquire),
// fewer are removed from those not issued (PlanRemoval). An earlier
// install whose answer was lost is followed first, and while its outcome
// is unknown nothing more is installed. The Held it returns is what the
// state should record, unless ok is false (the host could not be read
// after the change). acquired is the install's or claim's result, if any.
// Errors: a *StepError, an *InstallError, or a Finding; several are
// joined.
func (i *Installer) Resize(ctx context.Context, h Holding, want int64) (out Held, acquired *Result, ok bool, err error) {
	v, err := i.Read(ctx)
	if err != nil {
		return Held{}, nil, false, i.readError(err)
	}
	out, v = i.resolvePending(ctx, h, v, true)
	own := Own(v.Packs, out.IDs)
	if len(out.Pending) > 0 {
		out.Packs = own
		return out, nil, true, Finding{Summary: "Cannot tell yet whether CALs were installed on " + i.Server,
			Detail: fmt.Sprintf("An earlier install for this key pack (request %s) was interrupted, and %s has not shown what it did before the timeout. Nothing more was installed, so that no CAL is installed twice: apply again when %s answers.",
				out.PendingIDs(), i.Server, i.Server)}
	}
	var errs []error
	switch have := Total(own); {
	case want > have:
		in := h.withCount(int(want - have))
		res, err := i.Acquire(ctx, in)
		if id := UnresolvedRequest(err); id != "" {
			out.Pending = []PendingInstall{{RequestID: id, Count: int(want - have)}}
		}
		if err != nil {
			out.Packs = own
			return out, nil, true, &InstallError{In: in, Err: err}
		}
		acquired = &res
		out.IDs = append(out.IDs, res.Pack.KeyPackID)
	case want < have:
		var rerr error
		out.IDs, rerr = i.removeLicenses(ctx, v, own, want)
		errs = append(errs, rerr)
	}
	after, err := i.Read(ctx)
	if err != nil {
		errs = append(errs, &StepError{Summary: "Cannot read the key packs on " + i.Server + " after changing them", Err: err})
		return out, acquired, false, errors.Join(errs...)
	}
	out.Packs = Own(after.Packs, out.IDs)
	if len(out.Packs) == 0 {
		errs = append(errs, Finding{Summary: "The key packs are gone from " + i.Server, Detail: "After the change no key pack of this resource is left on " + i.Server + "; run terraform plan to install the CALs again."})
		return out, acquired, false, errors.Join(errs...)
	}
	return out, acquired, true, errors.Join(errs...)
}

// removeLicenses lowers own to want CALs (LowerTo). It returns the
// resource's key pack IDs after.
func (i *Installer) removeLicenses(ctx context.Context, v View, own []rds.KeyPack, want int64) ([]int64, error) {
	ids := make([]int64, len(own))
	for n, kp := range own {
		ids[n] = kp.KeyPackID
	}
	steps, f, ok := LowerTo(i.Server, own, want)
	if !ok {
		return ids, f
	}
	for _, s := range steps {
		var err error
		if s.Whole {
			err = i.Host.RemovePack(ctx, s.KeyPackID)
		} else {
			err = i.Host.RemoveLicenses(ctx, s.KeyPackID, int(s.Count))
		}
		if err != nil {
			return ids, &StepError{Attr: "quantity", Summary: fmt.Sprintf("Cannot remove %d CALs from key pack %d on %s", s.Count, s.KeyPackID, i.Server), Err: err}
		}
		if s.Whole {
			ids = slices.DeleteFunc(ids, func(id int64) bool { return id == s.KeyPackID })
			i.journalRemoved(ctx, v, s.KeyPackID)
		}
	}
	return ids, nil
}

// journalRemoved records that the resource removed a pack (best effort:
// the journal ignores entries whose pack is gone).
func (i *Installer) journalRemoved(ctx context.Context, v View, id int64) {
	if e, ok := v.EntryOfPack(id); ok && e.Owner == i.Owner {
		if _, err := i.Host.WriteJournal(ctx, Removed(e, i.Owner)); err != nil {
			i.warn(ctx, "cannot record a removed key pack in the journal", id, err)
		}
	}
}

// LetGo ends the resource's holding: with remove, its packs are removed
// (newest first); otherwise the CALs stay and are released in the journal,
// so that a key pack declaring the same CALs later takes them instead of
// installing. Installs whose answer was lost are followed first: while
// one's outcome is unknown nothing is done, since letting go then could
// leave CALs no resource holds. kept are the packs left installed.
// Errors: a *StepError or a Finding.
func (i *Installer) LetGo(ctx context.Context, h Holding, remove bool) (kept []int64, err error) {
	v, err := i.Read(ctx)
	if err != nil {
		return nil, i.readError(err)
	}
	out, v := i.resolvePending(ctx, h, v, true)
	if len(out.Pending) > 0 {
		return nil, Finding{Summary: "Cannot destroy the key pack on " + i.Server + " yet",
			Detail: fmt.Sprintf("An install for this key pack (request %s) was interrupted, and %s has not shown what it did. Destroying now could leave CALs that no resource holds: destroy again when %s answers.", out.PendingIDs(), i.Server, i.Server)}
	}
	if !remove {
		for _, id := range out.IDs {
			e, ok := v.EntryOfPack(id)
			if !ok || e.Owner != i.Owner {
				continue
			}
			if _, err := i.Host.WriteJournal(ctx, Release(e, i.Owner)); err != nil && !isKind(err, winrmclient.KindConflict) {
				return nil, &StepError{Summary: fmt.Sprintf("Cannot release key pack %d on %s", id, i.Server), Err: err}
			}
		}
		return out.IDs, nil
	}
	for n := len(out.IDs) - 1; n >= 0; n-- {
		id := out.IDs[n]
		if err := i.Host.RemovePack(ctx, id); err != nil && !isKind(err, winrmclient.KindNotFound) {
			return nil, &StepError{Summary: fmt.Sprintf("Cannot remove key pack %d from %s", id, i.Server), Err: err}
		}
		i.journalRemoved(ctx, v, id)
	}
	return nil, nil
}

// UnresolvedRequest is the install request an Acquire error leaves
// unresolved (outcome unknown, or ambiguous): it must be kept, so that no
// later run installs these CALs again before it is resolved.
func UnresolvedRequest(err error) string {
	var (
		pending *PendingError
		amb     *AmbiguousError
	)
	switch {
	case errors.As(err, &pending):
		return pending.RequestID
	case errors.As(err, &amb):
		return amb.RequestID
	}
	return ""
}

func (i *Installer) warn(ctx context.Context, msg string, id int64, err error) {
	if i.Warn != nil {
		i.Warn(ctx, msg, map[string]any{"host": i.Server, "key_pack_id": id, "error": winrmclient.MessageOf(err)})
	}
}
