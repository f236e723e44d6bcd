package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

// Ensure the resource satisfies the framework's interfaces.
var (
	_ resource.Resource                = (*roleResource)(nil)
	_ resource.ResourceWithConfigure   = (*roleResource)(nil)
	_ resource.ResourceWithImportState = (*roleResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*roleResource)(nil)
)

// NewRoleResource is the rdslicensing_role resource.
func NewRoleResource() resource.Resource { return &roleResource{} }

type roleResource struct {
	provider *providerData
}

// Default timeouts: installing a feature can take minutes, a restart more.
const (
	roleCreateTimeout = 30 * time.Minute
	roleReadTimeout   = 5 * time.Minute
)

// Metadata names the resource.
func (r *roleResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_role"
}

// Schema describes the resource.
func (r *roleResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The RD Licensing role service (`RDS-Licensing`) on a Windows Server, and with it RD Licensing Manager and RD Licensing Diagnoser. " +
			"Create installs it, sets the Remote Desktop Licensing service (`TermServLicensing`) to start automatically and waits until the licensing WMI provider answers. " +
			"The provider never restarts a server unless `restart = true`: when Windows asks for a restart, `restart_pending` says so and a warning is shown. Destroy uninstalls the role service; the licensing database stays on disk.\n\n" +
			"The `id` is the host, known at plan time: `host = rdslicensing_role.x.id` on `rdslicensing_server_activation` orders the activation after the role, and a role found uninstalled (`plan` proposes to install it again) keeps the same `id`, so nothing that takes its host from it is replaced.",
		Attributes: map[string]schema.Attribute{
			"id":   idAttribute("the host (the resource's `host`, else the provider's), known at plan time"),
			"host": hostAttribute("to install RD Licensing on"),
			"include_management_tools": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(true),
				MarkdownDescription: "Install RD Licensing Manager (`RDS-Licensing-UI`) and RD Licensing Diagnoser (`RSAT-RDS-Licensing-Diagnosis-UI`) too. `false` removes them. Server Core has neither: set `false` there. Defaults to `true`.",
			},
			"restart": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: "Restart the server when Windows needs a restart to finish installing or removing the role, and wait for WinRM to come back. Defaults to `false`: the restart is left to you and `restart_pending` is `true`.",
			},
			"restart_pending": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "Whether a restart must finish installing or removing the role (the licensing WMI provider is unavailable until then).",
			},
			"service_status": computedString("Status of the Remote Desktop Licensing service (`TermServLicensing`): `Running`, `Stopped`, or empty when it does not exist yet.", false),
			"os_version":     computedString("Windows Server release of the host: `2016`, `2019`, `2022` or `2025`. A license server holds CALs of its own release or older.", false),
			"timeouts":       timeoutsAttribute(ctx, roleCreateTimeout, roleReadTimeout, "installing or removing a role service takes minutes, and a restart (`restart = true`) more."),
		},
	}
}

// Configure receives the provider's client.
func (r *roleResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.provider = configureData(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan makes the id (the host) known at plan time.
func (r *roleResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.provider == nil {
		return // destroy, or no provider data to name the default host
	}
	var host types.String
	prior := types.StringNull()
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("host"), &host)...)
	if !req.State.Raw.IsNull() {
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &prior)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("id"), r.provider.plannedHostID(host, prior))...)
}

// Create installs the role.
func (r *roleResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m roleModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	host, ok := r.provider.requireHost(m.Host, &resp.Diagnostics)
	if resp.Diagnostics.HasError() || !ok {
		return
	}
	timeout, diags := m.Timeouts.Create(ctx, roleCreateTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := withTimeout(ctx, timeout)
	defer cancel()
	state, ok := r.install(ctx, host, &m, resp)
	if !ok {
		return
	}
	if !m.IncludeTools.ValueBool() && state.ToolsInstalled() {
		// The tools were there before: remove them, as declared, or the
		// next plan would.
		if state, ok = r.setTools(ctx, host, &m, &resp.Diagnostics); !ok {
			return
		}
	}
	m.ID = hostID(m.ID, host)
	m.setState(state)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Read refreshes the role from the host; a role removed by hand leaves
// the state, so that plan proposes to install it again. That re-creation
// plans the same id (the host, known at plan), so resources that take
// their host from it are not replaced.
func (r *roleResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m roleModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	host := r.provider.host(m.Host)
	timeout, diags := m.Timeouts.Read(ctx, roleReadTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := withTimeout(ctx, timeout)
	defer cancel()
	state, err := rds.GetRole.Run(ctx, r.provider, host, rds.NoInput{})
	if err != nil {
		opError(&resp.Diagnostics, "Cannot read the RD Licensing role on "+host, err)
		return
	}
	if !state.LicensingInstalled() {
		resp.State.RemoveResource(ctx)
		return
	}
	m.ID = hostID(m.ID, host)
	m.setState(state)
	m.IncludeTools = types.BoolValue(state.ToolsInstalled())
	if m.Restart.IsNull() {
		m.Restart = types.BoolValue(false)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Update installs or removes the management tools; a change of restart
// or the timeouts alone touches nothing on the host.
func (r *roleResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m, prior roleModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	host := r.provider.host(m.Host)
	timeout, diags := m.Timeouts.Update(ctx, roleCreateTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := withTimeout(ctx, timeout)
	defer cancel()
	var state rds.RoleState
	if m.IncludeTools.Equal(prior.IncludeTools) {
		var err error
		if state, err = rds.GetRole.Run(ctx, r.provider, host, rds.NoInput{}); err != nil {
			opError(&resp.Diagnostics, "Cannot read the RD Licensing role on "+host, err)
			return
		}
	} else {
		var ok bool
		if state, ok = r.setTools(ctx, host, &m, &resp.Diagnostics); !ok {
			return
		}
	}
	m.ID = hostID(prior.ID, host)
	m.setState(state)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Delete uninstalls the role service (and the tools it installed).
func (r *roleResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m roleModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	host := r.provider.host(m.Host)
	timeout, diags := m.Timeouts.Delete(ctx, roleCreateTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := withTimeout(ctx, timeout)
	defer cancel()
	ch, err := rds.UninstallRole.Run(ctx, r.provider, host, rds.RoleInput{IncludeManagementTools: m.IncludeTools.ValueBool()})
	if err != nil {
		opError(&resp.Diagnostics, "Cannot uninstall RD Licensing from "+host, err)
		return
	}
	r.finish(ctx, host, &m, ch, "removing", &resp.Diagnostics)
}

// ImportState imports the role of a host: the ID is the host.
func (r *roleResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	host, ok := importHost(req.ID, &resp.Diagnostics, "ls01.contoso.com")
	if !ok {
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), host)...)
	resp.Diagnostics.Append(setImportedHost(ctx, r.provider, host, resp)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("restart"), false)...)
}

// install installs the role (and tools), restarting when asked to.
func (r *roleResource) install(ctx context.Context, host string, m *roleModel, resp *resource.CreateResponse) (rds.RoleState, bool) {
	ch, err := rds.InstallRole.Run(ctx, r.provider, host, rds.RoleInput{IncludeManagementTools: m.IncludeTools.ValueBool(), WaitSeconds: waitSeconds(ctx)})
	if err != nil {
		opError(&resp.Diagnostics, "Cannot install RD Licensing on "+host, err)
		return rds.RoleState{}, false
	}
	return r.finish(ctx, host, m, ch, "installing", &resp.Diagnostics)
}

// setTools installs or removes the management tools, as m says.
func (r *roleResource) setTools(ctx context.Context, host string, m *roleModel, diags *diag.Diagnostics) (rds.RoleState, bool) {
	var ch rds.RoleChange
	var err error
	if m.IncludeTools.ValueBool() {
		ch, err = rds.InstallRole.Run(ctx, r.provider, host, rds.RoleInput{IncludeManagementTools: true, WaitSeconds: waitSeconds(ctx)})
	} else {
		ch, err = rds.UninstallRole.Run(ctx, r.provider, host, rds.RoleInput{ToolsOnly: true})
	}
	if err != nil {
		opError(diags, "Cannot change the RD Licensing management tools on "+host, err)
		return rds.RoleState{}, false
	}
	return r.finish(ctx, host, m, ch, "changing the management tools on", diags)
}

// finish handles a restart Windows asked for: with restart = true it
// restarts and waits, else it warns. It returns the role state after.
func (r *roleResource) finish(ctx context.Context, host string, m *roleModel, ch rds.RoleChange, doing string, diags *diag.Diagnostics) (rds.RoleState, bool) {
	if !ch.RestartNeeded && !ch.State.RestartPending {
		return ch.State, true
	}
	if !m.Restart.ValueBool() {
		diags.AddWarning("Restart pending on "+host,
			fmt.Sprintf("Windows needs a restart to finish %s the RD Licensing role service on %s. Until then the licensing WMI provider is not available, and resources that use it (rdslicensing_server_activation, rdslicensing_key_pack) fail with \"reboot_pending\". Restart the server, or set restart = true to let the provider restart it.", doing, host))
		return ch.State, true
	}
	state, err := restartAndWait(ctx, r.provider, host, ch.State.BootTime)
	if err != nil {
		opError(diags, "Restart of "+host+" did not complete", err)
		return rds.RoleState{}, false
	}
	return state, true
}

// roleModel is the resource's data.
type roleModel struct {
	ID             types.String   `tfsdk:"id"`
	Host           types.String   `tfsdk:"host"`
	IncludeTools   types.Bool     `tfsdk:"include_management_tools"`
	Restart        types.Bool     `tfsdk:"restart"`
	RestartPending types.Bool     `tfsdk:"restart_pending"`
	ServiceStatus  types.String   `tfsdk:"service_status"`
	OSVersion      types.String   `tfsdk:"os_version"`
	Timeouts       timeouts.Value `tfsdk:"timeouts"`
}

func (m *roleModel) setState(s rds.RoleState) {
	m.RestartPending = types.BoolValue(s.RestartPending)
	m.ServiceStatus = types.StringValue(s.ServiceStatus)
	m.OSVersion = types.StringValue(s.OSVersion)
}
