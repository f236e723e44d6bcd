package ntlm

import (
	"context"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/masterzen/winrm"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/testenv"
)

// Canned reply from masterzen/winrm's fixtures; pywinrm reads the Selector.
const createShellResponse = `<s:Envelope xml:lang="en-US" xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:x="http://schemas.xmlsoap.org/ws/2004/09/transfer" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell" xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd">
<s:Header><a:Action>http://schemas.xmlsoap.org/ws/2004/09/transfer/CreateResponse</a:Action><a:MessageID>uuid:195078CF-804B-41F7-A246-9CB3C1A41A9A</a:MessageID><a:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:To></s:Header>
<s:Body><x:ResourceCreated><a:Address>http://127.0.0.1:5985/wsman</a:Address><a:ReferenceParameters><w:ResourceURI>http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd</w:ResourceURI>
<w:SelectorSet><w:Selector Name="ShellId">67A74734-DD32-4F10-89DE-49A060483810</w:Selector></w:SelectorSet></a:ReferenceParameters></x:ResourceCreated>
<rsp:Shell><rsp:ShellId>67A74734-DD32-4F10-89DE-49A060483810</rsp:ShellId></rsp:Shell></s:Body></s:Envelope>`

// wsman is a minimal WinRM endpoint built the way the package doc suggests.
type wsman struct {
	t   *testing.T
	srv *Server

	mu       sync.Mutex
	users    []string // "user|domain" of each successful logon
	requests int      // decrypted SOAP requests answered

	challengeFlags []uint32
}

type connKey struct{}

type connState struct {
	handshake *Handshake
	session   *Session
}

func startWSMan(t *testing.T) (*wsman, *httptest.Server) {
	ws := &wsman{t: t, srv: testServer()}
	hs := httptest.NewUnstartedServer(http.HandlerFunc(ws.serve))
	hs.Config.ConnContext = func(ctx context.Context, _ net.Conn) context.Context {
		return context.WithValue(ctx, connKey{}, &connState{})
	}
	hs.Start()
	t.Cleanup(hs.Close)
	return ws, hs
}

func unauthorized(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", "Negotiate")
	w.WriteHeader(http.StatusUnauthorized)
}

func (ws *wsman) serve(w http.ResponseWriter, r *http.Request) {
	c, _ := r.Context().Value(connKey{}).(*connState)
	encrypted := IsEncrypted(r.Header.Get("Content-Type"))
	authenticated := false
	if scheme, token, ok := ParseAuthorization(r.Header.Get("Authorization")); ok {
		switch MessageType(token) {
		case 1:
			challenge, h, err := ws.srv.Challenge(token)
			if err != nil {
				ws.t.Errorf("Challenge: %v", err)
				unauthorized(w)
				return
			}
			c.handshake, c.session = h, nil
			ws.mu.Lock()
			ws.challengeFlags = append(ws.challengeFlags, flagsOf(challenge))
			ws.mu.Unlock()
			w.Header().Set("WWW-Authenticate", scheme+" "+base64.StdEncoding.EncodeToString(challenge))
			w.WriteHeader(http.StatusUnauthorized)
			return
		case 3:
			if c.handshake == nil {
				unauthorized(w)
				return
			}
			s, err := c.handshake.Authenticate(token, (&lookupRecorder{}).lookup)
			c.handshake = nil
			if err != nil {
				ws.t.Errorf("Authenticate: %v", err)
				unauthorized(w)
				return
			}
			c.session, authenticated = s, true
			ws.mu.Lock()
			ws.users = append(ws.users, s.User+"|"+s.Domain)
			ws.mu.Unlock()
		}
	}
	if c.session == nil || (!authenticated && !encrypted) {
		unauthorized(w)
		return
	}
	body, _ := io.ReadAll(r.Body)
	if encrypted {
		var err error
		if body, err = c.session.DecodeBody(body); err != nil {
			ws.t.Errorf("DecodeBody: %v", err)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
	}
	if len(body) == 0 {
		return
	}
	if !encrypted {
		ws.t.Errorf("client sent plaintext SOAP")
	}
	if !strings.Contains(string(body), "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create") {
		ws.t.Errorf("unexpected request %q", body)
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	ws.mu.Lock()
	ws.requests++
	ws.mu.Unlock()
	framed, err := c.session.EncodeBody([]byte(createShellResponse))
	if err != nil {
		ws.t.Errorf("EncodeBody: %v", err)
		return
	}
	w.Header().Set("Content-Type", EncryptedContentType)
	_, _ = w.Write(framed)
}

func endpoint(t *testing.T, hs *httptest.Server) (string, int) {
	u, err := url.Parse(hs.URL)
	if err != nil {
		t.Fatal(err)
	}
	port, _ := strconv.Atoi(u.Port())
	return u.Hostname(), port
}

func TestMasterzenEndToEnd(t *testing.T) {
	ws, hs := startWSMan(t)
	host, port := endpoint(t, hs)
	for _, login := range []string{`CONTOSO\alice`, "alice@contoso.com", "alice"} {
		params := *winrm.DefaultParameters
		params.TransportDecorator = func() winrm.Transporter {
			enc, err := winrm.NewEncryption("ntlm")
			if err != nil {
				t.Fatal(err)
			}
			return enc
		}
		client, err := winrm.NewClientWithParameters(winrm.NewEndpoint(host, port, false, false, nil, nil, nil, 10*time.Second), login, testPassword, &params)
		if err != nil {
			t.Fatal(err)
		}
		// masterzen re-authenticates for every message; do several.
		for i := 0; i < 3; i++ {
			if _, err := client.CreateShell(); err != nil {
				t.Fatalf("%s: CreateShell %d: %v", login, i, err)
			}
		}
	}
	if ws.requests != 9 {
		t.Errorf("answered %d requests, want 9", ws.requests)
	}
	t.Logf("logons: %q", ws.users)
}

const pywinrmScript = `
import sys
from winrm.protocol import Protocol
endpoint, password = sys.argv[1], sys.argv[2]
for user in sys.argv[3:]:
    p = Protocol(endpoint=endpoint, transport='ntlm', username=user, password=password, message_encryption='always')
    for i in range(3):
        print(user, p.open_shell())
`

func TestPywinrmEndToEnd(t *testing.T) {
	python, env := testenv.Pywinrm(t)
	ws, hs := startWSMan(t)
	logins := []string{`CONTOSO\alice`, "alice@contoso.com", "alice"}
	cmd := exec.Command(python, append([]string{"-c", pywinrmScript, hs.URL + "/wsman", testPassword}, logins...)...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pywinrm: %v\n%s", err, out)
	}
	var want []string
	for _, login := range logins {
		for i := 0; i < 3; i++ {
			want = append(want, login+" 67A74734-DD32-4F10-89DE-49A060483810")
		}
	}
	if got := strings.Split(strings.TrimSpace(string(out)), "\n"); !slices.Equal(got, want) {
		t.Errorf("pywinrm printed %q, want %q", got, want)
	}
	// ntlm-auth negotiates OEM strings only; make sure that path ran.
	for _, f := range ws.challengeFlags {
		if f&flagOEM == 0 || f&flagUnicode != 0 || f&flagKeyExch == 0 {
			t.Errorf("challenge flags 0x%08x: want OEM, not UNICODE, and KEY_EXCH", f)
		}
	}
	if ws.requests != 9 {
		t.Errorf("answered %d requests, want 9", ws.requests)
	}
	t.Logf("logons: %q", ws.users)
}
