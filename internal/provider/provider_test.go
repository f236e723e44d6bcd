package provider

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// configure runs the provider's Configure with the given attributes (the
// rest null) and returns its diagnostics and data.
func configure(t *testing.T, attrs map[string]tftypes.Value) (diag.Diagnostics, *providerData) {
	t.Helper()
	p := New("test")()
	ctx := context.Background()
	var sresp provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &sresp)
	typ, ok := sresp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	if !ok {
		t.Fatal("the provider schema is not an object")
	}
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		if v, ok := attrs[name]; ok {
			vals[name] = v
		} else {
			vals[name] = tftypes.NewValue(at, nil)
		}
	}
	var resp provider.ConfigureResponse
	p.Configure(ctx, provider.ConfigureRequest{Config: tfsdk.Config{Schema: sresp.Schema, Raw: tftypes.NewValue(typ, vals)}}, &resp)
	data, _ := resp.ResourceData.(*providerData)
	t.Cleanup(CloseClients)
	return resp.Diagnostics, data
}

func str(s string) tftypes.Value   { return tftypes.NewValue(tftypes.String, s) }
func boolean(b bool) tftypes.Value { return tftypes.NewValue(tftypes.Bool, b) }

// clearEnv unsets every RDSLICENSING_ variable for the test.
func clearEnv(t *testing.T) {
	for _, v := range envVars {
		t.Setenv(v, "")
		_ = os.Unsetenv(v)
	}
}

func wantError(t *testing.T, diags diag.Diagnostics, attr string, substrings ...string) {
	t.Helper()
	if !diags.HasError() {
		t.Fatalf("no error; want one on %s", attr)
	}
	for _, d := range diags.Errors() {
		pd, ok := d.(diag.DiagnosticWithPath)
		if !ok || pd.Path().String() != attr {
			continue
		}
		for _, s := range substrings {
			if !strings.Contains(d.Detail(), s) {
				t.Errorf("error on %s %q does not contain %q", attr, d.Detail(), s)
			}
		}
		return
	}
	t.Fatalf("no error on %s: %v", attr, diags)
}

func TestConfigureFromEnvironment(t *testing.T) {
	clearEnv(t)
	t.Setenv("RDSLICENSING_HOST", "ls01.contoso.com")
	t.Setenv("RDSLICENSING_USERNAME", `CONTOSO\admin`)
	t.Setenv("RDSLICENSING_PASSWORD", "pw")
	t.Setenv("RDSLICENSING_HTTPS", "false")
	diags, data := configure(t, nil)
	if diags.HasError() || data == nil {
		t.Fatalf("%v", diags)
	}
	if data.client.DefaultHost() != "ls01.contoso.com" {
		t.Fatalf("host %q", data.client.DefaultHost())
	}
	// The attribute wins over the variable.
	diags, data = configure(t, map[string]tftypes.Value{"host": str("ls02")})
	if diags.HasError() || data.client.DefaultHost() != "ls02" {
		t.Fatalf("%v %q", diags, data.client.DefaultHost())
	}
}

func TestConfigureErrorsNameAttributeVariableAndFix(t *testing.T) {
	base := map[string]tftypes.Value{"username": str("Administrator"), "password": str("pw")}
	with := func(extra map[string]tftypes.Value) map[string]tftypes.Value {
		m := map[string]tftypes.Value{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	for _, tc := range []struct {
		name  string
		env   map[string]string
		attrs map[string]tftypes.Value
		attr  string
		want  []string
	}{
		{"no user name", nil, map[string]tftypes.Value{"password": str("pw")}, "username", []string{"RDSLICENSING_USERNAME", "Administrator"}},
		{"no password", nil, map[string]tftypes.Value{"username": str("u")}, "password", []string{"RDSLICENSING_PASSWORD", "required"}},
		{"basic over HTTP", nil, with(map[string]tftypes.Value{"auth": str("basic"), "https": boolean(false)}), "auth", []string{"clear text", "https = true", "allow_unencrypted", "RDSLICENSING_AUTH"}},
		{"kerberos without realm", nil, with(map[string]tftypes.Value{"auth": str("kerberos")}), "kerberos_realm", []string{"CONTOSO.COM", "RDSLICENSING_KERBEROS_REALM"}},
		{"bad timeout", nil, with(map[string]tftypes.Value{"timeout": str("ten minutes")}), "timeout", []string{`"10m"`, "RDSLICENSING_TIMEOUT"}},
		{"bad boolean in the environment", map[string]string{"RDSLICENSING_INSECURE": "maybe"}, base, "insecure", []string{"RDSLICENSING_INSECURE", "true or false"}},
		{"bad port in the environment", map[string]string{"RDSLICENSING_PORT": "http"}, base, "port", []string{"RDSLICENSING_PORT", "whole number"}},
		{"ca_cert is a path", nil, with(map[string]tftypes.Value{"ca_cert": str("/etc/ssl/ca.pem")}), "ca_cert", []string{`file("/etc/ssl/ca.pem")`}},
		{"ca_cert is not PEM", map[string]string{"RDSLICENSING_CA_CERT": "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----"}, base, "ca_cert", []string{"no PEM certificate", "RDSLICENSING_CA_CERT"}},
		{"host from the environment is a URL", map[string]string{"RDSLICENSING_HOST": "https://ls01:5986/wsman"}, base, "host", []string{"is a URL", `host = "ls01", https = true, port = 5986`, "RDSLICENSING_HOST"}},
		{"bad connect_timeout", nil, with(map[string]tftypes.Value{"connect_timeout": str("soon")}), "connect_timeout", []string{`connect_timeout "soon"`, "RDSLICENSING_CONNECT_TIMEOUT"}},
		{"bad response_timeout in the environment", map[string]string{"RDSLICENSING_RESPONSE_TIMEOUT": "-5s"}, base, "response_timeout", []string{"positive duration", "RDSLICENSING_RESPONSE_TIMEOUT"}},
		{"unknown host", nil, with(map[string]tftypes.Value{"host": tftypes.NewValue(tftypes.String, tftypes.UnknownValue)}), "host", []string{"known after apply"}},
		{"host_addresses with a port", nil, with(map[string]tftypes.Value{"host_addresses": tftypes.NewValue(tftypes.Map{ElementType: tftypes.String},
			map[string]tftypes.Value{"ls01.contoso.com": str("10.0.0.5:5986")})}), "host_addresses", []string{`"ls01.contoso.com"`, "without port", "RDSLICENSING_HOST_ADDRESSES"}},
		{"host_addresses in the environment without =", map[string]string{"RDSLICENSING_HOST_ADDRESSES": "ls01.contoso.com"}, base, "host_addresses", []string{"RDSLICENSING_HOST_ADDRESSES", "name=address pairs"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			diags, _ := configure(t, tc.attrs)
			wantError(t, diags, tc.attr, tc.want...)
		})
	}
}

func TestHostAddressesFromEnvironment(t *testing.T) {
	clearEnv(t)
	t.Setenv("RDSLICENSING_HOST_ADDRESSES", " ls01.contoso.com=10.0.0.5, ls02.contoso.com=10.0.0.6 ")
	diags, data := configure(t, map[string]tftypes.Value{"username": str("u"), "password": str("pw")})
	if diags.HasError() || data == nil {
		t.Fatalf("%v", diags)
	}
}

func TestCACertFromEnvironmentFile(t *testing.T) {
	clearEnv(t)
	// A real PEM certificate (winsim's CA would do; this one is made here).
	pem := testCertificatePEM(t)
	p := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(p, pem, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("RDSLICENSING_CA_CERT", p)
	diags, data := configure(t, map[string]tftypes.Value{"username": str("u"), "password": str("pw")})
	if diags.HasError() || data == nil {
		t.Fatalf("%v", diags)
	}
}

func TestClientsAreSharedAndClosed(t *testing.T) {
	clearEnv(t)
	attrs := map[string]tftypes.Value{"username": str("u"), "password": str("pw"), "host": str("h1")}
	_, a := configure(t, attrs)
	_, b := configure(t, attrs)
	if a.client != b.client {
		t.Fatal("two Configure calls with the same settings made two clients")
	}
	attrs["password"] = str("other")
	_, c := configure(t, attrs)
	if c.client == a.client {
		t.Fatal("different settings share a client")
	}
	CloseClients()
	clientsMu.Lock()
	n := len(clients)
	clientsMu.Unlock()
	if n != 0 {
		t.Fatalf("%d clients left after CloseClients", n)
	}
}

// The tflog adapter masks the password and every secret of the input.
func TestLogAdapterMasksSecrets(t *testing.T) {
	var out bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &out)
	t.Setenv("TF_LOG_PROVIDER_WINRM", "TRACE")
	l := newTFLogger(ctx, "Pa55word!", "BCDFGHJKMPQRTVWXY23467896")
	l.With("host", "ls01").Trace("sent Pa55word! and BCDFGHJKMPQRTVWXY23467896", "password", "anything", "code", "BCDFGHJKMPQRTVWXY23467896")
	l.Named("http").Debug("plain line", "n", 3)
	s := out.String()
	if !strings.Contains(s, "plain line") || !strings.Contains(s, `"host":"ls01"`) {
		t.Fatalf("log lines missing: %s", s)
	}
	for _, secret := range []string{"Pa55word!", "BCDFGHJKMPQRTVWXY23467896", "anything"} {
		if strings.Contains(s, secret) {
			t.Fatalf("log leaks %q: %s", secret, s)
		}
	}
}

// Operations run through the provider log to tflog, masked, and reach the
// host named per call or the provider's default.
func TestRunLogsThroughTflogMasked(t *testing.T) {
	clearEnv(t)
	sim := startTestSim(t)
	var out bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &out)
	t.Setenv("TF_LOG_PROVIDER_WINRM", "TRACE")
	_, httpsPort := sim.Ports()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, sim.CACertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("RDSLICENSING_CA_CERT", ca)
	diags, data := configure(t, map[string]tftypes.Value{
		"host": str(sim.Host("LS01").State().Address), "port": tftypes.NewValue(tftypes.Number, httpsPort),
		"username": str("Administrator"), "password": str(winsim.DefaultPassword),
	})
	if diags.HasError() {
		t.Fatal(diags)
	}
	var info rds.HostInfo
	if err := data.Run(ctx, "", rds.GetHostInfo.Operation, rds.NoInput{}, &info); err != nil || info.ComputerName != "LS01" {
		t.Fatalf("%+v %v", info, err)
	}
	if err := data.Run(ctx, sim.Host("LS02").State().Address, rds.GetHostInfo.Operation, rds.NoInput{}, &info); err != nil || info.ComputerName != "LS02" {
		t.Fatalf("per-call host: %+v %v", info, err)
	}
	s := out.String()
	if !strings.Contains(s, `"@module":"provider.winrm"`) || !strings.Contains(s, "operation done") || !strings.Contains(s, `"action":"Receive"`) {
		t.Fatalf("no WinRM log lines through tflog: %s", s)
	}
	if strings.Contains(s, winsim.DefaultPassword) {
		t.Fatal("the log leaks the password")
	}
}

// With no TF_LOG* variable the provider turns the SDKs' and its own
// logging off (Terraform would discard it); any TF_LOG* variable, even one
// that only names a file, leaves logging as the user set it.
func TestQuietWhenNotLogging(t *testing.T) {
	for _, c := range []struct {
		environ []string
		quiet   bool
	}{
		{[]string{"PATH=/usr/bin", "HOME=/root"}, true},
		{[]string{"TF_LOG="}, true},
		{[]string{"TF_LOG=TRACE"}, false},
		{[]string{"TF_LOG_PROVIDER=DEBUG"}, false},
		{[]string{"TF_LOG_PROVIDER_WINRM=TRACE"}, false},
		{[]string{"TF_LOG_PATH=/tmp/tf.log"}, false},
	} {
		set := map[string]string{}
		err := QuietWhenNotLogging(c.environ, func(k, v string) error { set[k] = v; return nil })
		if err != nil {
			t.Fatal(err)
		}
		if c.quiet != (len(set) > 0) {
			t.Errorf("%q: set %v", c.environ, set)
		}
		for _, k := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_RDSLICENSING", "TF_LOG_PROVIDER_WINRM"} {
			if c.quiet && set[k] != "OFF" {
				t.Errorf("%q: %s is %q, want OFF", c.environ, k, set[k])
			}
		}
	}
}
