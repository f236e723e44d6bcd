package endpointservers

import (
	"fmt"
	"strings"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
)

// Finding is a warning or error to show the user, on attribute Attr.
type Finding = rds.Problem

// Goal is what a plan asks of the policy and the group.
type Goal struct {
	// Want are the members the configuration names.
	Want                        []string
	Enabled, Exclusive, Restart bool
}

// PlanWarnings say what applying g over the host's policy and group (cur,
// changed by ch) does to the session hosts that get CALs from host:
// enabling the policy shuts out every session host the group does not
// hold (and says so when the group will hold none); removing members
// shuts them out while the policy is on; a restart of TermServLicensing,
// when anything changes, interrupts CAL issuing briefly.
func PlanWarnings(host string, g Goal, cur rds.LicenseServerSecurity, ch Change) []Finding {
	enabling := g.Enabled && (cur.Policy == nil || *cur.Policy != 1)
	policyChange := cur.Policy == nil || (*cur.Policy == 1) != g.Enabled
	restart := g.Restart && (policyChange || len(ch.Add) > 0 || len(ch.Remove) > 0)
	empty := len(g.Want) == 0 && (g.Exclusive || len(Others(g.Want, cur.Members)) == 0)
	enabled, remove := g.Enabled, ch.Remove
	var out []Finding
	if enabling {
		detail := fmt.Sprintf("With enabled = true the license server on %s answers CAL requests only from session hosts whose computer accounts are in its local group RDS Endpoint Servers: "+
			"every other session host that uses it gets no CAL (RD Licensing Diagnoser: NOT_IN_TSCGROUP) and, once its grace period is over, refuses connections. "+
			"Name every session host that uses %s in members before applying.", host, host)
		if empty {
			detail += " The group will be empty: no session host will get CALs from " + host + "."
		}
		out = append(out, Finding{Attr: "enabled", Summary: "Only members of RDS Endpoint Servers will get CALs from " + host, Detail: detail})
	}
	if len(remove) > 0 && enabled {
		out = append(out, Finding{Attr: "members", Summary: fmt.Sprintf("%d member(s) leave RDS Endpoint Servers on %s", len(remove), host), Detail: fmt.Sprintf("Apply removes %s from the local group RDS Endpoint Servers on %s: while the policy is enabled, those session hosts get no CALs from it.", strings.Join(remove, ", "), host)})
	}
	if restart {
		out = append(out, Finding{Attr: "restart_service", Summary: "Apply restarts Remote Desktop Licensing on " + host, Detail: fmt.Sprintf("The licensing service reads the policy and the group when it starts, so apply restarts it (TermServLicensing) on %s after the change: for a few seconds it issues no CAL, and session hosts ask again. "+
			"Set restart_service = false to leave the restart to you: the change then takes effect at the service's or the server's next start.", host)})
	}
	return out
}

// NotInDomain refuses members on a license server outside a domain: only
// domain computer accounts can be added to the group.
func NotInDomain(host, workgroup string) Finding {
	return Finding{Attr: "members", Summary: "The license server " + host + " is not in a domain", Detail: fmt.Sprintf("The license server on %s is in workgroup %s: the policy \"License server security group\" works only in a domain, and only domain computer accounts can be added to RDS Endpoint Servers. "+
		"Remove members (and leave enabled = false), or join the server to a domain first.", host, workgroup)}
}

// MemberProblems check the configured member names offline: each well
// formed (MemberProblem), no account named twice.
func MemberProblems(names []string) []Finding {
	var out []Finding
	seen := map[string]string{}
	for _, n := range names {
		if p := MemberProblem(n); p != "" {
			out = append(out, Finding{Attr: "members", Summary: "Invalid member", Detail: "members: " + p + "."})
			continue
		}
		account := strings.ToUpper(Account(n))
		if other, dup := seen[account]; dup {
			out = append(out, Finding{Attr: "members", Summary: "Two names for one member", Detail: fmt.Sprintf("members names the account %s twice, as %q and %q: keep one of them.", Account(n), other, n)})
		}
		seen[account] = n
	}
	return out
}

// DestroyWarning says in the plan what a destroy does: the policy goes
// (every session host gets CALs again), and the members stay unless
// remove (remove_members_on_destroy).
func DestroyWarning(host string, members []string, remove bool) Finding {
	detail := "Destroy removes the policy \"License server security group\" from " + host + " (not configured): the license server then issues CALs to every session host. "
	if remove && len(members) > 0 {
		detail += "remove_members_on_destroy = true: it also removes " + strings.Join(members, ", ") + " from RDS Endpoint Servers."
	} else {
		detail += "The members of RDS Endpoint Servers stay."
	}
	return Finding{Summary: "Destroy turns the license server security group off on " + host, Detail: detail}
}

// WriteHint is what to do about a failed read or write of the policy and
// group, and the attribute to blame ("" for none).
func WriteHint(err error) (attr, hint string) {
	switch winrmclient.KindOf(err) {
	case winrmclient.KindNotFound:
		return "members", "Name the session host by its computer name, or give its account with its domain (CONTOSO\\RDSH01$)."
	case rds.KindRoleMissing:
		return "", "Install the RD Licensing role service first with the rdslicensing_role resource, and take this resource's host from it (host = rdslicensing_role.<name>.id)."
	}
	return "", ""
}
