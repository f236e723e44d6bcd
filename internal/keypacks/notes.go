package keypacks

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/licensecodes"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

// Notes tell how the CALs came to the resource when it was not a plain
// install, as warnings.
func (r Result) Notes(host string) []Finding {
	var out []Finding
	id := strconv.FormatInt(r.Pack.KeyPackID, 10)
	switch r.How {
	case HowRecovered:
		out = append(out, Finding{Warning: true, Summary: "Key pack " + id + " installed on " + host + " after an interrupted answer",
			Detail: fmt.Sprintf("The answer to the install on %s was lost (%s). The license server's key pack journal shows that the install made key pack %d (%s): the resource holds it, and nothing was installed twice.",
				host, r.Why, r.Pack.KeyPackID, Describe(r.Pack))})
	case HowClaimed:
		out = append(out, Finding{Warning: true, Summary: "Took key pack " + id + " on " + host + " instead of installing",
			Detail: fmt.Sprintf("%s. The resource now holds key pack %d (%s) on %s; nothing was installed.", r.Why, r.Pack.KeyPackID, Describe(r.Pack), host)})
	}
	if r.Attempts > 1 {
		out = append(out, Finding{Warning: true, Summary: "Install on " + host + " tried again",
			Detail: fmt.Sprintf("%d installs were started on %s: each one before the last was interrupted before it made a key pack (the license server's journal shows it), so trying again installed nothing twice.", r.Attempts, host)})
	}
	return out
}

// DeclaredMismatch warns when a single-use code installed other CALs than
// in declared: the code decides its CALs' release and type.
func DeclaredMismatch(host string, pack rds.KeyPack, in rds.InstallKeyPackInput) (Finding, bool) {
	p := ProgramNamed(in.Program)
	if p.Counted || (pack.ProductVersionID == in.ProductVersion && pack.ProductType == in.ProductType) {
		return Finding{}, false
	}
	declared := IntentOf(in)
	return Finding{Warning: true, Summary: "The " + p.CodeName + " installed other CALs than declared",
		Detail: fmt.Sprintf("The %s installed %s as key pack %d on %s, not the declared Windows Server %s %s CALs. The CALs are installed and the code is used. Set product_version = %q and cal_type = %q in the configuration: until then plan fails, rather than install the used code again.",
			p.CodeName, Describe(pack), pack.KeyPackID, host, CALRelease(declared.ProductVersion), strings.ReplaceAll(CALType(declared.ProductType), "_", "-"), CALRelease(pack.ProductVersionID), CALType(pack.ProductType))}, true
}

// InstallFailure explains the errors of Acquire that are the installer's
// own (the outcome of a lost answer); ok is false for the install's own
// error. cause, when set, is the operation error the caller explains
// after detail.
func InstallFailure(host string, err error) (summary, detail string, cause error, ok bool) {
	var (
		pending *PendingError
		amb     *AmbiguousError
		none    *NotInstalledError
	)
	switch {
	case errors.As(err, &pending):
		return "Cannot tell yet whether CALs were installed on " + host,
			fmt.Sprintf("The answer to the install on %s was lost, and the license server did not show what the install did before the timeout: %s. "+
				"The install is recorded in the license server's key pack journal (request %s) and in the state, so nothing is lost and nothing will be installed twice: "+
				"apply again when %s answers. The plan may show this key pack as tainted and to be replaced: that replacement keeps the CALs and takes back the key pack the install made, if any; it installs only if the install made nothing.",
				host, pending.Why, pending.RequestID, host), pending.Err, true
	case errors.As(err, &amb):
		var b strings.Builder
		for _, kp := range amb.Candidates {
			fmt.Fprintf(&b, "\n  terraform import <address> %s/%d    # %s", host, kp.KeyPackID, Describe(kp))
		}
		return "Cannot tell which key pack was installed on " + host,
			fmt.Sprintf("The answer to the install on %s was lost, and several new key packs with these CALs appeared meanwhile (installed by hand at the same time?): %s. "+
				"The request stays in the state, so no apply installs these CALs again until this is resolved: look in RD Licensing Manager, remove this resource from the state (terraform state rm <address>), and import the pack it installed:%s", host, err.Error(), b.String()), nil, true
	case errors.As(err, &none):
		return "Nothing was installed on " + host,
			fmt.Sprintf("The install on %s was interrupted %d time(s), and the license server's key pack journal shows that nothing was installed: %s. It is safe to apply again.", host, none.Attempts, none.Why), none.Err, true
	}
	return "", "", nil, false
}

// InstallHint is what to do about an install Windows refused (err, not
// an InstallFailure): a used code names the pack that holds it (packs
// lists the server's key packs, nil when they cannot be read), a refused
// retail code its likely typos, an unactivated server the wiring that
// activates it first. "" when there is nothing to add.
func InstallHint(host string, in rds.InstallKeyPackInput, err error, packs func() []rds.KeyPack) string {
	switch {
	case isKind(err, rds.KindCodeAlreadyUsed):
		if list := packs(); list != nil {
			return CodeUsedHint(host, in, list)
		}
	case isKind(err, rds.KindInvalidCode) && in.Program == "retail":
		return licensecodes.RetailHint(in.LicenseCode)
	case isKind(err, rds.KindNotActivated):
		return "If the rdslicensing_server_activation of this license server is in the same configuration, make this key pack depend on it (host = rdslicensing_server_activation.<name>.id), so that the activation comes first."
	}
	return ""
}

// UnreadableWarning: a refresh that cannot reach RD Licensing (role
// removed, restart pending) keeps the packs in the state, rather than
// install them again: the licensing database outlives the role.
const UnreadableWarning = "The key packs stay in the state unchanged until RD Licensing answers again."

// RoleGoneDetail says why a destroy on a server without RD Licensing
// left the key packs as they are.
func RoleGoneDetail(host string) string {
	return "The key packs could not be released or removed: RD Licensing is not installed on " + host + ". The licensing database outlives the role; its CALs come back when the role does."
}

// LeaveWarning says in a plan what a destroy (what: "Destroy", or
// "Replacing the key pack") does with a resource's CALs: packs ids with
// total CALs of typeAndModel, bought under program.
func LeaveWarning(what, host string, ids []int64, total int64, typeAndModel, program string, remove bool) Finding {
	if !remove {
		return Finding{Warning: true, Summary: fmt.Sprintf("%s keeps the CALs on %s", what, host), Detail: KeepCALsDetail(host, ids)}
	}
	return Finding{Warning: true, Summary: fmt.Sprintf("%s removes %d CALs from %s", what, total, host),
		Detail: fmt.Sprintf("remove_cals_on_destroy = true: %s removes key pack %s (%d CALs, %s) from %s with UninstallLicenseKeyPackWithId. %s "+
			"To keep them, set remove_cals_on_destroy = false and apply first.",
			strings.ToLower(what[:1])+what[1:], JoinIDs(ids), total, typeAndModel, host, reinstallNote(program))}
}

// reinstallNote says what removing a program's CALs costs.
func reinstallNote(program string) string {
	if ProgramNamed(program).Counted {
		return "Installing them again draws them from the agreement or Open License again at the Microsoft Clearinghouse."
	}
	return "A " + ProgramNamed(program).CodeName + " is single-use: the CALs cannot be installed again with it."
}

// UnactivatedServer fails the plan of an install on a license server that
// nothing activates before it: roleMissing (no RD Licensing yet) or
// notActivated, when no activation is planned before the key pack.
func UnactivatedServer(host string, roleMissing, notActivated bool) (Finding, bool) {
	const fix = "Windows installs CALs only on an activated license server. Activate it first: add an rdslicensing_server_activation for it and take this key pack's host from it " +
		"(host = rdslicensing_server_activation.<name>.id), so that Terraform plans and applies the activation first; or activate the server in RD Licensing Manager."
	switch {
	case roleMissing:
		return Finding{Attr: "host", Summary: "RD Licensing is not installed on " + host,
			Detail: "The RD Licensing role service is not installed on " + host + ", and no rdslicensing_server_activation planned before this key pack activates the server. " + fix}, true
	case notActivated:
		return Finding{Attr: "host", Summary: "The license server on " + host + " is not activated",
			Detail: "The license server on " + host + " is not activated, and no rdslicensing_server_activation planned before this key pack activates it. " + fix}, true
	}
	return Finding{}, false
}

// SingleUseChange refuses a plan that changes attr (product_version or
// cal_type) of key pack id, installed with p's single-use code: the code
// decides them, and replacing the pack would install the used code again.
func SingleUseChange(p Program, attr, have string, id int64, host string) Finding {
	return Finding{Attr: attr, Summary: "The key pack's " + attr + " is " + have,
		Detail: fmt.Sprintf("Key pack %d on %s holds CALs with %s = %q: a %s decides the release and type of its CALs. Changing %s would replace the key pack and install the same code again, which the Microsoft Clearinghouse refuses (the code is single-use). "+
			"Set %s = %q; to install another code instead, change the code too (with a _wo form: a new codes_wo_version).", id, host, attr, have, p.CodeName, attr, attr, have)}
}

// PendingWarning says in a plan that an earlier install of the resource
// (o's pending ones) has an outcome the license server has not shown yet.
func PendingWarning(host string, o Ownership) Finding {
	return Finding{Warning: true, Summary: "An earlier install on " + host + " has an unknown outcome",
		Detail: fmt.Sprintf("An install of CALs for this key pack (request %s) was interrupted, and the license server has not shown yet what it did. "+
			"Apply looks at the license server's journal first, and installs only the CALs that are missing: the quantity in this plan may already be there.", o.PendingIDs())}
}

// Explain says what went wrong in err, from Acquire (as an *InstallError)
// or a lifecycle step, as failures, joined errors each on its own. An
// install Windows refused gets what to do about it: the key packs are read
// again to name the one that holds a used code.
func (i *Installer) Explain(ctx context.Context, err error) []rds.Failure {
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		var out []rds.Failure
		for _, e := range joined.Unwrap() {
			out = append(out, i.Explain(ctx, e)...)
		}
		return out
	}
	var (
		inst *InstallError
		step *StepError
		f    Finding
	)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &inst):
		return []rds.Failure{i.explainInstall(ctx, inst.In, inst.Err)}
	case errors.As(err, &step):
		return []rds.Failure{*step}
	case errors.As(err, &f):
		return []rds.Failure{{Attr: f.Attr, Summary: f.Summary, Detail: f.Detail}}
	}
	return []rds.Failure{{Summary: "Cannot change the key packs on " + i.Server, Err: err}}
}

// explainInstall explains a failed install of in.
func (i *Installer) explainInstall(ctx context.Context, in rds.InstallKeyPackInput, err error) rds.Failure {
	if summary, detail, cause, ok := InstallFailure(i.Server, err); ok {
		return rds.Failure{Summary: summary, Detail: detail, Err: cause}
	}
	hint := InstallHint(i.Server, in, err, func() []rds.KeyPack {
		list, lerr := i.Host.List(ctx)
		if lerr != nil {
			return nil
		}
		return list.KeyPacks
	})
	return rds.Failure{Summary: "Cannot install CALs on " + i.Server, Err: err, Hints: []string{hint}}
}
