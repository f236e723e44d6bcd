package activation

import (
	"fmt"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/licensecodes"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
)

// Plan is what the activation's decisions read of a resource's plan.
type Plan struct {
	// Activated and Group are "true" or "false" when known.
	Activated, Trigger, DiscoveryScope, Group rds.Value
	Method, Reason                            string
	// ConfiguredID is the license server ID the configuration sets, in
	// ConfiguredAttr (license_server_id, or its write-only form).
	ConfiguredID   rds.Value
	ConfiguredAttr string
}

// Known is the activation as the state last read it.
type Known struct {
	Activated                  bool
	Trigger                    rds.Value
	LicenseServerID, ProductID string
	DiscoveryScope             string
	Group                      bool
}

// GoalOf is what Converge makes of the server for p over prior (nil on
// create): contact, and id, the license server ID as the plan or its
// write-only form gives it.
func GoalOf(p Plan, prior *Known, contact rds.Contact, id string) Goal {
	g := Goal{Contact: contact, Method: p.Method, Activated: p.Activated.Text == "true", Reason: ReasonCode(p.Reason), DiscoveryScope: -1}
	if g.Method == MethodLicenseServerID {
		g.LicenseServerID = licensecodes.Normalize(id)
	}
	g.Activate, g.Deactivate = Planned(p, prior)
	if prior != nil {
		g.Prior = &Prior{LicenseServerID: licensecodes.Normalize(prior.LicenseServerID), ProductID: prior.ProductID}
		g.Triggered = Triggered(p, *prior)
	}
	if p.DiscoveryScope.Known {
		g.DiscoveryScope = ScopeRole(p.DiscoveryScope.Text)
	}
	if p.Group.Known {
		group := p.Group.Text == "true"
		g.Group = &group
	}
	return g
}

// PastID warns, at plan time, that activating a deactivated server again
// (p over prior) with method license_server_id uses the ID of its former
// activation, which the Clearinghouse may not take again.
func PastID(host string, p Plan, prior Known) (Problem, bool) {
	past := licensecodes.Normalize(prior.LicenseServerID)
	if p.Method != MethodLicenseServerID || !p.ConfiguredID.Known || past == "" || licensecodes.Normalize(p.ConfiguredID.Text) != past {
		return Problem{}, false
	}
	return PastIDWarning(host, p.ConfiguredAttr, prior.ProductID), true
}

// DomainAsked is what p asks of a server, new to it, that needs a domain:
// a domain or forest discovery scope (scope, "" when none) and the AD
// group.
func DomainAsked(p Plan, prior *Known) (scope string, group bool) {
	if s := p.DiscoveryScope; s.Known && s.Text != DiscoveryScopes[0] && (prior == nil || s.Text != prior.DiscoveryScope) {
		scope = s.Text
	}
	return scope, p.Group.Text == "true" && (prior == nil || !prior.Group)
}

// Planned reports whether applying p over prior (nil on create) activates
// the server (create, a server found not activated, or activated set back
// to true) or deactivates it (activated = false on an activated server,
// or on create). Both leave a server that already is as asked alone;
// create and update decide the same way.
func Planned(p Plan, prior *Known) (activate, deactivate bool) {
	switch {
	case !p.Activated.Known:
		return false, false
	case p.Activated.Text == "true":
		return prior == nil || !prior.Activated, false
	}
	return false, prior == nil || prior.Activated
}

// Triggered: reactivation_trigger changed to a new non-null value.
func Triggered(p Plan, prior Known) bool {
	return p.Trigger.Set && !p.Trigger.Same(prior.Trigger)
}

// WillReactivate reports whether applying p over prior reactivates the
// server: the trigger changed, or with method license_server_id the
// configured ID differs from the server's.
func WillReactivate(p Plan, prior Known) bool {
	if Triggered(p, prior) {
		return true
	}
	if p.Method != MethodLicenseServerID {
		return false
	}
	id := p.ConfiguredID
	return id.Set && (!id.Known || licensecodes.Normalize(id.Text) != licensecodes.Normalize(prior.LicenseServerID))
}

// TriggerProblem refuses a plan that changes reactivation_trigger while it
// leaves the server deactivated; prior is the trigger the state holds.
func TriggerProblem(prior rds.Value) Problem {
	back := "null (remove it)"
	if prior.Set {
		back = fmt.Sprintf("%q", prior.Text)
	}
	return Problem{Attr: "reactivation_trigger", Summary: "Reactivation of a license server that stays deactivated", Detail: "reactivation_trigger changed while activated = false: a license server that is not activated cannot be reactivated, and this plan leaves it deactivated. " +
		"Set activated = true (apply then activates the server, which gives it a new certificate, and records the new reactivation_trigger), or change reactivation_trigger back to " + back + "."}
}

// hints are what to do for the failures of the activation's operations
// that are not its own.
var hints = map[winrmclient.Kind]string{
	rds.KindRoleMissing:   "Install the RD Licensing role service first with the rdslicensing_role resource, and make this resource depend on it (depends_on).",
	rds.KindRebootPending: "Restart the server (or set restart = true on its rdslicensing_role resource), then apply again.",
}

// Hint is what to do about err, "" when nothing is known.
func Hint(err error) string { return hints[winrmclient.KindOf(err)] }

// StaysActivated says why destroying the resource left the server
// activated, and how to deactivate it.
func StaysActivated(host string) Problem {
	return Problem{Summary: "License server on " + host + " stays activated", Detail: fmt.Sprintf("Destroying rdslicensing_server_activation only removed it from the state: the license server on %s stays activated with the Microsoft Clearinghouse, with its contact details, discovery scope and group membership. "+
		"To deactivate it, set deactivate_on_destroy = true and apply before destroying (or activated = false to deactivate it and keep the resource), or use RD Licensing Manager (right-click the server, Advanced, Deactivate Server).", host)}
}

// NothingToDeactivate: the role is gone, and with it the license server.
func NothingToDeactivate(host string) Problem {
	return Problem{Summary: "Nothing to deactivate on " + host, Detail: "RD Licensing is no longer installed on " + host + ", so there is no license server to deactivate. If it was activated, the Microsoft Clearinghouse still counts that activation."}
}

// DestroyInstead is what to do when deactivating on destroy fails.
const DestroyInstead = "To remove the resource without deactivating the server, set deactivate_on_destroy = false and apply, then destroy."

// NothingToImport says why a server not activated cannot be imported.
func NothingToImport(host string, status int) Problem {
	return Problem{Summary: "License server on " + host + " is not activated", Detail: fmt.Sprintf("The license server on %s is not activated (activation status %s), so there is no activation to import. Remove the import and apply the configuration instead: creating rdslicensing_server_activation activates the server.",
		host, StatusName(status))}
}
