package provider

import (
	"context"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/grouppolicy"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/servernames"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/sessionhosts"
)

// Ensure the resource satisfies the framework's interfaces.
var (
	_ resource.Resource                   = (*domainPolicyResource)(nil)
	_ resource.ResourceWithConfigure      = (*domainPolicyResource)(nil)
	_ resource.ResourceWithImportState    = (*domainPolicyResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*domainPolicyResource)(nil)
	_ resource.ResourceWithValidateConfig = (*domainPolicyResource)(nil)
)

// NewDomainPolicyResource is the rdslicensing_domain_licensing_policy
// resource.
func NewDomainPolicyResource() resource.Resource { return &domainPolicyResource{} }

type domainPolicyResource struct {
	provider *providerData
}

// domainPolicyTimeout bounds each operation.
const domainPolicyTimeout = 5 * time.Minute

// Metadata names the resource.
func (r *domainPolicyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_domain_licensing_policy"
}

// Schema describes the resource.
func (r *domainPolicyResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The Remote Desktop licensing settings of a **domain GPO**: \"Set the Remote Desktop licensing mode\" and \"Use the specified Remote Desktop license servers\" " +
			"(`" + sessionhosts.PolicyKey + "`, `LicensingMode` and `LicenseServers`), and the GPO's links to the OUs of the session hosts. " +
			"The provider works through the GroupPolicy module on `host`, a domain controller or a management server with Group Policy Management (`Install-WindowsFeature GPMC`). " +
			"Session hosts apply the GPO at their next policy refresh (`gpupdate`, or the periodic refresh), not at apply; there it wins over their local policy, and a GPO linked closer to a host wins over one linked above it. " +
			"Destroy takes the two settings out of the GPO and removes the links this resource made; it deletes the GPO only if this resource created it and `delete_gpo_on_destroy = true`.",
		Attributes: map[string]schema.Attribute{
			"id":   idAttribute("`<host>/<gpo_name>`"),
			"host": hostAttribute("with the GroupPolicy module (a domain controller or a management server) that manages the GPO"),
			"gpo_name": schema.StringAttribute{
				Required:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
				MarkdownDescription: "The GPO's display name. Changing it replaces the resource.",
			},
			"create_gpo": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(true),
				MarkdownDescription: "Create the GPO when it does not exist. `false` fails instead, for a GPO another team owns. Defaults to `true`.",
			},
			"delete_gpo_on_destroy": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: "On destroy, delete the GPO if this resource created it. Defaults to `false`.",
			},
			"licensing_mode": schema.StringAttribute{
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf("per_user", "per_device")},
				MarkdownDescription: "`per_user` (`LicensingMode` 4) or `per_device` (2). Unset: the GPO does not configure the mode.",
			},
			"license_servers": schema.ListAttribute{
				Optional: true, ElementType: types.StringType,
				Validators:          []validator.List{listvalidator.SizeAtLeast(1), serverNamesValidator{}},
				MarkdownDescription: "License servers, in order of preference (written comma-separated, as the policy keeps them). Unset: the GPO does not configure them.",
			},
			"links": schema.SetAttribute{
				Optional: true, Computed: true, ElementType: types.StringType,
				Default:             setdefault.StaticValue(types.SetValueMust(types.StringType, nil)),
				MarkdownDescription: "Distinguished names of the OUs (or the domain, `DC=contoso,DC=com`) to link the GPO to: `OU=SessionHosts,DC=contoso,DC=com`. Links made elsewhere stay; links this resource made and no longer names are removed.",
			},
			"gpo_id": schema.StringAttribute{
				Computed: true, MarkdownDescription: "The GPO's GUID.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"created_gpo": schema.BoolAttribute{
				Computed: true, MarkdownDescription: "Whether this resource created the GPO (then `delete_gpo_on_destroy` may delete it).",
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
			"timeouts": timeoutsAttribute(ctx, domainPolicyTimeout, domainPolicyTimeout, "Group Policy cmdlets talk to the domain's PDC emulator."),
		},
	}
}

// Configure receives the provider's client.
func (r *domainPolicyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.provider = configureData(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig checks the link targets, offline.
func (r *domainPolicyResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var links types.Set
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("links"), &links)...)
	targets, ok := setStrings(links)
	if resp.Diagnostics.HasError() || !ok {
		return
	}
	addErrors(&resp.Diagnostics, grouppolicy.TargetProblems(targets)...)
}

// ModifyPlan says what a destroy does to the session hosts: at their next
// policy refresh they lose the GPO's licensing settings.
func (r *domainPolicyResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if !req.Plan.Raw.IsNull() || req.State.Raw.IsNull() {
		return
	}
	var st domainPolicyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &st)...)
	if resp.Diagnostics.HasError() {
		return
	}
	links, _ := setStrings(st.Links)
	addWarnings(&resp.Diagnostics, grouppolicy.DestroyWarning(st.GPOName.ValueString(), st.CreatedGPO.ValueBool() && st.DeleteGPOOnDestroy.ValueBool(), links))
}

// Create sets the GPO's values and links.
func (r *domainPolicyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m domainPolicyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	host, ok := r.provider.requireHost(m.Host, &resp.Diagnostics)
	if resp.Diagnostics.HasError() || !ok {
		return
	}
	timeout, diags := m.Timeouts.Create(ctx, domainPolicyTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := withTimeout(ctx, timeout)
	defer cancel()
	res, ok := r.write(ctx, host, &m, nil, &resp.Diagnostics)
	if !ok {
		return
	}
	m.CreatedGPO = types.BoolValue(res.Created)
	m.ID = types.StringValue(host + "/" + m.GPOName.ValueString())
	m.GPOID = types.StringValue(res.ID)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Read refreshes the GPO: values changed in Group Policy Management and
// links removed there show as drift; a deleted GPO leaves the state.
func (r *domainPolicyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m domainPolicyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	host := r.provider.host(m.Host)
	timeout, diags := m.Timeouts.Read(ctx, domainPolicyTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := withTimeout(ctx, timeout)
	defer cancel()
	links, _ := setStrings(m.Links)
	cur, err := rds.GetGPOLicensing.Run(ctx, r.provider, host, rds.GPOInput{Name: m.GPOName.ValueString(), Targets: links})
	if err != nil {
		opError(&resp.Diagnostics, "Cannot read the GPO "+m.GPOName.ValueString()+" on "+host, err)
		return
	}
	if !cur.Exists {
		resp.State.RemoveResource(ctx)
		return
	}
	m.setRead(cur)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Update sets the values and the links.
func (r *domainPolicyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m, prior domainPolicyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	host := r.provider.host(m.Host)
	timeout, diags := m.Timeouts.Update(ctx, domainPolicyTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := withTimeout(ctx, timeout)
	defer cancel()
	res, ok := r.write(ctx, host, &m, &prior, &resp.Diagnostics)
	if !ok {
		return
	}
	m.CreatedGPO = types.BoolValue(prior.CreatedGPO.ValueBool() || res.Created)
	m.ID, m.GPOID = prior.ID, types.StringValue(res.ID)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Delete takes the values out of the GPO and removes the resource's links,
// and deletes a GPO it created when asked.
func (r *domainPolicyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m domainPolicyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	host := r.provider.host(m.Host)
	timeout, diags := m.Timeouts.Delete(ctx, domainPolicyTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := withTimeout(ctx, timeout)
	defer cancel()
	links, _ := setStrings(m.Links)
	in := rds.GPOLicensingInput{Name: m.GPOName.ValueString(), Unlink: links,
		Delete: m.CreatedGPO.ValueBool() && m.DeleteGPOOnDestroy.ValueBool()}
	// A GPO deleted in Group Policy Management leaves nothing to remove.
	cur, err := rds.GetGPOLicensing.Run(ctx, r.provider, host, rds.GPOInput{Name: in.Name})
	if err == nil && !cur.Exists {
		return
	}
	if _, err := rds.SetGPOLicensing.Run(ctx, r.provider, host, in); err != nil {
		domainPolicyError(&resp.Diagnostics, "Cannot remove the licensing settings from the GPO "+in.Name+" on "+host, err)
	}
}

// ImportState imports "<host>/<gpo name>": the GPO's values; its links are
// not imported (links made elsewhere stay as they are).
func (r *domainPolicyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	host, name, ok := strings.Cut(req.ID, "/")
	if !ok || host == "" || name == "" {
		resp.Diagnostics.AddError("Invalid import ID", "Import a domain licensing policy as <host>/<gpo name>, e.g. dc01.contoso.com/RDS Licensing; got "+servernames.Quote(req.ID)+".")
		return
	}
	if r.provider == nil {
		resp.Diagnostics.AddError("Provider not configured", "Importing reads the GPO: configure the provider first.")
		return
	}
	cur, err := rds.GetGPOLicensing.Run(ctx, r.provider, host, rds.GPOInput{Name: name})
	if err != nil {
		opError(&resp.Diagnostics, "Cannot read the GPO "+name+" on "+host, err)
		return
	}
	if !cur.Exists {
		resp.Diagnostics.AddError("No GPO "+name, "No GPO named "+name+" exists in the domain of "+host+": check the name in Group Policy Management.")
		return
	}
	m := domainPolicyModel{ID: types.StringValue(host + "/" + name), Host: types.StringNull(), GPOName: types.StringValue(name),
		CreateGPO: types.BoolValue(true), DeleteGPOOnDestroy: types.BoolValue(false), CreatedGPO: types.BoolValue(false),
		Links: types.SetValueMust(types.StringType, nil), Timeouts: timeouts.Value{Object: types.ObjectNull(timeoutTypes)}}
	m.setRead(cur)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	resp.Diagnostics.Append(setImportedHost(ctx, r.provider, host, resp)...)
}

// write makes the GPO match m; prior (nil on create) says which links
// the resource made before.
func (r *domainPolicyResource) write(ctx context.Context, host string, m, prior *domainPolicyModel, diags *diag.Diagnostics) (rds.GPOLicensing, bool) {
	links, _ := setStrings(m.Links)
	in := rds.GPOLicensingInput{Name: m.GPOName.ValueString(), Create: m.CreateGPO.ValueBool(), Link: links, Targets: links}
	if v := m.LicensingMode; !v.IsNull() {
		n := sessionhosts.LicensingModeNumber[v.ValueString()]
		in.LicensingMode = &n
	}
	if servers := listStrings(ctx, m.LicenseServers); !m.LicenseServers.IsNull() && len(servers) > 0 {
		joined := strings.Join(servers, ",")
		in.LicenseServers = &joined
	}
	if prior != nil {
		before, _ := setStrings(prior.Links)
		in.Unlink = grouppolicy.Unlinked(before, links)
	}
	res, err := rds.SetGPOLicensing.Run(ctx, r.provider, host, in)
	if err != nil {
		domainPolicyError(diags, "Cannot set the licensing settings of the GPO "+in.Name+" on "+host, err)
		return rds.GPOLicensing{}, false
	}
	return res, true
}

// domainPolicyError explains a failed write (grouppolicy.Hint).
func domainPolicyError(diags *diag.Diagnostics, summary string, err error) {
	addFailures(diags, rds.Failure{Summary: summary, Err: err, Hints: []string{grouppolicy.Hint(err)}})
}

// domainPolicyModel is the resource's data.
type domainPolicyModel struct {
	ID                 types.String   `tfsdk:"id"`
	Host               types.String   `tfsdk:"host"`
	GPOName            types.String   `tfsdk:"gpo_name"`
	CreateGPO          types.Bool     `tfsdk:"create_gpo"`
	DeleteGPOOnDestroy types.Bool     `tfsdk:"delete_gpo_on_destroy"`
	LicensingMode      types.String   `tfsdk:"licensing_mode"`
	LicenseServers     types.List     `tfsdk:"license_servers"`
	Links              types.Set      `tfsdk:"links"`
	GPOID              types.String   `tfsdk:"gpo_id"`
	CreatedGPO         types.Bool     `tfsdk:"created_gpo"`
	Timeouts           timeouts.Value `tfsdk:"timeouts"`
}

// setRead sets what the GPO holds: its values, and of the resource's
// links those still there.
func (m *domainPolicyModel) setRead(cur rds.GPOLicensing) {
	m.GPOID = types.StringValue(cur.ID)
	m.LicensingMode = types.StringNull()
	if cur.LicensingMode != nil {
		m.LicensingMode = types.StringValue(sessionhosts.LicensingModeName(*cur.LicensingMode))
	}
	m.LicenseServers = types.ListNull(types.StringType)
	if cur.LicenseServers != nil {
		m.LicenseServers = stringList(sessionhosts.SplitServerList(*cur.LicenseServers))
	}
	links := make([]attr.Value, 0, len(cur.Links))
	for _, l := range cur.Links {
		links = append(links, types.StringValue(l.Target))
	}
	m.Links = types.SetValueMust(types.StringType, links)
}
