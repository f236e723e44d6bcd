package provider

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
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

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
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
	data *providerData
}

// Metadata names the resource.
func (r *keyPackResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_key_pack"
}

// Schema describes the resource.
func (r *keyPackResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	codeAttr := func(attr, desc string) (schema.StringAttribute, schema.StringAttribute) {
		plain := schema.StringAttribute{
			Optional: true, Sensitive: true,
			MarkdownDescription: desc + " Hyphens, spaces and lower case are accepted. Sensitive; changing it replaces the key pack. " +
				"Exactly one of `" + attr + "` and the write-only `" + attr + "_wo` is required with that program.",
			Validators:    []validator.String{codeValidator{attr}},
			PlanModifiers: []planmodifier.String{codeRequiresReplace()},
		}
		wo := schema.StringAttribute{
			Optional: true, Sensitive: true, WriteOnly: true,
			MarkdownDescription: "Write-only form of `" + attr + "`: never stored in the state (Terraform 1.11 / OpenTofu 1.11 and later). Changing it does nothing until `codes_wo_version` changes.",
			Validators:          []validator.String{codeValidator{attr}},
		}
		return plain, wo
	}
	licenseCode, licenseCodeWO := codeAttr("license_code", "With `program = \"retail\"`: the 25-character license code of the retail purchase (5 groups of 5).")
	licenseNumber, licenseNumberWO := codeAttr("license_number", "With `program = \"open_license\"`: the 8-digit license number of the Open License.")
	authNumber, authNumberWO := codeAttr("authorization_number", "With `program = \"open_license\"`: the 15-character authorization number of the Open License.")
	agreementNumber, agreementNumberWO := codeAttr("agreement_number", "With `program = \"agreement\"`: the 7-digit agreement or enrollment number.")
	keyPackID, keyPackIDWO := codeAttr("license_key_pack_id", "With `program = \"license_key_pack_id\"`: the 35-character license key pack ID the Microsoft Clearinghouse gives by web browser (https://activate.microsoft.com) or telephone for a license server without Internet access.")

	resp.Schema = schema.Schema{
		MarkdownDescription: "RDS client access licenses (CALs) installed on an activated RD license server, as RD Licensing Manager's Install Licenses wizard installs them: " +
			"a retail license code, an Open License, a volume agreement (Select, Enterprise, Campus, School, SPLA, other), or a license key pack ID obtained offline. " +
			"Windows puts every install into a new key pack (`Win32_TSLicenseKeyPack`); this resource tracks the packs it installed.\n\n" +
			"Before installing, plan checks what Windows would refuse: malformed codes, CALs newer than the license server's Windows Server release, and per-user CALs on a license server outside a domain; " +
			"it warns when the license server would hold both per-user and per-device CALs. The license server must be activated (`rdslicensing_server_activation`) first.\n\n" +
			"Installing is not idempotent, and a retail code or license key pack ID works once only: the provider never installs twice after an interrupted install (it looks for the new pack and adopts it), " +
			"and destroying a retail or license key pack ID pack only forgets it unless `uninstall_on_destroy = true`.\n\n" +
			"Import with the ID `<host>/<key_pack_id>` (several packs of one Open License or agreement: `<host>/<id>,<id>`). The codes cannot be read back: set them in the configuration after import; the first apply stores them without reinstalling.",
		Attributes: map[string]schema.Attribute{
			"id":   idAttribute("`<host>/<key_pack_id>`: the license server as the resource reaches it and the KeyPackId of the resource's first key pack"),
			"host": hostAttribute("of the RD license server to install the CALs on"),
			"program": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "How the CALs were bought, as in the Install Licenses wizard: `retail` (License Pack (Retail Purchase), a `license_code`), `open_license` (`license_number` and `authorization_number`), " +
					"`agreement` (`agreement_type` and `agreement_number`: Select, Enterprise Agreement, Campus, School, Services Provider License Agreement, Open Value and other agreements) " +
					"or `license_key_pack_id` (a `license_key_pack_id` from the Clearinghouse web site or telephone, for servers without Internet access). Changing it replaces the key pack.",
				Validators:    []validator.String{stringvalidator.OneOf(keyPackProgramNames...)},
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
				Validators:    []validator.String{stringvalidator.OneOf(keyPackAgreementTypes...)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplaceIf(replaceIfPriorString, "Replaces the key pack when it changes.", "Replaces the key pack when it changes.")},
			},
			"product_version": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Windows Server release of the CALs: `2016`, `2019`, `2022` or `2025`. A license server holds CALs of its own release or older (a Windows Server 2022 license server cannot hold 2025 CALs). " +
					"A retail code or license key pack ID carries its own release: declare that one. Changing it replaces the key pack.",
				Validators:    []validator.String{stringvalidator.OneOf("2016", "2019", "2022", "2025")},
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
			"uninstall_on_destroy": schema.BoolAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Remove the key packs from the license server on destroy (`UninstallLicenseKeyPackWithId`). Defaults to `false` with `retail` and `license_key_pack_id`: those codes are single-use, and uninstalling would throw the purchase away, so destroy only forgets the pack (with a warning). " +
					"Defaults to `true` with `open_license` and `agreement`, whose numbers can install the CALs again.",
			},
			"key_pack_id": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "KeyPackId of the resource's first key pack, as RD Licensing Manager shows it.",
				PlanModifiers:       []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
			},
			"key_pack_ids": schema.ListAttribute{
				Computed: true, ElementType: types.Int64Type,
				MarkdownDescription: "KeyPackIds of every key pack of the resource, oldest first: one per install, so one more each time `quantity` grows.",
			},
			"total_licenses": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "CALs in the resource's key packs (`TotalLicenses`, summed).",
			},
			"issued_licenses": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "CALs issued from the resource's key packs (`IssuedLicenses`, summed). Per-user CALs are not tracked as issued by Windows.",
			},
			"available_licenses": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "CALs of the resource's key packs still available (`AvailableLicenses`, summed).",
			},
			"expiration_date": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Earliest expiration date of the resource's key packs (RFC 3339). Permanent CALs show 2038-01-19T03:14:07Z, the end of Windows' 32-bit time.",
			},
			"type_and_model": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "CAL type as RD Licensing Manager shows it, e.g. `RDS Per User CAL`.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"key_pack_type": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "Windows' `KeyPackType` of the first key pack: 1 retail purchase (retail codes and license key pack IDs), 2 volume purchase (agreements), 5 Open License.",
				PlanModifiers:       []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
			},
			"timeouts": timeouts.Attributes(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true}),
		},
	}
}

// Configure receives the provider's client.
func (r *keyPackResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configureData(req.ProviderData, &resp.Diagnostics)
}

// Default timeouts: installs go to the Clearinghouse over the Internet.
const (
	keyPackWriteTimeout = 10 * time.Minute
	keyPackReadTimeout  = 5 * time.Minute
	// keyPackPlanTimeout bounds the plan-time checks on the host: they are
	// a courtesy, and apply checks again.
	keyPackPlanTimeout = 30 * time.Second
)

// ValidateConfig checks which attributes go with the program, offline.
func (r *keyPackResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m keyPackModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	for _, p := range keyPackConfigProblems(&m) {
		resp.Diagnostics.AddAttributeError(path.Root(p.attr), p.summary, p.detail)
	}
}

// ModifyPlan defaults uninstall_on_destroy by program, keeps the
// computed values an update does not change, and checks on the host what
// Windows would refuse, before anything is installed.
func (r *keyPackResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		var st keyPackModel
		if req.State.Raw.IsNull() || req.State.Get(ctx, &st).HasError() {
			return
		}
		if !st.UninstallOnDestroy.ValueBool() && r.data != nil {
			resp.Diagnostics.AddWarning("Destroy keeps the CALs on "+r.data.host(st.Host), keepCALsDetail(r.data.host(st.Host), st.ids()))
		}
		return
	}
	var plan, config keyPackModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if config.UninstallOnDestroy.IsNull() {
		if plan.Program.IsUnknown() {
			plan.UninstallOnDestroy = types.BoolUnknown()
		} else {
			plan.UninstallOnDestroy = types.BoolValue(keyPackPrograms[plan.Program.ValueString()].counted)
		}
	}
	if req.State.Raw.IsNull() {
		r.checkHost(ctx, &plan, &resp.Diagnostics)
	} else {
		var state keyPackModel
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if resp.Diagnostics.HasError() {
			return
		}
		r.planUpdate(ctx, &state, &plan, &resp.Diagnostics)
		// A plain code moved to its write-only form: the same code only
		// records the move; another one is a new purchase to install.
		for _, a := range keyPackPrograms[state.Program.ValueString()].codes {
			before, _ := state.code(a)
			_, after := config.code(a)
			if !before.IsNull() && !after.IsNull() && !after.IsUnknown() && normalizeCode(before.ValueString()) != normalizeCode(after.ValueString()) {
				resp.RequiresReplace = append(resp.RequiresReplace, path.Root(a))
			}
		}
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// checkHost runs the plan-time checks of a new key pack: they need the
// host, so they are skipped quietly when it cannot be asked yet (provider
// not configured, host unknown or unreachable); install checks again.
func (r *keyPackResource) checkHost(ctx context.Context, m *keyPackModel, diags *diag.Diagnostics) {
	if r.data == nil || m.Host.IsUnknown() || m.Program.IsUnknown() || m.ProductVersion.IsUnknown() || m.CALType.IsUnknown() || m.AllowPerUserInWorkgroup.IsUnknown() {
		return
	}
	host := r.data.host(m.Host)
	if host == "" {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, keyPackPlanTimeout)
	defer cancel()
	info, err := rds.GetHostInfo.Run(ctx, r.data, host, rds.NoInput{})
	if err != nil {
		tflog.Debug(ctx, "skipping the plan-time key pack checks: the host cannot be asked", map[string]any{"host": host, "error": err.Error()})
		return
	}
	version, calType := m.ProductVersion.ValueString(), m.CALType.ValueString()
	if calVersionTooNew(version, info.OSVersion) {
		diags.AddAttributeError(path.Root("product_version"), fmt.Sprintf("Windows Server %s CALs cannot be installed on %s", version, host),
			fmt.Sprintf("Windows Server %s CALs cannot be installed on a Windows Server %s license server; a license server holds CALs of its own Windows Server release or older, and %s (%s) runs Windows Server %s. "+
				"Install these CALs on a Windows Server %s (or later) license server, or install CALs of Windows Server %s or older here.", version, info.OSVersion, info.ComputerName, host, info.OSVersion, version, info.OSVersion))
	}
	if calType == "per_user" && !m.AllowPerUserInWorkgroup.ValueBool() && !info.PartOfDomain {
		diags.AddAttributeError(path.Root("cal_type"), "Per-user CALs need Active Directory",
			fmt.Sprintf("Per-user CALs need Active Directory: %s (%s) is in workgroup %s, not in a domain, so Windows cannot track or report per-user CALs. "+
				"Use per-device CALs (cal_type = \"per_device\"), join the license server to a domain, or set allow_per_user_in_workgroup = true to install them anyway.", info.ComputerName, host, info.Domain))
	}
	list, err := rds.ListKeyPacks.Run(ctx, r.data, host, rds.NoInput{})
	if err != nil {
		return // e.g. the role comes in the same apply
	}
	if w := mixedCALWarning(list.KeyPacks, calTypeNumber[calType]); w != "" {
		diags.AddAttributeWarning(path.Root("cal_type"), "Per-user and per-device CALs on one license server", w)
	}
	if keyPackPrograms[m.Program.ValueString()].counted && !m.Quantity.IsUnknown() {
		in := keyPackInstallInput(m, m, m.Quantity.ValueInt64())
		if i := slices.IndexFunc(list.KeyPacks, func(kp rds.KeyPack) bool { return keyPackMatches(kp, in) }); i >= 0 {
			kp := list.KeyPacks[i]
			diags.AddWarning("A key pack with these CALs is already on "+host,
				fmt.Sprintf("Key pack %d on %s already holds %s. If an earlier apply installed it, import it (terraform import <address> %s/%d) instead of installing the same CALs again; otherwise ignore this warning.",
					kp.KeyPackID, host, describeKeyPack(kp), host, kp.KeyPackID))
		}
	}
}

// planUpdate plans a change of an existing key pack.
func (r *keyPackResource) planUpdate(ctx context.Context, state, plan *keyPackModel, diags *diag.Diagnostics) {
	p := keyPackPrograms[state.Program.ValueString()]
	quantityChanged := p.counted && !plan.Quantity.Equal(state.Quantity)
	if !quantityChanged {
		// Nothing on the host changes: the counts stay what the refresh read.
		plan.KeyPackIDs, plan.TotalLicenses, plan.IssuedLicenses = state.KeyPackIDs, state.TotalLicenses, state.IssuedLicenses
		plan.AvailableLicenses, plan.ExpirationDate = state.AvailableLicenses, state.ExpirationDate
		if plan.Quantity.IsUnknown() {
			plan.Quantity = state.Quantity
		}
	}
	// A single-use code decides its CALs' release and type: a plan that
	// replaces the pack for them alone would install the used code again.
	if !p.counted && plan.Program.Equal(state.Program) && !codeChanged(state, plan) {
		for _, a := range []struct {
			attr       string
			plan, have types.String
		}{{"product_version", plan.ProductVersion, state.ProductVersion}, {"cal_type", plan.CALType, state.CALType}} {
			if a.plan.IsUnknown() || a.plan.Equal(a.have) {
				continue
			}
			diags.AddAttributeError(path.Root(a.attr), "The key pack's "+a.attr+" is "+a.have.ValueString(),
				fmt.Sprintf("Key pack %d on %s holds CALs with %s = %q: a %s decides the release and type of its CALs. Changing %s would replace the key pack and install the same code again, which the Microsoft Clearinghouse refuses (the code is single-use). "+
					"Set %s = %q; to install another code instead, change the code too (with a _wo form: a new codes_wo_version).", state.KeyPackID.ValueInt64(), r.hostOf(state), a.attr, a.have.ValueString(), keyPackPrograms[state.Program.ValueString()].codeName, a.attr, a.attr, a.have.ValueString()))
		}
	}
	// Fewer CALs: only those not issued can go.
	if quantityChanged && !plan.Quantity.IsUnknown() && plan.Quantity.ValueInt64() < state.Quantity.ValueInt64() && r.data != nil {
		host := r.data.host(state.Host)
		ctx, cancel := context.WithTimeout(ctx, keyPackPlanTimeout)
		defer cancel()
		list, err := rds.ListKeyPacks.Run(ctx, r.data, host, rds.NoInput{})
		if err != nil {
			return
		}
		own := ownKeyPacks(list.KeyPacks, state.ids())
		remove := sumLicenses(own) - plan.Quantity.ValueInt64()
		if _, ok := planLicenseRemoval(own, remove); !ok && remove > 0 {
			diags.AddAttributeError(path.Root("quantity"), fmt.Sprintf("Cannot remove %d CALs from %s", remove, host), cannotRemoveDetail(host, own, remove, plan.Quantity.ValueInt64()))
		}
	}
}

// Create installs the CALs.
func (r *keyPackResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m, config keyPackModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	host, ok := r.data.requireHost(m.Host, &resp.Diagnostics)
	if resp.Diagnostics.HasError() || !ok {
		return
	}
	d, diags := m.Timeouts.Create(ctx, keyPackWriteTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := withTimeout(ctx, d)
	defer cancel()
	p := keyPackPrograms[m.Program.ValueString()]
	in := keyPackInstallInput(&m, &config, m.Quantity.ValueInt64())
	before, err := rds.ListKeyPacks.Run(ctx, r.data, host, rds.NoInput{})
	if err != nil {
		opError(&resp.Diagnostics, "Cannot read the key packs on "+host, err)
		return
	}
	pack, ok := r.install(ctx, host, in, before.KeyPacks, &resp.Diagnostics)
	if !ok {
		return
	}
	if !p.counted && (pack.ProductVersionID != in.ProductVersion || pack.ProductType != in.ProductType) {
		resp.Diagnostics.AddWarning("The "+p.codeName+" installed other CALs than declared",
			fmt.Sprintf("The %s installed %s as key pack %d on %s, not the declared Windows Server %s %s CALs. The CALs are installed and the code is used. Set product_version = %q and cal_type = %q in the configuration: until then plan fails, rather than install the used code again.",
				p.codeName, describeKeyPack(pack), pack.KeyPackID, host, m.ProductVersion.ValueString(), strings.ReplaceAll(m.CALType.ValueString(), "_", "-"), calRelease(pack.ProductVersionID), calTypeOf(pack.ProductType)))
	}
	m.setPacks(host, []rds.KeyPack{pack})
	if !p.counted {
		m.Quantity = types.Int64Value(pack.TotalLicenses)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// install runs install_key_pack once, and never again: when the outcome
// is unknown it looks for the pack the install would have made. before is
// the key pack list from before the install.
func (r *keyPackResource) install(ctx context.Context, host string, in rds.InstallKeyPackInput, before []rds.KeyPack, diags *diag.Diagnostics) (rds.KeyPack, bool) {
	res, err := rds.InstallKeyPack.Run(ctx, r.data, host, in)
	if err == nil {
		return res.KeyPack, true
	}
	summary := "Cannot install CALs on " + host
	switch {
	case mayHaveRun(err):
		return r.adopt(ctx, host, in, before, err, diags)
	case isKind(err, winrmclient.KindCodeAlreadyUsed):
		hint := ""
		if list, lerr := rds.ListKeyPacks.Run(ctx, r.data, host, rds.NoInput{}); lerr == nil {
			hint = codeUsedHint(host, in, list.KeyPacks)
		}
		diags.AddError(summary, opErrorDetail(err, hint))
	case isKind(err, winrmclient.KindNotActivated):
		diags.AddError(summary, opErrorDetail(err,
			"If the rdslicensing_server_activation of this license server is in the same configuration, make this key pack depend on it (host = rdslicensing_server_activation.<name>.id, or depends_on), so that the activation comes first."))
	default:
		opError(diags, summary, err)
	}
	return rds.KeyPack{}, false
}

// adopt looks, after an install whose outcome is unknown, for the one new
// key pack that install would have made.
func (r *keyPackResource) adopt(ctx context.Context, host string, in rds.InstallKeyPackInput, before []rds.KeyPack, installErr error, diags *diag.Diagnostics) (rds.KeyPack, bool) {
	after, err := rds.ListKeyPacks.Run(ctx, r.data, host, rds.NoInput{})
	if err != nil {
		diags.AddError("Cannot tell whether CALs were installed on "+host,
			fmt.Sprintf("The connection broke while installing CALs on %s, and reading the key packs afterwards failed too (%s). "+
				"Do not apply again before you have looked: a new key pack in RD Licensing Manager on %s means the CALs were installed; import it (terraform import <address> %s/<key_pack_id>). If there is none, applying again is safe.\n\n%s",
				host, errMessage(err), host, host, opErrorDetail(installErr)))
		return rds.KeyPack{}, false
	}
	found := newKeyPacks(before, after.KeyPacks, in)
	switch len(found) {
	case 1:
		diags.AddWarning("Adopted key pack "+strconv.FormatInt(found[0].KeyPackID, 10)+" after an interrupted install",
			fmt.Sprintf("The connection to %s broke while the CALs were being installed. The provider looked again and found the new key pack %d (%s), so it manages that pack instead of installing again.",
				host, found[0].KeyPackID, describeKeyPack(found[0])))
		return found[0], true
	case 0:
		diags.AddError("Nothing was installed on "+host,
			fmt.Sprintf("The connection to %s broke while installing CALs, and no new key pack with these CALs appeared on %s afterwards: nothing was installed. It is safe to apply again.\n\n%s", host, host, opErrorDetail(installErr)))
	default:
		ids := make([]string, len(found))
		for i, kp := range found {
			ids[i] = strconv.FormatInt(kp.KeyPackID, 10)
		}
		diags.AddError("Cannot tell which key pack was installed on "+host,
			fmt.Sprintf("The connection to %s broke while installing CALs, and several new key packs with these CALs appeared meanwhile (%s): someone else installed CALs at the same time. Do not apply again: import the right one (terraform import <address> %s/<key_pack_id>).",
				host, strings.Join(ids, ", "), host))
	}
	return rds.KeyPack{}, false
}

// Read refreshes the key packs from the host; packs removed by hand
// leave the state, all of them the resource.
func (r *keyPackResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m keyPackModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	host := r.data.host(m.Host)
	d, diags := m.Timeouts.Read(ctx, keyPackReadTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := withTimeout(ctx, d)
	defer cancel()
	list, err := rds.ListKeyPacks.Run(ctx, r.data, host, rds.NoInput{})
	if isKind(err, winrmclient.KindRoleMissing, winrmclient.KindRebootPending) {
		// The licensing database outlives the role: keep the packs until
		// the role is back, rather than install them again.
		resp.Diagnostics.AddWarning("Cannot read the key packs on "+host, opErrorDetail(err)+"\n\nThe key packs stay in the state unchanged until RD Licensing answers again.")
		return
	}
	if err != nil {
		opError(&resp.Diagnostics, "Cannot read the key packs on "+host, err)
		return
	}
	own := ownKeyPacks(list.KeyPacks, m.ids())
	if len(own) == 0 {
		resp.State.RemoveResource(ctx)
		return
	}
	m.setPacks(host, own)
	m.Quantity = types.Int64Value(sumLicenses(own))
	if v := calRelease(own[0].ProductVersionID); v != "" {
		m.ProductVersion = types.StringValue(v)
	}
	if t := calTypeOf(own[0].ProductType); t != "" {
		m.CALType = types.StringValue(t)
	}
	if m.UninstallOnDestroy.IsNull() {
		m.UninstallOnDestroy = types.BoolValue(keyPackPrograms[m.Program.ValueString()].counted)
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
	host := r.data.host(m.Host)
	p := keyPackPrograms[m.Program.ValueString()]
	if !p.counted || m.Quantity.Equal(prior.Quantity) {
		resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
		return
	}
	d, diags := m.Timeouts.Update(ctx, keyPackWriteTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := withTimeout(ctx, d)
	defer cancel()
	list, err := rds.ListKeyPacks.Run(ctx, r.data, host, rds.NoInput{})
	if err != nil {
		opError(&resp.Diagnostics, "Cannot read the key packs on "+host, err)
		return
	}
	ids := prior.ids()
	own := ownKeyPacks(list.KeyPacks, ids)
	have, want := sumLicenses(own), m.Quantity.ValueInt64()
	switch {
	case want > have:
		pack, ok := r.install(ctx, host, keyPackInstallInput(&m, &config, want-have), list.KeyPacks, &resp.Diagnostics)
		if !ok {
			return
		}
		ids = append(ids, pack.KeyPackID)
	case want < have:
		ids = r.removeLicenses(ctx, host, own, have-want, want, &resp.Diagnostics)
	}
	after, err := rds.ListKeyPacks.Run(ctx, r.data, host, rds.NoInput{})
	if err != nil {
		opError(&resp.Diagnostics, "Cannot read the key packs on "+host+" after changing them", err)
		return
	}
	own = ownKeyPacks(after.KeyPacks, ids)
	if len(own) == 0 {
		resp.Diagnostics.AddError("The key packs are gone from "+host, "After the change no key pack of this resource is left on "+host+"; run terraform plan to install the CALs again.")
		return
	}
	m.setPacks(host, own)
	if resp.Diagnostics.HasError() {
		// Record what was done, with the quantity the host has.
		m.Quantity = types.Int64Value(sumLicenses(own))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// removeLicenses removes remove CALs that are not issued, newest pack
// first; a pack other than the first that empties goes entirely. It
// returns the resource's key pack IDs after.
func (r *keyPackResource) removeLicenses(ctx context.Context, host string, own []rds.KeyPack, remove, want int64, diags *diag.Diagnostics) []int64 {
	ids := make([]int64, len(own))
	for i, kp := range own {
		ids[i] = kp.KeyPackID
	}
	steps, ok := planLicenseRemoval(own, remove)
	if !ok {
		diags.AddAttributeError(path.Root("quantity"), fmt.Sprintf("Cannot remove %d CALs from %s", remove, host), cannotRemoveDetail(host, own, remove, want))
		return ids
	}
	for _, s := range steps {
		var err error
		if s.whole {
			_, err = rds.RemoveKeyPack.Run(ctx, r.data, host, rds.KeyPackRef{KeyPackID: s.id})
		} else {
			_, err = rds.RemoveLicenses.Run(ctx, r.data, host, rds.RemoveLicensesInput{KeyPackID: s.id, LicenseCount: int(s.count)})
		}
		if err != nil {
			opAttributeError(diags, path.Root("quantity"), fmt.Sprintf("Cannot remove %d CALs from key pack %d on %s", s.count, s.id, host), err)
			return ids
		}
		if s.whole {
			ids = slices.DeleteFunc(ids, func(id int64) bool { return id == s.id })
		}
	}
	return ids
}

// Delete removes the key packs, or with uninstall_on_destroy = false only
// forgets them.
func (r *keyPackResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m keyPackModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	host := r.data.host(m.Host)
	if !m.UninstallOnDestroy.ValueBool() {
		resp.Diagnostics.AddWarning("CALs stay installed on "+host, keepCALsDetail(host, m.ids()))
		return
	}
	d, diags := m.Timeouts.Delete(ctx, keyPackWriteTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := withTimeout(ctx, d)
	defer cancel()
	ids := m.ids()
	for i := len(ids) - 1; i >= 0; i-- {
		_, err := rds.RemoveKeyPack.Run(ctx, r.data, host, rds.KeyPackRef{KeyPackID: ids[i]})
		if err != nil && !isKind(err, winrmclient.KindNotFound) {
			opError(&resp.Diagnostics, fmt.Sprintf("Cannot remove key pack %d from %s", ids[i], host), err)
			return
		}
	}
}

// privateProgramFromPack marks a program derived from an imported pack:
// retail codes and license key pack IDs both make KeyPackType 1 packs, so
// the configuration may name the other one without a replacement.
const privateProgramFromPack = "program_from_pack"

// ImportState imports key packs: "<host>/<key_pack_id>[,<key_pack_id>...]".
func (r *keyPackResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	host, ids, problem := parseKeyPackImportID(req.ID)
	if problem != "" {
		resp.Diagnostics.AddError("Invalid import ID", problem)
		return
	}
	if r.data == nil {
		resp.Diagnostics.AddError("Provider not configured", "Importing a key pack reads it from the license server: configure the provider first.")
		return
	}
	list, err := rds.ListKeyPacks.Run(ctx, r.data, host, rds.NoInput{})
	if err != nil {
		opError(&resp.Diagnostics, "Cannot read the key packs on "+host, err)
		return
	}
	packs, problem := importablePacks(host, list.KeyPacks, ids)
	if problem != "" {
		resp.Diagnostics.AddError("Cannot import key pack from "+host, problem)
		return
	}
	m := keyPackModel{
		Host:                    types.StringNull(),
		Program:                 types.StringValue(programOfPack(packs[0])),
		AllowPerUserInWorkgroup: types.BoolValue(false),
		Timeouts:                timeouts.Value{Object: types.ObjectNull(keyPackTimeoutTypes)},
	}
	m.nullCodes()
	m.setPacks(host, packs)
	m.Quantity = types.Int64Value(sumLicenses(packs))
	m.ProductVersion = types.StringValue(calRelease(packs[0].ProductVersionID))
	m.CALType = types.StringValue(calTypeOf(packs[0].ProductType))
	m.UninstallOnDestroy = types.BoolValue(keyPackPrograms[m.Program.ValueString()].counted)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	resp.Diagnostics.Append(setImportedHost(ctx, r.data, host, resp)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateProgramFromPack, []byte(`true`))...)
}

// ---- helpers -------------------------------------------------------------

// purchaseProgram describes one way of buying CALs.
type purchaseProgram struct {
	codes       []string // its code attributes
	counted     bool     // the install takes a quantity
	keyPackType int      // KeyPackType of its packs
	codeName    string   // how messages call its code
}

var (
	keyPackProgramNames = []string{"retail", "open_license", "agreement", "license_key_pack_id"}
	keyPackPrograms     = map[string]purchaseProgram{
		"retail":              {codes: []string{"license_code"}, keyPackType: 1, codeName: "retail license code"},
		"open_license":        {codes: []string{"license_number", "authorization_number"}, counted: true, keyPackType: 5, codeName: "Open License"},
		"agreement":           {codes: []string{"agreement_number"}, counted: true, keyPackType: 2, codeName: "agreement number"},
		"license_key_pack_id": {codes: []string{"license_key_pack_id"}, keyPackType: 1, codeName: "license key pack ID"},
	}
	keyPackCodeAttrs = []string{"license_code", "license_number", "authorization_number", "agreement_number", "license_key_pack_id"}
	// keyPackAgreementTypes in AgreementType order (0-5).
	keyPackAgreementTypes = []string{"select", "enterprise", "campus", "school", "service_provider", "other"}
	// kpCodeDescriptions say what a missing code is.
	kpCodeDescriptions = map[string]string{
		"license_code":         "the 25-character license code of the retail purchase",
		"license_number":       "the 8-digit license number of the Open License",
		"authorization_number": "the 15-character authorization number of the Open License",
		"agreement_number":     "the 7-digit agreement or enrollment number",
		"license_key_pack_id":  "the 35-character license key pack ID from the Clearinghouse",
	}
)

// kpProblem is a configuration error on one attribute.
type kpProblem struct{ attr, summary, detail string }

// keyPackConfigProblems lists what does not go with the program.
func keyPackConfigProblems(m *keyPackModel) []kpProblem {
	var out []kpProblem
	anyWO := false
	for _, a := range keyPackCodeAttrs {
		_, wo := m.code(a)
		if !wo.IsNull() {
			anyWO = true
		}
	}
	if !m.CodesWOVersion.IsNull() && !anyWO {
		out = append(out, kpProblem{"codes_wo_version", "codes_wo_version without a write-only code",
			"codes_wo_version versions the write-only codes (license_code_wo, license_number_wo, authorization_number_wo, agreement_number_wo, license_key_pack_id_wo), and none is set. Remove codes_wo_version, or use the _wo form of the code."})
	}
	if m.Program.IsUnknown() || m.Program.IsNull() {
		return out
	}
	name := m.Program.ValueString()
	p, ok := keyPackPrograms[name]
	if !ok {
		return out // the attribute's validator reports it
	}
	for _, a := range keyPackCodeAttrs {
		plain, wo := m.code(a)
		if !slices.Contains(p.codes, a) {
			for _, v := range []struct {
				attr string
				val  types.String
			}{{a, plain}, {a + "_wo", wo}} {
				if !v.val.IsNull() {
					out = append(out, kpProblem{v.attr, v.attr + " does not go with program = \"" + name + "\"",
						fmt.Sprintf("%s is only used with program = %q; this key pack has program = %q. Remove it, or change program.", v.attr, programOfCode(a), name)})
				}
			}
			continue
		}
		switch {
		case !plain.IsNull() && !wo.IsNull():
			out = append(out, kpProblem{a, "Both " + a + " and " + a + "_wo are set", "Set " + a + " or its write-only form " + a + "_wo, not both."})
		case plain.IsNull() && wo.IsNull():
			out = append(out, kpProblem{a, "Missing " + a,
				fmt.Sprintf("program = %q needs %s: %s. Set %s, or its write-only form %s_wo (Terraform 1.11 or OpenTofu 1.11 and later), which stays out of the state.", name, a, kpCodeDescriptions[a], a, a)})
		}
	}
	switch {
	case name == "agreement" && m.AgreementType.IsNull():
		out = append(out, kpProblem{"agreement_type", "Missing agreement_type",
			"program = \"agreement\" needs agreement_type: select, enterprise, campus, school, service_provider or other."})
	case name != "agreement" && !m.AgreementType.IsNull():
		out = append(out, kpProblem{"agreement_type", "agreement_type does not go with program = \"" + name + "\"",
			fmt.Sprintf("agreement_type is only used with program = \"agreement\"; this key pack has program = %q. Remove it, or change program.", name)})
	}
	switch {
	case p.counted && m.Quantity.IsNull():
		out = append(out, kpProblem{"quantity", "Missing quantity",
			fmt.Sprintf("program = %q needs quantity: the number of CALs to install (1-9999).", name)})
	case !p.counted && !m.Quantity.IsNull():
		out = append(out, kpProblem{"quantity", "quantity cannot be set with program = \"" + name + "\"",
			fmt.Sprintf("quantity is not allowed with program = %q: the %s decides how many CALs it installs, and quantity shows that number after apply. Remove quantity from the configuration.", name, p.codeName)})
	}
	return out
}

// programOfCode is the program a code attribute belongs to.
func programOfCode(attr string) string {
	for _, name := range keyPackProgramNames {
		if slices.Contains(keyPackPrograms[name].codes, attr) {
			return name
		}
	}
	return ""
}

// keyPackInstallInput is the install_key_pack input of a planned key pack; the
// write-only codes come from the configuration.
func keyPackInstallInput(m, config *keyPackModel, count int64) rds.InstallKeyPackInput {
	code := func(attr string) string {
		plain, _ := m.code(attr)
		if plain.IsNull() || plain.IsUnknown() {
			_, plain = config.code(attr)
		}
		return normalizeCode(plain.ValueString())
	}
	in := rds.InstallKeyPackInput{
		Program:                 m.Program.ValueString(),
		ProductVersion:          productVersions[m.ProductVersion.ValueString()],
		ProductType:             calTypeNumber[m.CALType.ValueString()],
		AllowPerUserInWorkgroup: m.AllowPerUserInWorkgroup.ValueBool(),
	}
	switch in.Program {
	case "retail":
		in.LicenseCode = code("license_code")
	case "open_license":
		in.LicenseNumber, in.AuthorizationNumber, in.LicenseCount = code("license_number"), code("authorization_number"), int(count)
	case "agreement":
		in.AgreementType = slices.Index(keyPackAgreementTypes, m.AgreementType.ValueString())
		in.AgreementNumber, in.LicenseCount = code("agreement_number"), int(count)
	case "license_key_pack_id":
		in.LicenseKeyPackID = code("license_key_pack_id")
	}
	return in
}

// calVersionTooNew: CALs of release version cannot go onto a license
// server running osRelease (unknown releases are left to the install).
func calVersionTooNew(version, osRelease string) bool {
	cal, ok1 := productVersions[version]
	ls, ok2 := productVersions[osRelease]
	return ok1 && ok2 && cal > ls
}

// mixedCALWarning warns when installing CALs of productType would leave
// the license server with both per-user and per-device CALs.
func mixedCALWarning(packs []rds.KeyPack, productType int) string {
	for _, kp := range packs {
		if kp.BuiltIn || kp.TotalLicenses == 0 || (kp.ProductType != 0 && kp.ProductType != 1) || kp.ProductType == productType {
			continue
		}
		return fmt.Sprintf("Key pack %d already holds %s, and this key pack installs %s CALs. Windows allows both on one license server, but many guides say not to mix them: "+
			"a session host uses one licensing mode, so CALs of the other type stay unused unless some session hosts use the other mode. Check that this is what you mean.",
			kp.KeyPackID, describeKeyPack(kp), strings.ReplaceAll(calTypeOf(productType), "_", "-"))
	}
	return ""
}

// newKeyPacks are the packs that appeared since before and hold what in
// installs.
func newKeyPacks(before, after []rds.KeyPack, in rds.InstallKeyPackInput) []rds.KeyPack {
	var out []rds.KeyPack
	for _, kp := range after {
		if slices.ContainsFunc(before, func(b rds.KeyPack) bool { return b.KeyPackID == kp.KeyPackID }) {
			continue
		}
		if keyPackMatches(kp, in) {
			out = append(out, kp)
		}
	}
	return out
}

// keyPackMatches: kp could hold the CALs in installs.
func keyPackMatches(kp rds.KeyPack, in rds.InstallKeyPackInput) bool {
	p := keyPackPrograms[in.Program]
	if kp.BuiltIn || kp.KeyPackType != p.keyPackType || kp.ProductVersionID != in.ProductVersion || kp.ProductType != in.ProductType {
		return false
	}
	return !p.counted || kp.TotalLicenses == int64(in.LicenseCount)
}

// codeUsedHint names the packs on the host a used code probably
// installed, with the import command.
func codeUsedHint(host string, in rds.InstallKeyPackInput, packs []rds.KeyPack) string {
	var found []rds.KeyPack
	for _, kp := range packs {
		if keyPackMatches(kp, in) {
			found = append(found, kp)
		}
	}
	if len(found) == 0 {
		return ""
	}
	p := keyPackPrograms[in.Program]
	var b strings.Builder
	for _, kp := range found {
		fmt.Fprintf(&b, "\n  terraform import <address> %s/%d    # %s", host, kp.KeyPackID, describeKeyPack(kp))
	}
	single := "A " + p.codeName + " is single-use: if this server installed it before, import that pack instead of installing again"
	if p.counted {
		single = "If this server installed these CALs before, import that pack instead of installing again"
	}
	return fmt.Sprintf("%s on %s holds the CALs this resource declares: it is probably the pack this code installed. %s (<address> is this resource's address, e.g. rdslicensing_key_pack.cals; or use an import block with that id):\n%s",
		kpPlural(len(found), "A key pack", "Key packs"), host, single, b.String())
}

func kpPlural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// kpRemoval is one step of lowering the quantity.
type kpRemoval struct {
	id, count int64
	whole     bool // remove the whole pack
}

// planLicenseRemoval removes remove CALs that are not issued, newest pack
// first. A pack other than the first that would be left empty is removed
// whole, so that the resource's ID stays; ok is false when too few CALs
// are not issued.
func planLicenseRemoval(own []rds.KeyPack, remove int64) ([]kpRemoval, bool) {
	var steps []kpRemoval
	for i := len(own) - 1; i >= 0 && remove > 0; i-- {
		kp := own[i]
		take := min(kp.AvailableLicenses, remove)
		if take <= 0 {
			continue
		}
		steps = append(steps, kpRemoval{id: kp.KeyPackID, count: take, whole: i > 0 && take == kp.TotalLicenses && kp.IssuedLicenses == 0})
		remove -= take
	}
	return steps, remove <= 0
}

// cannotRemoveDetail explains a quantity that issued CALs prevent.
func cannotRemoveDetail(host string, own []rds.KeyPack, remove, want int64) string {
	var available, issued int64
	ids := make([]string, len(own))
	for i, kp := range own {
		available += kp.AvailableLicenses
		issued += kp.IssuedLicenses
		ids[i] = strconv.FormatInt(kp.KeyPackID, 10)
	}
	return fmt.Sprintf("quantity = %d removes %d CALs, but only %d of the %d CALs in key pack %s on %s are not issued (%d are issued): Windows cannot take back issued CALs. "+
		"Set quantity to %d or more, or revoke per-device CALs (up to 20%%) or wait until issued CALs expire.",
		want, remove, available, sumLicenses(own), strings.Join(ids, ", "), host, issued, sumLicenses(own)-available)
}

// keepCALsDetail says that destroy leaves the CALs installed.
func keepCALsDetail(host string, ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return fmt.Sprintf("The CALs of key pack %s stay installed on %s; Terraform only forgets them, because uninstall_on_destroy is false (the default for retail codes and license key pack IDs: they are single-use, and uninstalling would throw the purchase away). "+
		"To remove them, set uninstall_on_destroy = true and apply before destroying, or remove the pack in RD Licensing Manager.", strings.Join(s, ", "), host)
}

// parseKeyPackImportID reads "<host>/<key_pack_id>[,<key_pack_id>...]";
// problem says what is wrong with id.
func parseKeyPackImportID(id string) (string, []int64, string) {
	const format = `The import ID must be "<host>/<key_pack_id>": the license server's name, FQDN or IP address, and the KeyPackId RD Licensing Manager shows (or Get-CimInstance Win32_TSLicenseKeyPack), e.g. "ls01.contoso.com/5"; for several packs of one Open License or agreement "ls01.contoso.com/5,7"`
	i := strings.LastIndex(id, "/")
	if i < 0 {
		return "", nil, fmt.Sprintf("%s. Got %q, which has no \"/\".", format, id)
	}
	host, rest := strings.TrimSpace(id[:i]), strings.TrimSpace(id[i+1:])
	if host == "" || strings.ContainsAny(host, " /\\\t") {
		return "", nil, fmt.Sprintf("%s. Got %q, whose host part is not a host name.", format, id)
	}
	if rest == "" {
		return "", nil, fmt.Sprintf("%s. Got %q, which has no key pack ID after the \"/\".", format, id)
	}
	var ids []int64
	for _, s := range strings.Split(rest, ",") {
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || n < 0 || n > 4294967295 {
			return "", nil, fmt.Sprintf("%s. Got %q: %q is not a key pack ID (a whole number).", format, id, strings.TrimSpace(s))
		}
		if !slices.Contains(ids, n) {
			ids = append(ids, n)
		}
	}
	slices.Sort(ids) // oldest first, as the resource keeps them
	return host, ids, ""
}

// importablePacks finds the packs an import names and checks that the
// resource can manage them, together; problem says why not.
func importablePacks(host string, packs []rds.KeyPack, ids []int64) ([]rds.KeyPack, string) {
	var out []rds.KeyPack
	for _, id := range ids {
		i := slices.IndexFunc(packs, func(kp rds.KeyPack) bool { return kp.KeyPackID == id })
		if i < 0 {
			var have []string
			for _, kp := range packs {
				if !kp.BuiltIn {
					have = append(have, fmt.Sprintf("%d (%s)", kp.KeyPackID, describeKeyPack(kp)))
				}
			}
			list := "none but the built-in pack"
			if len(have) > 0 {
				list = strings.Join(have, "; ")
			}
			return nil, fmt.Sprintf("There is no key pack %d on %s. The key packs there are: %s.", id, host, list)
		}
		kp := packs[i]
		switch {
		case kp.BuiltIn:
			return nil, fmt.Sprintf("Key pack %d on %s is the built-in per-device pack (%s): Windows creates it with the license server, and it cannot be installed, removed or managed. Import a key pack of CALs you installed.", id, host, kp.TypeAndModel)
		case programOfPack(kp) == "":
			return nil, fmt.Sprintf("Key pack %d on %s has KeyPackType %d (%s); the provider manages retail (1), volume agreement (2) and Open License (5) packs.", id, host, kp.KeyPackType, kp.Description)
		case calRelease(kp.ProductVersionID) == "" || calTypeOf(kp.ProductType) == "":
			return nil, fmt.Sprintf("Key pack %d on %s holds %s CALs (%s); the provider manages Windows Server 2016, 2019, 2022 and 2025 per-user and per-device CALs.", id, host, kp.ProductVersion, kp.TypeAndModel)
		}
		if len(out) > 0 {
			first := out[0]
			if !keyPackPrograms[programOfPack(kp)].counted || kp.KeyPackType != first.KeyPackType || kp.ProductVersionID != first.ProductVersionID || kp.ProductType != first.ProductType {
				return nil, fmt.Sprintf("Key packs %d and %d on %s cannot be one resource: only packs of one Open License or agreement, with the same CAL release and type, can (%s; %s). Import them as separate resources.", first.KeyPackID, id, host, describeKeyPack(first), describeKeyPack(kp))
			}
		}
		out = append(out, kp)
	}
	return out, ""
}

// ownKeyPacks are the packs of ids that are still on the host, in ids order.
func ownKeyPacks(packs []rds.KeyPack, ids []int64) []rds.KeyPack {
	var out []rds.KeyPack
	for _, id := range ids {
		i := slices.IndexFunc(packs, func(kp rds.KeyPack) bool { return kp.KeyPackID == id && !kp.BuiltIn })
		if i >= 0 {
			out = append(out, packs[i])
		}
	}
	return out
}

func sumLicenses(packs []rds.KeyPack) int64 {
	var n int64
	for _, kp := range packs {
		n += kp.TotalLicenses
	}
	return n
}

// programOfPack is the program that makes packs of kp's KeyPackType ("" for
// types the provider does not install). Type 1 is retail or a license key
// pack ID: the pack does not tell; retail is the common one.
func programOfPack(kp rds.KeyPack) string {
	if p := keyPackProgram(kp.KeyPackType, false); keyPackPrograms[p].codes != nil {
		return p
	}
	return ""
}

// calRelease is the Windows Server release of a CAL ProductVersion number
// ("" for releases the provider does not install).
func calRelease(id int) string {
	if r := productVersionName(id); productVersions[r] == id {
		return r
	}
	return ""
}

// calTypeOf is the cal_type of a ProductType ("" for the built-in type).
func calTypeOf(t int) string {
	if n := calTypeName(t); n == "per_device" || n == "per_user" {
		return n
	}
	return ""
}

// describeKeyPack is a pack as messages show it, never with a code.
func describeKeyPack(kp rds.KeyPack) string {
	what := kp.TypeAndModel
	if what == "" {
		what = strings.ReplaceAll(calTypeOf(kp.ProductType), "_", "-") + " CALs"
	}
	return fmt.Sprintf("%d %s %s", kp.TotalLicenses, kp.ProductVersion, what)
}

// codeChanged: the plan replaces the code (a new plain value, or a new
// codes_wo_version).
func codeChanged(state, plan *keyPackModel) bool {
	for _, a := range keyPackPrograms[state.Program.ValueString()].codes {
		before, _ := state.code(a)
		after, _ := plan.code(a)
		if after.IsUnknown() || (!before.IsNull() && !after.IsNull() && normalizeCode(before.ValueString()) != normalizeCode(after.ValueString())) {
			return true
		}
	}
	return !state.CodesWOVersion.IsNull() && !plan.CodesWOVersion.IsNull() && !plan.CodesWOVersion.Equal(state.CodesWOVersion)
}

// codeRequiresReplace replaces the key pack when a code changes; not when
// it is first recorded (after import, or when leaving the _wo form), nor
// when only its hyphens, spaces or case change.
func codeRequiresReplace() planmodifier.String {
	return stringplanmodifier.RequiresReplaceIf(func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
		resp.RequiresReplace = !req.StateValue.IsNull() && (req.PlanValue.IsUnknown() ||
			!req.PlanValue.IsNull() && normalizeCode(req.PlanValue.ValueString()) != normalizeCode(req.StateValue.ValueString()))
	}, "Replaces the key pack when the code changes.", "Replaces the key pack when the code changes.")
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

// replaceIfPriorString replaces only a value that was known before: after
// import it is recorded without a replacement.
func replaceIfPriorString(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
	resp.RequiresReplace = !req.StateValue.IsNull() && !req.PlanValue.IsNull()
}

func replaceIfPriorInt64(_ context.Context, req planmodifier.Int64Request, resp *int64planmodifier.RequiresReplaceIfFuncResponse) {
	resp.RequiresReplace = !req.StateValue.IsNull() && !req.PlanValue.IsNull()
}

// hostOf is the host of a key pack's state, for messages.
func (r *keyPackResource) hostOf(m *keyPackModel) string {
	if r.data == nil {
		return m.Host.ValueString()
	}
	return r.data.host(m.Host)
}

var keyPackTimeoutTypes = map[string]attr.Type{"create": types.StringType, "read": types.StringType, "update": types.StringType, "delete": types.StringType}

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
	UninstallOnDestroy      types.Bool     `tfsdk:"uninstall_on_destroy"`
	KeyPackID               types.Int64    `tfsdk:"key_pack_id"`
	KeyPackIDs              types.List     `tfsdk:"key_pack_ids"`
	TotalLicenses           types.Int64    `tfsdk:"total_licenses"`
	IssuedLicenses          types.Int64    `tfsdk:"issued_licenses"`
	AvailableLicenses       types.Int64    `tfsdk:"available_licenses"`
	ExpirationDate          types.String   `tfsdk:"expiration_date"`
	TypeAndModel            types.String   `tfsdk:"type_and_model"`
	KeyPackType             types.Int64    `tfsdk:"key_pack_type"`
	Timeouts                timeouts.Value `tfsdk:"timeouts"`
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
// (oldest first).
func (m *keyPackModel) setPacks(host string, packs []rds.KeyPack) {
	ids := make([]attr.Value, len(packs))
	var total, issued, available int64
	expiry := ""
	for i, kp := range packs {
		ids[i] = types.Int64Value(kp.KeyPackID)
		total += kp.TotalLicenses
		issued += kp.IssuedLicenses
		available += kp.AvailableLicenses
		if kp.ExpirationDate != "" && (expiry == "" || kp.ExpirationDate < expiry) {
			expiry = kp.ExpirationDate
		}
	}
	first := packs[0]
	m.ID = types.StringValue(host + "/" + strconv.FormatInt(first.KeyPackID, 10))
	m.KeyPackID = types.Int64Value(first.KeyPackID)
	m.KeyPackIDs = types.ListValueMust(types.Int64Type, ids)
	m.TotalLicenses = types.Int64Value(total)
	m.IssuedLicenses = types.Int64Value(issued)
	m.AvailableLicenses = types.Int64Value(available)
	m.ExpirationDate = types.StringValue(expiry)
	m.TypeAndModel = types.StringValue(first.TypeAndModel)
	m.KeyPackType = types.Int64Value(int64(first.KeyPackType))
}
