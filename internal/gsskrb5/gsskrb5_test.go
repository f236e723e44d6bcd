package gsskrb5_test

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jcmturner/gokrb5/v8/client"
	"github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/keytab"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/gsskrb5"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/testenv"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testenv.StopKDCs()
	os.Exit(code)
}

const (
	realm    = "CONTOSO.COM"
	user     = "gssuser"
	password = "Gss-P@ssw0rd"
	spn01    = "HTTP/ls01.contoso.com"
	spn02    = "HTTP/ls02.contoso.com"
)

type env struct {
	kdc    *testenv.KDC
	cl     *client.Client
	keytab *keytab.Keytab
	ktPath string
}

func setup(t *testing.T) *env {
	t.Helper()
	kdc := testenv.SharedKDC(t, realm)
	if err := kdc.AddUser(user, password); err != nil {
		t.Fatal(err)
	}
	kt := &keytab.Keytab{}
	var ktPath string
	for _, spn := range []string{spn01, spn02} {
		b, err := kdc.AddService(spn)
		if err != nil {
			t.Fatal(err)
		}
		if spn == spn01 {
			if err := kt.Unmarshal(b); err != nil {
				t.Fatal(err)
			}
			ktPath = filepath.Join(t.TempDir(), "ls01.keytab")
			if err := os.WriteFile(ktPath, b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	return &env{kdc: kdc, cl: login(t, kdc, user, password), keytab: kt, ktPath: ktPath}
}

func login(t *testing.T, kdc *testenv.KDC, user, password string) *client.Client {
	t.Helper()
	cfg, err := config.Load(kdc.Krb5Conf)
	if err != nil {
		t.Fatal(err)
	}
	cl := client.NewWithPassword(user, kdc.Realm, password, cfg, client.DisablePAFXFAST(true))
	if err := cl.Login(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Destroy)
	return cl
}

func (e *env) acceptor(now func() time.Time) *gsskrb5.Acceptor {
	if now == nil {
		now = time.Now
	}
	return &gsskrb5.Acceptor{Keytab: e.keytab, Realm: realm, Principals: []string{spn01}, Now: now,
		MaxSkew: 5 * time.Minute, Replay: &gsskrb5.ReplayCache{}}
}

func (e *env) initiator(t *testing.T, cl *client.Client, spn string, now time.Time) *gsskrb5.Initiator {
	t.Helper()
	tkt, key, err := cl.GetServiceTicket(spn)
	if err != nil {
		t.Fatal(err)
	}
	in, err := gsskrb5.NewInitiator(tkt, key, gsskrb5.InitiatorOptions{Realm: cl.Credentials.Domain(), CName: cl.Credentials.CName(),
		Flags: gsskrb5.FlagMutual | gsskrb5.FlagSequence | gsskrb5.FlagConf | gsskrb5.FlagInteg, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// A context is established with mutual authentication, and messages go
// both ways sealed, split as WS-Management frames them: a 60-byte header
// (AES with HMAC-SHA1-96) and data as long as the message.
func TestContextAndMessages(t *testing.T) {
	e := setup(t)
	in := e.initiator(t, e.cl, spn01, time.Time{})
	acc, err := e.acceptor(nil).Accept(in.Token)
	if err != nil {
		t.Fatal(err)
	}
	if acc.Client != user+"@"+realm || acc.Reply == nil {
		t.Fatalf("accepted %q, reply %d bytes", acc.Client, len(acc.Reply))
	}
	cs, err := in.Complete(acc.Reply)
	if err != nil {
		t.Fatal(err)
	}
	for i, msg := range []string{"<s:Envelope>first</s:Envelope>", "", strings.Repeat("x", 70000)} {
		h, d, err := cs.Wrap([]byte(msg))
		if err != nil {
			t.Fatal(err)
		}
		if len(h) != 60 || len(d) != len(msg) {
			t.Fatalf("message %d: header %d bytes, data %d (message %d)", i, len(h), len(d), len(msg))
		}
		if bytes.Contains(d, []byte("Envelope")) {
			t.Fatal("the data is not encrypted")
		}
		got, err := acc.Session.Unwrap(h, d)
		if err != nil || string(got) != msg {
			t.Fatalf("message %d: %v", i, err)
		}
		h, d, err = acc.Session.Wrap([]byte("reply " + msg))
		if err != nil {
			t.Fatal(err)
		}
		got, err = cs.Unwrap(h, d)
		if err != nil || string(got) != "reply "+msg {
			t.Fatalf("reply %d: %v", i, err)
		}
	}
}

// Tampered, replayed out of order, or reflected tokens are refused.
func TestUnwrapRefusesBadTokens(t *testing.T) {
	e := setup(t)
	in := e.initiator(t, e.cl, spn01, time.Time{})
	acc, err := e.acceptor(nil).Accept(in.Token)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := in.Complete(acc.Reply)
	if err != nil {
		t.Fatal(err)
	}
	h1, d1, _ := cs.Wrap([]byte("one"))
	h2, d2, _ := cs.Wrap([]byte("two"))
	bad := append([]byte(nil), d1...)
	bad[0] ^= 1
	if _, err := acc.Session.Unwrap(h1, bad); err == nil {
		t.Fatal("tampered data accepted")
	}
	if _, err := acc.Session.Unwrap(h2, d2); err == nil || !strings.Contains(err.Error(), "out of sequence") {
		t.Fatalf("out of order: %v", err)
	}
	if _, err := cs.Unwrap(h1, d1); err == nil || !strings.Contains(err.Error(), "wrong direction") {
		t.Fatalf("reflected: %v", err)
	}
	if got, err := acc.Session.Unwrap(h1, d1); err != nil || string(got) != "one" {
		t.Fatalf("in order: %q %v", got, err)
	}
}

// Each refusal carries its Kerberos error code in a KRB-ERROR token the
// client can read, and a reason for the host's log.
func TestRefusals(t *testing.T) {
	e := setup(t)
	later := time.Now().Add(11 * time.Hour) // beyond the 10 h ticket lifetime
	other := testenv.SharedKDC(t, "FABRIKAM.COM")
	if err := other.AddUser(user, password); err != nil {
		t.Fatal(err)
	}
	if _, err := other.AddService(spn01); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		token  func() []byte
		now    func() time.Time
		code   int32
		reason string
	}{
		{"wrong realm", func() []byte { return e.initiator(t, login(t, other, user, password), spn01, time.Time{}).Token }, nil, gsskrb5.ErrNotUs, "wrong realm"},
		{"another SPN", func() []byte { return e.initiator(t, e.cl, spn02, time.Time{}).Token }, nil, gsskrb5.ErrModified, "another SPN"},
		{"clock skew", func() []byte { return e.initiator(t, e.cl, spn01, time.Time{}).Token }, func() time.Time { return time.Now().Add(6 * time.Minute) }, gsskrb5.ErrSkew, "clock skew"},
		{"expired ticket", func() []byte { return e.initiator(t, e.cl, spn01, later).Token }, func() time.Time { return later }, gsskrb5.ErrTicketExpired, "expired"},
		{"not a Kerberos token", func() []byte { return []byte("NTLMSSP\x00\x01") }, nil, gsskrb5.ErrGeneric, "not a GSS-API"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.acceptor(tc.now).Accept(tc.token())
			var r *gsskrb5.Refusal
			if !errors.As(err, &r) || r.Code != tc.code || !strings.Contains(r.Reason, tc.reason) {
				t.Fatalf("got %v, want %s (%s)", err, gsskrb5.ErrorName(tc.code), tc.reason)
			}
			ke, ok := gsskrb5.ParseError(r.Token)
			if !ok || ke.Code != tc.code {
				t.Fatalf("KRB-ERROR token: %+v %v", ke, ok)
			}
		})
	}
	t.Run("replay", func(t *testing.T) {
		a := e.acceptor(nil)
		tok := e.initiator(t, e.cl, spn01, time.Time{}).Token
		if _, err := a.Accept(tok); err != nil {
			t.Fatal(err)
		}
		var r *gsskrb5.Refusal
		if _, err := a.Accept(tok); !errors.As(err, &r) || r.Code != gsskrb5.ErrRepeat {
			t.Fatalf("replay: %v", err)
		}
	})
	t.Run("KRB-ERROR completes nothing", func(t *testing.T) {
		in := e.initiator(t, e.cl, spn01, time.Time{})
		_, err := e.acceptor(func() time.Time { return time.Now().Add(-time.Hour) }).Accept(in.Token)
		var r *gsskrb5.Refusal
		if !errors.As(err, &r) {
			t.Fatal(err)
		}
		var ke *gsskrb5.KRBError
		if _, err := in.Complete(r.Token); !errors.As(err, &ke) || ke.Code != gsskrb5.ErrSkew {
			t.Fatalf("Complete: %v", err)
		}
	})
}

// A host whose AP-REP is missing or comes from another key fails mutual
// authentication.
func TestMutualAuthenticationIsChecked(t *testing.T) {
	e := setup(t)
	in := e.initiator(t, e.cl, spn01, time.Time{})
	if _, err := in.Complete(nil); err == nil || !strings.Contains(err.Error(), "mutual") {
		t.Fatalf("no AP-REP: %v", err)
	}
	other := e.initiator(t, e.cl, spn01, time.Time{})
	acc, err := e.acceptor(nil).Accept(other.Token)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := in.Complete(acc.Reply); err == nil {
		t.Fatal("an AP-REP for another AP-REQ was accepted")
	}
}

// mit drives MIT's GSS-API in Python as the other side.
type mit struct {
	t   *testing.T
	in  *bufio.Writer
	out *bufio.Scanner
}

func startMIT(t *testing.T, e *env, bindings []byte, args ...string) *mit {
	t.Helper()
	py := testenv.PythonGSSAPI(t)
	ccache := filepath.Join(t.TempDir(), "ccache")
	if err := e.kdc.Kinit(user, password, ccache, ""); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, append([]string{"testdata/mitgss.py"}, args...)...)
	cmd.Env = append(os.Environ(), "KRB5_CONFIG="+e.kdc.Krb5Conf, "KRB5CCNAME=FILE:"+ccache, "KRB5_KTNAME=FILE:"+e.ktPath,
		"MITGSS_BINDINGS="+hex.EncodeToString(bindings))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = stdin.Close()
		if err := cmd.Wait(); err != nil {
			t.Errorf("mitgss.py: %v: %s", err, stderr.String())
		}
	})
	m := &mit{t: t, in: bufio.NewWriter(stdin), out: bufio.NewScanner(stdout)}
	m.out.Buffer(make([]byte, 1<<20), 1<<22)
	return m
}

func (m *mit) send(parts ...[]byte) {
	m.t.Helper()
	words := make([]string, len(parts))
	for i, p := range parts {
		words[i] = hex.EncodeToString(p)
	}
	if _, err := fmt.Fprintln(m.in, strings.Join(words, " ")); err != nil {
		m.t.Fatal(err)
	}
	if err := m.in.Flush(); err != nil {
		m.t.Fatal(err)
	}
}

func (m *mit) command(cmd string, parts ...[]byte) {
	m.t.Helper()
	words := []string{cmd}
	for _, p := range parts {
		words = append(words, hex.EncodeToString(p))
	}
	if _, err := fmt.Fprintln(m.in, strings.Join(words, " ")); err != nil {
		m.t.Fatal(err)
	}
	if err := m.in.Flush(); err != nil {
		m.t.Fatal(err)
	}
}

func (m *mit) recv() [][]byte {
	m.t.Helper()
	if !m.out.Scan() {
		m.t.Fatalf("mitgss.py ended: %v", m.out.Err())
	}
	line := m.out.Text()
	if strings.HasPrefix(line, "error ") || strings.HasPrefix(line, "client ") {
		return [][]byte{[]byte(line)}
	}
	var parts [][]byte
	for _, w := range strings.Fields(line) {
		b, err := hex.DecodeString(w)
		if err != nil {
			m.t.Fatalf("mitgss.py: %q", line)
		}
		parts = append(parts, b)
	}
	if len(parts) == 0 {
		parts = [][]byte{nil}
	}
	return parts
}

// MIT's initiator (what pywinrm and curl use) against our acceptor, and
// our initiator against MIT's acceptor: contexts and sealed messages both
// ways.
func TestInteropWithMIT(t *testing.T) {
	e := setup(t)
	t.Run("MIT initiates", func(t *testing.T) {
		m := startMIT(t, e, nil, "initiate", spn01+"@"+realm)
		acc, err := e.acceptor(nil).Accept(m.recv()[0])
		if err != nil {
			t.Fatal(err)
		}
		m.send(acc.Reply)
		exchange(t, m, acc.Session)
	})
	t.Run("MIT accepts", func(t *testing.T) {
		m := startMIT(t, e, nil, "accept")
		in := e.initiator(t, e.cl, spn01, time.Time{})
		m.send(in.Token)
		reply := m.recv()[0]
		if who := string(m.recv()[0]); who != "client "+user+"@"+realm {
			t.Fatalf("MIT accepted %q", who)
		}
		cs, err := in.Complete(reply)
		if err != nil {
			t.Fatal(err)
		}
		exchange(t, m, cs)
	})
}

// Channel bindings (RFC 4121 4.1.1.2) as MIT computes them: ours are
// accepted by MIT with the same application data and refused with
// other data; MIT's reach our acceptor as the hash we compute.
func TestChannelBindingsWithMIT(t *testing.T) {
	e := setup(t)
	app := []byte("tls-server-end-point:0123456789abcdef0123456789abcdef")
	t.Run("MIT initiates", func(t *testing.T) {
		m := startMIT(t, e, app, "initiate", spn01+"@"+realm)
		acc, err := e.acceptor(nil).Accept(m.recv()[0])
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(acc.Bindings, gsskrb5.BindingsHash(app)) {
			t.Fatalf("MIT's bindings %x, ours %x", acc.Bindings, gsskrb5.BindingsHash(app))
		}
		m.send(acc.Reply)
	})
	for _, tc := range []struct {
		name string
		ours []byte
		ok   bool
	}{{"same data", app, true}, {"other data", []byte("tls-server-end-point:other"), false}} {
		t.Run("MIT accepts, "+tc.name, func(t *testing.T) {
			m := startMIT(t, e, app, "accept")
			tkt, key, err := e.cl.GetServiceTicket(spn01)
			if err != nil {
				t.Fatal(err)
			}
			in, err := gsskrb5.NewInitiator(tkt, key, gsskrb5.InitiatorOptions{Realm: e.cl.Credentials.Domain(), CName: e.cl.Credentials.CName(),
				Flags: gsskrb5.FlagMutual | gsskrb5.FlagConf | gsskrb5.FlagInteg, Bindings: gsskrb5.BindingsHash(tc.ours)})
			if err != nil {
				t.Fatal(err)
			}
			m.send(in.Token)
			reply := string(m.recv()[0])
			if refused := strings.HasPrefix(reply, "error "); refused == tc.ok {
				t.Fatalf("MIT answered %q", reply)
			}
			if tc.ok {
				m.recv() // the client's name
			}
		})
	}
}

func exchange(t *testing.T, m *mit, s *gsskrb5.Session) {
	t.Helper()
	for _, msg := range []string{"<s:Envelope>ours</s:Envelope>", strings.Repeat("long ", 5000)} {
		h, d, err := s.Wrap([]byte(msg))
		if err != nil {
			t.Fatal(err)
		}
		m.command("unwrap", h, d)
		if got := m.recv()[0]; string(got) != msg {
			t.Fatalf("MIT unwrapped %q", got)
		}
		m.command("wrap", []byte("theirs "+msg))
		parts := m.recv()
		if len(parts) != 2 {
			t.Fatalf("MIT wrap: %q", parts[0])
		}
		got, err := s.Unwrap(parts[0], parts[1])
		if err != nil || string(got) != "theirs "+msg {
			t.Fatalf("unwrapping MIT's token: %v", err)
		}
	}
}
