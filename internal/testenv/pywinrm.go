// Package testenv finds the external programs some tests drive.
package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

const opensslLegacyConf = `openssl_conf = openssl_init
[openssl_init]
providers = provider_sect
[provider_sect]
default = default_sect
legacy = legacy_sect
[default_sect]
activate = 1
[legacy_sect]
activate = 1
`

// Pywinrm returns a Python 3 that can import Debian's python3-winrm (an
// independent WinRM client), and the environment to run it in. It fails
// the test when there is none, unless RDSLICENSING_SKIP_PYWINRM=1.
func Pywinrm(t testing.TB) (python string, env []string) {
	t.Helper()
	// ntlm-auth needs MD4, which OpenSSL 3 only offers in its legacy provider.
	conf := filepath.Join(t.TempDir(), "openssl.cnf")
	if err := os.WriteFile(conf, []byte(opensslLegacyConf), 0o644); err != nil {
		t.Fatal(err)
	}
	env = append(os.Environ(), "NO_PROXY=*", "no_proxy=*", "OPENSSL_CONF="+conf)
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		probe := exec.Command(p, "-c", "import hashlib, winrm.protocol, requests_ntlm, ntlm_auth; hashlib.new('md4')")
		probe.Env = env
		if probe.Run() == nil {
			return p, env
		}
	}
	if os.Getenv("RDSLICENSING_SKIP_PYWINRM") == "1" {
		t.Skip("RDSLICENSING_SKIP_PYWINRM=1: skipping the pywinrm interop test")
	}
	t.Fatal("the interop test needs Debian's python3-winrm (apt-get install python3-winrm; pywinrm 0.3 with requests_ntlm and ntlm-auth); set RDSLICENSING_SKIP_PYWINRM=1 to skip it")
	return "", nil
}
