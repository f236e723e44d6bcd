package ntlm

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/rc4"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
)

// Magic constants of MS-NLMP 3.4.5.2 and 3.4.5.3 (the trailing NUL is part of them).
var (
	clientSigningMagic = []byte("session key to client-to-server signing key magic constant\x00")
	serverSigningMagic = []byte("session key to server-to-client signing key magic constant\x00")
	clientSealingMagic = []byte("session key to client-to-server sealing key magic constant\x00")
	serverSealingMagic = []byte("session key to server-to-client sealing key magic constant\x00")
)

// SignatureSize is the length of an NTLM message signature.
const SignatureSize = 16

// Session is an authenticated NTLM security context, seen from the server.
// Its methods are safe for concurrent use, but messages must be unsealed in
// the order the client sealed them.
type Session struct {
	User        string // as sent by the client, e.g. "alice" or "alice@contoso.com"
	Domain      string // as sent by the client; may be empty
	Workstation string // as sent by the client; may be empty
	// ChannelBindings is the client's MsvAvChannelBindings (the MD5 of
	// its channel bindings), nil when it sent none.
	ChannelBindings []byte

	flags uint32

	mu         sync.Mutex
	inSignKey  []byte      // client-to-server
	outSignKey []byte      // server-to-client
	in, out    *rc4.Cipher // kept for the whole session: RC4 state carries over between messages
	inSealKey  []byte      // to restart in and out (SPNEGO mechListMIC)
	outSealKey []byte
	inSeq      uint32
	outSeq     uint32
}

func newSession(user, domain, workstation string, flags uint32, exportedKey []byte) *Session {
	s := &Session{User: user, Domain: domain, Workstation: workstation, flags: flags}
	if !s.CanSeal() {
		return s
	}
	sealKey := exportedKey
	switch {
	case flags&flag128 != 0:
	case flags&flag56 != 0:
		sealKey = exportedKey[:7]
	default:
		sealKey = exportedKey[:5]
	}
	s.inSignKey = md5Sum(exportedKey, clientSigningMagic)
	s.outSignKey = md5Sum(exportedKey, serverSigningMagic)
	s.inSealKey = md5Sum(sealKey, clientSealingMagic)
	s.outSealKey = md5Sum(sealKey, serverSealingMagic)
	s.in, _ = rc4.NewCipher(s.inSealKey)
	s.out, _ = rc4.NewCipher(s.outSealKey)
	return s
}

// VerifyMIC checks the client's signature of msg (an SPNEGO mechListMIC)
// and then restarts the incoming RC4 state, which MS-SPNG requires after a
// mechListMIC (pyspnego _reset_ntlm_crypto_state). The sequence number
// moves on.
func (s *Session) VerifyMIC(msg, signature []byte) error {
	if !s.CanSeal() {
		return s.errNoSeal()
	}
	if len(signature) != SignatureSize || binary.LittleEndian.Uint32(signature) != 1 {
		return errors.New("ntlm: mechListMIC is not an NTLM signature")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if seq := binary.LittleEndian.Uint32(signature[12:]); seq != s.inSeq {
		return fmt.Errorf("ntlm: mechListMIC has sequence number %d, expected %d", seq, s.inSeq)
	}
	saved := *s.in
	if !hmac.Equal(s.checksum(s.inSignKey, s.in, s.inSeq, msg), signature[4:12]) {
		*s.in = saved
		return errors.New("ntlm: mechListMIC checksum mismatch: the SPNEGO mechanism list was altered")
	}
	s.inSeq++
	s.in, _ = rc4.NewCipher(s.inSealKey)
	return nil
}

// SignMIC signs msg (the server's mechListMIC) and restarts the outgoing
// RC4 state, as VerifyMIC does for the incoming one.
func (s *Session) SignMIC(msg []byte) ([]byte, error) {
	if !s.CanSeal() {
		return nil, s.errNoSeal()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sig := make([]byte, 0, SignatureSize)
	sig = binary.LittleEndian.AppendUint32(sig, 1)
	sig = append(sig, s.checksum(s.outSignKey, s.out, s.outSeq, msg)...)
	sig = binary.LittleEndian.AppendUint32(sig, s.outSeq)
	s.outSeq++
	s.out, _ = rc4.NewCipher(s.outSealKey)
	return sig, nil
}

func md5Sum(a, b []byte) []byte {
	h := md5.New()
	h.Write(a)
	h.Write(b)
	return h.Sum(nil)
}

// Flags returns the negotiated NTLMSSP flags, for logging.
func (s *Session) Flags() uint32 { return s.flags }

// CanSeal reports whether the client negotiated message confidentiality
// that this package implements (SEAL with extended session security, as all
// NTLMv2 clients do). Without it Seal, Unseal, EncodeBody and DecodeBody fail.
func (s *Session) CanSeal() bool {
	return s.flags&flagSeal != 0 && s.flags&flagESS != 0
}

func (s *Session) errNoSeal() error {
	return fmt.Errorf("ntlm: session for %q cannot seal messages: the client did not negotiate SEAL with extended session security (flags 0x%08x)", s.User, s.flags)
}

// checksum computes the 8-byte signature checksum (MS-NLMP 3.4.4.2); with
// KEY_EXCH it is encrypted with the same RC4 handle right after the message.
func (s *Session) checksum(key []byte, handle *rc4.Cipher, seq uint32, msg []byte) []byte {
	var seqBytes [4]byte
	binary.LittleEndian.PutUint32(seqBytes[:], seq)
	c := hmacMD5(key, seqBytes[:], msg)[:8]
	if s.flags&flagKeyExch != 0 {
		handle.XORKeyStream(c, c)
	}
	return c
}

// Seal encrypts a server-to-client message and returns it with its
// 16-byte signature.
func (s *Session) Seal(plain []byte) (sealed, signature []byte, err error) {
	if !s.CanSeal() {
		return nil, nil, s.errNoSeal()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sealed = make([]byte, len(plain))
	s.out.XORKeyStream(sealed, plain)
	signature = make([]byte, 0, SignatureSize)
	signature = binary.LittleEndian.AppendUint32(signature, 1)
	signature = append(signature, s.checksum(s.outSignKey, s.out, s.outSeq, plain)...)
	signature = binary.LittleEndian.AppendUint32(signature, s.outSeq)
	s.outSeq++
	return sealed, signature, nil
}

// Unseal decrypts a client-to-server message and verifies its signature.
// A message that fails verification leaves the session state untouched, so
// the next genuine message still unseals.
func (s *Session) Unseal(sealed, signature []byte) ([]byte, error) {
	if !s.CanSeal() {
		return nil, s.errNoSeal()
	}
	if len(signature) != SignatureSize {
		return nil, fmt.Errorf("ntlm: message signature is %d bytes, want %d", len(signature), SignatureSize)
	}
	if v := binary.LittleEndian.Uint32(signature); v != 1 {
		return nil, fmt.Errorf("ntlm: message signature has version %d, want 1", v)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if seq := binary.LittleEndian.Uint32(signature[12:]); seq != s.inSeq {
		return nil, fmt.Errorf("ntlm: message signature has sequence number %d, expected %d (replayed, reordered or lost message)", seq, s.inSeq)
	}
	saved := *s.in
	plain := make([]byte, len(sealed))
	s.in.XORKeyStream(plain, sealed)
	if !hmac.Equal(s.checksum(s.inSignKey, s.in, s.inSeq, plain), signature[4:12]) {
		*s.in = saved
		return nil, errors.New("ntlm: message signature checksum mismatch: the sealed message or its signature was altered, or it was sealed with other keys")
	}
	s.inSeq++
	return plain, nil
}
