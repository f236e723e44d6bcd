package main

import (
	"encoding/json"
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
