package winrmclient_test

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/testenv"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// Each way a host can be dead is reported by its own time limit, which
// says what timed out and what to check, and is not retried. The limits
// are short here; the tests assert which one fired, not how long it took
// (the context bounds that generously).

// newClient builds a client from cfg with the test's fixed settings, and
// counts its connection attempts.
func newClient(t *testing.T, cfg winrmclient.Config) (*winrmclient.Client, *atomic.Int64) {
	t.Helper()
	dials := &atomic.Int64{}
	winrmclient.SetDialer(&cfg, func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	})
	if cfg.Username == "" {
		cfg.Username, cfg.Password = "Administrator", winsim.DefaultPassword
	}
	cfg.Library = rds.Library
	cfg.Logger = testLogger(t)
	if cfg.Timeout == 0 {
		cfg.Timeout = 60 * time.Second
	}
	c, err := winrmclient.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c, dials
}

func TestDeadHostTimeouts(t *testing.T) {
	const short = 300 * time.Millisecond
	for _, tc := range []struct {
		name string
		host func(testing.TB) (string, int)
		cfg  winrmclient.Config
		want []string
	}{
		{"connecting", testenv.BlackholeHost, winrmclient.Config{HTTPS: true, Insecure: true, Auth: winrmclient.AuthBasic, ConnectTimeout: short},
			[]string{"timed out connecting to", "connect_timeout 300ms", "firewall", "Test-NetConnection"}},
		{"TLS handshake", testenv.SilentHost, winrmclient.Config{HTTPS: true, Insecure: true, Auth: winrmclient.AuthBasic, ConnectTimeout: short},
			[]string{"accepted the connection, but the TLS handshake timed out", "connect_timeout 300ms", "HTTPS listener"}},
		{"answer over HTTP", testenv.SilentHost, winrmclient.Config{Auth: winrmclient.AuthNTLM, ResponseTimeout: short},
			[]string{"timed out waiting for", "response_timeout 300ms", "winrm enumerate winrm/config/listener", "proxy"}},
		{"answer over HTTPS", testenv.SilentTLSHost, winrmclient.Config{HTTPS: true, Insecure: true, Auth: winrmclient.AuthBasic, ResponseTimeout: short},
			[]string{"timed out waiting for", "response_timeout 300ms"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			host, port := tc.host(t)
			cfg := tc.cfg
			cfg.Host, cfg.Port = host, port
			c, dials := newClient(t, cfg)
			_, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{})
			e := kindError(t, err, winrmclient.KindTransport, append(tc.want, fmt.Sprintf("%s:%d", host, port))...)
			if e.OutcomeUnknown {
				t.Errorf("nothing ran, yet OutcomeUnknown: %v", err)
			}
			// A dead host stays dead for the next attempt: no retry.
			if n := dials.Load(); n != 1 {
				t.Errorf("%d connection attempts, want 1", n)
			}
		})
	}
}

// The defaults report a dead host well within 30 s, however it is dead.
func TestDeadHostDefaults(t *testing.T) {
	if winrmclient.DefaultConnectTimeout+winrmclient.DefaultResponseTimeout > 30*time.Second {
		t.Fatalf("connect %s + answer %s", winrmclient.DefaultConnectTimeout, winrmclient.DefaultResponseTimeout)
	}
}

// A Receive may wait for output longer than response_timeout: up to the
// long poll's OperationTimeout more.
func TestReceiveLongPollIsNotAResponseTimeout(t *testing.T) {
	sim := startSim(t, lsHost("LS01"))
	h := sim.Host("LS01")
	addFault(t, h, winsim.Fault{Type: winsim.FaultDelay, Operation: "get_host_info", DelayMS: 5000, Count: 1})
	c := clientFor(t, sim, h, func(cfg *winrmclient.Config) {
		cfg.ResponseTimeout = 2 * time.Second
		cfg.OperationTimeout = 20 * time.Second
	})
	if _, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{}); err != nil {
		t.Fatalf("an operation longer than response_timeout failed: %v", err)
	}
}

// https = false against the HTTPS listener: the port is found to speak
// TLS, whether the host resets the connection (winsim's default) or
// answers HTTP 400.
func TestHTTPToHTTPSListener(t *testing.T) {
	for _, answer400 := range []bool{false, true} {
		t.Run(fmt.Sprintf("answer400=%t", answer400), func(t *testing.T) {
			st := lsHost("LS01")
			st.Quirks.PlainHTTPOnHTTPS400 = answer400
			sim := startSim(t, st)
			h := sim.Host("LS01")
			_, httpsPort := sim.Ports()
			c, _ := newClient(t, winrmclient.Config{Host: h.State().Address, Port: httpsPort, Auth: winrmclient.AuthNTLM})
			_, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{})
			e := kindError(t, err, winrmclient.KindTransport, fmt.Sprintf("port %d of %s speaks HTTPS, not HTTP", httpsPort, h.State().Address),
				"set https = true", "port to the host's HTTP listener (5985 by default")
			if e.OutcomeUnknown {
				t.Errorf("OutcomeUnknown: %v", err)
			}
		})
	}
}

// https = true against the HTTP listener, which answers the TLS
// handshake with HTTP.sys's 400.
func TestHTTPSToHTTPListener(t *testing.T) {
	sim := startSim(t, lsHost("LS01"))
	h := sim.Host("LS01")
	httpPort, _ := sim.Ports()
	c, dials := newClient(t, winrmclient.Config{Host: h.State().Address, Port: httpPort, HTTPS: true, CACert: sim.CACertPEM(), Auth: winrmclient.AuthBasic})
	_, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{})
	wantKind(t, err, winrmclient.KindTransport, fmt.Sprintf("port %d of %s speaks HTTP, not HTTPS", httpPort, h.State().Address),
		"set https = false", "port to the host's HTTPS listener (5986 by default")
	if n := dials.Load(); n != 1 {
		t.Errorf("%d connection attempts, want 1", n)
	}
}

// A refused connection on one default port while the other takes
// connections: the host has only the other listener. winsim listens on
// the real default ports, on an address of its own.
func TestOnlyTheOtherListener(t *testing.T) {
	for _, tc := range []struct {
		name       string
		https      bool
		port, want int
		wantText   string
	}{
		{"HTTPS to an HTTP-only host", true, 5985, 5986, "Set https = false and port = 5985"},
		{"HTTP to an HTTPS-only host", false, 5986, 5985, "Set https = true and port = 5986"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := lsHost("LS01")
			st.Address = "127.59.85.1"
			st.WinRM = winsim.DefaultWinRM
			st.WinRM.HTTP, st.WinRM.HTTPS = tc.port == 5985, tc.port == 5986
			st.Realism = winsim.FastTiming
			sim, err := winsim.New(winsim.Scenario{Hosts: []winsim.HostState{st}})
			if err != nil {
				t.Fatal(err)
			}
			if err := sim.Start(winsim.ServeOptions{HTTPPort: 5985, HTTPSPort: 5986}); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = sim.Close() })
			c, _ := newClient(t, winrmclient.Config{Host: st.Address, HTTPS: tc.https, Insecure: true, Auth: winrmclient.AuthNTLM})
			_, err = rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{})
			wantKind(t, err, winrmclient.KindTransport, "connection to "+net.JoinHostPort(st.Address, strconv.Itoa(tc.want))+" refused",
				fmt.Sprintf("nothing listens on port %d, but port %d", tc.want, tc.port), tc.wantText)
		})
	}
}
