package provider

import (
	"context"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/keypacks"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winfacts"
)

// Ensure the data source satisfies the framework's interfaces.
var (
	_ datasource.DataSource              = (*keyPacksDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*keyPacksDataSource)(nil)
)

// NewKeyPacksDataSource is the rdslicensing_key_packs data source.
func NewKeyPacksDataSource() datasource.DataSource { return &keyPacksDataSource{} }

type keyPacksDataSource struct {
	provider *providerData
}

// Metadata names the data source.
func (d *keyPacksDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_key_packs"
}

// Schema describes the data source.
func (d *keyPacksDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	num := func(desc string) schema.Int64Attribute {
		return schema.Int64Attribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The CAL key packs installed on an RD license server, as RD Licensing Manager lists them, with totals per CAL version and type. The built-in per-device pack (*Built-in TS Per Device CAL*, KeyPackId 2 on the servers seen, 4294967295 licenses) is left out unless `include_built_in` is set, and never counted in the totals.",
		Attributes: map[string]schema.Attribute{
			"id":   str("The host."),
			"host": dataHostAttribute("the license server"),
			"product_version": schema.StringAttribute{
				Optional: true, MarkdownDescription: "Only packs of this CAL version: `2016`, `2019`, `2022` or `2025`.",
				Validators: []validator.String{stringvalidator.OneOf(winfacts.InstallableReleases...)},
			},
			"cal_type": schema.StringAttribute{
				Optional: true, MarkdownDescription: "Only packs of this CAL type: `per_user` or `per_device`.",
				Validators: []validator.String{stringvalidator.OneOf("per_user", "per_device")},
			},
			"include_built_in": schema.BoolAttribute{Optional: true, MarkdownDescription: "List the built-in per-device pack too. Defaults to `false`."},
			"key_packs": schema.ListNestedAttribute{
				Computed: true, MarkdownDescription: "The key packs, by key pack ID.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"key_pack_id":        num("Key pack ID on this license server."),
					"program":            str("How the CALs were bought: `retail`, `agreement`, `open_license`, `concurrent`, `temporary`, `built_in` or `unknown` (from the pack type)."),
					"key_pack_type":      num("Windows' key pack type (1 retail, 2 volume, 4 temporary, 5 open license)."),
					"product_version":    str("CAL version: `2016`, `2019`, `2022`, `2025`, or an older release."),
					"product_version_id": num("Windows' CAL version number."),
					"cal_type":           str("`per_user`, `per_device` or `built_in`."),
					"type_and_model":     str("As RD Licensing Manager shows it, e.g. `RDS Per User CAL`."),
					"description":        str("Description."),
					"total_licenses":     num("CALs in the pack."),
					"issued_licenses":    num("CALs issued from the pack."),
					"available_licenses": num("CALs still available."),
					"expiration_date":    str("Expiry (RFC 3339); far in the future for permanent CALs."),
					"built_in":           schema.BoolAttribute{Computed: true, MarkdownDescription: "The built-in per-device pack."},
				}},
			},
			"totals": schema.ListNestedAttribute{
				Computed: true, MarkdownDescription: "Sums per CAL version and type over the packs listed (the built-in pack excluded).",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"product_version":    str("CAL version."),
					"cal_type":           str("`per_user` or `per_device`."),
					"total_licenses":     num("CALs installed."),
					"issued_licenses":    num("CALs issued."),
					"available_licenses": num("CALs available."),
				}},
			},
			"total_available": num("CALs available over every pack listed (the built-in pack excluded)."),
		},
	}
}

// Configure receives the provider's client.
func (d *keyPacksDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.provider = configureData(req.ProviderData, &resp.Diagnostics)
}

// Read lists the key packs.
func (d *keyPacksDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m keyPacksDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	host, ok := d.provider.requireHost(m.Host, &resp.Diagnostics)
	if resp.Diagnostics.HasError() || !ok {
		return
	}
	list, err := rds.ListKeyPacks.Run(ctx, d.provider, host, rds.NoInput{})
	if err != nil {
		opError(&resp.Diagnostics, "Cannot list the key packs of "+host, err)
		return
	}
	m.ID = types.StringValue(host)
	m.KeyPacks, m.Totals = []keyPackDataModel{}, []keyPackTotalModel{}
	totals := map[[2]string]*keyPackTotalModel{}
	var available int64
	for _, kp := range keypacks.Filter(list.KeyPacks, m.ProductVersion.ValueString(), m.CALType.ValueString(), m.IncludeBuiltIn.ValueBool()) {
		version, calType := keypacks.ReleaseName(kp.ProductVersionID), keypacks.CALTypeName(kp.ProductType)
		m.KeyPacks = append(m.KeyPacks, keyPackDataModel{
			KeyPackID: types.Int64Value(kp.KeyPackID), Program: types.StringValue(keypacks.ProgramOfType(kp.KeyPackType, kp.BuiltIn)),
			KeyPackType: types.Int64Value(int64(kp.KeyPackType)), ProductVersion: types.StringValue(version),
			ProductVersionID: types.Int64Value(int64(kp.ProductVersionID)), CALType: types.StringValue(calType),
			TypeAndModel: types.StringValue(kp.TypeAndModel), Description: types.StringValue(kp.Description),
			Total: types.Int64Value(kp.TotalLicenses), Issued: types.Int64Value(kp.IssuedLicenses), Available: types.Int64Value(kp.AvailableLicenses),
			ExpirationDate: types.StringValue(kp.ExpirationDate), BuiltIn: types.BoolValue(kp.BuiltIn),
		})
		if kp.BuiltIn {
			continue
		}
		available += kp.AvailableLicenses
		k := [2]string{version, calType}
		t := totals[k]
		if t == nil {
			t = &keyPackTotalModel{ProductVersion: types.StringValue(version), CALType: types.StringValue(calType)}
			totals[k] = t
		}
		t.total += kp.TotalLicenses
		t.issued += kp.IssuedLicenses
		t.available += kp.AvailableLicenses
	}
	keys := make([][2]string, 0, len(totals))
	for k := range totals {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][0]+keys[i][1] < keys[j][0]+keys[j][1] })
	for _, k := range keys {
		t := totals[k]
		t.Total, t.Issued, t.Available = types.Int64Value(t.total), types.Int64Value(t.issued), types.Int64Value(t.available)
		m.Totals = append(m.Totals, *t)
	}
	m.TotalAvailable = types.Int64Value(available)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// keyPacksDataModel is the data source's data.
type keyPacksDataModel struct {
	ID             types.String        `tfsdk:"id"`
	Host           types.String        `tfsdk:"host"`
	ProductVersion types.String        `tfsdk:"product_version"`
	CALType        types.String        `tfsdk:"cal_type"`
	IncludeBuiltIn types.Bool          `tfsdk:"include_built_in"`
	KeyPacks       []keyPackDataModel  `tfsdk:"key_packs"`
	Totals         []keyPackTotalModel `tfsdk:"totals"`
	TotalAvailable types.Int64         `tfsdk:"total_available"`
}

type keyPackDataModel struct {
	KeyPackID        types.Int64  `tfsdk:"key_pack_id"`
	Program          types.String `tfsdk:"program"`
	KeyPackType      types.Int64  `tfsdk:"key_pack_type"`
	ProductVersion   types.String `tfsdk:"product_version"`
	ProductVersionID types.Int64  `tfsdk:"product_version_id"`
	CALType          types.String `tfsdk:"cal_type"`
	TypeAndModel     types.String `tfsdk:"type_and_model"`
	Description      types.String `tfsdk:"description"`
	Total            types.Int64  `tfsdk:"total_licenses"`
	Issued           types.Int64  `tfsdk:"issued_licenses"`
	Available        types.Int64  `tfsdk:"available_licenses"`
	ExpirationDate   types.String `tfsdk:"expiration_date"`
	BuiltIn          types.Bool   `tfsdk:"built_in"`
}

type keyPackTotalModel struct {
	ProductVersion types.String `tfsdk:"product_version"`
	CALType        types.String `tfsdk:"cal_type"`
	Total          types.Int64  `tfsdk:"total_licenses"`
	Issued         types.Int64  `tfsdk:"issued_licenses"`
	Available      types.Int64  `tfsdk:"available_licenses"`

	total, issued, available int64
}
