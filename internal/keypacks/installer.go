package keypacks

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
)

// Host is what the installer needs of a license server.
type Host interface {
	List(ctx context.Context) (rds.KeyPackList, error)
	Install(ctx context.Context, in rds.InstallKeyPackInput) (rds.KeyPackResult, error)
	WriteJournal(ctx context.Context, in rds.JournalWriteInput) (rds.JournalWriteResult, error)
	RemovePack(ctx context.Context, id int64) error
	RemoveLicenses(ctx context.Context, id int64, count int) error
}

// RunnerHost is a Host over an rds.Runner.
type RunnerHost struct {
	Runner rds.Runner
	Name   string
}

// List runs list_key_packs.
func (h RunnerHost) List(ctx context.Context) (rds.KeyPackList, error) {
	return rds.ListKeyPacks.Run(ctx, h.Runner, h.Name, rds.NoInput{})
}

// Install runs install_key_pack.
func (h RunnerHost) Install(ctx context.Context, in rds.InstallKeyPackInput) (rds.KeyPackResult, error) {
	return rds.InstallKeyPack.Run(ctx, h.Runner, h.Name, in)
}

// WriteJournal runs write_key_pack_journal.
func (h RunnerHost) WriteJournal(ctx context.Context, in rds.JournalWriteInput) (rds.JournalWriteResult, error) {
	return rds.WriteJournal.Run(ctx, h.Runner, h.Name, in)
}

// RemovePack runs remove_key_pack.
func (h RunnerHost) RemovePack(ctx context.Context, id int64) error {
	_, err := rds.RemoveKeyPack.Run(ctx, h.Runner, h.Name, rds.KeyPackRef{KeyPackID: id})
	return err
}

// RemoveLicenses runs remove_licenses.
func (h RunnerHost) RemoveLicenses(ctx context.Context, id int64, count int) error {
	_, err := rds.RemoveLicenses.Run(ctx, h.Runner, h.Name, rds.RemoveLicensesInput{KeyPackID: id, LicenseCount: count})
	return err
}

// How a resource came to hold a pack.
const (
	HowInstalled = "installed" // this install's answer came back
	HowRecovered = "recovered" // the answer was lost; the journal showed the pack
	HowClaimed   = "claimed"   // a free pack with the same CALs was claimed
)

// Result is the pack Acquire got for the resource.
type Result struct {
	Pack rds.KeyPack
	How  string
	// Why says how a lost answer was resolved, or whose pack was claimed.
	Why string
	// Attempts counts the installs that were started.
	Attempts int
}

// PendingError: an install's outcome could not be known before the
// deadline. The request ID must be kept (the resource's private state):
// Follow resolves it later, and nothing may be installed for the same CALs
// until then.
type PendingError struct {
	RequestID string
	Why       string
	Err       error
}

func (e *PendingError) Error() string {
	msg := "cannot tell yet whether install request " + e.RequestID + " installed CALs: " + e.Why
	if e.Err != nil {
		msg += " (" + e.Err.Error() + ")"
	}
	return msg
}

func (e *PendingError) Unwrap() error { return e.Err }

// AmbiguousError: several packs could be an interrupted install's.
type AmbiguousError struct {
	RequestID  string
	Candidates []rds.KeyPack
}

func (e *AmbiguousError) Error() string {
	ids := make([]string, len(e.Candidates))
	for i, kp := range e.Candidates {
		ids[i] = strconv.FormatInt(kp.KeyPackID, 10)
	}
	return "an interrupted install may have made any of key packs " + strings.Join(ids, ", ") + ": several new packs with these CALs appeared meanwhile (installed by hand?)"
}

// NotInstalledError: an install ended without a pack, and the installer
// stopped trying (MaxAttempts interrupted installs, or a failed install
// whose error was lost with the answer).
type NotInstalledError struct {
	Attempts int
	Why      string
	Err      error
}

func (e *NotInstalledError) Error() string {
	return fmt.Sprintf("nothing was installed after %d interrupted attempt(s): %s", e.Attempts, e.Why)
}

func (e *NotInstalledError) Unwrap() error { return e.Err }

// Installer gets CALs for one resource, exactly once, and keeps and gives
// them back (holding.go).
type Installer struct {
	Host Host
	// Server names the license server in messages.
	Server string
	// Warn logs what goes wrong without changing the outcome (a journal
	// write that only records); nil logs nothing.
	Warn func(ctx context.Context, msg string, fields map[string]any)
	// Owner is the resource's token.
	Owner string
	// PollInterval is how often a lost answer is looked at again.
	PollInterval time.Duration
	// MaxAttempts bounds the installs started when each one is found to
	// have been interrupted before it made anything.
	MaxAttempts int
}

func (i *Installer) poll() time.Duration {
	if i.PollInterval > 0 {
		return i.PollInterval
	}
	return 2 * time.Second
}

func (i *Installer) maxAttempts() int {
	if i.MaxAttempts > 0 {
		return i.MaxAttempts
	}
	return 3
}

// Acquire gets the CALs of in for the resource: it claims a free pack with
// the same CALs, or installs; after a lost answer it follows the request to
// a conclusion and installs again only when the journal proves that
// nothing was installed. Errors: the install's own (nothing installed),
// *PendingError, *AmbiguousError, *NotInstalledError, or a read error
// before anything was sent.
func (i *Installer) Acquire(ctx context.Context, in rds.InstallKeyPackInput) (Result, error) {
	it := IntentOf(in)
	attempts := 0
	var lastWhy string
	for {
		v, err := i.view(ctx)
		if err != nil {
			return Result{}, err
		}
		if res, ok, err := i.claimFree(ctx, v, it); err != nil || ok {
			res.Attempts = attempts
			return res, err
		}
		if attempts >= i.maxAttempts() {
			return Result{Attempts: attempts}, &NotInstalledError{Attempts: attempts, Why: lastWhy}
		}
		attempts++
		req := in
		req.RequestID, req.Owner, req.CodeTag = rds.NewID(), i.Owner, it.NewCodeTag()
		out, err := i.Host.Install(ctx, req)
		if err == nil {
			return Result{Pack: out.KeyPack, How: HowInstalled, Attempts: attempts}, nil
		}
		if !winrmclient.OutcomeUnknown(err) {
			return Result{Attempts: attempts}, err
		}
		r, err := i.Follow(ctx, req.RequestID, it)
		if err != nil {
			return Result{Attempts: attempts}, err
		}
		if r.Outcome == Installed {
			return Result{Pack: r.Pack, How: HowRecovered, Why: r.Why, Attempts: attempts}, nil
		}
		if r.Entry.State == rds.JournalFailed {
			// The install failed on the host; its error was lost with the
			// answer, and trying again would fail the same way.
			return Result{Attempts: attempts}, &NotInstalledError{Attempts: attempts, Why: r.Why}
		}
		lastWhy = r.Why
	}
}

// claimFree claims the oldest free pack with it's CALs; ok is false when
// there is none left to claim.
func (i *Installer) claimFree(ctx context.Context, v View, it Intent) (Result, bool, error) {
	for _, e := range FreeEntries(v, it) {
		_, err := i.Host.WriteJournal(ctx, Claim(e, i.Owner))
		if err != nil && !isKind(err, winrmclient.KindConflict) {
			// The claim's answer may be lost: the journal tells.
			nv, lerr := i.view(ctx)
			if lerr != nil {
				return Result{}, false, fmt.Errorf("claiming key pack %d: %w", e.KeyPackID, err)
			}
			now, ok := nv.Entry(e.RequestID)
			if !ok || now.Owner != i.Owner {
				return Result{}, false, fmt.Errorf("claiming key pack %d: %w", e.KeyPackID, err)
			}
			v = nv
		} else if err != nil {
			continue // someone else claimed it first
		}
		kp, _ := v.Pack(e.KeyPackID)
		return Result{Pack: kp, How: HowClaimed, Why: fmt.Sprintf("key pack %d holds the same CALs (same program, release, type, count and code) and no resource held it: an earlier destroy kept it, or an interrupted run left it", e.KeyPackID)}, true, nil
	}
	return Result{}, false, nil
}

// Follow looks at request requestID of it until its outcome is known
// (Installed or NotInstalled), writing what it concludes in the journal.
// It waits through reboots and the settle time until ctx ends, then
// returns *PendingError; an ambiguous outcome is *AmbiguousError.
func (i *Installer) Follow(ctx context.Context, requestID string, it Intent) (Resolution, error) {
	var last error
	why := "the host did not answer"
	for {
		v, err := i.view(ctx)
		if err == nil {
			r := Resolve(v, requestID, it)
			why = r.Why
			switch {
			case r.Outcome == Ambiguous:
				return r, &AmbiguousError{RequestID: requestID, Candidates: r.Candidates}
			case r.Write != nil:
				_, err = i.Host.WriteJournal(ctx, *r.Write)
				if err == nil && r.Outcome != Wait {
					return r, nil
				}
				// A conflict: someone else concluded first; read again.
				// A tombstone written: read again to see it.
				if err == nil || isKind(err, winrmclient.KindConflict) {
					continue
				}
			case r.Outcome != Wait:
				return r, nil
			}
		}
		if err != nil {
			last = err
			if !retryable(err) {
				return Resolution{}, &PendingError{RequestID: requestID, Why: why, Err: err}
			}
		}
		select {
		case <-ctx.Done():
			return Resolution{}, &PendingError{RequestID: requestID, Why: why, Err: last}
		case <-time.After(i.poll()):
		}
	}
}

func (i *Installer) view(ctx context.Context) (View, error) {
	l, err := i.Host.List(ctx)
	if err != nil {
		return View{}, err
	}
	return NewView(l)
}

func isKind(err error, k winrmclient.Kind) bool { return winrmclient.KindOf(err) == k }

// retryable: the host may answer differently soon (it restarts, is busy,
// or its licensing service is still starting).
func retryable(err error) bool {
	switch winrmclient.KindOf(err) {
	case winrmclient.KindTransport, winrmclient.KindTimeout, winrmclient.KindQuota, winrmclient.KindBusy,
		rds.KindRebootPending, rds.KindRoleMissing, winrmclient.KindCanceled:
		return true
	}
	return false
}

// Look resolves requestID from v once, without waiting: Wait when it
// cannot tell yet. It writes what it concludes, and returns the view it
// last read.
func (i *Installer) Look(ctx context.Context, v View, requestID string, it Intent) (Resolution, View, error) {
	for range 3 {
		r := Resolve(v, requestID, it)
		if r.Outcome == Ambiguous {
			return r, v, &AmbiguousError{RequestID: requestID, Candidates: r.Candidates}
		}
		if r.Write == nil {
			return r, v, nil
		}
		if _, err := i.Host.WriteJournal(ctx, *r.Write); err != nil && !isKind(err, winrmclient.KindConflict) {
			return Resolution{Outcome: Wait, Why: r.Why}, v, err
		}
		nv, err := i.view(ctx)
		if err != nil {
			return Resolution{Outcome: Wait, Why: r.Why}, v, err
		}
		v = nv
	}
	return Resolution{Outcome: Wait, Why: "the journal entry kept changing"}, v, nil
}

// Read is the license server's key packs and journal.
func (i *Installer) Read(ctx context.Context) (View, error) { return i.view(ctx) }
