package testenv

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// KDC is an MIT Kerberos KDC (krb5kdc) run on loopback for tests, with
// its database, configuration, log and keytabs in a temporary directory.
// Nothing outside that directory is touched: programs find it through
// Krb5Conf (KRB5_CONFIG for MIT's tools, kerberos_krb5_conf for the
// provider).
type KDC struct {
	Realm string
	Dir   string
	// Krb5Conf is a krb5.conf naming this KDC for Realm.
	Krb5Conf string
	// Addr is the KDC's host:port (UDP and TCP).
	Addr string

	kdcConf string
	logPath string
	cmd     *exec.Cmd
	exited  chan struct{}

	mu       sync.Mutex // serialises kadmin.local
	users    map[string]string
	services map[string][]byte
}

// The MIT programs the KDC needs (Debian: krb5-kdc, krb5-admin-server, krb5-user).
var kdcPrograms = []string{"krb5kdc", "kdb5_util", "kadmin.local", "kinit"}

func findProgram(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, dir := range []string{"/usr/sbin", "/usr/bin", "/sbin"} {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found", name)
}

// KDCAvailable says whether MIT Kerberos' KDC programs are installed.
func KDCAvailable() error {
	for _, p := range kdcPrograms {
		if _, err := findProgram(p); err != nil {
			return fmt.Errorf("%v: install MIT Kerberos (apt-get install krb5-kdc krb5-admin-server krb5-user)", err)
		}
	}
	return nil
}

// StartKDC creates a realm and runs krb5kdc for it in the foreground, as
// a child process that dies with the test binary. Principals are created
// with pre-authentication required and AES keys, as Active Directory has
// them.
func StartKDC(realm string) (*KDC, error) {
	if err := KDCAvailable(); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "rdslicensing-kdc-")
	if err != nil {
		return nil, err
	}
	k := &KDC{Realm: realm, Dir: dir, Krb5Conf: filepath.Join(dir, "krb5.conf"), kdcConf: filepath.Join(dir, "kdc.conf"),
		logPath: filepath.Join(dir, "kdc.log"), users: map[string]string{}, services: map[string][]byte{}}
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		if lastErr = k.start(attempt == 0); lastErr == nil {
			return k, nil
		}
	}
	_ = os.RemoveAll(dir)
	return nil, lastErr
}

func (k *KDC) start(create bool) error {
	port, err := freeUDPTCPPort()
	if err != nil {
		return err
	}
	k.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	kdcConf := fmt.Sprintf(`[kdcdefaults]
 kdc_listen = %[1]s
 kdc_tcp_listen = %[1]s
[realms]
 %[2]s = {
  database_name = %[3]s/principal
  key_stash_file = %[3]s/stash
  acl_file = %[3]s/kadm5.acl
  max_life = 10h
  max_renewable_life = 7d
  supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
  default_principal_flags = +preauth
 }
[logging]
 kdc = FILE:%[4]s
`, k.Addr, k.Realm, k.Dir, k.logPath)
	krb5Conf := fmt.Sprintf(`[libdefaults]
 default_realm = %[1]s
 dns_lookup_kdc = false
 dns_lookup_realm = false
 rdns = false
[realms]
 %[1]s = {
  kdc = %[2]s
 }
[domain_realm]
 .%[3]s = %[1]s
 %[3]s = %[1]s
`, k.Realm, k.Addr, strings.ToLower(k.Realm))
	if err := os.WriteFile(k.kdcConf, []byte(kdcConf), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(k.Krb5Conf, []byte(krb5Conf), 0o600); err != nil {
		return err
	}
	if create {
		if _, err := k.run("kdb5_util", "create", "-s", "-r", k.Realm, "-P", "kdc-master-"+strconv.FormatInt(time.Now().UnixNano(), 36), "-W"); err != nil {
			return err
		}
	}
	path, _ := findProgram("krb5kdc")
	cmd := exec.Command(path, "-n", "-r", k.Realm)
	cmd.Env = k.env()
	cmd.Dir = k.Dir
	out, err := os.Create(filepath.Join(k.Dir, "krb5kdc.out"))
	if err != nil {
		return err
	}
	cmd.Stdout, cmd.Stderr = out, out
	setPdeathsig(cmd)
	if err := cmd.Start(); err != nil {
		_ = out.Close()
		return err
	}
	k.cmd, k.exited = cmd, make(chan struct{})
	go func() { _ = cmd.Wait(); _ = out.Close(); close(k.exited) }()
	// Ready once it logs "commencing operation"; gone if it exits.
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); {
		select {
		case <-k.exited:
			b, _ := os.ReadFile(filepath.Join(k.Dir, "krb5kdc.out"))
			return fmt.Errorf("krb5kdc exited: %s", strings.TrimSpace(string(b)))
		case <-time.After(20 * time.Millisecond):
		}
		if b, _ := os.ReadFile(k.logPath); strings.Contains(string(b), "commencing operation") {
			return nil
		}
	}
	k.stop()
	return errors.New("krb5kdc did not start within 20 s")
}

func (k *KDC) env() []string {
	return append(os.Environ(), "KRB5_CONFIG="+k.Krb5Conf, "KRB5_KDC_PROFILE="+k.kdcConf)
}

func (k *KDC) run(prog string, args ...string) (string, error) {
	path, err := findProgram(prog)
	if err != nil {
		return "", err
	}
	cmd := exec.Command(path, args...)
	cmd.Env = k.env()
	cmd.Dir = k.Dir
	b, err := cmd.CombinedOutput()
	if err != nil {
		return string(b), fmt.Errorf("%s %s: %v: %s", prog, strings.Join(args, " "), err, b)
	}
	return string(b), nil
}

func (k *KDC) kadmin(query string) error {
	out, err := k.run("kadmin.local", "-r", k.Realm, "-q", query)
	if err == nil && (strings.Contains(out, "add_principal: ") || strings.Contains(out, "while ")) {
		err = fmt.Errorf("kadmin.local %q: %s", query, out)
	}
	return err
}

// AddUser creates (once) a user principal with a password.
func (k *KDC) AddUser(name, password string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if pw, ok := k.users[name]; ok {
		if pw != password {
			return fmt.Errorf("user %s already exists with another password", name)
		}
		return nil
	}
	if err := k.kadmin(fmt.Sprintf("addprinc -pw %s %s", password, name)); err != nil {
		return err
	}
	k.users[name] = password
	return nil
}

// AddService creates (once) a service principal such as
// HTTP/ls01.contoso.com with a random key and returns its keytab.
func (k *KDC) AddService(spn string) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if kt, ok := k.services[spn]; ok {
		return kt, nil
	}
	if err := k.kadmin("addprinc -randkey " + spn); err != nil {
		return nil, err
	}
	path := filepath.Join(k.Dir, fmt.Sprintf("svc%d.keytab", len(k.services)))
	if err := k.kadmin(fmt.Sprintf("ktadd -k %s %s", path, spn)); err != nil {
		return nil, err
	}
	kt, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	k.services[spn] = kt
	return kt, nil
}

// Kinit gets a TGT for user into the credential cache at ccache, with
// MIT's kinit; lifetime "" takes the default.
func (k *KDC) Kinit(user, password, ccache, lifetime string) error {
	path, err := findProgram("kinit")
	if err != nil {
		return err
	}
	args := []string{"-c", "FILE:" + ccache}
	if lifetime != "" {
		args = append(args, "-l", lifetime)
	}
	cmd := exec.Command(path, append(args, user+"@"+k.Realm)...)
	cmd.Env = k.env()
	cmd.Stdin = strings.NewReader(password + "\n")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("kinit %s: %v: %s", user, err, b)
	}
	return nil
}

// Requests counts the requests of the KDC's log for client name (user,
// without the realm): TGTs issued (AS-REQ), and service tickets issued
// (TGS-REQ).
func (k *KDC) Requests(user string) (tgts, serviceTickets int) {
	f, err := os.Open(k.logPath)
	if err != nil {
		return 0, 0
	}
	defer func() { _ = f.Close() }()
	who := ": ISSUE: "
	client := " " + user + "@" + k.Realm + " for "
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if !strings.Contains(line, who) || !strings.Contains(line, client) {
			continue
		}
		switch {
		case strings.Contains(line, "AS_REQ"):
			tgts++
		case strings.Contains(line, "TGS_REQ"):
			serviceTickets++
		}
	}
	return tgts, serviceTickets
}

// Log is the KDC's log so far.
func (k *KDC) Log() string {
	b, _ := os.ReadFile(k.logPath)
	return string(b)
}

func (k *KDC) stop() {
	if k.cmd != nil && k.cmd.Process != nil {
		_ = k.cmd.Process.Kill()
		<-k.exited
	}
}

// Close stops the KDC and removes its directory.
func (k *KDC) Close() {
	k.stop()
	_ = os.RemoveAll(k.Dir)
}

// freeUDPTCPPort finds a loopback port free for both UDP and TCP.
func freeUDPTCPPort() (int, error) {
	for i := 0; i < 20; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		a, _ := l.Addr().(*net.TCPAddr)
		port := a.Port
		u, err := net.ListenPacket("udp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		_ = l.Close()
		if err == nil {
			_ = u.Close()
			return port, nil
		}
	}
	return 0, errors.New("no free port for the KDC")
}

// Shared KDCs, one per realm per test binary: creating a realm takes a
// fraction of a second, but tests share it and tell their requests apart
// by user names.
var (
	kdcMu sync.Mutex
	kdcs  = map[string]*KDC{}
)

// SharedKDC returns this test binary's KDC for realm, starting it on
// first use. Without MIT Kerberos the test is skipped, or fails under
// CI=true. Call StopKDCs from TestMain.
func SharedKDC(t testing.TB, realm string) *KDC {
	t.Helper()
	kdcMu.Lock()
	defer kdcMu.Unlock()
	if k, ok := kdcs[realm]; ok {
		return k
	}
	if err := KDCAvailable(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and the Kerberos tests cannot run: %v", err)
		}
		t.Skipf("skipping the Kerberos test: %v", err)
	}
	k, err := StartKDC(realm)
	if err != nil {
		t.Fatalf("starting an MIT KDC for %s: %v", realm, err)
	}
	kdcs[realm] = k
	return k
}

// StopKDCs stops the shared KDCs (TestMain, after m.Run).
func StopKDCs() {
	kdcMu.Lock()
	defer kdcMu.Unlock()
	for r, k := range kdcs {
		k.Close()
		delete(kdcs, r)
	}
}

// PythonGSSAPI returns a Python 3 that imports gssapi (Debian's
// python3-gssapi, MIT Kerberos' GSS-API), skipping the test without one
// unless CI=true.
func PythonGSSAPI(t testing.TB) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(p, "-c", "import gssapi.raw; gssapi.raw.wrap_iov").Run() == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("CI=true and the MIT interop test needs python3-gssapi (apt-get install python3-gssapi)")
	}
	t.Skip("skipping the MIT interop test: no python3 with gssapi (apt-get install python3-gssapi)")
	return ""
}
