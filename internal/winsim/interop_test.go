package winsim_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/testenv"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// pywinrmHostname runs `hostname` with pywinrm and prints exit code,
// stdout and stderr, one per line.
const pywinrmHostname = `
import sys, winrm
url, user, password, transport, encryption, ca = sys.argv[1:7]
kw = {'transport': transport, 'message_encryption': encryption}
if ca:
    kw['ca_trust_path'] = ca
s = winrm.Session(url, auth=(user, password), **kw)
r = s.run_cmd('hostname')
print(r.status_code)
print(r.std_out.decode('utf-8').strip())
print(r.std_err.decode('utf-8').strip())
`

// An independent WinRM client, Debian's python3-winrm, against winsim. The
// host requires channel bindings (Strict), which requests-ntlm sends over
// HTTPS: an independent check of winsim's Extended Protection.
func TestInteropPywinrm(t *testing.T) {
	python, env := testenv.Pywinrm(t)
	st := winsim.NewLicenseServerHost("LS01", "2022", "")
	st.Realism = winsim.FastTiming
	st.WinRM.CbtHardeningLevel = winsim.CbtStrict
	sim := serveSim(t, winsim.Scenario{Hosts: []winsim.HostState{st}})
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, sim.CACertPEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	h := sim.Host("LS01")
	httpPort, httpsPort := sim.Ports()
	addr := h.State().Address
	for _, tc := range []struct {
		name, url, transport, encryption, ca, wantAuth string
	}{
		{"NTLM over HTTP, encrypted", "http://" + addr + ":" + strconv.Itoa(httpPort) + "/wsman", "ntlm", "always", "", "encrypted"},
		{"Basic over HTTPS", "https://" + addr + ":" + strconv.Itoa(httpsPort) + "/wsman", "basic", "auto", ca, "basic"},
		{"NTLM over HTTPS, channel binding", "https://" + addr + ":" + strconv.Itoa(httpsPort) + "/wsman", "ntlm", "auto", ca, "negotiate session"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mark := h.LogSeq()
			cmd := exec.Command(python, "-c", pywinrmHostname, tc.url, "Administrator", winsim.DefaultPassword, tc.transport, tc.encryption, tc.ca)
			cmd.Env = env
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("pywinrm: %v\n%s", err, out)
			}
			if got := strings.Split(strings.TrimSpace(string(out)), "\n"); len(got) < 2 || got[0] != "0" || got[1] != "LS01" {
				t.Fatalf("pywinrm printed %q, want exit code 0 and LS01", out)
			}
			var actions []string
			for _, e := range h.Log(mark) {
				if e.Event != "http" || e.Action == "" {
					continue
				}
				actions = append(actions, e.Action)
				if !slices.Contains(strings.Fields(tc.wantAuth), e.Auth) || e.Status != 200 {
					t.Errorf("%s request: auth %q status %d, want %q and 200", e.Action, e.Auth, e.Status, tc.wantAuth)
				}
			}
			if got := strings.Join(actions, " "); !strings.HasPrefix(got, "Create Command Receive") || !strings.HasSuffix(got, "Signal Delete") {
				t.Errorf("pywinrm's requests: %s", got)
			}
			if n := len(h.Shells()); n != 0 {
				t.Errorf("%d shells left open", n)
			}
		})
	}
}

// pywinrmKerberos runs `hostname` with pywinrm's Kerberos transport
// (requests-kerberos over MIT's GSS-API, the ticket from KRB5CCNAME).
const pywinrmKerberos = `
import sys, winrm
url, principal, host, ca = sys.argv[1:5]
s = winrm.Session(url, auth=(principal, None), transport='kerberos', kerberos_hostname_override=host,
                  ca_trust_path=ca, message_encryption='auto')
r = s.run_cmd('hostname')
print(r.status_code)
print(r.std_out.decode('utf-8').strip())
`

// pywinrm's Kerberos transport against winsim over HTTPS: MIT's GSS-API
// makes the AP-REQ and checks winsim's AP-REP (mutual authentication is
// required). Debian's pykerberos 1.1 has no WinRM message encryption, so
// encrypted HTTP is checked against MIT in package gsskrb5 instead.
func TestInteropPywinrmKerberos(t *testing.T) {
	python, env := testenv.Pywinrm(t)
	if exec.Command(python, "-c", "import requests_kerberos, kerberos").Run() != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true and the Kerberos interop test needs python3-requests-kerberos")
		}
		t.Skip("skipping: no python3-requests-kerberos")
	}
	f := newKrbFleet(t, nil, "LS01")
	ccache := filepath.Join(t.TempDir(), "ccache")
	if err := f.kdc.Kinit(krbUser, krbPassword, ccache, ""); err != nil {
		t.Fatal(err)
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, f.sim.CACertPEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	h := f.sim.Host("LS01")
	mark := h.LogSeq()
	cmd := exec.Command(python, "-c", pywinrmKerberos, "https://"+h.Endpoint(true)+"/wsman", krbUser+"@"+krbRealm, "ls01.contoso.com", ca)
	cmd.Env = append(env, "KRB5_CONFIG="+f.kdc.Krb5Conf, "KRB5CCNAME=FILE:"+ccache)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pywinrm: %v\n%s", err, out)
	}
	if got := strings.Split(strings.TrimSpace(string(out)), "\n"); len(got) < 2 || got[0] != "0" || got[1] != "LS01" {
		t.Fatalf("pywinrm printed %q, want exit code 0 and LS01", out)
	}
	auths := map[string]int{}
	for _, e := range h.Log(mark) {
		if e.Event == "http" {
			auths[e.Auth]++
			if e.Auth == "negotiate-kerberos" && (e.User != krbUser || e.Status != 200) {
				t.Errorf("Kerberos request: %+v", e)
			}
		}
	}
	if auths["negotiate-kerberos"] != 1 {
		t.Errorf("requests by authentication: %v, want one Kerberos logon", auths)
	}
}

// pywinrmCertificate runs `hostname` with pywinrm's certificate transport.
const pywinrmCertificate = `
import sys, winrm
url, cert, key, ca = sys.argv[1:5]
s = winrm.Session(url, auth=('', ''), transport='certificate', cert_pem=cert, cert_key_pem=key, ca_trust_path=ca)
r = s.run_cmd('hostname')
print(r.status_code)
print(r.std_out.decode('utf-8').strip())
`

// pywinrm's certificate logon (requests with a client certificate and
// the secprofile/https/mutual header) against winsim's mapping.
func TestInteropPywinrmCertificate(t *testing.T) {
	python, env := testenv.Pywinrm(t)
	ca := testenv.NewClientCA(t, "Contoso Client CA")
	st := winsim.NewLicenseServerHost("LS01", "2022", "")
	st.Realism = winsim.FastTiming
	st.WinRM.Certificate = true
	st.TrustedRoots = []string{string(ca.PEM)}
	st.Users = append(st.Users, winsim.User{Name: "ops", Password: "Ops-P@ssw0rd", Admin: true})
	st.CertMappings = []winsim.CertMapping{{URI: "*", Subject: "ops@localhost", Issuer: ca.Thumbprint, UserName: "ops", Password: "Ops-P@ssw0rd", Enabled: true}}
	sim := serveSim(t, winsim.Scenario{Hosts: []winsim.HostState{st}})
	dir := t.TempDir()
	cert, key := ca.Issue(t, "ops@localhost", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	paths := map[string][]byte{"ca.pem": sim.CACertPEM(), "cert.pem": cert, "key.pem": key}
	for name, b := range paths {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	h := sim.Host("LS01")
	cmd := exec.Command(python, "-c", pywinrmCertificate, "https://"+h.Endpoint(true)+"/wsman",
		filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"), filepath.Join(dir, "ca.pem"))
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pywinrm: %v\n%s", err, out)
	}
	if got := strings.Split(strings.TrimSpace(string(out)), "\n"); len(got) < 2 || got[0] != "0" || got[1] != "LS01" {
		t.Fatalf("pywinrm printed %q, want exit code 0 and LS01", out)
	}
	for _, e := range h.Log(0) {
		if e.Event == "http" && (e.Auth != "certificate" || e.User != "ops" || e.Status != 200) {
			t.Errorf("request %+v", e)
		}
	}
}
