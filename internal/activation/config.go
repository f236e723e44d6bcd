package activation

import (
	"fmt"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

// Config is what ConfigProblems checks of a configuration: which
// attributes are set (null or not), and the method when known.
type Config struct {
	Method                                        string
	MethodKnown                                   bool
	LicenseServerID, LicenseServerIDWO, WOVersion bool
	ReactivationTrigger, ReactivationReason       bool
}

// Problem is a configuration error on an attribute.
type Problem = rds.Problem

// ConfigProblems are the errors of a configuration that need no host:
// attributes that go together, or exclude each other.
func ConfigProblems(c Config) []Problem {
	var out []Problem
	if c.LicenseServerID && c.LicenseServerIDWO {
		out = append(out, Problem{Attr: "license_server_id_wo", Summary: "Conflicting license server IDs", Detail: "Set license_server_id or license_server_id_wo, not both. license_server_id_wo (Terraform and OpenTofu 1.11 and later) keeps the ID out of the state; license_server_id stores it there, marked sensitive."})
	}
	if c.LicenseServerIDWO && !c.WOVersion {
		out = append(out, Problem{Attr: "license_server_id_wo_version", Summary: "Missing license_server_id_wo_version", Detail: "license_server_id_wo is write-only: Terraform never stores it, so it cannot see it change. Set license_server_id_wo_version (e.g. 1) with it, and change that number whenever you change license_server_id_wo."})
	}
	if !c.LicenseServerIDWO && c.WOVersion {
		out = append(out, Problem{Attr: "license_server_id_wo_version", Summary: "license_server_id_wo_version without license_server_id_wo", Detail: "license_server_id_wo_version only marks changes of license_server_id_wo, which is not set. Set license_server_id_wo, or remove license_server_id_wo_version."})
	}
	switch c.Method {
	case MethodLicenseServerID:
		if !c.LicenseServerID && !c.LicenseServerIDWO {
			out = append(out, Problem{Attr: "method", Summary: "Missing license server ID", Detail: `method = "license_server_id" activates the license server with the 35-character license server ID that the Microsoft Clearinghouse issues for the server's product ID, but neither license_server_id nor license_server_id_wo is set. ` +
				`Get the ID on the Clearinghouse web site (https://activate.microsoft.com) or by telephone, giving the server's product ID (this resource's product_id once it exists, RD Licensing Manager's Activate Server Wizard, or (Get-CimInstance Win32_TSLicenseServer).ProductId on the server), ` +
				`then set license_server_id, or license_server_id_wo with license_server_id_wo_version. Or set method = "automatic" if the server reaches the Internet (outbound TCP 443).`})
		}
	case MethodAutomatic, "":
		for _, a := range []struct {
			name string
			set  bool
		}{{"license_server_id", c.LicenseServerID}, {"license_server_id_wo", c.LicenseServerIDWO}} {
			if a.set && c.MethodKnown {
				out = append(out, Problem{Attr: a.name, Summary: "License server ID with automatic activation", Detail: a.name + ` is only used with method = "license_server_id". With method = "automatic" (the default) the Microsoft Clearinghouse gives the server its ID over the Internet, and the provider reads it into license_server_id. ` +
					`Set method = "license_server_id" to activate with this ID (for a server without Internet access), or remove ` + a.name + `.`})
			}
		}
	}
	if c.ReactivationTrigger && !c.ReactivationReason {
		out = append(out, Problem{Attr: "reactivation_reason", Summary: "Missing reactivation_reason", Detail: "reactivation_trigger reactivates the license server when it changes, and Windows needs the reason for the reactivation: set reactivation_reason to redeployed, certificate_corrupt, private_key_compromised, activation_key_expired or server_upgraded."})
	}
	if c.ReactivationReason && !c.ReactivationTrigger {
		out = append(out, Problem{Attr: "reactivation_trigger", Summary: "reactivation_reason without reactivation_trigger", Detail: "reactivation_reason is the reason given for a reactivation, and reactivations happen when reactivation_trigger changes; alone it does nothing. Set reactivation_trigger too (any value, e.g. a date; change it to reactivate), or remove reactivation_reason."})
	}
	return out
}

// PastIDWarning warns, at plan time, that activating a deactivated server
// again with attr (license_server_id or its _wo form) uses the ID of its
// former activation, which the Clearinghouse may not take again.
func PastIDWarning(host, attr, productID string) Problem {
	fix := "set license_server_id to it"
	if attr == "license_server_id_wo" {
		fix = "set license_server_id_wo to it and change license_server_id_wo_version"
	}
	return Problem{Attr: attr, Summary: "The license server on " + host + " may need a new license server ID", Detail: fmt.Sprintf("The license server on %s is not activated, and apply activates it again with %s, the license server ID of its former activation. "+
		"The Microsoft Clearinghouse may not accept an ID it issued before: if apply fails with invalid_code, get a new license server ID for product ID %s "+
		"on the Clearinghouse web site (https://activate.microsoft.com) or by telephone, and %s. Or activate it over the Internet with method = \"automatic\".",
		host, attr, productID, fix)}
}

// DeactivationWarning says, at plan time, what activated = false does: on
// create when prior is nil, else on the server the state knows.
func DeactivationWarning(host, method string, prior *Prior) Problem {
	summary, what := "The license server on "+host+" will be deactivated", "apply deactivates the license server on "+host
	if prior == nil {
		summary, what = "A new activation of "+host+" with activated = false", "activated = false: if the license server on "+host+" is activated, apply deactivates it"
	}
	detail := what + " with the Microsoft Clearinghouse, over the Internet (DeactivateServerAutomatic: the server needs outbound TCP 443 and the contact's first and last name). " +
		"Nothing is replaced: resources that take their host from this one stay as they are, and the CALs stay on the server, but until it is activated again the server issues only temporary CALs. Set activated = true to activate it again."
	if method == MethodLicenseServerID {
		detail += " With method = \"license_server_id\", activating it again may need a new license server ID from the Clearinghouse for the server's product ID"
		if prior != nil {
			detail += " " + prior.ProductID
		}
		detail += "."
	}
	return Problem{Attr: "activated", Summary: summary, Detail: detail}
}

// DomainProblems fail a plan that asks, of a server outside a domain
// (info), for a domain or forest discovery scope (scope, "" when not
// asked) or for the AD group (group).
func DomainProblems(info rds.HostInfo, scope string, group bool) []Problem {
	var out []Problem
	if scope != "" {
		out = append(out, Problem{Attr: "discovery_scope", Summary: "Discovery scope " + scope + " needs a domain", Detail: fmt.Sprintf("cannot set the discovery scope of the license server on %s to %d (%s): the server is not in a domain (workgroup %s), and outside a domain the only scope is 0 (workgroup). Set discovery_scope = \"workgroup\" or leave it out, or join the server to a domain first.",
			info.ComputerName, ScopeRole(scope), scope, info.Domain)})
	}
	if group {
		out = append(out, Problem{Attr: "add_to_license_servers_group", Summary: "The license server is not in a domain", Detail: fmt.Sprintf("the license server on %s is not in a domain (workgroup %s): the Active Directory group \"Terminal Server License Servers\" exists only in a domain. Set add_to_license_servers_group = false or leave it out, or join the server to a domain first.",
			info.ComputerName, info.Domain)})
	}
	return out
}
