package provider

import (
	"bytes"
	"context"
	"encoding/csv"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/keypacks"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

// Ensure the data source satisfies the framework's interfaces.
var (
	_ datasource.DataSource              = (*calUsageDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*calUsageDataSource)(nil)
)

// NewCALUsageDataSource is the rdslicensing_cal_usage data source.
func NewCALUsageDataSource() datasource.DataSource { return &calUsageDataSource{} }

type calUsageDataSource struct {
	provider *providerData
}

// Metadata names the data source.
func (d *calUsageDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_cal_usage"
}

// Schema describes the data source.
func (d *calUsageDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	num := func(desc string) schema.Int64Attribute {
		return schema.Int64Attribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Who uses the CALs of an RD license server: what RD Licensing Manager's *Create Report > Per User CAL Usage* gives " +
			"(per-user CALs; tracking needs the license server in a domain and in the *Terminal Server License Servers* group), plus the per-device CALs it issued. " +
			"`csv` holds the same rows for a spreadsheet or an audit. The report is generated and deleted on each read, so it does not pile up in RD Licensing Manager.",
		Attributes: map[string]schema.Attribute{
			"id":           str("The host."),
			"host":         dataHostAttribute("the license server"),
			"generated_at": str("When the report was generated (RFC 3339)."),
			"per_user": schema.ListNestedAttribute{
				Computed: true, MarkdownDescription: "Per-user CALs in use.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"user":               str("User the CAL is issued to."),
					"cal_type":           str("CAL type as Windows names it, e.g. `RDS Per User CAL`."),
					"product_version":    str("CAL version: `2016`, `2019`, `2022`, `2025` or older."),
					"product_version_id": num("Windows' CAL version number."),
					"expiration_date":    str("Expiry (RFC 3339)."),
				}},
			},
			"per_device": schema.ListNestedAttribute{
				Computed: true, MarkdownDescription: "Per-device CALs issued.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"license_id":      num("License ID."),
					"key_pack_id":     num("Key pack the CAL came from."),
					"computer":        str("Computer the CAL is issued to."),
					"hardware_id":     str("Hardware ID of the device."),
					"issued_to_user":  str("User who was signed in when it was issued."),
					"cal_type":        str("CAL type of its key pack as Windows names it, e.g. `RDS Per Device CAL` (empty once the pack is removed)."),
					"product_version": str("CAL version of its key pack."),
					"issue_date":      str("When it was issued (RFC 3339)."),
					"expiration_date": str("Expiry (RFC 3339)."),
					"status":          str("`active`, `temporary`, `revoked`, `upgrade`, `pending`, `concurrent` or `unknown`."),
				}},
			},
			"csv": str("Every row above as CSV with a header: `kind,name,hardware_id,cal_type,product_version,expiration_date,status`."),
		},
	}
}

// Configure receives the provider's client.
func (d *calUsageDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.provider = configureData(req.ProviderData, &resp.Diagnostics)
}

// Read generates the report, with the issued per-device CALs.
func (d *calUsageDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m calUsageDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	host, ok := d.provider.requireHost(m.Host, &resp.Diagnostics)
	if resp.Diagnostics.HasError() || !ok {
		return
	}
	report, err := rds.GetCALUsageReport.Run(ctx, d.provider, host, rds.NoInput{})
	if err != nil {
		opError(&resp.Diagnostics, "Cannot generate the CAL usage report of "+host, err)
		return
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"kind", "name", "hardware_id", "cal_type", "product_version", "expiration_date", "status"})
	m.ID = types.StringValue(host)
	m.GeneratedAt = types.StringValue(report.GeneratedAt)
	m.PerUser, m.PerDevice = []perUserUsageModel{}, []perDeviceUsageModel{}
	for _, u := range report.PerUser {
		v := keypacks.ReleaseName(u.ProductVersionID)
		m.PerUser = append(m.PerUser, perUserUsageModel{
			User: types.StringValue(u.User), CALType: types.StringValue(u.CALType), ProductVersion: types.StringValue(v),
			ProductVersionID: types.Int64Value(int64(u.ProductVersionID)), ExpirationDate: types.StringValue(u.ExpirationDate),
		})
		_ = w.Write([]string{"per_user", u.User, "", u.CALType, v, u.ExpirationDate, "active"})
	}
	for _, l := range report.PerDevice {
		v := keypacks.ReleaseName(l.ProductVersionID)
		status := issuedLicenseStatusName(l.LicenseStatus)
		m.PerDevice = append(m.PerDevice, perDeviceUsageModel{
			LicenseID: types.Int64Value(l.LicenseID), KeyPackID: types.Int64Value(l.KeyPackID), Computer: types.StringValue(l.IssuedToComputer),
			HardwareID: types.StringValue(l.HardwareID), IssuedToUser: types.StringValue(l.IssuedToUser), CALType: types.StringValue(l.CALType),
			ProductVersion: types.StringValue(v), IssueDate: types.StringValue(l.IssueDate), ExpirationDate: types.StringValue(l.ExpirationDate),
			Status: types.StringValue(status),
		})
		_ = w.Write([]string{"per_device", l.IssuedToComputer, l.HardwareID, l.CALType, v, l.ExpirationDate, status})
	}
	w.Flush()
	m.CSV = types.StringValue(b.String())
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// calUsageDataModel is the data source's data.
type calUsageDataModel struct {
	ID          types.String          `tfsdk:"id"`
	Host        types.String          `tfsdk:"host"`
	GeneratedAt types.String          `tfsdk:"generated_at"`
	PerUser     []perUserUsageModel   `tfsdk:"per_user"`
	PerDevice   []perDeviceUsageModel `tfsdk:"per_device"`
	CSV         types.String          `tfsdk:"csv"`
}

type perUserUsageModel struct {
	User             types.String `tfsdk:"user"`
	CALType          types.String `tfsdk:"cal_type"`
	ProductVersion   types.String `tfsdk:"product_version"`
	ProductVersionID types.Int64  `tfsdk:"product_version_id"`
	ExpirationDate   types.String `tfsdk:"expiration_date"`
}

type perDeviceUsageModel struct {
	LicenseID      types.Int64  `tfsdk:"license_id"`
	KeyPackID      types.Int64  `tfsdk:"key_pack_id"`
	Computer       types.String `tfsdk:"computer"`
	HardwareID     types.String `tfsdk:"hardware_id"`
	IssuedToUser   types.String `tfsdk:"issued_to_user"`
	CALType        types.String `tfsdk:"cal_type"`
	ProductVersion types.String `tfsdk:"product_version"`
	IssueDate      types.String `tfsdk:"issue_date"`
	ExpirationDate types.String `tfsdk:"expiration_date"`
	Status         types.String `tfsdk:"status"`
}
