package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// ProviderMirror makes dir a filesystem mirror holding the provider
// binary as version 0.0.1 for both registries' default addresses, and
// writes a CLI configuration that installs it from there; it returns the
// configuration's path (for TF_CLI_CONFIG_FILE). A plain init then works
// as it does for users of a release, unlike with development overrides.
func ProviderMirror(dir, binary string) (string, error) {
	for _, registry := range []string{"registry.opentofu.org", "registry.terraform.io"} {
		d := filepath.Join(dir, registry, "rdslicensing", "rdslicensing", "0.0.1", runtime.GOOS+"_"+runtime.GOARCH)
		if err := os.MkdirAll(d, 0o700); err != nil {
			return "", err
		}
		if err := os.Symlink(binary, filepath.Join(d, "terraform-provider-rdslicensing_v0.0.1")); err != nil {
			return "", err
		}
	}
	rc := filepath.Join(dir, "mirror.tfrc")
	cfg := fmt.Sprintf("provider_installation {\n  filesystem_mirror {\n    path = %q\n  }\n}\n", dir)
	return rc, os.WriteFile(rc, []byte(cfg), 0o600)
}
