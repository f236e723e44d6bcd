package provider

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/keypacks"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/testenv"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// The acceptance tests drive the real OpenTofu CLI (TF_ACC=1 and
// TF_ACC_TERRAFORM_PATH, set by `make test`) against winsim, in process.

// The provider is served as main serves it: without the calls' context
// values unless a TF_LOG* variable asks for logs.
var testAccProviders = map[string]func() (tfprotov6.ProviderServer, error){
	"rdslicensing": func() (tfprotov6.ProviderServer, error) {
		return NewServer("test", LoggingRequested(os.Environ()))(), nil
	},
}

// accEnv is one test's fleet of simulated hosts.
type accEnv struct {
	t   *testing.T
	Sim *winsim.Sim
}

// newAccEnv starts a fleet for one test. Hosts keep winsim's realistic
// quirks (progress noise, BOMs) but run fast.
func newAccEnv(t *testing.T, hosts ...winsim.HostState) *accEnv {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance tests run with TF_ACC=1 (make test or make testacc)")
	}
	for i := range hosts {
		hosts[i].Realism = winsim.FastTiming
	}
	sim, err := winsim.NewWithOptions(winsim.Scenario{Hosts: hosts, Clearinghouse: winsim.ClearinghouseState{Reachable: true}}, winsim.Options{BaseAddress: fleetBase()})
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Start(winsim.ServeOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			logHostHistory(t, sim)
		}
		_ = sim.Close()
	})
	return &accEnv{t: t, Sim: sim}
}

// fleets counts the fleets this test process started.
var fleets atomic.Int64

// fleetBase is a base address of its own for each test's fleet, four /24s
// apart (127.100.0.1, 127.100.4.1, ...): a port that a restarting host of
// one test frees, and another test's fleet then takes, is never reached
// under an address of the first test, so no test talks to another's hosts.
func fleetBase() string {
	b := 4 * (fleets.Add(1) - 1)
	return fmt.Sprintf("127.%d.%d.1", 100+b/256, b%256)
}

// logHostHistory writes, for a failed test, what each simulated host
// went through (operations, reboots, faults; not every HTTP request), so
// that a failure seen once in CI can be read afterwards.
func logHostHistory(t *testing.T, sim *winsim.Sim) {
	t.Helper()
	_, port := sim.Ports()
	for _, h := range sim.Hosts() {
		st := h.State()
		var b strings.Builder
		for _, l := range h.Log(0) {
			if l.Event == "http" && l.Status < 400 {
				continue
			}
			fmt.Fprintf(&b, "\n  %s %-9s %s %s %s %s", l.Time.Format("15:04:05.000"), l.Event, l.Operation, l.Outcome, l.Action, l.Detail)
		}
		t.Logf("winsim host %s (%s, HTTPS port %d): %s", st.Name, st.Address, port, b.String())
	}
}

// Host is the simulated host of that name.
func (e *accEnv) Host(name string) *winsim.Host {
	e.t.Helper()
	h := e.Sim.Host(name)
	if h == nil {
		e.t.Fatalf("no host %s", name)
	}
	return h
}

// Addr is the address resources use to reach the host.
func (e *accEnv) Addr(name string) string { return e.Host(name).State().Address }

// Provider is the provider block: HTTPS with Basic, trusting winsim's CA,
// with the first host as default host. extra is added inside the block.
func (e *accEnv) Provider(extra ...string) string {
	_, httpsPort := e.Sim.Ports()
	return fmt.Sprintf(`
terraform {
  required_providers {
    rdslicensing = { source = "registry.terraform.io/rdslicensing/rdslicensing" }
  }
}

provider "rdslicensing" {
  host     = %q
  port     = %d
  username = "Administrator"
  password = %q
  auth     = "basic"
  timeout  = "2m"
  ca_cert  = <<-EOT
%s
EOT
  %s
}
`, e.Sim.Hosts()[0].State().Address, httpsPort, winsim.DefaultPassword, strings.TrimSpace(string(e.Sim.CACertPEM())), strings.Join(extra, "\n  "))
}

// AliasProvider is a second provider block, named alias, that logs on to
// host as another account (over HTTPS, NTLM, not verifying the certificate).
func (e *accEnv) AliasProvider(alias, host, user, password string) string {
	return fmt.Sprintf(`
provider "rdslicensing" {
  alias    = %q
  host     = %q
  port     = %d
  username = %q
  password = %q
  auth     = "ntlm"
  insecure = true
}
`, alias, e.Addr(host), httpsPort(e), user, password)
}

// Config is the provider block followed by body.
func (e *accEnv) Config(body string) string { return e.Provider() + body }

// Update changes a host out of band, as an administrator at the console
// would; tests call it in a step's PreConfig to make drift.
func (e *accEnv) Update(name string, fn func(st *winsim.HostState)) func() {
	return func() { e.Host(name).Update(fn) }
}

// graceEnds is a session host's grace period end, 100 days ahead.
func graceEnds() time.Time { return time.Now().Add(100 * 24 * time.Hour).UTC().Truncate(time.Hour) }

// activated marks a license server activated, as the Clearinghouse would.
func activated(st winsim.HostState) winsim.HostState {
	st.LicenseServer.Activated = true
	st.LicenseServer.LicenseServerID = winsim.LicenseServerIDFor(st.LicenseServer.ProductID)
	st.LicenseServer.FirstName, st.LicenseServer.LastName = "Ada", "Lovelace"
	st.LicenseServer.Company, st.LicenseServer.CountryRegion = "Contoso", "United Kingdom"
	return st
}

// accTest runs an acceptance test case with the provider in process.
func accTest(t *testing.T, tc resource.TestCase) {
	t.Helper()
	tc.ProtoV6ProviderFactories = testAccProviders
	resource.ParallelTest(t, tc)
}

func httpsPort(e *accEnv) int {
	_, p := e.Sim.Ports()
	return p
}

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

func TestMain(m *testing.M) {
	// Restarts in winsim take a fraction of a second.
	restartPollInterval = 200 * time.Millisecond
	// An install that died on a host that did not restart is concluded
	// after this much host time (2 minutes in production).
	keypacks.SettleTime = 2 * time.Second
	code := m.Run()
	testenv.StopKDCs()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// errorText matches an error that contains the words, in order, however
// OpenTofu wraps the lines.
func errorText(words ...string) *regexp.Regexp {
	parts := make([]string, 0, len(words))
	for _, w := range words {
		fields := strings.Fields(w)
		for i, f := range fields {
			fields[i] = regexp.QuoteMeta(f)
		}
		parts = append(parts, strings.Join(fields, `\s+`))
	}
	return regexp.MustCompile(`(?s)` + strings.Join(parts, `.*`))
}

// hostCheck is a state check that inspects winsim instead of the state:
// unlike Check functions, state checks work with for_each instances.
func hostCheck(fn func() error) statecheck.StateCheck { return hostStateCheck(fn) }

type hostStateCheck func() error

func (c hostStateCheck) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = c()
}

func intp(n int) *int       { return &n }
func strp(s string) *string { return &s }
