package sessionhosts_test

// In this repository there is no release to install: TestMain builds the
// provider and installs it from a filesystem mirror. In your own module
// `init` installs a release from the registry, and you need no such file.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/testenv"
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if os.Getenv("TF_ACC") == "" {
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "rdslicensing-mirror-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = os.RemoveAll(dir) }()
	bin := filepath.Join(dir, "bin", "terraform-provider-rdslicensing")
	build := exec.Command("go", "build", "-o", bin, "../../..")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build the provider: %v\n%s", err, out)
		return 1
	}
	rc, err := testenv.ProviderMirror(filepath.Join(dir, "mirror"), bin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := os.Setenv("TF_CLI_CONFIG_FILE", rc); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}
