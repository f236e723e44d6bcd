// Package activation activates, deactivates and reactivates a license
// server with the Microsoft Clearinghouse. None of the three is
// idempotent: after a failure whose outcome is unknown, each looks at the
// server before it does anything again.
package activation

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/licensecodes"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
)

// The activation methods: over the Internet, or with a license server ID
// obtained on the Clearinghouse web site or by telephone.
const (
	MethodAutomatic       = "automatic"
	MethodLicenseServerID = "license_server_id"
)

// Activate activates host. After a failure whose outcome is unknown (the
// Clearinghouse may have activated it), it looks before anything else, and
// tries once more only when the server is not activated.
func Activate(ctx context.Context, run rds.Runner, host, method, id string) (rds.ActivationResult, error) {
	in := rds.ActivationInput{Method: method, LicenseServerID: id}
	res, err := rds.ActivateLicenseServer.Run(ctx, run, host, in)
	if winrmclient.OutcomeUnknown(err) {
		ls, lerr := rds.GetLicenseServer.Run(ctx, run, host, rds.NoInput{})
		switch {
		case lerr == nil && ls.ActivationStatus == 0:
			return rds.ActivationResult{ActivationStatus: 0, LicenseServerID: ls.LicenseServerID, Changed: true}, nil
		case lerr == nil:
			tflog.Info(ctx, "the activation did not happen: activating again", map[string]any{"host": host})
			res, err = rds.ActivateLicenseServer.Run(ctx, run, host, in)
		}
	}
	return res, err
}

// Deactivate deactivates host over the Internet; a server that is not
// activated is left as it is. Its result shows on the server: after an
// unknown outcome it looks, and deactivates once more when it did not
// happen.
func Deactivate(ctx context.Context, run rds.Runner, host string) error {
	in := rds.ActivationInput{Method: MethodAutomatic}
	_, err := rds.DeactivateLicenseServer.Run(ctx, run, host, in)
	if winrmclient.OutcomeUnknown(err) {
		ls, lerr := rds.GetLicenseServer.Run(ctx, run, host, rds.NoInput{})
		switch {
		case lerr == nil && ls.ActivationStatus != 0:
			return nil
		case lerr == nil:
			tflog.Info(ctx, "the deactivation did not happen: deactivating again", map[string]any{"host": host})
			_, err = rds.DeactivateLicenseServer.Run(ctx, run, host, in)
		}
	}
	return err
}

// Reactivation is what the server asks of a converge that keeps it
// activated, or nil: with method license_server_id, a license server ID
// (want, canonical) it does not have yet (have), or the changed trigger;
// automatically, the changed trigger only (with the reason's code).
func Reactivation(want, have string, triggered bool, reason int) *rds.ActivationInput {
	switch {
	case want != "" && (triggered || want != have):
		// A new ID from the Clearinghouse (or an activated server adopted
		// with another ID): only a reactivation puts it in place.
		return &rds.ActivationInput{Method: MethodLicenseServerID, LicenseServerID: want}
	case want == "" && triggered:
		return &rds.ActivationInput{Method: MethodAutomatic, Reason: reason}
	}
	return nil
}

// Outcome is what a failed reactivation left on the server.
type Outcome int

const (
	// Ran: the reactivation ran, though an error came back.
	Ran Outcome = iota
	// NotRun: it did not run; trying again is safe.
	NotRun
	// Unknown: the server cannot show whether it ran.
	Unknown
)

// Reactivate runs a reactivation, which is not idempotent. It returns
// nil when the reactivation ran. Otherwise, with the error: NotRun when it
// failed before it could run, or when after an unknown outcome the server
// shows that it did not; Unknown when the server cannot show it. in
// carries a new Attempt ID: the script records it on the server just
// before it calls the method (docs/design/reactivation-marker.md), so a
// server without it was not reactivated by this attempt. want and have are
// the license server IDs asked for and held before (canonical).
func Reactivate(ctx context.Context, run rds.Runner, host string, in rds.ActivationInput, want, have string) (Outcome, error) {
	_, err := rds.ReactivateLicenseServer.Run(ctx, run, host, in)
	if err == nil {
		return Ran, nil
	}
	if !winrmclient.OutcomeUnknown(err) {
		return NotRun, err
	}
	ran, known := reactivated(ctx, run, host, in.Attempt, want, have)
	switch {
	case !known:
		return Unknown, err
	case !ran:
		return NotRun, err
	}
	tflog.Info(ctx, "the reactivation ran despite the error", map[string]any{"host": host})
	return Ran, nil
}

// reactivated looks whether a reactivation whose outcome is unknown ran:
// not when the attempt never went on to its WMI method (fence_reactivation
// then bars it for good); else when the server has the license server ID
// asked for (or, reactivated automatically, another one). When neither can
// tell, known is false.
func reactivated(ctx context.Context, run rds.Runner, host, attempt, want, have string) (ran, known bool) {
	// A timeout has spent ctx, and this look is what makes retrying safe:
	// it gets its own minute.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	if f, err := rds.FenceReactivation.Run(ctx, run, host, rds.ReactivationFenceInput{Attempt: attempt}); err == nil && !f.Started {
		return false, true // never called, and now it never will be
	}
	ls, err := rds.GetLicenseServer.Run(ctx, run, host, rds.NoInput{})
	if err != nil {
		return false, false
	}
	now := licensecodes.Normalize(ls.LicenseServerID)
	switch {
	case want != "" && want != have:
		return now == want, now == want || now == have
	case want == "" && now != have:
		return true, true
	}
	return false, false
}
