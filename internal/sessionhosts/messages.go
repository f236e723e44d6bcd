package sessionhosts

import (
	"fmt"
	"strings"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

// Message is a warning or error to show the user.
type Message = rds.Problem

// RestartWarning says, at plan time, that apply restarts TermService on
// host (or, when sure is false, may: the plan cannot tell yet), and why.
func RestartWarning(host string, sure bool, why string) Message {
	if host == "" {
		host = "the session host"
	}
	will := "restarts"
	if !sure {
		will = "may restart"
	}
	return Message{Attr: "restart_service", Summary: "Apply " + will + " Remote Desktop Services on " + host + ", disconnecting its users", Detail: fmt.Sprintf("With restart_service = true, %s and then restarts the Remote Desktop Services service (TermService) on %s, so that the session host uses them: "+
		"this disconnects every user of %s (their sessions stay, and they reconnect). Apply when that is acceptable, "+
		"or set restart_service = false to leave the restart to you: the session host then uses the new settings after its next restart of the service or the server.",
		why, host, host)}
}

// Override is what Group Policy overrides of a wmi resource's settings,
// as its refreshed state shows them.
type Override struct {
	// Mode: the policy sets the licensing mode (EffectiveMode), where the
	// resource sets PlannedMode.
	Mode                       bool
	EffectiveMode, PlannedMode string
	// Servers: the policy sets the license servers (EffectiveServers).
	Servers          bool
	EffectiveServers []string
}

// OverrideWarning says which settings of a wmi resource on host a policy
// overrides; ok is false when none.
func OverrideWarning(host string, o Override) (Message, bool) {
	var parts []string
	if o.Mode {
		parts = append(parts, fmt.Sprintf("the licensing mode (%s, where this resource sets %s)", o.EffectiveMode, o.PlannedMode))
	}
	if o.Servers {
		parts = append(parts, fmt.Sprintf("the license servers (%s)", strings.Join(o.EffectiveServers, ", ")))
	}
	if len(parts) == 0 {
		return Message{}, false
	}
	return Message{Summary: "Group Policy overrides this resource on " + host, Detail: fmt.Sprintf("Group Policy sets %s on %s, and a policy value wins over the session host's own setting, which this resource manages through WMI: its settings are not in effect. "+
		"Remove the policy setting (gpedit.msc: %s, or the domain GPO that sets it), or manage the policy values with method = \"group_policy\".",
		strings.Join(parts, " and "), host, PolicyGUIPath)}, true
}

// WorkgroupPerUser warns of per-user licensing (mode, the LicensingType
// number written) on a session host outside a domain.
func WorkgroupPerUser(mode int, sh rds.SessionHost) (Message, bool) {
	if mode != 4 || sh.PartOfDomain {
		return Message{}, false
	}
	return Message{Summary: "Per-user licensing on a workgroup session host", Detail: fmt.Sprintf("%s is not in a domain. Per User CALs are assigned to Active Directory users and cannot be tracked without a domain: Microsoft supports only per-device licensing on workgroup session hosts. Use licensing_mode = \"per_device\" unless %s joins a domain.", sh.ComputerName, sh.ComputerName)}, true
}

// ConnectivityWarnings warn of each checked license server the session
// host cannot use.
func ConnectivityWarnings(sh rds.SessionHost) []Message {
	var out []Message
	for _, c := range sh.Connectivity {
		problem, ok := ConnectivityAdvice[c.Status]
		if !ok {
			continue
		}
		tail := ""
		if sh.GracePeriodDays != nil {
			tail = fmt.Sprintf(" Its licensing grace period ends in %d days; after that, users cannot connect unless a license server issues CALs.", *sh.GracePeriodDays)
		}
		out = append(out, Message{Summary: fmt.Sprintf("License server %s unusable from %s", c.Server, sh.ComputerName), Detail: fmt.Sprintf("%s asked license server %s whether it can get CALs from it (GetTStoLSConnectivityStatus) and got %d, %s. The setting is kept: the session host uses the other license servers of its list that can serve it, else falls back to discovering license servers.%s",
			sh.ComputerName, c.Server, c.Status, problem, tail)})
	}
	return out
}

// NothingToImport refuses an import of a host whose licensing is not
// configured.
func NothingToImport(host string, sh rds.SessionHost) Message {
	return Message{Summary: "Nothing to import on " + host, Detail: fmt.Sprintf("Remote Desktop licensing is not configured on %s: neither the policy values (%s\\LicensingMode, LicenseServers) nor the session host's own setting (WMI) set a licensing mode or license servers. Create the resource instead of importing it.", sh.ComputerName, PolicyKey)}
}

// DomainGPOOverrides warns a method = "group_policy" resource that a domain
// GPO sets the policy values it writes locally (sh's RSoP names the GPOs):
// the domain's values win, and overwrite the local ones at each refresh.
func DomainGPOOverrides(host string, sh rds.SessionHost) (Message, bool) {
	var parts []string
	if sh.PolicyLicensingModeGPO != "" {
		parts = append(parts, fmt.Sprintf("the licensing mode (GPO %q)", sh.PolicyLicensingModeGPO))
	}
	if sh.PolicyLicenseServersGPO != "" {
		parts = append(parts, fmt.Sprintf("the license servers (GPO %q)", sh.PolicyLicenseServersGPO))
	}
	if len(parts) == 0 {
		return Message{}, false
	}
	return Message{Summary: "A domain GPO sets the licensing of " + host, Detail: fmt.Sprintf("The session host's Resultant Set of Policy shows that a domain GPO sets %s on %s. Domain GPOs apply after local policy, so they win, and each policy refresh writes their values over the local ones this resource writes. "+
		"Manage the setting in the GPO (rdslicensing_domain_licensing_policy), or remove this resource.", strings.Join(parts, " and "), host)}, true
}
