package ntlm

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
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
		s, c := fuzzSessions()
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
		s, c = fuzzSessions()
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
