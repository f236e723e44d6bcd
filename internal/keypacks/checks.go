package keypacks

import (
	"fmt"
	"strconv"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

// Finding is what a plan-time check of a new key pack found on its
// license server: an error on an attribute, or a warning (Attr "" for the
// whole resource).
type Finding struct {
	Attr, Summary, Detail string
	Warning               bool
}

// HostChecks are the checks of a new key pack of CALs of release version
// and calType that need only the license server's facts: Windows refuses
// CALs newer than the server's release, and per-user CALs outside a
// domain unless asked for.
func HostChecks(host string, info rds.HostInfo, version, calType string, allowPerUserInWorkgroup bool) []Finding {
	var out []Finding
	if CALVersionTooNew(version, info.OSVersion) {
		out = append(out, Finding{Attr: "product_version", Summary: fmt.Sprintf("Windows Server %s CALs cannot be installed on %s", version, host),
			Detail: fmt.Sprintf("Windows Server %s CALs cannot be installed on a Windows Server %s license server; a license server holds CALs of its own Windows Server release or older, and %s (%s) runs Windows Server %s. "+
				"Install these CALs on a Windows Server %s (or later) license server, or install CALs of Windows Server %s or older here.", version, info.OSVersion, info.ComputerName, host, info.OSVersion, version, info.OSVersion)})
	}
	if calType == "per_user" && !allowPerUserInWorkgroup && !info.PartOfDomain {
		out = append(out, Finding{Attr: "cal_type", Summary: "Per-user CALs need Active Directory",
			Detail: fmt.Sprintf("Per-user CALs need Active Directory: %s (%s) is in workgroup %s, not in a domain, so Windows cannot track or report per-user CALs. "+
				"Use per-device CALs (cal_type = \"per_device\"), join the license server to a domain, or set allow_per_user_in_workgroup = true to install them anyway.", info.ComputerName, host, info.Domain)})
	}
	return out
}

// InventoryChecks are the warnings of a new key pack that the server's key
// packs and journal give: per-user and per-device CALs mixed on one
// server; a free pack with the same CALs, which apply takes instead of
// installing (in, when the quantity is known); the same CALs installed by
// hand, to import rather than install again (counted programs only: a used
// single-use code is refused with its own hint).
func InventoryChecks(host string, list rds.KeyPackList, calType int, in *rds.InstallKeyPackInput) []Finding {
	var out []Finding
	if w := MixedCALWarning(list.KeyPacks, calType); w != "" {
		out = append(out, Finding{Attr: "cal_type", Summary: "Per-user and per-device CALs on one license server", Detail: w, Warning: true})
	}
	if in == nil {
		return out
	}
	v, err := NewView(list)
	if err != nil {
		return out
	}
	it := IntentOf(*in)
	if free := FreeEntries(v, it); len(free) > 0 {
		kp, _ := v.Pack(free[0].KeyPackID)
		return append(out, Finding{Summary: "Apply takes key pack " + strconv.FormatInt(kp.KeyPackID, 10) + " on " + host + " instead of installing", Warning: true,
			Detail: fmt.Sprintf("Key pack %d on %s (%s) holds the CALs this resource declares, with the same code, and no resource holds it: an earlier destroy or replacement kept it. "+
				"Apply makes this resource its owner instead of installing the CALs again. To install new CALs instead, change the declaration (a different code or quantity).", kp.KeyPackID, host, Describe(kp))})
	}
	if !ProgramNamed(in.Program).Counted {
		return out
	}
	if found := Unrecorded(v, it); len(found) > 0 {
		kp := found[0]
		out = append(out, Finding{Summary: "A key pack with these CALs is already on " + host, Warning: true,
			Detail: fmt.Sprintf("Key pack %d on %s already holds %s, and the provider did not install it. If it is the one this resource declares, import it (terraform import <address> %s/%d) instead of installing the same CALs again; otherwise ignore this warning.",
				kp.KeyPackID, host, Describe(kp), host, kp.KeyPackID)})
	}
	return out
}
