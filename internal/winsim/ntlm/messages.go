package ntlm

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf16"
)

// NegotiateFlags bits (MS-NLMP 2.2.2.5).
const (
	flagUnicode          uint32 = 0x00000001
	flagOEM              uint32 = 0x00000002
	flagRequestTarget    uint32 = 0x00000004
	flagSign             uint32 = 0x00000010
	flagSeal             uint32 = 0x00000020
	flagDatagram         uint32 = 0x00000040
	flagLMKey            uint32 = 0x00000080
	flagNTLM             uint32 = 0x00000200
	flagAnonymous        uint32 = 0x00000800
	flagAlwaysSign       uint32 = 0x00008000
	flagTargetTypeDomain uint32 = 0x00010000
	flagTargetTypeServer uint32 = 0x00020000
	flagESS              uint32 = 0x00080000
	flagTargetInfo       uint32 = 0x00800000
	flagVersion          uint32 = 0x02000000
	flag128              uint32 = 0x20000000
	flagKeyExch          uint32 = 0x40000000
	flag56               uint32 = 0x80000000
)

// echoedFlags are granted only when the client asks for them, as Windows does
// (go-ntlmssp refuses a CHALLENGE carrying KEY_EXCH it did not ask for).
const echoedFlags = flagSign | flagSeal | flagAlwaysSign | flagESS | flagVersion |
	flag128 | flag56 | flagKeyExch

// AV_PAIR ids (MS-NLMP 2.2.2.1).
const (
	avEOL             uint16 = 0
	avNbComputerName  uint16 = 1
	avNbDomainName    uint16 = 2
	avDNSComputerName uint16 = 3
	avDNSDomainName   uint16 = 4
	avDNSTreeName     uint16 = 5
	avFlags           uint16 = 6
	avTimestamp       uint16 = 7
	avChannelBindings uint16 = 10
)

const avFlagMICPresent uint32 = 0x2

const (
	msgNegotiate    = 1
	msgChallenge    = 2
	msgAuthenticate = 3
)

var signature = []byte("NTLMSSP\x00")

// version is the CHALLENGE's VERSION field: Windows 10.0 (every Server
// release since 2016), the build, NTLMSSP revision 15.
func (s *Server) version() []byte {
	build := s.ProductBuild
	if build == 0 {
		build = 20348
	}
	return []byte{10, 0, byte(build), byte(build >> 8), 0, 0, 0, 15}
}

// MessageType returns 1, 2 or 3 for an NTLMSSP NEGOTIATE, CHALLENGE or
// AUTHENTICATE message and 0 for anything else (including SPNEGO-wrapped
// tokens, which this package does not unwrap).
func MessageType(token []byte) int {
	if len(token) < 12 || !bytes.Equal(token[:8], signature) {
		return 0
	}
	switch t := binary.LittleEndian.Uint32(token[8:12]); t {
	case msgNegotiate, msgChallenge, msgAuthenticate:
		return int(t)
	}
	return 0
}

// describeToken names what a non-NTLMSSP token looks like, for error messages.
func describeToken(token []byte) string {
	switch {
	case len(token) == 0:
		return "empty token"
	case token[0] == 0x60:
		return "SPNEGO NegTokenInit (Kerberos/Negotiate wrapper), not raw NTLMSSP; only raw NTLMSSP is supported"
	case token[0] == 0xa1:
		return "SPNEGO NegTokenResp, not raw NTLMSSP; only raw NTLMSSP is supported"
	case len(token) >= 12 && bytes.Equal(token[:8], signature):
		return fmt.Sprintf("NTLMSSP message of unknown type %d", binary.LittleEndian.Uint32(token[8:12]))
	default:
		n := min(len(token), 8)
		return fmt.Sprintf("not an NTLMSSP message (%d bytes, starts % x)", len(token), token[:n])
	}
}

func checkMessage(token []byte, want int, name string) error {
	if got := MessageType(token); got != want {
		if got != 0 {
			return fmt.Errorf("ntlm: expected %s message (type %d), got type %d", name, want, got)
		}
		return fmt.Errorf("ntlm: expected %s message: %s", name, describeToken(token))
	}
	return nil
}

// field reads the (Len, MaxLen, Offset) descriptor at off and returns its payload.
func field(msg []byte, off int, name string) ([]byte, error) {
	if off+8 > len(msg) {
		return nil, fmt.Errorf("ntlm: message too short for %s field descriptor", name)
	}
	n := int(binary.LittleEndian.Uint16(msg[off:]))
	if n == 0 {
		// go-ntlmssp leaves the offset 0 for empty fields.
		return nil, nil
	}
	start := int(binary.LittleEndian.Uint32(msg[off+4:]))
	if start < 0 || start > len(msg) || n > len(msg)-start {
		return nil, fmt.Errorf("ntlm: %s field (offset %d, length %d) lies outside the %d-byte message", name, start, n, len(msg))
	}
	return msg[start : start+n], nil
}

// fieldOffset is the payload offset of a non-empty field, or -1.
func fieldOffset(msg []byte, off int) int {
	if binary.LittleEndian.Uint16(msg[off:]) == 0 {
		return -1
	}
	return int(binary.LittleEndian.Uint32(msg[off+4:]))
}

func putField(b []byte, off int, n, start int) {
	binary.LittleEndian.PutUint16(b[off:], uint16(n))
	binary.LittleEndian.PutUint16(b[off+2:], uint16(n))
	binary.LittleEndian.PutUint32(b[off+4:], uint32(start))
}

func encodeUTF16(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	return b
}

func decodeUTF16(b []byte) (string, error) {
	if len(b)%2 != 0 {
		return "", errors.New("odd-length UTF-16 string")
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u)), nil
}

// OEM strings are decoded as Latin-1: exact for ASCII, which is all that
// ntlm-auth (the only OEM client we meet) can send.
func decodeOEM(b []byte) string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

func encodeOEM(s string) []byte {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xff {
			r = '?'
		}
		b = append(b, byte(r))
	}
	return b
}

func decodeString(b []byte, unicode bool) (string, error) {
	if unicode {
		return decodeUTF16(b)
	}
	return decodeOEM(b), nil
}

type avPair struct {
	id    uint16
	value []byte
}

func marshalAVPairs(pairs []avPair) []byte {
	var b []byte
	for _, p := range pairs {
		b = binary.LittleEndian.AppendUint16(b, p.id)
		b = binary.LittleEndian.AppendUint16(b, uint16(len(p.value)))
		b = append(b, p.value...)
	}
	return append(b, 0, 0, 0, 0) // MsvAvEOL
}

func parseAVPairs(b []byte) ([]avPair, error) {
	var pairs []avPair
	for {
		if len(b) < 4 {
			return nil, errors.New("AV_PAIR list is truncated (no MsvAvEOL)")
		}
		id := binary.LittleEndian.Uint16(b)
		n := int(binary.LittleEndian.Uint16(b[2:]))
		b = b[4:]
		if id == avEOL {
			return pairs, nil
		}
		if n > len(b) {
			return nil, fmt.Errorf("AV_PAIR %d claims %d bytes but only %d remain", id, n, len(b))
		}
		pairs = append(pairs, avPair{id, b[:n]})
		b = b[n:]
	}
}

func findAV(pairs []avPair, id uint16) ([]byte, bool) {
	for _, p := range pairs {
		if p.id == id {
			return p.value, true
		}
	}
	return nil, false
}

// authenticateMessage is the parsed AUTHENTICATE_MESSAGE (MS-NLMP 2.2.1.3).
type authenticateMessage struct {
	lmResponse, ntResponse    []byte
	domain, user, workstation string
	encryptedRandomSessionKey []byte
	flags                     uint32
	// payloadStart is the lowest offset of any non-empty payload; a MIC can
	// only be present when it is at least 88.
	payloadStart int
}

func parseAuthenticate(msg []byte, challengeFlags uint32) (*authenticateMessage, error) {
	if err := checkMessage(msg, msgAuthenticate, "AUTHENTICATE"); err != nil {
		return nil, err
	}
	if len(msg) < 64 {
		return nil, fmt.Errorf("ntlm: AUTHENTICATE message is %d bytes, shorter than the 64-byte header", len(msg))
	}
	m := &authenticateMessage{flags: binary.LittleEndian.Uint32(msg[60:])}
	unicode := m.flags&flagUnicode != 0
	if m.flags&(flagUnicode|flagOEM) == 0 {
		unicode = challengeFlags&flagUnicode != 0
	}
	var err error
	if m.lmResponse, err = field(msg, 12, "LmChallengeResponse"); err != nil {
		return nil, err
	}
	if m.ntResponse, err = field(msg, 20, "NtChallengeResponse"); err != nil {
		return nil, err
	}
	if m.encryptedRandomSessionKey, err = field(msg, 52, "EncryptedRandomSessionKey"); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		off  int
		name string
		dst  *string
	}{{28, "DomainName", &m.domain}, {36, "UserName", &m.user}, {44, "Workstation", &m.workstation}} {
		raw, err := field(msg, f.off, f.name)
		if err != nil {
			return nil, err
		}
		if *f.dst, err = decodeString(raw, unicode); err != nil {
			return nil, fmt.Errorf("ntlm: AUTHENTICATE %s: %v", f.name, err)
		}
	}
	m.payloadStart = len(msg)
	for off := 12; off <= 52; off += 8 {
		if o := fieldOffset(msg, off); o >= 0 && o < m.payloadStart {
			m.payloadStart = o
		}
	}
	return m, nil
}
