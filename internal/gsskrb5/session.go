package gsskrb5

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/jcmturner/gokrb5/v8/crypto"
	"github.com/jcmturner/gokrb5/v8/crypto/etype"
	"github.com/jcmturner/gokrb5/v8/iana/etypeID"
	"github.com/jcmturner/gokrb5/v8/iana/keyusage"
	"github.com/jcmturner/gokrb5/v8/types"
)

// Session is an established context: it seals and unseals messages with
// wrap tokens (RFC 4121 4.2.6.2). Not safe for concurrent use: a WinRM
// connection carries one message at a time.
type Session struct {
	key            types.EncryptionKey
	et             etype.EType
	acceptor       bool // this side accepted the context
	acceptorSubkey bool // key is the acceptor's subkey
	sendSeq        uint64
	recvSeq        uint64
}

// Wrap token flags (RFC 4121 4.2.2).
const (
	wrapSentByAcceptor = 0x01
	wrapSealed         = 0x02
	wrapAcceptorSubkey = 0x04
)

const wrapHeaderLen = 16

func newSession(key types.EncryptionKey, acceptor, acceptorSubkey bool, sendSeq, recvSeq uint64) (*Session, error) {
	switch key.KeyType {
	case etypeID.AES128_CTS_HMAC_SHA1_96, etypeID.AES256_CTS_HMAC_SHA1_96,
		etypeID.AES128_CTS_HMAC_SHA256_128, etypeID.AES256_CTS_HMAC_SHA384_192:
	default:
		// RC4 and DES wrap tokens are another format (RFC 4757, RFC 1964).
		return nil, fmt.Errorf("session key type %d is not an AES type: message encryption needs AES (Active Directory's default since Windows Server 2008); use HTTPS", key.KeyType)
	}
	et, err := crypto.GetEtype(key.KeyType)
	if err != nil {
		return nil, err
	}
	return &Session{key: key, et: et, acceptor: acceptor, acceptorSubkey: acceptorSubkey, sendSeq: sendSeq, recvSeq: recvSeq}, nil
}

func (s *Session) usage(sender bool) uint32 {
	if sender == s.acceptor {
		return keyusage.GSSAPI_ACCEPTOR_SEAL
	}
	return keyusage.GSSAPI_INITIATOR_SEAL
}

func (s *Session) flags(sentByAcceptor bool) byte {
	f := byte(wrapSealed)
	if sentByAcceptor {
		f |= wrapSentByAcceptor
	}
	if s.acceptorSubkey {
		f |= wrapAcceptorSubkey
	}
	return f
}

func wrapHeader(flags byte, ec, rrc uint16, seq uint64) []byte {
	h := make([]byte, wrapHeaderLen)
	h[0], h[1], h[2], h[3] = 0x05, 0x04, flags, 0xff
	binary.BigEndian.PutUint16(h[4:6], ec)
	binary.BigEndian.PutUint16(h[6:8], rrc)
	binary.BigEndian.PutUint64(h[8:16], seq)
	return h
}

// Wrap seals msg. It returns the header, which WS-Management sends after
// its length, and the encrypted data, as long as msg. The token is the
// one Windows makes (MS-KILE 3.4.5.4.1): no filler (EC 0, AES needs no
// padding), the encrypted header copy and checksum rotated to the front
// (RRC 28 with HMAC-SHA1-96), so the data is encrypted in place.
func (s *Session) Wrap(msg []byte) (header, data []byte, err error) {
	flags := s.flags(s.acceptor)
	plain := make([]byte, 0, len(msg)+wrapHeaderLen)
	plain = append(plain, msg...)
	plain = append(plain, wrapHeader(flags, 0, 0, s.sendSeq)...)
	_, ct, err := s.et.EncryptMessage(s.key.KeyValue, plain, s.usage(true))
	if err != nil {
		return nil, nil, err
	}
	rrc := wrapHeaderLen + s.et.GetHMACBitLength()/8
	token := append(wrapHeader(flags, 0, uint16(rrc), s.sendSeq), rotateRight(ct, rrc)...)
	s.sendSeq++
	split := len(token) - len(msg)
	return token[:split], token[split:], nil
}

// Unwrap checks and decrypts a sealed token given as header and data. It
// takes filler (EC) and rotation (RRC) as RFC 4121 allows, rotated either
// by RRC (RFC 4121) or by RRC+EC (what MS-KILE says Windows does), and
// requires the peer's sequence numbers in order.
func (s *Session) Unwrap(header, data []byte) ([]byte, error) {
	if len(header) < wrapHeaderLen {
		return nil, errors.New("wrap token shorter than its header")
	}
	h := header[:wrapHeaderLen]
	if h[0] != 0x05 || h[1] != 0x04 || h[3] != 0xff {
		return nil, fmt.Errorf("not a wrap token (token ID %x)", h[:2])
	}
	flags := h[2]
	if flags&wrapSealed == 0 {
		return nil, errors.New("wrap token not sealed: the message is not encrypted")
	}
	if (flags&wrapSentByAcceptor != 0) == s.acceptor {
		return nil, errors.New("wrap token sent in the wrong direction (a reflected message)")
	}
	if (flags&wrapAcceptorSubkey != 0) != s.acceptorSubkey {
		return nil, errors.New("wrap token encrypted with another key than the context's (acceptor subkey flag)")
	}
	ec := int(binary.BigEndian.Uint16(h[4:6]))
	rrc := int(binary.BigEndian.Uint16(h[6:8]))
	seq := binary.BigEndian.Uint64(h[8:16])
	body := make([]byte, 0, len(header)-wrapHeaderLen+len(data))
	body = append(append(body, header[wrapHeaderLen:]...), data...)
	var plain []byte
	var err error
	for i, rot := range []int{rrc + ec, rrc} {
		if i == 1 && ec == 0 {
			break
		}
		plain, err = s.et.DecryptMessage(s.key.KeyValue, rotateLeft(body, rot), s.usage(false))
		if err == nil {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("wrap token does not decrypt: %v", err)
	}
	if len(plain) < ec+wrapHeaderLen {
		return nil, errors.New("wrap token too short")
	}
	inner := plain[len(plain)-wrapHeaderLen:]
	if !bytes.Equal(inner, wrapHeader(flags, uint16(ec), 0, seq)) {
		return nil, errors.New("wrap token's encrypted header differs from its header")
	}
	if seq != s.recvSeq {
		return nil, fmt.Errorf("wrap token out of sequence: number %d, expected %d", seq, s.recvSeq)
	}
	s.recvSeq++
	return plain[:len(plain)-ec-wrapHeaderLen], nil
}

func rotateRight(b []byte, n int) []byte {
	if len(b) == 0 {
		return b
	}
	n %= len(b)
	out := make([]byte, 0, len(b))
	return append(append(out, b[len(b)-n:]...), b[:len(b)-n]...)
}

func rotateLeft(b []byte, n int) []byte {
	if len(b) == 0 {
		return b
	}
	return rotateRight(b, len(b)-n%len(b))
}
