package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/activation"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
)

// testProviderData is provider data whose default host is host; nothing
// here connects to it.
func testProviderData(t *testing.T, host string) *providerData {
	t.Helper()
	c, err := winrmclient.New(winrmclient.Config{Host: host, HTTPS: true, Username: "Administrator", Password: "pw", Auth: winrmclient.AuthBasic})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return &providerData{client: c}
}

func TestHostID(t *testing.T) {
	for _, tc := range []struct {
		prior types.String
		host  string
		want  string
	}{
		{types.StringNull(), "LS01.contoso.com", "LS01.contoso.com"},
		{types.StringUnknown(), "ls01", "ls01"},
		// Another spelling of the same host keeps the id: no change for
		// dependents (hostAttribute updates in place for it).
		{types.StringValue("ls01.contoso.com"), "LS01.Contoso.com", "ls01.contoso.com"},
		{types.StringValue("ls01.contoso.com"), "ls02.contoso.com", "ls02.contoso.com"},
	} {
		if got := hostID(tc.prior, tc.host); got.ValueString() != tc.want {
			t.Errorf("hostID(%s, %q) = %s, want %q", tc.prior, tc.host, got, tc.want)
		}
	}
	d := testProviderData(t, "LS01.contoso.com")
	for _, tc := range []struct {
		host, prior types.String
		want        types.String
	}{
		{types.StringNull(), types.StringNull(), types.StringValue("LS01.contoso.com")},                       // the provider's host
		{types.StringValue(" ls02 "), types.StringNull(), types.StringValue("ls02")},                          // as Create reaches it
		{types.StringValue("LS02"), types.StringValue("ls02"), types.StringValue("ls02")},                     // the state's spelling
		{types.StringUnknown(), types.StringValue("ls02"), types.StringUnknown()},                             // not known yet
		{types.StringValue("ls03"), types.StringValue("ls02"), types.StringValue("ls03")},                     // another host
		{types.StringNull(), types.StringValue("ls01.contoso.com"), types.StringValue("ls01.contoso.com")},    // default host, other case
		{types.StringValue(""), types.StringValue("LS01.CONTOSO.COM"), types.StringValue("LS01.CONTOSO.COM")}, // blank is the default host
	} {
		if got := d.plannedHostID(tc.host, tc.prior); !got.Equal(tc.want) {
			t.Errorf("plannedHostID(%s, %s) = %s, want %s", tc.host, tc.prior, got, tc.want)
		}
	}
	if got := (&providerData{client: testProviderData(t, "").client}).plannedHostID(types.StringNull(), types.StringNull()); !got.IsUnknown() {
		t.Errorf("no host at all: plannedHostID = %s, want unknown (apply reports it)", got)
	}
}

// saPlanModel is a configuration of the activation with the defaults
// applied, as the framework hands it to ModifyPlan.
func saPlanModel(ctx context.Context, t *testing.T, fn func(m *serverActivationModel)) serverActivationModel {
	t.Helper()
	var s resource.SchemaResponse
	(&serverActivationResource{}).Schema(ctx, resource.SchemaRequest{}, &s)
	to, ok := s.Schema.Attributes["timeouts"].GetType().(attr.TypeWithAttributeTypes)
	if !ok {
		t.Fatal("timeouts is not an object")
	}
	m := serverActivationModel{
		ID: types.StringUnknown(), Host: types.StringNull(),
		FirstName: types.StringValue("Ada"), LastName: types.StringValue("Lovelace"), Company: types.StringValue("Contoso"), CountryRegion: types.StringValue("United Kingdom"),
		Email: types.StringNull(), OrgUnit: types.StringNull(), Address: types.StringNull(), City: types.StringNull(), State: types.StringNull(), PostalCode: types.StringNull(),
		Method: types.StringValue(activation.MethodAutomatic), LicenseServerID: types.StringUnknown(), LicenseServerIDWO: types.StringNull(), LicenseServerIDWOVersion: types.Int64Null(),
		DiscoveryScope: types.StringUnknown(), Group: types.BoolUnknown(), ReactivationReason: types.StringNull(), ReactivationTrigger: types.StringNull(),
		Activated: types.BoolValue(true), DeactivateOnDestroy: types.BoolValue(false), ActivationStatus: types.StringUnknown(), ProductID: types.StringUnknown(),
		Timeouts: timeouts.Value{Object: types.ObjectNull(to.AttributeTypes())},
	}
	fn(&m)
	return m
}

// saModifyPlan runs the activation's ModifyPlan over state (nil on create).
func saModifyPlan(ctx context.Context, t *testing.T, d *providerData, plan serverActivationModel, state *serverActivationModel) (serverActivationModel, *resource.ModifyPlanResponse) {
	t.Helper()
	var s resource.SchemaResponse
	r := &serverActivationResource{provider: d}
	r.Schema(ctx, resource.SchemaRequest{}, &s)
	null := tftypes.NewValue(s.Schema.Type().TerraformType(ctx), nil)
	req := resource.ModifyPlanRequest{
		Plan:   tfsdk.Plan{Schema: s.Schema, Raw: null},
		Config: tfsdk.Config{Schema: s.Schema, Raw: null},
		State:  tfsdk.State{Schema: s.Schema, Raw: null},
	}
	config := plan
	config.ID, config.ActivationStatus, config.ProductID = types.StringNull(), types.StringNull(), types.StringNull()
	if config.LicenseServerID.IsUnknown() {
		config.LicenseServerID = types.StringNull()
	}
	for _, set := range []func() error{
		func() error { return diagErr(req.Plan.Set(ctx, &plan)) },
		func() error {
			cfg := tfsdk.Plan{Schema: s.Schema, Raw: null}
			if err := diagErr(cfg.Set(ctx, &config)); err != nil {
				return err
			}
			req.Config.Raw = cfg.Raw
			return nil
		},
		func() error {
			if state == nil {
				return nil
			}
			return diagErr(req.State.Set(ctx, state))
		},
	} {
		if err := set(); err != nil {
			t.Fatal(err)
		}
	}
	resp := &resource.ModifyPlanResponse{Plan: req.Plan}
	r.ModifyPlan(ctx, req, resp)
	var out serverActivationModel
	if diags := resp.Plan.Get(ctx, &out); diags.HasError() {
		t.Fatal(diags)
	}
	return out, resp
}

// TestServerActivationModifyPlan: the id is known, the activation and the
// deactivation are in-place updates of activation_status, and an
// activation is noted for the key packs of the same plan.
func TestServerActivationModifyPlan(t *testing.T) {
	ctx := context.Background()
	const host = "LS01.contoso.com"
	activated := func(status string) *serverActivationModel {
		m := saPlanModel(ctx, t, func(m *serverActivationModel) {
			m.ID, m.ActivationStatus, m.ProductID = types.StringValue("ls01.contoso.com"), types.StringValue(status), types.StringValue("00490-92005-99454-AT527")
			m.LicenseServerID, m.DiscoveryScope, m.Group = types.StringValue("BCDFGHJKMPQRTVWXY2346789BCDFGHJKMPQ"), types.StringValue("workgroup"), types.BoolValue(false)
		})
		return &m
	}
	for _, tc := range []struct {
		name       string
		plan       func(m *serverActivationModel)
		state      *serverActivationModel
		wantID     string
		wantStatus types.String
		wantNote   bool
		wantErr    string
		wantWarn   string
	}{
		{name: "create", plan: func(*serverActivationModel) {}, wantID: host, wantStatus: types.StringValue("activated"), wantNote: true},
		{
			name: "create deactivated", plan: func(m *serverActivationModel) { m.Activated = types.BoolValue(false) }, wantID: host, wantStatus: types.StringValue("not_activated"),
			wantWarn: "if the license server on LS01.contoso.com is activated, apply deactivates it",
		},
		{name: "activated, nothing to do", plan: func(*serverActivationModel) {}, state: activated("activated"), wantID: "ls01.contoso.com", wantStatus: types.StringValue("activated")},
		{name: "found deactivated", plan: func(*serverActivationModel) {}, state: activated("not_activated"), wantID: "ls01.contoso.com", wantStatus: types.StringValue("activated"), wantNote: true},
		{
			name: "deactivate", plan: func(m *serverActivationModel) { m.Activated = types.BoolValue(false) }, state: activated("activated"), wantID: "ls01.contoso.com", wantStatus: types.StringValue("not_activated"),
			wantWarn: "apply deactivates the license server on LS01.contoso.com",
		},
		{
			// The ID of the former activation: the Clearinghouse may want a
			// new one, and plan says so.
			name: "found deactivated, former license server ID",
			plan: func(m *serverActivationModel) {
				m.Method, m.LicenseServerID = types.StringValue(activation.MethodLicenseServerID), types.StringValue("bcdfg-hjkmp-qrtvw-xy234-6789b-cdfgh-jkmpq")
			},
			state: activated("not_activated"), wantID: "ls01.contoso.com", wantStatus: types.StringValue("activated"), wantNote: true,
			wantWarn: "get a new license server ID for product ID 00490-92005-99454-AT527",
		},
		{name: "stays deactivated", plan: func(m *serverActivationModel) { m.Activated = types.BoolValue(false) }, state: activated("not_activated"), wantID: "ls01.contoso.com", wantStatus: types.StringValue("not_activated")},
		{name: "activated unknown", plan: func(m *serverActivationModel) { m.Activated = types.BoolUnknown() }, state: activated("not_activated"), wantID: "ls01.contoso.com", wantStatus: types.StringUnknown()},
		{name: "host unknown", plan: func(m *serverActivationModel) { m.Host = types.StringUnknown() }, wantStatus: types.StringValue("activated")},
		{
			name: "trigger while deactivated",
			plan: func(m *serverActivationModel) {
				m.Activated, m.ReactivationTrigger, m.ReactivationReason = types.BoolValue(false), types.StringValue("t1"), types.StringValue("redeployed")
			},
			state: activated("not_activated"), wantID: "ls01.contoso.com", wantStatus: types.StringValue("not_activated"),
			wantErr: "reactivation_trigger changed while activated = false",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := testProviderData(t, host)
			var prior *serverActivationModel
			plan := saPlanModel(ctx, t, tc.plan)
			if tc.state != nil {
				s := *tc.state
				prior = &s
				plan.DiscoveryScope, plan.Group, plan.ProductID = s.DiscoveryScope, s.Group, s.ProductID
			}
			got, resp := saModifyPlan(ctx, t, d, plan, prior)
			if err := wantDiagnostic("error", resp.Diagnostics.Errors(), tc.wantErr); err != nil {
				t.Fatal(err)
			}
			if err := wantDiagnostic("warning", resp.Diagnostics.Warnings(), tc.wantWarn); err != nil {
				t.Error(err)
			}
			if tc.wantID == "" && !got.ID.IsUnknown() {
				t.Errorf("id = %s, want unknown", got.ID)
			}
			if tc.wantID != "" && got.ID.ValueString() != tc.wantID {
				t.Errorf("id = %s, want %q", got.ID, tc.wantID)
			}
			if !got.ActivationStatus.Equal(tc.wantStatus) {
				t.Errorf("activation_status = %s, want %s", got.ActivationStatus, tc.wantStatus)
			}
			if d.activationPlanned("ls01.contoso.com") != tc.wantNote {
				t.Errorf("activationPlanned = %t, want %t", !tc.wantNote, tc.wantNote)
			}
			if tc.state != nil && tc.wantNote && got.Method.ValueString() == activation.MethodAutomatic && !got.LicenseServerID.IsUnknown() {
				t.Errorf("license_server_id = %s, want unknown: the activation gives the ID", got.LicenseServerID)
			}
		})
	}
}

// wantDiagnostic checks that the first of got says want, or that there is
// none when want is "".
func wantDiagnostic(kind string, got diag.Diagnostics, want string) error {
	switch {
	case want == "" && len(got) > 0:
		return fmt.Errorf("unexpected %s: %s: %s", kind, got[0].Summary(), got[0].Detail())
	case want != "" && (len(got) == 0 || !strings.Contains(got[0].Detail(), want)):
		return fmt.Errorf("%ss %v, want one saying %q", kind, got, want)
	}
	return nil
}

// diagErr is diags as an error, nil without errors.
func diagErr(diags diag.Diagnostics) error {
	if diags.HasError() {
		return fmt.Errorf("%v", diags)
	}
	return nil
}
