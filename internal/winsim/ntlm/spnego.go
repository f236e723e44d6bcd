package ntlm

import (
	"encoding/asn1"
	"errors"
	"fmt"
	"slices"
)

// SPNEGO (RFC 4178, MS-SPNG) as Windows' Negotiate package speaks it.
// Around NTLM: a NegTokenInit carries the NEGOTIATE message, the server
// answers with a NegTokenResp carrying the CHALLENGE, the client's
// NegTokenResp carries the AUTHENTICATE and, usually, a mechListMIC.
// Around Kerberos: the NegTokenInit carries the AP-REQ, the one
// NegTokenResp the AP-REP (or a KRB-ERROR).

var (
	oidSPNEGO     = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 2}
	oidNTLM       = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 2, 10}
	oidKerberos   = asn1.ObjectIdentifier{1, 2, 840, 113554, 1, 2, 2}
	oidMSKerberos = asn1.ObjectIdentifier{1, 2, 840, 48018, 1, 2, 2}
)

// negState values (RFC 4178 4.2.2).
const (
	negAcceptCompleted  = 0
	negAcceptIncomplete = 1
	negReject           = 2
)

type negTokenInit struct {
	MechTypes   asn1.RawValue  `asn1:"explicit,tag:0"`
	ReqFlags    asn1.BitString `asn1:"explicit,optional,tag:1"`
	MechToken   []byte         `asn1:"explicit,optional,tag:2"`
	MechListMIC []byte         `asn1:"explicit,optional,tag:3"`
}

type negTokenResp struct {
	NegState      asn1.Enumerated       `asn1:"explicit,optional,tag:0,default:-1"`
	SupportedMech asn1.ObjectIdentifier `asn1:"explicit,optional,tag:1"`
	ResponseToken []byte                `asn1:"explicit,optional,tag:2"`
	MechListMIC   []byte                `asn1:"explicit,optional,tag:3"`
}

// SPNEGO is the SPNEGO wrapping of one token from a client.
type SPNEGO struct {
	Init bool // NegTokenInit (first leg), else NegTokenResp
	// MechTypes is the DER of the client's mechanism list (NegTokenInit
	// only); the mechListMIC signs it.
	MechTypes []byte
	Mechs     []asn1.ObjectIdentifier
	Token     []byte // the NTLM message or Kerberos token inside
	MIC       []byte // mechListMIC, if sent
}

// OffersNTLM tells whether the client's mechanism list has NTLM.
func (s *SPNEGO) OffersNTLM() bool { return slices.ContainsFunc(s.Mechs, oidNTLM.Equal) }

// KerberosMech is the first Kerberos OID the client lists (Windows lists
// its legacy one first), which the answer names; nil if none.
func (s *SPNEGO) KerberosMech() asn1.ObjectIdentifier {
	for _, m := range s.Mechs {
		if m.Equal(oidKerberos) || m.Equal(oidMSKerberos) {
			return m
		}
	}
	return nil
}

// IsSPNEGO tells SPNEGO tokens (GSS-API NegTokenInit, NegTokenResp) from raw NTLMSSP.
func IsSPNEGO(token []byte) bool {
	return len(token) > 0 && (token[0] == 0x60 || token[0] == 0xa1)
}

// ParseSPNEGO unwraps a client's SPNEGO token; the caller tells the
// mechanism of the token inside.
func ParseSPNEGO(token []byte) (*SPNEGO, error) {
	if len(token) == 0 {
		return nil, errors.New("ntlm: empty SPNEGO token")
	}
	if token[0] == 0xa1 {
		var r negTokenResp
		if _, err := asn1.UnmarshalWithParams(token, &r, "explicit,tag:1"); err != nil {
			return nil, fmt.Errorf("ntlm: bad SPNEGO NegTokenResp: %v", err)
		}
		return &SPNEGO{Token: r.ResponseToken, MIC: r.MechListMIC}, nil
	}
	var app asn1.RawValue
	if _, err := asn1.Unmarshal(token, &app); err != nil || app.Class != asn1.ClassApplication || app.Tag != 0 {
		return nil, errors.New("ntlm: not a GSS-API token")
	}
	var mech asn1.ObjectIdentifier
	rest, err := asn1.Unmarshal(app.Bytes, &mech)
	if err != nil || !mech.Equal(oidSPNEGO) {
		return nil, fmt.Errorf("ntlm: GSS-API token for mechanism %v, not SPNEGO", mech)
	}
	var init negTokenInit
	if _, err := asn1.UnmarshalWithParams(rest, &init, "explicit,tag:0"); err != nil {
		return nil, fmt.Errorf("ntlm: bad SPNEGO NegTokenInit: %v", err)
	}
	var mechs []asn1.ObjectIdentifier
	if _, err := asn1.Unmarshal(init.MechTypes.Bytes, &mechs); err != nil {
		return nil, fmt.Errorf("ntlm: bad SPNEGO mechTypes: %v", err)
	}
	return &SPNEGO{Init: true, MechTypes: init.MechTypes.Bytes, Mechs: mechs, Token: init.MechToken}, nil
}

// SPNEGOKerberos is the server's NegTokenResp to a Kerberos AP-REQ: accept
// with the AP-REP, or reject with the KRB-ERROR.
func SPNEGOKerberos(accept bool, mech asn1.ObjectIdentifier, token []byte) []byte {
	state := asn1.Enumerated(negAcceptCompleted)
	if !accept {
		state = negReject
	}
	return marshalResp(negTokenResp{NegState: state, SupportedMech: mech, ResponseToken: token})
}

// SPNEGOChallenge wraps the CHALLENGE in the server's first NegTokenResp.
func SPNEGOChallenge(challenge []byte) []byte {
	return marshalResp(negTokenResp{NegState: negAcceptIncomplete, SupportedMech: oidNTLM, ResponseToken: challenge})
}

// SPNEGOAccept is the server's last NegTokenResp, with its mechListMIC
// when the client sent one.
func SPNEGOAccept(mic []byte) []byte {
	return marshalResp(negTokenResp{NegState: negAcceptCompleted, MechListMIC: mic})
}

func marshalResp(r negTokenResp) []byte {
	b, err := asn1.MarshalWithParams(r, "explicit,tag:1")
	if err != nil {
		panic(err) // fixed shapes; cannot fail
	}
	return b
}
