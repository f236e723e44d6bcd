package winsim_test

import (
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"encoding/binary"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jcmturner/gofork/encoding/asn1"
	"github.com/jcmturner/gokrb5/v8/client"
	"github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/spnego"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/gsskrb5"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/testenv"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

const (
	krbRealm    = "CONTOSO.COM"
	krbUser     = "winsimkrb"
	krbPassword = "Krb-P@ssw0rd1"
)

// krbFleet is a domain's hosts with their service keys from a real KDC,
// and a user of the domain who is a Domain Admin.
type krbFleet struct {
	kdc *testenv.KDC
	sim *winsim.Sim
	cl  *client.Client
}

func newKrbFleet(t *testing.T, mutate func(*winsim.HostState), names ...string) *krbFleet {
	t.Helper()
	kdc := testenv.SharedKDC(t, krbRealm)
	if err := kdc.AddUser(krbUser, krbPassword); err != nil {
		t.Fatal(err)
	}
	var hosts []winsim.HostState
	for _, n := range names {
		st := winsim.NewLicenseServerHost(n, "2022", "contoso.com")
		st.Users = append(st.Users, winsim.User{Name: krbUser, Password: krbPassword, Domain: "contoso.com", DomainAdmin: true, Admin: true})
		st.Quirks.ProgressNoise = false
		if mutate != nil {
			mutate(&st)
		}
		hosts = append(hosts, st)
	}
	sim := serveSim(t, winsim.Scenario{Hosts: hosts})
	for _, n := range names {
		kt, err := kdc.AddService("HTTP/" + strings.ToLower(n) + ".contoso.com")
		if err != nil {
			t.Fatal(err)
		}
		if err := sim.AddKeytab(kt); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := config.Load(kdc.Krb5Conf)
	if err != nil {
		t.Fatal(err)
	}
	cl := client.NewWithPassword(krbUser, krbRealm, krbPassword, cfg, client.DisablePAFXFAST(true))
	if err := cl.Login(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Destroy)
	return &krbFleet{kdc: kdc, sim: sim, cl: cl}
}

// krbConn is one connection to a host authenticated with Kerberos, as a
// client that follows MS-WSMV does it.
type krbConn struct {
	t       *testing.T
	http    *http.Client
	url     string
	scheme  string // Kerberos or Negotiate
	spnego  bool
	session *gsskrb5.Session
}

// conn is a connection to LS01.
func (f *krbFleet) conn(t *testing.T, https bool, scheme string, spnegoWrap bool) *krbConn {
	h := f.sim.Host("LS01")
	url := "http://" + h.Endpoint(false) + "/wsman"
	if https {
		url = "https://" + h.Endpoint(true) + "/wsman"
	}
	tr := &http.Transport{MaxConnsPerHost: 1, TLSClientConfig: &tls.Config{InsecureSkipVerify: true}} //nolint:gosec // test CA
	t.Cleanup(tr.CloseIdleConnections)
	return &krbConn{t: t, http: &http.Client{Transport: tr}, url: url, scheme: scheme, spnego: spnegoWrap}
}

func (f *krbFleet) initiator(t *testing.T, spn string, now time.Time) *gsskrb5.Initiator {
	t.Helper()
	tkt, key, err := f.cl.GetServiceTicket(spn)
	if err != nil {
		t.Fatal(err)
	}
	in, err := gsskrb5.NewInitiator(tkt, key, gsskrb5.InitiatorOptions{Realm: krbRealm, CName: f.cl.Credentials.CName(),
		Flags: gsskrb5.FlagMutual | gsskrb5.FlagSequence | gsskrb5.FlagConf | gsskrb5.FlagInteg, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func (c *krbConn) post(authz, contentType string, body []byte) (int, http.Header, []byte) {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	if resp.Close { // net/http takes the header out
		resp.Header.Set("Connection", "close")
	}
	return resp.StatusCode, resp.Header, b
}

var krbOIDs = []asn1.ObjectIdentifier{{1, 2, 840, 48018, 1, 2, 2}, {1, 2, 840, 113554, 1, 2, 2}}

func (c *krbConn) authorization(token []byte) string {
	if c.spnego {
		init := spnego.SPNEGOToken{Init: true, NegTokenInit: spnego.NegTokenInit{MechTypes: krbOIDs, MechTokenBytes: token}}
		b, err := init.Marshal()
		if err != nil {
			c.t.Fatal(err)
		}
		token = b
	}
	return c.scheme + " " + base64.StdEncoding.EncodeToString(token)
}

// answer is the Kerberos token of a reply's WWW-Authenticate.
func (c *krbConn) answer(h http.Header) []byte {
	c.t.Helper()
	v := h.Get("WWW-Authenticate")
	scheme, tok, ok := strings.Cut(v, " ")
	if !ok || scheme != c.scheme {
		return nil
	}
	b, err := base64.StdEncoding.DecodeString(tok)
	if err != nil {
		c.t.Fatal(err)
	}
	if c.spnego {
		var resp spnego.NegTokenResp
		if err := resp.Unmarshal(b); err != nil {
			c.t.Fatalf("not a NegTokenResp: %v", err)
		}
		if !resp.SupportedMech.Equal(krbOIDs[0]) {
			c.t.Fatalf("SPNEGO answer names %v, not the client's first Kerberos OID", resp.SupportedMech)
		}
		return resp.ResponseToken
	}
	return b
}

func (c *krbConn) protocol() string {
	if c.scheme == "Kerberos" {
		return "application/HTTP-Kerberos-session-encrypted"
	}
	return "application/HTTP-SPNEGO-session-encrypted"
}

// seal frames an encrypted body as MS-WSMV 2.2.9.1 does.
func (c *krbConn) seal(msg []byte) (string, []byte) {
	h, d, err := c.session.Wrap(msg)
	if err != nil {
		c.t.Fatal(err)
	}
	var b bytes.Buffer
	b.WriteString("--Encrypted Boundary\r\n\tContent-Type: " + c.protocol() + "\r\n")
	b.WriteString("\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=" + strconv.Itoa(len(msg)) + "\r\n")
	b.WriteString("--Encrypted Boundary\r\n\tContent-Type: application/octet-stream\r\n")
	_ = binary.Write(&b, binary.LittleEndian, uint32(len(h)))
	b.Write(h)
	b.Write(d)
	b.WriteString("--Encrypted Boundary--\r\n")
	return `multipart/encrypted;protocol="` + c.protocol() + `";boundary="Encrypted Boundary"`, b.Bytes()
}

func (c *krbConn) unseal(ct string, body []byte) []byte {
	c.t.Helper()
	if !strings.Contains(ct, `protocol="`+c.protocol()+`"`) {
		c.t.Fatalf("reply Content-Type %q", ct)
	}
	const octet = "\tContent-Type: application/octet-stream\r\n"
	i := bytes.Index(body, []byte(octet))
	if i < 0 {
		c.t.Fatalf("no encrypted part: %q", body)
	}
	p := body[i+len(octet):]
	n := int(binary.LittleEndian.Uint32(p))
	p = p[4:]
	end := bytes.LastIndex(p, []byte("--Encrypted Boundary--"))
	plain, err := c.session.Unwrap(p[:n], p[n:end])
	if err != nil {
		c.t.Fatal(err)
	}
	return plain
}

const krbSOAP = "application/soap+xml;charset=UTF-8"

func krbCreateEnvelope() []byte {
	return []byte(`<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd">` +
		`<env:Header><a:To>http://x/wsman</a:To><w:MaxEnvelopeSize mustUnderstand="true">153600</w:MaxEnvelopeSize><w:OperationTimeout>PT60S</w:OperationTimeout>` +
		`<a:MessageID>uuid:00000000-0000-4000-8000-000000000001</a:MessageID><a:Action mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/09/transfer/Create</a:Action>` +
		`<w:ResourceURI mustUnderstand="true">http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd</w:ResourceURI></env:Header>` +
		`<env:Body><rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell></env:Body></env:Envelope>`)
}

// Over HTTPS the AP-REQ comes with the first message; the reply carries
// the AP-REP that proves the host's identity, and the connection stays
// authenticated.
func TestKerberosOverHTTPS(t *testing.T) {
	f := newKrbFleet(t, nil, "LS01")
	for _, tc := range []struct {
		scheme string
		spnego bool
		auth   string
	}{{"Kerberos", false, "kerberos"}, {"Negotiate", true, "negotiate-kerberos"}, {"Negotiate", false, "negotiate-kerberos"}} {
		t.Run(tc.auth+map[bool]string{true: "-spnego"}[tc.spnego], func(t *testing.T) {
			c := f.conn(t, true, tc.scheme, tc.spnego)
			in := f.initiator(t, "HTTP/ls01.contoso.com", time.Time{})
			seq := f.sim.Host("LS01").LogSeq()
			status, hdr, body := c.post(c.authorization(in.Token), krbSOAP, krbCreateEnvelope())
			if status != http.StatusOK || !strings.Contains(string(body), "CreateResponse") {
				t.Fatalf("%d %s", status, body)
			}
			if _, err := in.Complete(c.answer(hdr)); err != nil {
				t.Fatalf("mutual authentication: %v", err)
			}
			status, _, body = c.post("", krbSOAP, krbCreateEnvelope())
			if status != http.StatusOK {
				t.Fatalf("second message on the authenticated connection: %d %s", status, body)
			}
			log := f.sim.Host("LS01").Log(seq)
			if len(log) != 2 || log[0].Auth != tc.auth || log[0].User != krbUser || log[1].Auth != "session" {
				t.Fatalf("log %+v", log)
			}
		})
	}
}

// Over HTTP the client authenticates with an empty message, then seals
// every message with the context (RFC 4121 wrap tokens), under the
// protocol of its scheme. A plaintext message is refused, as Windows
// refuses it with AllowUnencrypted false.
func TestKerberosEncryptedHTTP(t *testing.T) {
	f := newKrbFleet(t, nil, "LS01")
	for _, tc := range []struct {
		scheme string
		spnego bool
	}{{"Kerberos", false}, {"Negotiate", true}} {
		t.Run(tc.scheme, func(t *testing.T) {
			c := f.conn(t, false, tc.scheme, tc.spnego)
			in := f.initiator(t, "HTTP/ls01.contoso.com", time.Time{})
			status, hdr, body := c.post(c.authorization(in.Token), krbSOAP, nil)
			if status != http.StatusOK || len(body) != 0 {
				t.Fatalf("authentication leg: %d %s", status, body)
			}
			var err error
			if c.session, err = in.Complete(c.answer(hdr)); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 3; i++ {
				ct, sealed := c.seal(krbCreateEnvelope())
				status, hdr, body = c.post("", ct, sealed)
				if status != http.StatusOK {
					t.Fatalf("message %d: %d %s", i, status, body)
				}
				if plain := c.unseal(hdr.Get("Content-Type"), body); !strings.Contains(string(plain), "CreateResponse") {
					t.Fatalf("reply %d: %s", i, plain)
				}
			}
			if status, _, _ := c.post("", krbSOAP, krbCreateEnvelope()); status != http.StatusUnauthorized {
				t.Fatalf("plaintext message over HTTP: %d, want 401", status)
			}
		})
	}
}

// Each refusal is Windows' 401 with the acceptor's KRB-ERROR, closes the
// connection, and winsim's log says which refusal it was.
func TestKerberosRefusals(t *testing.T) {
	later := time.Now().Add(11 * time.Hour) // beyond the KDC's 10 h ticket lifetime
	other := testenv.SharedKDC(t, "FABRIKAM.COM")
	if err := other.AddUser(krbUser, krbPassword); err != nil {
		t.Fatal(err)
	}
	if _, err := other.AddService("HTTP/ls01.contoso.com"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		mutate func(*winsim.HostState)
		token  func(t *testing.T, f *krbFleet) []byte
		code   int32
		detail string
	}{
		{"wrong realm", nil, func(t *testing.T, f *krbFleet) []byte {
			cfg, _ := config.Load(other.Krb5Conf)
			cl := client.NewWithPassword(krbUser, "FABRIKAM.COM", krbPassword, cfg, client.DisablePAFXFAST(true))
			if err := cl.Login(); err != nil {
				t.Fatal(err)
			}
			defer cl.Destroy()
			tkt, key, err := cl.GetServiceTicket("HTTP/ls01.contoso.com")
			if err != nil {
				t.Fatal(err)
			}
			in, err := gsskrb5.NewInitiator(tkt, key, gsskrb5.InitiatorOptions{Realm: "FABRIKAM.COM", CName: cl.Credentials.CName(), Flags: gsskrb5.FlagMutual})
			if err != nil {
				t.Fatal(err)
			}
			return in.Token
		}, gsskrb5.ErrNotUs, "wrong realm: the ticket for HTTP/ls01.contoso.com was issued by realm FABRIKAM.COM"},
		{"ticket for another SPN", nil, func(t *testing.T, f *krbFleet) []byte {
			return f.initiator(t, "HTTP/ls02.contoso.com", time.Time{}).Token
		}, gsskrb5.ErrModified, "ticket for another SPN: HTTP/ls02.contoso.com"},
		{"clock skew", func(st *winsim.HostState) { st.ClockOffsetSeconds = 600 }, func(t *testing.T, f *krbFleet) []byte {
			return f.initiator(t, "HTTP/ls01.contoso.com", time.Time{}).Token
		}, gsskrb5.ErrSkew, "clock skew"},
		{"expired ticket", func(st *winsim.HostState) { st.ClockOffsetSeconds = int(time.Until(later).Seconds()) }, func(t *testing.T, f *krbFleet) []byte {
			return f.initiator(t, "HTTP/ls01.contoso.com", later).Token
		}, gsskrb5.ErrTicketExpired, "the ticket expired"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newKrbFleet(t, tc.mutate, "LS01", "LS02")
			c := f.conn(t, true, "Kerberos", false)
			seq := f.sim.Host("LS01").LogSeq()
			status, hdr, _ := c.post(c.authorization(tc.token(t, f)), krbSOAP, krbCreateEnvelope())
			if status != http.StatusUnauthorized || hdr.Get("Connection") != "close" {
				t.Fatalf("%d %v, want 401 closing the connection", status, hdr)
			}
			ke, ok := gsskrb5.ParseError(c.answer(hdr))
			if !ok || ke.Code != tc.code {
				t.Fatalf("WWW-Authenticate %q: %+v, want %s", hdr.Get("WWW-Authenticate"), ke, gsskrb5.ErrorName(tc.code))
			}
			log := f.sim.Host("LS01").Log(seq)
			if len(log) != 1 || !strings.Contains(log[0].Detail, tc.detail) || !strings.Contains(log[0].Detail, gsskrb5.ErrorName(tc.code)) {
				t.Fatalf("log %+v, want %q", log, tc.detail)
			}
		})
	}
	t.Run("bare 401 quirk", func(t *testing.T) {
		f := newKrbFleet(t, func(st *winsim.HostState) { st.ClockOffsetSeconds, st.Quirks.KerberosBare401 = 600, true }, "LS01")
		c := f.conn(t, true, "Kerberos", false)
		status, hdr, _ := c.post(c.authorization(f.initiator(t, "HTTP/ls01.contoso.com", time.Time{}).Token), krbSOAP, krbCreateEnvelope())
		if got := strings.Join(hdr.Values("WWW-Authenticate"), "|"); status != 401 || got != `Negotiate|Kerberos|Basic realm="WSMAN"` {
			t.Fatalf("%d %s", status, got)
		}
	})
}

// An account the domain authenticates but the host does not list (no
// rights there) is refused with Access Denied, after authentication.
func TestKerberosUserWithoutRights(t *testing.T) {
	f := newKrbFleet(t, func(st *winsim.HostState) { st.Users = st.Users[:1] }, "LS01")
	c := f.conn(t, true, "Kerberos", false)
	status, _, body := c.post(c.authorization(f.initiator(t, "HTTP/ls01.contoso.com", time.Time{}).Token), krbSOAP, krbCreateEnvelope())
	if status != http.StatusInternalServerError || !strings.Contains(string(body), "AccessDenied") {
		t.Fatalf("%d %s", status, body)
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	testenv.StopKDCs()
	os.Exit(code)
}
