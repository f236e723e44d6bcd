package winsim

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

// Domain Group Policy (get_gpo_licensing, set_gpo_licensing), mirroring
// the scripts and scripts/lib/grouppolicy.ps1 on a model of the
// GroupPolicy module's cmdlets, and the policy refresh that applies a
// domain's GPOs to its hosts.

func init() {
	register(rds.GetGPOLicensing, getGPOLicensing)
	register(rds.SetGPOLicensing, setGPOLicensing)
	registerSteps(rds.SetGPOLicensing.Name, stepGPOWritten)
}

// stepGPOWritten: the GPO's values and links are written (a GPO to delete
// is not deleted yet).
const stepGPOWritten = "written"

// tsPolicyKey is where both licensing settings live.
const tsPolicyKey = `HKLM\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services`

// Domains returns a copy of the domains' Group Policy.
func (s *Sim) Domains() []DomainState {
	s.domMu.Lock()
	defer s.domMu.Unlock()
	return cloneJSON(s.domains)
}

// UpdateDomain changes a domain's Group Policy out of band (an
// administrator in Group Policy Management), creating the domain's entry.
func (s *Sim) UpdateDomain(name string, fn func(d *DomainState)) {
	s.domMu.Lock()
	defer s.domMu.Unlock()
	fn(s.domainLocked(name))
}

func (s *Sim) domainLocked(name string) *DomainState {
	for i := range s.domains {
		if strings.EqualFold(s.domains[i].Name, name) {
			return &s.domains[i]
		}
	}
	s.domains = append(s.domains, DomainState{Name: strings.ToLower(name)})
	return &s.domains[len(s.domains)-1]
}

// domainDN is a DNS domain's distinguished name: "DC=contoso,DC=com".
func domainDN(dns string) string {
	parts := strings.Split(dns, ".")
	for i, p := range parts {
		parts[i] = "DC=" + p
	}
	return strings.Join(parts, ",")
}

// --- Windows ------------------------------------------------------------

func (d *DomainState) gpo(name string) *GPOState {
	for i := range d.GPOs {
		if strings.EqualFold(d.GPOs[i].Name, name) {
			return &d.GPOs[i]
		}
	}
	return nil
}

// targetExists: Get-GPInheritance finds the target (the domain or an OU).
func (d *DomainState) targetExists(target string) bool {
	return strings.EqualFold(target, domainDN(d.Name)) || slices.ContainsFunc(d.OUs, func(ou string) bool { return strings.EqualFold(ou, target) })
}

func (g *GPOState) value(name string) (GPOSetting, bool) {
	for _, v := range g.Settings {
		if strings.EqualFold(v.Key, tsPolicyKey) && strings.EqualFold(v.ValueName, name) {
			return v, true
		}
	}
	return GPOSetting{}, false
}

func (g *GPOState) setValue(v GPOSetting) {
	g.removeValue(v.ValueName)
	g.Settings = append(g.Settings, v)
}

func (g *GPOState) removeValue(name string) {
	g.Settings = slices.DeleteFunc(g.Settings, func(v GPOSetting) bool {
		return strings.EqualFold(v.Key, tsPolicyKey) && strings.EqualFold(v.ValueName, name)
	})
}

func (g *GPOState) linkIndex(target string) int {
	return slices.IndexFunc(g.Links, func(l GPOLink) bool { return strings.EqualFold(l.Target, target) })
}

// newGPOID is a GUID for a new GPO, stable for its name.
func newGPOID(domain, name string) string {
	h := sha256.Sum256([]byte(strings.ToLower(domain + "/" + name)))
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// RefreshPolicy is a policy refresh (gpupdate) on host: the domain's GPOs
// linked, enabled, to the domain or to the host's OU and its parents apply
// in the order Windows processes them (domain first, then each OU from
// the top down; within a target, the link ranked 1 last), so the closest
// one wins. Each licensing value a domain GPO sets is written to the
// host's policy values; one a domain GPO set before and none sets now is
// removed. Enforced links and blocked inheritance are not modelled.
func (s *Sim) RefreshPolicy(host string) error {
	h := s.lookup(host)
	if h == nil {
		return fmt.Errorf("no host %s", host)
	}
	st := h.State()
	if st.Domain == "" {
		return nil
	}
	var d DomainState
	s.domMu.Lock()
	for _, dom := range s.domains {
		if strings.EqualFold(dom.Name, st.Domain) {
			d = cloneJSON(dom)
		}
	}
	s.domMu.Unlock()
	type applied struct {
		gpo   GPOState
		depth int
		order int
	}
	var list []applied
	for _, g := range d.GPOs {
		for _, l := range g.Links {
			target := strings.ToLower(l.Target)
			ou := strings.ToLower(st.OU)
			if !l.Enabled || (target != strings.ToLower(domainDN(d.Name)) && ou != target && !strings.HasSuffix(ou, ","+target)) {
				continue
			}
			list = append(list, applied{g, strings.Count(target, ","), l.Order})
		}
	}
	sort.SliceStable(list, func(i, j int) bool {
		if list[i].depth != list[j].depth {
			return list[i].depth < list[j].depth
		}
		return list[i].order > list[j].order
	})
	h.Update(func(st *HostState) {
		sh := &st.SessionHost
		var mode *int
		var servers *string
		modeGPO, serversGPO := "", ""
		for _, a := range list {
			if v, ok := a.gpo.value("LicensingMode"); ok {
				n, _ := strconv.Atoi(v.Value)
				mode, modeGPO = &n, a.gpo.Name
			}
			if v, ok := a.gpo.value("LicenseServers"); ok {
				sv := v.Value
				servers, serversGPO = &sv, a.gpo.Name
			}
		}
		switch {
		case mode != nil:
			sh.PolicyLicensingMode, sh.PolicyLicensingModeGPO = mode, modeGPO
		case sh.PolicyLicensingModeGPO != "":
			sh.PolicyLicensingMode, sh.PolicyLicensingModeGPO = nil, ""
		}
		switch {
		case servers != nil:
			sh.PolicyLicenseServers, sh.PolicyLicenseServersGPO = servers, serversGPO
		case sh.PolicyLicenseServersGPO != "":
			sh.PolicyLicenseServers, sh.PolicyLicenseServersGPO = nil, ""
		}
	})
	return nil
}

// --- the scripts ----------------------------------------------------------

// assertGroupPolicyModule mirrors Assert-RdslGroupPolicyModule.
func assertGroupPolicyModule(x *opContext) error {
	st := x.Host
	if !st.DomainController && !st.FeatureInstalled(FeatureGPMC) {
		return fail("not_supported", "the GroupPolicy module (Group Policy Management, feature GPMC) is not installed on %s: run this resource on a domain controller or a management server that has it", st.Name)
	}
	if cs := computerSystem(x); !cs.PartOfDomain {
		return fail("invalid_input", "%s is not in a domain (workgroup %s): domain Group Policy is managed from a domain member", st.Name, cs.Domain)
	}
	return nil
}

// gpoLicensing mirrors Get-RdslGpoLicensing (d: the host's domain, locked).
func gpoLicensing(x *opContext, d *DomainState, name string, targets []string, changed, created bool) (rds.GPOLicensing, error) {
	out := rds.GPOLicensing{Links: []rds.GPLink{}, Domain: x.Host.Domain, Changed: changed, Created: created}
	g := d.gpo(name)
	if g == nil {
		return out, nil
	}
	out.Exists, out.ID = true, g.ID
	if v, ok := g.value("LicensingMode"); ok {
		n, _ := strconv.Atoi(v.Value)
		out.LicensingMode = &n
	}
	if v, ok := g.value("LicenseServers"); ok {
		sv := v.Value
		out.LicenseServers = &sv
	}
	for _, t := range targets {
		if !d.targetExists(t) {
			return rds.GPOLicensing{}, fail("script_error", "Get-GPInheritance: the target %s was not found in the domain %s", t, d.Name)
		}
		if i := g.linkIndex(t); i >= 0 {
			out.Links = append(out.Links, rds.GPLink{Target: t, Enabled: g.Links[i].Enabled, Enforced: g.Links[i].Enforced})
		}
	}
	return out, nil
}

// getGPOLicensing mirrors scripts/get_gpo_licensing.ps1.
func getGPOLicensing(x *opContext, in rds.GPOInput) (rds.GPOLicensing, error) {
	if err := assertGroupPolicyModule(x); err != nil {
		return rds.GPOLicensing{}, err
	}
	x.sim.domMu.Lock()
	defer x.sim.domMu.Unlock()
	return gpoLicensing(x, x.sim.domainLocked(x.Host.Domain), in.Name, in.Targets, false, false)
}

// setGPOLicensing mirrors scripts/set_gpo_licensing.ps1.
func setGPOLicensing(x *opContext, in rds.GPOLicensingInput) (rds.GPOLicensing, error) {
	if err := assertGroupPolicyModule(x); err != nil {
		return rds.GPOLicensing{}, err
	}
	if in.Name == "" {
		return rds.GPOLicensing{}, fail("invalid_input", "the GPO name is empty")
	}
	if m := in.LicensingMode; m != nil && *m != 2 && *m != 4 {
		return rds.GPOLicensing{}, fail("invalid_input", "licensing_mode must be 2 (per device) or 4 (per user), not %d", *m)
	}
	x.sim.domMu.Lock()
	defer x.sim.domMu.Unlock()
	d := x.sim.domainLocked(x.Host.Domain)
	for _, t := range append(slices.Clone(in.Link), in.Unlink...) {
		if !d.targetExists(t) {
			return rds.GPOLicensing{}, fail("not_found", "cannot read the Group Policy links of %s in the domain of %s: the target was not found; nothing was changed", t, x.Host.Name)
		}
	}
	changed, created := false, false
	g := d.gpo(in.Name)
	if g == nil {
		if in.Delete {
			return gpoLicensing(x, d, in.Name, in.Targets, false, false)
		}
		if !in.Create {
			return rds.GPOLicensing{}, fail("not_found", "no GPO named %s exists in the domain of %s: create it in Group Policy Management, or set create_gpo = true", in.Name, x.Host.Name)
		}
		d.GPOs = append(d.GPOs, GPOState{ID: newGPOID(d.Name, in.Name), Name: in.Name})
		g = &d.GPOs[len(d.GPOs)-1]
		changed, created = true, true
		x.markChanged()
	}
	for _, s := range []struct {
		name, typ string
		want      *string
	}{{"LicensingMode", "DWord", intString(in.LicensingMode)}, {"LicenseServers", "String", in.LicenseServers}} {
		cur, ok := g.value(s.name)
		switch {
		case s.want == nil && ok:
			g.removeValue(s.name)
		case s.want != nil && (!ok || cur.Value != *s.want):
			g.setValue(GPOSetting{Key: tsPolicyKey, ValueName: s.name, Type: s.typ, Value: *s.want})
		default:
			continue
		}
		changed = true
		x.markChanged()
	}
	for _, t := range in.Link {
		if g.linkIndex(t) < 0 {
			order := 1
			for _, other := range d.GPOs {
				if other.linkIndex(t) >= 0 {
					order++
				}
			}
			g.Links = append(g.Links, GPOLink{Target: t, Enabled: true, Order: order})
			changed = true
			x.markChanged()
		}
	}
	for _, t := range in.Unlink {
		if i := g.linkIndex(t); i >= 0 {
			g.Links = slices.Delete(g.Links, i, i+1)
			changed = true
			x.markChanged()
		}
	}
	if err := x.step(stepGPOWritten); err != nil {
		return rds.GPOLicensing{}, err
	}
	if in.Delete {
		d.GPOs = slices.DeleteFunc(d.GPOs, func(o GPOState) bool { return strings.EqualFold(o.Name, in.Name) })
		x.markChanged()
		return gpoLicensing(x, d, in.Name, in.Targets, true, created)
	}
	return gpoLicensing(x, d, in.Name, in.Targets, changed, created)
}

func intString(p *int) *string {
	if p == nil {
		return nil
	}
	s := strconv.Itoa(*p)
	return &s
}
