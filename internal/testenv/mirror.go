package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// mirrorVersion is the version the mirror gives the provider: one that the
// examples' constraints (`>= 0.1` in modules, `~> 0.1` in root modules)
// accept.
const mirrorVersion = "0.1.0"

// ProviderMirror makes dir a filesystem mirror holding the provider
// binary as version mirrorVersion for both registries' default addresses, and
// writes a CLI configuration that installs it from there; it returns the
// configuration's path (for TF_CLI_CONFIG_FILE). A plain init then works
// as it does for users of a release, unlike with development overrides.
func ProviderMirror(dir, binary string) (string, error) {
	for _, registry := range []string{"registry.opentofu.org", "registry.terraform.io"} {
		d := filepath.Join(dir, registry, "rdslicensing", "rdslicensing", mirrorVersion, runtime.GOOS+"_"+runtime.GOARCH)
		if err := os.MkdirAll(d, 0o700); err != nil {
			return "", err
		}
		if err := os.Symlink(binary, filepath.Join(d, "terraform-provider-rdslicensing_v"+mirrorVersion)); err != nil {
			return "", err
		}
	}
	rc := filepath.Join(dir, "mirror.tfrc")
	cfg := fmt.Sprintf("provider_installation {\n  filesystem_mirror {\n    path = %q\n  }\n}\n", dir)
	return rc, os.WriteFile(rc, []byte(cfg), 0o600)
}
