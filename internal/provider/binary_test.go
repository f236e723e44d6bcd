package provider

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// Tests of the provider as users run it: a binary that OpenTofu starts and
// stops for each command, found through a development override.

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// providerBinary builds the provider once per test process.
func providerBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		// Shared by every test of the process; TestMain removes it.
		buildDir, buildErr = os.MkdirTemp("", "rdslicensing-plugins-") //nolint:usetesting // outlives any one test
		if buildErr != nil {
			return
		}
		cmd := exec.Command("go", "build", "-o", filepath.Join(buildDir, "terraform-provider-rdslicensing"), ".")
		cmd.Dir = repoRoot()
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildDir
}

// cliRun runs the real OpenTofu in a working directory.
type cliRun struct {
	t   *testing.T
	dir string
	env []string
	// inProcess: each command reattaches to a provider served by the
	// test process (newInProcessRun) instead of starting the binary.
	inProcess bool
}

// newCLIRun prepares a run of OpenTofu in dir (a copy of examples/ when
// example is set, so that modules' relative paths hold), with the provider
// binary and the provider settings of e in the environment.
func newCLIRun(t *testing.T, e *accEnv, example string, vars map[string]string) *cliRun {
	t.Helper()
	if os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		t.Fatal("TF_ACC_TERRAFORM_PATH is not set")
	}
	dir := t.TempDir()
	rc := filepath.Join(dir, "dev.tfrc")
	if err := os.WriteFile(rc, []byte(fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"rdslicensing/rdslicensing\" = %q\n  }\n  direct {}\n}\n", providerBinary(t))), 0o600); err != nil {
		t.Fatal(err)
	}
	work := filepath.Join(dir, "work")
	if example != "" {
		cp := exec.Command("cp", "-r", filepath.Join(repoRoot(), "examples"), filepath.Join(dir, "examples"))
		if out, err := cp.CombinedOutput(); err != nil {
			t.Fatalf("copy examples: %v\n%s", err, out)
		}
		work = filepath.Join(dir, "examples", example)
	} else if err := os.MkdirAll(work, 0o700); err != nil {
		t.Fatal(err)
	}
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, e.Sim.CACertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		"RDSLICENSING_HOST="+e.Sim.Hosts()[0].State().Address, fmt.Sprintf("RDSLICENSING_PORT=%d", httpsPort(e)),
		"RDSLICENSING_CA_CERT="+ca, "RDSLICENSING_USERNAME=Administrator", "RDSLICENSING_PASSWORD="+winsim.DefaultPassword)
	for k, v := range vars {
		env = append(env, "TF_VAR_"+k+"="+v)
	}
	return &cliRun{t: t, dir: work, env: env}
}

// run runs the CLI and fails the test on an error.
func (r *cliRun) run(args ...string) string {
	r.t.Helper()
	out, err := r.try(args...)
	if err != nil {
		r.t.Fatalf("tofu %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// try runs the CLI and returns its output and error.
func (r *cliRun) try(args ...string) (string, error) {
	cmd := exec.Command(os.Getenv("TF_ACC_TERRAFORM_PATH"), append(args, "-no-color")...)
	cmd.Dir = r.dir
	cmd.Env = r.env
	if r.inProcess {
		reattach, stop := serveInProcess(r.t)
		defer stop()
		cmd.Env = append(cmd.Env[:len(cmd.Env):len(cmd.Env)], "TF_REATTACH_PROVIDERS="+reattach)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// When OpenTofu stops the provider, the provider deletes the WinRM shells
// it opened, so that nothing stays open on the hosts.
func TestAccProviderBinaryLeavesNoShells(t *testing.T) {
	e := newAccEnv(t, winsim.NewHost("LS01", "2022", ""))
	r := newCLIRun(t, e, "", nil)
	cfg := strings.Replace(e.Config(`resource "rdslicensing_role" "ls" {}`), "registry.terraform.io/rdslicensing/rdslicensing", "rdslicensing/rdslicensing", 1)
	if err := os.WriteFile(filepath.Join(r.dir, "main.tf"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	r.run("apply", "-auto-approve")
	h := e.Host("LS01")
	if st := h.State(); !st.FeatureInstalled(winsim.FeatureLicensing) {
		t.Fatal("apply did not install the role")
	}
	if n := len(h.Shells()); n != 0 {
		t.Fatalf("%d shells left open on the host after tofu apply exited", n)
	}
	if out := r.run("plan", "-detailed-exitcode"); !strings.Contains(out, "No changes") {
		t.Fatalf("second plan is not empty:\n%s", out)
	}
	if n := len(h.Shells()); n != 0 {
		t.Fatalf("%d shells left open on the host after tofu plan exited", n)
	}
}
