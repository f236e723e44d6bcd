package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/servernames"
)

func TestHostProblem(t *testing.T) {
	for _, ok := range []string{"ls01", "LS01", "ls01.contoso.com", "ls01.contoso.com.", "ls_01", "10.0.0.5", "::1", "fe80::1", "[::1]", "[fe80::1]", "xn--bcher-kva.example"} {
		if p := hostProblem(ok); p != "" {
			t.Errorf("%q: unexpected problem %q", ok, p)
		}
	}
	for _, c := range []struct{ host, want string }{
		{"", "is empty"},
		{"https://ls01.contoso.com:5986/wsman", `is a URL; give the host name alone: the provider builds the URL from host, port and https (here host = "ls01.contoso.com", https = true, port = 5986)`},
		{"http://10.0.0.5", `(here host = "10.0.0.5", https = false)`},
		{"https://", "is a URL; give the host name alone (ls01.contoso.com)"},
		{"ls01:5985", `includes a port; use port = 5985 in the provider block instead of host:port, and host = "ls01"`},
		{"10.0.0.5:5986", `use port = 5986`},
		{"[::1]:5985", `use port = 5985 in the provider block instead of host:port, and host = "::1"`},
		{"[ls01]", "not an IPv6 address"},
		{"[::1", "does not close"},
		{"[::1]x", "text after the closing bracket"},
		{"ls01:http", "neither a host name nor a valid IP address"},
		{"ls 01", "holds a space or a separator"},
		{"ls01,ls02", "holds a space or a separator"},
		{" ls01", "leading or trailing spaces"},
		{"ls01/wsman", "contains a slash"},
		{`\\ls01`, "UNC path"},
		{"ls\x0001", `contains '\x00'`},
		{"ls😀01", `contains '😀', which a host name cannot hold (letters, digits, '-' and '_' only, labels separated by dots; write an internationalized name in its xn-- (punycode) form)`},
		{"fe80::1%eth0", "with a zone"},
		{"10.0.0.256", "not a valid one"},
		{strings.Repeat("a", 100000), "is 100000 characters long; a DNS name has at most 253"},
	} {
		if p := hostProblem(c.host); !strings.Contains(p, c.want) {
			t.Errorf("hostProblem(%s) = %q, want it to contain %q", servernames.Quote(c.host), p, c.want)
		}
	}
}

// The validator names the attribute and never echoes more than a short
// start of a long value.
func TestHostValidator(t *testing.T) {
	validate := func(v hostValidator, s string) string {
		var resp validator.StringResponse
		v.ValidateString(context.Background(), validator.StringRequest{Path: path.Root("host"), ConfigValue: types.StringValue(s)}, &resp)
		if !resp.Diagnostics.HasError() {
			return ""
		}
		return resp.Diagnostics.Errors()[0].Detail()
	}
	long := "x" + strings.Repeat("ab.", 40000)
	d := validate(hostValidator{}, long)
	if !strings.HasPrefix(d, `host "x`) || !strings.Contains(d, "… (120001 characters)") || len(d) > 400 {
		t.Errorf("long host: %d bytes: %.500s", len(d), d)
	}
	if d := validate(hostValidator{}, "https://ls01"); !strings.Contains(d, "is a URL") || !strings.Contains(d, "Give a host name (ls01)") {
		t.Errorf("URL: %q", d)
	}
	if validate(hostValidator{}, "") == "" {
		t.Error("a resource's empty host passed")
	}
	if d := validate(hostValidator{allowEmpty: true}, ""); d != "" {
		t.Errorf("the provider's empty host: %q", d)
	}
	// License server names are echoed short too.
	errs := shpValidateNames(t, shpStrs(strings.Repeat("ls", 50000))...)
	if len(errs) != 1 || len(errs[0]) > 400 || !strings.Contains(errs[0], "(100000 characters)") {
		t.Errorf("long license server name: %.500q", errs)
	}
}
