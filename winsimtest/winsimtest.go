// Package winsimtest starts simulated Windows Server hosts (winsim) in a
// Go test, in the spirit of net/http/httptest: a fleet of hosts that speak
// WinRM and hold RD Licensing state, started in-process from a scenario,
// with their addresses, credentials and CA certificate at hand, faults to
// inject, and everything closed when the test ends.
//
// Use it to test Terraform or OpenTofu code that uses the rdslicensing
// provider (modules, policies, pipelines) without Windows:
//
//	fleet := winsimtest.Start(t, winsimtest.LoadScenario(t, "testdata/winsim.json"))
//	cmd := exec.Command("tofu", "apply", "-auto-approve")
//	cmd.Env = append(os.Environ(), fleet.ProviderEnv()...)
//	...
//	if mode := fleet.State("RDSH01").SessionHost.PolicyLicensingMode; mode == nil || *mode != 4 { ... }
//
// The scenario format is documented, with its JSON schema, in the guide
// "Testing with winsim" (docs/guides/testing-with-winsim.md).
package winsimtest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// The scenario and its parts: a fleet's hosts and the simulated Microsoft
// Clearinghouse. See the guide for each field.
type (
	Scenario           = winsim.Scenario
	HostState          = winsim.HostState
	User               = winsim.User
	Service            = winsim.Service
	WinRMConfig        = winsim.WinRMConfig
	Realism            = winsim.Realism
	Quirks             = winsim.Quirks
	LicenseServerState = winsim.LicenseServerState
	KeyPackState       = winsim.KeyPackState
	SessionHostState   = winsim.SessionHostState
	ClearinghouseState = winsim.ClearinghouseState
	RetailCode         = winsim.RetailCode
	OpenLicense        = winsim.OpenLicense
	Agreement          = winsim.Agreement
	OfflineKeyPack     = winsim.OfflineKeyPack
	// Fault is an injected failure (Fleet.InjectFault).
	Fault = winsim.Fault
	// LogEntry is one thing that happened on a host (Fleet.Log).
	LogEntry = winsim.LogEntry
	// Hold stops an operation until released (Fleet.Hold).
	Hold = winsim.Hold
)

// DefaultPassword is the password of the Administrator account of hosts
// whose scenario lists no users.
const DefaultPassword = winsim.DefaultPassword

// Fault types (Fault.Type). HTTP-level faults are selected by Action
// (Create, Command, Send, Receive, Signal, Delete; empty: every request),
// the others by Operation (e.g. "set_session_host_licensing").
const (
	FaultHTTPStatus  = winsim.FaultHTTPStatus
	FaultDropBefore  = winsim.FaultDropBefore
	FaultDropAfter   = winsim.FaultDropAfter
	FaultSOAP        = winsim.FaultSOAP
	FaultDelay       = winsim.FaultDelay
	FaultOpError     = winsim.FaultOpError
	FaultCrashBefore = winsim.FaultCrashBefore
	FaultCrashAfter  = winsim.FaultCrashAfter
	FaultCrashAt     = winsim.FaultCrashAt
	FaultRebootAt    = winsim.FaultRebootAt
)

// Windows feature and service names the simulation knows.
const (
	FeatureLicensing        = winsim.FeatureLicensing
	FeatureSessionHost      = winsim.FeatureSessionHost
	ServiceLicensing        = winsim.ServiceLicensing
	ServiceTerminalServices = winsim.ServiceTerminalServices
)

// NewLicenseServerHost is a Windows Server with the RD Licensing role,
// not activated. os is "2016", "2019", "2022" or "2025"; domain "" is a
// workgroup.
func NewLicenseServerHost(name, os, domain string) HostState {
	return winsim.NewLicenseServerHost(name, os, domain)
}

// NewSessionHost is a Windows Server with the RD Session Host role, in
// its grace period until graceEnds, with licensing not configured.
func NewSessionHost(name, os, domain string, graceEnds time.Time) HostState {
	return winsim.NewSessionHost(name, os, domain, graceEnds)
}

// NewHost is a Windows Server with no RDS role.
func NewHost(name, os, domain string) HostState { return winsim.NewHost(name, os, domain) }

// LoadScenario reads a scenario file (JSON), failing the test when it is
// not one. Hosts that set no realism run without simulated delays.
func LoadScenario(t testing.TB, path string) Scenario {
	t.Helper()
	sc, err := winsim.LoadScenarioFile(path, winsim.FastTiming)
	if err != nil {
		t.Fatalf("winsimtest: %s: %v", path, err)
	}
	return sc
}

// Option changes how Start starts a fleet.
type Option func(*options)

type options struct {
	base                string
	httpPort, httpsPort int
}

// WithBaseAddress numbers the hosts without an address from base (a
// loopback address such as 127.0.30.1) instead of 127.0.10.1.
func WithBaseAddress(base string) Option { return func(o *options) { o.base = base } }

// WithPorts serves every host on these ports instead of free ones.
func WithPorts(http, https int) Option {
	return func(o *options) { o.httpPort, o.httpsPort = http, https }
}

// Fleet is a running fleet of simulated hosts.
type Fleet struct {
	t   testing.TB
	sim *winsim.Sim

	caOnce sync.Once
	caFile string
}

// Start starts the fleet of a scenario, every host listening on its own
// loopback address, and closes it when the test ends.
func Start(t testing.TB, sc Scenario, opts ...Option) *Fleet {
	t.Helper()
	var o options
	for _, fn := range opts {
		fn(&o)
	}
	sim, err := winsim.NewWithOptions(sc, winsim.Options{BaseAddress: o.base})
	if err != nil {
		t.Fatalf("winsimtest: %v", err)
	}
	if err := sim.Start(winsim.ServeOptions{HTTPPort: o.httpPort, HTTPSPort: o.httpsPort}); err != nil {
		t.Fatalf("winsimtest: %v", err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	return &Fleet{t: t, sim: sim}
}

// Close stops every host; Start arranged it for the end of the test.
func (f *Fleet) Close() { _ = f.sim.Close() }

func (f *Fleet) host(name string) *winsim.Host {
	f.t.Helper()
	h := f.sim.Host(name)
	if h == nil {
		f.t.Fatalf("winsimtest: no host %q in the fleet (hosts: %s)", name, strings.Join(f.Hosts(), ", "))
	}
	return h
}

// Hosts lists the hosts' names in the scenario's order.
func (f *Fleet) Hosts() []string {
	var names []string
	for _, h := range f.sim.Hosts() {
		names = append(names, h.Name())
	}
	return names
}

// Address is the IP address the host listens on. A host is found by
// name, FQDN or address.
func (f *Fleet) Address(host string) string { return f.host(host).State().Address }

// HTTPPort and HTTPSPort are the WinRM ports, the same for every host.
func (f *Fleet) HTTPPort() int {
	p, _ := f.sim.Ports()
	return p
}

// HTTPSPort is the WinRM HTTPS port of every host.
func (f *Fleet) HTTPSPort() int {
	_, p := f.sim.Ports()
	return p
}

// CACertPEM is the certificate of the CA that signed every host's HTTPS
// certificate (the provider's ca_cert).
func (f *Fleet) CACertPEM() []byte { return f.sim.CACertPEM() }

// CACertFile is CACertPEM in a file of the test's temporary directory.
func (f *Fleet) CACertFile() string {
	f.t.Helper()
	f.caOnce.Do(func() {
		f.caFile = filepath.Join(f.t.TempDir(), "winsim-ca.pem")
		if err := os.WriteFile(f.caFile, f.CACertPEM(), 0o600); err != nil {
			f.t.Fatalf("winsimtest: %v", err)
		}
	})
	return f.caFile
}

// Credentials are the user name and password of the host's first
// administrator: a local account as its name, a domain account as
// name@domain.
func (f *Fleet) Credentials(host string) (username, password string) {
	f.t.Helper()
	st := f.host(host).State()
	for _, u := range st.Users {
		if !u.Admin {
			continue
		}
		if u.Domain != "" {
			return u.Name + "@" + u.Domain, u.Password
		}
		return u.Name, u.Password
	}
	f.t.Fatalf("winsimtest: host %s has no administrator", st.Name)
	return "", ""
}

// ProviderEnv is the environment that points the rdslicensing provider
// at the fleet: its first host as the default host, the HTTPS port, the
// CA certificate, and the first host's administrator. Resources that name
// other hosts reach them with the same settings.
func (f *Fleet) ProviderEnv() []string {
	f.t.Helper()
	first := f.Hosts()[0]
	user, password := f.Credentials(first)
	return []string{
		"RDSLICENSING_HOST=" + f.Address(first),
		fmt.Sprintf("RDSLICENSING_PORT=%d", f.HTTPSPort()),
		"RDSLICENSING_HTTPS=true",
		"RDSLICENSING_CA_CERT=" + f.CACertFile(),
		"RDSLICENSING_USERNAME=" + user,
		"RDSLICENSING_PASSWORD=" + password,
	}
}

// State is a copy of the host's state now.
func (f *Fleet) State(host string) HostState { return f.host(host).State() }

// Update changes the host as an administrator at its console would
// ("someone changed the licensing mode by hand"): drift for the next plan.
func (f *Fleet) Update(host string, fn func(st *HostState)) { f.host(host).Update(fn) }

// Clearinghouse is a copy of the simulated Microsoft Clearinghouse.
func (f *Fleet) Clearinghouse() ClearinghouseState { return f.sim.Clearinghouse() }

// UpdateClearinghouse changes it: add codes and agreements, or set
// Reachable false to cut every host off from it.
func (f *Fleet) UpdateClearinghouse(fn func(ch *ClearinghouseState)) { f.sim.UpdateClearinghouse(fn) }

// InjectFault makes the host fail as f says, e.g. Fault{Type:
// FaultHTTPStatus, Action: "Create", Status: 503, Count: 1}; it returns
// the fault's ID. An impossible fault fails the test.
func (f *Fleet) InjectFault(host string, fault Fault) int {
	f.t.Helper()
	id, err := f.host(host).AddFault(fault)
	if err != nil {
		f.t.Fatalf("winsimtest: %v", err)
	}
	return id
}

// Faults lists the host's injected faults and how often each fired.
func (f *Fleet) Faults(host string) []Fault { return f.host(host).Faults() }

// ClearFaults removes the host's injected faults.
func (f *Fleet) ClearFaults(host string) { f.host(host).ClearFaults() }

// Hold stops the next run of operation ("" for any) on the host before
// it runs, until Release: wait on Reached to know a client is mid-run.
func (f *Fleet) Hold(host, operation string) *Hold { return f.host(host).Hold(operation) }

// Reboot restarts the host: connections drop and it answers again after d.
func (f *Fleet) Reboot(host string, d time.Duration) { f.host(host).Reboot(d) }

// Log is what happened on the host after entry since (0: everything):
// HTTP requests, operations with their outcome, reboots, faults.
func (f *Fleet) Log(host string, since int64) []LogEntry { return f.host(host).Log(since) }

// LogSeq is the number of the host's newest log entry: a mark for Log.
func (f *Fleet) LogSeq(host string) int64 { return f.host(host).LogSeq() }

// Operations counts the runs of an operation on the host after entry since.
func (f *Fleet) Operations(host, operation string, since int64) int {
	n := 0
	for _, e := range f.Log(host, since) {
		if e.Event == "operation" && e.Operation == operation {
			n++
		}
	}
	return n
}

// Scenario is the whole fleet's state now, as winsim -state would save it.
func (f *Fleet) Scenario() Scenario { return f.sim.Scenario() }
