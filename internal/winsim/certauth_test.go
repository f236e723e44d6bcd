package winsim_test

import (
	"bytes"
	"crypto/tls"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/testenv"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// Certificate logon: the client certificate is mapped to a local account
// by the host's mappings (issuer thumbprint, subject UPN), or refused with
// the bare 401 and a log line that says why.
func TestCertificateLogon(t *testing.T) {
	const pw = "Ops-P@ssw0rd"
	ca := testenv.NewClientCA(t, "Contoso Client CA")
	other := testenv.NewClientCA(t, "Another CA")
	now := time.Now()
	valid := func(ca *testenv.ClientCA, upn string) tls.Certificate {
		c, k := ca.Issue(t, upn, now.Add(-time.Hour), now.Add(time.Hour))
		pair, err := tls.X509KeyPair(c, k)
		if err != nil {
			t.Fatal(err)
		}
		return pair
	}
	expiredPEM, expiredKey := ca.Issue(t, "ops@localhost", now.Add(-48*time.Hour), now.Add(-24*time.Hour))
	expired, _ := tls.X509KeyPair(expiredPEM, expiredKey)
	mapping := winsim.CertMapping{URI: "*", Subject: "ops@localhost", Issuer: ca.Thumbprint, UserName: "ops", Password: pw, Enabled: true}
	for _, tc := range []struct {
		name   string
		mutate func(*winsim.HostState)
		cert   *tls.Certificate
		https  bool
		detail string // "" for success
	}{
		{"mapped", nil, ptr(valid(ca, "ops@localhost")), true, ""},
		{"wildcard subject", func(st *winsim.HostState) { st.CertMappings[0].Subject = "*@localhost" }, ptr(valid(ca, "ops@localhost")), true, ""},
		{"unmapped subject", nil, ptr(valid(ca, "dev@localhost")), true, `no certificate mapping for subject "dev@localhost"`},
		{"another issuer", nil, ptr(valid(other, "ops@localhost")), true, "the certificate is not signed by " + ca.Thumbprint},
		{"expired", nil, &expired, true, "the certificate of ops@localhost is not valid at"},
		{"issuer not trusted", func(st *winsim.HostState) { st.TrustedRoots = nil }, ptr(valid(ca, "ops@localhost")), true, "is not a trusted root"},
		{"password changed since the mapping", func(st *winsim.HostState) { st.Users[len(st.Users)-1].Password = "New-P@ss1" }, ptr(valid(ca, "ops@localhost")), true, "holds an old password of ops"},
		{"disabled mapping", func(st *winsim.HostState) { st.CertMappings[0].Enabled = false }, ptr(valid(ca, "ops@localhost")), true, "no certificate mapping"},
		{"Certificate auth off", func(st *winsim.HostState) { st.WinRM.Certificate = false }, ptr(valid(ca, "ops@localhost")), true, "Certificate authentication is disabled"},
		{"no certificate", nil, nil, true, "presented no certificate"},
		{"over HTTP", nil, nil, false, "need HTTPS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := winsim.NewLicenseServerHost("LS01", "2022", "")
			st.Quirks.ProgressNoise = false
			st.WinRM.Certificate = true
			st.TrustedRoots = []string{string(ca.PEM), string(other.PEM)}
			st.Users = append(st.Users, winsim.User{Name: "ops", Password: pw, Admin: true})
			st.CertMappings = []winsim.CertMapping{mapping}
			if tc.mutate != nil {
				tc.mutate(&st)
			}
			sim := serveSim(t, winsim.Scenario{Hosts: []winsim.HostState{st}})
			h := sim.Host("LS01")
			conf := &tls.Config{InsecureSkipVerify: true} //nolint:gosec // test CA
			if tc.cert != nil {
				conf.Certificates = []tls.Certificate{*tc.cert}
			}
			url := "https://" + h.Endpoint(true) + "/wsman"
			if !tc.https {
				url = "http://" + h.Endpoint(false) + "/wsman"
			}
			req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(krbCreateEnvelope()))
			req.Header.Set("Content-Type", krbSOAP)
			req.Header.Set("Authorization", winsim.CertAuthorization)
			resp, err := (&http.Client{Transport: &http.Transport{TLSClientConfig: conf}}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			log := h.Log(0)
			last := log[len(log)-1]
			if tc.detail == "" {
				if resp.StatusCode != 200 || last.Auth != "certificate" || last.User != "ops" {
					t.Fatalf("%d %s, log %+v", resp.StatusCode, body, last)
				}
				return
			}
			if resp.StatusCode != 401 || !strings.HasPrefix(last.Detail, "certificate refused: ") || !strings.Contains(last.Detail, tc.detail) {
				t.Fatalf("%d, log %q, want 401 and %q", resp.StatusCode, last.Detail, tc.detail)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
