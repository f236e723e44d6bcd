package provider

import (
	"context"
	"slices"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/endpointservers"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

// Ensure the resource satisfies the framework's interfaces.
var (
	_ resource.Resource                   = (*securityGroupResource)(nil)
	_ resource.ResourceWithConfigure      = (*securityGroupResource)(nil)
	_ resource.ResourceWithImportState    = (*securityGroupResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*securityGroupResource)(nil)
	_ resource.ResourceWithValidateConfig = (*securityGroupResource)(nil)
)

// NewSecurityGroupResource is the rdslicensing_license_server_security_group
// resource.
func NewSecurityGroupResource() resource.Resource { return &securityGroupResource{} }

type securityGroupResource struct {
	provider *providerData
}

// Default timeouts.
const (
	securityGroupWriteTimeout = 5 * time.Minute
	securityGroupReadTimeout  = 2 * time.Minute
)

// Metadata names the resource.
func (r *securityGroupResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_license_server_security_group"
}

// Schema describes the resource.
func (r *securityGroupResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The license server policy \"License server security group\" and the members of the license server's local group **RDS Endpoint Servers**. " +
			"With the policy enabled, the license server issues CALs only to session hosts whose computer accounts are in that group; every other session host gets none (RD Licensing Diagnoser: `NOT_IN_TSCGROUP`). " +
			"The policy and the group work only on a license server in a domain.\n\n" +
			"The provider writes the local policy value (`HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services`, the value name `fSecureLicensing` is not yet confirmed on a real server: see the design notes) and adds and removes the group's members by its well-known SID `S-1-5-32-576`, whatever its localised name. " +
			"The licensing service reads both when it starts, so by default apply restarts it after a change. " +
			"Members the configuration does not name stay (see `other_members`) unless `exclusive = true`. " +
			"Destroy removes the policy value (not configured: every session host is served again) and keeps the members unless `remove_members_on_destroy = true`.",
		Attributes: map[string]schema.Attribute{
			"id":   idAttribute("the host (the resource's `host`, else the provider's), known at plan time"),
			"host": hostAttribute("whose license server policy and RDS Endpoint Servers group to manage"),
			"enabled": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(true),
				MarkdownDescription: "Enable the policy: only members of RDS Endpoint Servers get CALs. `false` disables it (every session host is served; the group stays as it is). " +
					"A policy that is not configured reads as `false`. Defaults to `true`.",
			},
			"members": schema.SetAttribute{
				ElementType: types.StringType, Optional: true, Computed: true, Default: setdefault.StaticValue(types.SetValueMust(types.StringType, nil)),
				MarkdownDescription: "Session hosts to have in RDS Endpoint Servers: a computer name (`RDSH01`) or an FQDN (`rdsh01.contoso.com`), whose computer account `RDSH01$` Windows finds in the license server's domain or a domain it trusts; " +
					"or an account with its domain (`CONTOSO\\RDSH01$`, or a domain group of session hosts such as `CONTOSO\\RDS Session Hosts`). Missing ones are added; an account Windows cannot find fails the apply before anything changes.",
			},
			"exclusive": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: "Remove every member the configuration does not name. Defaults to `false`: only members this resource named before and no longer names are removed; the others stay and are listed in `other_members`.",
			},
			"restart_service": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(true),
				MarkdownDescription: "Restart the Remote Desktop Licensing service (`TermServLicensing`) after a change, so that it takes effect: for a few seconds no CAL is issued. " +
					"`false` leaves the restart to you: the change takes effect at the service's or the server's next start. Defaults to `true`.",
			},
			"remove_members_on_destroy": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: "Remove the resource's members from the group on destroy. Defaults to `false`: destroy removes only the policy value.",
			},
			"other_members": schema.ListAttribute{
				ElementType: types.StringType, Computed: true,
				MarkdownDescription: "Members of RDS Endpoint Servers the configuration does not name, as Windows names them (`CONTOSO\\RDSH09$`).",
			},
			"timeouts": timeoutsAttribute(ctx, securityGroupWriteTimeout, securityGroupReadTimeout, "a change waits for the licensing service to restart."),
		},
	}
}

// Configure receives the provider's client.
func (r *securityGroupResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.provider = configureData(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig checks the member names, offline.
func (r *securityGroupResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var members types.Set
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("members"), &members)...)
	names, ok := setStrings(members)
	if resp.Diagnostics.HasError() || !ok {
		return
	}
	addErrors(&resp.Diagnostics, endpointservers.MemberProblems(names)...)
}

// ModifyPlan makes the id known, and when the host answers, refuses
// members outside a domain and says which session hosts the change shuts
// out and whether the licensing service restarts.
func (r *securityGroupResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var state *securityGroupModel
	if !req.State.Raw.IsNull() {
		state = &securityGroupModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	if req.Plan.Raw.IsNull() {
		if state != nil && r.provider != nil {
			r.warnDestroy(state, &resp.Diagnostics)
		}
		return
	}
	var plan securityGroupModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || r.provider == nil {
		return
	}
	prior := types.StringNull()
	if state != nil {
		prior = state.ID
	}
	plan.ID = r.provider.plannedHostID(plan.Host, prior)
	defer func() { resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...) }()
	if state != nil && plan.sameConfig(state) {
		// The refresh already read the host. With exclusive, members
		// added since must go: plan them away.
		if plan.Exclusive.ValueBool() && len(state.OtherMembers.Elements()) > 0 {
			plan.OtherMembers = stringList(nil)
		}
		return
	}
	want, ok := setStrings(plan.Members)
	host := ""
	if !plan.Host.IsUnknown() {
		host = r.provider.host(plan.Host)
	}
	if !ok || host == "" || plan.Enabled.IsUnknown() || plan.Exclusive.IsUnknown() || plan.RestartService.IsUnknown() {
		return
	}
	rctx, cancel := context.WithTimeout(ctx, planReadTimeout)
	cur, err := rds.GetLicenseServerSecurity.Run(rctx, r.provider, host, rds.NoInput{})
	cancel()
	if err != nil {
		tflog.Debug(ctx, "cannot read the license server security group at plan time", map[string]any{"host": host, "error": err.Error()})
		return
	}
	if len(want) > 0 && !cur.PartOfDomain {
		addErrors(&resp.Diagnostics, endpointservers.NotInDomain(host, cur.Domain))
		return
	}
	ch := endpointservers.Plan(want, state.dropped(want), cur.Members, plan.Exclusive.ValueBool())
	g := endpointservers.Goal{Want: want, Enabled: plan.Enabled.ValueBool(), Exclusive: plan.Exclusive.ValueBool(), Restart: plan.RestartService.ValueBool()}
	addWarnings(&resp.Diagnostics, endpointservers.PlanWarnings(host, g, cur, ch)...)
}

// Create sets the policy and adds the members.
func (r *securityGroupResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m securityGroupModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	host, ok := r.provider.requireHost(m.Host, &resp.Diagnostics)
	if resp.Diagnostics.HasError() || !ok {
		return
	}
	timeout, diags := m.Timeouts.Create(ctx, securityGroupWriteTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := withTimeout(ctx, timeout)
	defer cancel()
	if r.write(ctx, host, &m, nil, &resp.Diagnostics) {
		m.ID = hostID(m.ID, host)
		resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	}
}

// Read refreshes the policy and the members: a member removed by hand
// leaves the state, so that plan adds it again.
func (r *securityGroupResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m securityGroupModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	host := r.provider.host(m.Host)
	timeout, diags := m.Timeouts.Read(ctx, securityGroupReadTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := withTimeout(ctx, timeout)
	defer cancel()
	cur, err := rds.GetLicenseServerSecurity.Run(ctx, r.provider, host, rds.NoInput{})
	if isKind(err, rds.KindRoleMissing, rds.KindRebootPending) {
		// The policy value and the group outlive the role.
		resp.Diagnostics.AddWarning("Cannot read the license server security group on "+host, opErrorDetail(err)+"\n\nThe resource stays in the state unchanged until RD Licensing answers again.")
		return
	}
	if err != nil {
		opError(&resp.Diagnostics, "Cannot read the license server security group on "+host, err)
		return
	}
	want, _ := setStrings(m.Members)
	missing := endpointservers.Missing(want, cur.Members)
	present := slices.DeleteFunc(want, func(n string) bool { return slices.Contains(missing, n) })
	m.Members = stringSet(present)
	m.setRead(cur, present)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Update sets the policy and the members.
func (r *securityGroupResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m, prior securityGroupModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	host := r.provider.host(m.Host)
	timeout, diags := m.Timeouts.Update(ctx, securityGroupWriteTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := withTimeout(ctx, timeout)
	defer cancel()
	if r.write(ctx, host, &m, &prior, &resp.Diagnostics) {
		m.ID = hostID(prior.ID, host)
		resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	}
}

// Delete removes the policy value, and with remove_members_on_destroy the
// resource's members.
func (r *securityGroupResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m securityGroupModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	host := r.provider.host(m.Host)
	timeout, diags := m.Timeouts.Delete(ctx, securityGroupWriteTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := withTimeout(ctx, timeout)
	defer cancel()
	in := rds.LicenseServerSecurityInput{RestartService: m.RestartService.ValueBool()}
	if m.RemoveMembersOnDestroy.ValueBool() {
		cur, err := rds.GetLicenseServerSecurity.Run(ctx, r.provider, host, rds.NoInput{})
		if err != nil && !isKind(err, rds.KindRoleMissing) {
			r.writeError(&resp.Diagnostics, "Cannot remove the license server security group from "+host, err)
			return
		}
		members, _ := setStrings(m.Members)
		in.Remove = endpointservers.Plan(nil, members, cur.Members, false).Remove
	}
	_, err := rds.SetLicenseServerSecurity.Run(ctx, r.provider, host, in)
	switch {
	case isKind(err, rds.KindRoleMissing):
		// No licensing service to serve anyone: nothing to turn off.
		resp.Diagnostics.AddWarning("RD Licensing is not installed on "+host,
			"The policy \"License server security group\" and RDS Endpoint Servers were left as they are: RD Licensing is not installed on "+host+", so no session host gets CALs from it. They apply again if the role comes back.")
	case err != nil:
		r.writeError(&resp.Diagnostics, "Cannot remove the license server security group from "+host, err)
	}
}

// ImportState imports a host's policy and every member of its group.
func (r *securityGroupResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	host, ok := importHost(req.ID, &resp.Diagnostics, "ls01.contoso.com")
	if !ok {
		return
	}
	if r.provider == nil {
		resp.Diagnostics.AddError("Provider not configured", "Importing reads the license server: configure the provider first.")
		return
	}
	cur, err := rds.GetLicenseServerSecurity.Run(ctx, r.provider, host, rds.NoInput{})
	if err != nil {
		opError(&resp.Diagnostics, "Cannot read the license server security group on "+host, err)
		return
	}
	m := securityGroupModel{
		ID: types.StringValue(host), Host: types.StringNull(), Members: stringSet(cur.Members),
		Exclusive: types.BoolValue(false), RestartService: types.BoolValue(true), RemoveMembersOnDestroy: types.BoolValue(false),
		Timeouts: timeouts.Value{Object: types.ObjectNull(timeoutTypes)},
	}
	m.setRead(cur, cur.Members)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	resp.Diagnostics.Append(setImportedHost(ctx, r.provider, host, resp)...)
}

// warnDestroy says in the plan what a destroy does.
func (r *securityGroupResource) warnDestroy(st *securityGroupModel, diags *diag.Diagnostics) {
	members, _ := setStrings(st.Members)
	addWarnings(diags, endpointservers.DestroyWarning(r.provider.host(st.Host), members, st.RemoveMembersOnDestroy.ValueBool()))
}

// write makes the host's policy and group match m (prior: the state
// before an update, nil on create).
func (r *securityGroupResource) write(ctx context.Context, host string, m, prior *securityGroupModel, diags *diag.Diagnostics) bool {
	summary := "Cannot set the license server security group on " + host
	cur, err := rds.GetLicenseServerSecurity.Run(ctx, r.provider, host, rds.NoInput{})
	if err != nil {
		r.writeError(diags, summary, err)
		return false
	}
	want, ok := setStrings(m.Members)
	if !ok {
		diags.AddAttributeError(path.Root("members"), "Members not known", "members holds a value that is unknown at apply. Please report this issue to the provider developers.")
		return false
	}
	if len(want) > 0 && !cur.PartOfDomain {
		addErrors(diags, endpointservers.NotInDomain(host, cur.Domain))
		return false
	}
	ch := endpointservers.Plan(want, prior.dropped(want), cur.Members, m.Exclusive.ValueBool())
	policy := 0
	if m.Enabled.ValueBool() {
		policy = 1
	}
	res, err := rds.SetLicenseServerSecurity.Run(ctx, r.provider, host, rds.LicenseServerSecurityInput{Policy: &policy, Add: ch.Add, Remove: ch.Remove, RestartService: m.RestartService.ValueBool()})
	if err != nil {
		r.writeError(diags, summary, err)
		return false
	}
	m.setRead(res, want)
	return true
}

// writeError explains a failed read or write of the policy and group.
func (r *securityGroupResource) writeError(diags *diag.Diagnostics, summary string, err error) {
	if attr, hint := endpointservers.WriteHint(err); attr != "" {
		diags.AddAttributeError(path.Root(attr), summary, opErrorDetail(err, hint))
	} else {
		diags.AddError(summary, opErrorDetail(err, hint))
	}
}

// securityGroupModel is the resource's data.
type securityGroupModel struct {
	ID                     types.String   `tfsdk:"id"`
	Host                   types.String   `tfsdk:"host"`
	Enabled                types.Bool     `tfsdk:"enabled"`
	Members                types.Set      `tfsdk:"members"`
	Exclusive              types.Bool     `tfsdk:"exclusive"`
	RestartService         types.Bool     `tfsdk:"restart_service"`
	RemoveMembersOnDestroy types.Bool     `tfsdk:"remove_members_on_destroy"`
	OtherMembers           types.List     `tfsdk:"other_members"`
	Timeouts               timeouts.Value `tfsdk:"timeouts"`
}

// setRead sets what the host reports: the policy, and the members want
// (those the configuration names) does not name.
func (m *securityGroupModel) setRead(cur rds.LicenseServerSecurity, want []string) {
	m.Enabled = types.BoolValue(cur.Policy != nil && *cur.Policy == 1)
	m.OtherMembers = stringList(endpointservers.Others(want, cur.Members))
}

// sameConfig: the settings apply writes are those of o.
func (m *securityGroupModel) sameConfig(o *securityGroupModel) bool {
	return m.Host.Equal(o.Host) && m.Enabled.Equal(o.Enabled) && m.Members.Equal(o.Members) &&
		m.Exclusive.Equal(o.Exclusive) && m.RestartService.Equal(o.RestartService)
}

// dropped are the members the state holds and want no longer names (none
// on create).
func (m *securityGroupModel) dropped(want []string) []string {
	if m == nil {
		return nil
	}
	prior, _ := setStrings(m.Members)
	return slices.DeleteFunc(prior, func(n string) bool { return slices.Contains(want, n) })
}
