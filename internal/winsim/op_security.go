package winsim

import (
	"slices"
	"strings"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

// The license server's "License server security group" policy and its
// local group RDS Endpoint Servers (get_license_server_security,
// set_license_server_security), mirroring their scripts and
// scripts/lib/security.ps1.

func init() {
	register(rds.GetLicenseServerSecurity, getLicenseServerSecurity)
	register(rds.SetLicenseServerSecurity, setLicenseServerSecurity)
	registerSteps(rds.SetLicenseServerSecurity.Name, stepPolicyWritten, stepMembersChanged)
}

// The steps of set_license_server_security a fault can stop it at.
const (
	stepPolicyWritten  = "policy_written"  // the policy value is written; the group not yet changed
	stepMembersChanged = "members_changed" // the group is changed; the service not restarted
)

// --- Windows ------------------------------------------------------------

// licensingServiceStarted is TermServLicensing starting: it reads the
// security group policy and the group's members.
func licensingServiceStarted(st *HostState) { st.LicenseServer.AppliedSecurity = nil }

// securityChanging keeps what the running service applies before a change
// of the policy or the group, unless the quirk applies changes at once.
func securityChanging(st *HostState) {
	ls := &st.LicenseServer
	if st.Quirks.EndpointServersLive || ls.AppliedSecurity != nil {
		return
	}
	applied := &AppliedSecurity{EndpointServers: slices.Clone(ls.EndpointServers)}
	if ls.SecureLicensing != nil {
		v := *ls.SecureLicensing
		applied.SecureLicensing = &v
	}
	ls.AppliedSecurity = applied
}

// appliedSecurity is what the licensing service enforces: whether the
// policy is on, and the group's members.
func (ls *LicenseServerState) appliedSecurity() (bool, []string) {
	policy, members := ls.SecureLicensing, ls.EndpointServers
	if ls.AppliedSecurity != nil {
		policy, members = ls.AppliedSecurity.SecureLicensing, ls.AppliedSecurity.EndpointServers
	}
	return policy != nil && *policy == 1, members
}

// endpointMemberIs reports whether a group member names host's computer
// account ("CONTOSO\RDSH01$", or the bare computer name of older
// scenarios).
func endpointMemberIs(member string, host *HostState) bool {
	domain, name, ok := strings.Cut(member, `\`)
	if !ok {
		return strings.EqualFold(strings.TrimSuffix(member, "$"), host.Name)
	}
	return strings.EqualFold(name, host.Name+"$") && host.Domain != "" && strings.EqualFold(domain, netBIOSDomainName(host.Domain))
}

// translateAccount mirrors NTAccount.Translate on a domain member: an
// account name with a domain, or without one (looked up in the host's own
// domain), found among the fleet's computer accounts: "DOMAIN\NAME$".
// winsim models computer accounts only (domain users and groups are not
// found). ok is false when the account cannot be mapped.
func (x *opContext) translateAccount(name string) (string, bool) {
	domain, account, qualified := strings.Cut(name, `\`)
	if !qualified {
		account, domain = name, netBIOSDomainName(x.Host.Domain)
	}
	computer, isComputer := strings.CutSuffix(account, "$")
	if !isComputer || computer == "" {
		return "", false
	}
	for _, h := range x.sim.Hosts() {
		peer := h.view()
		if peer.Domain != "" && strings.EqualFold(peer.Name, computer) && strings.EqualFold(netBIOSDomainName(peer.Domain), domain) {
			return netBIOSDomainName(peer.Domain) + `\` + strings.ToUpper(peer.Name) + "$", true
		}
	}
	return "", false
}

// --- the scripts ----------------------------------------------------------

// licenseServerSecurity mirrors Get-RdslLicenseServerSecurity.
func licenseServerSecurity(x *opContext, changed, restarted bool) rds.LicenseServerSecurity {
	st := x.Host
	cs := computerSystem(x)
	out := rds.LicenseServerSecurity{
		Members:       []string{},
		ServiceStatus: st.Services[ServiceLicensing].Status,
		PartOfDomain:  cs.PartOfDomain,
		Domain:        cs.Domain,
		ComputerName:  st.Name,
		Changed:       changed,
		Restarted:     restarted,
	}
	if v := st.LicenseServer.SecureLicensing; v != nil {
		p := *v
		out.Policy = &p
	}
	for _, m := range st.LicenseServer.EndpointServers {
		out.Members = append(out.Members, listedName(st, m))
	}
	return out
}

// listedName is a member as Get-LocalGroupMember names it: a bare name of
// an older scenario is its computer account in the host's domain.
func listedName(st *HostState, m string) string {
	if strings.Contains(m, `\`) || st.Domain == "" {
		return m
	}
	return netBIOSDomainName(st.Domain) + `\` + strings.ToUpper(strings.TrimSuffix(m, "$")) + "$"
}

// getLicenseServerSecurity mirrors scripts/get_license_server_security.ps1.
func getLicenseServerSecurity(x *opContext, _ rds.NoInput) (rds.LicenseServerSecurity, error) {
	if err := assertLicensingRole(x.Host); err != nil {
		return rds.LicenseServerSecurity{}, err
	}
	return licenseServerSecurity(x, false, false), nil
}

// setLicenseServerSecurity mirrors scripts/set_license_server_security.ps1.
func setLicenseServerSecurity(x *opContext, in rds.LicenseServerSecurityInput) (rds.LicenseServerSecurity, error) {
	st := x.Host
	if err := assertLicensingRole(st); err != nil {
		return rds.LicenseServerSecurity{}, err
	}
	if in.Policy != nil && *in.Policy != 0 && *in.Policy != 1 {
		return rds.LicenseServerSecurity{}, fail("invalid_input", "policy must be 1 (on), 0 (off) or null (not configured) on %s, not %d", st.Name, *in.Policy)
	}
	cs := computerSystem(x)
	if len(in.Add) > 0 && !cs.PartOfDomain {
		return rds.LicenseServerSecurity{}, fail("invalid_input", "the license server on %s is not in a domain (workgroup %s): only domain computer accounts can be added to RDS Endpoint Servers", st.Name, cs.Domain)
	}
	resolved := make([]string, len(in.Add))
	for i, name := range in.Add {
		account, ok := x.translateAccount(name)
		if !ok {
			return rds.LicenseServerSecurity{}, fail("not_found", "no account %s is known to %s (its domain and the domains it trusts): check the session host's name, or that its computer account exists; nothing was changed", name, st.Name)
		}
		resolved[i] = account
	}
	if in.RestartService && st.Services[ServiceLicensing].StartType == "Disabled" {
		return rds.LicenseServerSecurity{}, fail("not_supported", "the Remote Desktop Licensing service (TermServLicensing) is disabled on %s, so restart_service cannot restart it; enable the service or set restart_service = false; nothing was changed", st.Name)
	}

	ls := &st.LicenseServer
	changed := false
	switch {
	case in.Policy == nil && ls.SecureLicensing != nil:
		securityChanging(st)
		ls.SecureLicensing = nil
		changed = true
	case in.Policy != nil && (ls.SecureLicensing == nil || *ls.SecureLicensing != *in.Policy):
		securityChanging(st)
		v := *in.Policy
		ls.SecureLicensing = &v
		changed = true
	}
	if err := x.step(stepPolicyWritten); err != nil {
		return rds.LicenseServerSecurity{}, err
	}
	// Members already there are not added again, nor absent ones removed.
	for _, account := range resolved {
		if slices.ContainsFunc(ls.EndpointServers, func(m string) bool { return strings.EqualFold(listedName(st, m), account) }) {
			continue
		}
		securityChanging(st)
		ls.EndpointServers = append(ls.EndpointServers, account)
		changed = true
	}
	for _, name := range in.Remove {
		i := slices.IndexFunc(ls.EndpointServers, func(m string) bool { return strings.EqualFold(listedName(st, m), name) })
		if i < 0 {
			continue
		}
		securityChanging(st)
		ls.EndpointServers = slices.Delete(ls.EndpointServers, i, i+1)
		changed = true
	}
	if err := x.step(stepMembersChanged); err != nil {
		return rds.LicenseServerSecurity{}, err
	}
	restarted := false
	if changed && in.RestartService {
		// Restart-Service -Force: it starts again, reading both.
		svc := st.Services[ServiceLicensing]
		svc.Status = "Running"
		st.Services[ServiceLicensing] = svc
		licensingServiceStarted(st)
		restarted = true
		x.Note("Restart-Service TermServLicensing")
	}
	return licenseServerSecurity(x, changed, restarted), nil
}
