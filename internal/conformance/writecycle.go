package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
)

// Probe keys the write cycle observes (facts value:ChangeMode.*).
const (
	KeyChangeModeEffective = "write.ChangeMode.effective_without_restart"
	KeyChangeModeRegistry  = "write.ChangeMode.registry"
)

// ErrNotRestored: the write cycle could not put the session host back as
// it found it. The error says what is left.
var ErrNotRestored = errors.New("the session host was not restored")

// cycleRecordPrefix names the write cycle's records in the transcript.
const cycleRecordPrefix = "lab:"

// WriteCycle is the probe's optional reversible write on a lab session
// host: it changes the licensing mode through WMI (ChangeMode) to the
// other CAL type, keeping the license servers, observes what Windows
// shows, and restores the mode. TermService is never restarted, so no
// user is disconnected; while the cycle runs (seconds) new connections
// are licensed in the other mode.
//
// It refuses a host where the restore could not be exact: without the RD
// Session Host role (ChangeMode needs an application server), with a
// licensing policy (WMI cannot write what Group Policy sets), or with
// license servers but no mode (no operation restores that pair). On any
// failure after the change it still restores; if that fails too, the error
// wraps ErrNotRestored and names the original settings.
func WriteCycle(ctx context.Context, r rds.Runner, host string) (map[string]string, []Record, error) {
	var recs []Record
	record := func(name string, v any, err error) {
		rec := Record{Name: cycleRecordPrefix + name}
		if err != nil {
			// The kind only: a message may name other license servers.
			rec.Error = &RecordError{Kind: errorKind(err)}
		} else if b, e := json.Marshal(v); e == nil {
			rec.Result = b
		}
		recs = append(recs, rec)
	}
	read := func(step string) (rds.SessionHost, error) {
		sh, err := rds.GetSessionHost.Run(ctx, r, host, rds.SessionHostInput{})
		record("get_session_host ("+step+")", sh, err)
		return sh, err
	}

	before, err := read("before")
	if err != nil {
		return nil, recs, fmt.Errorf("write cycle: reading the session host: %w", err)
	}
	restore, err := restoreInput(before)
	if err != nil {
		return nil, recs, fmt.Errorf("write cycle refused, nothing was changed: %w", err)
	}
	target := 2
	if before.LicensingType == 2 {
		target = 4
	}
	servers := slices.Clone(before.ConfigLicenseServers)
	obs := map[string]string{}
	changed, err := rds.SetSessionHostLicensing.Run(ctx, r, host, rds.SessionHostLicensingInput{
		Method: "wmi", LicensingMode: target, LicenseServers: servers,
	})
	record("set_session_host_licensing", changed, err)
	if err == nil {
		// What the change's own answer shows, then a fresh read.
		after, rerr := read("after the change")
		if rerr == nil {
			changed = after
		}
		obs[KeyChangeModeEffective] = fmt.Sprint(changed.LicensingType == target)
		obs[KeyChangeModeRegistry] = fmt.Sprint(changed.ConfigLicensingMode != nil && *changed.ConfigLicensingMode == target)
		err = rerr
	}

	// Restore whatever happened: the set may have applied before it failed.
	var restored rds.SessionHost
	var rerr error
	if restore.LicensingMode == 0 {
		restored, rerr = rds.ClearSessionHostLicensing.Run(ctx, r, host, restore)
		record("clear_session_host_licensing (restore)", restored, rerr)
	} else {
		restored, rerr = rds.SetSessionHostLicensing.Run(ctx, r, host, restore)
		record("set_session_host_licensing (restore)", restored, rerr)
	}
	if rerr == nil {
		restored, rerr = read("restored")
	}
	if rerr == nil && !sameConfig(before, restored) {
		rerr = fmt.Errorf("read back %s", describe(restored))
	}
	if rerr != nil {
		return obs, recs, fmt.Errorf("write cycle: %w: set it back to %s (%v)", ErrNotRestored, describe(before), rerr)
	}
	if err != nil {
		return obs, recs, fmt.Errorf("write cycle (the session host was restored): %w", err)
	}
	return obs, recs, nil
}

// restoreInput is the operation that puts the host back as it is, or why
// none can.
func restoreInput(sh rds.SessionHost) (rds.SessionHostLicensingInput, error) {
	switch {
	case !sh.RDSHInstalled:
		return rds.SessionHostLicensingInput{}, errors.New("the RD Session Host role is not installed: ChangeMode needs it")
	case sh.PolicyLicensingMode != nil || sh.PolicyLicenseServers != nil || sh.PolicySourceLicensingType == 1 || sh.PolicySourceLicenseServers == 1:
		return rds.SessionHostLicensingInput{}, errors.New("a Group Policy sets the licensing mode or the license servers: WMI cannot change them")
	}
	mode := 5
	if sh.ConfigLicensingMode != nil {
		mode = *sh.ConfigLicensingMode
	}
	switch {
	case mode == 2 || mode == 4:
		return rds.SessionHostLicensingInput{Method: "wmi", LicensingMode: mode, LicenseServers: slices.Clone(sh.ConfigLicenseServers)}, nil
	case mode == 5 && len(sh.ConfigLicenseServers) == 0:
		return rds.SessionHostLicensingInput{Method: "wmi"}, nil
	}
	return rds.SessionHostLicensingInput{}, fmt.Errorf("the configured mode is %d with %d license servers: no operation restores that exactly", mode, len(sh.ConfigLicenseServers))
}

// sameConfig compares what the cycle touches.
func sameConfig(a, b rds.SessionHost) bool {
	mode := func(sh rds.SessionHost) int {
		if sh.ConfigLicensingMode == nil {
			return 5
		}
		return *sh.ConfigLicensingMode
	}
	return a.LicensingType == b.LicensingType && mode(a) == mode(b) &&
		slices.EqualFunc(a.ConfigLicenseServers, b.ConfigLicenseServers, strings.EqualFold)
}

// describe names the settings the cycle touches, for a person to restore
// them by hand. It runs on the user's machine only: the license server
// names stay out of the transcript.
func describe(sh rds.SessionHost) string {
	mode := "not configured"
	if sh.ConfigLicensingMode != nil {
		mode = fmt.Sprint(*sh.ConfigLicensingMode)
	}
	return fmt.Sprintf("licensing mode %s (WMI) with license servers [%s]", mode, strings.Join(sh.ConfigLicenseServers, ", "))
}

func errorKind(err error) string {
	var we *winrmclient.Error
	if errors.As(err, &we) {
		return string(we.Kind)
	}
	return "error"
}
