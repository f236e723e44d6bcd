package winsim_test

import (
	"crypto/tls"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	bodgit "github.com/bodgit/ntlmssp"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/gsskrb5"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// hostBinding is the tls-server-end-point binding of LS01's HTTPS
// certificate, as a client sees it.
func hostBinding(t *testing.T, sim *winsim.Sim) []byte {
	t.Helper()
	c, err := tls.Dial("tcp", sim.Host("LS01").Endpoint(true), &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // test CA
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close() }()
	return gsskrb5.TLSServerEndPoint(c.ConnectionState().PeerCertificates[0])
}

// Extended Protection over HTTPS, for NTLM and Kerberos logons: Relaxed
// (Windows' default) refuses a wrong channel binding and takes a missing
// one, Strict refuses both, None takes anything. Refusals are logged.
func TestChannelBindingHardening(t *testing.T) {
	for _, level := range []string{winsim.CbtRelaxed, winsim.CbtStrict, winsim.CbtNone} {
		f := newKrbFleet(t, func(st *winsim.HostState) { st.WinRM.CbtHardeningLevel = level }, "LS01")
		good := hostBinding(t, f.sim)
		for _, tc := range []struct {
			name     string
			binding  []byte
			refused  bool
			contains string
		}{
			{"none", nil, level == winsim.CbtStrict, "channel binding token missing"},
			{"right", good, false, ""},
			{"wrong", []byte("tls-server-end-point:another certificate"), level != winsim.CbtNone, "does not match"},
		} {
			for _, mech := range []string{"NTLM", "Kerberos"} {
				t.Run(level+"/"+tc.name+"/"+mech, func(t *testing.T) {
					c := f.conn(t, true, "Negotiate", false)
					h := f.sim.Host("LS01")
					mark := h.LogSeq()
					var status int
					if mech == "NTLM" {
						status = ntlmLogon(t, c, tc.binding)
					} else {
						c.scheme = "Kerberos"
						tkt, key, err := f.cl.GetServiceTicket("HTTP/ls01.contoso.com")
						if err != nil {
							t.Fatal(err)
						}
						var hash []byte
						if tc.binding != nil {
							hash = gsskrb5.BindingsHash(tc.binding)
						}
						in, err := gsskrb5.NewInitiator(tkt, key, gsskrb5.InitiatorOptions{Realm: krbRealm, CName: f.cl.Credentials.CName(),
							Flags: gsskrb5.FlagMutual, Bindings: hash, Now: time.Now()})
						if err != nil {
							t.Fatal(err)
						}
						status, _, _ = c.post(c.authorization(in.Token), krbSOAP, krbCreateEnvelope())
					}
					if refused := status == http.StatusUnauthorized; refused != tc.refused {
						t.Fatalf("status %d, want refused=%v", status, tc.refused)
					}
					if tc.refused {
						log := h.Log(mark)
						last := log[len(log)-1]
						if !strings.Contains(last.Detail, tc.contains) || !strings.Contains(last.Detail, mech+" refused") {
							t.Fatalf("log detail %q, want %q", last.Detail, tc.contains)
						}
					}
				})
			}
		}
	}
}

// ntlmLogon logs on with NTLM (bodgit's client, raw NTLMSSP under
// Negotiate) carrying binding, with a Create in the last leg.
func ntlmLogon(t *testing.T, c *krbConn, binding []byte) int {
	t.Helper()
	cl, err := bodgit.NewClient(bodgit.SetUserInfo(krbUser, krbPassword), bodgit.SetDomain("CONTOSO"), bodgit.SetVersion(bodgit.DefaultVersion()))
	if err != nil {
		t.Fatal(err)
	}
	neg, err := cl.Authenticate(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	status, hdr, _ := c.post("Negotiate "+base64.StdEncoding.EncodeToString(neg), krbSOAP, nil)
	_, tok, _ := strings.Cut(hdr.Get("WWW-Authenticate"), " ")
	challenge, err := base64.StdEncoding.DecodeString(tok)
	if status != http.StatusUnauthorized || err != nil || len(challenge) == 0 {
		t.Fatalf("NEGOTIATE: %d %v", status, hdr)
	}
	var cb *bodgit.ChannelBindings
	if binding != nil {
		cb = &bodgit.ChannelBindings{ApplicationData: binding}
	}
	auth, err := cl.Authenticate(challenge, cb)
	if err != nil {
		t.Fatal(err)
	}
	status, _, _ = c.post("Negotiate "+base64.StdEncoding.EncodeToString(auth), krbSOAP, krbCreateEnvelope())
	return status
}
