package winrmclient_test

import (
	"testing"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/testenv"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

const opsPassword = "Ops-P@ssw0rd1"

// certHost is a host that maps ops@localhost certificates of ca to its
// local administrator ops.
func certHost(ca *testenv.ClientCA) winsim.HostState {
	st := lsHost("LS01")
	st.WinRM.Certificate = true
	st.TrustedRoots = []string{string(ca.PEM)}
	st.Users = append(st.Users, winsim.User{Name: "ops", Password: opsPassword, Admin: true})
	st.CertMappings = []winsim.CertMapping{{URI: "*", Subject: "ops@localhost", Issuer: ca.Thumbprint, UserName: "ops", Password: opsPassword, Enabled: true}}
	return st
}

// A mapped certificate logs on with no password: every request carries
// it, so an operation costs what it costs with Basic.
func TestCertificateLogon(t *testing.T) {
	ca := testenv.NewClientCA(t, "Contoso Client CA")
	sim := startSim(t, certHost(ca))
	h := sim.Host("LS01")
	cert, key := ca.Issue(t, "ops@localhost", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	c := clientFor(t, sim, h, func(cfg *winrmclient.Config) {
		cfg.Auth, cfg.Username, cfg.Password, cfg.ClientCert, cfg.ClientKey = winrmclient.AuthCertificate, "", "", cert, key
	})
	var counts []int64
	for i := 0; i < 2; i++ {
		before := c.Stats(h.State().Address)
		if _, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{}); err != nil {
			t.Fatal(err)
		}
		counts = append(counts, c.Stats(h.State().Address)-before)
	}
	if counts[0] != 4 || counts[1] != 2 {
		t.Fatalf("requests per operation %v, want [4 2]", counts)
	}
	for _, l := range h.Log(0) {
		if l.Event == "http" && (l.Auth != "certificate" || l.User != "ops") {
			t.Fatalf("request %+v", l)
		}
	}
}

// An unmapped certificate is refused by the host, with what to map; an
// expired one is refused before any host is contacted.
func TestCertificateFailures(t *testing.T) {
	ca := testenv.NewClientCA(t, "Contoso Client CA")
	sim := startSim(t, certHost(ca))
	h := sim.Host("LS01")
	now := time.Now()
	dev, devKey := ca.Issue(t, "dev@localhost", now.Add(-time.Hour), now.Add(time.Hour))
	c := clientFor(t, sim, h, func(cfg *winrmclient.Config) {
		cfg.Auth, cfg.Username, cfg.Password, cfg.ClientCert, cfg.ClientKey = winrmclient.AuthCertificate, "", "", dev, devKey
	})
	_, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{})
	wantKind(t, err, winrmclient.KindAuth, "the host refused the client certificate (HTTP 401)", "-Subject dev@localhost", "Contoso Client CA", "Auth/Certificate")

	old, oldKey := ca.Issue(t, "ops@localhost", now.Add(-48*time.Hour), now.Add(-24*time.Hour))
	_, httpsPort := sim.Ports()
	for _, tc := range []struct {
		name  string
		cfg   winrmclient.Config
		field string
	}{
		{"expired", winrmclient.Config{Host: "h", HTTPS: true, Port: httpsPort, Auth: winrmclient.AuthCertificate, ClientCert: old, ClientKey: oldKey}, "client_cert"},
		{"over HTTP", winrmclient.Config{Host: "h", Auth: winrmclient.AuthCertificate, ClientCert: dev, ClientKey: devKey}, "auth"},
		{"no key", winrmclient.Config{Host: "h", HTTPS: true, Auth: winrmclient.AuthCertificate, ClientCert: dev}, "client_key"},
		{"key of another certificate", winrmclient.Config{Host: "h", HTTPS: true, Auth: winrmclient.AuthCertificate, ClientCert: dev, ClientKey: oldKey}, "client_cert"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := winrmclient.New(tc.cfg)
			ce, ok := err.(*winrmclient.ConfigError)
			if !ok || ce.Field != tc.field {
				t.Fatalf("New: %v, want an error on %s", err, tc.field)
			}
			if tc.name == "expired" && ce.Message != "expired on "+now.Add(-24*time.Hour).UTC().Format(time.DateOnly)+": issue a new certificate (and map it on the hosts if its issuer or name changes)" {
				t.Fatalf("message %q", ce.Message)
			}
		})
	}
}
