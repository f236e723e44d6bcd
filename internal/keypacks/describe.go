package keypacks

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

// Describe is a pack as messages show it, never with a code.
func Describe(kp rds.KeyPack) string {
	what := kp.TypeAndModel
	if what == "" {
		what = strings.ReplaceAll(CALType(kp.ProductType), "_", "-") + " CALs"
	}
	return fmt.Sprintf("%d %s %s", kp.TotalLicenses, kp.ProductVersion, what)
}

// CALRelease is the Windows Server release of a CAL ProductVersion number
// ("" for releases the provider does not install).
func CALRelease(id int) string {
	if r := ReleaseName(id); ProductVersion(r) == id {
		return r
	}
	return ""
}

// CALType is the cal_type of a ProductType ("" for the built-in type).
func CALType(t int) string {
	if n := CALTypeName(t); n == "per_device" || n == "per_user" {
		return n
	}
	return ""
}

// ProgramOfPack is the program that makes packs of kp's KeyPackType ("" for
// types the provider does not install). Type 1 is retail or a license key
// pack ID: the pack does not tell; retail is the common one.
func ProgramOfPack(kp rds.KeyPack) string {
	if p := ProgramOfType(kp.KeyPackType, false); ProgramNamed(p).Codes != nil {
		return p
	}
	return ""
}

// CALVersionTooNew: CALs of release version cannot go onto a license
// server running osRelease (unknown releases are left to the install).
func CALVersionTooNew(version, osRelease string) bool {
	cal, ls := ProductVersion(version), ProductVersion(osRelease)
	return cal != 0 && ls != 0 && cal > ls
}

// MixedCALWarning warns when installing CALs of productType would leave
// the license server with both per-user and per-device CALs.
func MixedCALWarning(packs []rds.KeyPack, productType int) string {
	for _, kp := range packs {
		if kp.BuiltIn || kp.TotalLicenses == 0 || (kp.ProductType != 0 && kp.ProductType != 1) || kp.ProductType == productType {
			continue
		}
		return fmt.Sprintf("Key pack %d already holds %s, and this key pack installs %s CALs. Windows allows both on one license server, but many guides say not to mix them: "+
			"a session host uses one licensing mode, so CALs of the other type stay unused unless some session hosts use the other mode. Check that this is what you mean.",
			kp.KeyPackID, Describe(kp), strings.ReplaceAll(CALType(productType), "_", "-"))
	}
	return ""
}

// CodeUsedHint names the packs on the host a used code probably
// installed, with the import command.
func CodeUsedHint(host string, in rds.InstallKeyPackInput, packs []rds.KeyPack) string {
	var found []rds.KeyPack
	it := IntentOf(in)
	for _, kp := range packs {
		if it.PackMatches(kp) {
			found = append(found, kp)
		}
	}
	if len(found) == 0 {
		return ""
	}
	p := ProgramNamed(in.Program)
	var b strings.Builder
	for _, kp := range found {
		fmt.Fprintf(&b, "\n  terraform import <address> %s/%d    # %s", host, kp.KeyPackID, Describe(kp))
	}
	single := "A " + p.CodeName + " is single-use: if this server installed it before, import that pack instead of installing again"
	if p.Counted {
		single = "If this server installed these CALs before, import that pack instead of installing again"
	}
	return fmt.Sprintf("%s on %s holds the CALs this resource declares: it is probably the pack this code installed. %s (<address> is this resource's address, e.g. rdslicensing_key_pack.cals; or use an import block with that id):\n%s",
		plural(len(found), "A key pack", "Key packs"), host, single, b.String())
}

// plural is one or many, by n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// CannotRemoveDetail explains a quantity that issued CALs prevent.
func CannotRemoveDetail(host string, own []rds.KeyPack, remove, want int64) string {
	var available, issued int64
	ids := make([]int64, len(own))
	for i, kp := range own {
		available += kp.AvailableLicenses
		issued += kp.IssuedLicenses
		ids[i] = kp.KeyPackID
	}
	return fmt.Sprintf("quantity = %d removes %d CALs, but only %d of the %d CALs in key pack %s on %s are not issued (%d are issued): Windows cannot take back issued CALs. "+
		"Set quantity to %d or more, or revoke per-device CALs (up to 20%%) or wait until issued CALs expire.",
		want, remove, available, Total(own), JoinIDs(ids), host, issued, Total(own)-available)
}

// KeepCALsDetail says that destroy leaves the CALs installed, released.
func KeepCALsDetail(host string, ids []int64) string {
	return fmt.Sprintf("The CALs of key pack %s stay installed on %s: remove_cals_on_destroy is false (the default), so Terraform only lets go of them. "+
		"The license server's key pack journal marks them free: a key pack resource that declares the same CALs (same program, code, release, type and quantity) takes them instead of installing again. "+
		"To remove them instead, set remove_cals_on_destroy = true and apply before destroying, or remove the pack in RD Licensing Manager.", JoinIDs(ids), host)
}

// JoinIDs lists key pack IDs for a message: "5, 7".
func JoinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ", ")
}

// Filter keeps the packs of a version and type ("" for any).
func Filter(packs []rds.KeyPack, version, calType string, builtIn bool) []rds.KeyPack {
	var out []rds.KeyPack
	for _, kp := range packs {
		switch {
		case kp.BuiltIn && !builtIn:
		case version != "" && ReleaseName(kp.ProductVersionID) != version:
		case calType != "" && CALTypeName(kp.ProductType) != calType:
		default:
			out = append(out, kp)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].KeyPackID < out[j].KeyPackID })
	return out
}
