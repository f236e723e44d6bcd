// Package grouppolicy decides what the domain licensing policy resource
// does with a domain GPO: which link targets are well formed, which links
// an update removes, what a destroy takes away from the session hosts, and
// what to do when Group Policy refuses (docs/design/windows-facts.md).
package grouppolicy

import (
	"slices"
	"strings"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/servernames"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
)

// TargetProblems refuse link targets that are not the distinguished name
// of an OU or a domain.
func TargetProblems(targets []string) []rds.Problem {
	var out []rds.Problem
	for _, t := range targets {
		upper := strings.ToUpper(t)
		if !strings.Contains(upper, "DC=") || (!strings.HasPrefix(upper, "OU=") && !strings.HasPrefix(upper, "DC=")) {
			out = append(out, rds.Problem{Attr: "links", Summary: "Invalid link target",
				Detail: "links: " + servernames.Quote(t) + " is not the distinguished name of an OU or a domain: write it as OU=SessionHosts,DC=contoso,DC=com (Group Policy Management shows it on the OU's Details), or DC=contoso,DC=com for the whole domain."})
		}
	}
	return out
}

// Unlinked are the targets linked before that after no longer names
// (distinguished names compare without case).
func Unlinked(before, after []string) []string {
	var out []string
	for _, t := range before {
		if !slices.ContainsFunc(after, func(l string) bool { return strings.EqualFold(l, t) }) {
			out = append(out, t)
		}
	}
	return out
}

// DestroyWarning says in the plan what destroying the policy of GPO gpo
// does: it deletes the GPO (deletes) or takes the licensing settings out,
// removes links, and the session hosts lose the settings at their next
// policy refresh.
func DestroyWarning(gpo string, deletes bool, links []string) rds.Problem {
	what := "takes the licensing settings out of the GPO " + gpo
	if deletes {
		what = "deletes the GPO " + gpo
	}
	where := "the session hosts the GPO applies to"
	if len(links) > 0 {
		where = "the session hosts of " + strings.Join(links, ", ") + " (the links this resource made go too)"
	}
	return rds.Problem{Summary: "Destroy removes the domain licensing policy " + gpo,
		Detail: "Destroy " + what + ". At their next policy refresh " + where + " lose its licensing mode and license servers, and fall back to their local settings or to none: " +
			"without them, once their grace period is over, users are refused. Configure them another way first (another GPO, or rdslicensing_session_host_policy)."}
}

// Hint is what to do when Group Policy refuses err: no GroupPolicy module
// on the host, or an account without the rights.
func Hint(err error) string {
	switch winrmclient.KindOf(err) {
	case winrmclient.KindNotSupported:
		return "Set host to a domain controller, or install Group Policy Management on a member server (Install-WindowsFeature GPMC)."
	case winrmclient.KindAccessDenied:
		return "Editing and linking GPOs needs a domain account with those rights (Group Policy Creator Owners, or delegated in Group Policy Management): use such an account for this host (a provider alias)."
	}
	return ""
}
