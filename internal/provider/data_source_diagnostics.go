package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/activation"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/diagnosis"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/servernames"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/sessionhosts"
)

// Ensure the data source satisfies the framework's interfaces.
var (
	_ datasource.DataSource              = (*diagnosticsDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*diagnosticsDataSource)(nil)
)

// NewDiagnosticsDataSource is the rdslicensing_diagnostics data source.
func NewDiagnosticsDataSource() datasource.DataSource { return &diagnosticsDataSource{} }

type diagnosticsDataSource struct {
	provider *providerData
}

// Defaults of the thresholds.
const (
	defaultMinAvailableCALs = 5
	defaultGraceWarningDays = 14
)

// Metadata names the data source.
func (d *diagnosticsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_diagnostics"
}

// Schema describes the data source.
func (d *diagnosticsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "What RD Licensing Diagnoser says of a session host and its license servers, as findings, and a `healthy` flag for `check` blocks and preconditions. " +
			"It reads the session host, asks Windows how it sees each license server in effect (`GetTStoLSConnectivityStatus`), and reads each license server over WinRM with the provider's credentials (activation, CALs). " +
			"Finding codes: `rdsh_not_installed`, `licensing_mode_not_configured`, `no_license_server`, `license_server_unreachable`, `license_server_older`, `license_server_access_denied`, `license_server_security_group`, `license_server_invalid`, `license_server_not_inspected`, `license_server_not_activated`, `cal_type_mismatch`, `no_cals`, `cal_version_too_old`, `no_cals_available`, `few_cals_available`, `grace_period_ending`, `grace_period_over`, `per_user_in_workgroup`, `group_policy_overrides_mode`, `group_policy_overrides_license_servers`.",
		Attributes: map[string]schema.Attribute{
			"id":   str("The host."),
			"host": dataHostAttribute("the session host"),
			"min_available_cals": schema.Int64Attribute{
				Optional: true, MarkdownDescription: "Warn (`few_cals_available`) when fewer CALs than this are left for the session host's mode and release. Defaults to 5.",
				Validators: []validator.Int64{int64validator.AtLeast(0)},
			},
			"grace_period_warning_days": schema.Int64Attribute{
				Optional: true, MarkdownDescription: "Warn (`grace_period_ending`) when the grace period ends within this many days while licensing does not work yet. Defaults to 14.",
				Validators: []validator.Int64{int64validator.Between(0, 120)},
			},
			"inspect_license_servers": schema.BoolAttribute{Optional: true, MarkdownDescription: "Read each license server over WinRM to check its activation and CALs. Defaults to `true`."},
			"healthy":                 schema.BoolAttribute{Computed: true, MarkdownDescription: "No finding is an error: users can get CALs. Per-user CAL shortages are warnings, since Windows does not enforce per-user CALs: check `findings` for compliance."},
			"grace_period_days": schema.Int64Attribute{
				Computed: true, MarkdownDescription: "Days left in the session host's 120-day licensing grace period (0: over), as `rdslicensing_session_host` reads it; null when Windows cannot tell (no grace period runs, e.g. without the RD Session Host role).",
			},
			"findings": schema.ListNestedAttribute{
				Computed: true, MarkdownDescription: "What is wrong or worth knowing, errors first.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"severity":       str("`error` (users are or will be refused), `warning` (users connect, but something needs attention: a shortage of per-user CALs, which Windows does not enforce, is out of compliance) or `info` (nothing to fix)."),
					"code":           str("Stable code of the finding (see above)."),
					"summary":        str("What is wrong."),
					"remedy":         str("What fixes it: the attribute or resource to set."),
					"license_server": str("The license server it is about, if any."),
				}},
			},
			"license_servers": schema.ListNestedAttribute{
				Computed: true, MarkdownDescription: "The license servers in effect and what was found of each.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name":              str("Name as the session host has it."),
					"connectivity":      str("What Windows reports (`valid_ls` is healthy)."),
					"activation_status": str("`activated`, `not_activated`, `unknown`, or empty when not inspected."),
					"available_cals":    schema.Int64Attribute{Computed: true, MarkdownDescription: "CALs available on the server (the built-in pack excluded); null when not inspected."},
				}},
			},
		},
	}
}

// Configure receives the provider's client.
func (d *diagnosticsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.provider = configureData(req.ProviderData, &resp.Diagnostics)
}

// Read diagnoses the session host.
func (d *diagnosticsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m diagnosticsDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	host, ok := d.provider.requireHost(m.Host, &resp.Diagnostics)
	if resp.Diagnostics.HasError() || !ok {
		return
	}
	sh, err := d.provider.readSessionHost(ctx, host)
	if err != nil {
		opError(&resp.Diagnostics, "Cannot read the session host "+host, err)
		return
	}
	in := diagnosis.Input{Host: host, SessionHost: sh, MinAvailableCALs: defaultMinAvailableCALs, GraceWarningDays: defaultGraceWarningDays}
	if !m.MinAvailableCALs.IsNull() {
		in.MinAvailableCALs = m.MinAvailableCALs.ValueInt64()
	}
	if !m.GraceWarningDays.IsNull() {
		in.GraceWarningDays = m.GraceWarningDays.ValueInt64()
	}
	inspect := m.Inspect.IsNull() || m.Inspect.ValueBool()
	m.LicenseServers = []diagnosedServerModel{}
	seen := map[string]bool{}
	for _, name := range sh.SpecifiedLicenseServers {
		if seen[strings.ToLower(name)] {
			continue
		}
		seen[strings.ToLower(name)] = true
		s := diagnosis.Server{Name: name, Connectivity: -1, BadName: servernames.Problem(name)}
		for _, c := range sh.Connectivity {
			if strings.EqualFold(c.Server, name) {
				s.Connectivity = c.Status
			}
		}
		row := diagnosedServerModel{Name: types.StringValue(name), Connectivity: types.StringValue(""), ActivationStatus: types.StringValue(""), AvailableCALs: types.Int64Null()}
		if s.Connectivity >= 0 {
			row.Connectivity = types.StringValue(sessionhosts.ConnectivityName(s.Connectivity))
		}
		switch {
		case s.BadName != "":
			// Windows looks for a server of that name and finds none.
		case !inspect:
			s.Skipped = true
		case s.Connectivity >= 0 && !sessionhosts.ConnectivityHealthy(s.Connectivity):
			// The session host cannot use it: its contents do not matter.
		default:
			s.Server, s.KeyPacks, s.InspectError = d.provider.inspectLicenseServer(ctx, name)
			s.Inspected = s.InspectError == ""
		}
		if s.Inspected {
			row.ActivationStatus = types.StringValue(activation.StatusName(s.Server.ActivationStatus))
			var avail int64
			for _, kp := range s.KeyPacks {
				if !kp.BuiltIn {
					avail += kp.AvailableLicenses
				}
			}
			row.AvailableCALs = types.Int64Value(avail)
		}
		in.Servers = append(in.Servers, s)
		m.LicenseServers = append(m.LicenseServers, row)
	}
	findings := diagnosis.Diagnose(in)
	m.ID = types.StringValue(host)
	m.Healthy = types.BoolValue(diagnosis.Healthy(findings))
	m.GracePeriodDays = int64Pointer(sh.GracePeriodDays)
	m.Findings = []findingModel{}
	for _, f := range findings {
		m.Findings = append(m.Findings, findingModel{Severity: types.StringValue(f.Severity), Code: types.StringValue(f.Code),
			Summary: types.StringValue(f.Summary), Remedy: types.StringValue(f.Remedy), LicenseServer: types.StringValue(f.LicenseServer)})
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// diagnosticsDataModel is the data source's data.
type diagnosticsDataModel struct {
	ID               types.String           `tfsdk:"id"`
	Host             types.String           `tfsdk:"host"`
	MinAvailableCALs types.Int64            `tfsdk:"min_available_cals"`
	GraceWarningDays types.Int64            `tfsdk:"grace_period_warning_days"`
	Inspect          types.Bool             `tfsdk:"inspect_license_servers"`
	Healthy          types.Bool             `tfsdk:"healthy"`
	GracePeriodDays  types.Int64            `tfsdk:"grace_period_days"`
	Findings         []findingModel         `tfsdk:"findings"`
	LicenseServers   []diagnosedServerModel `tfsdk:"license_servers"`
}

type findingModel struct {
	Severity      types.String `tfsdk:"severity"`
	Code          types.String `tfsdk:"code"`
	Summary       types.String `tfsdk:"summary"`
	Remedy        types.String `tfsdk:"remedy"`
	LicenseServer types.String `tfsdk:"license_server"`
}

type diagnosedServerModel struct {
	Name             types.String `tfsdk:"name"`
	Connectivity     types.String `tfsdk:"connectivity"`
	ActivationStatus types.String `tfsdk:"activation_status"`
	AvailableCALs    types.Int64  `tfsdk:"available_cals"`
}
