package winrmclient_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// NTLM and Kerberos logons over HTTPS carry the TLS channel's binding, so
// hosts that require it (CbtHardeningLevel Strict) take them.
func TestChannelBindingStrict(t *testing.T) {
	e := newKrbEnv(t, "krbcbt", func(st *winsim.HostState) { st.WinRM.CbtHardeningLevel = winsim.CbtStrict }, "LS01")
	for _, auth := range []string{winrmclient.AuthNTLM, winrmclient.AuthKerberos} {
		t.Run(auth, func(t *testing.T) {
			c := e.client(t, true, func(cfg *winrmclient.Config) { cfg.Auth = auth })
			if _, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// Behind a TLS-inspecting proxy the binding names the proxy's
// certificate: a host with Windows' default Extended Protection
// (Relaxed) refuses the logon, and the error says why it may be.
func TestChannelBindingThroughATLSProxy(t *testing.T) {
	e := newKrbEnv(t, "krbproxy", nil, "LS01")
	proxy := tlsProxy(t, e.sim.Host("LS01").Endpoint(true))
	for _, tc := range []struct{ auth, want string }{
		{winrmclient.AuthNTLM, "the host refused NTLM authentication (HTTP 401)"},
		{winrmclient.AuthKerberos, "the host refused the Kerberos ticket for HTTP/ls01.contoso.com (HTTP 401)"},
	} {
		t.Run(tc.auth, func(t *testing.T) {
			c := e.client(t, true, func(cfg *winrmclient.Config) {
				host, port, _ := net.SplitHostPort(proxy)
				cfg.Auth, cfg.Insecure, cfg.CACert = tc.auth, true, nil
				cfg.Addresses[cfg.Host] = host
				cfg.Port, _ = strconv.Atoi(port)
			})
			_, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{})
			wantKind(t, err, winrmclient.KindAuth, tc.want, "TLS-inspecting proxy", "CbtHardeningLevel")
		})
	}
}

// tlsProxy terminates TLS with a certificate of its own and forwards the
// bytes to target over a new TLS connection, as an inspecting proxy does.
func tlsProxy(t *testing.T, target string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "proxy"}, DNSNames: []string{"ls01.contoso.com"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		for {
			in, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer func() { _ = in.Close() }()
				out, err := tls.Dial("tcp", target, &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // the proxy trusts anything, as inspecting proxies are configured to
				if err != nil {
					return
				}
				defer func() { _ = out.Close() }()
				go func() { _, _ = io.Copy(out, in) }()
				_, _ = io.Copy(in, out)
			}()
		}
	}()
	return l.Addr().String()
}
