package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/sessionhosts"
)

// Ensure the data source satisfies the framework's interfaces.
var (
	_ datasource.DataSource              = (*sessionHostDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*sessionHostDataSource)(nil)
)

// NewSessionHostDataSource is the rdslicensing_session_host data source.
func NewSessionHostDataSource() datasource.DataSource { return &sessionHostDataSource{} }

type sessionHostDataSource struct {
	provider *providerData
}

// Metadata names the data source.
func (d *sessionHostDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_session_host"
}

// Schema describes the data source.
func (d *sessionHostDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The licensing of an RD Session Host as Windows applies it: the grace period, the licensing mode and license servers in effect and where they come from (Group Policy or the server's own setting), and for each license server the connectivity status Windows reports (`GetTStoLSConnectivityStatus`).",
		Attributes: map[string]schema.Attribute{
			"id":                    str("The host."),
			"host":                  dataHostAttribute("the session host"),
			"rdsh_installed":        schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the RD Session Host role service (`RDS-RD-Server`) is installed."},
			"grace_period_days":     schema.Int64Attribute{Computed: true, MarkdownDescription: "Days left in the 120-day licensing grace period (0: over); null when Windows cannot tell (see `grace_period_error`)."},
			"grace_period_error":    str("Why the grace period could not be read, if it could not."),
			"licensing_mode":        str("Licensing mode in effect: `per_user`, `per_device` or `not_configured`."),
			"licensing_mode_source": str("Where the mode comes from: `group_policy` (which wins) or `server`."),
			"license_servers": schema.ListAttribute{
				Computed: true, ElementType: types.StringType,
				MarkdownDescription: "License servers in effect, in order of preference.",
			},
			"license_servers_source":     str("Where the list comes from: `group_policy` or `server`."),
			"policy_licensing_mode":      str("The Group Policy licensing mode, or null when the policy is not configured."),
			"policy_license_servers":     schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "The Group Policy license servers, or null when the policy is not configured."},
			"policy_licensing_mode_gpo":  str("The domain GPO that sets the policy licensing mode, as the session host's Resultant Set of Policy records it; empty for local policy (or when RSoP has no record)."),
			"policy_license_servers_gpo": str("The domain GPO that sets the policy license servers; empty for local policy (or when RSoP has no record)."),
			"server_licensing_mode":      str("The server's own licensing mode (what WMI's `ChangeMode` sets), which Group Policy overrides."),
			"server_license_servers":     schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "The server's own license server list (what WMI's `SetSpecifiedLicenseServerList` sets)."},
			"connectivity": schema.ListNestedAttribute{
				Computed: true, MarkdownDescription: "For each license server in effect, what Windows says of it.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"license_server": str("License server name."),
					"status":         str("`valid_ls` (healthy), `not_connectable`, `lower_version`, `connectable_but_access_denied`, `not_in_tsc_group`, ... (the `TStoLSConnectivityStatus` names)."),
					"status_code":    schema.Int64Attribute{Computed: true, MarkdownDescription: "Windows' number for the status."},
					"healthy":        schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the session host can get CALs from this server."},
				}},
			},
			"os_version":         str("Windows Server release of the session host."),
			"part_of_domain":     schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the session host is joined to a domain."},
			"domain":             str("DNS domain or workgroup."),
			"termservice_status": str("Status of the Remote Desktop Services service (`TermService`)."),
		},
	}
}

// Configure receives the provider's client.
func (d *sessionHostDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.provider = configureData(req.ProviderData, &resp.Diagnostics)
}

// Read reads the session host.
func (d *sessionHostDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m sessionHostDataModel
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
	m.ID = types.StringValue(host)
	m.RDSHInstalled = types.BoolValue(sh.RDSHInstalled)
	m.GracePeriodDays = int64Pointer(sh.GracePeriodDays)
	m.GracePeriodError = types.StringValue(sh.GracePeriodError)
	m.LicensingMode = types.StringValue(sessionhosts.LicensingModeName(sh.LicensingType))
	m.LicensingModeSource = types.StringValue(sessionhosts.PolicySourceName(sh.PolicySourceLicensingType))
	m.LicenseServers = stringList(sh.SpecifiedLicenseServers)
	m.LicenseServersSource = types.StringValue(sessionhosts.PolicySourceName(sh.PolicySourceLicenseServers))
	m.PolicyLicensingMode = types.StringNull()
	if sh.PolicyLicensingMode != nil {
		m.PolicyLicensingMode = types.StringValue(sessionhosts.LicensingModeName(*sh.PolicyLicensingMode))
	}
	m.PolicyLicenseServers = types.ListNull(types.StringType)
	if sh.PolicyLicenseServers != nil {
		m.PolicyLicenseServers = stringList(sessionhosts.SplitServerList(*sh.PolicyLicenseServers))
	}
	m.PolicyLicensingModeGPO = types.StringValue(sh.PolicyLicensingModeGPO)
	m.PolicyLicenseServersGPO = types.StringValue(sh.PolicyLicenseServersGPO)
	m.ServerLicensingMode = types.StringValue(sessionhosts.LicensingModeName(5))
	if sh.ConfigLicensingMode != nil {
		m.ServerLicensingMode = types.StringValue(sessionhosts.LicensingModeName(*sh.ConfigLicensingMode))
	}
	m.ServerLicenseServers = stringList(sh.ConfigLicenseServers)
	m.Connectivity = []connectivityModel{}
	for _, c := range sh.Connectivity {
		m.Connectivity = append(m.Connectivity, connectivityModel{
			LicenseServer: types.StringValue(c.Server), Status: types.StringValue(sessionhosts.ConnectivityName(c.Status)),
			StatusCode: types.Int64Value(int64(c.Status)), Healthy: types.BoolValue(sessionhosts.ConnectivityHealthy(c.Status)),
		})
	}
	m.OSVersion = types.StringValue(sh.OSVersion)
	m.PartOfDomain = types.BoolValue(sh.PartOfDomain)
	m.Domain = types.StringValue(sh.Domain)
	m.TermServiceStatus = types.StringValue(sh.TermServiceStatus)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// sessionHostDataModel is the data source's data.
type sessionHostDataModel struct {
	ID                  types.String `tfsdk:"id"`
	Host                types.String `tfsdk:"host"`
	RDSHInstalled       types.Bool   `tfsdk:"rdsh_installed"`
	GracePeriodDays     types.Int64  `tfsdk:"grace_period_days"`
	GracePeriodError    types.String `tfsdk:"grace_period_error"`
	LicensingMode       types.String `tfsdk:"licensing_mode"`
	LicensingModeSource types.String `tfsdk:"licensing_mode_source"`
	// PolicyLicensingModeGPO and PolicyLicenseServersGPO: the domain GPO
	// behind each policy value ("" local).
	PolicyLicensingModeGPO  types.String        `tfsdk:"policy_licensing_mode_gpo"`
	PolicyLicenseServersGPO types.String        `tfsdk:"policy_license_servers_gpo"`
	LicenseServers          types.List          `tfsdk:"license_servers"`
	LicenseServersSource    types.String        `tfsdk:"license_servers_source"`
	PolicyLicensingMode     types.String        `tfsdk:"policy_licensing_mode"`
	PolicyLicenseServers    types.List          `tfsdk:"policy_license_servers"`
	ServerLicensingMode     types.String        `tfsdk:"server_licensing_mode"`
	ServerLicenseServers    types.List          `tfsdk:"server_license_servers"`
	Connectivity            []connectivityModel `tfsdk:"connectivity"`
	OSVersion               types.String        `tfsdk:"os_version"`
	PartOfDomain            types.Bool          `tfsdk:"part_of_domain"`
	Domain                  types.String        `tfsdk:"domain"`
	TermServiceStatus       types.String        `tfsdk:"termservice_status"`
}

type connectivityModel struct {
	LicenseServer types.String `tfsdk:"license_server"`
	Status        types.String `tfsdk:"status"`
	StatusCode    types.Int64  `tfsdk:"status_code"`
	Healthy       types.Bool   `tfsdk:"healthy"`
}
