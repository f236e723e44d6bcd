package main

import (
	"bytes"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// TestMain lets the engine process, which is this program run again,
// be the test binary too.
func TestMain(m *testing.M) {
	if os.Getenv(engineEnv) != "" {
		engineMain()
		return
	}
	os.Exit(m.Run())
}

// The benchmark end to end, small and fast: three session hosts, one run.
// It checks what the numbers rest on (every phase measured, the engine
// running the operations the CLI's phases ran, traffic counted), never
// how long anything took.
func TestBenchFleetEndToEnd(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("runs the CLI against winsim: set TF_ACC=1 (make bench-fleet runs the real benchmark)")
	}
	cli := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if cli == "" {
		cli = "tofu"
	}
	o := &options{repo: "../..", root: "examples/fleet", n: 3, ps: []int{4}, runs: 1, timing: "fast", cli: cli, work: t.TempDir()}
	var out, progress bytes.Buffer
	if err := run(o, &out, &progress); err != nil {
		t.Fatalf("%v\n%s", err, progress.String())
	}
	text := out.String()
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if !regexp.MustCompile(`^plan_over_floor=\d+\.\d\d$`).MatchString(lines[len(lines)-1]) ||
		!regexp.MustCompile(`^apply_over_floor=\d+\.\d\d$`).MatchString(lines[len(lines)-2]) {
		t.Fatalf("the last lines should be apply_over_floor=R and plan_over_floor=R:\n%s", text)
	}
	for _, want := range []string{"cpu P=4: plan ", "cpu P=4: apply ", "floor P=4: plan max(core-plan ", "two-process floor P=4: apply max(core-apply "} {
		if !strings.Contains(text, want) {
			t.Errorf("want a line starting %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "WARNING") {
		t.Errorf("the engine should run the operations the CLI ran:\n%s", text)
	}
	rows := map[string][]string{}
	for _, l := range lines {
		if f := strings.Split(l, "|"); len(f) > 3 && strings.TrimSpace(f[2]) == "4" {
			for i := range f {
				f[i] = strings.TrimSpace(f[i])
			}
			rows[f[1]] = f[1 : len(f)-1]
		}
	}
	for _, ph := range phaseOrder {
		if rows[ph] == nil {
			t.Errorf("no row for %s:\n%s", ph, text)
		}
	}
	// Columns: phase P min median max req/host ps/host LS-req LS-ps ...
	// The CLI's apply starts two provider processes (plan, then apply),
	// and the first reads each new session host: two powershell.exe.
	// So does the engine's apply in two clients.
	wantPS := map[string]string{phApply: "2.00", phPlan: "1.00", phEngineApply: "1.00", phEngineApplyCLI: "2.00", phEnginePlan: "1.00"}
	for _, ph := range []string{phApply, phPlan, phEngineApply, phEngineApplyCLI, phEnginePlan} {
		if r := rows[ph]; r != nil {
			req, _ := strconv.ParseFloat(r[5], 64)
			if req < 5 || r[6] != wantPS[ph] {
				t.Errorf("%s: want several requests and %s powershell.exe per session host, got %s and %s:\n%s", ph, wantPS[ph], r[5], r[6], text)
			}
		}
	}
	for _, secret := range []string{winsim.DefaultPassword, benchAgreement} {
		if strings.Contains(text, secret) || strings.Contains(progress.String(), secret) {
			t.Errorf("the output shows a secret:\n%s\n%s", text, progress.String())
		}
	}
}
