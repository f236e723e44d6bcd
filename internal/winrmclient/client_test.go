package winrmclient_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// httpActions lists the WS-Management actions the host saw after mark.
func httpActions(h *winsim.Host, mark int64) []string {
	var out []string
	for _, e := range h.Log(mark) {
		if e.Event == "http" {
			a := e.Action
			if a == "" {
				a = "auth"
			}
			out = append(out, a)
		}
	}
	return out
}

func wantKind(t *testing.T, err error, kind winrmclient.Kind, substrings ...string) {
	t.Helper()
	_ = kindError(t, err, kind, substrings...)
}

// kindError checks err like wantKind and returns it for more checks.
func kindError(t *testing.T, err error, kind winrmclient.Kind, substrings ...string) *winrmclient.Error {
	t.Helper()
	var e *winrmclient.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v (%T), want a *winrmclient.Error of kind %s", err, err, kind)
	}
	if e.Kind != kind {
		t.Fatalf("kind = %s, want %s (error: %v)", e.Kind, kind, err)
	}
	for _, s := range substrings {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not contain %q", err.Error(), s)
		}
	}
	return e
}

func TestRunOperationBasicHTTPS(t *testing.T) {
	sim := startSim(t, lsHost("LS01"))
	h := sim.Host("LS01")
	c := clientFor(t, sim, h, nil)

	mark := h.LogSeq()
	info, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{})
	if err != nil {
		t.Fatal(err)
	}
	if info.ComputerName != "LS01" || info.OSVersion != "2022" || info.PartOfDomain {
		t.Fatalf("host info = %+v", info)
	}
	// A cold host: Create, Command (the bootstrap), then the prelude and
	// the request in one Send, and one Receive.
	if got := strings.Join(httpActions(h, mark), " "); got != "Create Command Send Receive" {
		t.Fatalf("first operation made requests %q", got)
	}
	// A warm session: one Send, one Receive.
	mark = h.LogSeq()
	if _, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(httpActions(h, mark), " "); got != "Send Receive" {
		t.Fatalf("second operation made requests %q, want \"Send Receive\"", got)
	}
	if c.Stats(h.State().Address) != 6 {
		t.Fatalf("client counted %d HTTP requests, want 6", c.Stats(h.State().Address))
	}
}

func TestNTLMOverHTTPSealsEveryMessage(t *testing.T) {
	sim := startSim(t, lsHost("LS01"))
	h := sim.Host("LS01")
	c := clientFor(t, sim, h, func(cfg *winrmclient.Config) {
		cfg.HTTPS, cfg.Port, cfg.Auth = false, 0, winrmclient.AuthNTLM
	})
	for i := 0; i < 3; i++ {
		if _, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{}); err != nil {
			t.Fatal(err)
		}
	}
	var auth, encrypted, other int
	for _, e := range h.Log(0) {
		if e.Event != "http" {
			continue
		}
		switch {
		case e.Action == "" && (e.Auth == "negotiate" || e.Auth == "ntlm"):
			auth++
		case e.Auth == "encrypted":
			encrypted++
		default:
			other++
			t.Errorf("unexpected request %+v", e)
		}
	}
	// One handshake (NEGOTIATE, AUTHENTICATE) for the one connection, then
	// every message sealed: 4 for the first operation, 2 for each other.
	if auth != 2 || encrypted != 8 || other != 0 {
		t.Fatalf("handshake legs %d, sealed messages %d, other %d; want 2, 8, 0", auth, encrypted, other)
	}
}

func TestNTLMOverHTTPSAuthenticatesTheConnection(t *testing.T) {
	sim := startSim(t, lsHost("LS01"))
	h := sim.Host("LS01")
	c := clientFor(t, sim, h, func(cfg *winrmclient.Config) { cfg.Auth = winrmclient.AuthNTLM })
	for i := 0; i < 2; i++ {
		if _, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{}); err != nil {
			t.Fatal(err)
		}
	}
	if got := strings.Join(httpActions(h, 0), " "); got != "auth Create Command Send Receive Send Receive" {
		t.Fatalf("requests %q", got)
	}
}

func TestDomainUserForms(t *testing.T) {
	st := winsim.NewLicenseServerHost("LS01", "2022", "contoso.com")
	st.Users = []winsim.User{{Name: "alice", Password: "Al1ce-Secret", Domain: "contoso.com", Admin: true}}
	sim := startSim(t, st)
	h := sim.Host("LS01")
	for _, user := range []string{`CONTOSO\alice`, "alice@contoso.com", "alice"} {
		t.Run(user, func(t *testing.T) {
			c := clientFor(t, sim, h, func(cfg *winrmclient.Config) {
				cfg.HTTPS, cfg.Port, cfg.Auth = false, 0, winrmclient.AuthNTLM
				cfg.Username, cfg.Password = user, "Al1ce-Secret"
			})
			stdout, _, code, err := c.RunCommand(ctxT(t), "", "whoami")
			if err != nil || code != 0 || stdout != "contoso\\alice\r\n" {
				t.Fatalf("whoami = %q, %d, %v", stdout, code, err)
			}
		})
	}
	// Basic works with local accounts only.
	c := clientFor(t, sim, h, func(cfg *winrmclient.Config) { cfg.Username, cfg.Password = `CONTOSO\alice`, "Al1ce-Secret" })
	_, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{})
	wantKind(t, err, winrmclient.KindAuth, "works only with local accounts")
}

func TestBadCredentials(t *testing.T) {
	sim := startSim(t, lsHost("LS01"))
	h := sim.Host("LS01")
	for _, auth := range []string{winrmclient.AuthBasic, winrmclient.AuthNTLM} {
		t.Run(auth, func(t *testing.T) {
			c := clientFor(t, sim, h, func(cfg *winrmclient.Config) { cfg.Auth, cfg.Password = auth, "wrong-password" })
			_, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{})
			wantKind(t, err, winrmclient.KindAuth, "HTTP 401", "password")
		})
	}
}

func TestBasicOverHTTP(t *testing.T) {
	sim := startSim(t, lsHost("LS01"))
	h := sim.Host("LS01")
	// Refused by the client unless the user opts in.
	_, err := winrmclient.New(winrmclient.Config{Host: "x", Username: "u", Password: "p", Auth: winrmclient.AuthBasic})
	var ce *winrmclient.ConfigError
	if !errors.As(err, &ce) || ce.Field != "auth" || !strings.Contains(ce.Message, "clear text") {
		t.Fatalf("config error = %v", err)
	}
	// Opted in, but the host keeps AllowUnencrypted=false: 401.
	c := clientFor(t, sim, h, func(cfg *winrmclient.Config) { cfg.HTTPS, cfg.Port, cfg.AllowUnencrypted = false, 0, true })
	_, err = rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{})
	wantKind(t, err, winrmclient.KindAuth)
	// Both sides allow it.
	h.Update(func(st *winsim.HostState) { st.WinRM.AllowUnencrypted = true })
	c = clientFor(t, sim, h, func(cfg *winrmclient.Config) { cfg.HTTPS, cfg.Port, cfg.AllowUnencrypted = false, 0, true })
	if _, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{}); err != nil {
		t.Fatal(err)
	}
}

func TestBasicDisabledOnHost(t *testing.T) {
	st := lsHost("LS01")
	st.WinRM = winsim.DefaultWinRM
	st.WinRM.Basic = false
	sim := startSim(t, st)
	c := clientFor(t, sim, sim.Host("LS01"), nil)
	_, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{})
	wantKind(t, err, winrmclient.KindAuth, `Basic="true"`)
}

func TestTLSVerification(t *testing.T) {
	sim := startSim(t, lsHost("LS01"))
	h := sim.Host("LS01")
	c := clientFor(t, sim, h, func(cfg *winrmclient.Config) { cfg.CACert = nil })
	_, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{})
	wantKind(t, err, winrmclient.KindTransport, "ca_cert", "insecure")

	c = clientFor(t, sim, h, func(cfg *winrmclient.Config) { cfg.CACert, cfg.Insecure = nil, true })
	if _, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{}); err != nil {
		t.Fatalf("insecure: %v", err)
	}
	c = clientFor(t, sim, h, func(cfg *winrmclient.Config) { cfg.TLSServerName = "other.example" })
	_, err = rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{})
	wantKind(t, err, winrmclient.KindTransport, "tls_server_name")
	// The certificate carries the host's name and FQDN too.
	c = clientFor(t, sim, h, func(cfg *winrmclient.Config) { cfg.TLSServerName = "ls01" })
	if _, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{}); err != nil {
		t.Fatalf("tls_server_name ls01: %v", err)
	}
}

// tls_server_name names the provider's host only: other hosts are
// verified against their own names.
func TestTLSServerNameAppliesToTheDefaultHostOnly(t *testing.T) {
	sim := startSim(t, lsHost("LS01"), lsHost("LS02"))
	c := clientFor(t, sim, sim.Host("LS01"), func(cfg *winrmclient.Config) { cfg.TLSServerName = "ls01" })
	for _, name := range []string{"LS01", "LS02"} {
		info, err := rds.GetHostInfo.Run(ctxT(t), c, sim.Host(name).State().Address, rds.NoInput{})
		if err != nil || info.ComputerName != name {
			t.Fatalf("%s: %+v, %v", name, info, err)
		}
	}
}

func TestConnectionRefused(t *testing.T) {
	sim := startSim(t, lsHost("LS01"))
	c := clientFor(t, sim, sim.Host("LS01"), func(cfg *winrmclient.Config) { cfg.Port = 1 })
	_, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{})
	wantKind(t, err, winrmclient.KindTransport, "refused", "listener")
}

func TestNonAdministrator(t *testing.T) {
	st := lsHost("LS01")
	st.Users = append(st.Users,
		winsim.User{Name: "operator", Password: "0perator-pw", RemoteManagement: true},
		winsim.User{Name: "guest", Password: "Gu3st-pw"})
	sim := startSim(t, st)
	h := sim.Host("LS01")
	// May use WinRM, but not the cmd shell: Windows refuses the shell, and
	// the advice must not send the user to Remote Management Users.
	c := clientFor(t, sim, h, func(cfg *winrmclient.Config) { cfg.Username, cfg.Password = "operator", "0perator-pw" })
	_, err := rds.GetLicenseServer.Run(ctxT(t), c, "", rds.NoInput{})
	wantKind(t, err, winrmclient.KindAccessDenied, "must be a local administrator of the host;", "Remote Management Users may use WinRM but not the cmd shell", "Access is denied")
	// May not use WinRM at all: WS-Management access denied.
	c = clientFor(t, sim, h, func(cfg *winrmclient.Config) { cfg.Username, cfg.Password = "guest", "Gu3st-pw" })
	_, err = rds.GetLicenseServer.Run(ctxT(t), c, "", rds.NoInput{})
	wantKind(t, err, winrmclient.KindAccessDenied, "must be a local administrator of the host;")
}

func TestConcurrencyIsBoundedPerHost(t *testing.T) {
	st := lsHost("LS01")
	st.Realism = winsim.FastTiming
	st.Realism.OperationMS = 50
	sim := startSim(t, st)
	h := sim.Host("LS01")
	c := clientFor(t, sim, h, func(cfg *winrmclient.Config) { cfg.MaxConnectionsPerHost = 2 })
	var maxShells atomic.Int32
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			if n := int32(len(h.Shells())); n > maxShells.Load() {
				maxShells.Store(n)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{})
			errs <- err
		}()
	}
	wg.Wait()
	close(stop)
	close(errs)
	// Pooled shells stay open: a last look sees them if the sampler,
	// slowed by a busy machine, never ran during the operations.
	if n := int32(len(h.Shells())); n > maxShells.Load() {
		maxShells.Store(n)
	}
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if m := maxShells.Load(); m < 1 || m > 2 {
		t.Fatalf("at most %d shells were open at once, want 1 or 2", m)
	}
}

func TestCloseDeletesEveryShell(t *testing.T) {
	sim := startSim(t, lsHost("LS01"), lsHost("LS02"))
	c := clientFor(t, sim, sim.Host("LS01"), nil)
	for _, name := range []string{"LS01", "LS02"} {
		if _, err := rds.GetHostInfo.Run(ctxT(t), c, sim.Host(name).State().Address, rds.NoInput{}); err != nil {
			t.Fatal(err)
		}
		if n := len(sim.Host(name).Shells()); n != 1 {
			t.Fatalf("%s has %d shells open, want 1", name, n)
		}
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"LS01", "LS02"} {
		if n := len(sim.Host(name).Shells()); n != 0 {
			t.Fatalf("%s has %d shells open after Close", name, n)
		}
	}
	_, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{})
	wantKind(t, err, winrmclient.KindCanceled, "closed")
}

func TestPerOperationProcess(t *testing.T) {
	sim := startSim(t, lsHost("LS01"))
	h := sim.Host("LS01")
	c := clientFor(t, sim, h, winrmclient.SetPerOperationProcess)
	for i := 0; i < 2; i++ {
		if _, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{}); err != nil {
			t.Fatal(err)
		}
	}
	if got := strings.Join(httpActions(h, 0), " "); got != "Create Command Send Receive Signal Command Send Receive Signal" {
		t.Fatalf("requests %q", got)
	}
}

func TestStdoutAndStderrEncodingsAreTolerated(t *testing.T) {
	st := lsHost("LS01")
	st.Quirks = winsim.DefaultQuirks
	st.Quirks.StdoutBOM, st.Quirks.StderrBOM, st.Quirks.ProgressNoise = true, true, true
	sim := startSim(t, st)
	c := clientFor(t, sim, sim.Host("LS01"), nil)
	info, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{})
	if err != nil || info.ComputerName != "LS01" {
		t.Fatalf("%+v, %v", info, err)
	}
}

// One winsim process serves 500 hosts, each on its own address with its
// own state; one client talks to all of them.
func TestFleetOf500Hosts(t *testing.T) {
	var hosts []winsim.HostState
	for i := 0; i < 500; i++ {
		st := winsim.NewSessionHost(fmt.Sprintf("RDSH%03d", i), "2022", "", time.Now().Add(48*time.Hour))
		st.Quirks.ProgressNoise = false
		hosts = append(hosts, st)
	}
	sim := startSim(t, hosts...)
	c := clientFor(t, sim, sim.Hosts()[0], func(cfg *winrmclient.Config) { cfg.MaxConnectionsPerHost = 1 })
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	errs := make(chan error, len(hosts))
	for _, h := range sim.Hosts() {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			info, err := rds.GetHostInfo.Run(ctxT(t), c, h.State().Address, rds.NoInput{})
			if err == nil && info.ComputerName != h.Name() {
				err = errors.New("answer from the wrong host: " + info.ComputerName + " instead of " + h.Name())
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	for _, h := range sim.Hosts() {
		if n := len(h.Shells()); n != 0 {
			t.Fatalf("%s has %d shells open after Close", h.Name(), n)
		}
	}
}

// A domain account exists on every host of its domain: a Domain Admin
// listed on one host logs on to the others as an administrator; a plain
// domain user logs on but is no administrator there.
func TestDomainAccountsSpanTheDomain(t *testing.T) {
	ls := winsim.NewLicenseServerHost("LS01", "2022", "contoso.com")
	ls.Users = append(ls.Users,
		winsim.User{Name: "rdsadmin", Password: "Rds-Adm1n", Domain: "contoso.com", Admin: true, DomainAdmin: true},
		winsim.User{Name: "bob", Password: "B0b-pw", Domain: "contoso.com", Admin: true})
	sh := winsim.NewSessionHost("RDSH01", "2022", "contoso.com", time.Now().Add(time.Hour))
	other := winsim.NewSessionHost("WG01", "2022", "", time.Now().Add(time.Hour))
	sim := startSim(t, ls, sh, other)
	for _, tc := range []struct {
		host, user, password string
		kind                 winrmclient.Kind
	}{
		{"RDSH01", `CONTOSO\rdsadmin`, "Rds-Adm1n", ""},
		{"RDSH01", `CONTOSO\bob`, "B0b-pw", winrmclient.KindAccessDenied},
		{"WG01", `CONTOSO\rdsadmin`, "Rds-Adm1n", winrmclient.KindAuth},
	} {
		c := clientFor(t, sim, sim.Host(tc.host), func(cfg *winrmclient.Config) {
			cfg.Auth, cfg.Username, cfg.Password = winrmclient.AuthNTLM, tc.user, tc.password
		})
		_, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{})
		if tc.kind == "" && err != nil || tc.kind != "" && winrmclient.KindOf(err) != tc.kind {
			t.Errorf("%s as %s: %v, want %q", tc.host, tc.user, err, tc.kind)
		}
	}
}

// The scripts reach powershell.exe through a pipe: the Command asks for
// stdin in pipe mode (WINRS_CONSOLEMODE_STDIN=FALSE), as Ansible does
// whenever it streams stdin.
func TestCommandAsksForPipeStdin(t *testing.T) {
	sim := startSim(t, lsHost("LS01"))
	h := sim.Host("LS01")
	c := clientFor(t, sim, h, nil)
	if _, err := rds.GetHostInfo.Run(ctxT(t), c, h.State().Address, rds.NoInput{}); err != nil {
		t.Fatal(err)
	}
	shells := h.Shells()
	if len(shells) != 1 || shells[0].ConsoleModeStdin != "FALSE" {
		t.Fatalf("shells %+v: want one whose Command sent WINRS_CONSOLEMODE_STDIN=FALSE", shells)
	}
}
