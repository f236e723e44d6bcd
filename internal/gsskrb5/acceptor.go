package gsskrb5

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jcmturner/gokrb5/v8/crypto"
	"github.com/jcmturner/gokrb5/v8/iana/chksumtype"
	"github.com/jcmturner/gokrb5/v8/iana/flags"
	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/types"
)

// Acceptor is a service that accepts contexts: a host's keys and clock.
type Acceptor struct {
	// Keytab holds the service's keys; only those of Principals are used,
	// as a Windows host decrypts with its own account's key whatever
	// service name a ticket carries.
	Keytab     *keytab.Keytab
	Realm      string
	Principals []string // e.g. HTTP/ls01.contoso.com
	// Now is the host's clock; MaxSkew the clock skew it tolerates
	// (5 minutes in Active Directory's default policy).
	Now     func() time.Time
	MaxSkew time.Duration
	// Replay remembers authenticators seen; share one per host.
	Replay *ReplayCache
}

// Accepted is an established context on the acceptor's side.
type Accepted struct {
	// Client is the user, name@REALM.
	Client, ClientName, ClientRealm string
	Flags                           uint32
	// Reply is the AP-REP token to send back (mutual authentication), or
	// nil when the client did not ask for it.
	Reply   []byte
	Session *Session
	// Bindings is the channel bindings hash of the authenticator checksum.
	Bindings []byte
}

// Refusal is why a context was refused: Code goes back to the client in
// a KRB-ERROR (Token), Reason is for the service's log.
type Refusal struct {
	Code   int32
	Reason string
	// Token is the GSS KRB-ERROR token for the client.
	Token []byte
}

func (r *Refusal) Error() string { return ErrorName(r.Code) + ": " + r.Reason }

// Accept checks an AP-REQ token as RFC 4120 3.2.3 orders the checks and
// answers it.
func (a *Acceptor) Accept(token []byte) (*Accepted, error) {
	now := a.Now().UTC()
	refuse := func(code int32, sname types.PrincipalName, format string, args ...any) (*Accepted, error) {
		ke := messages.NewKRBError(sname, a.Realm, code, "")
		ke.STime = now.Truncate(time.Second)
		ke.Susec = now.Nanosecond() / 1000
		b, err := ke.Marshal()
		if err != nil {
			return nil, err
		}
		return nil, &Refusal{Code: code, Reason: fmt.Sprintf(format, args...), Token: frame(tokError, b)}
	}
	tok, msg, err := unframe(token)
	if err != nil {
		return refuse(ErrGeneric, types.PrincipalName{}, "%v", err)
	}
	if tok != tokAPReq {
		return refuse(ErrMessageType, types.PrincipalName{}, "token %x is not an AP-REQ", tok)
	}
	var req messages.APReq
	if err := req.Unmarshal(msg); err != nil {
		return refuse(ErrGeneric, types.PrincipalName{}, "bad AP-REQ: %v", err)
	}
	sname := req.Ticket.SName
	spn := sname.PrincipalNameString()
	if !strings.EqualFold(req.Ticket.Realm, a.Realm) {
		return refuse(ErrNotUs, sname, "wrong realm: the ticket for %s was issued by realm %s, the host is in %s", spn, req.Ticket.Realm, a.Realm)
	}
	own := false
	for _, p := range a.Principals {
		own = own || strings.EqualFold(p, spn)
	}
	if !own {
		return refuse(ErrModified, sname, "ticket for another SPN: %s is not one of this host's (%s), so the host's key cannot decrypt it", spn, strings.Join(a.Principals, ", "))
	}
	key, _, err := a.Keytab.GetEncryptionKey(sname, a.Realm, req.Ticket.EncPart.KVNO, req.Ticket.EncPart.EType)
	if err != nil {
		return refuse(ErrNoKey, sname, "no key for %s (kvno %d, type %d) in the host's keytab", spn, req.Ticket.EncPart.KVNO, req.Ticket.EncPart.EType)
	}
	if err := req.Ticket.Decrypt(key); err != nil {
		return refuse(ErrModified, sname, "the ticket for %s does not decrypt with the host's key", spn)
	}
	tp := req.Ticket.DecryptedEncPart
	if err := req.DecryptAuthenticator(tp.Key); err != nil {
		return refuse(ErrModified, sname, "the authenticator does not decrypt with the ticket's session key")
	}
	auth := req.Authenticator
	if !auth.CName.Equal(tp.CName) || !strings.EqualFold(auth.CRealm, tp.CRealm) {
		return refuse(ErrBadMatch, sname, "the authenticator names another client than the ticket")
	}
	ctime := auth.CTime.Add(time.Duration(auth.Cusec) * time.Microsecond)
	if d := now.Sub(ctime); d > a.MaxSkew || -d > a.MaxSkew {
		return refuse(ErrSkew, sname, "clock skew: the client's time is %s, the host's %s (%s apart, more than %s)",
			ctime.Format(time.RFC3339), now.Format(time.RFC3339), d.Abs().Round(time.Second), a.MaxSkew)
	}
	if a.Replay != nil && a.Replay.seen(tp.CName.PrincipalNameString()+"@"+tp.CRealm, ctime, now, a.MaxSkew) {
		return refuse(ErrRepeat, sname, "replayed authenticator")
	}
	start := tp.StartTime
	if start.IsZero() {
		start = tp.AuthTime
	}
	if start.Sub(now) > a.MaxSkew {
		return refuse(ErrTicketNotYet, sname, "the ticket is not valid before %s", start.Format(time.RFC3339))
	}
	if now.Sub(tp.EndTime) > a.MaxSkew {
		return refuse(ErrTicketExpired, sname, "the ticket expired at %s (host time %s)", tp.EndTime.Format(time.RFC3339), now.Format(time.RFC3339))
	}
	if auth.Cksum.CksumType != chksumtype.GSSAPI || len(auth.Cksum.Checksum) < 24 || binary.LittleEndian.Uint32(auth.Cksum.Checksum[:4]) != 16 {
		return refuse(ErrInappChecksum, sname, "the authenticator has no GSS-API checksum")
	}
	ctxFlags := binary.LittleEndian.Uint32(auth.Cksum.Checksum[20:24])
	out := &Accepted{
		Client: tp.CName.PrincipalNameString() + "@" + tp.CRealm, ClientName: tp.CName.PrincipalNameString(), ClientRealm: tp.CRealm,
		Flags: ctxFlags, Bindings: append([]byte(nil), auth.Cksum.Checksum[4:20]...),
	}
	initKey := auth.SubKey
	if initKey.KeyType == 0 {
		initKey = tp.Key
	}
	initSeq := uint64(auth.SeqNumber)
	if !types.IsFlagSet(&req.APOptions, flags.APOptionMutualRequired) {
		// No AP-REP: both directions use the initiator's key and number.
		out.Session, err = newSession(initKey, true, false, initSeq, initSeq)
		if err != nil {
			return refuse(ErrGeneric, sname, "%v", err)
		}
		return out, nil
	}
	et, err := crypto.GetEtype(tp.Key.KeyType)
	if err != nil {
		return refuse(ErrGeneric, sname, "session key type %d: %v", tp.Key.KeyType, err)
	}
	subkey, err := types.GenerateEncryptionKey(et)
	if err != nil {
		return nil, err
	}
	var seqb [4]byte
	_, _ = rand.Read(seqb[:])
	accSeq := uint64(binary.BigEndian.Uint32(seqb[:]) & 0x3fffffff)
	rep, err := marshalAPRep(tp.Key, encAPRepPart{CTime: auth.CTime, Cusec: auth.Cusec, Subkey: subkey, SequenceNumber: int64(accSeq)})
	if err != nil {
		return nil, err
	}
	out.Reply = frame(tokAPRep, rep)
	out.Session, err = newSession(subkey, true, true, accSeq, initSeq)
	if err != nil {
		return refuse(ErrGeneric, sname, "%v", err)
	}
	return out, nil
}

// ReplayCache remembers the authenticators seen within the clock skew
// window (RFC 4120 3.2.3).
type ReplayCache struct {
	mu      sync.Mutex
	entries map[string]time.Time
}

func (c *ReplayCache) seen(client string, ctime, now time.Time, window time.Duration) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[string]time.Time{}
	}
	for k, t := range c.entries {
		if now.Sub(t) > 2*window {
			delete(c.entries, k)
		}
	}
	key := client + "|" + ctime.Format(time.RFC3339Nano)
	if _, dup := c.entries[key]; dup {
		return true
	}
	c.entries[key] = now
	return false
}
