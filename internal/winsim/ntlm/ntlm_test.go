package ntlm

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	azure "github.com/Azure/go-ntlmssp"
	"github.com/bodgit/ntlmssp"
	ntlmhttp "github.com/bodgit/ntlmssp/http"
	"golang.org/x/crypto/md4" //nolint:staticcheck // NTLM is built on MD4; there is no other choice
)

const testPassword = "Pa$$w0rd-Ünïcode"

func testServer() *Server {
	return &Server{
		NetBIOSComputer: "LS01",
		NetBIOSDomain:   "CONTOSO",
		DNSComputer:     "ls01.contoso.com",
		DNSDomain:       "contoso.com",
		Now:             func() time.Time { return time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC) },
	}
}

// lookupRecorder accepts "alice" (any case, with or without @contoso.com)
// and records what it was asked.
type lookupRecorder struct{ calls []string }

func (l *lookupRecorder) lookup(user, domain string) (string, bool) {
	l.calls = append(l.calls, user+"|"+domain)
	switch strings.ToLower(user) {
	case "alice", "alice@contoso.com":
		return testPassword, true
	}
	return "", false
}

func newBodgit(t testing.TB, user, domain, password string, opts ...func(*ntlmssp.Client) error) *ntlmssp.Client {
	t.Helper()
	opts = append([]func(*ntlmssp.Client) error{
		ntlmssp.SetUserInfo(user, password),
		ntlmssp.SetDomain(domain),
		ntlmssp.SetVersion(ntlmssp.DefaultVersion()),
	}, opts...)
	c, err := ntlmssp.NewClient(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// bodgitHandshake runs NEGOTIATE/CHALLENGE/AUTHENTICATE and returns the
// server's handshake result alongside the raw messages.
func bodgitHandshake(t *testing.T, srv *Server, c *ntlmssp.Client, l *lookupRecorder) (s *Session, challenge, authenticate []byte, err error) {
	t.Helper()
	neg, err := c.Authenticate(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	challenge, h, err := srv.Challenge(neg)
	if err != nil {
		t.Fatalf("Challenge: %v", err)
	}
	authenticate, err = c.Authenticate(challenge, nil)
	if err != nil {
		t.Fatalf("bodgit rejected CHALLENGE: %v", err)
	}
	s, err = h.Authenticate(authenticate, l.lookup)
	return s, challenge, authenticate, err
}

func flagsOf(challenge []byte) uint32 { return binary.LittleEndian.Uint32(challenge[20:]) }

func TestBodgitHandshakeAndSealing(t *testing.T) {
	for _, tc := range []struct {
		name, user, domain string
		opts               []func(*ntlmssp.Client) error
	}{
		{"netbios domain", "alice", "CONTOSO", nil},
		{"lower-case domain", "Alice", "contoso", nil},
		{"no domain", "alice", "", nil},
		{"upn", "alice@contoso.com", "", nil},
		{"with version and workstation", "alice", "CONTOSO", []func(*ntlmssp.Client) error{
			ntlmssp.SetVersion(&ntlmssp.Version{ProductMajorVersion: 10, ProductBuild: 19045, NTLMRevisionCurrent: 15}),
			ntlmssp.SetWorkstation("ADMINPC"),
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := &lookupRecorder{}
			c := newBodgit(t, tc.user, tc.domain, testPassword, tc.opts...)
			s, challenge, _, err := bodgitHandshake(t, testServer(), c, l)
			if err != nil {
				t.Fatalf("Authenticate: %v", err)
			}
			want := flagUnicode | flagRequestTarget | flagSign | flagSeal | flagNTLM | flagAlwaysSign |
				flagTargetTypeDomain | flagESS | flagTargetInfo | flag128 | flagKeyExch | flag56 | flagVersion
			if !bytes.Equal(challenge[48:56], testServer().version()) {
				t.Errorf("challenge version % x", challenge[48:56])
			}
			if got := flagsOf(challenge); got != want {
				t.Errorf("challenge flags 0x%08x, want 0x%08x", got, want)
			}
			if s.User != tc.user || s.Domain != tc.domain {
				t.Errorf("session user %q domain %q", s.User, s.Domain)
			}
			if tc.opts != nil && s.Workstation != "ADMINPC" {
				t.Errorf("workstation %q", s.Workstation)
			}
			if len(l.calls) != 1 || l.calls[0] != tc.user+"|"+tc.domain {
				t.Errorf("lookup calls %q", l.calls)
			}
			if !s.CanSeal() {
				t.Fatalf("CanSeal false, flags 0x%08x", s.Flags())
			}
			roundTrips(t, s, c.SecuritySession())
		})
	}
}

func roundTrips(t *testing.T, s *Session, cs *ntlmssp.SecuritySession) {
	t.Helper()
	// Uneven traffic: the directions' RC4 states and sequence numbers must
	// be independent.
	for i, n := range []int{1, 3, 0, 2, 1} {
		for j := 0; j < n; j++ {
			msg := []byte(fmt.Sprintf("<s:Envelope>request %d.%d %s</s:Envelope>", i, j, strings.Repeat("x", i*100)))
			sealed, sig, err := cs.Wrap(msg)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(sealed, []byte("request")) {
				t.Fatal("client message not encrypted")
			}
			got, err := s.Unseal(sealed, sig)
			if err != nil {
				t.Fatalf("Unseal message %d.%d: %v", i, j, err)
			}
			if !bytes.Equal(got, msg) {
				t.Fatalf("Unseal = %q, want %q", got, msg)
			}
		}
		for j := 0; j < 3-n; j++ {
			msg := []byte(fmt.Sprintf("<s:Envelope>reply %d.%d</s:Envelope>", i, j))
			sealed, sig, err := s.Seal(msg)
			if err != nil {
				t.Fatal(err)
			}
			if binary.LittleEndian.Uint32(sig) != 1 || len(sig) != 16 {
				t.Fatalf("bad signature % x", sig)
			}
			got, err := cs.Unwrap(sealed, sig)
			if err != nil {
				t.Fatalf("client Unwrap reply %d.%d: %v", i, j, err)
			}
			if !bytes.Equal(got, msg) {
				t.Fatalf("client Unwrap = %q, want %q", got, msg)
			}
		}
	}
}

// The following two functions copy masterzen/winrm encryption.go's framing.
const mzBoundary = "--Encrypted Boundary"

func masterzenEncrypt(cs *ntlmssp.SecuritySession, message []byte) []byte {
	sealedMessage, signature, _ := cs.Wrap(message)
	buf := new(bytes.Buffer)
	_ = binary.Write(buf, binary.LittleEndian, uint32(len(signature)))
	buf.Write(signature)
	buf.Write(sealedMessage)
	payload := bytes.Join([][]byte{
		[]byte(mzBoundary),
		[]byte("\r\n"),
		[]byte("\tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n"),
		[]byte(fmt.Sprintf("\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=%d\r\n", len(message))),
		[]byte(mzBoundary),
		[]byte("\r\n"),
		[]byte("\tContent-Type: application/octet-stream\r\n"),
		buf.Bytes(),
	}, []byte{})
	payload = append(payload, []byte(mzBoundary)...)
	return append(payload, []byte("--\r\n")...)
}

func masterzenDecrypt(cs *ntlmssp.SecuritySession, body []byte) ([]byte, error) {
	var parts [][]byte
	for _, p := range bytes.Split(body, []byte(mzBoundary+"\r\n")) {
		if len(p) != 0 {
			parts = append(parts, p)
		}
	}
	var message []byte
	for i := 0; i < len(parts); i += 2 {
		header, payload := parts[i], parts[i+1]
		var expected int
		if _, err := fmt.Sscan(string(bytes.TrimSpace(bytes.SplitAfter(header, []byte("Length="))[1])), &expected); err != nil {
			return nil, err
		}
		if bytes.HasSuffix(payload, []byte(mzBoundary+"--\r\n")) {
			payload = payload[:len(payload)-len(mzBoundary)-4]
		}
		data := bytes.ReplaceAll(payload, []byte("\tContent-Type: application/octet-stream\r\n"), []byte{})
		n := int(binary.LittleEndian.Uint32(data[:4]))
		m, err := cs.Unwrap(data[4+n:], data[4:4+n])
		if err != nil {
			return nil, err
		}
		if len(m) != expected {
			return nil, errors.New("length mismatch")
		}
		message = append(message, m...)
	}
	return message, nil
}

func TestMasterzenFraming(t *testing.T) {
	c := newBodgit(t, "alice", "CONTOSO", testPassword)
	s, _, _, err := bodgitHandshake(t, testServer(), c, &lookupRecorder{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(EncryptedContentType, `protocol="application/HTTP-SPNEGO-session-encrypted"`) {
		t.Fatal("content type lacks the quoted protocol masterzen looks for")
	}
	ct := fmt.Sprintf(`%s;protocol="%s";boundary="Encrypted Boundary"`, "multipart/encrypted", "application/HTTP-SPNEGO-session-encrypted")
	if !IsEncrypted(ct) || ct != EncryptedContentType {
		t.Fatalf("masterzen request content type %q not recognised", ct)
	}
	for i := 0; i < 4; i++ {
		req := []byte(fmt.Sprintf(`<s:Envelope><s:Body>request %d</s:Body></s:Envelope>`, i))
		got, err := s.DecodeBody(masterzenEncrypt(c.SecuritySession(), req))
		if err != nil {
			t.Fatalf("DecodeBody %d: %v", i, err)
		}
		if !bytes.Equal(got, req) {
			t.Fatalf("DecodeBody = %q", got)
		}
		reply := []byte(fmt.Sprintf(`<s:Envelope><s:Body>reply %d %s</s:Body></s:Envelope>`, i, strings.Repeat("y", 1000*i)))
		body, err := s.EncodeBody(reply)
		if err != nil {
			t.Fatal(err)
		}
		head := fmt.Sprintf("--Encrypted Boundary\r\n\tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n"+
			"\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=%d\r\n"+
			"--Encrypted Boundary\r\n\tContent-Type: application/octet-stream\r\n\x10\x00\x00\x00", len(reply))
		if !bytes.HasPrefix(body, []byte(head)) || !bytes.HasSuffix(body, []byte("--Encrypted Boundary--\r\n")) ||
			len(body) != len(head)+16+len(reply)+len("--Encrypted Boundary--\r\n") {
			t.Fatalf("EncodeBody framing wrong:\n%q", body)
		}
		got, err = masterzenDecrypt(c.SecuritySession(), body)
		if err != nil {
			t.Fatalf("masterzen decrypt %d: %v", i, err)
		}
		if !bytes.Equal(got, reply) {
			t.Fatalf("masterzen decrypted %q", got)
		}
	}
}

// bodgit's own HTTP layer (not used by masterzen or by winrmclient)
// insists on the exact Content-Type and its own MIME reading; our replies
// must pass it. It reads the binary part line by line, so when the
// ciphertext ends in '\n' (one message in 256) it misses the closing
// boundary that Windows, like winsim, writes right after the ciphertext,
// and fails with "unexpected EOF". Sessions are drawn until both cases are
// seen. Its request side is not tested: it writes Length= as the size of
// the signature plus ciphertext, not of the plaintext, which DecodeBody
// rejects.
func TestBodgitHTTPUnwrapsReply(t *testing.T) {
	reply := []byte(`<s:Envelope>world</s:Envelope>`)
	var sawOK, sawNewline bool
	for i := 0; i < 5000 && (!sawOK || !sawNewline); i++ {
		c := newBodgit(t, "alice", "CONTOSO", testPassword)
		s, _, _, err := bodgitHandshake(t, testServer(), c, &lookupRecorder{})
		if err != nil {
			t.Fatal(err)
		}
		framed, err := s.EncodeBody(reply)
		if err != nil {
			t.Fatal(err)
		}
		closing := bytes.LastIndex(framed, []byte("--Encrypted Boundary--"))
		data, _, err := ntlmhttp.Unwrap(framed, EncryptedContentType)
		if framed[closing-1] == '\n' {
			sawNewline = true
			if err == nil {
				t.Fatal("bodgit Unwrap read a ciphertext ending in a newline: its defect is fixed, update this test")
			}
			continue
		}
		sawOK = true
		if err != nil {
			t.Fatalf("bodgit Unwrap: %v\n%q", err, framed)
		}
		got, err := c.SecuritySession().Unwrap(data[20:], data[4:20])
		if err != nil || !bytes.Equal(got, reply) {
			t.Fatalf("bodgit unwrap = %q, %v", got, err)
		}
	}
	if !sawOK || !sawNewline {
		t.Fatalf("in 5000 sessions: a ciphertext not ending in a newline %v, one ending in a newline %v", sawOK, sawNewline)
	}
}

func TestDecodeBodyTolerance(t *testing.T) {
	c := newBodgit(t, "alice", "CONTOSO", testPassword)
	s, _, _, err := bodgitHandshake(t, testServer(), c, &lookupRecorder{})
	if err != nil {
		t.Fatal(err)
	}
	cs := c.SecuritySession()
	part := func(msg []byte, hdrSep, dataSep, lengthFmt string) []byte {
		sealed, sig, _ := cs.Wrap(msg)
		return []byte(fmt.Sprintf("--Encrypted Boundary%s Content-Type:application/HTTP-SPNEGO-session-encrypted%s"+
			"  OriginalContent: type=application/soap+xml;charset=UTF-8;"+lengthFmt+"%s"+
			"--Encrypted Boundary%sContent-Type: application/octet-stream%s%s%s%s%s",
			hdrSep, hdrSep, len(msg), hdrSep, hdrSep, hdrSep, dataSep, binary.LittleEndian.AppendUint32(nil, 16), sig, sealed))
	}
	// LF-only line ends, odd spacing, a blank line before the data, a CRLF
	// before the closing boundary, two parts.
	body := part([]byte("first "), "\n", "\r\n", "Length=%d")
	body = append(body, "\r\n"...)
	body = append(body, part([]byte("second"), "\r\n", "", "length=%d")...)
	body = append(body, "\r\n--Encrypted Boundary--\r\n"...)
	got, err := s.DecodeBody(body)
	if err != nil {
		t.Fatalf("DecodeBody: %v\n%q", err, body)
	}
	if string(got) != "first second" {
		t.Fatalf("got %q", got)
	}
	// No closing boundary at all.
	got, err = s.DecodeBody(part([]byte("third"), "\r\n", "", "Length=%d"))
	if err != nil || string(got) != "third" {
		t.Fatalf("got %q, %v", got, err)
	}
}

func TestAzureClient(t *testing.T) {
	for _, tc := range []struct {
		login, wantUser, wantDomain string
	}{
		{`CONTOSO\alice`, "alice", "CONTOSO"},
		{`contoso\alice`, "alice", "CONTOSO"}, // go-ntlmssp uses the server's TargetName
		{"alice@contoso.com", "alice@contoso.com", ""},
		{"alice", "alice", "CONTOSO"},
	} {
		t.Run(tc.login, func(t *testing.T) {
			user, domain, domainNeeded := azure.GetDomain(tc.login)
			neg, err := azure.NewNegotiateMessage(domain, "")
			if err != nil {
				t.Fatal(err)
			}
			challenge, h, err := testServer().Challenge(neg)
			if err != nil {
				t.Fatal(err)
			}
			auth, err := azure.ProcessChallenge(challenge, user, testPassword, domainNeeded)
			if err != nil {
				t.Fatalf("go-ntlmssp rejected CHALLENGE 0x%08x: %v", flagsOf(challenge), err)
			}
			l := &lookupRecorder{}
			s, err := h.Authenticate(auth, l.lookup)
			if err != nil {
				t.Fatalf("Authenticate: %v", err)
			}
			if s.User != tc.wantUser || s.Domain != tc.wantDomain {
				t.Errorf("session %q / %q, want %q / %q", s.User, s.Domain, tc.wantUser, tc.wantDomain)
			}
			if s.CanSeal() {
				t.Error("CanSeal true without SEAL")
			}
			if _, _, err := s.Seal([]byte("x")); err == nil || !strings.Contains(err.Error(), "cannot seal") {
				t.Errorf("Seal without SEAL: %v", err)
			}
			if _, err := s.EncodeBody([]byte("x")); err == nil {
				t.Error("EncodeBody without SEAL succeeded")
			}
		})
	}
}

func TestChallengeForAzureNegotiate(t *testing.T) {
	neg, err := azure.NewNegotiateMessage("", "")
	if err != nil {
		t.Fatal(err)
	}
	challenge, _, err := testServer().Challenge(neg)
	if err != nil {
		t.Fatal(err)
	}
	f := flagsOf(challenge)
	if f&flagKeyExch != 0 || f&flagLMKey != 0 {
		t.Errorf("flags 0x%08x contain KEY_EXCH or LM_KEY", f)
	}
	if f&flagUnicode == 0 || f&flagOEM != 0 {
		t.Errorf("flags 0x%08x: want UNICODE and not OEM", f)
	}
	if f&(flagSign|flagSeal) != 0 {
		t.Errorf("flags 0x%08x grant SIGN/SEAL nobody asked for", f)
	}
	if want := uint32(0xA2890205); f != want { // VERSION unasked, as Windows
		t.Errorf("flags 0x%08x, want 0x%08x", f, want)
	}
	ti, err := field(challenge, 40, "TargetInfo")
	if err != nil {
		t.Fatal(err)
	}
	pairs, err := parseAVPairs(ti)
	if err != nil {
		t.Fatal(err)
	}
	want := map[uint16]string{avNbDomainName: "CONTOSO", avNbComputerName: "LS01", avDNSDomainName: "contoso.com", avDNSComputerName: "ls01.contoso.com"}
	for id, name := range want {
		v, ok := findAV(pairs, id)
		if got, _ := decodeUTF16(v); !ok || got != name {
			t.Errorf("AV pair %d = %q, want %q", id, got, name)
		}
	}
	if v, ok := findAV(pairs, avTimestamp); !ok || !bytes.Equal(v, fileTime(testServer().Now())) {
		t.Errorf("timestamp % x", v)
	}
	if name, _ := field(challenge, 12, "TargetName"); !bytes.Equal(name, encodeUTF16("CONTOSO")) {
		t.Errorf("target name % x", name)
	}
}

func TestWorkgroupChallenge(t *testing.T) {
	srv := &Server{NetBIOSComputer: "ls01", NetBIOSDomain: "WORKGROUP"}
	user, domain, needed := azure.GetDomain("alice")
	neg, _ := azure.NewNegotiateMessage(domain, "")
	challenge, h, err := srv.Challenge(neg)
	if err != nil {
		t.Fatal(err)
	}
	if f := flagsOf(challenge); f&flagTargetTypeServer == 0 || f&flagTargetTypeDomain != 0 {
		t.Errorf("flags 0x%08x: want TARGET_TYPE_SERVER", f)
	}
	auth, err := azure.ProcessChallenge(challenge, user, testPassword, needed)
	if err != nil {
		t.Fatal(err)
	}
	s, err := h.Authenticate(auth, (&lookupRecorder{}).lookup)
	if err != nil {
		t.Fatal(err)
	}
	if s.Domain != "LS01" {
		t.Errorf("domain %q, want the computer name", s.Domain)
	}
}

// rawAuth builds AUTHENTICATE messages that real clients would not, to
// exercise the server's checks.
type rawAuth struct {
	user, sendDomain, hashDomain, password string
	nt                                     []byte // overrides the NTLMv2 response
	blobVersion                            byte
	flags                                  uint32
}

func (a rawAuth) build(t testing.TB, challenge []byte) []byte {
	t.Helper()
	ti, err := field(challenge, 40, "TargetInfo")
	if err != nil {
		t.Fatal(err)
	}
	nt := a.nt
	if nt == nil {
		v := a.blobVersion
		if v == 0 {
			v = 1
		}
		blob := append([]byte{v, 1, 0, 0, 0, 0, 0, 0}, fileTime(time.Now())...)
		blob = append(blob, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0)
		blob = append(blob, ti...)
		blob = append(blob, 0, 0, 0, 0)
		h := md4.New()
		h.Write(encodeUTF16(a.password))
		key := hmacMD5(h.Sum(nil), encodeUTF16(strings.ToUpper(a.user)+a.hashDomain))
		nt = append(hmacMD5(key, challenge[24:32], blob), blob...)
	}
	flags := a.flags
	if flags == 0 {
		flags = flagsOf(challenge) &^ flagKeyExch
	}
	dom, usr := encodeUTF16(a.sendDomain), encodeUTF16(a.user)
	msg := make([]byte, 64)
	copy(msg, "NTLMSSP\x00")
	msg[8] = 3
	off := 64
	for _, f := range []struct {
		at   int
		data []byte
	}{{20, nt}, {28, dom}, {36, usr}} {
		putField(msg, f.at, len(f.data), off)
		off += len(f.data)
	}
	binary.LittleEndian.PutUint32(msg[60:], flags)
	// The payload follows the 64-byte header the fields point into.
	out := append(msg[:64:64], nt...)
	out = append(out, dom...)
	return append(out, usr...)
}

func azureChallenge(t *testing.T) ([]byte, *Handshake) {
	t.Helper()
	neg, _ := azure.NewNegotiateMessage("", "")
	challenge, h, err := testServer().Challenge(neg)
	if err != nil {
		t.Fatal(err)
	}
	return challenge, h
}

func TestDomainVariants(t *testing.T) {
	for _, a := range []rawAuth{
		{user: "alice", sendDomain: "contoso", hashDomain: "contoso"},
		{user: "alice", sendDomain: "contoso", hashDomain: "CONTOSO"},
		{user: "alice", sendDomain: "CONTOSO", hashDomain: ""},
		{user: "ALICE", sendDomain: "", hashDomain: ""},
	} {
		a.password = testPassword
		challenge, h := azureChallenge(t)
		s, err := h.Authenticate(a.build(t, challenge), (&lookupRecorder{}).lookup)
		if err != nil {
			t.Errorf("send %q hash %q: %v", a.sendDomain, a.hashDomain, err)
			continue
		}
		if s.Domain != a.sendDomain {
			t.Errorf("session domain %q", s.Domain)
		}
	}
	challenge, h := azureChallenge(t)
	_, err := h.Authenticate(rawAuth{user: "alice", sendDomain: "CONTOSO", hashDomain: "FABRIKAM", password: testPassword}.build(t, challenge), (&lookupRecorder{}).lookup)
	if !errors.Is(err, ErrLogonFailure) {
		t.Errorf("hash with another domain: %v", err)
	}
}

func wantErr(t *testing.T, what string, err error, logon bool, substr ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error", what)
		return
	}
	if errors.Is(err, ErrLogonFailure) != logon {
		t.Errorf("%s: errors.Is(ErrLogonFailure) = %v: %v", what, !logon, err)
	}
	for _, s := range substr {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("%s: error %q does not mention %q", what, err, s)
		}
	}
	if strings.Contains(err.Error(), testPassword) || strings.Contains(err.Error(), "wrong-password") {
		t.Errorf("%s: error leaks the password: %v", what, err)
	}
	t.Logf("%s: %v", what, err)
}

func TestAuthenticationFailures(t *testing.T) {
	srv := testServer()

	_, _, _, err := bodgitHandshake(t, srv, newBodgit(t, "alice", "CONTOSO", "wrong-password"), &lookupRecorder{})
	wantErr(t, "wrong password (bodgit)", err, true, "wrong password", `"alice"`)

	_, _, _, err = bodgitHandshake(t, srv, newBodgit(t, "mallory", "CONTOSO", testPassword), &lookupRecorder{})
	wantErr(t, "unknown user", err, true, "unknown user", `"mallory"`)

	user, domain, needed := azure.GetDomain(`CONTOSO\alice`)
	neg, _ := azure.NewNegotiateMessage(domain, "")
	challenge, h, _ := srv.Challenge(neg)
	auth, _ := azure.ProcessChallenge(challenge, user, "wrong-password", needed)
	_, err = h.Authenticate(auth, (&lookupRecorder{}).lookup)
	wantErr(t, "wrong password (go-ntlmssp)", err, true, "wrong password")

	// NTLMv1 and NTLM2-session responses, as bodgit sends them at
	// LmCompatibilityLevel 1 and 2.
	for level, opt := range map[int]func(*ntlmssp.Client) error{
		1: ntlmssp.SetCompatibilityLevel(1),
		2: ntlmssp.SetCompatibilityLevel(2),
	} {
		c := newBodgit(t, "alice", "CONTOSO", testPassword, opt)
		_, _, _, err = bodgitHandshake(t, srv, c, &lookupRecorder{})
		wantErr(t, fmt.Sprintf("NTLMv1 (level %d)", level), err, true, "NTLMv1")
	}

	challenge, h = azureChallenge(t)
	_, err = h.Authenticate(rawAuth{user: "alice", nt: make([]byte, 24)}.build(t, challenge), (&lookupRecorder{}).lookup)
	wantErr(t, "NTLMv1 (raw)", err, true, "only NTLMv2")

	challenge, h = azureChallenge(t)
	_, err = h.Authenticate(rawAuth{nt: []byte{}, flags: flagsOf(challenge) | flagAnonymous}.build(t, challenge), (&lookupRecorder{}).lookup)
	wantErr(t, "anonymous", err, true, "anonymous")

	challenge, h = azureChallenge(t)
	_, err = h.Authenticate(rawAuth{user: "alice", password: testPassword, blobVersion: 2}.build(t, challenge), (&lookupRecorder{}).lookup)
	wantErr(t, "blob version", err, false, "version 2")

	challenge, h = azureChallenge(t)
	_, err = h.Authenticate(rawAuth{user: "alice", nt: make([]byte, 30)}.build(t, challenge), (&lookupRecorder{}).lookup)
	wantErr(t, "short NTLMv2 response", err, false, "too short")

	// An AUTHENTICATE answering another CHALLENGE.
	challenge, _ = azureChallenge(t)
	_, h = azureChallenge(t)
	_, err = h.Authenticate(rawAuth{user: "alice", sendDomain: "CONTOSO", hashDomain: "CONTOSO", password: testPassword}.build(t, challenge), (&lookupRecorder{}).lookup)
	wantErr(t, "other challenge", err, true, "wrong password")

	// The handshake is spent, even after success.
	challenge, h = azureChallenge(t)
	good := rawAuth{user: "alice", password: testPassword}.build(t, challenge)
	if _, err := h.Authenticate(good, (&lookupRecorder{}).lookup); err != nil {
		t.Fatal(err)
	}
	_, err = h.Authenticate(good, (&lookupRecorder{}).lookup)
	wantErr(t, "replayed AUTHENTICATE", err, false, "already used")
}

func TestMICChecked(t *testing.T) {
	for _, tc := range []struct {
		name   string
		offset int
	}{{"MIC itself", 72}, {"NegotiateFlags", 61}} {
		c := newBodgit(t, "alice", "CONTOSO", testPassword)
		neg, _ := c.Authenticate(nil, nil)
		challenge, h, err := testServer().Challenge(neg)
		if err != nil {
			t.Fatal(err)
		}
		auth, err := c.Authenticate(challenge, nil)
		if err != nil {
			t.Fatal(err)
		}
		auth[tc.offset] ^= 0x01
		_, err = h.Authenticate(auth, (&lookupRecorder{}).lookup)
		wantErr(t, "tampered "+tc.name, err, false, "MIC mismatch")
	}
}

func TestGarbageTokens(t *testing.T) {
	srv := testServer()
	for _, tc := range []struct {
		name  string
		token []byte
		want  string
	}{
		{"empty", nil, "empty token"},
		{"random", []byte("hello world, not ntlm"), "not an NTLMSSP message"},
		{"spnego init", []byte{0x60, 0x28, 0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02}, "SPNEGO"},
		{"spnego resp", []byte{0xa1, 0x10, 0x30, 0x0e}, "SPNEGO"},
		{"authenticate instead", []byte("NTLMSSP\x00\x03\x00\x00\x00"), "got type 3"},
		{"type 9", []byte("NTLMSSP\x00\x09\x00\x00\x00"), "unknown type 9"},
		{"truncated", []byte("NTLMSSP\x00\x01\x00\x00\x00\x07"), "too short"},
		{"datagram", []byte("NTLMSSP\x00\x01\x00\x00\x00\x41\x00\x00\x00"), "datagram"},
	} {
		_, _, err := srv.Challenge(tc.token)
		wantErr(t, "Challenge("+tc.name+")", err, false, tc.want)
	}

	challenge, _ := azureChallenge(t)
	good := rawAuth{user: "alice", password: testPassword}.build(t, challenge)
	outOfRange := append([]byte(nil), good...)
	binary.LittleEndian.PutUint32(outOfRange[24:], 5000)
	badAV := rawAuth{user: "alice", nt: append(make([]byte, 16+28), 1, 0, 0xff, 0xff, 0, 0, 0, 0)}.build(t, challenge)
	badAV[64+16] = 1
	oddUser := append([]byte(nil), good...)
	binary.LittleEndian.PutUint16(oddUser[36:], 3)
	for _, tc := range []struct {
		name  string
		token []byte
		want  string
	}{
		{"garbage", []byte("\x00\x01\x02garbage"), "not an NTLMSSP message"},
		{"negotiate instead", []byte("NTLMSSP\x00\x01\x00\x00\x00\x00\x00\x00\x00"), "got type 1"},
		{"short header", good[:40], "shorter than the 64-byte header"},
		{"offset out of range", outOfRange, "outside"},
		{"truncated payload", good[:len(good)-20], "outside"},
		{"bad AV pairs", badAV, "AV_PAIR"},
		{"odd UTF-16", oddUser, "UTF-16"},
	} {
		_, h := azureChallenge(t)
		_, err := h.Authenticate(tc.token, (&lookupRecorder{}).lookup)
		wantErr(t, "Authenticate("+tc.name+")", err, false, tc.want)
	}

	if MessageType([]byte("garbage")) != 0 || MessageType(nil) != 0 || MessageType(challenge) != 2 {
		t.Error("MessageType")
	}
}

func TestSealingFailures(t *testing.T) {
	c := newBodgit(t, "alice", "CONTOSO", testPassword)
	s, _, _, err := bodgitHandshake(t, testServer(), c, &lookupRecorder{})
	if err != nil {
		t.Fatal(err)
	}
	cs := c.SecuritySession()
	msg := []byte("<s:Envelope>important</s:Envelope>")
	sealed, sig, _ := cs.Wrap(msg)

	for i, tamper := range []func(sealed, sig []byte){
		func(sealed, sig []byte) { sig[5] ^= 1 },    // checksum
		func(sealed, sig []byte) { sealed[3] ^= 1 }, // ciphertext
		func(sealed, sig []byte) { sig[0] = 2 },     // version
	} {
		bs, bg := bytes.Clone(sealed), bytes.Clone(sig)
		tamper(bs, bg)
		_, err := s.Unseal(bs, bg)
		wantErr(t, fmt.Sprintf("tamper %d", i), err, false)
	}
	_, err = s.Unseal(sealed, sig[:15])
	wantErr(t, "short signature", err, false, "15 bytes")

	// A failed message leaves the state alone: the genuine one still works.
	if got, err := s.Unseal(sealed, sig); err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("genuine message after tampered ones: %q, %v", got, err)
	}
	_, err = s.Unseal(sealed, sig)
	wantErr(t, "replay", err, false, "sequence number 0, expected 1")

	// Skip one client message: out of order.
	_, _, _ = cs.Wrap([]byte("lost"))
	sealed, sig, _ = cs.Wrap([]byte("next"))
	_, err = s.Unseal(sealed, sig)
	wantErr(t, "lost message", err, false, "sequence number 2, expected 1")

	// Framing errors.
	c = newBodgit(t, "alice", "CONTOSO", testPassword)
	s, _, _, _ = bodgitHandshake(t, testServer(), c, &lookupRecorder{})
	cs = c.SecuritySession()
	good := masterzenEncrypt(cs, []byte("<x/>"))
	for _, tc := range []struct {
		name string
		body []byte
		want string
	}{
		{"plain soap", []byte("<s:Envelope/>"), "does not start with"},
		{"length too big", bytes.Replace(good, []byte("Length=4"), []byte("Length=5"), 1), "4 sealed bytes but OriginalContent Length=5"},
		{"length too small", bytes.Replace(good, []byte("Length=4"), []byte("Length=3"), 1), "4 sealed bytes but OriginalContent Length=3"},
		{"no length", bytes.Replace(good, []byte("Length=4"), []byte("Size=4"), 1), "Length="},
		{"credssp", bytes.Replace(good, []byte("HTTP-SPNEGO"), []byte("HTTP-CredSSP"), 1), "CredSSP"},
		{"kerberos-sized sig", bytes.Replace(good, []byte("stream\r\n\x10"), []byte("stream\r\n\x3c"), 1), "signature length 60"},
		{"truncated", good[:len(good)-30], "truncated"},
		{"no data", good[:bytes.LastIndex(good, []byte("stream\r\n"))+8], "truncated"},
	} {
		_, err := s.DecodeBody(tc.body)
		wantErr(t, "DecodeBody("+tc.name+")", err, false, tc.want)
	}
	if got, err := s.DecodeBody(good); err != nil || string(got) != "<x/>" {
		t.Fatalf("good body after bad ones: %q, %v", got, err)
	}
}

func TestIsEncryptedAndParseAuthorization(t *testing.T) {
	for ct, want := range map[string]bool{
		EncryptedContentType: true,
		`Multipart/Encrypted; protocol="application/HTTP-SPNEGO-session-encrypted"; boundary="Encrypted Boundary"`:        true,
		`multipart/x-multi-encrypted;protocol="application/HTTP-CredSSP-session-encrypted";boundary="Encrypted Boundary"`: true,
		"application/soap+xml;charset=UTF-8": false,
		"":                                   false,
	} {
		if got := IsEncrypted(ct); got != want {
			t.Errorf("IsEncrypted(%q) = %v", ct, got)
		}
	}
	tok := []byte("NTLMSSP\x00\x01\x00\x00\x00\x00\x00\x00\x00")
	b64 := base64.StdEncoding.EncodeToString(tok)
	for h, want := range map[string]string{
		"Negotiate " + b64:                    "Negotiate",
		"NTLM " + b64:                         "NTLM",
		"  negotiate   " + b64 + " ":          "Negotiate",
		"ntlm " + strings.TrimRight(b64, "="): "NTLM",
		"Basic " + b64:                        "",
		"Negotiate":                           "",
		"Negotiate !!!":                       "",
		"Kerberos " + b64:                     "Kerberos",
		"Negotiate " + base64.StdEncoding.EncodeToString(nil): "",
	} {
		scheme, token, ok := ParseAuthorization(h)
		if ok != (want != "") || scheme != want || (ok && !bytes.Equal(token, tok)) {
			t.Errorf("ParseAuthorization(%q) = %q, %q, %v", h, scheme, token, ok)
		}
		if ok && MessageType(token) != 1 {
			t.Errorf("MessageType = %d", MessageType(token))
		}
	}
}

// The CHALLENGE's VERSION is the host's: Windows 10.0, its build, NTLMSSP
// revision 15; Server 2022 (build 20348) when no build is given.
func TestChallengeVersion(t *testing.T) {
	neg := make([]byte, 32)
	copy(neg, signature)
	binary.LittleEndian.PutUint32(neg[8:], msgNegotiate)
	// Windows sets VERSION in its CHALLENGE whether or not the client asked.
	binary.LittleEndian.PutUint32(neg[12:], flagUnicode|flagNTLM)
	for _, tc := range []struct {
		build uint16
		want  []byte
	}{
		{0, []byte{10, 0, 0x7c, 0x4f, 0, 0, 0, 15}},     // 20348
		{14393, []byte{10, 0, 0x39, 0x38, 0, 0, 0, 15}}, // Server 2016
		{17763, []byte{10, 0, 0x63, 0x45, 0, 0, 0, 15}}, // Server 2019
		{26100, []byte{10, 0, 0xf4, 0x65, 0, 0, 0, 15}}, // Server 2025
	} {
		srv := testServer()
		srv.ProductBuild = tc.build
		challenge, _, err := srv.Challenge(neg)
		if err != nil {
			t.Fatal(err)
		}
		if flagsOf(challenge)&flagVersion == 0 || !bytes.Equal(challenge[48:56], tc.want) {
			t.Errorf("build %d: flags 0x%08x, version % x, want % x", tc.build, flagsOf(challenge), challenge[48:56], tc.want)
		}
	}
}
