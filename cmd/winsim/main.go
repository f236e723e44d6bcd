// Command winsim runs simulated Windows Server hosts that speak WinRM and
// hold RDS licensing state: the stand-in for Windows in every test and in
// the quick start.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

const usage = `winsim: simulated Windows Server hosts that speak WinRM (WS-Management) and
hold RD Licensing state, for testing terraform-provider-rdslicensing without Windows.

Usage:
  winsim [flags]
  winsim probe -host HOST [flags]   check a real Windows Server against the
                                    facts catalog, read-only (winsim probe -help)

Every host has its own loopback address (127.0.10.1, 127.0.10.2, ...; any
127.x.y.z address is local on Linux; -base-address 127.0.20.1 numbers them
from there instead, so that two fleets run side by side on the same ports,
each with its own -control address) and listens on the same ports: HTTP
(NTLM with message encryption, or Basic when the host allows unencrypted
traffic) and HTTPS (Basic or NTLM) with a certificate signed by winsim's CA.
Hosts accept user Administrator with password %q unless the scenario
lists other users. Domain members accept Kerberos too (HTTP and HTTPS)
when -keytab holds their HTTP/<fqdn> keys from a KDC of their domain's realm,
and hosts with winrm.certificate take client certificates that their
cert_mappings map to a local account (issuer among trusted_roots).

Flags:
%s
-scenario-from-transcript FILE serves one host, HOST, that answers like the
server a "winsim probe" transcript was taken from.

Scenario (JSON, -scenario or -state): {"hosts": [HostState...], "clearinghouse": {...}}.
A host lists only what differs from the defaults, for example:
  {"name": "LS01", "os": "2022", "domain": "contoso.com", "internet": true,
   "features": {"RDS-Licensing": "Installed"},
   "session_host": {"policy_licensing_mode": 4}}
The format, with its JSON schema (docs/winsim-scenario.schema.json), is in the
guide docs/guides/testing-with-winsim.md.

Control API (-control, JSON over HTTP), for tests and demos. It never
answers with a password, license code or number ("<redacted>" stands for
them; a state sent back with it keeps the host's values). It listens on
loopback; another address needs a token in WINSIM_CONTROL_TOKEN, which
every request then sends as "Authorization: Bearer <token>" (a token on
loopback is required too).
  GET    /v1/info                        ports and hosts
  GET    /v1/hosts                       every host
  POST   /v1/hosts                       add a host (HostState JSON, defaults and -timing filled in)
  GET    /v1/hosts/{host}                a host's state
  PUT    /v1/hosts/{host}                replace it (name and address cannot change)
  PATCH  /v1/hosts/{host}                JSON merge patch, e.g. {"session_host":{"config_licensing_mode":2}}
  GET    /v1/hosts/{host}/log?since=N    HTTP requests and operations after entry N
  GET    /v1/hosts/{host}/shells         open WinRS shells
  GET    /v1/hosts/{host}/faults         injected faults and how often each fired
  POST   /v1/hosts/{host}/faults         inject a fault, e.g. {"type":"http_status","action":"Create","status":503,"count":1}
                                         types: http_status, drop, drop_after, soap_fault, delay (by action:
                                         Create, Command, Send, Receive, Signal, Delete, or all; or with an
                                         operation: the Send carrying its request, e.g. drop_after loses its
                                         answer), op_error, crash_before, crash_after, delay (by operation
                                         name), and crash_at
                                         (powershell.exe dies) or reboot_at (the host goes down) at a step of
                                         an operation, without answering; what it wrote before stays, e.g.
                                         {"type":"reboot_at","operation":"install_key_pack","step":"after_wmi","count":1}
                                         steps: install_key_pack before_wmi (journal says started), after_wmi
                                         (install method ran, journal still started), after_journal (journal
                                         has the outcome); write_key_pack_journal after_write; install_role and
                                         uninstall_role after_features; activate_license_server,
                                         reactivate_license_server, deactivate_license_server and
                                         remove_key_pack after_wmi; set_session_host_licensing and
                                         clear_session_host_licensing after_write (TermService not restarted);
                                         set_license_server_security policy_written (the policy value, not
                                         the group), members_changed (the group, TermServLicensing not restarted);
                                         revoke_licenses after_first_revoke (the first CAL revoked, any others not);
                                         set_gpo_licensing written (values and links, the GPO not yet deleted)
  DELETE /v1/hosts/{host}/faults         clear faults
  POST   /v1/hosts/{host}/reboot?ms=N    restart the host (unreachable for N ms)
  POST   /v1/hosts/{host}/gpupdate       a policy refresh: the domain GPOs linked to the host's OU apply
  GET    /v1/domains                     the domains' Group Policy objects and links
  GET    /v1/clearinghouse               the simulated Microsoft Clearinghouse (codes, agreements)
  PUT    /v1/clearinghouse               replace it (e.g. {"reachable": false, ...})
  GET    /v1/clearinghouse/license-server-id?product_id=P
                                         the license server ID the Clearinghouse web site gives for P
  GET    /v1/scenario                    the whole fleet
  POST   /v1/save                        save to -state now
  GET    /v1/ca.pem                      the CA certificate (for ca_cert)

Examples:
  winsim -hosts 3                              one license server and three session hosts
  winsim -scenario examples/quickstart/winsim.json -ca-out /tmp/winsim-ca.pem
  winsim -state fleet.json -hosts 500 -timing fast
  winsim -hosts 3 -base-address 127.0.20.1 -control 127.0.0.1:5991
                                               a second fleet beside the first

Install: go install github.com/rdslicensing/terraform-provider-rdslicensing/cmd/winsim@latest
`

func main() {
	var err error
	if len(os.Args) > 1 && os.Args[1] == "probe" {
		err = runProbe(os.Args[2:], os.Stdout, os.Stderr)
	} else {
		err = run(os.Args[1:])
	}
	if errors.Is(err, errDiffers) {
		os.Exit(3)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "winsim:", err)
		var ee *exitError
		if errors.As(err, &ee) {
			os.Exit(ee.code)
		}
		os.Exit(1)
	}
}

func run(args []string) error {
	// Before anything else: a SIGTERM right after -ready-file appears must
	// still save the state, not kill the process.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	fs := flag.NewFlagSet("winsim", flag.ContinueOnError)
	scenario := fs.String("scenario", "", "load this scenario at start (read only)")
	fromTranscript := fs.String("scenario-from-transcript", "", "serve one host that answers like the server of this \"winsim probe\" transcript")
	state := fs.String("state", "", "load this file at start if it exists, and save the fleet's state to it on exit")
	hosts := fs.Int("hosts", 0, "with no scenario: make LS01 (an RD license server) and this many session hosts (RDSH001...)")
	baseAddress := fs.String("base-address", winsim.DefaultBaseAddress, "address of the first host without one in the scenario (-hosts: LS01); the next ones count up from it. A loopback address (127.x.y.z) unless -allow-non-loopback")
	allowNonLoopback := fs.Bool("allow-non-loopback", false, "let -base-address be outside 127.0.0.0/8: the hosts, with their well-known password, are then reachable from other machines")
	domain := fs.String("domain", "", "DNS domain of generated hosts; empty for a workgroup")
	osVersion := fs.String("os", "2022", "Windows Server release of generated hosts: 2016, 2019, 2022 or 2025")
	httpPort := fs.Int("http-port", 5985, "HTTP port of every host (0: pick one)")
	httpsPort := fs.Int("https-port", 5986, "HTTPS port of every host (0: pick one)")
	control := fs.String("control", "127.0.0.1:5990", "address of the control API (empty: none)")
	caOut := fs.String("ca-out", "", "write the CA certificate (PEM) of the HTTPS listeners to this file")
	timing := fs.String("timing", "realistic", "realistic (0.6 s per powershell.exe, 100 ms per shell), warm (realistic without either: the best case of reusing processes across runs) or fast: the timing of hosts that set no realism, loaded or added over the control API")
	ready := fs.String("ready-file", "", "write the control API and ports as JSON to this file once listening")
	var keytabs []string
	fs.Func("keytab", "accept Kerberos with the service keys of this keytab (kadmin ktadd of HTTP/<fqdn> of domain members); may be repeated", func(p string) error {
		keytabs = append(keytabs, p)
		return nil
	})
	fs.Usage = func() {
		var b strings.Builder
		fs.SetOutput(&b)
		fs.PrintDefaults()
		fmt.Fprintf(os.Stderr, usage, winsim.DefaultPassword, b.String())
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	var realism winsim.Realism
	switch *timing {
	case "realistic":
		realism = winsim.RealisticTiming
	case "warm":
		realism = winsim.WarmTiming
	case "fast":
		realism = winsim.FastTiming
	default:
		return fmt.Errorf("-timing must be realistic, warm or fast, not %q", *timing)
	}
	if _, err := winsim.ParseBaseAddress(*baseAddress, *allowNonLoopback); err != nil {
		return fmt.Errorf("-base-address: %w", err)
	}

	var sc winsim.Scenario
	var err error
	switch {
	case *state != "" && fileExists(*state):
		sc, err = winsim.LoadScenarioFile(*state, realism)
	case *scenario != "":
		sc, err = winsim.LoadScenarioFile(*scenario, realism)
	case *fromTranscript != "":
		sc, err = winsim.ScenarioFromTranscriptFile(*fromTranscript, realism)
	case *hosts > 0:
		sc = generated(*hosts, *domain, *osVersion, realism)
	default:
		sc = generated(0, *domain, *osVersion, realism)
	}
	if err != nil {
		return err
	}
	sim, err := winsim.NewWithOptions(sc, winsim.Options{BaseAddress: *baseAddress, AllowNonLoopback: *allowNonLoopback})
	if err != nil {
		return err
	}
	for _, p := range keytabs {
		b, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("-keytab: %w", err)
		}
		if err := sim.AddKeytab(b); err != nil {
			return fmt.Errorf("-keytab %s: %w", p, err)
		}
	}
	if err := sim.Start(winsim.ServeOptions{HTTPPort: *httpPort, HTTPSPort: *httpsPort}); err != nil {
		return err
	}
	defer func() { _ = sim.Close() }()
	if *caOut != "" {
		if err := os.WriteFile(*caOut, sim.CACertPEM(), 0o644); err != nil {
			return err
		}
	}
	save := func() error {
		if *state == "" {
			return nil
		}
		return sim.SaveScenarioFile(*state)
	}
	var ctl *http.Server
	ctlAddr := ""
	if *control != "" {
		token := os.Getenv(ControlTokenEnv)
		if err := checkControlAddress(*control, token); err != nil {
			return err
		}
		l, err := net.Listen("tcp", *control)
		if err != nil {
			return fmt.Errorf("control API: %w (another winsim may be running: give this one another -control address, e.g. 127.0.0.1:5991, or -control \"\" for none)", err)
		}
		ctlAddr = l.Addr().String()
		ctl = &http.Server{Handler: winsim.RequireToken(sim.ControlHandler(realism, save), token), ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = ctl.Serve(l) }()
	}
	hp, sp := sim.Ports()
	fmt.Printf("winsim: %d hosts, HTTP port %d, HTTPS port %d", len(sim.Hosts()), hp, sp)
	if ctlAddr != "" {
		fmt.Printf(", control API http://%s/v1/", ctlAddr)
	}
	fmt.Println()
	for i, h := range sim.Hosts() {
		if i == 10 {
			fmt.Printf("  ... and %d more\n", len(sim.Hosts())-10)
			break
		}
		st := h.State()
		fmt.Printf("  %-10s %-15s Windows Server %s %s\n", st.Name, st.Address, st.OS, role(&st))
	}
	if *ready != "" {
		info := fmt.Sprintf(`{"control":"%s","http_port":%d,"https_port":%d}`+"\n", ctlAddr, hp, sp)
		if err := os.WriteFile(*ready, []byte(info), 0o644); err != nil {
			return err
		}
	}

	<-sig
	if ctl != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = ctl.Shutdown(ctx)
		cancel()
	}
	if err := save(); err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	if *state != "" {
		fmt.Println("winsim: state saved to", *state)
	}
	return nil
}

func role(st *winsim.HostState) string {
	var r []string
	if st.FeatureInstalled(winsim.FeatureLicensing) {
		r = append(r, "license server")
	}
	if st.FeatureInstalled(winsim.FeatureSessionHost) {
		r = append(r, "session host")
	}
	if st.Domain != "" {
		r = append(r, "domain "+st.Domain)
	} else {
		r = append(r, "workgroup")
	}
	return "(" + strings.Join(r, ", ") + ")"
}

// generated is a fleet of one license server and n session hosts in their
// grace period.
func generated(n int, domain, osVersion string, realism winsim.Realism) winsim.Scenario {
	sc := winsim.Scenario{Clearinghouse: winsim.ClearinghouseState{Reachable: true}}
	ls := winsim.NewLicenseServerHost("LS01", osVersion, domain)
	ls.Realism = realism
	sc.Hosts = append(sc.Hosts, ls)
	grace := time.Now().Add(100 * 24 * time.Hour).UTC().Truncate(time.Hour)
	for i := 1; i <= n; i++ {
		h := winsim.NewSessionHost(fmt.Sprintf("RDSH%03d", i), osVersion, domain, grace)
		h.Realism = realism
		sc.Hosts = append(sc.Hosts, h)
	}
	return sc
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// ControlTokenEnv holds the control API's bearer token: never a flag,
// which would show in the process list.
const ControlTokenEnv = "WINSIM_CONTROL_TOKEN"

// checkControlAddress refuses to serve the control API, which can change
// every host and read every log, beyond loopback without a token.
func checkControlAddress(addr, token string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-control %q: %w (use host:port, e.g. 127.0.0.1:5990)", addr, err)
	}
	if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) || token != "" {
		return nil
	}
	return fmt.Errorf("-control %s listens beyond loopback: set a token in %s first (clients send Authorization: Bearer <token>), or listen on 127.0.0.1", addr, ControlTokenEnv)
}
