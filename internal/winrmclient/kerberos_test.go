package winrmclient_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/testenv"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testenv.StopKDCs()
	os.Exit(code)
}

// Without a KDC, Kerberos fails before any host is contacted, clearly.
func TestKerberosFailuresAreClear(t *testing.T) {
	sim := startSim(t, lsHost("LS01"))
	h := sim.Host("LS01")
	dir := t.TempDir()
	conf := filepath.Join(dir, "krb5.conf")
	// A KDC that refuses connections.
	if err := os.WriteFile(conf, []byte("[libdefaults]\n default_realm = CONTOSO.COM\n dns_lookup_kdc = false\n[realms]\n CONTOSO.COM = {\n  kdc = 127.0.0.1:1\n }\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, krb5 string
		want       []string
	}{
		{"no configuration file", filepath.Join(dir, "missing.conf"), []string{"cannot read the Kerberos configuration"}},
		{"KDC unreachable", conf, []string{"Kerberos login as admin@CONTOSO.COM failed: no KDC of realm CONTOSO.COM answered", "port 88", conf}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := clientFor(t, sim, h, func(cfg *winrmclient.Config) {
				cfg.Auth, cfg.Username, cfg.Password = winrmclient.AuthKerberos, `CONTOSO\admin`, "pw"
				cfg.Kerberos = winrmclient.KerberosConfig{Realm: "contoso.com", Krb5Conf: tc.krb5}
			})
			mark := h.LogSeq()
			_, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{})
			wantKind(t, err, winrmclient.KindAuth, tc.want...)
			if n := len(h.Log(mark)); n != 0 {
				t.Errorf("the host got %d requests", n)
			}
		})
	}
}

// A failed Kerberos setup is not kept: fixing it (here, writing the
// missing krb5.conf) takes effect on the next operation.
func TestKerberosFailureIsNotCached(t *testing.T) {
	sim := startSim(t, lsHost("LS01"))
	conf := filepath.Join(t.TempDir(), "krb5.conf")
	c := clientFor(t, sim, sim.Host("LS01"), func(cfg *winrmclient.Config) {
		cfg.Auth, cfg.Username, cfg.Password = winrmclient.AuthKerberos, `CONTOSO\admin`, "pw"
		cfg.Kerberos = winrmclient.KerberosConfig{Realm: "contoso.com", Krb5Conf: conf}
	})
	_, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{})
	wantKind(t, err, winrmclient.KindAuth, "cannot read the Kerberos configuration")
	if err := os.WriteFile(conf, []byte("[libdefaults]\n default_realm = CONTOSO.COM\n dns_lookup_kdc = false\n[realms]\n CONTOSO.COM = {\n  kdc = 127.0.0.1:1\n }\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{})
	wantKind(t, err, winrmclient.KindAuth, "Kerberos login as admin@CONTOSO.COM failed")
}

const (
	krbRealm    = "CONTOSO.COM"
	krbPassword = "Krb-P@ssw0rd2"
)

// krbEnv is a domain of winsim hosts with a real KDC: each host has its
// HTTP/<fqdn> key, user is a Domain Admin.
type krbEnv struct {
	kdc  *testenv.KDC
	sim  *winsim.Sim
	user string
}

func newKrbEnv(t *testing.T, user string, mutate func(*winsim.HostState), names ...string) *krbEnv {
	t.Helper()
	kdc := testenv.SharedKDC(t, krbRealm)
	if err := kdc.AddUser(user, krbPassword); err != nil {
		t.Fatal(err)
	}
	var hosts []winsim.HostState
	for _, n := range names {
		st := winsim.NewLicenseServerHost(n, "2022", "contoso.com")
		st.Quirks.ProgressNoise = false
		st.Users = append(st.Users, winsim.User{Name: user, Password: krbPassword, Domain: "contoso.com", DomainAdmin: true, Admin: true})
		if mutate != nil {
			mutate(&st)
		}
		hosts = append(hosts, st)
	}
	sim := startSim(t, hosts...)
	for _, n := range names {
		kt, err := kdc.AddService("HTTP/" + fqdn(n))
		if err != nil {
			t.Fatal(err)
		}
		if err := sim.AddKeytab(kt); err != nil {
			t.Fatal(err)
		}
	}
	return &krbEnv{kdc: kdc, sim: sim, user: user}
}

func fqdn(name string) string { return strings.ToLower(name) + ".contoso.com" }

// client logs on as the env's user, to hosts named by FQDN and reached at
// their winsim addresses.
func (e *krbEnv) client(t *testing.T, https bool, mutate func(*winrmclient.Config)) *winrmclient.Client {
	t.Helper()
	addrs := map[string]string{}
	for _, h := range e.sim.Hosts() {
		addrs[fqdn(h.State().Name)] = h.State().Address
	}
	first := e.sim.Hosts()[0]
	return clientFor(t, e.sim, first, func(cfg *winrmclient.Config) {
		cfg.Host, cfg.HTTPS, cfg.Addresses = fqdn(first.State().Name), https, addrs
		if !https {
			cfg.Port = 0
		}
		cfg.Auth, cfg.Username, cfg.Password = winrmclient.AuthKerberos, `CONTOSO\`+e.user, krbPassword
		cfg.Kerberos = winrmclient.KerberosConfig{Realm: "contoso.com", Krb5Conf: e.kdc.Krb5Conf}
		if mutate != nil {
			mutate(cfg)
		}
	})
}

// requests sums a host's HTTP requests since mark by authentication.
func requests(h *winsim.Host, mark int64) map[string]int {
	n := map[string]int{}
	for _, e := range h.Log(mark) {
		if e.Event == "http" {
			n[e.Auth]++
		}
	}
	return n
}

// Over HTTPS one AP-REQ per connection rides with its first message;
// the connection then stays authenticated: 4 requests for a cold host's
// first operation, 2 for each other, and no handshake leg at all.
func TestKerberosOverHTTPS(t *testing.T) {
	e := newKrbEnv(t, "krbhttps", nil, "LS01")
	c := e.client(t, true, nil)
	h := e.sim.Host("LS01")
	for i := 0; i < 3; i++ {
		info, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{})
		if err != nil {
			t.Fatal(err)
		}
		if info.ComputerName != "LS01" {
			t.Fatalf("%+v", info)
		}
	}
	got := requests(h, 0)
	if got["kerberos"] != 1 || got["session"] != 7 || len(got) != 2 {
		t.Fatalf("requests by authentication %v, want 1 kerberos (with the first message) and 7 on the session", got)
	}
	for _, l := range h.Log(0) {
		if l.Event == "http" && l.User != "krbhttps" {
			t.Fatalf("request as %q", l.User)
		}
	}
	if tgts, tickets := e.kdc.Requests("krbhttps"); tgts != 1 || tickets != 1 {
		t.Fatalf("KDC issued %d TGTs and %d service tickets, want 1 and 1", tgts, tickets)
	}
}

// Over HTTP every message is sealed with the Kerberos context under the
// Kerberos scheme's protocol, so the host needs no AllowUnencrypted: one
// empty authentication leg per connection, then sealed messages.
func TestKerberosOverHTTPSealsEveryMessage(t *testing.T) {
	e := newKrbEnv(t, "krbhttp", nil, "LS01")
	c := e.client(t, false, nil)
	h := e.sim.Host("LS01")
	for i := 0; i < 3; i++ {
		if _, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{}); err != nil {
			t.Fatal(err)
		}
	}
	if got := requests(h, 0); got["kerberos"] != 1 || got["encrypted"] != 8 || len(got) != 2 {
		t.Fatalf("requests by authentication %v, want 1 kerberos leg and 8 sealed messages", got)
	}
}

// Each failure says what failed and what to do.
func TestKerberosFailuresWithAKDC(t *testing.T) {
	e := newKrbEnv(t, "krbfail", nil, "LS01", "LS02")
	ls01 := e.sim.Host("LS01").State().Address
	httpPort, _ := e.sim.Ports()
	for _, tc := range []struct {
		name   string
		mutate func(*winrmclient.Config)
		host   string
		want   []string
	}{
		{"no such user", func(cfg *winrmclient.Config) { cfg.Username = `CONTOSO\nobody` }, "",
			[]string{"the KDC of CONTOSO.COM knows no user nobody@CONTOSO.COM (KDC_ERR_C_PRINCIPAL_UNKNOWN)", "check username and kerberos_realm"}},
		{"wrong password", func(cfg *winrmclient.Config) { cfg.Password = "Not-The-Pa55word" }, "",
			[]string{"Kerberos login as krbfail@CONTOSO.COM failed: wrong password"}},
		{"SPN unknown (an IP address)", nil, ls01,
			[]string{"the KDC knows no service principal HTTP/" + ls01 + " (KDC_ERR_S_PRINCIPAL_UNKNOWN)", "not an IP address"}},
		// Over HTTP: over HTTPS the certificate's name stops it first.
		{"name reaching another host", func(cfg *winrmclient.Config) {
			cfg.Addresses[fqdn("LS02")], cfg.HTTPS, cfg.Port = ls01, false, httpPort
		}, fqdn("LS02"),
			[]string{"the host cannot decrypt the ticket for HTTP/ls02.contoso.com (KRB_AP_ERR_MODIFIED)", "setspn -Q"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := e.client(t, true, tc.mutate)
			_, err := rds.GetHostInfo.Run(ctxT(t), c, tc.host, rds.NoInput{})
			wantKind(t, err, winrmclient.KindAuth, tc.want...)
			if strings.Contains(err.Error(), krbPassword) {
				t.Fatal("the error shows the password")
			}
		})
	}
	t.Run("clock skew", func(t *testing.T) {
		e := newKrbEnv(t, "krbskew", func(st *winsim.HostState) { st.ClockOffsetSeconds = 900 }, "LS03")
		_, err := rds.GetHostInfo.Run(ctxT(t), e.client(t, true, nil), "", rds.NoInput{})
		wantKind(t, err, winrmclient.KindAuth, "its clock and this machine's differ by more than 5 minutes", "KRB_AP_ERR_SKEW", "w32tm /resync")
		if log := e.sim.Host("LS03").Log(0); len(log) != 1 || !strings.Contains(log[0].Detail, "clock skew") {
			t.Fatalf("winsim log %+v", log)
		}
	})
	t.Run("bare 401", func(t *testing.T) {
		e := newKrbEnv(t, "krbbare", func(st *winsim.HostState) { st.ClockOffsetSeconds, st.Quirks.KerberosBare401 = 900, true }, "LS04")
		_, err := rds.GetHostInfo.Run(ctxT(t), e.client(t, true, nil), "", rds.NoInput{})
		wantKind(t, err, winrmclient.KindAuth, "the host refused the Kerberos ticket for HTTP/ls04.contoso.com (HTTP 401)", "clocks agree within 5 minutes")
	})
	t.Run("Kerberos disabled", func(t *testing.T) {
		e := newKrbEnv(t, "krbdisabled", func(st *winsim.HostState) { st.WinRM.Kerberos = false }, "LS05")
		_, err := rds.GetHostInfo.Run(ctxT(t), e.client(t, true, nil), "", rds.NoInput{})
		wantKind(t, err, winrmclient.KindAuth, "the host does not offer Kerberos authentication", `auth = "ntlm"`)
	})
}

// A credential cache that kinit filled serves instead of a password; one
// whose TGT has expired is reported as such.
func TestKerberosCredentialCache(t *testing.T) {
	e := newKrbEnv(t, "krbccache", nil, "LS01")
	ccache := filepath.Join(t.TempDir(), "ccache")
	if err := e.kdc.Kinit("krbccache", krbPassword, ccache, ""); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KRB5CCNAME", "FILE:"+ccache)
	c := e.client(t, false, func(cfg *winrmclient.Config) { cfg.Password = "" })
	if _, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{}); err != nil {
		t.Fatal(err)
	}
	if tgts, _ := e.kdc.Requests("krbccache"); tgts != 1 {
		t.Fatalf("%d TGTs issued, want only kinit's", tgts)
	}

	other := filepath.Join(t.TempDir(), "other")
	if err := e.kdc.AddUser("krbother", krbPassword); err != nil {
		t.Fatal(err)
	}
	if err := e.kdc.Kinit("krbother", krbPassword, other, ""); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KRB5CCNAME", "FILE:"+other)
	c = e.client(t, false, func(cfg *winrmclient.Config) { cfg.Password = "" })
	_, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{})
	wantKind(t, err, winrmclient.KindAuth, "holds tickets of krbother@CONTOSO.COM, not of krbccache@CONTOSO.COM")
}

// Twenty hosts share one TGT; each gets one service ticket however many
// connections open to it at once.
func TestKerberosOneTGTForAFleet(t *testing.T) {
	names := make([]string, 20)
	for i := range names {
		names[i] = fmt.Sprintf("FLEET%02d", i+1)
	}
	e := newKrbEnv(t, "krbfleet", nil, names...)
	c := e.client(t, false, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 2*len(names))
	for _, n := range names {
		for j := 0; j < 2; j++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := rds.GetHostInfo.Run(ctxT(t), c, fqdn(n), rds.NoInput{}); err != nil {
					errs <- err
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if tgts, tickets := e.kdc.Requests("krbfleet"); tgts != 1 || tickets != len(names) {
		t.Fatalf("KDC issued %d TGTs and %d service tickets, want 1 and %d", tgts, tickets, len(names))
	}
}

// Requests per operation for each authentication, counted on the wire:
// the cost of logging on is paid once per connection (a host's first
// operation), then an operation is a Send and a Receive whatever the
// method. The cold numbers are in docs/design/kerberos.md.
func TestRequestsPerOperationByAuth(t *testing.T) {
	e := newKrbEnv(t, "krbcount", nil, "LS01")
	for _, tc := range []struct {
		name  string
		https bool
		auth  string
		cold  int64 // the first operation: Create, Command, Send, Receive and the logon
	}{
		{"basic over HTTPS", true, winrmclient.AuthBasic, 4},
		{"NTLM over HTTPS", true, winrmclient.AuthNTLM, 5},         // NEGOTIATE; AUTHENTICATE carries Create
		{"NTLM over HTTP", false, winrmclient.AuthNTLM, 6},         // NEGOTIATE, empty AUTHENTICATE
		{"Kerberos over HTTPS", true, winrmclient.AuthKerberos, 4}, // the AP-REQ carries Create
		{"Kerberos over HTTP", false, winrmclient.AuthKerberos, 5}, // empty AP-REQ leg
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := e.client(t, tc.https, func(cfg *winrmclient.Config) {
				cfg.Auth = tc.auth
				if tc.auth != winrmclient.AuthKerberos {
					cfg.Username, cfg.Password = "Administrator", winsim.DefaultPassword
				}
			})
			host := fqdn("LS01")
			var counts []int64
			for i := 0; i < 3; i++ {
				before := c.Stats(host)
				if _, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{}); err != nil {
					t.Fatal(err)
				}
				counts = append(counts, c.Stats(host)-before)
			}
			if counts[0] != tc.cold || counts[1] != 2 || counts[2] != 2 {
				t.Fatalf("requests per operation %v, want [%d 2 2]", counts, tc.cold)
			}
		})
	}
}
