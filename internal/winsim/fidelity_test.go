package winsim_test

import (
	"crypto/tls"
	"encoding/asn1"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	azure "github.com/Azure/go-ntlmssp"
	bodgit "github.com/bodgit/ntlmssp"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// ntlmOverHTTP returns a client that authenticates with raw NTLM under the
// Negotiate scheme and never seals (go-ntlmssp, masterzen's ClientNTLM),
// and the host's plain-HTTP WS-Man URL.
func ntlmOverHTTP(w *wire) (*http.Client, string) {
	return &http.Client{Transport: azure.Negotiator{RoundTripper: &http.Transport{}}},
		"http://" + w.h.Endpoint(false) + "/wsman"
}

func postAs(t *testing.T, c *http.Client, url, user, password, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/soap+xml;charset=UTF-8")
	if user != "" {
		req.SetBasicAuth(user, password)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.Close {
		// net/http takes Connection: close out of the header into Close.
		resp.Header.Set("Connection", "close")
	}
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp.StatusCode, resp.Header, b.String()
}

// An NTLM-authenticated but unsealed message over HTTP, with the default
// AllowUnencrypted=false, gets what Windows sends: 401 offering Negotiate,
// Connection: close, no body.
func TestFidelityUnencryptedNTLMOverHTTPIs401(t *testing.T) {
	w := newWire(t, func(st *winsim.HostState) { st.WinRM.HTTP = true })
	c, url := ntlmOverHTTP(w)
	env, _ := w.envelope(xfer+"/Create", "", "", `<rsp:Shell/>`)
	status, hdr, body := postAs(t, c, url, "Administrator", winsim.DefaultPassword, env)
	if status != http.StatusUnauthorized || strings.Join(hdr.Values("WWW-Authenticate"), "|") != "Negotiate" ||
		!strings.EqualFold(hdr.Get("Connection"), "close") || body != "" {
		t.Fatalf("got %d %v %q, want 401, WWW-Authenticate: Negotiate, Connection: close, empty body\n%+v", status, hdr, body, w.h.Log(0))
	}
	// With AllowUnencrypted the same client gets its shell.
	w = newWire(t, func(st *winsim.HostState) { st.WinRM.HTTP, st.WinRM.AllowUnencrypted = true, true })
	c, url = ntlmOverHTTP(w)
	env, _ = w.envelope(xfer+"/Create", "", "", `<rsp:Shell/>`)
	if status, _, body := postAs(t, c, url, "Administrator", winsim.DefaultPassword, env); status != http.StatusOK {
		t.Fatalf("AllowUnencrypted=true: %d %s", status, body)
	}
}

// Remote Management Users may authenticate, but Windows refuses them the
// cmd shell: HTTP 500, w:AccessDenied, code 5.
func TestFidelityRemoteManagementUsersAreRefusedTheCmdShell(t *testing.T) {
	w := newWire(t, func(st *winsim.HostState) {
		st.Users = append(st.Users, winsim.User{Name: "operator", Password: "0perator-pw", RemoteManagement: true})
	})
	env, _ := w.envelope(xfer+"/Create", "", "", `<rsp:Shell/>`)
	status, _, body := w.do(env, map[string]string{"Authorization": basic("operator", "0perator-pw")})
	if status != http.StatusInternalServerError {
		t.Fatalf("Create as a Remote Management User: %d %s", status, body)
	}
	mustContain(t, body, "<s:Value>w:AccessDenied</s:Value>", `Code="5"`, "Access is denied.")
	if len(w.h.Shells()) != 0 {
		t.Fatalf("refused Create left a shell: %v", w.h.Shells())
	}
	w.create() // an administrator still gets one
}

func basic(user, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
}

// Fault shapes as Windows writes them.
func TestFidelityFaultShapes(t *testing.T) {
	w := newWire(t, func(st *winsim.HostState) { st.WinRM.MaxShellsPerUser = 1 })
	shell := w.create()

	// Unknown command id: generic Reason, UnexpectedSelectors detail, the
	// cause in f:Message (pypsrp test_winrs_bad_cmd_id.yml).
	status, body := w.receive(shell, "87E77BEB-6761-4C48-9D70-A00266B8459A", "")
	if status != http.StatusInternalServerError {
		t.Fatalf("Receive of an unknown command: %d %s", status, body)
	}
	mustContain(t, body, `<s:Value>w:InvalidSelectors</s:Value>`,
		`<s:Text xml:lang="en-US">The WS-Management service cannot process the request because the request contained invalid selectors for the resource. </s:Text>`,
		`<s:Detail><w:FaultDetail>http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/UnexpectedSelectors</w:FaultDetail><f:WSManFault`,
		`Code="2150858843"`, `<f:Message>The Windows Remote Shell received a request to perform an operation on a command identifier that does not exist.`)

	// Unknown shell: the same shape.
	env, _ := w.envelope(xfer+"/Delete", "11111111-2222-4333-8444-555555555555", "", "")
	_, _, body = w.do(env, nil)
	mustContain(t, body, `<s:Text xml:lang="en-US">The WS-Management service cannot process the request because the request contained invalid selectors`,
		"faultDetail/UnexpectedSelectors", "<f:Message>The request for the Windows Remote Shell with ShellId 11111111-2222-4333-8444-555555555555 failed because the shell was not found")

	// A bad OperationTimeout is an addressing fault.
	env, _ = w.envelope(shellNS+"/Command", shell, "sixty seconds", `<rsp:CommandLine><rsp:Command>hostname</rsp:Command></rsp:CommandLine>`)
	_, _, body = w.do(env, nil)
	mustContain(t, body, `<s:Value>s:Sender</s:Value><s:Subcode><s:Value>a:InvalidMessageInformationHeader</s:Value>`)

	// MaxShellsPerUser: the Reason names no number, the Message does
	// (WinRb/WinRM wmi_error_v2.xml).
	env, _ = w.envelope(xfer+"/Create", "", "", `<rsp:Shell/>`)
	_, _, body = w.do(env, nil)
	mustContain(t, body, `<s:Text xml:lang="en-US">The WS-Management service cannot process the request. The maximum number of concurrent shells for this user has been exceeded. Close existing shells or raise the quota for this user. </s:Text>`,
		"<f:Message>The WS-Management service cannot process the request. This user is allowed a maximum number of 1 concurrent shells, which has been exceeded.")
}

var (
	oidSPNEGO = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 2}
	oidNTLM   = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 2, 10}
)

// spnegoInit wraps an NTLM NEGOTIATE as Windows' SSPI and pyspnego do.
func spnegoInit(t *testing.T, mechs []asn1.ObjectIdentifier, tok []byte) string {
	type negTokenInit struct {
		MechTypes []asn1.ObjectIdentifier `asn1:"explicit,tag:0"`
		MechToken []byte                  `asn1:"explicit,tag:2"`
	}
	inner, err := asn1.MarshalWithParams(negTokenInit{mechs, tok}, "explicit,tag:0")
	if err != nil {
		t.Fatal(err)
	}
	oid, _ := asn1.Marshal(oidSPNEGO)
	b, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassApplication, Tag: 0, IsCompound: true, Bytes: append(oid, inner...)})
	if err != nil {
		t.Fatal(err)
	}
	return "Negotiate " + base64.StdEncoding.EncodeToString(b)
}

type negTokenResp struct {
	NegState      asn1.Enumerated       `asn1:"explicit,optional,tag:0,default:-1"`
	SupportedMech asn1.ObjectIdentifier `asn1:"explicit,optional,tag:1"`
	ResponseToken []byte                `asn1:"explicit,optional,tag:2"`
	MechListMIC   []byte                `asn1:"explicit,optional,tag:3"`
}

func parseNegTokenResp(t *testing.T, header string) negTokenResp {
	t.Helper()
	tok, ok := strings.CutPrefix(header, "Negotiate ")
	raw, err := base64.StdEncoding.DecodeString(tok)
	var r negTokenResp
	if err == nil {
		_, err = asn1.UnmarshalWithParams(raw, &r, "explicit,tag:1")
	}
	if !ok || err != nil {
		t.Fatalf("WWW-Authenticate %q is no SPNEGO NegTokenResp: %v", header, err)
	}
	return r
}

// Windows' Negotiate takes NTLM wrapped in SPNEGO: the CHALLENGE comes back
// in a NegTokenResp (accept-incomplete, NTLM), the AUTHENTICATE goes in
// one, and the reply carries the accept-completed NegTokenResp.
func TestFidelitySPNEGOWrappedNTLM(t *testing.T) {
	w := newWire(t, nil)
	env, _ := w.envelope(xfer+"/Create", "", "", `<rsp:Shell/>`)
	c, err := bodgit.NewClient(bodgit.SetUserInfo("Administrator", winsim.DefaultPassword), bodgit.SetVersion(bodgit.DefaultVersion()))
	if err != nil {
		t.Fatal(err)
	}
	negotiate, err := c.Authenticate(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	status, hdr, _ := w.do(env, map[string]string{"Authorization": spnegoInit(t, []asn1.ObjectIdentifier{oidNTLM}, negotiate)})
	r := parseNegTokenResp(t, hdr.Get("WWW-Authenticate"))
	if status != http.StatusUnauthorized || r.NegState != 1 || !r.SupportedMech.Equal(oidNTLM) || len(r.ResponseToken) < 56 ||
		string(r.ResponseToken[:8]) != "NTLMSSP\x00" || r.ResponseToken[8] != 2 {
		t.Fatalf("first leg: %d %+v", status, r)
	}
	authenticate, err := c.Authenticate(r.ResponseToken, nil)
	if err != nil {
		t.Fatal(err)
	}
	last, _ := asn1.MarshalWithParams(negTokenResp{NegState: -1, ResponseToken: authenticate}, "explicit,tag:1")
	status, hdr, body := w.do(env, map[string]string{"Authorization": "Negotiate " + base64.StdEncoding.EncodeToString(last)})
	if status != http.StatusOK {
		t.Fatalf("last leg: %d %v %s", status, hdr, body)
	}
	mustContain(t, body, "CreateResponse")
	if r := parseNegTokenResp(t, hdr.Get("WWW-Authenticate")); r.NegState != 0 {
		t.Fatalf("reply carries negState %d, want accept-completed", r.NegState)
	}
}

// SPNEGO offering only Kerberos on a workgroup host (no domain, so no
// Kerberos) is refused with the bare 401.
func TestFidelitySPNEGOWithoutNTLMIsRefused(t *testing.T) {
	w := newWire(t, nil)
	env, _ := w.envelope(xfer+"/Create", "", "", `<rsp:Shell/>`)
	krb5 := asn1.ObjectIdentifier{1, 2, 840, 113554, 1, 2, 2}
	status, hdr, _ := w.do(env, map[string]string{"Authorization": spnegoInit(t, []asn1.ObjectIdentifier{krb5}, []byte{0x60, 0x01, 0x00})})
	if status != http.StatusUnauthorized || hdr.Values("WWW-Authenticate")[0] != "Negotiate" {
		t.Fatalf("%d %v", status, hdr)
	}
}

// Windows refuses the bare NTLM scheme and offers Negotiate and Basic.
func TestFidelityBareNTLMSchemeIsRefused(t *testing.T) {
	w := newWire(t, nil)
	env, _ := w.envelope(xfer+"/Create", "", "", `<rsp:Shell/>`)
	neg := []byte("NTLMSSP\x00\x01\x00\x00\x00\x07\x82\x08\x02" + strings.Repeat("\x00", 16))
	status, hdr, _ := w.do(env, map[string]string{"Authorization": "NTLM " + base64.StdEncoding.EncodeToString(neg)})
	if got := strings.Join(hdr.Values("WWW-Authenticate"), "|"); status != http.StatusUnauthorized || got != `Negotiate|Basic realm="WSMAN"` {
		t.Fatalf("NTLM scheme: %d %s, want 401 offering Negotiate and Basic", status, got)
	}
}

// Every 401 that carries no challenge token closes the connection, the
// anonymous probe clients send first included.
func TestFidelityBare401ClosesTheConnection(t *testing.T) {
	w := newWire(t, nil)
	env, _ := w.envelope(xfer+"/Create", "", "", `<rsp:Shell/>`)
	for name, user := range map[string]string{"anonymous": "", "wrong password": "Administrator"} {
		status, hdr, body := postAs(t, w.http, w.url, user, "nope", env)
		if status != http.StatusUnauthorized || hdr.Get("Connection") != "close" || body != "" {
			t.Errorf("%s: %d %v %q, want 401 with Connection: close", name, status, hdr, body)
		}
	}
}

// rsp:Owner: NTLM logs a local account on as COMPUTER\user; Basic shows
// the bare name.
func TestFidelityShellOwner(t *testing.T) {
	w := newWire(t, nil)
	env, _ := w.envelope(xfer+"/Create", "", "", `<rsp:Shell/>`)
	ntlmClient := &http.Client{Transport: azure.Negotiator{RoundTripper: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}} //nolint:gosec // test CA
	for name, c := range map[string]struct {
		client *http.Client
		want   string
	}{
		"ntlm":  {ntlmClient, `<rsp:Owner>LS01\Administrator</rsp:Owner>`},
		"basic": {w.http, `<rsp:Owner>Administrator</rsp:Owner>`},
	} {
		status, _, body := postAs(t, c.client, w.url, "Administrator", winsim.DefaultPassword, env)
		if status != http.StatusOK || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d, want %s in %s", name, status, c.want, body)
		}
	}
}

// WS-Identify: unauthenticated with the WSMANIDENTIFY header, Windows names
// no OS version and no security profiles; authenticated, both.
func TestFidelityIdentify(t *testing.T) {
	w := newWire(t, nil)
	identify := `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"><s:Header/><s:Body><wsmid:Identify/></s:Body></s:Envelope>`
	status, hdr, body := w.do(identify, map[string]string{"Authorization": "", "WSMANIDENTIFY": "unauthenticated"})
	want := `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header/><s:Body><wsmid:IdentifyResponse xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd">` +
		`<wsmid:ProtocolVersion>http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd</wsmid:ProtocolVersion><wsmid:ProductVendor>Microsoft Corporation</wsmid:ProductVendor>` +
		`<wsmid:ProductVersion>OS: 0.0.0 SP: 0.0 Stack: 3.0</wsmid:ProductVersion></wsmid:IdentifyResponse></s:Body></s:Envelope>`
	if status != http.StatusOK || body != want || !strings.HasPrefix(hdr.Get("Content-Type"), "application/soap+xml") {
		t.Fatalf("unauthenticated Identify: %d %v\n%s\nwant\n%s", status, hdr, body, want)
	}
	if status, _, _ := w.do(identify, map[string]string{"Authorization": ""}); status != http.StatusUnauthorized {
		t.Fatalf("Identify without credentials or WSMANIDENTIFY: %d, want 401", status)
	}
	status, _, body = w.do(identify, nil)
	if status != http.StatusOK {
		t.Fatalf("authenticated Identify: %d %s", status, body)
	}
	mustContain(t, body, "<wsmid:ProductVendor>Microsoft Corporation</wsmid:ProductVendor>",
		"<wsmid:ProductVersion>OS: 10.0.20348 SP: 0.0 Stack: 3.0</wsmid:ProductVersion>",
		"<wsmid:SecurityProfiles><wsmid:SecurityProfileName>http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/http/basic</wsmid:SecurityProfileName>",
		"secprofile/https/spnego-kerberos</wsmid:SecurityProfileName></wsmid:SecurityProfiles>")
}
