package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/servernames"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/sessionhosts"
)

// Ensure the resource satisfies the framework's interfaces.
var (
	_ resource.Resource                = (*sessionHostPolicyResource)(nil)
	_ resource.ResourceWithConfigure   = (*sessionHostPolicyResource)(nil)
	_ resource.ResourceWithImportState = (*sessionHostPolicyResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*sessionHostPolicyResource)(nil)
)

// NewSessionHostPolicyResource is the rdslicensing_session_host_policy resource.
func NewSessionHostPolicyResource() resource.Resource { return &sessionHostPolicyResource{} }

type sessionHostPolicyResource struct {
	provider *providerData
}

// Default timeouts: restarting TermService waits for its sessions.
const (
	sessionHostWriteTimeout = 10 * time.Minute
	sessionHostReadTimeout  = 5 * time.Minute
)

// privateReplacesPolicy marks, in the plan of a replacement, that the
// object replaced is a group_policy one on the same host: its policy
// values go before the new object is created.
const privateReplacesPolicy = "replaces_group_policy"

// Metadata names the resource.
func (r *sessionHostPolicyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_session_host_policy"
}

// Schema describes the resource.
func (r *sessionHostPolicyResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The Remote Desktop licensing configuration of an RD Session Host: the licensing mode (per user or per device) and the license servers it asks for CALs, in order of preference. " +
			"By default (`method = \"group_policy\"`) the provider writes the local policy values that gpedit.msc's *Set the Remote Desktop licensing mode* and *Use the specified Remote Desktop license servers* write, which win over every other setting; " +
			"`method = \"wmi\"` uses `Win32_TerminalServiceSetting` (`ChangeMode`, `SetSpecifiedLicenseServerList`) instead, as Server Manager does, and `plan` fails when Group Policy controls the setting. " +
			"The session host reads these settings when the Remote Desktop Services service (`TermService`) starts: with `restart_service = true` (the default) the provider restarts it after a change, **which disconnects the users of the session host**, and `plan` warns of each host it will restart (see `restart_service` for the trade-off). " +
			"A mode or server list changed by hand shows in `plan`; settings removed by hand make `plan` create the resource again. Destroy returns the settings this resource manages to *Not Configured*. " +
			"The computed `effective_*` and `*_source` attributes show what the session host uses and where it comes from. " +
			"Import ID: the host (name, FQDN or IP address), e.g. `rdsh01.contoso.com`; the method is inferred from the host (policy values present: `group_policy`, else `wmi`).",
		Attributes: map[string]schema.Attribute{
			"id":   idAttribute("the host"),
			"host": hostAttribute("to configure: an RD Session Host (role service `RDS-RD-Server`)"),
			"licensing_mode": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "`per_user` (Per User CALs, `LicensingMode` 4; needs Active Directory) or `per_device` (Per Device CALs, `LicensingMode` 2; the only mode Microsoft supports on session hosts in a workgroup). " +
					"The license servers must hold CALs of this type.",
				Validators: []validator.String{stringvalidator.OneOf("per_user", "per_device")},
			},
			"license_servers": schema.ListAttribute{
				Optional: true, Computed: true,
				ElementType: serverNameType{},
				Default:     listdefault.StaticValue(types.ListValueMust(serverNameType{}, []attr.Value{})),
				MarkdownDescription: "License servers the session host asks for CALs, in order of preference: host names, FQDNs or IP addresses. " +
					"Names are compared without regard to case, and a short name equals an FQDN whose first label it is (`LS01` and `ls01.contoso.com`), so a name Windows holds in another of these forms is no change; another order is. " +
					"Empty (the default) specifies none: with `group_policy` the policy value is removed, and the session host uses the list set through WMI or Server Manager if there is one, else discovers license servers; with `wmi` the list is emptied.",
				Validators: []validator.List{serverNamesValidator{}},
			},
			"method": schema.StringAttribute{
				Optional: true, Computed: true,
				Default: stringdefault.StaticString(sessionhosts.MethodGroupPolicy),
				MarkdownDescription: "How the settings are written. `group_policy` (default): the local policy values under `" + sessionhosts.PolicyKey + "` (`LicensingMode`, `LicenseServers`), as gpedit.msc writes them; they win over every other setting. " +
					"A domain GPO that sets the same policies overwrites them at the next Group Policy refresh, which then shows as a change in `plan`: where a domain GPO manages licensing, manage it there instead. " +
					"`wmi`: `Win32_TerminalServiceSetting` (`ChangeMode`, `SetSpecifiedLicenseServerList`), the session host's own setting, as Server Manager writes it; Windows ignores and refuses it while a policy value is set: plan fails when it creates or changes the settings and Group Policy sets them (when the host is known and reachable at plan time; otherwise apply fails before writing anything). " +
					"Changing it replaces the resource: destroy clears the settings of the old method first.",
				Validators:    []validator.String{stringvalidator.OneOf(sessionhosts.MethodGroupPolicy, sessionhosts.MethodWMI)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"restart_service": schema.BoolAttribute{
				Optional: true, Computed: true,
				Default: booldefault.StaticBool(true),
				MarkdownDescription: "Restart the Remote Desktop Services service (`TermService`) after a change (and after destroy), so that the session host uses the new settings, as the guides' `gpupdate /force` and `net stop`/`net start TermService` do. " +
					"**The restart disconnects every user of the session host** (sessions stay, users reconnect). Nothing is restarted when nothing changed: not when the host already has the settings, nor when only `restart_service` or `timeouts` change. " +
					"`plan` warns (`Apply restarts Remote Desktop Services on <host>, disconnecting its users`) for each create, change, replacement or destroy that will restart it, and says `may restart` when it cannot tell yet (the host is unknown or unreachable at plan time). " +
					"The trade-off: `true` (the default) puts the settings in effect at once, at the cost of disconnecting users, so apply in a maintenance window; " +
					"`false` keeps users connected, but the session host goes on using its former licensing settings until the service or the server restarts (for example at the next patch reboot), while the state already shows the new ones. Defaults to `true`.",
			},
			"effective_licensing_mode": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The licensing mode the session host uses (`Win32_TerminalServiceSetting.LicensingType`): `per_user`, `per_device` or `not_configured`; " +
					"modes set by other means show as `personal_terminal_server`, `remote_desktop_for_administration`, `aad_per_user` or `unknown_<number>`.",
			},
			"effective_license_servers": schema.ListAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "The license servers the session host uses, in order (`GetSpecifiedLicenseServerList`): the policy list when a policy sets one, else its own list.",
			},
			"licensing_mode_source":  computedString("Where `effective_licensing_mode` comes from: `group_policy` (a local or domain policy value) or `server` (the session host's own setting: WMI, Server Manager).", false),
			"license_servers_source": computedString("Where `effective_license_servers` comes from: `group_policy` or `server`.", false),
			"grace_period_days": schema.Int64Attribute{
				Computed: true,
				MarkdownDescription: "Days left in the session host's 120-day licensing grace period (`GetGracePeriodDays`), during which it accepts connections without a license server; null when Windows reports none. " +
					"It counts down every day whatever the configuration, so it changes between runs without causing a change.",
			},
			"timeouts": timeoutsAttribute(ctx, sessionHostWriteTimeout, sessionHostReadTimeout, "a change restarts the Remote Desktop Services service (`restart_service`), which waits for its sessions."),
		},
	}
}

// Configure receives the provider's client.
func (r *sessionHostPolicyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.provider = configureData(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan keeps license server names that Windows holds in another
// form, catches method = "wmi" on a host where Group Policy controls the
// licensing before anything changes, and warns when apply will restart
// TermService, which disconnects the session host's users.
func (r *sessionHostPolicyResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var state *sessionHostPolicyModel
	if !req.State.Raw.IsNull() {
		state = &sessionHostPolicyModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	if req.Plan.Raw.IsNull() {
		// Destroy clears what the resource set, and restarts as it was told.
		if state != nil && state.RestartService.ValueBool() {
			r.warnRestart(&resp.Diagnostics, r.hostOf(state.Host), true,
				"destroying rdslicensing_session_host_policy returns its licensing settings to not configured")
		}
		return
	}
	var plan sessionHostPolicyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if state != nil && plan.keepEquivalentServers(ctx, state) {
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
	}
	host := r.hostOf(plan.Host)
	if state != nil && (!state.Host.Equal(plan.Host) || !state.Method.Equal(plan.Method)) {
		// A replacement: Terraform plans the new object again without the
		// prior state (and shows only the errors of that plan), and that
		// plan checks for it. The policy values of a group_policy object
		// on the same host go when it is destroyed first: note it for
		// that plan. Destroying the old one restarts as the old one was told.
		var replaces []byte
		if state.Method.ValueString() == sessionhosts.MethodGroupPolicy && host != "" && host == r.hostOf(state.Host) {
			replaces = []byte(`true`)
		}
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateReplacesPolicy, replaces)...)
		if state.RestartService.ValueBool() {
			r.warnRestart(&resp.Diagnostics, r.hostOf(state.Host), true,
				"replacing rdslicensing_session_host_policy first returns the licensing settings of its former method to not configured")
		}
		return
	}
	restart := !plan.RestartService.IsNull() && (plan.RestartService.IsUnknown() || plan.RestartService.ValueBool())
	change := state == nil || plan.settingsChange(state)
	wmi := plan.Method.ValueString() == sessionhosts.MethodWMI
	if state != nil && !change && wmi && host != "" {
		if w, ok := sessionhosts.OverrideWarning(host, state.override(ctx)); ok {
			addWarnings(&resp.Diagnostics, w)
		}
	}
	if !change || (!restart && !wmi) {
		return
	}
	// Creating, or changing the settings. With wmi, ask the host whether a
	// policy is in the way; on create, whether its settings differ at all.
	// A host that cannot be asked now fails at apply, and may restart.
	var sh *rds.SessionHost
	if host != "" && (wmi || state == nil) {
		rctx, cancel := withTimeout(ctx, sessionHostReadTimeout)
		got, err := r.provider.readSessionHost(rctx, host)
		cancel()
		if err != nil {
			tflog.Debug(ctx, "cannot read the session host at plan time", map[string]any{"host": host, "error": err.Error()})
		} else {
			sh = &got
		}
	}
	if restart {
		held := sh != nil && plan.settingsHeld(ctx, *sh)
		note := sessionhosts.Restart{Update: state != nil, Read: sh, Held: held, RestartKnown: !plan.RestartService.IsUnknown(), ServersKnown: !plan.LicenseServers.IsUnknown()}
		if w, ok := note.Warning(host); ok {
			addWarnings(&resp.Diagnostics, w)
		}
	}
	if !wmi || sh == nil {
		return
	}
	detail := sessionhosts.PolicyControlDetail(*sh)
	if detail == "" {
		return
	}
	if state == nil {
		replaces, diags := req.Private.GetKey(ctx, privateReplacesPolicy)
		resp.Diagnostics.Append(diags...)
		if string(replaces) == "true" {
			// The policy values are the replaced object's, which is
			// destroyed first; apply fails if others remain.
			return
		}
	}
	resp.Diagnostics.AddAttributeError(path.Root("method"), "Group Policy controls the licensing of "+sh.ComputerName, detail)
}

// Create writes the licensing settings.
func (r *sessionHostPolicyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m sessionHostPolicyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	host, ok := r.provider.requireHost(m.Host, &resp.Diagnostics)
	if resp.Diagnostics.HasError() || !ok {
		return
	}
	timeout, diags := m.Timeouts.Create(ctx, sessionHostWriteTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := withTimeout(ctx, timeout)
	defer cancel()
	sh, ok := r.write(ctx, host, &m, &resp.Diagnostics)
	if !ok {
		return
	}
	m.ID = types.StringValue(host)
	m.setComputed(sh)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateReplacesPolicy, nil)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Read refreshes the settings from the source the method writes; settings
// removed by hand leave the state, so that plan proposes to write them again.
func (r *sessionHostPolicyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m sessionHostPolicyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	host := r.provider.host(m.Host)
	timeout, diags := m.Timeouts.Read(ctx, sessionHostReadTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := withTimeout(ctx, timeout)
	defer cancel()
	sh, err := r.provider.readSessionHost(ctx, host)
	if err != nil {
		sessionHostError(&resp.Diagnostics, "Cannot read the Remote Desktop licensing configuration of "+host, err, "")
		return
	}
	method := m.Method.ValueString()
	if method == "" {
		method = sessionhosts.InferMethod(sh)
	}
	mode, servers, ok := sessionhosts.SourceSettings(sh, method)
	if !ok {
		resp.State.RemoveResource(ctx)
		return
	}
	m.ID = types.StringValue(host)
	m.Method = types.StringValue(method)
	m.LicensingMode = types.StringValue(mode)
	m.LicenseServers = serverNameList(servers)
	if m.RestartService.IsNull() {
		m.RestartService = types.BoolValue(true)
	}
	m.setComputed(sh)
	if w, ok := sessionhosts.NoSessionHostRole(host, sh); ok {
		addWarnings(&resp.Diagnostics, w)
	}
	if w, ok := sessionhosts.DomainGPOOverrides(host, sh); ok && method == sessionhosts.MethodGroupPolicy {
		addWarnings(&resp.Diagnostics, w)
	}
	addWarnings(&resp.Diagnostics, sessionhosts.ConnectivityWarnings(sh)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Update writes changed settings; a change of restart_service or the
// timeouts alone touches nothing on the host.
func (r *sessionHostPolicyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m, prior sessionHostPolicyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	host := r.provider.host(m.Host)
	timeout, diags := m.Timeouts.Update(ctx, sessionHostWriteTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := withTimeout(ctx, timeout)
	defer cancel()
	var sh rds.SessionHost
	if m.settingsChange(&prior) {
		var ok bool
		if sh, ok = r.write(ctx, host, &m, &resp.Diagnostics); !ok {
			return
		}
	} else {
		var err error
		if sh, err = r.provider.readSessionHost(ctx, host); err != nil {
			sessionHostError(&resp.Diagnostics, "Cannot read the Remote Desktop licensing configuration of "+host, err, "")
			return
		}
	}
	m.ID = types.StringValue(host)
	m.setComputed(sh)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Delete returns the settings of the resource's method to not configured.
func (r *sessionHostPolicyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m sessionHostPolicyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	host := r.provider.host(m.Host)
	timeout, diags := m.Timeouts.Delete(ctx, sessionHostWriteTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := withTimeout(ctx, timeout)
	defer cancel()
	in := rds.SessionHostLicensingInput{Method: m.Method.ValueString(), RestartService: m.RestartService.ValueBool()}
	if _, err := rds.ClearSessionHostLicensing.Run(ctx, r.provider, host, in); err != nil {
		sessionHostError(&resp.Diagnostics, "Cannot return Remote Desktop licensing to not configured on "+host, err, sessionhosts.LeaveInstead)
	}
}

// ImportState imports the licensing settings of a host: the ID is the
// host. The method is the source that holds settings: the policy values
// when there are any, else the session host's own (WMI) setting.
func (r *sessionHostPolicyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	host, ok := importHost(req.ID, &resp.Diagnostics, "rdsh01.contoso.com")
	if !ok {
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), host)...)
	resp.Diagnostics.Append(setImportedHost(ctx, r.provider, host, resp)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("restart_service"), true)...)
	if r.provider == nil {
		return
	}
	ctx, cancel := withTimeout(ctx, sessionHostReadTimeout)
	defer cancel()
	sh, err := r.provider.readSessionHost(ctx, host)
	if err != nil {
		sessionHostError(&resp.Diagnostics, "Cannot import the Remote Desktop licensing configuration of "+host, err, "")
		return
	}
	method := sessionhosts.InferMethod(sh)
	if _, _, ok := sessionhosts.SourceSettings(sh, method); !ok {
		addErrors(&resp.Diagnostics, sessionhosts.NothingToImport(host, sh))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("method"), method)...)
}

// hostOf is the host a resource reaches, "" while not known (or without
// a configured provider, as in validate).
func (r *sessionHostPolicyResource) hostOf(h types.String) string {
	if r.provider == nil || h.IsUnknown() {
		return ""
	}
	return r.provider.host(h)
}

// warnRestart says, at plan time, that apply restarts TermService on host
// (or, when sure is false, may: the plan cannot tell yet), and why.
func (r *sessionHostPolicyResource) warnRestart(diags *diag.Diagnostics, host string, sure bool, why string) {
	addWarnings(diags, sessionhosts.RestartWarning(host, sure, why))
}

// write runs set_session_host_licensing with the planned settings.
func (r *sessionHostPolicyResource) write(ctx context.Context, host string, m *sessionHostPolicyModel, diags *diag.Diagnostics) (rds.SessionHost, bool) {
	servers, ok := serverNameStrings(ctx, m.LicenseServers)
	if !ok {
		diags.AddAttributeError(path.Root("license_servers"), "License servers not known",
			"license_servers holds a value that is unknown or null at apply. Please report this issue to the provider developers.")
		return rds.SessionHost{}, false
	}
	in := rds.SessionHostLicensingInput{
		Method:         m.Method.ValueString(),
		LicensingMode:  sessionhosts.LicensingModeNumber[m.LicensingMode.ValueString()],
		LicenseServers: servers,
		RestartService: m.RestartService.ValueBool(),
	}
	sh, err := rds.SetSessionHostLicensing.Run(ctx, r.provider, host, in)
	if err != nil {
		sessionHostError(diags, "Cannot configure Remote Desktop licensing on "+host, err, "")
		return rds.SessionHost{}, false
	}
	if w, ok := sessionhosts.WorkgroupPerUser(in.LicensingMode, sh); ok {
		addWarnings(diags, w)
	}
	addWarnings(diags, sessionhosts.ConnectivityWarnings(sh)...)
	return sh, true
}

// sessionHostError is opError with a hint for the kind (sessionhosts.Hint),
// and extra for this call, placed before the operation's trailer.
func sessionHostError(diags *diag.Diagnostics, summary string, err error, extra string) {
	if !isKind(err, rds.KindPolicyControlled) {
		extra = ""
	}
	diags.AddError(summary, opErrorDetail(err, sessionhosts.Hint(err), extra))
}

// sessionHostPolicyModel is the resource's data.
type sessionHostPolicyModel struct {
	ID                      types.String   `tfsdk:"id"`
	Host                    types.String   `tfsdk:"host"`
	LicensingMode           types.String   `tfsdk:"licensing_mode"`
	LicenseServers          types.List     `tfsdk:"license_servers"`
	Method                  types.String   `tfsdk:"method"`
	RestartService          types.Bool     `tfsdk:"restart_service"`
	EffectiveLicensingMode  types.String   `tfsdk:"effective_licensing_mode"`
	EffectiveLicenseServers types.List     `tfsdk:"effective_license_servers"`
	LicensingModeSource     types.String   `tfsdk:"licensing_mode_source"`
	LicenseServersSource    types.String   `tfsdk:"license_servers_source"`
	GracePeriodDays         types.Int64    `tfsdk:"grace_period_days"`
	Timeouts                timeouts.Value `tfsdk:"timeouts"`
}

// setComputed sets what the session host reports.
func (m *sessionHostPolicyModel) setComputed(sh rds.SessionHost) {
	m.EffectiveLicensingMode = types.StringValue(sessionhosts.LicensingModeName(sh.LicensingType))
	m.EffectiveLicenseServers = stringList(sh.SpecifiedLicenseServers)
	m.LicensingModeSource = types.StringValue(sessionhosts.PolicySourceName(sh.PolicySourceLicensingType))
	m.LicenseServersSource = types.StringValue(sessionhosts.PolicySourceName(sh.PolicySourceLicenseServers))
	m.GracePeriodDays = int64Pointer(sh.GracePeriodDays)
}

// override is what Group Policy overrides of a wmi resource's settings,
// as the refreshed state m shows.
func (m *sessionHostPolicyModel) override(ctx context.Context) sessionhosts.Override {
	return sessionhosts.Override{
		Mode: m.LicensingModeSource.ValueString() == sessionhosts.MethodGroupPolicy, EffectiveMode: m.EffectiveLicensingMode.ValueString(), PlannedMode: m.LicensingMode.ValueString(),
		Servers: m.LicenseServersSource.ValueString() == sessionhosts.MethodGroupPolicy, EffectiveServers: listStrings(ctx, m.EffectiveLicenseServers),
	}
}

// sameConfig reports equal configurable attributes.
func (m *sessionHostPolicyModel) sameConfig(o *sessionHostPolicyModel) bool {
	return m.ID.Equal(o.ID) && m.Host.Equal(o.Host) && m.LicensingMode.Equal(o.LicensingMode) &&
		m.LicenseServers.Equal(o.LicenseServers) && m.Method.Equal(o.Method) &&
		m.RestartService.Equal(o.RestartService) && m.Timeouts.Equal(o.Timeouts)
}

// settingsHeld reports whether the host already holds the planned
// mode and license servers (sessionhosts.SettingsHeld); not while either
// is unknown.
func (m *sessionHostPolicyModel) settingsHeld(ctx context.Context, sh rds.SessionHost) bool {
	servers, ok := serverNameStrings(ctx, m.LicenseServers)
	if !ok || m.LicensingMode.IsUnknown() {
		return false
	}
	return sessionhosts.SettingsHeld(m.Method.ValueString(), sessionhosts.LicensingModeNumber[m.LicensingMode.ValueString()], servers, sh)
}

// keepEquivalentServers plans the prior license servers when the
// configured ones name the same servers, so that "LS01" in the
// configuration and "ls01.contoso.com" in the state make no change. It
// reports whether it changed the m.
func (m *sessionHostPolicyModel) keepEquivalentServers(ctx context.Context, state *sessionHostPolicyModel) bool {
	if m.LicenseServers.Equal(state.LicenseServers) {
		return false
	}
	planned, ok1 := serverNameStrings(ctx, m.LicenseServers)
	prior, ok2 := serverNameStrings(ctx, state.LicenseServers)
	if !ok1 || !ok2 || !servernames.SameLists(planned, prior) {
		return false
	}
	m.LicenseServers = state.LicenseServers
	if m.sameConfig(state) {
		// Nothing else changes: keep the computed values too, which the
		// framework marked unknown because the list differed.
		*m = *state
	}
	return true
}

// settingsChange reports a change of m over state that set_session_host_licensing writes.
func (m *sessionHostPolicyModel) settingsChange(state *sessionHostPolicyModel) bool {
	return !m.LicensingMode.Equal(state.LicensingMode) || !m.LicenseServers.Equal(state.LicenseServers)
}
