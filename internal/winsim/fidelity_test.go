package winsim_test

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	azure "github.com/Azure/go-ntlmssp"

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
	req.SetBasicAuth(user, password)
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
