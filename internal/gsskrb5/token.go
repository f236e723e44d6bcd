// Package gsskrb5 is the Kerberos mechanism of GSS-API as HTTP
// authentication and WS-Management message encryption use it: the
// context tokens (RFC 4121 4.1: AP-REQ, AP-REP and KRB-ERROR in their
// GSS framing), the context establishment with mutual authentication on
// both sides, and sealed wrap tokens (RFC 4121 4.2) split into header and
// data as MS-WSMV 2.2.9.1 frames them. gokrb5 provides the Kerberos
// messages and cryptography; it has neither the AP-REP nor sealing.
//
// Both the provider (initiator) and winsim (acceptor) use this package, so
// its tests check each side against MIT Kerberos through Python's gssapi
// bindings, not only against each other.
package gsskrb5

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/jcmturner/gofork/encoding/asn1"
)

// Mechanism OIDs: Kerberos 5, and the one Windows' SPNEGO lists first.
var (
	OIDKerberos   = asn1.ObjectIdentifier{1, 2, 840, 113554, 1, 2, 2}
	OIDMSKerberos = asn1.ObjectIdentifier{1, 2, 840, 48018, 1, 2, 2}
)

// Token IDs of the context tokens (RFC 4121 4.1).
var (
	tokAPReq = [2]byte{0x01, 0x00}
	tokAPRep = [2]byte{0x02, 0x00}
	tokError = [2]byte{0x03, 0x00}
)

// frame puts a Kerberos message in the GSS-API token framing of RFC 2743
// 3.1: [APPLICATION 0] { mechanism OID, token ID, message }.
func frame(tok [2]byte, msg []byte) []byte {
	oid, _ := asn1.Marshal(OIDKerberos)
	inner := make([]byte, 0, len(oid)+2+len(msg))
	inner = append(inner, oid...)
	inner = append(inner, tok[:]...)
	inner = append(inner, msg...)
	return append(append([]byte{0x60}, derLength(len(inner))...), inner...)
}

func derLength(n int) []byte {
	if n < 0x80 {
		return []byte{byte(n)}
	}
	var b []byte
	for ; n > 0; n >>= 8 {
		b = append([]byte{byte(n)}, b...)
	}
	return append([]byte{0x80 | byte(len(b))}, b...)
}

// unframe checks the framing and returns the token ID and the message.
func unframe(b []byte) ([2]byte, []byte, error) {
	var tok [2]byte
	var app asn1.RawValue
	rest, err := asn1.Unmarshal(b, &app)
	if err != nil || app.Class != asn1.ClassApplication || app.Tag != 0 || len(rest) != 0 {
		return tok, nil, errors.New("not a GSS-API Kerberos token")
	}
	var oid asn1.ObjectIdentifier
	msg, err := asn1.Unmarshal(app.Bytes, &oid)
	if err != nil {
		return tok, nil, errors.New("not a GSS-API Kerberos token: no mechanism OID")
	}
	if !oid.Equal(OIDKerberos) && !oid.Equal(OIDMSKerberos) {
		return tok, nil, fmt.Errorf("GSS-API token for mechanism %v, not Kerberos", oid)
	}
	if len(msg) < 2 {
		return tok, nil, errors.New("GSS-API Kerberos token without a token ID")
	}
	copy(tok[:], msg)
	return tok, msg[2:], nil
}

// IsKerberosToken tells a GSS-API Kerberos token from NTLMSSP and SPNEGO.
func IsKerberosToken(b []byte) bool {
	_, _, err := unframe(b)
	return err == nil
}

// IsAPReq tells whether b is a Kerberos token carrying an AP-REQ.
func IsAPReq(b []byte) bool {
	tok, _, err := unframe(b)
	return err == nil && bytes.Equal(tok[:], tokAPReq[:])
}
