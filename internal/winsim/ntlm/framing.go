package ntlm

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"mime"
	"strconv"
	"strings"
)

// EncryptedContentType is the Content-Type of an encrypted WS-Man body
// (MS-WSMV 2.2.9.1.1). masterzen/winrm only decrypts a reply whose
// Content-Type contains protocol="application/HTTP-SPNEGO-session-encrypted"
// with the quotes.
const EncryptedContentType = `multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted";boundary="Encrypted Boundary"`

// Protocols of encrypted bodies: the Negotiate scheme's (NTLM, or
// Kerberos chosen by SPNEGO; MS-WSMV 2.2.9.1.1) and the Kerberos scheme's
// (MS-WSMV 2.2.9.1.2).
const (
	ProtocolSPNEGO   = "application/HTTP-SPNEGO-session-encrypted"
	ProtocolKerberos = "application/HTTP-Kerberos-session-encrypted"
)

const (
	boundary    = "--Encrypted Boundary"
	endBoundary = boundary + "--"
)

// IsEncrypted reports whether a request Content-Type announces an encrypted
// body that must go through DecodeBody rather than be read as SOAP. It is
// true for every multipart/encrypted or multipart/x-multi-encrypted type so
// that CredSSP bodies are not mistaken for plaintext; DecodeBody rejects
// them with a clear error.
func IsEncrypted(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0]))
	}
	return mt == "multipart/encrypted" || mt == "multipart/x-multi-encrypted"
}

// Sealer is a security context that seals the data part of an encrypted
// body: an NTLM Session, or a Kerberos context.
type Sealer interface {
	Seal(plain []byte) (sealed, signature []byte, err error)
	Unseal(sealed, signature []byte) ([]byte, error)
}

// ContentType is the Content-Type of a body encrypted for protocol
// (ProtocolSPNEGO or ProtocolKerberos).
func ContentType(protocol string) string {
	return `multipart/encrypted;protocol="` + protocol + `";boundary="Encrypted Boundary"`
}

// EncodeBody seals a plaintext SOAP reply and frames it exactly as Windows,
// pywinrm and masterzen/winrm do; send it with Content-Type
// EncryptedContentType.
func (s *Session) EncodeBody(plain []byte) ([]byte, error) {
	return EncodeFramed(s, ProtocolSPNEGO, plain)
}

// EncodeFramed seals plain with s and frames it for protocol.
func EncodeFramed(s Sealer, protocol string, plain []byte) ([]byte, error) {
	sealed, sig, err := s.Seal(plain)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.Grow(len(plain) + 256)
	b.WriteString(boundary + "\r\n")
	b.WriteString("\tContent-Type: " + protocol + "\r\n")
	fmt.Fprintf(&b, "\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=%d\r\n", len(plain))
	b.WriteString(boundary + "\r\n")
	b.WriteString("\tContent-Type: application/octet-stream\r\n")
	b.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(sig))))
	b.Write(sig)
	b.Write(sealed)
	b.WriteString(endBoundary + "\r\n")
	return b.Bytes(), nil
}

// DecodeBody unseals an encrypted request body and returns the plaintext
// SOAP. It tolerates the small differences between clients (blank lines,
// header whitespace, a CRLF before the closing boundary) and accepts several
// encrypted parts in a row, which are concatenated. The sealed length must
// equal the OriginalContent Length.
func (s *Session) DecodeBody(body []byte) ([]byte, error) {
	if !s.CanSeal() {
		return nil, s.errNoSeal()
	}
	return DecodeFramed(s, ProtocolSPNEGO, SignatureSize, body)
}

// DecodeFramed unframes and unseals a body encrypted for protocol;
// sigLen > 0 is the only signature length the context makes.
func DecodeFramed(s Sealer, protocol string, sigLen int, body []byte) ([]byte, error) {
	rest := body
	var out []byte
	for part := 1; ; part++ {
		rest = trimSpaceLeft(rest)
		if part > 1 && (len(rest) == 0 || bytes.HasPrefix(rest, []byte(endBoundary))) {
			return out, nil
		}
		if !bytes.HasPrefix(rest, []byte(boundary)) || bytes.HasPrefix(rest, []byte(endBoundary)) {
			if part == 1 {
				return nil, fmt.Errorf("ntlm: encrypted body does not start with %q", boundary)
			}
			return nil, fmt.Errorf("ntlm: encrypted body part %d: expected %q or the closing boundary after the sealed data", part, boundary)
		}
		rest = rest[len(boundary):]

		// Metadata part: headers up to the next boundary.
		end := bytes.Index(rest, []byte(boundary))
		if end < 0 {
			return nil, fmt.Errorf("ntlm: encrypted body part %d: no boundary after the metadata headers", part)
		}
		length, err := parseMetadata(rest[:end], protocol)
		if err != nil {
			return nil, fmt.Errorf("ntlm: encrypted body part %d: %v", part, err)
		}
		rest = rest[end+len(boundary):]

		// Data part: headers, then <uint32 sig len><sig><sealed bytes>.
		rest = skipHeaders(rest)
		if len(rest) < 4 {
			return nil, fmt.Errorf("ntlm: encrypted body part %d is truncated before the signature length", part)
		}
		n := int(binary.LittleEndian.Uint32(rest))
		rest = rest[4:]
		if (sigLen > 0 && n != sigLen) || n <= 0 || n > 1024 {
			return nil, fmt.Errorf("ntlm: encrypted body part %d: signature length %d, want %d", part, n, sigLen)
		}
		if len(rest) < n {
			return nil, fmt.Errorf("ntlm: encrypted body part %d is truncated inside the signature", part)
		}
		sig := rest[:n]
		rest = rest[n:]
		// The sealed bytes run to the next boundary, as pywinrm and
		// masterzen split them; Length= tells whether a CRLF before it
		// belongs to the data.
		end = bytes.Index(rest, []byte(boundary))
		if end < 0 {
			end = len(rest)
		}
		sealed := rest[:end]
		rest = rest[end:]
		if len(sealed) != length {
			extra := string(sealed[min(length, len(sealed)):])
			if len(sealed) < length || (extra != "\r\n" && extra != "\n") {
				return nil, fmt.Errorf("ntlm: encrypted body part %d: %d sealed bytes but OriginalContent Length=%d", part, len(sealed), length)
			}
			sealed = sealed[:length]
		}
		plain, err := s.Unseal(sealed, sig)
		if err != nil {
			return nil, fmt.Errorf("%w (encrypted body part %d)", err, part)
		}
		out = append(out, plain...)
	}
}

// parseMetadata checks the first MIME part's headers and returns its Length.
// It folds ASCII case only: strings.ToLower changes the byte length of
// non-ASCII and invalid UTF-8, so indexes found in its result do not fit
// the original (a panic on a hostile body).
func parseMetadata(h []byte, protocol string) (int, error) {
	lower := asciiLower(h)
	switch {
	case bytes.Contains(lower, []byte("credssp")):
		return 0, errors.New("CredSSP-encrypted bodies are not supported, only NTLM and Kerberos (application/HTTP-SPNEGO-session-encrypted, application/HTTP-Kerberos-session-encrypted)")
	case !bytes.Contains(lower, asciiLower([]byte(protocol))):
		return 0, fmt.Errorf("metadata part lacks Content-Type %s", protocol)
	}
	i := bytes.Index(lower, []byte("length="))
	if i < 0 {
		return 0, errors.New("metadata part lacks OriginalContent ...;Length=")
	}
	digits := h[i+len("length="):]
	j := 0
	for j < len(digits) && digits[j] >= '0' && digits[j] <= '9' {
		j++
	}
	n, err := strconv.Atoi(string(digits[:j]))
	if err != nil || n < 0 {
		line, _, _ := bytes.Cut(digits, []byte("\n"))
		line = bytes.TrimSpace(line)
		if len(line) > 32 {
			return 0, fmt.Errorf("bad OriginalContent Length %q (cut)", line[:32])
		}
		return 0, fmt.Errorf("bad OriginalContent Length %q", line)
	}
	return n, nil
}

// asciiLower lower-cases ASCII letters and leaves every other byte, so
// that indexes into the result are indexes into b.
func asciiLower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

// skipHeaders drops the line ending after a boundary, any "Name: value"
// header lines and blank lines. The binary data cannot be mistaken for a
// header: it starts with the signature length 0x10.
func skipHeaders(b []byte) []byte {
	for {
		t := bytes.TrimLeft(b, " \t")
		switch {
		case bytes.HasPrefix(t, []byte("\r\n")):
			b = t[2:]
			continue
		case bytes.HasPrefix(t, []byte("\n")):
			b = t[1:]
			continue
		}
		name := 0
		for name < len(t) && isTokenChar(t[name]) {
			name++
		}
		nl := bytes.IndexByte(t, '\n')
		if name == 0 || name >= len(t) || t[name] != ':' || nl < 0 {
			return b
		}
		b = t[nl+1:]
	}
}

func isTokenChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

func trimSpaceLeft(b []byte) []byte {
	return bytes.TrimLeft(b, " \t\r\n")
}

// ParseAuthorization splits an Authorization header value such as
// "Negotiate TlRMTVNTUAAB..." into its scheme ("Negotiate" or "NTLM",
// canonical case) and decoded token. ok is false for other schemes, a
// missing token or bad base64.
func ParseAuthorization(header string) (scheme string, token []byte, ok bool) {
	header = strings.TrimSpace(header)
	i := strings.IndexAny(header, " \t")
	if i < 0 {
		return "", nil, false
	}
	switch strings.ToLower(header[:i]) {
	case "negotiate":
		scheme = "Negotiate"
	case "ntlm":
		scheme = "NTLM"
	case "kerberos":
		scheme = "Kerberos"
	default:
		return "", nil, false
	}
	enc := strings.TrimSpace(header[i:])
	token, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		token, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(enc, "="))
	}
	if err != nil || len(token) == 0 {
		return "", nil, false
	}
	return scheme, token, true
}
