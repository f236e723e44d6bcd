package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// startWinsim runs the binary with args and waits for its ready file.
func startWinsim(t *testing.T, bin string, args ...string) (httpsPort int, ca string) {
	t.Helper()
	dir := t.TempDir()
	ready, ca := filepath.Join(dir, "ready.json"), filepath.Join(dir, "ca.pem")
	cmd := exec.Command(bin, append(args, "-timing", "fast", "-http-port", "0", "-https-port", "0",
		"-control", "", "-ready-file", ready, "-ca-out", ca)...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	var info struct {
		HTTPSPort int `json:"https_port"`
	}
	for i := 0; ; i++ {
		b, err := os.ReadFile(ready)
		if err == nil && json.Unmarshal(b, &info) == nil {
			return info.HTTPSPort, ca
		}
		if i > 2400 { // 2 minutes: a bound for a hang, not a speed
			t.Fatal("winsim did not become ready")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// runProbeCmd runs "winsim probe" against the first host of a winsim.
func runProbeCmd(t *testing.T, bin string, port int, ca, out string, extra ...string) (string, int) {
	t.Helper()
	return runProbeOn(t, bin, "127.0.10.1", port, ca, out, extra...)
}

func runProbeOn(t *testing.T, bin, host string, port int, ca, out string, extra ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"probe", "-host", host, "-port", strconv.Itoa(port), "-https", "-ca-cert", ca,
		"-auth", "basic", "-out", out}, extra...)...)
	cmd.Env = append(os.Environ(), PasswordEnv+"="+winsim.DefaultPassword)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if stderr.Len() > 0 {
		t.Logf("stderr: %s", stderr.String())
	}
	return stdout.String(), code
}

// winsim probe against winsim: every fact conforms, the transcript holds
// no password or name, and winsim -scenario-from-transcript serves a host
// the probe sees the same.
func TestProbeCommand(t *testing.T) {
	bin := buildWinsim(t)
	port, ca := startWinsim(t, bin, "-hosts", "1", "-domain", "contoso.com")
	dir := t.TempDir()
	first := filepath.Join(dir, "first.json")
	out, code := runProbeCmd(t, bin, port, ca, first)
	if code != 0 || !strings.Contains(out, " 0 differ,") || !strings.Contains(out, "matches      wmi_class:Win32_TSLicenseServer") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	b, err := os.ReadFile(first)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{winsim.DefaultPassword, "LS01", "contoso"} {
		if strings.Contains(strings.ToLower(string(b)), strings.ToLower(s)) {
			t.Errorf("the transcript contains %q", s)
		}
	}

	port2, ca2 := startWinsim(t, bin, "-scenario-from-transcript", first)
	second := filepath.Join(dir, "second.json")
	if out, code := runProbeCmd(t, bin, port2, ca2, second); code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	var a, z struct {
		Observations map[string]string `json:"observations"`
	}
	b2, _ := os.ReadFile(second)
	if json.Unmarshal(b, &a) != nil || json.Unmarshal(b2, &z) != nil || len(a.Observations) < 50 {
		t.Fatalf("transcripts: %s\n%s", b, b2)
	}
	for k, v := range a.Observations {
		if z.Observations[k] != v {
			t.Errorf("%s: %q, then %q", k, v, z.Observations[k])
		}
	}
	if len(a.Observations) != len(z.Observations) {
		t.Errorf("%d observations, then %d", len(a.Observations), len(z.Observations))
	}
}

func TestProbeNeedsThePasswordFromTheEnvironment(t *testing.T) {
	cmd := exec.Command(buildWinsim(t), "probe", "-host", "127.0.10.1")
	cmd.Env = append(os.Environ(), PasswordEnv+"=")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), PasswordEnv) {
		t.Fatalf("%v: %s", err, out)
	}
	help, _ := exec.Command(buildWinsim(t), "probe", "-help").CombinedOutput()
	for _, want := range []string{"-lab-write-cycle", "-host", "-https", "-insecure", "-ca-cert", "-username", "-out", "-keep-names", PasswordEnv, "-scenario-from-transcript"} {
		if !strings.Contains(string(help), want) {
			t.Errorf("probe -help does not mention %q", want)
		}
	}
}

// -lab-write-cycle on a session host changes and restores its mode and
// reports it; on the license server (no RD Session Host role) it is
// refused with exit status 4, after the read-only report.
func TestProbeCommandWriteCycle(t *testing.T) {
	bin := buildWinsim(t)
	port, ca := startWinsim(t, bin, "-hosts", "1", "-domain", "contoso.com")
	out, code := runProbeOn(t, bin, "127.0.10.2", port, ca, "", "-lab-write-cycle")
	if code != 0 || !strings.Contains(out, "lab write cycle: changed and restored") ||
		!strings.Contains(out, "unverified, now observed: value:ChangeMode.immediate") {
		t.Fatalf("session host: exit %d:\n%s", code, out)
	}
	out, code = runProbeOn(t, bin, "127.0.10.1", port, ca, "", "-lab-write-cycle")
	if code != 4 || !strings.Contains(out, "lab write cycle: refused, nothing changed") || !strings.Contains(out, "matches      wmi_class:Win32_TSLicenseServer") {
		t.Fatalf("license server: exit %d:\n%s", code, out)
	}
}
