package provider

import (
	"context"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/keypacks"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winfacts"
)

// Ensure the resource satisfies the framework's interfaces.
var (
	_ resource.Resource                   = (*keyPackResource)(nil)
	_ resource.ResourceWithConfigure      = (*keyPackResource)(nil)
	_ resource.ResourceWithImportState    = (*keyPackResource)(nil)
	_ resource.ResourceWithValidateConfig = (*keyPackResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*keyPackResource)(nil)
)

// NewKeyPackResource is the rdslicensing_key_pack resource.
func NewKeyPackResource() resource.Resource { return &keyPackResource{} }

type keyPackResource struct {
	provider *providerData
}

// Default timeouts: installs go to the Clearinghouse over the Internet.
const (
	keyPackWriteTimeout = 10 * time.Minute
	keyPackReadTimeout  = 5 * time.Minute
)

// privateProgramFromPack marks a program derived from an imported pack:
// retail codes and license key pack IDs both make KeyPackType 1 packs, so
// the configuration may name the other one without a replacement.
const privateProgramFromPack = "program_from_pack"

// privateTakeOver marks an import: the next refresh makes the resource
// the owner of its packs in the journal, even from another owner.
const privateTakeOver = "journal_take_over"

// Metadata names the resource.
func (r *keyPackResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_key_pack"
}

// Schema describes the resource.
func (r *keyPackResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	codeAttr := func(attr, desc string) (schema.StringAttribute, schema.StringAttribute) {
		plain := schema.StringAttribute{
			Optional: true, Sensitive: true,
			MarkdownDescription: desc + " Hyphens, spaces and lower case are accepted. Sensitive (hidden in the output), but stored in the state and, through the variable that sets it, in saved plan files: prefer `" + attr + "_wo` with an ephemeral variable. Changing it replaces the key pack. " +
				"Exactly one of `" + attr + "` and the write-only `" + attr + "_wo` is required with that program.",
			Validators:    []validator.String{codeValidator{attr}},
			PlanModifiers: []planmodifier.String{codeRequiresReplace()},
		}
		wo := schema.StringAttribute{
			Optional: true, Sensitive: true, WriteOnly: true,
			MarkdownDescription: "Write-only form of `" + attr + "`: never stored in the state or the plan (Terraform 1.11 / OpenTofu 1.11 and later); set it from an ephemeral variable, so that saved plan files do not hold the variable either (see the [secrets guide](../guides/secrets.md)). Changing it does nothing until `codes_wo_version` changes.",
			Validators:          []validator.String{codeValidator{attr}},
		}
		return plain, wo
	}
	licenseCode, licenseCodeWO := codeAttr("license_code", "With `program = \"retail\"`: the 25-character license code of the retail purchase (5 groups of 5). "+
		"A code with characters Windows product keys leave out (O, I, L, S, 0, 1, 5) gets a warning at plan naming their positions; it is installed as typed, since Microsoft does not document the characters of retail codes.")
	licenseNumber, licenseNumberWO := codeAttr("license_number", "With `program = \"open_license\"`: the 8-digit license number of the Open License.")
	authNumber, authNumberWO := codeAttr("authorization_number", "With `program = \"open_license\"`: the 15-character authorization number of the Open License.")
	agreementNumber, agreementNumberWO := codeAttr("agreement_number", "With `program = \"agreement\"`: the agreement or enrollment number, 7 digits (`select`, `enterprise`, `campus`, `school`: the enrollment number on the signed agreement form) or 7 to 8 digits (`service_provider`, `other`).")
	keyPackID, keyPackIDWO := codeAttr("license_key_pack_id", "With `program = \"license_key_pack_id\"`: the 35-character license key pack ID the Microsoft Clearinghouse gives by web browser (https://activate.microsoft.com) or telephone for a license server without Internet access.")

	resp.Schema = schema.Schema{
		MarkdownDescription: "RDS client access licenses (CALs) installed on an activated RD license server, as RD Licensing Manager's Install Licenses wizard installs them: " +
			"a retail license code, an Open License, a volume agreement (Select, Enterprise, Campus, School, SPLA, other), or a license key pack ID obtained offline. " +
			"Windows puts every install into a new key pack (`Win32_TSLicenseKeyPack`); this resource tracks the packs it installed.\n\n" +
			"Before installing, plan checks what Windows would refuse: malformed codes, CALs newer than the license server's Windows Server release, per-user CALs on a license server outside a domain, " +
			"and a license server that is not activated (for a new key pack or a larger `quantity`, unless the plan activates it first with `rdslicensing_server_activation`); " +
			"it warns when the license server would hold both per-user and per-device CALs, and of a retail code with characters Windows product keys leave out, naming their positions.\n\n" +
			"Installing is not idempotent, and a retail code or license key pack ID works once only, so every install is recorded in a journal on the license server (under a host-wide lock) before and after the WMI call: " +
			"after a lost answer, a crash or a reboot the provider reads what the install did, and installs again only when the journal proves that nothing was installed. " +
			"Each key pack is held by one resource. Destroy and replacement keep the CALs unless `remove_cals_on_destroy = true`; kept CALs are released, and a resource declaring the same CALs later takes them instead of installing again. " +
			"See the [key pack failure model](../guides/key-pack-failures.md).\n\n" +
			"Import with the ID `<host>/<key_pack_id>` (several packs of one Open License or agreement: `<host>/<id>,<id>`). The codes cannot be read back: set them in the configuration after import; the first apply stores them without reinstalling. " +
			"Windows does not keep an agreement's type (a pack's description names its CALs only): import reads `agreement_type` from the license server's key pack journal when this provider installed the pack, so that the plan after import changes only the codes; for a pack installed otherwise, the first apply records `agreement_type` too, without reinstalling.",
		Attributes: map[string]schema.Attribute{
			"id":   idAttribute("`<host>/<key_pack_id>`: the license server as the resource reaches it and the KeyPackId of the resource's first key pack"),
			"host": hostAttribute("of the RD license server to install the CALs on"),
			"program": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "How the CALs were bought, as in the Install Licenses wizard: `retail` (License Pack (Retail Purchase), a `license_code`), `open_license` (`license_number` and `authorization_number`), " +
					"`agreement` (`agreement_type` and `agreement_number`: Select, Enterprise Agreement, Campus, School, Services Provider License Agreement, Open Value and other agreements) " +
					"or `license_key_pack_id` (a `license_key_pack_id` from the Clearinghouse web site or telephone, for servers without Internet access). Changing it replaces the key pack.",
				Validators:    []validator.String{stringvalidator.OneOf(keypacks.ProgramNames()...)},
				PlanModifiers: []planmodifier.String{programRequiresReplace()},
			},
			"license_code":            licenseCode,
			"license_code_wo":         licenseCodeWO,
			"license_number":          licenseNumber,
			"license_number_wo":       licenseNumberWO,
			"authorization_number":    authNumber,
			"authorization_number_wo": authNumberWO,
			"agreement_number":        agreementNumber,
			"agreement_number_wo":     agreementNumberWO,
			"license_key_pack_id":     keyPackID,
			"license_key_pack_id_wo":  keyPackIDWO,
			"codes_wo_version": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "Version of the write-only codes (`*_wo`): Terraform cannot see a change of a write-only value, so change this number when you change them. Changing it replaces the key pack. " +
					"Switching between a code and its `_wo` form with the same code does not replace the key pack.",
				PlanModifiers: []planmodifier.Int64{int64planmodifier.RequiresReplaceIf(replaceIfPriorInt64, "Replaces the key pack when it changes.", "Replaces the key pack when it changes.")},
			},
			"agreement_type": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "With `program = \"agreement\"`: `select` (Select License, the enrollment number), `enterprise` (Enterprise Agreement), `campus` (Campus Agreement), `school` (School Agreement), " +
					"`service_provider` (Services Provider License Agreement, SPLA) or `other` (Open Value, Open Subscription and other agreements). Changing it replaces the key pack.",
				Validators:    []validator.String{stringvalidator.OneOf(keypacks.AgreementTypes...)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplaceIf(replaceIfPriorString, "Replaces the key pack when it changes.", "Replaces the key pack when it changes.")},
			},
			"product_version": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Windows Server release of the CALs: `2016`, `2019`, `2022` or `2025`. A license server holds CALs of its own release or older (a Windows Server 2022 license server cannot hold 2025 CALs). " +
					"A retail code or license key pack ID carries its own release: declare that one. Changing it replaces the key pack.",
				Validators:    []validator.String{stringvalidator.OneOf(winfacts.InstallableReleases...)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"cal_type": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "`per_user` or `per_device` CALs, matching the session hosts' licensing mode. Per-user CALs need the license server in an Active Directory domain (see `allow_per_user_in_workgroup`). " +
					"A retail code or license key pack ID carries its own type: declare that one. Changing it replaces the key pack.",
				Validators:    []validator.String{stringvalidator.OneOf("per_user", "per_device")},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"quantity": schema.Int64Attribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Number of CALs. Required with `open_license` and `agreement` (1-9999): raising it installs the difference as another key pack, lowering it removes CALs that are not issued (`RemoveLicensesWithIdCount`), newest pack first. " +
					"Not allowed with `retail` and `license_key_pack_id`, where the code decides it; it then shows the CALs in the pack.",
				Validators: []validator.Int64{int64validator.Between(1, 9999)},
			},
			"allow_per_user_in_workgroup": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: "Install per-user CALs on a license server that is not in a domain. Windows allows it, but cannot track or report per-user CALs without Active Directory. Defaults to `false`: such an install fails at plan time.",
			},
			"remove_cals_on_destroy": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: "Remove the resource's key packs from the license server when the resource is destroyed or replaced (`UninstallLicenseKeyPackWithId`). Defaults to `false` for every program: " +
					"destroy and replacement keep the CALs installed and release them, and a key pack resource that declares the same CALs (same program, code, release, type and quantity) later takes them instead of installing again. " +
					"With `true`, the plan says which CALs the destroy or replacement removes. A retail code or license key pack ID is single-use: its CALs cannot be installed again once removed.",
			},
			"key_pack_id": computedInt64("KeyPackId of the resource's first key pack, as RD Licensing Manager shows it.", true),
			"key_pack_ids": schema.ListAttribute{
				Computed: true, ElementType: types.Int64Type,
				MarkdownDescription: "KeyPackIds of every key pack of the resource, oldest first: one per install, so one more each time `quantity` grows.",
			},
			"total_licenses":     computedInt64("CALs in the resource's key packs (`TotalLicenses`, summed).", false),
			"issued_licenses":    computedInt64("CALs issued from the resource's key packs (`IssuedLicenses`, summed). Per-user CALs are not tracked as issued by Windows.", false),
			"available_licenses": computedInt64("CALs of the resource's key packs still available (`AvailableLicenses`, summed).", false),
			"expiration_date":    computedString("Earliest expiration date of the resource's key packs (RFC 3339). Permanent CALs show 2038-01-19T03:14:07Z, the end of Windows' 32-bit time.", false),
			"type_and_model":     computedString("CAL type as RD Licensing Manager shows it, e.g. `RDS Per User CAL`.", true),
			"key_pack_type":      computedInt64("Windows' `KeyPackType` of the first key pack: 1 retail purchase (retail codes and license key pack IDs), 2 volume purchase (agreements), 5 Open License.", true),
			"journal_owner": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "Token under which the license server's key pack journal (`HKLM\\SOFTWARE\\rdslicensing\\KeyPackJournal`) records that this resource holds its key packs. " +
					"Destroy releases the packs held under it; see the [key pack failure model](../guides/key-pack-failures.md).",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"pending_installs": schema.ListAttribute{
				Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Installs of this resource whose answer was lost and whose outcome the license server's journal has not shown yet, as `<request id>:<CALs>`. Empty normally; " +
					"while it is not, the provider installs nothing more for this resource, and the next refresh or apply reads the outcome.",
			},
			"timeouts": timeoutsAttribute(ctx, keyPackWriteTimeout, keyPackReadTimeout, "installing CALs waits for the Microsoft Clearinghouse over the Internet (agreements, Open License)."),
		},
	}
}

// Configure receives the provider's client.
func (r *keyPackResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.provider = configureData(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig checks which attributes go with the program, offline.
func (r *keyPackResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m keyPackModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	addErrors(&resp.Diagnostics, keypacks.ConfigProblems(m.config())...)
}

// ModifyPlan keeps the computed values an update does not change, checks
// on the host what Windows would refuse before anything is installed, and
// says in the plan which CALs a destroy or replacement removes or keeps.
func (r *keyPackResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var plan, config, state keyPackModel
	if req.Plan.Raw.IsNull() {
		if !req.State.Raw.IsNull() && !req.State.Get(ctx, &state).HasError() && r.provider != nil {
			r.warnCALsLeave(&state, "Destroy", &resp.Diagnostics)
		}
		return
	}
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if !req.State.Raw.IsNull() {
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, planReadTimeout)
	defer cancel()
	p, c := plan.config(), config.config()
	if req.State.Raw.IsNull() {
		plan.PendingInstalls = types.ListValueMust(types.StringType, nil)
		addFindings(&resp.Diagnostics, r.planner(plan.Host).PlanCreate(ctx, p, c)...)
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		return
	}
	u := keypacks.Update{State: state.config(), Plan: p, KeyPackID: state.KeyPackID.ValueInt64(), IDs: state.ids(), Ownership: state.journal()}
	if !u.QuantityChanged() {
		// Nothing on the host changes: the counts stay what the refresh read.
		plan.PendingInstalls, plan.ID, plan.KeyPackID, plan.KeyPackIDs = state.PendingInstalls, state.ID, state.KeyPackID, state.KeyPackIDs
		plan.TotalLicenses, plan.IssuedLicenses, plan.AvailableLicenses, plan.ExpirationDate = state.TotalLicenses, state.IssuedLicenses, state.AvailableLicenses, state.ExpirationDate
		if plan.Quantity.IsUnknown() {
			plan.Quantity = state.Quantity
		}
	}
	pl := r.planner(state.Host)
	pl.Host = r.hostOf(&state)
	findings, replace := pl.PlanUpdate(ctx, u, c)
	addFindings(&resp.Diagnostics, findings...)
	for _, a := range replace {
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root(a))
	}
	if len(replace) > 0 && r.provider != nil {
		r.warnCALsLeave(&state, "Replacing the key pack", &resp.Diagnostics)
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// Create installs the CALs, or claims a free key pack with the same CALs.
func (r *keyPackResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m, config keyPackModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	host, ok := r.provider.requireHost(m.Host, &resp.Diagnostics)
	if resp.Diagnostics.HasError() || !ok {
		return
	}
	timeout, diags := m.Timeouts.Create(ctx, keyPackWriteTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := withTimeout(ctx, timeout)
	defer cancel()
	p := keypacks.ProgramNamed(m.Program.ValueString())
	in := keypacks.InstallInput(m.config(), config.config(), m.Quantity.ValueInt64())
	js := keypacks.Ownership{Owner: rds.NewID()}
	inst := r.installer(host, js.Owner)
	res, err := inst.Acquire(ctx, in)
	if err != nil {
		if id := keypacks.UnresolvedRequest(err); id != "" {
			// Saved so that the next run finds the request: Terraform
			// marks the object tainted, and replacing it releases and
			// claims back whatever the request installed. That destroy
			// must never remove CALs, whatever the configuration says.
			js.Pending = []keypacks.PendingInstall{{RequestID: id, Count: in.LicenseCount}}
			m.setPacks(host, nil)
			m.setJournal(js)
			m.RemoveCALsOnDestroy = types.BoolValue(false)
			if !p.Counted {
				m.Quantity = types.Int64Value(0)
			}
			resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
		}
		addFailures(&resp.Diagnostics, inst.Explain(ctx, &keypacks.InstallError{In: in, Err: err})...)
		return
	}
	addFindings(&resp.Diagnostics, res.Notes(host)...)
	if f, ok := keypacks.DeclaredMismatch(host, res.Pack, in); ok {
		addFindings(&resp.Diagnostics, f)
	}
	m.setPacks(host, []rds.KeyPack{res.Pack})
	m.setJournal(js)
	if !p.Counted {
		m.Quantity = types.Int64Value(res.Pack.TotalLicenses)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Read refreshes the key packs from the host, and finishes what an
// interrupted run left: it resolves installs whose answer was lost and
// records in the journal that the resource holds its packs. Packs removed
// by hand leave the state, all of them the resource.
func (r *keyPackResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m keyPackModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	takeOver, diags := req.Private.GetKey(ctx, privateTakeOver)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	h := m.holding(&m)
	host := r.provider.host(m.Host)
	timeout, diags := m.Timeouts.Read(ctx, keyPackReadTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := withTimeout(ctx, timeout)
	defer cancel()
	inst := r.installer(host, h.Owner)
	held, err := inst.Refresh(ctx, h, string(takeOver) == "true")
	if isKind(err, rds.KindRoleMissing, rds.KindRebootPending) {
		// The licensing database outlives the role: keep the packs until
		// the role is back, rather than install them again.
		resp.Diagnostics.AddWarning("Cannot read the key packs on "+host, opErrorDetail(err)+"\n\n"+keypacks.UnreadableWarning)
		return
	}
	if err != nil {
		addFailures(&resp.Diagnostics, inst.Explain(ctx, err)...)
		return
	}
	addFindings(&resp.Diagnostics, held.Warnings...)
	if held.Gone() {
		resp.State.RemoveResource(ctx)
		return
	}
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateTakeOver, nil)...)
	m.setHeld(host, held)
	if len(held.Packs) > 0 {
		if v := keypacks.CALRelease(held.Packs[0].ProductVersionID); v != "" {
			m.ProductVersion = types.StringValue(v)
		}
		if t := keypacks.CALType(held.Packs[0].ProductType); t != "" {
			m.CALType = types.StringValue(t)
		}
	}
	if m.RemoveCALsOnDestroy.IsNull() {
		m.RemoveCALsOnDestroy = types.BoolValue(false)
	}
	if m.AllowPerUserInWorkgroup.IsNull() {
		m.AllowPerUserInWorkgroup = types.BoolValue(false)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Update changes the quantity; everything else it only records.
func (r *keyPackResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m, prior, config keyPackModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateProgramFromPack, nil)...)
	host := r.provider.host(m.Host)
	if !keypacks.ProgramNamed(m.Program.ValueString()).Counted || m.Quantity.Equal(prior.Quantity) {
		m.JournalOwner, m.PendingInstalls = prior.JournalOwner, prior.PendingInstalls
		resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
		return
	}
	timeout, diags := m.Timeouts.Update(ctx, keyPackWriteTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := withTimeout(ctx, timeout)
	defer cancel()
	h := keypacks.Holding{IDs: prior.ids(), Ownership: prior.journal(), Install: keypacks.InstallInput(m.config(), config.config(), 0)}
	inst := r.installer(host, h.Owner)
	held, acquired, save, err := inst.Resize(ctx, h, m.Quantity.ValueInt64())
	if acquired != nil {
		addFindings(&resp.Diagnostics, acquired.Notes(host)...)
	}
	addFailures(&resp.Diagnostics, inst.Explain(ctx, err)...)
	if !save {
		return
	}
	wanted := m.Quantity
	m.setHeld(host, held)
	if err == nil {
		m.Quantity = wanted
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Delete removes the key packs when remove_cals_on_destroy = true;
// otherwise it keeps the CALs and releases them in the journal, so that a
// key pack declaring the same CALs later takes them instead of installing.
func (r *keyPackResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m keyPackModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	h := m.holding(&m)
	host := r.provider.host(m.Host)
	timeout, diags := m.Timeouts.Delete(ctx, keyPackWriteTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := withTimeout(ctx, timeout)
	defer cancel()
	inst := r.installer(host, h.Owner)
	kept, err := inst.LetGo(ctx, h, m.RemoveCALsOnDestroy.ValueBool())
	switch {
	case isKind(err, rds.KindRoleMissing):
		resp.Diagnostics.AddWarning("RD Licensing is not installed on "+host, keypacks.RoleGoneDetail(host))
	case err != nil:
		addFailures(&resp.Diagnostics, inst.Explain(ctx, err)...)
	case len(kept) > 0:
		resp.Diagnostics.AddWarning("CALs stay installed on "+host, keypacks.KeepCALsDetail(host, kept))
	}
}

// ImportState imports key packs: "<host>/<key_pack_id>[,<key_pack_id>...]".
// The first refresh records in the journal that the resource holds them.
func (r *keyPackResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	host, ids, problem := keypacks.ParseImportID(req.ID)
	if problem != "" {
		resp.Diagnostics.AddError("Invalid import ID", problem)
		return
	}
	if r.provider == nil {
		resp.Diagnostics.AddError("Provider not configured", "Importing a key pack reads it from the license server: configure the provider first.")
		return
	}
	list, err := rds.ListKeyPacks.Run(ctx, r.provider, host, rds.NoInput{})
	if err != nil {
		opError(&resp.Diagnostics, "Cannot read the key packs on "+host, err)
		return
	}
	packs, problem := keypacks.ImportablePacks(host, list.KeyPacks, ids)
	if problem != "" {
		resp.Diagnostics.AddError("Cannot import key pack from "+host, problem)
		return
	}
	m := keyPackModel{
		Host:                    types.StringNull(),
		Program:                 types.StringValue(keypacks.ProgramOfPack(packs[0])),
		AllowPerUserInWorkgroup: types.BoolValue(false),
		RemoveCALsOnDestroy:     types.BoolValue(false),
		Timeouts:                timeouts.Value{Object: types.ObjectNull(timeoutTypes)},
	}
	m.nullCodes()
	m.setPacks(host, packs)
	m.Quantity = types.Int64Value(keypacks.Total(packs))
	m.ProductVersion = types.StringValue(keypacks.CALRelease(packs[0].ProductVersionID))
	m.CALType = types.StringValue(keypacks.CALType(packs[0].ProductType))
	if t := keypacks.ImportedAgreementType(list.Journal, packs); t != "" && m.Program.ValueString() == "agreement" {
		m.AgreementType = types.StringValue(t)
	}
	m.setJournal(keypacks.Ownership{Owner: rds.NewID()})
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	resp.Diagnostics.Append(setImportedHost(ctx, r.provider, host, resp)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateProgramFromPack, []byte(`true`))...)
	// Importing is taking the packs over, even from a resource whose state
	// was lost: the refresh after the import records it in the journal.
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateTakeOver, []byte(`true`))...)
}

// planner asks the key pack's host at plan time; its Host is "" while
// it cannot be asked (provider not configured, host unknown).
func (r *keyPackResource) planner(h types.String) keypacks.Planner {
	if r.provider == nil || h.IsUnknown() {
		return keypacks.Planner{}
	}
	host := r.provider.host(h)
	return keypacks.Planner{Runner: r.provider, Host: host, ActivationPlanned: r.provider.activationPlanned(host),
		Debug: func(ctx context.Context, msg string, fields map[string]any) { tflog.Debug(ctx, msg, fields) }}
}

// warnCALsLeave says in the plan what a destroy (or the destroy half of a
// replacement) does with the resource's CALs.
func (r *keyPackResource) warnCALsLeave(st *keyPackModel, what string, diags *diag.Diagnostics) {
	if ids := st.ids(); len(ids) > 0 {
		addFindings(diags, keypacks.LeaveWarning(what, r.provider.host(st.Host), ids, st.TotalLicenses.ValueInt64(), st.TypeAndModel.ValueString(),
			st.Program.ValueString(), st.RemoveCALsOnDestroy.ValueBool()))
	}
}

// addFindings reports keypacks findings as diagnostics.
func addFindings(diags *diag.Diagnostics, findings ...keypacks.Finding) {
	for _, f := range findings {
		addProblems(diags, f.Warning, rds.Problem{Attr: f.Attr, Summary: f.Summary, Detail: f.Detail})
	}
}

// installer gets, keeps and gives back CALs on host for the resource with
// token owner.
func (r *keyPackResource) installer(host, owner string) *keypacks.Installer {
	return &keypacks.Installer{Host: keypacks.RunnerHost{Runner: r.provider, Name: host}, Server: host, Owner: owner, PollInterval: restartPollInterval,
		Warn: func(ctx context.Context, msg string, fields map[string]any) { tflog.Warn(ctx, msg, fields) }}
}

// programRequiresReplace replaces the key pack when the program changes,
// except between retail and license_key_pack_id right after an import,
// which cannot tell them apart.
func programRequiresReplace() planmodifier.String {
	return stringplanmodifier.RequiresReplaceIf(func(ctx context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
		resp.RequiresReplace = true
		single := func(s string) bool { return s == "retail" || s == "license_key_pack_id" }
		if single(req.StateValue.ValueString()) && single(req.PlanValue.ValueString()) {
			v, diags := req.Private.GetKey(ctx, privateProgramFromPack)
			resp.Diagnostics.Append(diags...)
			resp.RequiresReplace = string(v) != "true"
		}
	}, "Replaces the key pack when the program changes.", "Replaces the key pack when the program changes.")
}

// hostOf is the host of a key pack's state, for messages.
func (r *keyPackResource) hostOf(m *keyPackModel) string {
	if r.provider == nil {
		return m.Host.ValueString()
	}
	return r.provider.host(m.Host)
}

// keyPackModel is the resource's data.
type keyPackModel struct {
	ID                      types.String   `tfsdk:"id"`
	Host                    types.String   `tfsdk:"host"`
	Program                 types.String   `tfsdk:"program"`
	LicenseCode             types.String   `tfsdk:"license_code"`
	LicenseCodeWO           types.String   `tfsdk:"license_code_wo"`
	LicenseNumber           types.String   `tfsdk:"license_number"`
	LicenseNumberWO         types.String   `tfsdk:"license_number_wo"`
	AuthorizationNumber     types.String   `tfsdk:"authorization_number"`
	AuthorizationNumberWO   types.String   `tfsdk:"authorization_number_wo"`
	AgreementNumber         types.String   `tfsdk:"agreement_number"`
	AgreementNumberWO       types.String   `tfsdk:"agreement_number_wo"`
	LicenseKeyPackID        types.String   `tfsdk:"license_key_pack_id"`
	LicenseKeyPackIDWO      types.String   `tfsdk:"license_key_pack_id_wo"`
	CodesWOVersion          types.Int64    `tfsdk:"codes_wo_version"`
	AgreementType           types.String   `tfsdk:"agreement_type"`
	ProductVersion          types.String   `tfsdk:"product_version"`
	CALType                 types.String   `tfsdk:"cal_type"`
	Quantity                types.Int64    `tfsdk:"quantity"`
	AllowPerUserInWorkgroup types.Bool     `tfsdk:"allow_per_user_in_workgroup"`
	RemoveCALsOnDestroy     types.Bool     `tfsdk:"remove_cals_on_destroy"`
	KeyPackID               types.Int64    `tfsdk:"key_pack_id"`
	KeyPackIDs              types.List     `tfsdk:"key_pack_ids"`
	TotalLicenses           types.Int64    `tfsdk:"total_licenses"`
	IssuedLicenses          types.Int64    `tfsdk:"issued_licenses"`
	AvailableLicenses       types.Int64    `tfsdk:"available_licenses"`
	ExpirationDate          types.String   `tfsdk:"expiration_date"`
	TypeAndModel            types.String   `tfsdk:"type_and_model"`
	KeyPackType             types.Int64    `tfsdk:"key_pack_type"`
	JournalOwner            types.String   `tfsdk:"journal_owner"`
	PendingInstalls         types.List     `tfsdk:"pending_installs"`
	Timeouts                timeouts.Value `tfsdk:"timeouts"`
}

// journal reads the journal attributes; a state from before the journal
// gets a new owner token.
func (m *keyPackModel) journal() keypacks.Ownership {
	js := keypacks.Ownership{Owner: m.JournalOwner.ValueString()}
	if js.Owner == "" {
		js.Owner = rds.NewID()
	}
	if !m.PendingInstalls.IsNull() && !m.PendingInstalls.IsUnknown() {
		for _, v := range m.PendingInstalls.Elements() {
			s, ok := v.(types.String)
			if !ok {
				continue
			}
			js.Pending = append(js.Pending, keypacks.ParsePending(s.ValueString()))
		}
	}
	return js
}

// holding is what the resource holds on its host; the codes of its
// install input come from config when m has only their write-only form.
func (m *keyPackModel) holding(config *keyPackModel) keypacks.Holding {
	return keypacks.Holding{IDs: m.ids(), Ownership: m.journal(), Install: keypacks.InstallInput(m.config(), config.config(), 0)}
}

// setHeld records what the resource holds after a lifecycle step.
func (m *keyPackModel) setHeld(host string, h keypacks.Held) {
	m.setPacks(host, h.Packs)
	m.setJournal(h.Ownership)
	m.Quantity = types.Int64Value(keypacks.Total(h.Packs))
}

// setJournal sets the journal attributes.
func (m *keyPackModel) setJournal(js keypacks.Ownership) {
	m.JournalOwner = types.StringValue(js.Owner)
	pending := make([]attr.Value, len(js.Pending))
	for i, p := range js.Pending {
		pending[i] = types.StringValue(p.String())
	}
	m.PendingInstalls = types.ListValueMust(types.StringType, pending)
}

// config is the model as keypacks sees it.
func (m *keyPackModel) config() keypacks.Config {
	c := keypacks.Config{Program: valueOf(m.Program), AgreementType: valueOf(m.AgreementType), ProductVersion: valueOf(m.ProductVersion), CALType: valueOf(m.CALType),
		Codes: map[string]keypacks.Value{}, CodesWOVersion: numberOf(m.CodesWOVersion), Quantity: numberOf(m.Quantity), AllowPerUserInWorkgroup: boolOf(m.AllowPerUserInWorkgroup)}
	for _, a := range keypacks.CodeAttrs {
		plain, wo := m.code(a)
		c.Codes[a], c.Codes[a+"_wo"] = valueOf(plain), valueOf(wo)
	}
	return c
}

// code is a code attribute and its write-only twin.
func (m *keyPackModel) code(attr string) (plain, wo types.String) {
	switch attr {
	case "license_code":
		return m.LicenseCode, m.LicenseCodeWO
	case "license_number":
		return m.LicenseNumber, m.LicenseNumberWO
	case "authorization_number":
		return m.AuthorizationNumber, m.AuthorizationNumberWO
	case "agreement_number":
		return m.AgreementNumber, m.AgreementNumberWO
	case "license_key_pack_id":
		return m.LicenseKeyPackID, m.LicenseKeyPackIDWO
	}
	return types.StringNull(), types.StringNull()
}

// nullCodes sets every code and the other inputs an import cannot read
// to null.
func (m *keyPackModel) nullCodes() {
	for _, s := range []*types.String{&m.LicenseCode, &m.LicenseCodeWO, &m.LicenseNumber, &m.LicenseNumberWO, &m.AuthorizationNumber, &m.AuthorizationNumberWO,
		&m.AgreementNumber, &m.AgreementNumberWO, &m.LicenseKeyPackID, &m.LicenseKeyPackIDWO, &m.AgreementType} {
		*s = types.StringNull()
	}
	m.CodesWOVersion = types.Int64Null()
}

// ids are the resource's KeyPackIds.
func (m *keyPackModel) ids() []int64 {
	var ids []int64
	if !m.KeyPackIDs.IsNull() && !m.KeyPackIDs.IsUnknown() {
		for _, v := range m.KeyPackIDs.Elements() {
			if n, ok := v.(types.Int64); ok && !n.IsNull() && !n.IsUnknown() {
				ids = append(ids, n.ValueInt64())
			}
		}
	}
	return ids
}

// setPacks sets the computed attributes from the resource's packs
// (oldest first; none while its only install's outcome is unknown).
func (m *keyPackModel) setPacks(host string, packs []rds.KeyPack) {
	sum := keypacks.Summarize(packs)
	ids := make([]attr.Value, len(sum.IDs))
	for i, id := range sum.IDs {
		ids[i] = types.Int64Value(id)
	}
	m.KeyPackIDs = types.ListValueMust(types.Int64Type, ids)
	m.TotalLicenses, m.IssuedLicenses, m.AvailableLicenses = types.Int64Value(sum.Total), types.Int64Value(sum.Issued), types.Int64Value(sum.Available)
	m.ExpirationDate, m.TypeAndModel = types.StringValue(sum.Expiry), types.StringValue(sum.First.TypeAndModel)
	if len(packs) == 0 {
		// An install whose outcome is not known yet: no pack to show.
		m.ID, m.KeyPackID, m.KeyPackType = types.StringValue(host+"/pending"), types.Int64Null(), types.Int64Null()
		return
	}
	m.ID = types.StringValue(host + "/" + strconv.FormatInt(sum.First.KeyPackID, 10))
	m.KeyPackID, m.KeyPackType = types.Int64Value(sum.First.KeyPackID), types.Int64Value(int64(sum.First.KeyPackType))
}
