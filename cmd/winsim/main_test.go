package main

import (
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

func buildWinsim(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "winsim")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

func TestHelpDocumentsEverything(t *testing.T) {
	out, err := exec.Command(buildWinsim(t), "--help").CombinedOutput()
	if err != nil {
		t.Fatalf("--help: %v", err)
	}
	wants := []string{"-scenario", "-scenario-from-transcript", "winsim probe", "-state", "-hosts", "-control", "-ca-out", "-timing", "PATCH  /v1/hosts/{host}", "POST   /v1/hosts/{host}/faults", "GET    /v1/hosts/{host}/faults", "POST   /v1/save", "crash_after", "crash_at", "reboot_at", "license-server-id", winsim.DefaultPassword}
	for op, steps := range winsim.OperationSteps() {
		wants = append(wants, op)
		wants = append(wants, steps...)
	}
	for _, want := range wants {
		if !strings.Contains(string(out), want) {
			t.Errorf("--help does not mention %q", want)
		}
	}
}

// The CLI loads a state file, serves, takes changes over the control API
// and saves the state when it is stopped.
func TestStateIsSavedOnExit(t *testing.T) {
	bin := buildWinsim(t)
	dir := t.TempDir()
	state := filepath.Join(dir, "fleet.json")
	ready := filepath.Join(dir, "ready.json")
	ca := filepath.Join(dir, "ca.pem")
	cmd := exec.Command(bin, "-hosts", "2", "-timing", "fast", "-http-port", "0", "-https-port", "0",
		"-control", "127.0.0.1:0", "-state", state, "-ready-file", ready, "-ca-out", ca)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill() }()
	var info struct {
		Control string `json:"control"`
	}
	for i := 0; ; i++ {
		b, err := os.ReadFile(ready)
		if err == nil && json.Unmarshal(b, &info) == nil {
			break
		}
		if i > 2400 { // 2 minutes: a bound for a hang, not a speed
			t.Fatal("winsim did not become ready")
		}
		time.Sleep(50 * time.Millisecond)
	}
	req, _ := http.NewRequest(http.MethodPatch, "http://"+info.Control+"/v1/hosts/RDSH002", strings.NewReader(`{"session_host":{"policy_licensing_mode":4}}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("patch: %v %v", err, resp)
	}
	_ = resp.Body.Close()
	if b, err := os.ReadFile(ca); err != nil || !strings.HasPrefix(string(b), "-----BEGIN CERTIFICATE-----") {
		t.Fatalf("ca-out: %v %q", err, b)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("winsim exit: %v", err)
	}
	sc, err := winsim.LoadScenarioFile(state, winsim.FastTiming)
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Hosts) != 3 || sc.Hosts[2].Name != "RDSH002" || sc.Hosts[2].SessionHost.PolicyLicensingMode == nil || *sc.Hosts[2].SessionHost.PolicyLicensingMode != 4 {
		t.Fatalf("saved state: %+v", sc.Hosts)
	}
}

// SIGTERM as soon as the ready file appears still saves the state: winsim
// handles signals before it says it is ready.
func TestStateIsSavedOnSIGTERMRightAfterReady(t *testing.T) {
	bin := buildWinsim(t)
	for i := range 5 {
		dir := t.TempDir()
		state := filepath.Join(dir, "fleet.json")
		ready := filepath.Join(dir, "ready.json")
		cmd := exec.Command(bin, "-hosts", "1", "-timing", "fast", "-http-port", "0", "-https-port", "0",
			"-control", "", "-state", state, "-ready-file", ready)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			if _, err := os.Stat(ready); err == nil {
				break
			}
			if time.Now().After(deadline) {
				_ = cmd.Process.Kill()
				t.Fatal("winsim did not become ready")
			}
			runtime.Gosched()
		}
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Wait(); err != nil {
			t.Fatalf("run %d: winsim exit after SIGTERM: %v", i, err)
		}
		if _, err := winsim.LoadScenarioFile(state, winsim.FastTiming); err != nil {
			t.Fatalf("run %d: state not saved: %v", i, err)
		}
	}
}

// Hosts added over the control API get the -timing of the command line,
// as the scenario's hosts do.
func TestControlAPIHostsGetTheTiming(t *testing.T) {
	bin := buildWinsim(t)
	ready := filepath.Join(t.TempDir(), "ready.json")
	cmd := exec.Command(bin, "-timing", "realistic", "-http-port", "0", "-https-port", "0",
		"-control", "127.0.0.1:0", "-ready-file", ready)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	var info struct {
		Control string `json:"control"`
	}
	for i := 0; ; i++ {
		b, err := os.ReadFile(ready)
		if err == nil && json.Unmarshal(b, &info) == nil {
			break
		}
		if i > 2400 { // 2 minutes: a bound for a hang, not a speed
			t.Fatal("winsim did not become ready")
		}
		time.Sleep(50 * time.Millisecond)
	}
	resp, err := http.Post("http://"+info.Control+"/v1/hosts", "application/json", strings.NewReader(`{"name":"EXTRA"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var st winsim.HostState
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("add host: %d %v", resp.StatusCode, err)
	}
	if st.Realism != winsim.RealisticTiming {
		t.Fatalf("added host's realism %+v, want the -timing realistic %+v", st.Realism, winsim.RealisticTiming)
	}
}

// The control API stays on loopback unless a token guards it.
func TestControlAddressNeedsATokenBeyondLoopback(t *testing.T) {
	for _, tc := range []struct {
		addr, token string
		ok          bool
	}{
		{"127.0.0.1:5990", "", true},
		{"[::1]:5990", "", true},
		{"localhost:0", "", true},
		{"0.0.0.0:5990", "", false},
		{":5990", "", false},
		{"192.0.2.10:5990", "", false},
		{"0.0.0.0:5990", "s3cret", true},
		{"no-port", "", false},
	} {
		err := checkControlAddress(tc.addr, tc.token)
		if (err == nil) != tc.ok {
			t.Errorf("%q token %q: %v", tc.addr, tc.token, err)
		}
		if err != nil && strings.Contains(err.Error(), "loopback") && !strings.Contains(err.Error(), ControlTokenEnv) {
			t.Errorf("%q: the error does not say how: %v", tc.addr, err)
		}
	}
	cmd := exec.Command(buildWinsim(t), "-hosts", "1", "-control", "0.0.0.0:0", "-http-port", "0", "-https-port", "0")
	cmd.Env = append(os.Environ(), ControlTokenEnv+"=")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), ControlTokenEnv) {
		t.Fatalf("winsim served the control API on every address without a token: %v %s", err, out)
	}
}

// startFleet starts the winsim binary with args (plus -ready-file) and
// waits until it listens; it returns its control API address.
func startFleet(t *testing.T, bin string, args ...string) string {
	t.Helper()
	return startFleetIn(t, "", bin, args...)
}

// startFleetIn is startFleet in the working directory dir.
func startFleetIn(t *testing.T, dir, bin string, args ...string) string {
	t.Helper()
	ready := filepath.Join(t.TempDir(), "ready.json")
	var out strings.Builder
	cmd := exec.Command(bin, append(args, "-ready-file", ready)...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-exited })
	var info struct {
		Control string `json:"control"`
	}
	for {
		b, err := os.ReadFile(ready)
		if err == nil && json.Unmarshal(b, &info) == nil {
			return info.Control
		}
		select {
		case <-exited:
			t.Fatalf("winsim %s exited: %s", strings.Join(args, " "), out.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Two fleets run side by side on the same ports, each from its own base
// address; a third on a base address in use says what to do.
func TestTwoFleetsSideBySide(t *testing.T) {
	bin := buildWinsim(t)
	// Bases of their own, away from the 127.0.10.x of other tests' fleets.
	fleetA := []string{"127.0.121.1", "127.0.121.2"}
	fleetB := []string{"127.0.122.1", "127.0.122.2", "127.0.122.3"}
	free := func() string {
		for {
			l, err := net.Listen("tcp", fleetA[0]+":0")
			if err != nil {
				t.Fatal(err)
			}
			_, port, _ := net.SplitHostPort(l.Addr().String())
			_ = l.Close()
			ok := true
			for _, a := range append(append([]string{}, fleetA...), fleetB...) {
				if l, err := net.Listen("tcp", net.JoinHostPort(a, port)); err != nil {
					ok = false
				} else {
					_ = l.Close()
				}
			}
			if ok {
				return port
			}
		}
	}
	httpPort, httpsPort := free(), free()
	common := []string{"-timing", "fast", "-http-port", httpPort, "-https-port", httpsPort, "-control", "127.0.0.1:0"}
	ctlA := startFleet(t, bin, append([]string{"-hosts", "1", "-base-address", fleetA[0]}, common...)...)
	ctlB := startFleet(t, bin, append([]string{"-hosts", "2", "-base-address", fleetB[0]}, common...)...)

	addresses := func(ctl string) string {
		resp, err := http.Get("http://" + ctl + "/v1/hosts")
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		var hosts []winsim.HostState
		if err := json.NewDecoder(resp.Body).Decode(&hosts); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, h := range hosts {
			out = append(out, h.Address)
		}
		return strings.Join(out, " ")
	}
	if a, b := addresses(ctlA), addresses(ctlB); a != strings.Join(fleetA, " ") || b != strings.Join(fleetB, " ") {
		t.Fatalf("fleet A hosts %s, fleet B hosts %s", a, b)
	}
	// Every host of both fleets answers WinRM on the shared port (401:
	// authenticate first); the address only fleet B has is not fleet A's.
	for _, addr := range append(append([]string{}, fleetA...), fleetB...) {
		resp, err := http.Post("http://"+net.JoinHostPort(addr, httpPort)+"/wsman", "application/soap+xml;charset=UTF-8", strings.NewReader("<x/>"))
		if err != nil {
			t.Fatalf("%s: %v", addr, err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", addr, resp.StatusCode)
		}
	}
	if c, err := net.Dial("tcp", net.JoinHostPort("127.0.121.3", httpPort)); err == nil {
		_ = c.Close()
		t.Error("127.0.121.3 answers, but fleet A has two hosts")
	}

	out, err := exec.Command(bin, "-hosts", "1", "-timing", "fast", "-http-port", httpPort, "-https-port", httpsPort, "-control", "", "-base-address", fleetB[0]).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "address already in use") || !strings.Contains(string(out), "another base address") {
		t.Fatalf("a third fleet on fleet B's addresses: %v %s", err, out)
	}
}

func TestBaseAddressFlagIsChecked(t *testing.T) {
	bin := buildWinsim(t)
	for _, c := range []struct{ base, want string }{
		{"192.0.2.1", "-allow-non-loopback"},
		{"127.0.20.0", "last byte must be 1 to 250"},
		{"127.0.20", "not an IPv4 address"},
	} {
		out, err := exec.Command(bin, "-hosts", "1", "-control", "", "-http-port", "0", "-https-port", "0", "-base-address", c.base).CombinedOutput()
		if err == nil || !strings.Contains(string(out), "-base-address") || !strings.Contains(string(out), c.want) {
			t.Errorf("-base-address %s: %v %s", c.base, err, out)
		}
	}
}
