package ntlm

import (
	"bytes"
	"encoding/asn1"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"
	"sync"
	"testing"

	azure "github.com/Azure/go-ntlmssp"
)

// Fuzz targets for everything a client sends before and after logging on:
// the framing of encrypted bodies (after a real login, so a crash drops a
// genuine connection), the three NTLM messages, SPNEGO tokens and the
// Authorization header. Seeds are made by the encoders the clients use.

// fuzzFlags are what every NTLMv2 client winsim meets negotiates.
const fuzzFlags = flagUnicode | flagNTLM | flagSign | flagSeal | flagAlwaysSign | flagESS |
	flagTargetInfo | flagVersion | flag128 | flagKeyExch | flag56

// fuzzSessions returns a server session with fixed keys and the client's
// view of it.
func fuzzSessions() (server, client *Session) {
	s := newSession("alice", "CONTOSO", "WS01", fuzzFlags, bytes.Repeat([]byte{0x5a}, 16))
	return s, mirror(s)
}

// frame seals msg with the client's session and frames it as
// masterzen/winrm and pywinrm do (hdr joins the header lines, lengthFmt
// says how Length is written).
func frame(c *Session, msg []byte, hdr, lengthFmt string) []byte {
	sealed, sig, err := c.Seal(msg)
	if err != nil {
		panic(err)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "--Encrypted Boundary%s\tContent-Type: application/HTTP-SPNEGO-session-encrypted%s", hdr, hdr)
	fmt.Fprintf(&b, "\tOriginalContent: type=application/soap+xml;charset=UTF-8;"+lengthFmt+"%s", len(msg), hdr)
	fmt.Fprintf(&b, "--Encrypted Boundary%s\tContent-Type: application/octet-stream%s", hdr, hdr)
	b.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(sig))))
	b.Write(sig)
	b.Write(sealed)
	return b.Bytes()
}

const soapCreate = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><s:Header><a:To>https://ls01.contoso.com:5986/wsman</a:To><w:ResourceURI s:mustUnderstand="true">http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd</w:ResourceURI><a:Action s:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/09/transfer/Create</a:Action><w:MaxEnvelopeSize s:mustUnderstand="true">153600</w:MaxEnvelopeSize><a:MessageID>uuid:5C4E8A3D-1B0F-4C3A-9E2D-7F6B5A4C3D2E</a:MessageID><w:OperationTimeout>PT60S</w:OperationTimeout></s:Header><s:Body><rsp:Shell xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell"><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell></s:Body></s:Envelope>`

func FuzzDecodeBody(f *testing.F) {
	// winsim's own framing, as Windows writes it.
	_, c := fuzzSessions()
	own, err := c.EncodeBody([]byte(soapCreate))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(own)
	// masterzen/winrm and pywinrm: the closing boundary right after the data.
	_, c = fuzzSessions()
	f.Add(append(frame(c, []byte(soapCreate), "\r\n", "Length=%d"), "--Encrypted Boundary--\r\n"...))
	// LF line ends, lower-case length, two parts, a CRLF before the close.
	_, c = fuzzSessions()
	two := frame(c, []byte("<s:Envelope>first "), "\n", "length=%d")
	two = append(two, "\r\n"...)
	two = append(two, frame(c, []byte("second</s:Envelope>"), "\r\n", "Length=%d")...)
	f.Add(append(two, "\r\n--Encrypted Boundary--\r\n"...))
	// No closing boundary; an empty message.
	_, c = fuzzSessions()
	f.Add(frame(c, nil, "\r\n", "Length=%d"))
	// Metadata the parser must refuse.
	f.Add([]byte("--Encrypted Boundary\r\n\tContent-Type: application/HTTP-CredSSP-session-encrypted\r\n--Encrypted Boundary\r\n"))
	f.Add([]byte("--Encrypted Boundary\r\n\tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=99999999999999999999\r\n--Encrypted Boundary\r\n"))

	f.Fuzz(func(t *testing.T, body []byte) {
		s, _ := fuzzSessions()
		plain, err := s.DecodeBody(body)
		if err != nil {
			if n := len(err.Error()); n > 400 {
				t.Errorf("error of %d bytes echoes the body: %.100q...", n, err)
			}
		} else if len(plain) > len(body) {
			t.Errorf("decoded %d bytes from a %d-byte body", len(plain), len(body))
		}

		// Any message survives sealing and framing, in winsim's framing
		// and in masterzen's.
		s, c := fuzzSessions()
		framed, err := c.EncodeBody(body)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.DecodeBody(framed)
		if err != nil || !bytes.Equal(got, body) {
			t.Fatalf("round trip: %v\n got %q\nwant %q", err, got, body)
		}
		s, c = fuzzSessions()
		got, err = s.DecodeBody(append(frame(c, body, "\r\n", "Length=%d"), "--Encrypted Boundary--\r\n"...))
		if err != nil || !bytes.Equal(got, body) {
			t.Fatalf("masterzen framing round trip: %v\n got %q\nwant %q", err, got, body)
		}
	})
}

// Crashers FuzzDecodeBody found, and their relatives. parseMetadata used
// to find "length=" in strings.ToLower(text) and cut text at that index:
// invalid UTF-8 (each byte becomes a 3-byte U+FFFD) and "Ⱥ" (2 bytes,
// lower-cased to 3) moved the index past the end (a panic, which dropped a
// logged-on connection); "İ" and the Kelvin sign (lower-cased to 1 byte)
// moved it back, and a good Length was misread.
func TestDecodeBodyHostileMetadata(t *testing.T) {
	meta := func(extra string) []byte {
		return []byte("--Encrypted Boundary\r\n\tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n" +
			"\tOriginalContent: type=application/soap+xml;charset=UTF-8;" + extra + "Length=5\r\n--Encrypted Boundary\r\n")
	}
	for _, tc := range []struct {
		name string
		body []byte
		want string
	}{
		{"invalid UTF-8", []byte("--Encrypted Boundary00000000000000000AppliCAtion/HTTP-SPNEGO-session-enCrYpted000000000000000000000000000000000000000000000000000000\x8000000Length=--Encrypted Boundary"), "bad OriginalContent Length"},
		{"invalid UTF-8 before Length", meta("\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8;"), "truncated before the signature length"},
		{"A with stroke", meta(strings.Repeat("Ⱥ", 40) + ";"), "truncated before the signature length"},
		{"dotted capital I", meta(strings.Repeat("İ", 40) + ";"), "truncated before the signature length"},
		{"long Length", meta("Length=" + strings.Repeat("9", 5000) + ";"), "bad OriginalContent Length"},
	} {
		s, _ := fuzzSessions()
		_, err := s.DecodeBody(tc.body)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error containing %q", tc.name, err, tc.want)
		} else if len(err.Error()) > 200 {
			t.Errorf("%s: error of %d bytes", tc.name, len(err.Error()))
		}
	}

	// Non-ASCII in the headers does not move where Length is read.
	s, c := fuzzSessions()
	msg := []byte("<s:Envelope/>")
	sealed, sig, _ := c.Seal(msg)
	body := fmt.Appendf(nil, "--Encrypted Boundary\r\n\tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n"+
		"\tOriginalContent: type=application/soap+xml;charset=UTF-8;x=\u212A\u212A\u212A;Length=%d\r\n"+
		"--Encrypted Boundary\r\n\tContent-Type: application/octet-stream\r\n\x10\x00\x00\x00%s%s--Encrypted Boundary--\r\n", len(msg), sig, sealed)
	if got, err := s.DecodeBody(body); err != nil || !bytes.Equal(got, msg) {
		t.Errorf("Kelvin signs in the metadata: %q, %v", got, err)
	}
}

// negotiateSeeds are NEGOTIATE messages as the clients send them.
func negotiateSeeds(tb testing.TB) [][]byte {
	bodgit, err := newBodgit(tb, "alice", "CONTOSO", testPassword).Authenticate(nil, nil)
	if err != nil {
		tb.Fatal(err)
	}
	azureNeg, err := azure.NewNegotiateMessage("CONTOSO", "")
	if err != nil {
		tb.Fatal(err)
	}
	return [][]byte{
		bodgit,
		azureNeg,
		// ntlm-auth (pywinrm): OEM only, with VERSION.
		[]byte("NTLMSSP\x00\x01\x00\x00\x00\x36\x82\x89\xe2\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x0a\x00\x61\x4a\x00\x00\x00\x0f"),
		// The minimal one of TestSPNEGOTokens.
		[]byte("NTLMSSP\x00\x01\x00\x00\x00\x07\x82\x08\x02" + string(make([]byte, 16))),
	}
}

func FuzzNegotiate(f *testing.F) {
	for _, neg := range negotiateSeeds(f) {
		f.Add(neg)
	}
	f.Add([]byte("NTLMSSP\x00\x01\x00\x00\x00\x41\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, neg []byte) {
		ch, h, err := testServer().Challenge(neg)
		if err != nil {
			return
		}
		// The CHALLENGE is well formed and grants only what was asked
		// (besides what Windows always sends).
		if MessageType(ch) != msgChallenge {
			t.Fatalf("CHALLENGE of type %d", MessageType(ch))
		}
		asked, got := binary.LittleEndian.Uint32(neg[12:]), flagsOf(ch)
		if extra := got & echoedFlags &^ asked &^ flagVersion; extra != 0 {
			t.Errorf("CHALLENGE grants 0x%08x, not asked for (asked 0x%08x)", extra, asked)
		}
		if got&flagUnicode != 0 == (got&flagOEM != 0) {
			t.Errorf("CHALLENGE flags 0x%08x: want exactly one of UNICODE and OEM", got)
		}
		ti, err := field(ch, 40, "TargetInfo")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := parseAVPairs(ti); err != nil {
			t.Fatal(err)
		}
		// A client that can read it logs on with it (go-ntlmssp speaks
		// UNICODE only and refuses KEY_EXCH).
		if asked&flagUnicode == 0 || asked&flagKeyExch != 0 {
			return
		}
		auth, err := azure.ProcessChallenge(ch, "alice", testPassword, true)
		if err != nil {
			t.Fatalf("go-ntlmssp refuses the CHALLENGE to NEGOTIATE flags 0x%08x: %v", asked, err)
		}
		if _, err := h.Authenticate(auth, (&lookupRecorder{}).lookup); err != nil {
			t.Fatalf("logon after NEGOTIATE flags 0x%08x: %v", asked, err)
		}
	})
}

var (
	bodgitNegotiateOnce sync.Once
	bodgitNegotiate     []byte
)

// fuzzHandshake is the server's side of a CHALLENGE to bodgit's NEGOTIATE
// (masterzen/winrm's client) with a fixed server challenge, so that
// corpus entries mean the same on every run.
func fuzzHandshake(tb testing.TB) (challenge []byte, h *Handshake) {
	// Made once: a bodgit client per run would be most of its cost.
	bodgitNegotiateOnce.Do(func() { bodgitNegotiate = negotiateSeeds(tb)[0] })
	challenge, h, err := testServer().Challenge(bodgitNegotiate)
	if err != nil {
		tb.Fatal(err)
	}
	copy(h.serverChallenge[:], "\x01\x23\x45\x67\x89\xab\xcd\xef")
	copy(h.challenge[24:32], h.serverChallenge[:])
	copy(challenge[24:32], h.serverChallenge[:])
	return challenge, h
}

func FuzzAuthenticate(f *testing.F) {
	challenge, _ := fuzzHandshake(f)
	var logons [][]byte
	// bodgit (masterzen/winrm), which sent the NEGOTIATE: KEY_EXCH, a MIC.
	c := newBodgit(f, "alice", "CONTOSO", testPassword)
	if _, err := c.Authenticate(nil, nil); err != nil {
		f.Fatal(err)
	}
	auth, err := c.Authenticate(challenge, nil)
	if err != nil {
		f.Fatal(err)
	}
	logons = append(logons, auth)
	// No KEY_EXCH and no MIC, as go-ntlmssp; a UPN.
	logons = append(logons, rawAuth{user: "alice@contoso.com", password: testPassword}.build(f, challenge))
	logons = append(logons, rawAuth{user: "alice", sendDomain: "CONTOSO", hashDomain: "CONTOSO", password: testPassword}.build(f, challenge))
	for _, auth := range logons {
		// The seeds log on, so that fuzzing starts past the password check.
		if _, h := fuzzHandshake(f); true {
			if _, err := h.Authenticate(auth, (&lookupRecorder{}).lookup); err != nil {
				f.Fatalf("seed does not log on: %v", err)
			}
		}
		f.Add(auth)
	}
	// NTLMv1, a wrong password.
	f.Add(rawAuth{user: "alice", nt: make([]byte, 24)}.build(f, challenge))
	f.Add(rawAuth{user: "alice", sendDomain: "CONTOSO", hashDomain: "CONTOSO", password: "wrong"}.build(f, challenge))

	f.Fuzz(func(t *testing.T, auth []byte) {
		_, h := fuzzHandshake(t)
		l := &lookupRecorder{}
		s, err := h.Authenticate(auth, l.lookup)
		if err != nil {
			if strings.Contains(err.Error(), testPassword) {
				t.Fatalf("error holds the password: %v", err)
			}
			return
		}
		// A logon names the user whose password verified it.
		if s.User == "" || len(l.calls) != 1 || l.calls[0] != s.User+"|"+s.Domain {
			t.Fatalf("session for %q/%q after lookups %q", s.User, s.Domain, l.calls)
		}
	})
}

// spnegoInit wraps an NTLM token in a GSS-API NegTokenInit offering mechs.
func spnegoInit(mechs []asn1.ObjectIdentifier, token []byte) []byte {
	type negTokenInit struct {
		MechTypes []asn1.ObjectIdentifier `asn1:"explicit,tag:0"`
		MechToken []byte                  `asn1:"explicit,tag:2"`
	}
	inner, err := asn1.MarshalWithParams(negTokenInit{mechs, token}, "explicit,tag:0")
	if err != nil {
		panic(err)
	}
	oid, _ := asn1.Marshal(oidSPNEGO)
	tok, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassApplication, Tag: 0, IsCompound: true, Bytes: append(oid, inner...)})
	if err != nil {
		panic(err)
	}
	return tok
}

func FuzzSPNEGO(f *testing.F) {
	neg := negotiateSeeds(f)[0]
	msKRB5 := asn1.ObjectIdentifier{1, 2, 840, 48018, 1, 2, 2}
	krb5 := asn1.ObjectIdentifier{1, 2, 840, 113554, 1, 2, 2}
	negoEx := asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 2, 30}
	// SSPI and pyspnego offer Kerberos first; NTLM alone; no NTLM.
	f.Add(spnegoInit([]asn1.ObjectIdentifier{msKRB5, krb5, negoEx, oidNTLM}, neg))
	f.Add(spnegoInit([]asn1.ObjectIdentifier{oidNTLM}, neg))
	f.Add(spnegoInit([]asn1.ObjectIdentifier{krb5}, []byte{0x60, 0x82, 0x01, 0x00}))
	// The client's second leg: AUTHENTICATE and a mechListMIC.
	challenge, _ := fuzzHandshake(f)
	auth := rawAuth{user: "alice", password: testPassword}.build(f, challenge)
	f.Add(marshalResp(negTokenResp{NegState: -1, ResponseToken: auth, MechListMIC: bytes.Repeat([]byte{1}, 16)}))
	f.Add(SPNEGOChallenge(challenge))

	f.Fuzz(func(t *testing.T, token []byte) {
		// The caller picks the mechanism (NTLM or Kerberos) from what the
		// parser returns, so Mechs must be exactly the DER it signs.
		if p, err := ParseSPNEGO(token); err == nil && p.Init {
			var mechs []asn1.ObjectIdentifier
			if _, err := asn1.Unmarshal(p.MechTypes, &mechs); err != nil || len(mechs) != len(p.Mechs) {
				t.Fatalf("NegTokenInit mechanisms %v do not come from its mechTypes (%v)", p.Mechs, err)
			}
			for i := range mechs {
				if !mechs[i].Equal(p.Mechs[i]) {
					t.Fatalf("NegTokenInit mechanism %d: %v, mechTypes says %v", i, p.Mechs[i], mechs[i])
				}
			}
		}
		// What the server wraps, a client unwraps.
		p, err := ParseSPNEGO(SPNEGOChallenge(token))
		if err != nil || p.Init || !bytes.Equal(p.Token, token) {
			t.Fatalf("SPNEGOChallenge round trip: %+v, %v", p, err)
		}
		p, err = ParseSPNEGO(SPNEGOAccept(token))
		if err != nil || !bytes.Equal(p.MIC, token) || len(p.Token) != 0 {
			t.Fatalf("SPNEGOAccept round trip: %+v, %v", p, err)
		}
		p, err = ParseSPNEGO(SPNEGOKerberos(true, krb5, token))
		if err != nil || p.Init || !bytes.Equal(p.Token, token) {
			t.Fatalf("SPNEGOKerberos round trip: %+v, %v", p, err)
		}
	})
}

// FuzzAuthorization feeds the request headers winsim reads before anything
// else: Authorization (scheme, base64, SPNEGO or raw NTLMSSP) and
// Content-Type (encrypted or not).
func FuzzAuthorization(f *testing.F) {
	neg := negotiateSeeds(f)[0]
	b64 := base64.StdEncoding.EncodeToString
	f.Add("Negotiate " + b64(neg))
	f.Add("negotiate\t" + base64.RawStdEncoding.EncodeToString(neg))
	f.Add("NTLM " + b64(neg))
	f.Add("Negotiate " + b64(spnegoInit([]asn1.ObjectIdentifier{oidNTLM}, neg)))
	f.Add("Kerberos YIIBzwYJKoZIhvcSAQICAQBuggG+MIIBuqADAgEFoQMCAQ6iBwMFACAAAAA=")
	f.Add("Basic YWxpY2U6UGEkJHcwcmQ=")
	f.Add(EncryptedContentType)
	f.Add(`multipart/x-multi-encrypted;protocol="application/HTTP-CredSSP-session-encrypted"`)
	f.Add("application/soap+xml;charset=UTF-8")

	f.Fuzz(func(t *testing.T, header string) {
		IsEncrypted(header)
		if scheme, token, ok := ParseAuthorization(header); ok {
			if scheme != "Negotiate" && scheme != "NTLM" && scheme != "Kerberos" || len(token) == 0 {
				t.Fatalf("ParseAuthorization(%q) = %q, % x", header, scheme, token)
			}
			if IsSPNEGO(token) {
				if p, err := ParseSPNEGO(token); err == nil {
					token = p.Token
				}
			}
			MessageType(token)
		}
		// Any token survives base64 in the header.
		if header == "" {
			return
		}
		scheme, token, ok := ParseAuthorization("Negotiate " + b64([]byte(header)))
		if !ok || scheme != "Negotiate" || string(token) != header {
			t.Fatalf("round trip of %q: %q %q %v", header, scheme, token, ok)
		}
	})
}
