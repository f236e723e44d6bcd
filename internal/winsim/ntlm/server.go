package ntlm

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/rc4"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/md4" //nolint:staticcheck // NTLM is built on MD4; there is no other choice
)

// ErrLogonFailure is wrapped by every error that refuses a logon (unknown
// user, wrong password, NTLMv1 or anonymous), as opposed to malformed
// messages. A handler answers both with 401; the distinction is for logs.
var ErrLogonFailure = errors.New("ntlm: logon failure")

// Server issues challenges for one host. The zero value works but reports
// made-up names; fill in what the simulated host is called.
//
// When DNSDomain is empty the host is treated as a workgroup member, as
// Windows does: the CHALLENGE then carries TARGET_TYPE_SERVER and the
// computer name (not NetBIOSDomain) as TargetName and MsvAvNbDomainName, so
// go-ntlmssp clients send the computer name as the user's domain.
type Server struct {
	NetBIOSComputer string           // e.g. "LS01"
	NetBIOSDomain   string           // e.g. "CONTOSO" or "WORKGROUP"
	DNSComputer     string           // e.g. "ls01.contoso.com"
	DNSDomain       string           // e.g. "contoso.com"; empty for a workgroup
	Now             func() time.Time // optional; used for MsvAvTimestamp
	// ProductBuild is the Windows build the CHALLENGE's VERSION reports
	// (e.g. 17763 for Server 2019); 0 means 20348, Server 2022.
	ProductBuild uint16
}

// Handshake is the server state of one NTLM exchange (one TCP connection).
// It can complete Authenticate once.
type Handshake struct {
	mu              sync.Mutex
	used            bool
	flags           uint32
	serverChallenge [8]byte
	negotiate       []byte
	challenge       []byte
}

func (s *Server) names() (targetName string, targetType uint32, pairs []avPair) {
	nbComputer := strings.ToUpper(s.NetBIOSComputer)
	if nbComputer == "" {
		nbComputer = strings.ToUpper(strings.SplitN(s.DNSComputer, ".", 2)[0])
	}
	if nbComputer == "" {
		nbComputer = "WINSIM"
	}
	dnsComputer := s.DNSComputer
	if s.DNSDomain == "" {
		if dnsComputer == "" {
			dnsComputer = nbComputer
		}
		return nbComputer, flagTargetTypeServer, []avPair{
			{avNbDomainName, encodeUTF16(nbComputer)},
			{avNbComputerName, encodeUTF16(nbComputer)},
			{avDNSDomainName, encodeUTF16(dnsComputer)},
			{avDNSComputerName, encodeUTF16(dnsComputer)},
		}
	}
	nbDomain := strings.ToUpper(s.NetBIOSDomain)
	if nbDomain == "" {
		nbDomain = strings.ToUpper(strings.SplitN(s.DNSDomain, ".", 2)[0])
	}
	if dnsComputer == "" {
		dnsComputer = strings.ToLower(nbComputer) + "." + s.DNSDomain
	}
	return nbDomain, flagTargetTypeDomain, []avPair{
		{avNbDomainName, encodeUTF16(nbDomain)},
		{avNbComputerName, encodeUTF16(nbComputer)},
		{avDNSDomainName, encodeUTF16(s.DNSDomain)},
		{avDNSComputerName, encodeUTF16(dnsComputer)},
		{avDNSTreeName, encodeUTF16(s.DNSDomain)},
	}
}

func fileTime(t time.Time) []byte {
	const epochDelta = 116444736000000000 // 1601-01-01 to 1970-01-01 in 100 ns
	b := make([]byte, 8)
	binary.LittleEndian.PutUint64(b, uint64(t.UnixNano()/100+epochDelta))
	return b
}

// Challenge answers a NEGOTIATE message with a CHALLENGE message and returns
// the state needed to check the client's AUTHENTICATE message.
func (s *Server) Challenge(negotiate []byte) (challenge []byte, h *Handshake, err error) {
	if err := checkMessage(negotiate, msgNegotiate, "NEGOTIATE"); err != nil {
		return nil, nil, err
	}
	if len(negotiate) < 16 {
		return nil, nil, fmt.Errorf("ntlm: NEGOTIATE message is %d bytes, too short to hold flags", len(negotiate))
	}
	asked := binary.LittleEndian.Uint32(negotiate[12:])
	if asked&flagDatagram != 0 {
		return nil, nil, fmt.Errorf("ntlm: connectionless (datagram) NTLM is not supported (NEGOTIATE flags 0x%08x)", asked)
	}

	targetName, targetType, pairs := s.names()
	// NTLM, a target name and target info are always sent: Windows does, and
	// NTLMv2 needs the AV pairs for the timestamp and MIC. So is VERSION:
	// Windows Server 2022 sets it unasked (gssapi/gss-ntlmssp PR 65).
	flags := flagNTLM | flagRequestTarget | flagTargetInfo | flagVersion | targetType | asked&echoedFlags
	switch {
	case asked&flagUnicode != 0:
		flags |= flagUnicode
	case asked&flagOEM != 0:
		flags |= flagOEM // ntlm-auth (pywinrm) negotiates OEM only
	default:
		flags |= flagUnicode
	}

	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	pairs = append(pairs, avPair{avTimestamp, fileTime(now())})
	info := marshalAVPairs(pairs)
	var name []byte
	if flags&flagUnicode != 0 {
		name = encodeUTF16(targetName)
	} else {
		name = encodeOEM(targetName)
	}

	const headerLen = 56
	msg := make([]byte, headerLen, headerLen+len(name)+len(info))
	copy(msg, signature)
	binary.LittleEndian.PutUint32(msg[8:], msgChallenge)
	putField(msg, 12, len(name), headerLen)
	binary.LittleEndian.PutUint32(msg[20:], flags)
	h = &Handshake{flags: flags}
	if _, err := rand.Read(h.serverChallenge[:]); err != nil {
		return nil, nil, fmt.Errorf("ntlm: generating server challenge: %w", err)
	}
	copy(msg[24:32], h.serverChallenge[:])
	putField(msg, 40, len(info), headerLen+len(name))
	copy(msg[48:56], s.version())
	msg = append(msg, name...)
	msg = append(msg, info...)

	h.negotiate = append([]byte(nil), negotiate...)
	h.challenge = msg
	return append([]byte(nil), msg...), h, nil
}

func hmacMD5(key []byte, data ...[]byte) []byte {
	m := hmac.New(md5.New, key)
	for _, d := range data {
		m.Write(d)
	}
	return m.Sum(nil)
}

func ntowfV2(ntHash []byte, user, domain string) []byte {
	return hmacMD5(ntHash, encodeUTF16(strings.ToUpper(user)+domain))
}

// Authenticate checks an AUTHENTICATE message (NTLMv2 only) against the
// password that lookup returns for the user and domain named in it, and on
// success returns the session whose keys seal the rest of the connection.
// Refused logons wrap ErrLogonFailure; no error contains a password or key.
func (h *Handshake) Authenticate(authenticate []byte, lookup func(user, domain string) (password string, ok bool)) (*Session, error) {
	h.mu.Lock()
	used := h.used
	h.used = true
	h.mu.Unlock()
	if used {
		return nil, errors.New("ntlm: handshake already used; the client must start again with a NEGOTIATE message")
	}
	if lookup == nil {
		return nil, errors.New("ntlm: no credential lookup function")
	}
	m, err := parseAuthenticate(authenticate, h.flags)
	if err != nil {
		return nil, err
	}
	flags := h.flags & m.flags

	switch n := len(m.ntResponse); {
	case n == 0 || m.flags&flagAnonymous != 0:
		return nil, fmt.Errorf("%w: anonymous (null session) logon is not allowed", ErrLogonFailure)
	case n == 24:
		return nil, fmt.Errorf("%w: NTLMv1 response for user %q (workstation %q); only NTLMv2 is accepted (client LmCompatibilityLevel must be 3 or higher)", ErrLogonFailure, m.user, m.workstation)
	case n < 16+28+4:
		return nil, fmt.Errorf("ntlm: NtChallengeResponse is %d bytes, too short for an NTLMv2 response", n)
	}
	proof, blob := m.ntResponse[:16], m.ntResponse[16:]
	if blob[0] != 1 {
		return nil, fmt.Errorf("ntlm: unsupported NTLMv2 client challenge version %d", blob[0])
	}
	pairs, err := parseAVPairs(blob[28:])
	if err != nil {
		return nil, fmt.Errorf("ntlm: NTLMv2 response: %v", err)
	}
	if m.user == "" {
		return nil, fmt.Errorf("%w: AUTHENTICATE message names no user", ErrLogonFailure)
	}

	password, ok := lookup(m.user, m.domain)
	if !ok {
		return nil, fmt.Errorf("%w: unknown user %q (domain %q)", ErrLogonFailure, m.user, m.domain)
	}
	ntHash := md4.New()
	ntHash.Write(encodeUTF16(password))
	ntKey := ntHash.Sum(nil)

	// Clients disagree on which domain goes into NTOWFv2 (go-ntlmssp uses
	// the server's TargetName or nothing, others what the user typed), so
	// accept any of the plausible spellings.
	var responseKey []byte
	tried := []string{}
	for _, d := range []string{m.domain, strings.ToUpper(m.domain), ""} {
		if slices.Contains(tried, d) {
			continue
		}
		tried = append(tried, d)
		k := ntowfV2(ntKey, m.user, d)
		if hmac.Equal(hmacMD5(k, h.serverChallenge[:], blob), proof) {
			responseKey = k
			break
		}
	}
	if responseKey == nil {
		return nil, fmt.Errorf("%w: wrong password for user %q (NTLMv2 response did not verify with domain %s)", ErrLogonFailure, m.user, quoteAll(tried))
	}

	// NTLMv2: KeyExchangeKey = SessionBaseKey (MS-NLMP 3.4.5.1).
	exported := hmacMD5(responseKey, proof)
	if flags&flagKeyExch != 0 {
		if len(m.encryptedRandomSessionKey) != 16 {
			return nil, fmt.Errorf("ntlm: KEY_EXCH negotiated but EncryptedRandomSessionKey is %d bytes, want 16", len(m.encryptedRandomSessionKey))
		}
		c, _ := rc4.NewCipher(exported)
		k := make([]byte, 16)
		c.XORKeyStream(k, m.encryptedRandomSessionKey)
		exported = k
	}

	if v, ok := findAV(pairs, avFlags); ok && len(v) >= 4 && binary.LittleEndian.Uint32(v)&avFlagMICPresent != 0 {
		if m.payloadStart < 88 || len(authenticate) < 88 {
			return nil, errors.New("ntlm: client announced a MIC (MsvAvFlags 0x2) but the AUTHENTICATE message has no room for it")
		}
		zeroed := append([]byte(nil), authenticate...)
		clear(zeroed[72:88])
		if !hmac.Equal(hmacMD5(exported, h.negotiate, h.challenge, zeroed), authenticate[72:88]) {
			return nil, fmt.Errorf("ntlm: MIC mismatch for user %q: the NEGOTIATE/CHALLENGE/AUTHENTICATE messages were altered or come from different exchanges", m.user)
		}
	}

	s := newSession(m.user, m.domain, m.workstation, flags, exported)
	// The proof covers the pairs, so the bindings are the client's.
	if v, ok := findAV(pairs, avChannelBindings); ok {
		s.ChannelBindings = append([]byte(nil), v...)
	}
	return s, nil
}

func quoteAll(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}
