package provider

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// The provider as users run it: a binary that OpenTofu starts and stops
// for each command. When OpenTofu stops it, it deletes the WinRM shells it
// opened, so that nothing stays open on the hosts.
func TestAccProviderBinaryLeavesNoShells(t *testing.T) {
	e := newAccEnv(t, winsim.NewHost("LS01", "2022", ""))
	tofu := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tofu == "" {
		t.Fatal("TF_ACC_TERRAFORM_PATH is not set")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "plugins")
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "terraform-provider-rdslicensing"), ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	rc := filepath.Join(dir, "dev.tfrc")
	if err := os.WriteFile(rc, []byte(fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"rdslicensing/rdslicensing\" = %q\n  }\n  direct {}\n}\n", bin)), 0o600); err != nil {
		t.Fatal(err)
	}
	work := filepath.Join(dir, "work")
	if err := os.MkdirAll(work, 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := strings.Replace(e.Config(`resource "rdslicensing_role" "ls" {}`), "registry.terraform.io/rdslicensing/rdslicensing", "rdslicensing/rdslicensing", 1)
	if err := os.WriteFile(filepath.Join(work, "main.tf"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(tofu, args...)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("tofu %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	run("apply", "-auto-approve", "-no-color")
	h := e.Host("LS01")
	if st := h.State(); !st.FeatureInstalled(winsim.FeatureLicensing) {
		t.Fatal("apply did not install the role")
	}
	if n := len(h.Shells()); n != 0 {
		t.Fatalf("%d shells left open on the host after tofu apply exited", n)
	}
	if out := run("plan", "-detailed-exitcode", "-no-color"); !strings.Contains(out, "No changes") {
		t.Fatalf("second plan is not empty:\n%s", out)
	}
	if n := len(h.Shells()); n != 0 {
		t.Fatalf("%d shells left open on the host after tofu plan exited", n)
	}
}
