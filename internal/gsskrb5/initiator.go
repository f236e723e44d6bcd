package gsskrb5

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/jcmturner/gofork/encoding/asn1"
	"github.com/jcmturner/gokrb5/v8/crypto"
	"github.com/jcmturner/gokrb5/v8/iana/chksumtype"
	"github.com/jcmturner/gokrb5/v8/iana/flags"
	"github.com/jcmturner/gokrb5/v8/iana/keyusage"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/types"
)

// Context flags of the authenticator checksum (RFC 4121 4.1.1.1).
const (
	FlagDeleg    uint32 = 1
	FlagMutual   uint32 = 2
	FlagReplay   uint32 = 4
	FlagSequence uint32 = 8
	FlagConf     uint32 = 16
	FlagInteg    uint32 = 32
)

// Initiator is a client's half-open context: the AP-REQ sent, the AP-REP
// awaited.
type Initiator struct {
	// Token is the InitialContextToken to send (base64 in the
	// Authorization header).
	Token []byte

	flags      uint32
	sessionKey types.EncryptionKey
	subkey     types.EncryptionKey
	seq        uint64
	ctime      time.Time
	cusec      int
}

// InitiatorOptions are the AP-REQ's inputs besides the service ticket.
type InitiatorOptions struct {
	Realm string // the client's realm
	CName types.PrincipalName
	// Flags are the context flags asked for; FlagMutual makes the AP-REQ
	// require an AP-REP.
	Flags uint32
	// Bindings is the MD5 of the channel bindings (RFC 4121 4.1.1.2),
	// or nil for none.
	Bindings []byte
	// Now is the client's clock (tests move it).
	Now time.Time
}

// NewInitiator builds the AP-REQ for a service ticket and its session key,
// with a fresh subkey and sequence number, as MIT and Windows send it.
func NewInitiator(tkt messages.Ticket, sessionKey types.EncryptionKey, o InitiatorOptions) (*Initiator, error) {
	et, err := crypto.GetEtype(sessionKey.KeyType)
	if err != nil {
		return nil, fmt.Errorf("session key type %d: %v", sessionKey.KeyType, err)
	}
	now := o.Now.UTC()
	if o.Now.IsZero() {
		now = time.Now().UTC()
	}
	auth, err := types.NewAuthenticator(o.Realm, o.CName)
	if err != nil {
		return nil, err
	}
	auth.CTime = now.Truncate(time.Second)
	auth.Cusec = now.Nanosecond() / 1000
	if err := auth.GenerateSeqNumberAndSubKey(sessionKey.KeyType, et.GetKeyByteSize()); err != nil {
		return nil, err
	}
	cksum := make([]byte, 24)
	binary.LittleEndian.PutUint32(cksum[0:4], 16)
	copy(cksum[4:20], o.Bindings)
	binary.LittleEndian.PutUint32(cksum[20:24], o.Flags)
	auth.Cksum = types.Checksum{CksumType: chksumtype.GSSAPI, Checksum: cksum}
	req, err := messages.NewAPReq(tkt, sessionKey, auth)
	if err != nil {
		return nil, err
	}
	if o.Flags&FlagMutual != 0 {
		types.SetFlag(&req.APOptions, flags.APOptionMutualRequired)
	}
	b, err := req.Marshal()
	if err != nil {
		return nil, err
	}
	return &Initiator{Token: frame(tokAPReq, b), flags: o.Flags, sessionKey: sessionKey, subkey: auth.SubKey,
		seq: uint64(auth.SeqNumber), ctime: auth.CTime, cusec: auth.Cusec}, nil
}

// Complete reads the acceptor's reply: an AP-REP completes the context; a
// KRB-ERROR comes back as *KRBError. Without mutual authentication reply
// may be nil.
func (in *Initiator) Complete(reply []byte) (*Session, error) {
	if len(reply) == 0 {
		if in.flags&FlagMutual != 0 {
			return nil, errors.New("the host sent no AP-REP: it did not prove its identity (mutual authentication)")
		}
		return newSession(in.subkey, false, false, in.seq, in.seq)
	}
	tok, msg, err := unframe(reply)
	if err != nil {
		return nil, err
	}
	switch tok {
	case tokError:
		return nil, parseKRBError(msg)
	case tokAPRep:
	default:
		return nil, fmt.Errorf("unexpected Kerberos token %x in the host's reply", tok)
	}
	var rep messages.APRep
	if err := rep.Unmarshal(msg); err != nil {
		return nil, fmt.Errorf("bad AP-REP: %v", err)
	}
	plain, err := crypto.DecryptEncPart(rep.EncPart, in.sessionKey, keyusage.AP_REP_ENCPART)
	if err != nil {
		return nil, fmt.Errorf("the AP-REP does not decrypt with the ticket's session key (not the host the ticket is for): %v", err)
	}
	var part messages.EncAPRepPart
	if err := part.Unmarshal(plain); err != nil {
		return nil, fmt.Errorf("bad AP-REP: %v", err)
	}
	if !part.CTime.Equal(in.ctime) || part.Cusec != in.cusec {
		return nil, errors.New("the AP-REP does not answer this AP-REQ (its time differs)")
	}
	key, acceptorSubkey := in.subkey, false
	if part.Subkey.KeyType != 0 && len(part.Subkey.KeyValue) > 0 {
		key, acceptorSubkey = part.Subkey, true
	}
	return newSession(key, false, acceptorSubkey, in.seq, uint64(part.SequenceNumber))
}

// KRBError is a KRB-ERROR the acceptor answered with.
type KRBError struct {
	Code  int32
	Text  string
	STime time.Time // the acceptor's clock
}

func (e *KRBError) Error() string {
	s := ErrorName(e.Code)
	if e.Text != "" {
		s += ": " + e.Text
	}
	return s
}

func parseKRBError(msg []byte) error {
	var ke messages.KRBError
	if err := ke.Unmarshal(msg); err != nil {
		return fmt.Errorf("bad KRB-ERROR: %v", err)
	}
	return &KRBError{Code: ke.ErrorCode, Text: ke.EText, STime: ke.STime}
}

// ParseError reads a GSS KRB-ERROR token; ok is false for other tokens.
func ParseError(token []byte) (*KRBError, bool) {
	if !IsKerberosToken(token) {
		return nil, false
	}
	tok, msg, _ := unframe(token)
	if tok != tokError {
		return nil, false
	}
	var ke *KRBError
	if errors.As(parseKRBError(msg), &ke) {
		return ke, true
	}
	return nil, false
}

// Error codes a WinRM client may see (RFC 4120 7.5.9).
const (
	ErrBadIntegrity  int32 = 31
	ErrTicketExpired int32 = 32
	ErrTicketNotYet  int32 = 33
	ErrRepeat        int32 = 34
	ErrNotUs         int32 = 35
	ErrBadMatch      int32 = 36
	ErrSkew          int32 = 37
	ErrBadVersion    int32 = 39
	ErrModified      int32 = 41
	ErrInappChecksum int32 = 50
	ErrGeneric       int32 = 60
	ErrNoKey         int32 = 45
	ErrBadKeyVer     int32 = 44
	ErrMessageType   int32 = 40
	ErrBadAddr       int32 = 38
	ErrMutualFailed  int32 = 46
)

var errorNames = map[int32]string{
	ErrBadIntegrity: "KRB_AP_ERR_BAD_INTEGRITY", ErrTicketExpired: "KRB_AP_ERR_TKT_EXPIRED", ErrTicketNotYet: "KRB_AP_ERR_TKT_NYV",
	ErrRepeat: "KRB_AP_ERR_REPEAT", ErrNotUs: "KRB_AP_ERR_NOT_US", ErrBadMatch: "KRB_AP_ERR_BADMATCH", ErrSkew: "KRB_AP_ERR_SKEW",
	ErrBadAddr: "KRB_AP_ERR_BADADDR", ErrBadVersion: "KRB_AP_ERR_BADVERSION", ErrMessageType: "KRB_AP_ERR_MSG_TYPE",
	ErrModified: "KRB_AP_ERR_MODIFIED", ErrBadKeyVer: "KRB_AP_ERR_BADKEYVER", ErrNoKey: "KRB_AP_ERR_NOKEY",
	ErrMutualFailed: "KRB_AP_ERR_MUT_FAIL", ErrInappChecksum: "KRB_AP_ERR_INAPP_CKSUM", ErrGeneric: "KRB_ERR_GENERIC",
}

// ErrorName is the RFC 4120 name of a Kerberos error code.
func ErrorName(code int32) string {
	if n, ok := errorNames[code]; ok {
		return n
	}
	return fmt.Sprintf("Kerberos error %d", code)
}

// encAPRepPart marshals EncAPRepPart (RFC 4120 5.5.2), which gokrb5
// only reads.
type encAPRepPart struct {
	CTime          time.Time           `asn1:"generalized,explicit,tag:0"`
	Cusec          int                 `asn1:"explicit,tag:1"`
	Subkey         types.EncryptionKey `asn1:"optional,explicit,tag:2"`
	SequenceNumber int64               `asn1:"optional,explicit,tag:3"`
}

// asn1App adds an [APPLICATION n] tag around DER.
func asn1App(tag int, b []byte) []byte {
	return append(append([]byte{0x60 | byte(tag)}, derLength(len(b))...), b...)
}

func marshalAPRep(sessionKey types.EncryptionKey, part encAPRepPart) ([]byte, error) {
	pb, err := asn1.Marshal(part)
	if err != nil {
		return nil, err
	}
	pb = asn1App(27, pb)
	ed, err := crypto.GetEncryptedData(pb, sessionKey, keyusage.AP_REP_ENCPART, 0)
	if err != nil {
		return nil, err
	}
	rep := messages.APRep{PVNO: 5, MsgType: 15, EncPart: ed}
	b, err := asn1.Marshal(rep)
	if err != nil {
		return nil, err
	}
	return asn1App(15, b), nil
}
