package keypacks

import (
	"context"
	"slices"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/licensecodes"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

// InstallInput is the install_key_pack input of a planned key pack c for
// count CALs; a code c holds only in its write-only form comes from the
// configuration (write-only values are never in the plan).
func InstallInput(c, config Config, count int64) rds.InstallKeyPackInput {
	code := func(attr string) string {
		v := c.Codes[attr]
		if !v.Known {
			v = config.Codes[attr+"_wo"]
		}
		return licensecodes.Normalize(v.Text)
	}
	in := rds.InstallKeyPackInput{
		Program:                 c.Program.Text,
		ProductVersion:          ProductVersion(c.ProductVersion.Text),
		ProductType:             CALTypeNumber[c.CALType.Text],
		AllowPerUserInWorkgroup: c.AllowPerUserInWorkgroup.Text == "true",
	}
	switch in.Program {
	case "retail":
		in.LicenseCode = code("license_code")
	case "open_license":
		in.LicenseNumber, in.AuthorizationNumber, in.LicenseCount = code("license_number"), code("authorization_number"), int(count)
	case "agreement":
		in.AgreementType = slices.Index(AgreementTypes, c.AgreementType.Text)
		in.AgreementNumber, in.LicenseCount = code("agreement_number"), int(count)
	case "license_key_pack_id":
		in.LicenseKeyPackID = code("license_key_pack_id")
	}
	return in
}

// sameCode: two known codes written differently (hyphens, spaces, case)
// are the same code.
func sameCode(a, b Value) bool {
	return licensecodes.Normalize(a.Text) == licensecodes.Normalize(b.Text)
}

// CodeChanged reports whether plan replaces the code of state: a new plain
// value (or one known only at apply), or a new codes_wo_version.
func CodeChanged(state, plan Config) bool {
	for _, a := range ProgramNamed(state.Program.Text).Codes {
		before, after := state.Codes[a], plan.Codes[a]
		if after.Set && !after.Known || before.Set && after.Set && !sameCode(before, after) {
			return true
		}
	}
	v, w := state.CodesWOVersion, plan.CodesWOVersion
	return v.Set && w.Set && (!w.Known || v.Text != w.Text)
}

// CodesMoved are the code attributes whose plain value in state moves to
// the write-only form in config with a different code: a new purchase to
// install, so a replacement. The same code only records the move.
func CodesMoved(state, config Config) []string {
	var out []string
	for _, a := range ProgramNamed(state.Program.Text).Codes {
		before, after := state.Codes[a], config.Codes[a+"_wo"]
		if before.Set && after.Known && !sameCode(before, after) {
			out = append(out, a)
		}
	}
	return out
}

// RetailCodeWarning warns of a retail code plan installs that has
// characters product keys leave out (licensecodes.RetailWarning), read
// from config when plan holds only its write-only form.
func RetailCodeWarning(plan, config Config) (Finding, bool) {
	if plan.Program.Text != "retail" {
		return Finding{}, false
	}
	attr, v := "license_code", plan.Codes["license_code"]
	if !v.Known {
		attr, v = "license_code_wo", config.Codes["license_code_wo"]
	}
	if !v.Known {
		return Finding{}, false
	}
	// No Attr: the CLI would quote the attribute's line, the code.
	summary, detail := licensecodes.RetailWarning(attr, v.Text)
	return Finding{Summary: summary, Detail: detail, Warning: true}, summary != ""
}

// Planner runs the plan-time checks that ask the license server. They are
// best effort: what cannot be asked yet (host unreachable, role coming in
// the same apply) is checked again at apply.
type Planner struct {
	Runner rds.Runner
	Host   string
	// ActivationPlanned: an rdslicensing_server_activation planned before
	// the key pack activates Host.
	ActivationPlanned bool
	// Debug logs a check skipped because the host could not be asked.
	Debug func(ctx context.Context, msg string, fields map[string]any)
}

// CheckNew checks a new key pack c on the license server: its Windows
// release and domain, its activation, and its key packs (in is the
// install, nil while the quantity is unknown).
func (p Planner) CheckNew(ctx context.Context, c Config, in *rds.InstallKeyPackInput) []Finding {
	if p.Runner == nil {
		return nil
	}
	info, err := rds.GetHostInfo.Run(ctx, p.Runner, p.Host, rds.NoInput{})
	if err != nil {
		if p.Debug != nil {
			p.Debug(ctx, "skipping the plan-time key pack checks: the host cannot be asked", map[string]any{"host": p.Host, "error": err.Error()})
		}
		return nil
	}
	out := HostChecks(p.Host, info, c.ProductVersion.Text, c.CALType.Text, c.AllowPerUserInWorkgroup.Text == "true")
	out = append(out, p.CheckActivated(ctx)...)
	list, err := rds.ListKeyPacks.Run(ctx, p.Runner, p.Host, rds.NoInput{})
	if err != nil {
		return out // e.g. the role comes in the same apply
	}
	return append(out, InventoryChecks(p.Host, list, CALTypeNumber[c.CALType.Text], in)...)
}

// CheckActivated fails the plan of an install (a new key pack, or more
// CALs) when nothing will have activated the license server before it.
// Terraform plans a resource after those it references, so the note of a
// planned activation is there when the key pack is wired to it.
func (p Planner) CheckActivated(ctx context.Context) []Finding {
	if p.ActivationPlanned || p.Runner == nil {
		return nil
	}
	ls, err := rds.GetLicenseServer.Run(ctx, p.Runner, p.Host, rds.NoInput{})
	if f, ok := UnactivatedServer(p.Host, isKind(err, rds.KindRoleMissing), err == nil && ls.ActivationStatus != 0); ok {
		return []Finding{f}
	}
	return nil
}

// PlanCreate is what the plan of a new key pack (plan, with the write-only
// codes in config) says: a retail code's likely typos, and when the host
// and the declaration are known, what the host would refuse (CheckNew).
func (p Planner) PlanCreate(ctx context.Context, plan, config Config) []Finding {
	var out []Finding
	if f, ok := RetailCodeWarning(plan, config); ok {
		out = append(out, f)
	}
	if p.Host == "" || !plan.Program.Known || !plan.ProductVersion.Known || !plan.CALType.Known || !plan.AllowPerUserInWorkgroup.Known {
		return out
	}
	var in *rds.InstallKeyPackInput
	if plan.Quantity.Known {
		i := InstallInput(plan, config, plan.Quantity.Int())
		in = &i
	}
	return append(out, p.CheckNew(ctx, plan, in)...)
}

// PlanUpdate is what the plan of a change says (CheckUpdate), and the
// code attributes that replace the key pack (CodesMoved). A replacement's
// own plan shows no warnings, so a new retail code's typos are warned of
// here.
func (p Planner) PlanUpdate(ctx context.Context, u Update, config Config) (findings []Finding, replace []string) {
	findings = p.CheckUpdate(ctx, u)
	replace = CodesMoved(u.State, config)
	if f, ok := RetailCodeWarning(u.Plan, config); ok && (u.Plan.Program.Text != u.State.Program.Text || CodeChanged(u.State, u.Plan) || len(replace) > 0) {
		findings = append(findings, f)
	}
	return findings, replace
}

// Update is a planned change of a key pack held as State.
type Update struct {
	State, Plan Config
	// KeyPackID is the resource's first pack (0 when none).
	KeyPackID int64
	IDs       []int64
	Ownership Ownership
}

// QuantityChanged: the plan changes the CALs of a counted program.
func (u Update) QuantityChanged() bool {
	q, w := u.State.Quantity, u.Plan.Quantity
	return ProgramNamed(u.State.Program.Text).Counted && (q.Set != w.Set || q.Known != w.Known || q.Text != w.Text)
}

// CheckUpdate checks a change of an existing key pack: an earlier install
// still pending, a single-use code's release or type changed (a
// replacement would install the used code again), more CALs on a server
// not activated, fewer CALs than are issued.
func (p Planner) CheckUpdate(ctx context.Context, u Update) []Finding {
	var out []Finding
	if len(u.Ownership.Pending) > 0 {
		out = append(out, PendingWarning(p.Host, u.Ownership))
	}
	prog := ProgramNamed(u.State.Program.Text)
	if !prog.Counted && u.Plan.Program.Text == u.State.Program.Text && !CodeChanged(u.State, u.Plan) && u.KeyPackID != 0 {
		for _, a := range []struct {
			attr       string
			plan, have Value
		}{{"product_version", u.Plan.ProductVersion, u.State.ProductVersion}, {"cal_type", u.Plan.CALType, u.State.CALType}} {
			if a.plan.Known && a.have.Set && a.plan.Text != a.have.Text {
				out = append(out, SingleUseChange(prog, a.attr, a.have.Text, u.KeyPackID, p.Host))
			}
		}
	}
	if !u.QuantityChanged() || !u.Plan.Quantity.Known {
		return out
	}
	have, want := u.State.Quantity.Int(), u.Plan.Quantity.Int()
	if want > have {
		return append(out, p.CheckActivated(ctx)...)
	}
	if p.Runner == nil {
		return out
	}
	list, err := rds.ListKeyPacks.Run(ctx, p.Runner, p.Host, rds.NoInput{})
	if err != nil {
		return out
	}
	if _, f, ok := LowerTo(p.Host, Own(list.KeyPacks, u.IDs), want); !ok {
		out = append(out, f)
	}
	return out
}

// Summary is what a resource shows of its key packs (oldest first).
type Summary struct {
	IDs                      []int64
	Total, Issued, Available int64
	// Expiry is the earliest expiration date ("" when none).
	Expiry string
	// First is the oldest pack; zero when there is none.
	First rds.KeyPack
}

// Summarize adds up the resource's packs.
func Summarize(packs []rds.KeyPack) Summary {
	var s Summary
	for i, kp := range packs {
		if i == 0 {
			s.First = kp
		}
		s.IDs = append(s.IDs, kp.KeyPackID)
		s.Total += kp.TotalLicenses
		s.Issued += kp.IssuedLicenses
		s.Available += kp.AvailableLicenses
		if kp.ExpirationDate != "" && (s.Expiry == "" || kp.ExpirationDate < s.Expiry) {
			s.Expiry = kp.ExpirationDate
		}
	}
	return s
}
