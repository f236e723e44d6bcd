// Package endpointservers decides the license server's "License server
// security group" policy and the membership of its local group RDS
// Endpoint Servers: with the policy on, only session hosts whose computer
// accounts are in the group get CALs (docs/design/endpoint-servers.md).
package endpointservers

import (
	"fmt"
	"slices"
	"strings"
)

// GroupSID is the well-known alias BUILTIN\RDS Endpoint Servers
// (DOMAIN_ALIAS_RID_RDS_ENDPOINT_SERVERS = 576): the scripts address the
// group by it, never by its localised name.
const GroupSID = "S-1-5-32-576"

// Account is the account a member names: a computer name ("RDSH01", or
// an FQDN, whose first label is the name) is its computer account
// "RDSH01$", which Windows looks up in the license server's domain and
// those it trusts; a name with a domain ("CONTOSO\RDSH01$", or a group
// "CONTOSO\RDS Session Hosts") is taken as it is.
func Account(member string) string {
	m := strings.TrimSpace(member)
	if strings.Contains(m, `\`) {
		return m
	}
	if i := strings.IndexByte(m, '.'); i > 0 {
		m = m[:i]
	}
	m = strings.ToUpper(m)
	if !strings.HasSuffix(m, "$") {
		m += "$"
	}
	return m
}

// invalidChars are the characters a NetBIOS computer name cannot hold,
// and a space: https://learn.microsoft.com/en-us/troubleshoot/windows-server/active-directory/naming-conventions-for-computer-domain-site-ou
const invalidChars = `\/:*?"<>| `

// MemberProblem says what is wrong with a member as the configuration
// names it; "" when nothing is.
func MemberProblem(member string) string {
	m := strings.TrimSpace(member)
	switch {
	case m == "":
		return "an empty name: name a session host (\"RDSH01\" or \"rdsh01.contoso.com\") or an account with its domain (\"CONTOSO\\RDSH01$\")"
	case m != member:
		return fmt.Sprintf("%q has spaces around it: remove them", member)
	case strings.Count(m, `\`) > 1:
		return fmt.Sprintf("%q has more than one backslash: write DOMAIN\\NAME", m)
	case strings.HasPrefix(m, `\`) || strings.HasSuffix(m, `\`):
		return fmt.Sprintf("%q lacks its domain or its name around the backslash: write DOMAIN\\NAME", m)
	case strings.Contains(m, `\`):
		return ""
	}
	name := strings.TrimSuffix(m, "$")
	if i := strings.IndexByte(name, '.'); i >= 0 {
		name = name[:i]
	}
	switch {
	case name == "":
		return fmt.Sprintf("%q has no computer name before its first dot", m)
	case len(name) > 15:
		return fmt.Sprintf("%q is longer than the 15 characters of a computer (NetBIOS) name: name the session host by its computer name, or give the account with its domain (DOMAIN\\NAME$)", name)
	case strings.ContainsAny(name, invalidChars):
		return fmt.Sprintf("%q holds a character computer names cannot have (one of %s)", name, invalidChars)
	}
	return ""
}

// Matches reports whether current, a group member as Windows names it
// ("CONTOSO\RDSH01$"), is account: an account with a domain must match
// whole, one without matches the name in any domain (case ignored).
func Matches(account, current string) bool {
	if strings.Contains(account, `\`) {
		return strings.EqualFold(account, current)
	}
	if _, name, ok := strings.Cut(current, `\`); ok {
		current = name
	}
	return strings.EqualFold(account, current)
}

func matchesAny(accounts []string, current string) bool {
	for _, a := range accounts {
		if Matches(a, current) {
			return true
		}
	}
	return false
}

func accounts(members []string) []string {
	var out []string
	for _, m := range members {
		out = append(out, Account(m))
	}
	return out
}

// Change is what a write does to the group.
type Change struct {
	// Add are the accounts to add (Account of the members not in it yet).
	Add []string
	// Remove are the members to remove, as Windows names them.
	Remove []string
}

// Plan is the change that gives the group the members the configuration
// names (want): those missing are added; with exclusive every other
// member goes, otherwise only those the resource named before (dropped:
// the prior members the configuration no longer names), so that members
// added by hand or by another tool stay.
func Plan(want, dropped []string, current []string, exclusive bool) Change {
	c := Change{Add: accounts(Missing(want, current))}
	wantAccounts, droppedAccounts := accounts(want), accounts(dropped)
	for _, m := range current {
		if !matchesAny(wantAccounts, m) && (exclusive || matchesAny(droppedAccounts, m)) {
			c.Remove = append(c.Remove, m)
		}
	}
	return c
}

// Others are the members the configuration does not name (want).
func Others(want []string, current []string) []string {
	wantAccounts := accounts(want)
	out := []string{}
	for _, m := range current {
		if !matchesAny(wantAccounts, m) {
			out = append(out, m)
		}
	}
	return out
}

// Missing are the members of want the group does not hold.
func Missing(want []string, current []string) []string {
	var out []string
	for _, w := range want {
		if !slices.ContainsFunc(current, func(m string) bool { return Matches(Account(w), m) }) {
			out = append(out, w)
		}
	}
	return out
}
