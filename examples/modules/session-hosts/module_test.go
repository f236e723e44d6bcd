package sessionhosts_test

// Tests of this module against winsim: the real Terraform or OpenTofu CLI
// applies it to simulated Windows Server hosts, and the test reads back
// what the hosts ended up with. Run with TF_ACC=1 and the CLI in
// TF_ACC_TERRAFORM_PATH (or tofu or terraform on PATH):
//
//	TF_ACC=1 go test ./examples/modules/session-hosts

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/winsimtest"
)

// rootModule writes a root module that calls this module for the fleet's
// session hosts, pointed at its license server.
func rootModule(t *testing.T, fleet *winsimtest.Fleet) string {
	t.Helper()
	module, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	config := fmt.Sprintf(`
terraform {
  required_providers {
    rdslicensing = { source = "rdslicensing/rdslicensing" }
  }
}

provider "rdslicensing" {}

module "session_hosts" {
  source          = %q
  hosts           = [%q, %q]
  licensing_mode  = "per_user"
  license_servers = [%q]
}

output "healthy" {
  value = module.session_hosts.healthy
}

output "problems" {
  value = module.session_hosts.problems
}
`, module, fleet.Address("RDSH01"), fleet.Address("RDSH02"), fleet.Address("LS01"))
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// cli runs the CLI in dir with the provider pointed at the fleet.
func cli(t *testing.T, fleet *winsimtest.Fleet, dir string, args ...string) (string, error) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("runs the Terraform or OpenTofu CLI: set TF_ACC=1")
	}
	path := os.Getenv("TF_ACC_TERRAFORM_PATH")
	for _, name := range []string{"tofu", "terraform"} {
		if path == "" {
			path, _ = exec.LookPath(name)
		}
	}
	if path == "" {
		t.Fatal("no CLI: set TF_ACC_TERRAFORM_PATH, or put tofu or terraform on PATH")
	}
	cmd := exec.Command(path, append(args, "-no-color")...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), fleet.ProviderEnv()...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestModuleLicensesTheSessionHosts(t *testing.T) {
	fleet := winsimtest.Start(t, winsimtest.LoadScenario(t, "testdata/winsim.json"))
	dir := rootModule(t, fleet)
	for _, args := range [][]string{{"init"}, {"apply", "-auto-approve"}} {
		if out, err := cli(t, fleet, dir, args...); err != nil {
			t.Fatalf("%s: %v\n%s", args[0], err, out)
		}
	}
	if out, _ := cli(t, fleet, dir, "output", "-raw", "healthy"); out != "true" {
		problems, _ := cli(t, fleet, dir, "output", "problems")
		t.Fatalf("healthy = %q; problems: %s", out, problems)
	}
	// What the hosts hold now: per-user mode (4) and the license server,
	// as Group Policy values.
	for _, host := range []string{"RDSH01", "RDSH02"} {
		sh := fleet.State(host).SessionHost
		if sh.PolicyLicensingMode == nil || *sh.PolicyLicensingMode != 4 {
			t.Errorf("%s: licensing mode %v, want 4 (per user)", host, sh.PolicyLicensingMode)
		}
		if sh.PolicyLicenseServers == nil || *sh.PolicyLicenseServers != fleet.Address("LS01") {
			t.Errorf("%s: license servers %v, want %s", host, sh.PolicyLicenseServers, fleet.Address("LS01"))
		}
	}

	// Someone switches RDSH02 to per device at its console: the next plan
	// wants it back (exit code 2: changes).
	fleet.Update("RDSH02", func(st *winsimtest.HostState) {
		perDevice := 2
		st.SessionHost.PolicyLicensingMode = &perDevice
	})
	out, err := cli(t, fleet, dir, "plan", "-detailed-exitcode")
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(out, "1 to change") {
		t.Fatalf("plan after drift: %v\n%s", err, out)
	}
}

// A session host that refuses the change fails the apply, naming the
// host; the other one is licensed all the same.
func TestModuleReportsTheHostThatFails(t *testing.T) {
	fleet := winsimtest.Start(t, winsimtest.LoadScenario(t, "testdata/winsim.json"))
	fleet.InjectFault("RDSH02", winsimtest.Fault{
		Type: winsimtest.FaultOpError, Operation: "set_session_host_licensing",
		Kind: "access_denied", Message: "Access is denied.",
	})
	dir := rootModule(t, fleet)
	if out, err := cli(t, fleet, dir, "init"); err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}
	out, err := cli(t, fleet, dir, "apply", "-auto-approve")
	if err == nil || !strings.Contains(out, fleet.Address("RDSH02")) || !strings.Contains(out, "Access is denied.") {
		t.Fatalf("apply with RDSH02 refusing: %v\n%s", err, out)
	}
	if mode := fleet.State("RDSH01").SessionHost.PolicyLicensingMode; mode == nil || *mode != 4 {
		t.Errorf("RDSH01: licensing mode %v, want 4", mode)
	}
}
