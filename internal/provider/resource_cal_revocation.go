package provider

import (
	"context"
	"slices"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/calrevocation"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/keypacks"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

// Ensure the resource satisfies the framework's interfaces.
var (
	_ resource.Resource                = (*calRevocationResource)(nil)
	_ resource.ResourceWithConfigure   = (*calRevocationResource)(nil)
	_ resource.ResourceWithImportState = (*calRevocationResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*calRevocationResource)(nil)
)

// NewCALRevocationResource is the rdslicensing_cal_revocation resource.
func NewCALRevocationResource() resource.Resource { return &calRevocationResource{} }

type calRevocationResource struct {
	provider *providerData
}

// calRevocationTimeout bounds each operation: reads, and revocations of a
// few CALs.
const calRevocationTimeout = 5 * time.Minute

// Metadata names the resource.
func (r *calRevocationResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_cal_revocation"
}

// Schema describes the resource.
func (r *calRevocationResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Revokes the per-device CALs issued to devices, as RD Licensing Manager's **Revoke License** does: each goes back to its key pack, available to another device at once. " +
			"Apply revokes when the resource is created; devices added later have their CALs revoked then, and a new `revocation_trigger` revokes again the CALs all `devices` hold at that time; the plan lists the CALs that go back in `revoked`. " +
			"Windows revokes only per-device CALs that are issued (not temporary ones, which expire on their own), and at most 20% of a version's installed per-device CALs at a time: " +
			"plan fails past that, naming how many more Windows allows. Destroy only forgets the resource: a revoked CAL cannot be given back to its device (it gets a new one when it connects).",
		Attributes: map[string]schema.Attribute{
			"id":   idAttribute("the host (the resource's `host`, else the provider's), known at plan time"),
			"host": hostAttribute("of the license server that issued the CALs"),
			"devices": schema.SetAttribute{
				ElementType: types.StringType, Required: true,
				MarkdownDescription: "The devices whose per-device CALs to revoke, by computer name as RD Licensing Manager shows them (`PC0042`; an FQDN counts by its first label, without case).",
			},
			"revocation_trigger": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Any value: changing it revokes again the CALs all `devices` hold then (a device that connected again since got a new one); without a change of it, adding devices revokes only theirs. " +
					"Leave it unset to revoke once, when the resource is created.",
			},
			"revoked": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The CALs the last revocation gave back, known at plan time when the license server answers: what apply revokes.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"device":          schema.StringAttribute{Computed: true, MarkdownDescription: "The device the CAL was issued to."},
					"license_id":      schema.Int64Attribute{Computed: true, MarkdownDescription: "Its `LicenseId`."},
					"key_pack_id":     schema.Int64Attribute{Computed: true, MarkdownDescription: "The key pack it goes back to."},
					"product_version": schema.StringAttribute{Computed: true, MarkdownDescription: "The Windows Server release of the CAL."},
					"expiration_date": schema.StringAttribute{Computed: true, MarkdownDescription: "When it would have expired (RFC 3339)."},
					"description":     schema.StringAttribute{Computed: true, MarkdownDescription: "All of it in a line."},
				}},
			},
			"revokable_cals": computedInt64("How many more CALs of the last revoked one's kind Windows said it would revoke after this revocation (`-1` when nothing was revoked).", false),
			"timeouts":       timeoutsAttribute(ctx, calRevocationTimeout, calRevocationTimeout, "a revocation reads the issued CALs and revokes each; read and delete do nothing on the host."),
		},
	}
}

// Configure receives the provider's client.
func (r *calRevocationResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.provider = configureData(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan plans a revocation when the resource is created, devices are
// added or the trigger changes: it lists the CALs that go back, fails past
// Windows' limit, and warns of devices that hold no CAL to revoke.
func (r *calRevocationResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.provider == nil {
		return
	}
	var plan calRevocationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	var state *calRevocationModel
	if !req.State.Raw.IsNull() {
		state = &calRevocationModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	prior := types.StringNull()
	if state != nil {
		prior = state.ID
	}
	plan.ID = r.provider.plannedHostID(plan.Host, prior)
	defer func() { resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...) }()
	if state != nil && !plan.revokes(state) {
		plan.Revoked, plan.RevokableCALs = state.Revoked, state.RevokableCALs
		return
	}
	plan.Revoked, plan.RevokableCALs = types.ListUnknown(types.ObjectType{AttrTypes: revokedTypes}), types.Int64Unknown()
	devices, ok := plan.targets(state)
	if !ok || plan.Host.IsUnknown() {
		return
	}
	host := r.provider.host(plan.Host)
	rctx, cancel := context.WithTimeout(ctx, planReadTimeout)
	defer cancel()
	selected, err := r.choose(rctx, host, devices, &resp.Diagnostics)
	if err != nil {
		tflog.Debug(ctx, "cannot plan the revocation: the license server cannot be asked", map[string]any{"host": host, "error": err.Error()})
		return
	}
	plan.Revoked = revokedList(selected)
}

// Create revokes the CALs of devices.
func (r *calRevocationResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m calRevocationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	host, ok := r.provider.requireHost(m.Host, &resp.Diagnostics)
	if resp.Diagnostics.HasError() || !ok {
		return
	}
	timeout, diags := m.Timeouts.Create(ctx, calRevocationTimeout)
	resp.Diagnostics.Append(diags...)
	if r.revoke(ctx, host, timeout, &m, nil, &resp.Diagnostics) {
		m.ID = hostID(m.ID, host)
		resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	}
}

// Read keeps the state: a revocation is an event, with nothing on the host
// to drift.
func (r *calRevocationResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

// Update revokes the CALs of devices added, or of all devices when the
// trigger changed; taking devices out of the list revokes nothing.
func (r *calRevocationResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m, prior calRevocationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	host := r.provider.host(m.Host)
	if !m.revokes(&prior) {
		m.Revoked, m.RevokableCALs = prior.Revoked, prior.RevokableCALs
	} else {
		timeout, diags := m.Timeouts.Update(ctx, calRevocationTimeout)
		resp.Diagnostics.Append(diags...)
		if !r.revoke(ctx, host, timeout, &m, &prior, &resp.Diagnostics) {
			return
		}
	}
	m.ID = hostID(prior.ID, host)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Delete forgets the resource: revoked CALs cannot be given back.
func (r *calRevocationResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {
}

// ImportState refuses: a revocation is an event, not something on the host.
func (r *calRevocationResource) ImportState(_ context.Context, _ resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resp.Diagnostics.AddError("Nothing to import",
		"rdslicensing_cal_revocation records a revocation this configuration made; Windows keeps no object for it. Declare the resource instead: creating it revokes the CALs the devices hold now.")
}

// revokedTypes are the attributes of one revoked CAL.
var revokedTypes = map[string]attr.Type{
	"device": types.StringType, "license_id": types.Int64Type, "key_pack_id": types.Int64Type,
	"product_version": types.StringType, "expiration_date": types.StringType, "description": types.StringType,
}

// revoke revokes the CALs the plan listed (or, when the plan could not
// read the host, those the devices hold now) and records them in m.
func (r *calRevocationResource) revoke(ctx context.Context, host string, timeout time.Duration, m, prior *calRevocationModel, diags *diag.Diagnostics) bool {
	ctx, cancel := withTimeout(ctx, timeout)
	defer cancel()
	refs, ok := revokedRefs(m.Revoked)
	if !ok {
		devices, _ := m.targets(prior)
		selected, err := r.choose(ctx, host, devices, diags)
		if err != nil {
			opError(diags, "Cannot read the issued CALs on "+host, err)
			return false
		}
		if diags.HasError() {
			return false
		}
		m.Revoked = revokedList(selected)
		refs, _ = revokedRefs(m.Revoked)
	}
	m.RevokableCALs = types.Int64Value(-1)
	if len(refs) == 0 {
		return true
	}
	res, err := rds.RevokeLicenses.Run(ctx, r.provider, host, rds.RevokeInput{Licenses: refs})
	if err != nil {
		addFailures(diags, calrevocation.RevokeFailure(host, err))
		return false
	}
	m.RevokableCALs = types.Int64Value(res.RevokableCals)
	return true
}

// choose picks the CALs to revoke (calrevocation.Select) and reports what
// stops or empties the revocation.
func (r *calRevocationResource) choose(ctx context.Context, host string, devices []string, diags *diag.Diagnostics) ([]rds.IssuedLicense, error) {
	packs, err := rds.ListKeyPacks.Run(ctx, r.provider, host, rds.NoInput{})
	if err != nil {
		return nil, err
	}
	issued, err := rds.ListIssuedLicenses.Run(ctx, r.provider, host, rds.NoInput{})
	if err != nil {
		return nil, err
	}
	selected, missing := calrevocation.Select(devices, issued.Licenses)
	if w, ok := calrevocation.NothingToRevoke(host, missing); ok {
		addWarnings(diags, w)
	}
	addErrors(diags, calrevocation.LimitProblems(host, selected, calrevocation.Room(packs.KeyPacks, issued.Licenses))...)
	return selected, nil
}

// revokedList is the revoked attribute of selected CALs.
func revokedList(selected []rds.IssuedLicense) types.List {
	elems := make([]attr.Value, len(selected))
	for i, l := range selected {
		elems[i] = types.ObjectValueMust(revokedTypes, map[string]attr.Value{
			"device": types.StringValue(l.IssuedToComputer), "license_id": types.Int64Value(l.LicenseID), "key_pack_id": types.Int64Value(l.KeyPackID),
			"product_version": types.StringValue(keypacks.ReleaseName(l.ProductVersionID)), "expiration_date": types.StringValue(l.ExpirationDate),
			"description": types.StringValue(calrevocation.Describe(l)),
		})
	}
	return types.ListValueMust(types.ObjectType{AttrTypes: revokedTypes}, elems)
}

// revokedRefs are the CALs a revoked list names; ok is false while it is
// unknown.
func revokedRefs(l types.List) ([]rds.LicenseRef, bool) {
	if l.IsUnknown() || l.IsNull() {
		return nil, false
	}
	var refs []rds.LicenseRef
	for _, e := range l.Elements() {
		o, ok := e.(types.Object)
		if !ok {
			return nil, false
		}
		id, _ := o.Attributes()["license_id"].(types.Int64)
		pack, _ := o.Attributes()["key_pack_id"].(types.Int64)
		refs = append(refs, rds.LicenseRef{LicenseID: id.ValueInt64(), KeyPackID: pack.ValueInt64()})
	}
	return refs, true
}

// calRevocationModel is the resource's data.
type calRevocationModel struct {
	ID            types.String   `tfsdk:"id"`
	Host          types.String   `tfsdk:"host"`
	Devices       types.Set      `tfsdk:"devices"`
	Trigger       types.String   `tfsdk:"revocation_trigger"`
	Revoked       types.List     `tfsdk:"revoked"`
	RevokableCALs types.Int64    `tfsdk:"revokable_cals"`
	Timeouts      timeouts.Value `tfsdk:"timeouts"`
}

// targets are the devices whose CALs a change of m from prior revokes:
// all of them on create and when the trigger changes; otherwise only the
// devices added, so that a device revoked before and holding a new CAL
// since keeps it (nothing the change did not ask for is revoked).
func (m *calRevocationModel) targets(prior *calRevocationModel) ([]string, bool) {
	devices, ok := setStrings(m.Devices)
	if !ok || prior == nil || !m.Trigger.Equal(prior.Trigger) {
		return devices, ok
	}
	before, _ := setStrings(prior.Devices)
	return slices.DeleteFunc(devices, func(d string) bool {
		return slices.ContainsFunc(before, func(b string) bool { return calrevocation.DeviceName(b) == calrevocation.DeviceName(d) })
	}), true
}

// revokes: applying m over prior revokes (a new trigger, or devices added;
// devices taken out of the list revoke nothing). Not while unknown.
func (m *calRevocationModel) revokes(prior *calRevocationModel) bool {
	if m.Devices.IsUnknown() || !m.Trigger.Equal(prior.Trigger) {
		return true
	}
	added, _ := m.targets(prior)
	return len(added) > 0
}
