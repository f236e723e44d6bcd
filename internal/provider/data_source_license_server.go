package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/activation"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

// Ensure the data source satisfies the framework's interfaces.
var (
	_ datasource.DataSource              = (*licenseServerDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*licenseServerDataSource)(nil)
)

// NewLicenseServerDataSource is the rdslicensing_license_server data source.
func NewLicenseServerDataSource() datasource.DataSource { return &licenseServerDataSource{} }

type licenseServerDataSource struct {
	provider *providerData
}

// Metadata names the data source.
func (d *licenseServerDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_license_server"
}

// Schema describes the data source.
func (d *licenseServerDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "An RD license server as Windows reports it: activation, license server ID, OS release, discovery scope, domain membership and the Active Directory group *Terminal Server License Servers*. The host must have the RD Licensing role service.",
		Attributes: map[string]schema.Attribute{
			"id":                          str("The host."),
			"host":                        dataHostAttribute("the license server"),
			"activation_status":           str("`activated`, `not_activated` or `unknown`."),
			"license_server_id":           schema.StringAttribute{Computed: true, Sensitive: true, MarkdownDescription: "The 35-character license server ID the Microsoft Clearinghouse gave at activation; empty when not activated."},
			"product_id":                  str("The license server's product ID: what the Clearinghouse web site or telephone line asks for to give a license server ID."),
			"os_version":                  str("Windows Server release: `2016`, `2019`, `2022` or `2025`. A license server holds CALs of its own release or older and serves session hosts of its release or older."),
			"computer_name":               str("NetBIOS computer name."),
			"dns_host_name":               str("DNS host name."),
			"discovery_scope":             str("`workgroup`, `domain` or `forest` (`ServerRole`)."),
			"part_of_domain":              schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the server is joined to a domain (per-user CALs need Active Directory)."},
			"domain":                      str("DNS domain, or workgroup name."),
			"in_license_servers_group":    schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the server is in the Active Directory group *Terminal Server License Servers*, which per-user CAL tracking needs; null outside a domain, or when it could not be read (see `license_servers_group_error`)."},
			"license_servers_group_error": str("Why the group membership could not be read, if it could not."),
			"on_domain_controller":        schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether RD Licensing runs on a domain controller."},
			"service_status":              str("Status of the Remote Desktop Licensing service (`TermServLicensing`)."),
			"database_path":               str("Path of the licensing database."),
			"version":                     str("License server version."),
			"contact": schema.SingleNestedAttribute{
				Computed:            true,
				MarkdownDescription: "Contact details given to the Clearinghouse.",
				Attributes: map[string]schema.Attribute{
					"first_name": str("First name."), "last_name": str("Last name."), "company": str("Company."),
					"country_region": str("Country or region."), "email": str("E-mail address."), "org_unit": str("Organizational unit."),
					"address": str("Street address."), "city": str("City."), "state": str("State or province."), "postal_code": str("Postal code."),
				},
			},
		},
	}
}

// Configure receives the provider's client.
func (d *licenseServerDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.provider = configureData(req.ProviderData, &resp.Diagnostics)
}

// Read reads the license server.
func (d *licenseServerDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m licenseServerDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	host, ok := d.provider.requireHost(m.Host, &resp.Diagnostics)
	if resp.Diagnostics.HasError() || !ok {
		return
	}
	ls, err := rds.GetLicenseServer.Run(ctx, d.provider, host, rds.NoInput{})
	if err != nil {
		opError(&resp.Diagnostics, "Cannot read the license server "+host, err)
		return
	}
	m.ID = types.StringValue(host)
	m.ActivationStatus = types.StringValue(activation.StatusName(ls.ActivationStatus))
	m.LicenseServerID = types.StringValue(ls.LicenseServerID)
	m.ProductID = types.StringValue(ls.ProductID)
	m.OSVersion = types.StringValue(ls.OSVersion)
	m.ComputerName = types.StringValue(ls.ComputerName)
	m.DNSHostName = types.StringValue(ls.DNSHostName)
	m.DiscoveryScope = types.StringValue(activation.ScopeName(ls.ServerRole))
	m.PartOfDomain = types.BoolValue(ls.PartOfDomain)
	m.Domain = types.StringValue(ls.Domain)
	m.InGroup = types.BoolPointerValue(ls.InTSLSGroup)
	m.GroupError = types.StringValue(ls.TSLSGroupError)
	m.OnDomainController = types.BoolValue(ls.OnDomainController)
	m.ServiceStatus = types.StringValue(ls.ServiceStatus)
	m.DatabasePath = types.StringValue(ls.DatabasePath)
	m.Version = types.StringValue(ls.Version)
	c := ls.Contact
	m.Contact = &contactDataModel{
		FirstName: types.StringValue(c.FirstName), LastName: types.StringValue(c.LastName), Company: types.StringValue(c.Company),
		CountryRegion: types.StringValue(c.CountryRegion), Email: types.StringValue(c.Email), OrgUnit: types.StringValue(c.OrgUnit),
		Address: types.StringValue(c.Address), City: types.StringValue(c.City), State: types.StringValue(c.State), PostalCode: types.StringValue(c.PostalCode),
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// licenseServerDataModel is the data source's data.
type licenseServerDataModel struct {
	ID                 types.String      `tfsdk:"id"`
	Host               types.String      `tfsdk:"host"`
	ActivationStatus   types.String      `tfsdk:"activation_status"`
	LicenseServerID    types.String      `tfsdk:"license_server_id"`
	ProductID          types.String      `tfsdk:"product_id"`
	OSVersion          types.String      `tfsdk:"os_version"`
	ComputerName       types.String      `tfsdk:"computer_name"`
	DNSHostName        types.String      `tfsdk:"dns_host_name"`
	DiscoveryScope     types.String      `tfsdk:"discovery_scope"`
	PartOfDomain       types.Bool        `tfsdk:"part_of_domain"`
	Domain             types.String      `tfsdk:"domain"`
	InGroup            types.Bool        `tfsdk:"in_license_servers_group"`
	GroupError         types.String      `tfsdk:"license_servers_group_error"`
	OnDomainController types.Bool        `tfsdk:"on_domain_controller"`
	ServiceStatus      types.String      `tfsdk:"service_status"`
	DatabasePath       types.String      `tfsdk:"database_path"`
	Version            types.String      `tfsdk:"version"`
	Contact            *contactDataModel `tfsdk:"contact"`
}

type contactDataModel struct {
	FirstName     types.String `tfsdk:"first_name"`
	LastName      types.String `tfsdk:"last_name"`
	Company       types.String `tfsdk:"company"`
	CountryRegion types.String `tfsdk:"country_region"`
	Email         types.String `tfsdk:"email"`
	OrgUnit       types.String `tfsdk:"org_unit"`
	Address       types.String `tfsdk:"address"`
	City          types.String `tfsdk:"city"`
	State         types.String `tfsdk:"state"`
	PostalCode    types.String `tfsdk:"postal_code"`
}
