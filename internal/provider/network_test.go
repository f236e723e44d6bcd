package provider

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/testenv"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// What users see through the CLI when the host is not a host name, is
// dead, or its port speaks the other protocol: all at plan time.

// rawProvider is a provider block of its own settings (no winsim CA).
func rawProvider(settings ...string) string {
	return `
terraform {
  required_providers {
    rdslicensing = { source = "registry.terraform.io/rdslicensing/rdslicensing" }
  }
}

provider "rdslicensing" {
  username = "Administrator"
  password = "` + winsim.DefaultPassword + `"
  ` + strings.Join(settings, "\n  ") + `
}
`
}

func skipUnlessAcc(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance tests run with TF_ACC=1 (make test or make testacc)")
	}
}

// Every bad form of host fails the plan, naming the attribute and the
// fix, before anything connects.
func TestAccHostValidation(t *testing.T) {
	e := newAccEnv(t, winsim.NewHost("LS01", "2022", ""))
	// hcl is the host as an HCL string literal.
	roleHCL := func(hcl string) string {
		return e.Config("resource \"rdslicensing_role\" \"ls\" {\n  host = " + hcl + "\n}\n")
	}
	role := func(host string) string { return roleHCL(fmt.Sprintf("%q", host)) }
	step := func(config string, want ...string) resource.TestStep {
		return resource.TestStep{Config: config, PlanOnly: true, ExpectError: errorText(append([]string{"Invalid host"}, want...)...)}
	}
	long := strings.Repeat("a", 100000)
	accTest(t, resource.TestCase{Steps: []resource.TestStep{
		step(role("https://ls01.contoso.com:5986/wsman"), `host "https://ls01.contoso.com:5986/wsman" is a URL`, `host = "ls01.contoso.com", https = true, port = 5986`),
		step(role("ls01.contoso.com:5985"), "includes a port; use port = 5985 in the provider block instead of host:port"),
		step(role("[::1]:5985"), `use port = 5985`, `host = "::1"`),
		step(role("ls 01"), "holds a space"),
		step(role("[ls01]"), "not an IPv6 address"),
		step(roleHCL(`"ls\u000001"`), `contains '\x00'`),
		step(role("ls😀01"), "which a host name cannot hold", "xn--"),
		step(role(long), `host "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"… (100000 characters) is 100000 characters long; a DNS name has at most 253`),
		step(e.Config(`data "rdslicensing_license_server" "ls" { host = "ls01:5985" }`), "includes a port"),
		step(rawProvider(`host = "http://10.0.0.5"`)+`data "rdslicensing_license_server" "ls" {}`, `(here host = "10.0.0.5", https = false)`),
	}})
}

// A bracketed IPv6 address works as a host: the brackets are dropped.
func TestAccBracketedIPv6Host(t *testing.T) {
	st := winsim.NewLicenseServerHost("LS01", "2022", "")
	st.Address = "::1"
	e := newAccEnv(t, st)
	cfg := strings.Replace(e.Provider(), `host     = "::1"`, `host     = "[::1]"`, 1)
	if cfg == e.Provider() {
		t.Fatal("the provider block did not change")
	}
	accTest(t, resource.TestCase{Steps: []resource.TestStep{{
		Config: cfg + `
data "rdslicensing_license_server" "default" {}
data "rdslicensing_license_server" "own" { host = "[::1]" }
`,
		Check: resource.ComposeAggregateTestCheckFunc(
			resource.TestCheckResourceAttr("data.rdslicensing_license_server.default", "computer_name", "LS01"),
			resource.TestCheckResourceAttr("data.rdslicensing_license_server.own", "computer_name", "LS01"),
		),
	}}})
}

// A dead host is reported by the time limit that fired, which says what
// to check; short limits keep the test quick.
func TestAccDeadHost(t *testing.T) {
	skipUnlessAcc(t)
	limits := []string{`connect_timeout = "1s"`, `response_timeout = "1s"`, `auth = "basic"`, `insecure = true`}
	at := func(host string, port int) string { return fmt.Sprintf("host = %q\n  port = %d", host, port) }
	read := `data "rdslicensing_license_server" "ls" {}`
	blackHost, blackPort := testenv.BlackholeHost(t)
	silentHost, silentPort := testenv.SilentHost(t)
	tlsHost, tlsPort := testenv.SilentTLSHost(t)
	accTest(t, resource.TestCase{Steps: []resource.TestStep{
		{
			Config:      rawProvider(append(limits, at(blackHost, blackPort))...) + read,
			PlanOnly:    true,
			ExpectError: errorText(fmt.Sprintf("timed out connecting to %s:%d (connect_timeout 1s)", blackHost, blackPort), "firewall", "error kind transport"),
		},
		{
			Config:      rawProvider(append(limits, at(silentHost, silentPort))...) + read,
			PlanOnly:    true,
			ExpectError: errorText("accepted the connection, but the TLS handshake timed out (connect_timeout 1s)", "HTTPS listener", "error kind transport"),
		},
		{
			Config:      rawProvider(`connect_timeout = "1s"`, `response_timeout = "1s"`, `auth = "ntlm"`, `https = false`, at(silentHost, silentPort)) + read,
			PlanOnly:    true,
			ExpectError: errorText("timed out waiting for", "(response_timeout 1s)", "winrm enumerate winrm/config/listener", "error kind transport"),
		},
		{
			Config:      rawProvider(append(limits, at(tlsHost, tlsPort))...) + read,
			PlanOnly:    true,
			ExpectError: errorText("timed out waiting for", "(response_timeout 1s)", "error kind transport"),
		},
	}})
}

// A port that speaks the other protocol, or a host with only the other
// listener, is named with the setting to change.
func TestAccTransportMismatch(t *testing.T) {
	e := newAccEnv(t, winsim.NewLicenseServerHost("LS01", "2022", ""))
	addr := e.Addr("LS01")
	httpPort, httpsPort := e.Sim.Ports()
	read := `data "rdslicensing_license_server" "ls" {}`

	// A host with only the HTTP listener, on WinRM's default ports.
	only := winsim.NewLicenseServerHost("LS02", "2022", "")
	only.Address = "127.59.85.2"
	only.Realism = winsim.FastTiming
	only.WinRM = winsim.DefaultWinRM
	only.WinRM.HTTPS = false
	sim, err := winsim.New(winsim.Scenario{Hosts: []winsim.HostState{only}})
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Start(winsim.ServeOptions{HTTPPort: 5985}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })

	accTest(t, resource.TestCase{Steps: []resource.TestStep{
		{
			Config:      rawProvider(fmt.Sprintf("host = %q\n  port = %d", addr, httpsPort), "https = false", `auth = "ntlm"`) + read,
			PlanOnly:    true,
			ExpectError: errorText(fmt.Sprintf("port %d of %s speaks HTTPS, not HTTP: set https = true", httpsPort, addr), "or set port to the host's HTTP listener (5985 by default"),
		},
		{
			Config:      rawProvider(fmt.Sprintf("host = %q\n  port = %d", addr, httpPort), "insecure = true", `auth = "basic"`) + read,
			PlanOnly:    true,
			ExpectError: errorText(fmt.Sprintf("port %d of %s speaks HTTP, not HTTPS", httpPort, addr), "set https = false", "or set port to the host's HTTPS listener (5986 by default"),
		},
		{
			Config:      rawProvider(`host = "127.59.85.2"`, "insecure = true", `auth = "basic"`) + read,
			PlanOnly:    true,
			ExpectError: errorText("connection to 127.59.85.2:5986 refused: nothing listens on port 5986, but port 5985", "Set https = false and port = 5985"),
		},
	}})
}
