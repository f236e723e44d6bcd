package provider

import (
	"context"
	"errors"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/activation"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/licensecodes"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

// Ensure the resource satisfies the framework's interfaces.
var (
	_ resource.Resource                   = (*serverActivationResource)(nil)
	_ resource.ResourceWithConfigure      = (*serverActivationResource)(nil)
	_ resource.ResourceWithImportState    = (*serverActivationResource)(nil)
	_ resource.ResourceWithValidateConfig = (*serverActivationResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*serverActivationResource)(nil)
)

// NewServerActivationResource is the rdslicensing_server_activation resource.
func NewServerActivationResource() resource.Resource { return &serverActivationResource{} }

type serverActivationResource struct {
	provider *providerData
}

// Default timeouts: activation talks to the Clearinghouse over the Internet.
const (
	activationTimeout     = 10 * time.Minute
	activationReadTimeout = 5 * time.Minute
)

// Metadata names the resource.
func (r *serverActivationResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_server_activation"
}

// Schema describes the resource.
func (r *serverActivationResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	contact := func(attr, desc string) schema.StringAttribute {
		return schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: desc + " Optional; leaving it out (or `\"\"`) keeps it empty on the server, and a value set by hand shows as a change." + contactLimitNote(attr),
			Validators:          []validator.String{contactValidator{}},
		}
	}
	required := func(attr, name, desc string) schema.StringAttribute {
		return schema.StringAttribute{
			Required:            true,
			MarkdownDescription: desc + " Required: the Microsoft Clearinghouse refuses automatic activation without it." + contactLimitNote(attr),
			Validators:          []validator.String{contactValidator{required: true, why: "the Microsoft Clearinghouse needs the " + name + " of the license server's contact to activate it"}},
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Activation of an RD license server with the Microsoft Clearinghouse, with the contact details RD Licensing Manager asks for, its discovery scope and its membership of the Active Directory group \"Terminal Server License Servers\". " +
			"The RD Licensing role must be installed first (`rdslicensing_role`).\n\n" +
			"Create sets the contact details, then activates the server: `automatic` over the Internet (the license server itself needs outbound TCP 443), or `license_server_id` with the 35-character license server ID " +
			"that the Clearinghouse web site (https://activate.microsoft.com) or telephone line gives for the server's `product_id`, for servers without Internet access. A server that is already activated is adopted as it is. " +
			"Changing contact details updates them without reactivating.\n\n" +
			"The `id` is the host, known at plan time, and no activation, deactivation or reactivation changes it: `host = rdslicensing_server_activation.x.id` on `rdslicensing_key_pack` orders the key packs after the activation, " +
			"and nothing that takes its host from it is replaced because of the activation. A server found deactivated (by hand, or restored from a backup) stays in the state with `activation_status = \"not_activated\"`: " +
			"`plan` shows an in-place update, and `apply` activates it again with `method`. `activated = false` deactivates the server in place, and `true` activates it again.\n\n" +
			"To reactivate (for example after restoring the server from a backup, or when its certificate is corrupt), set `reactivation_reason` and change `reactivation_trigger`.\n\n" +
			"Destroy only forgets the activation unless `deactivate_on_destroy = true`: the server stays activated, and a warning says so.\n\n" +
			"Import with the host as ID: `terraform import rdslicensing_server_activation.ls01 ls01.contoso.com`.",
		Attributes: map[string]schema.Attribute{
			"id":         idAttribute("the host (the resource's `host`, else the provider's), known at plan time"),
			"host":       hostAttribute("whose license server to activate"),
			"first_name": required("first_name", "first name", "First name of the contact (`FirstName`)."),
			"last_name":  required("last_name", "last name", "Last name of the contact (`LastName`)."),
			"company":    required("company", "company", "Company (`Company`)."),
			"country_region": required("country_region", "country/region", "Country or region (`CountryRegion`), as RD Licensing Manager's Activate Server Wizard lists it: the English name on English systems, e.g. `United States`, `United Kingdom`, `Germany`. "+
				"The server refuses names outside its list. Plan refuses codes and abbreviations (`UK`, `USA`, `DE`), naming the country to write instead, and, when apply would write it (create, or a changed value), warns of a name that is not on the English list the provider knows (it may be right on a server in another language)."),
			"email":       contact("email", "E-mail address of the contact (`eMail`): `name@example.com`."),
			"org_unit":    contact("org_unit", "Organizational unit (`OrgUnit`)."),
			"address":     contact("address", "Street address (`Address`)."),
			"city":        contact("city", "City (`City`)."),
			"state":       contact("state", "State or province (`State`)."),
			"postal_code": contact("postal_code", "Postal code (`PostalCode`)."),
			"method": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(activation.MethodAutomatic),
				MarkdownDescription: "How to activate: `automatic` (default) over the Internet from the license server, which needs outbound TCP 443 to the Clearinghouse; or `license_server_id` with the ID in `license_server_id` or `license_server_id_wo`, for servers without Internet access. " +
					"Changing it does nothing on an activated server; it applies to the next activation.",
				Validators: []validator.String{stringvalidator.OneOf(activation.MethodAutomatic, activation.MethodLicenseServerID)},
			},
			"license_server_id": schema.StringAttribute{
				Optional: true, Computed: true, Sensitive: true,
				MarkdownDescription: "License server ID: 35 letters and digits (hyphens and spaces are ignored, case does not matter). " +
					"With `method = \"license_server_id\"`, the ID the Clearinghouse web site (https://activate.microsoft.com) or telephone line gives for this server's `product_id`: the server is activated with it, and reactivated when it changes. " +
					"With `method = \"automatic\"` leave it out: it is read from the server. Conflicts with `license_server_id_wo`. While the server is not activated, it keeps the last ID known.",
				Validators: []validator.String{codeValidator{"license_server_id"}},
			},
			"license_server_id_wo": schema.StringAttribute{
				Optional: true, WriteOnly: true, Sensitive: true,
				MarkdownDescription: "Write-only form of `license_server_id` (Terraform and OpenTofu 1.11 and later): never stored in the state or the plan; set it from an ephemeral variable, so that saved plan files do not hold the variable either (see the [secrets guide](../guides/secrets.md)). Requires `license_server_id_wo_version`; " +
					"`license_server_id` then shows the ID the server reports.",
				Validators: []validator.String{codeValidator{"license_server_id"}},
			},
			"license_server_id_wo_version": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "Version of `license_server_id_wo`. Terraform cannot see a write-only value change: change this number whenever you change `license_server_id_wo`, and the server is reactivated with the new ID when it differs from the server's.",
			},
			"discovery_scope": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Discovery scope of the license server (`ServerRole`): `workgroup`, `domain` (needs a Domain Admin) or `forest` (needs an Enterprise Admin). Outside a domain only `workgroup` exists. Left out, it is read from the server and left as it is.",
				Validators:          []validator.String{stringvalidator.OneOf(activation.DiscoveryScopes...)},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"add_to_license_servers_group": schema.BoolAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Membership of the license server in the Active Directory group \"Terminal Server License Servers\" of its domain, which per-user CAL tracking and reporting need. `true` adds it, `false` removes it; either needs a Domain Admin, and `true` needs a server in a domain. Left out, it is read from the server and left as it is.",
				PlanModifiers:       []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
			"reactivation_reason": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Why the server is reactivated when `reactivation_trigger` changes, as Windows' `ReactivateServerAutomatic` takes it: `redeployed` (0), `certificate_corrupt` (1), `private_key_compromised` (2), `activation_key_expired` (3) or `server_upgraded` (4). " +
					"Required with `reactivation_trigger`. Changing it alone does nothing.",
				Validators: []validator.String{stringvalidator.OneOf(activation.ReactivationReasons...)},
			},
			"reactivation_trigger": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Any value: when it changes to a new non-null value, apply reactivates the license server (a new certificate from the Clearinghouse) for `reactivation_reason`. " +
					"Bump it to reactivate, e.g. `reactivation_trigger = \"2026-03-restored-from-backup\"` after restoring the server from a backup. " +
					"With `method = \"license_server_id\"`, set the new license server ID the Clearinghouse gave for the reactivation at the same time. Creating the resource activates and never reactivates.",
			},
			"activated": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(true),
				MarkdownDescription: "Whether the license server is activated. `true` (default): create activates it, and a server found not activated (deactivated by hand, restored from a backup) is activated again in place, with `method`. " +
					"`false` deactivates it in place over the Internet, as `deactivate_on_destroy` does on destroy (`DeactivateServerAutomatic`: the license server needs outbound TCP 443, also when it was activated with a license server ID; deactivating by telephone is done in RD Licensing Manager), and keeps it deactivated; setting it back to `true` activates it again. " +
					"Both are in-place updates that keep the `id`: key packs whose `host` comes from this resource are not touched. Their CALs stay on the server, but a license server that is not activated issues only temporary CALs. " +
					"Cannot be `false` in a plan that changes `reactivation_trigger`. With `method = \"license_server_id\"`, the Clearinghouse may not take the license server ID of an earlier activation again: then get a new one for the server's `product_id`.",
			},
			"deactivate_on_destroy": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: "Deactivate the license server over the Internet when the resource is destroyed. Defaults to `false`: destroy only forgets the activation and the server stays activated (a warning says so). To deactivate the server and keep managing it, set `activated = false` instead.",
			},
			"activation_status": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "Activation status as Windows reports it: `activated`, `not_activated` or `unknown`. " +
					"A server found `not_activated` while `activated = true` shows as an in-place update in `plan`: `apply` activates it again.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"product_id": computedString("Product ID of the license server: what the Clearinghouse web site and telephone line ask for to give a license server ID or license key pack IDs.", true),
			"timeouts":   timeoutsAttribute(ctx, activationTimeout, activationReadTimeout, "activation, reactivation and deactivation wait for the Microsoft Clearinghouse over the Internet."),
		},
	}
}

// Configure receives the provider's client.
func (r *serverActivationResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.provider = configureData(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig checks, offline, what the attributes mean together.
func (r *serverActivationResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m serverActivationModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := activation.Config{Method: m.Method.ValueString(), MethodKnown: !m.Method.IsUnknown(),
		LicenseServerID: !m.LicenseServerID.IsNull(), LicenseServerIDWO: !m.LicenseServerIDWO.IsNull(), WOVersion: !m.LicenseServerIDWOVersion.IsNull(),
		ReactivationTrigger: !m.ReactivationTrigger.IsNull(), ReactivationReason: !m.ReactivationReason.IsNull()}
	addErrors(&resp.Diagnostics, activation.ConfigProblems(c)...)
}

// ModifyPlan makes the id (the host) known, plans the activation or
// deactivation that activated asks for as an in-place update, keeps the
// license server ID when nothing activates the server, and checks against
// the host what needs a domain.
func (r *serverActivationResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	var plan, config serverActivationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	var state *serverActivationModel
	if !req.State.Raw.IsNull() {
		state = &serverActivationModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	if r.provider != nil {
		prior := types.StringNull()
		if state != nil {
			prior = state.ID
		}
		plan.ID = r.provider.plannedHostID(plan.Host, prior)
	}
	p, prior := plan.plan(&config), state.known()
	activate, deactivate := activation.Planned(p, prior)
	plan.ActivationStatus = plannedActivationStatus(&plan, state, deactivate)
	if state != nil && config.LicenseServerID.IsNull() {
		switch {
		case activate || plan.Activated.IsUnknown():
			// Known after the activation: the Clearinghouse's (automatic)
			// or license_server_id_wo, which the state never holds.
			plan.LicenseServerID = types.StringUnknown()
		case !plan.Activated.ValueBool() || !activation.WillReactivate(p, *prior):
			plan.LicenseServerID = state.LicenseServerID
		}
	}
	if state != nil && p.Activated.Text == "false" && activation.Triggered(p, *prior) {
		addErrors(&resp.Diagnostics, activation.TriggerProblem(prior.Trigger))
	}
	host := ""
	if r.provider != nil && !plan.Host.IsUnknown() {
		host = r.provider.host(plan.Host)
	}
	if activate && host != "" {
		r.provider.notePlannedActivation(host)
	}
	if activate && state != nil {
		if w, ok := activation.PastID(host, p, *prior); ok {
			addWarnings(&resp.Diagnostics, w)
		}
	}
	if deactivate {
		r.warnDeactivation(&plan, state, host, &resp.Diagnostics)
	}
	// Only when apply writes it: a name the server took stays quiet.
	if c := plan.CountryRegion; !c.IsUnknown() && !c.IsNull() && (state == nil || !c.Equal(state.CountryRegion)) {
		if w := countryNameWarning(c.ValueString()); w != "" {
			resp.Diagnostics.AddAttributeWarning(path.Root("country_region"), "country_region is not on the country list the provider knows", w)
		}
	}
	r.checkDomain(ctx, host, p, prior, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// Create sets the contact details, activates the server (or adopts an
// activated one) and sets the discovery scope and group.
func (r *serverActivationResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m, config serverActivationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	host, ok := r.provider.requireHost(m.Host, &resp.Diagnostics)
	if resp.Diagnostics.HasError() || !ok {
		return
	}
	timeout, diags := m.Timeouts.Create(ctx, activationTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := withTimeout(ctx, timeout)
	defer cancel()
	ls, ok, _ := r.converge(ctx, host, &m, nil, config.LicenseServerIDWO, &resp.Diagnostics)
	if !ok {
		return
	}
	m.ID = hostID(m.ID, host)
	m.setServer(ls)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Read refreshes the activation from the host. A server no longer
// activated stays in the state as not_activated: plan activates it again
// in place (or leaves it so with activated = false), so that the id, and
// with it everything that takes its host from this resource, stays put.
func (r *serverActivationResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m serverActivationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	host := r.provider.host(m.Host)
	timeout, diags := m.Timeouts.Read(ctx, activationReadTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := withTimeout(ctx, timeout)
	defer cancel()
	ls, err := rds.GetLicenseServer.Run(ctx, r.provider, host, rds.NoInput{})
	if isKind(err, rds.KindRoleMissing) {
		// Without RD Licensing there is no license server to activate in
		// place: the resource leaves the state and plan proposes to create
		// it, after the rdslicensing_role that installs the role again
		// (host = rdslicensing_role.x.id). That is safe: the new one plans
		// the same id (the host, known at plan), so nothing that takes its
		// host from it is replaced, and create adopts a server that is
		// still activated.
		tflog.Info(ctx, "RD Licensing is not installed: the activation is gone", map[string]any{"host": host})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the license server on "+host, activationRemedy(err))
		return
	}
	if ls.ActivationStatus != 0 && m.Activated.ValueBool() {
		tflog.Info(ctx, "the license server is not activated: plan activates it again in place", map[string]any{"host": host, "activation_status": ls.ActivationStatus})
	}
	m.ID = hostID(m.ID, host)
	m.setServer(ls)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Update changes the contact details, scope and group, activates or
// deactivates the server as activated asks, and reactivates when the
// trigger or the license server ID asks for it.
func (r *serverActivationResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m, prior, config serverActivationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	host := r.provider.host(m.Host)
	timeout, diags := m.Timeouts.Update(ctx, activationTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := withTimeout(ctx, timeout)
	defer cancel()
	ls, ok, spent := r.converge(ctx, host, &m, &prior, config.LicenseServerIDWO, &resp.Diagnostics)
	if !ok {
		if spent {
			// The reactivation may have run: record the trigger, so that
			// the next apply does not reactivate again unasked.
			prior.ReactivationTrigger, prior.ReactivationReason = m.ReactivationTrigger, m.ReactivationReason
			resp.Diagnostics.Append(resp.State.Set(ctx, &prior)...)
		}
		return
	}
	m.ID = hostID(prior.ID, host)
	m.setServer(ls)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Delete forgets the activation, or with deactivate_on_destroy
// deactivates the server.
func (r *serverActivationResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m serverActivationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	host := r.provider.host(m.Host)
	if !m.DeactivateOnDestroy.ValueBool() {
		if m.isActivated() {
			addWarnings(&resp.Diagnostics, activation.StaysActivated(host))
		}
		return
	}
	timeout, diags := m.Timeouts.Delete(ctx, activationTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := withTimeout(ctx, timeout)
	defer cancel()
	err := activation.Deactivate(ctx, r.provider, host)
	switch {
	case isKind(err, rds.KindRoleMissing):
		addWarnings(&resp.Diagnostics, activation.NothingToDeactivate(host))
	case err != nil:
		resp.Diagnostics.AddError("Cannot deactivate the license server on "+host, activationRemedy(err, activation.DestroyInstead))
	}
}

// ImportState imports the activation of a host: the ID is the host.
func (r *serverActivationResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	host, ok := importHost(req.ID, &resp.Diagnostics, "ls01.contoso.com")
	if !ok {
		return
	}
	if r.provider != nil {
		// Say why there is nothing to import, rather than OpenTofu's
		// "non-existent remote object".
		ls, err := rds.GetLicenseServer.Run(ctx, r.provider, host, rds.NoInput{})
		if err != nil {
			resp.Diagnostics.AddError("Cannot import the license server activation of "+host, activationRemedy(err))
			return
		}
		if ls.ActivationStatus != 0 {
			addErrors(&resp.Diagnostics, activation.NothingToImport(host, ls.ActivationStatus))
			return
		}
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), host)...)
	resp.Diagnostics.Append(setImportedHost(ctx, r.provider, host, resp)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("method"), activation.MethodAutomatic)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("deactivate_on_destroy"), false)...)
}

// warnDeactivation says, at plan time, what activated = false does.
func (r *serverActivationResource) warnDeactivation(plan, state *serverActivationModel, host string, diags *diag.Diagnostics) {
	var prior *activation.Prior
	if state != nil {
		prior = &activation.Prior{ProductID: state.ProductID.ValueString()}
	}
	addWarnings(diags, activation.DeactivationWarning(host, plan.Method.ValueString(), prior))
}

// plannedActivationStatus is the activation_status apply leaves: what
// activated asks for, and for a server that stays deactivated what Windows
// said of it.
func plannedActivationStatus(plan, state *serverActivationModel, deactivate bool) types.String {
	switch {
	case plan.Activated.IsUnknown():
		return types.StringUnknown()
	case plan.Activated.ValueBool():
		return types.StringValue(activation.StatusName(0))
	case deactivate || state == nil:
		return types.StringValue(activation.StatusName(1))
	}
	return state.ActivationStatus
}

// checkDomain fails the plan when it asks for a domain or forest scope or
// the AD group (activation.DomainAsked) on a server outside a domain. What
// it cannot check (host unknown or unreachable) apply checks.
func (r *serverActivationResource) checkDomain(ctx context.Context, host string, p activation.Plan, prior *activation.Known, diags *diag.Diagnostics) {
	scope, group := activation.DomainAsked(p, prior)
	if (scope == "" && !group) || host == "" {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	info, err := rds.GetHostInfo.Run(ctx, r.provider, host, rds.NoInput{})
	if err != nil {
		tflog.Debug(ctx, "cannot check the domain of the license server at plan time; apply will", map[string]any{"host": host, "error": err.Error()})
		return
	}
	if !info.PartOfDomain {
		addErrors(diags, activation.DomainProblems(info, scope, group)...)
	}
}

// converge makes the license server match m (activation.Converge), as
// plannedActivation decides (prior == nil on Create); wo is the
// configuration's write-only license server ID. When it fails, spent says
// that a reactivation may have run, so that the trigger is recorded.
func (r *serverActivationResource) converge(ctx context.Context, host string, m, prior *serverActivationModel, wo types.String, diags *diag.Diagnostics) (ls rds.LicenseServer, ok, spent bool) {
	id := m.LicenseServerID
	if !wo.IsNull() {
		id = wo
	}
	g := activation.GoalOf(m.plan(m), prior.known(), m.contact(), id.ValueString())
	ls, err := activation.Converge(ctx, r.provider, host, g)
	var f *activation.Failure
	switch {
	case err == nil:
		return ls, true, false
	case !errors.As(err, &f):
		diags.AddError("Cannot activate the license server on "+host, activationRemedy(err))
		return ls, false, false
	}
	addFailures(diags, *f)
	return ls, false, f.Spent
}

// activationRemedy is opErrorDetail with what to do for the kind
// (activation.Hint), and extra advice.
func activationRemedy(err error, extra ...string) string {
	return opErrorDetail(err, append([]string{activation.Hint(err)}, extra...)...)
}

// optionalContact is the state of an optional contact property: an empty
// one keeps the null or "" it had, so that both mean "empty".
func optionalContact(cur types.String, server string) types.String {
	if server != "" {
		return types.StringValue(server)
	}
	if !cur.IsUnknown() && cur.ValueString() == "" {
		return cur
	}
	return types.StringNull()
}

// serverActivationModel is the resource's data.
type serverActivationModel struct {
	ID                       types.String   `tfsdk:"id"`
	Host                     types.String   `tfsdk:"host"`
	FirstName                types.String   `tfsdk:"first_name"`
	LastName                 types.String   `tfsdk:"last_name"`
	Company                  types.String   `tfsdk:"company"`
	CountryRegion            types.String   `tfsdk:"country_region"`
	Email                    types.String   `tfsdk:"email"`
	OrgUnit                  types.String   `tfsdk:"org_unit"`
	Address                  types.String   `tfsdk:"address"`
	City                     types.String   `tfsdk:"city"`
	State                    types.String   `tfsdk:"state"`
	PostalCode               types.String   `tfsdk:"postal_code"`
	Method                   types.String   `tfsdk:"method"`
	LicenseServerID          types.String   `tfsdk:"license_server_id"`
	LicenseServerIDWO        types.String   `tfsdk:"license_server_id_wo"`
	LicenseServerIDWOVersion types.Int64    `tfsdk:"license_server_id_wo_version"`
	DiscoveryScope           types.String   `tfsdk:"discovery_scope"`
	Group                    types.Bool     `tfsdk:"add_to_license_servers_group"`
	ReactivationReason       types.String   `tfsdk:"reactivation_reason"`
	ReactivationTrigger      types.String   `tfsdk:"reactivation_trigger"`
	Activated                types.Bool     `tfsdk:"activated"`
	DeactivateOnDestroy      types.Bool     `tfsdk:"deactivate_on_destroy"`
	ActivationStatus         types.String   `tfsdk:"activation_status"`
	ProductID                types.String   `tfsdk:"product_id"`
	Timeouts                 timeouts.Value `tfsdk:"timeouts"`
}

// plan is the plan as activation's decisions read it; config sets the
// license server ID.
func (m *serverActivationModel) plan(config *serverActivationModel) activation.Plan {
	attr, id := "license_server_id", config.LicenseServerID
	if !config.LicenseServerIDWO.IsNull() {
		attr, id = "license_server_id_wo", config.LicenseServerIDWO
	}
	return activation.Plan{Activated: boolOf(m.Activated), Trigger: valueOf(m.ReactivationTrigger), DiscoveryScope: valueOf(m.DiscoveryScope), Group: boolOf(m.Group),
		Method: m.Method.ValueString(), Reason: m.ReactivationReason.ValueString(), ConfiguredID: valueOf(id), ConfiguredAttr: attr}
}

// known is the state as activation's decisions read it; nil on create.
func (m *serverActivationModel) known() *activation.Known {
	if m == nil {
		return nil
	}
	return &activation.Known{Activated: m.isActivated(), Trigger: valueOf(m.ReactivationTrigger), LicenseServerID: m.LicenseServerID.ValueString(), ProductID: m.ProductID.ValueString(),
		DiscoveryScope: m.DiscoveryScope.ValueString(), Group: m.Group.ValueBool()}
}

// isActivated: the server was activated when last read.
func (m *serverActivationModel) isActivated() bool {
	return m.ActivationStatus.ValueString() == activation.StatusName(0)
}

// contact is the contact the configuration asks for ("" for null).
func (m *serverActivationModel) contact() rds.Contact {
	return rds.Contact{
		FirstName: m.FirstName.ValueString(), LastName: m.LastName.ValueString(),
		Company: m.Company.ValueString(), CountryRegion: m.CountryRegion.ValueString(),
		Email: m.Email.ValueString(), OrgUnit: m.OrgUnit.ValueString(), Address: m.Address.ValueString(),
		City: m.City.ValueString(), State: m.State.ValueString(), PostalCode: m.PostalCode.ValueString(),
	}
}

// setServer sets what the host reports. The license server ID keeps the
// form it was written in when it is the same ID, and the last ID known
// while the server is not activated (Windows reports none then): a
// configured ID stays as planned, and the plan can tell when the server
// would be activated again with the ID of its former activation.
func (m *serverActivationModel) setServer(ls rds.LicenseServer) {
	c := ls.Contact
	m.FirstName, m.LastName = types.StringValue(c.FirstName), types.StringValue(c.LastName)
	m.Company, m.CountryRegion = types.StringValue(c.Company), types.StringValue(c.CountryRegion)
	m.Email, m.OrgUnit = optionalContact(m.Email, c.Email), optionalContact(m.OrgUnit, c.OrgUnit)
	m.Address, m.City = optionalContact(m.Address, c.Address), optionalContact(m.City, c.City)
	m.State, m.PostalCode = optionalContact(m.State, c.State), optionalContact(m.PostalCode, c.PostalCode)
	m.ActivationStatus = types.StringValue(activation.StatusName(ls.ActivationStatus))
	m.ProductID = types.StringValue(ls.ProductID)
	switch {
	case ls.ActivationStatus == 0 && (m.LicenseServerID.IsUnknown() || licensecodes.Normalize(m.LicenseServerID.ValueString()) != licensecodes.Normalize(ls.LicenseServerID)):
		m.LicenseServerID = types.StringValue(ls.LicenseServerID)
	case ls.ActivationStatus != 0 && m.LicenseServerID.IsUnknown():
		m.LicenseServerID = types.StringNull() // never activated with one here
	}
	m.LicenseServerIDWO = types.StringNull()
	m.DiscoveryScope = types.StringValue(activation.ScopeName(ls.ServerRole))
	switch {
	case ls.InTSLSGroup != nil:
		m.Group = types.BoolValue(*ls.InTSLSGroup)
	case !ls.PartOfDomain:
		m.Group = types.BoolValue(false)
	case m.Group.IsUnknown():
		m.Group = types.BoolNull() // the group could not be read (ls.TSLSGroupError)
	}
	if m.Method.IsNull() || m.Method.IsUnknown() {
		m.Method = types.StringValue(activation.MethodAutomatic)
	}
	if m.DeactivateOnDestroy.IsNull() || m.DeactivateOnDestroy.IsUnknown() {
		m.DeactivateOnDestroy = types.BoolValue(false)
	}
	if m.Activated.IsNull() || m.Activated.IsUnknown() {
		m.Activated = types.BoolValue(true) // imported: an activated server
	}
}
