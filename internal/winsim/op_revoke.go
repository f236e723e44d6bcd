package winsim

import (
	"strconv"
	"strings"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

// The issued per-device CALs (list_issued_licenses) and their revocation
// (revoke_licenses), mirroring the scripts, on a model of
// Win32_TSIssuedLicense.Revoke.

func init() {
	register(rds.ListIssuedLicenses, listIssuedLicenses)
	register(rds.RevokeLicenses, revokeLicenses)
	registerSteps(rds.RevokeLicenses.Name, stepAfterFirstRevoke)
}

// stepAfterFirstRevoke: the first CAL is revoked, any others not yet.
const stepAfterFirstRevoke = "after_first_revoke"

// revokePercent is the share of a version's installed per-device CALs
// that may be revoked (value:RevokeLimit).
const revokePercent = 20

// --- Windows ------------------------------------------------------------

// revokeCAL models Win32_TSIssuedLicense.Revoke on IssuedCALs[i]: the CAL
// goes back to its key pack (LicenseStatus 4) unless the version's revoked
// per-device CALs already reach revokePercent of those installed; then it
// returns Quirks.RevokeLimitCode and, as NextRevokeAllowedOn, when the
// first revoked one expires (both UNVERIFIED). revokable is RevokableCals.
func (st *HostState) revokeCAL(i int) (code, revokable int64, next *time.Time) {
	ls := &st.LicenseServer
	cal := &ls.IssuedCALs[i]
	version, installed, revoked := -1, int64(0), int64(0)
	if k := st.keyPackIndex(cal.KeyPackID); k >= 0 {
		version = ls.KeyPacks[k].ProductVersionID
	}
	for _, kp := range ls.KeyPacks {
		if kp.ProductType == 0 && kp.ProductVersionID == version && !isBuiltInKeyPack(st.keyPackInstance(kp)) {
			installed += kp.TotalLicenses
		}
	}
	var firstExpiry *time.Time
	for _, c := range ls.IssuedCALs {
		if k := st.keyPackIndex(c.KeyPackID); c.LicenseStatus == 4 && k >= 0 && ls.KeyPacks[k].ProductVersionID == version {
			revoked++
			if e := c.ExpirationDate; firstExpiry == nil || e.Before(*firstExpiry) {
				firstExpiry = &e
			}
		}
	}
	limit := installed * revokePercent / 100
	if revoked >= limit {
		return st.Quirks.RevokeLimitCode, 0, firstExpiry
	}
	cal.LicenseStatus = 4
	if k := st.keyPackIndex(cal.KeyPackID); k >= 0 && ls.KeyPacks[k].IssuedLicenses > 0 {
		ls.KeyPacks[k].IssuedLicenses--
	}
	return 0, limit - revoked - 1, nil
}

// --- the scripts ----------------------------------------------------------

// listIssuedLicenses mirrors scripts/list_issued_licenses.ps1.
func listIssuedLicenses(x *opContext, _ rds.NoInput) (rds.IssuedLicenseList, error) {
	if err := assertLicensingRole(x.Host); err != nil {
		return rds.IssuedLicenseList{}, err
	}
	return rds.IssuedLicenseList{Licenses: x.Host.issuedLicenses()}, nil
}

// revokeLicenses mirrors scripts/revoke_licenses.ps1.
func revokeLicenses(x *opContext, in rds.RevokeInput) (rds.RevokeResult, error) {
	st := x.Host
	if err := assertLicensingRole(st); err != nil {
		return rds.RevokeResult{}, err
	}
	targets := make([]int, len(in.Licenses))
	for n, ref := range in.Licenses {
		i := -1
		for j, c := range st.LicenseServer.IssuedCALs {
			if c.LicenseID == ref.LicenseID && c.KeyPackID == ref.KeyPackID {
				i = j
				break
			}
		}
		if i < 0 {
			return rds.RevokeResult{}, fail("not_found", "no per-device CAL %d of key pack %d is issued on %s (it expired or was revoked and reissued meanwhile); nothing was revoked", ref.LicenseID, ref.KeyPackID, st.Name)
		}
		targets[n] = i
	}
	out := rds.RevokeResult{Revoked: []int64{}, AlreadyRevoked: []int64{}, RevokableCals: -1}
	for _, i := range targets {
		cal := st.LicenseServer.IssuedCALs[i]
		if cal.LicenseStatus == 4 {
			out.AlreadyRevoked = append(out.AlreadyRevoked, cal.LicenseID)
			continue
		}
		code, revokable, next := st.revokeCAL(i)
		rv, thrown := x.invokeMethod("Revoke", code)
		if thrown != nil {
			rv, next, revokable = cimErrorResult(thrown), nil, 0 // the out parameters are lost with the exception
		}
		if rv != 0 {
			nextText, kind := "", "wmi_error"
			if next != nil {
				nextText, kind = formatDate(*next), "revoke_limit"
			}
			done := []string{}
			for _, id := range out.Revoked {
				done = append(done, strconv.FormatInt(id, 10))
			}
			if len(done) == 0 {
				done = []string{"none"}
			}
			return rds.RevokeResult{}, failCode(kind, rv, "Revoke of per-device CAL %d (issued to %s) on %s returned %s (0x%X); Windows allows %d more revocations of this kind now, and the next on %s. Revoked before it: %s",
				cal.LicenseID, cal.IssuedToComputer, st.Name, wbemName(rv), rv, revokable, nextText, strings.Join(done, ", "))
		}
		out.Revoked = append(out.Revoked, cal.LicenseID)
		out.RevokableCals = revokable
		if len(out.Revoked) == 1 {
			if err := x.step(stepAfterFirstRevoke); err != nil {
				return rds.RevokeResult{}, err
			}
		}
	}
	return out, nil
}
