package testenv

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
	"sync"
	"testing"
	"time"
)

// Hosts that fail the way a dead or hung server does, for tests of time
// limits: each returns host and port on 127.0.0.1, and stops with the test.

// SilentHost accepts TCP connections and never answers (a hung service,
// a proxy whose backend is gone). Over HTTPS the TLS handshake stalls.
func SilentHost(t testing.TB) (host string, port int) {
	t.Helper()
	return silent(t, nil)
}

// SilentTLSHost completes the TLS handshake (with a self-signed
// certificate for 127.0.0.1) and then never answers.
func SilentTLSHost(t testing.TB) (host string, port int) {
	t.Helper()
	return silent(t, selfSigned(t))
}

func silent(t testing.TB, conf *tls.Config) (string, int) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				if conf != nil {
					tc := tls.Server(c, conf)
					if tc.Handshake() != nil {
						return
					}
					c = tc
				}
				// Read what comes, answer nothing.
				_, _ = io.Copy(io.Discard, c)
			}()
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		mu.Lock()
		for _, c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	a, _ := l.Addr().(*net.TCPAddr)
	return "127.0.0.1", a.Port
}

func selfSigned(t testing.TB) *tls.Config {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "silent"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
}
