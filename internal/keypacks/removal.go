package keypacks

import (
	"fmt"
	"slices"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

// Removal is one step of lowering a resource's quantity.
type Removal struct {
	KeyPackID int64
	Count     int64
	// Whole: remove the whole pack (UninstallLicenseKeyPackWithId) rather
	// than CALs from it (RemoveLicensesWithIdCount).
	Whole bool
}

// PlanRemoval removes remove CALs that are not issued, newest pack first.
// A pack other than the first that would be left empty is removed whole,
// so that the resource's ID stays; ok is false when too few CALs are not
// issued.
func PlanRemoval(own []rds.KeyPack, remove int64) ([]Removal, bool) {
	var steps []Removal
	for i := len(own) - 1; i >= 0 && remove > 0; i-- {
		kp := own[i]
		take := min(kp.AvailableLicenses, remove)
		if take <= 0 {
			continue
		}
		steps = append(steps, Removal{KeyPackID: kp.KeyPackID, Count: take, Whole: i > 0 && take == kp.TotalLicenses && kp.IssuedLicenses == 0})
		remove -= take
	}
	return steps, remove <= 0
}

// LowerTo plans lowering own to want CALs on host (PlanRemoval); when too
// few are not issued, ok is false and f says so, on quantity.
func LowerTo(host string, own []rds.KeyPack, want int64) (steps []Removal, f Finding, ok bool) {
	remove := Total(own) - want
	if remove <= 0 {
		return nil, Finding{}, true
	}
	if steps, ok = PlanRemoval(own, remove); !ok {
		return nil, Finding{Attr: "quantity", Summary: fmt.Sprintf("Cannot remove %d CALs from %s", remove, host), Detail: CannotRemoveDetail(host, own, remove, want)}, false
	}
	return steps, Finding{}, true
}

// Own are the packs of ids that are still on the server, in ids order.
func Own(packs []rds.KeyPack, ids []int64) []rds.KeyPack {
	var out []rds.KeyPack
	for _, id := range ids {
		i := slices.IndexFunc(packs, func(kp rds.KeyPack) bool { return kp.KeyPackID == id && !kp.BuiltIn })
		if i >= 0 {
			out = append(out, packs[i])
		}
	}
	return out
}

// Total is the CALs in packs.
func Total(packs []rds.KeyPack) int64 {
	var n int64
	for _, kp := range packs {
		n += kp.TotalLicenses
	}
	return n
}

// Unrecorded are the packs, other than the built-in one, that no journal
// entry accounts for and that could hold it's CALs: installed by hand, or
// by a provider without the journal. The provider suggests importing them
// and never takes them on its own.
func Unrecorded(v View, it Intent) []rds.KeyPack {
	var out []rds.KeyPack
	for _, kp := range v.Packs {
		if _, ok := v.EntryOfPack(kp.KeyPackID); !ok && it.PackMatches(kp) {
			out = append(out, kp)
		}
	}
	return out
}
