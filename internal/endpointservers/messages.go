package endpointservers

import (
	"fmt"
	"strings"
)

// Finding is a warning or error to show the user, on attribute Attr.
type Finding struct{ Attr, Summary, Detail string }

// PlanWarnings say what applying a change to host's policy and group does
// to the session hosts that get CALs from it: enabling the policy shuts
// out every session host the group does not hold (empty: the group will
// hold none); removing members shuts them out while the policy is on; a
// restart of TermServLicensing interrupts CAL issuing briefly.
func PlanWarnings(host string, enabling, empty, enabled bool, remove []string, restart bool) []Finding {
	var out []Finding
	if enabling {
		detail := fmt.Sprintf("With enabled = true the license server on %s answers CAL requests only from session hosts whose computer accounts are in its local group RDS Endpoint Servers: "+
			"every other session host that uses it gets no CAL (RD Licensing Diagnoser: NOT_IN_TSCGROUP) and, once its grace period is over, refuses connections. "+
			"Name every session host that uses %s in members before applying.", host, host)
		if empty {
			detail += " The group will be empty: no session host will get CALs from " + host + "."
		}
		out = append(out, Finding{"enabled", "Only members of RDS Endpoint Servers will get CALs from " + host, detail})
	}
	if len(remove) > 0 && enabled {
		out = append(out, Finding{"members", fmt.Sprintf("%d member(s) leave RDS Endpoint Servers on %s", len(remove), host),
			fmt.Sprintf("Apply removes %s from the local group RDS Endpoint Servers on %s: while the policy is enabled, those session hosts get no CALs from it.", strings.Join(remove, ", "), host)})
	}
	if restart {
		out = append(out, Finding{"restart_service", "Apply restarts Remote Desktop Licensing on " + host,
			fmt.Sprintf("The licensing service reads the policy and the group when it starts, so apply restarts it (TermServLicensing) on %s after the change: for a few seconds it issues no CAL, and session hosts ask again. "+
				"Set restart_service = false to leave the restart to you: the change then takes effect at the service's or the server's next start.", host)})
	}
	return out
}

// NotInDomain refuses members on a license server outside a domain: only
// domain computer accounts can be added to the group.
func NotInDomain(host, workgroup string) Finding {
	return Finding{"members", "The license server " + host + " is not in a domain",
		fmt.Sprintf("The license server on %s is in workgroup %s: the policy \"License server security group\" works only in a domain, and only domain computer accounts can be added to RDS Endpoint Servers. "+
			"Remove members (and leave enabled = false), or join the server to a domain first.", host, workgroup)}
}
