package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

func TestServerName_type(t *testing.T) {
	ctx := context.Background()
	v, err := serverNameType{}.ValueFromTerraform(ctx, tftypes.NewValue(tftypes.String, "LS01"))
	if err != nil {
		t.Fatal(err)
	}
	sv, ok := v.(serverNameValue)
	if !ok || sv.ValueString() != "LS01" {
		t.Fatalf("ValueFromTerraform = %#v", v)
	}
	if !sv.Type(ctx).Equal(serverNameType{}) || (serverNameType{}).Equal(types.StringType) {
		t.Error("type equality is wrong")
	}
	if sv.Equal(serverName("ls01")) || !sv.Equal(serverName("LS01")) || sv.Equal(types.StringValue("LS01")) {
		t.Error("Equal must be exact: semantic equality is separate")
	}
	for _, c := range []struct {
		other string
		want  bool
	}{{"ls01.contoso.com", true}, {"ls01", true}, {"ls02", false}} {
		eq, diags := sv.StringSemanticEquals(ctx, serverName(c.other))
		if diags.HasError() || eq != c.want {
			t.Errorf("StringSemanticEquals(%q) = %v %v, want %v", c.other, eq, diags, c.want)
		}
	}
	if _, diags := sv.StringSemanticEquals(ctx, types.StringValue("ls01")); !diags.HasError() {
		t.Error("comparing with a plain string must fail, not silently answer")
	}
	null, err := serverNameType{}.ValueFromTerraform(ctx, tftypes.NewValue(tftypes.String, nil))
	if err != nil || !null.IsNull() {
		t.Errorf("null value: %v %v", null, err)
	}
}

// shpValidateNames runs the list validator on names (nil elements are null,
// "?" is unknown) and returns the errors as "path: detail".
func shpValidateNames(t *testing.T, names ...*string) []string {
	t.Helper()
	elems := make([]attr.Value, len(names))
	for i, n := range names {
		switch {
		case n == nil:
			elems[i] = serverNameValue{StringValue: basetypes.NewStringNull()}
		case *n == "?":
			elems[i] = serverNameValue{StringValue: basetypes.NewStringUnknown()}
		default:
			elems[i] = serverName(*n)
		}
	}
	req := validator.ListRequest{Path: path.Root("license_servers"), ConfigValue: types.ListValueMust(serverNameType{}, elems)}
	var resp validator.ListResponse
	serverNamesValidator{}.ValidateList(context.Background(), req, &resp)
	var out []string
	for _, d := range resp.Diagnostics.Errors() {
		p := ""
		if wp, ok := d.(interface{ Path() path.Path }); ok {
			p = wp.Path().String()
		}
		out = append(out, p+": "+d.Detail())
	}
	return out
}

func shpStrs(s ...string) []*string {
	out := make([]*string, len(s))
	for i := range s {
		out[i] = &s[i]
	}
	return out
}

func TestServerName_validator(t *testing.T) {
	if errs := shpValidateNames(t, shpStrs("LS01", "ls02.contoso.com", "10.0.0.5", "?")...); len(errs) != 0 {
		t.Errorf("valid list: %v", errs)
	}
	if errs := shpValidateNames(t); len(errs) != 0 {
		t.Errorf("empty list: %v", errs)
	}
	errs := shpValidateNames(t, shpStrs("ls01", "ls 02", "", "LS01.contoso.com", "ls03", "LS03")...)
	want := []string{
		`license_servers[1]: license_servers[1] "ls 02" holds more than one name`,
		`license_servers[2]: license_servers[2] "" is empty`,
		`license_servers[3]: license_servers[3] "LS01.contoso.com" names the same license server as license_servers[0] "ls01"`,
		`license_servers[5]: license_servers[5] "LS03" names the same license server as license_servers[4] "ls03"`,
	}
	if len(errs) != len(want) {
		t.Fatalf("errors:\n%s\nwant %d", strings.Join(errs, "\n"), len(want))
	}
	for i := range want {
		if !strings.HasPrefix(errs[i], want[i]) {
			t.Errorf("error %d = %q\nwant prefix %q", i, errs[i], want[i])
		}
	}
	if !strings.Contains(errs[0], "host name (ls01), FQDN (ls01.contoso.com) or IP address") {
		t.Errorf("the error does not say what to write: %q", errs[0])
	}
	errs = shpValidateNames(t, nil)
	if len(errs) != 1 || !strings.Contains(errs[0], "license_servers[0] is null") {
		t.Errorf("null element: %v", errs)
	}
	var resp validator.ListResponse
	serverNamesValidator{}.ValidateList(context.Background(), validator.ListRequest{Path: path.Root("license_servers"), ConfigValue: types.ListUnknown(serverNameType{})}, &resp)
	if resp.Diagnostics.HasError() {
		t.Errorf("unknown list: %v", resp.Diagnostics)
	}
}

// A value pasted by mistake comes back cut, not whole (found by
// FuzzServerNames: a 2 KB name made a 2 KB message).
func TestServerName_longNameNotEchoed(t *testing.T) {
	long := "ls01." + strings.Repeat("x", 100_000)
	label := strings.Repeat("é", 50_000)
	errs := shpValidateNames(t, shpStrs(long, label, "ls02", "LS02."+strings.Repeat("y", 5000))...)
	if len(errs) != 3 {
		t.Fatalf("errors: %q", errs)
	}
	for _, e := range errs {
		if len(e) > 600 || !strings.Contains(e, `… (`) {
			t.Errorf("message of %d bytes: %.300q", len(e), e)
		}
	}
	if !strings.Contains(errs[0], `"ls01.xxxxxxxx`) || !strings.Contains(errs[0], "(100005 characters)") {
		t.Errorf("the message does not show the start and size of the name: %.300q", errs[0])
	}
}
