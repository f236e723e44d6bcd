package activation

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/licensecodes"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
)

// Goal is what Converge makes of a license server, from a resource's plan.
type Goal struct {
	Contact rds.Contact
	Method  string
	// LicenseServerID is the ID to activate with (canonical), "" unless
	// Method is MethodLicenseServerID.
	LicenseServerID string
	// Activated is the state asked for; Activate and Deactivate say
	// whether that takes an activation or a deactivation (the plan
	// decides it, from the server as the state last saw it).
	Activated, Activate, Deactivate bool
	// Triggered: the reactivation trigger changed (with Reason's code).
	Triggered bool
	Reason    int
	// DiscoveryScope is the ServerRole to set, or -1 to leave it.
	DiscoveryScope int
	// Group is the membership of the AD group to set, or nil.
	Group *bool
	// Prior is the server as the state last saw it; nil on create.
	Prior *Prior
}

// Prior is what the state knows of the server before an update.
type Prior struct {
	LicenseServerID string // canonical
	ProductID       string
}

// Failure is a Converge that failed.
type Failure = rds.Failure

// Converge makes host's license server match g: the contact first
// (automatic activation and deactivation need it; the script writes only
// what differs), then the activation or deactivation, a reactivation
// (Reactivation decides it; not after an activation just made, which
// gives the server a new certificate), the discovery scope and group, and
// checks that Windows reports the server as asked. It returns the server
// as it is after, or a *Failure.
func Converge(ctx context.Context, run rds.Runner, host string, g Goal) (rds.LicenseServer, error) {
	ls, err := converge(ctx, run, host, g)
	var f *Failure
	if errors.As(err, &f) && f.Err != nil {
		f.Hints = append([]string{Hint(f.Err)}, f.Hints...)
	}
	return ls, err
}

func converge(ctx context.Context, run rds.Runner, host string, g Goal) (rds.LicenseServer, error) {
	summary := "Cannot activate the license server on " + host
	if g.Prior != nil {
		summary = "Cannot update the license server activation on " + host
	}
	if _, err := rds.SetContact.Run(ctx, run, host, g.Contact); err != nil {
		if winrmclient.IsKind(err, winrmclient.KindInvalidInput) && strings.HasPrefix(winrmclient.MessageOf(err), "CountryRegion") {
			return rds.LicenseServer{}, &Failure{Attr: "country_region", Summary: "Invalid country_region", Err: err}
		}
		return rds.LicenseServer{}, &Failure{Summary: summary, Err: err}
	}
	var have string
	activatedNow := false
	switch {
	case g.Activate:
		res, err := Activate(ctx, run, host, g.Method, g.LicenseServerID)
		if err != nil {
			return rds.LicenseServer{}, &Failure{Summary: "Cannot activate the license server on " + host, Err: err, Hints: g.activateAgainHints(err)}
		}
		have, activatedNow = licensecodes.Normalize(res.LicenseServerID), res.Changed
	case g.Deactivate:
		if err := Deactivate(ctx, run, host); err != nil {
			return rds.LicenseServer{}, &Failure{Attr: "activated", Summary: "Cannot deactivate the license server on " + host, Err: err,
				Hints: []string{"The server is still activated. To keep it activated, set activated = true (or remove it)."}}
		}
	case g.Prior != nil:
		have = g.Prior.LicenseServerID
	}
	if g.Activated && !activatedNow {
		if in := Reactivation(g.LicenseServerID, have, g.Triggered, g.Reason); in != nil {
			if err := reactivate(ctx, run, host, *in, g.LicenseServerID, have); err != nil {
				return rds.LicenseServer{}, err
			}
		}
	}
	ls, err := rds.GetLicenseServer.Run(ctx, run, host, rds.NoInput{})
	if err != nil {
		return rds.LicenseServer{}, &Failure{Summary: summary, Err: err}
	}
	if g.DiscoveryScope >= 0 && g.DiscoveryScope != ls.ServerRole {
		res, err := rds.SetDiscoveryScope.Run(ctx, run, host, rds.ScopeInput{ServerRole: g.DiscoveryScope})
		if err != nil {
			return rds.LicenseServer{}, &Failure{Attr: "discovery_scope", Summary: "Cannot set the discovery scope of the license server on " + host, Err: err, Hints: []string{DomainRightsHint(err, "discovery_scope")}}
		}
		ls.ServerRole = res.ServerRole
	}
	if m := g.Group; m != nil && (ls.PartOfDomain || *m) && (ls.InTSLSGroup == nil || *ls.InTSLSGroup != *m) {
		res, err := rds.SetTSLSGroupMembership.Run(ctx, run, host, rds.GroupInput{Member: *m})
		if err != nil {
			return rds.LicenseServer{}, &Failure{Attr: "add_to_license_servers_group", Summary: "Cannot change the group membership of the license server on " + host, Err: err,
				Hints: []string{DomainRightsHint(err, "add_to_license_servers_group")}}
		}
		ls.InTSLSGroup = &res.Member
	}
	const look = "Check the event log (Applications and Services Logs > Microsoft > Windows > TerminalServices-Licensing) and RD Licensing Manager."
	switch {
	case g.Activated && ls.ActivationStatus != 0:
		return rds.LicenseServer{}, &Failure{Summary: summary, Detail: fmt.Sprintf("Windows reports the license server on %s as %s after activating it. %s", host, StatusName(ls.ActivationStatus), look)}
	case g.Deactivate && ls.ActivationStatus != 1:
		return rds.LicenseServer{}, &Failure{Attr: "activated", Summary: "Cannot deactivate the license server on " + host,
			Detail: fmt.Sprintf("Windows reports the license server on %s as %s after deactivating it. %s", host, StatusName(ls.ActivationStatus), look)}
	}
	return ls, nil
}

// reactivate runs a reactivation (Reactivate) with a new attempt ID, and
// says why it failed.
func reactivate(ctx context.Context, run rds.Runner, host string, in rds.ActivationInput, want, have string) error {
	in.Attempt = rds.NewID()
	outcome, err := Reactivate(ctx, run, host, in, want, have)
	switch {
	case err == nil:
		return nil
	case outcome == Unknown:
		return &Failure{Summary: "The license server on " + host + " may have been reactivated", Err: err, Spent: true,
			Note: "Whether the reactivation ran cannot be seen on the server. The new reactivation_trigger is recorded, so that the next apply does not reactivate it again unasked: check the server in RD Licensing Manager, and change reactivation_trigger once more to reactivate it."}
	case winrmclient.OutcomeUnknown(err):
		return &Failure{Summary: "Cannot reactivate the license server on " + host, Err: err,
			Note: "The license server was not reactivated (it has no record of this attempt, or still has its former license server ID); the reactivation_trigger is not recorded, and it is safe to apply again."}
	}
	return &Failure{Summary: "Cannot reactivate the license server on " + host, Err: err}
}

// activateAgainHints are what to add to err, a failed activation of a server
// found deactivated (an update): nothing changed, and for a refused
// license server ID, where a new one comes from.
func (g Goal) activateAgainHints(err error) []string {
	if g.Prior == nil {
		return nil
	}
	var hints []string
	if g.Method == MethodLicenseServerID && winrmclient.IsKind(err, rds.KindInvalidCode) {
		hints = append(hints, "A license server ID the Clearinghouse issued for an earlier activation may not be taken again: get a new one for product ID "+g.Prior.ProductID+
			" on the Clearinghouse web site (https://activate.microsoft.com) or by telephone and set it, or activate over the Internet with method = \"automatic\".")
	}
	return append(hints, "The license server stays deactivated, as the state records: the next plan proposes the activation again.")
}

// DomainRightsHint is what to do when ChangeRole or the AD group needs a
// right the provider's account lacks ("" for other errors).
func DomainRightsHint(err error, attr string) string {
	if !winrmclient.IsKind(err, winrmclient.KindAccessDenied) {
		return ""
	}
	return "Manage this resource with a provider whose username is such an account (e.g. a provider alias with a domain account and auth = \"ntlm\" or \"kerberos\"), or leave " + attr + " out."
}
