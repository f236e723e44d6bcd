// Package calrevocation decides which per-device CALs a revocation gives
// back, as RD Licensing Manager's "Revoke License" does, within Windows'
// limit: only per-device CALs, and at most a fifth of a version's
// installed per-device CALs revoked (docs/design/cal-revocation.md).
package calrevocation

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/keypacks"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
)

// License statuses of Win32_TSIssuedLicense.
const (
	statusActive  = 2
	statusRevoked = 4
)

// Percent is the share of a version's installed per-device CALs that may
// be revoked.
const Percent = 20

// DeviceName is how a device's CALs are matched: its computer name, the
// first label of an FQDN, without case.
func DeviceName(s string) string {
	name, _, _ := strings.Cut(strings.TrimSpace(s), ".")
	return strings.ToUpper(name)
}

// Select picks the active (permanent) per-device CALs issued to devices,
// by key pack and license ID, each once (a device may be named twice, as
// PC01 and pc01.contoso.com); missing are the devices that hold none (a
// temporary CAL is not revoked: it expires on its own).
func Select(devices []string, licenses []rds.IssuedLicense) (selected []rds.IssuedLicense, missing []string) {
	seen := map[string]bool{}
	for _, d := range devices {
		found := false
		for _, l := range licenses {
			if l.LicenseStatus == statusActive && DeviceName(l.IssuedToComputer) == DeviceName(d) {
				found = true
				if key := fmt.Sprint(l.KeyPackID, "/", l.LicenseID); !seen[key] {
					seen[key] = true
					selected = append(selected, l)
				}
			}
		}
		if !found {
			missing = append(missing, d)
		}
	}
	slices.SortStableFunc(selected, func(a, b rds.IssuedLicense) int {
		if a.KeyPackID != b.KeyPackID {
			return int(a.KeyPackID - b.KeyPackID)
		}
		return int(a.LicenseID - b.LicenseID)
	})
	return selected, missing
}

// Room is how many more per-device CALs of each version (ProductVersionID)
// may be revoked: Percent of those installed, less those revoked.
func Room(packs []rds.KeyPack, licenses []rds.IssuedLicense) map[int]int64 {
	room := map[int]int64{}
	for _, kp := range packs {
		if kp.ProductType == 0 && !kp.BuiltIn {
			room[kp.ProductVersionID] += kp.TotalLicenses
		}
	}
	for v, installed := range room {
		room[v] = installed * Percent / 100
	}
	for _, l := range licenses {
		if l.LicenseStatus == statusRevoked {
			room[l.ProductVersionID]--
		}
	}
	return room
}

// Problem is what stops a revocation at plan, on attribute Attr: too many
// CALs of a version.
type Problem = rds.Problem

// LimitProblems are the versions whose selected CALs exceed their room.
func LimitProblems(host string, selected []rds.IssuedLicense, room map[int]int64) []Problem {
	count := map[int]int64{}
	var versions []int
	for _, l := range selected {
		if count[l.ProductVersionID] == 0 {
			versions = append(versions, l.ProductVersionID)
		}
		count[l.ProductVersionID]++
	}
	var out []Problem
	for _, v := range versions {
		if r := max(room[v], 0); count[v] > r {
			release := keypacks.ReleaseName(v)
			out = append(out, Problem{Attr: "devices", Summary: fmt.Sprintf("Too many Windows Server %s per-device CALs to revoke on %s", release, host), Detail: fmt.Sprintf("This revocation gives back %d Windows Server %s per-device CALs, and Windows allows %d more on %s now: at most %d%% of a version's installed per-device CALs may be revoked at a time. "+
				"Revoke fewer devices now, and the rest when revoked CALs have expired; or install more CALs of that version.", count[v], release, r, host, Percent)})
		}
	}
	return out
}

// Describe is one revoked CAL as the plan and the state show it.
func Describe(l rds.IssuedLicense) string {
	return fmt.Sprintf("%s: license %d of key pack %d (Windows Server %s %s, expires %s)", l.IssuedToComputer, l.LicenseID, l.KeyPackID,
		keypacks.ReleaseName(l.ProductVersionID), l.CALType, l.ExpirationDate)
}

// NothingToRevoke warns of the devices (missing, from Select) that hold
// no permanent per-device CAL on host.
func NothingToRevoke(host string, missing []string) (Problem, bool) {
	if len(missing) == 0 {
		return Problem{}, false
	}
	names := strings.Join(missing, ", ")
	return Problem{Attr: "devices", Summary: "No per-device CAL to revoke for " + names,
		Detail: "The license server on " + host + " has issued no permanent per-device CAL to " + names + " (a temporary CAL expires on its own, and a revoked one is gone): nothing is revoked for them. Check the names against RD Licensing Manager's list of issued CALs."}, true
}

// RevokeFailure is what a failed revoke_licenses says: what to do at
// Windows' limit, and that what was revoked before the failure stays so.
func RevokeFailure(host string, err error) rds.Failure {
	f := rds.Failure{Summary: "Cannot revoke the CALs on " + host, Err: err,
		Note: "The CALs revoked before the failure stay revoked; the next plan lists only those still issued."}
	if winrmclient.KindOf(err) == rds.KindRevokeLimit {
		f.Hints = []string{"Windows revokes at most 20% of a version's installed per-device CALs at a time: apply again after the date it names, with fewer devices."}
	}
	return f
}
