package ntlm

import (
	"bytes"
	"crypto/rc4"
	"encoding/asn1"
	"testing"
)

// mirror is the client's view of s: the same keys, directions swapped.
func mirror(s *Session) *Session {
	c := &Session{flags: s.flags, inSignKey: s.outSignKey, outSignKey: s.inSignKey, inSealKey: s.outSealKey, outSealKey: s.inSealKey}
	c.in, _ = rc4.NewCipher(c.inSealKey)
	c.out, _ = rc4.NewCipher(c.outSealKey)
	return c
}

func TestSPNEGOTokens(t *testing.T) {
	type negTokenInit struct {
		MechTypes []asn1.ObjectIdentifier `asn1:"explicit,tag:0"`
		MechToken []byte                  `asn1:"explicit,tag:2"`
	}
	neg := []byte("NTLMSSP\x00\x01\x00\x00\x00\x07\x82\x08\x02" + string(make([]byte, 16)))
	inner, _ := asn1.MarshalWithParams(negTokenInit{[]asn1.ObjectIdentifier{oidNTLM}, neg}, "explicit,tag:0")
	oid, _ := asn1.Marshal(oidSPNEGO)
	tok, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassApplication, Tag: 0, IsCompound: true, Bytes: append(oid, inner...)})
	p, err := ParseSPNEGO(tok)
	if err != nil || !p.Init || !bytes.Equal(p.Token, neg) {
		t.Fatalf("NegTokenInit: %+v %v", p, err)
	}
	// The MIC signs the DER of the mechanism list itself.
	if want, _ := asn1.Marshal([]asn1.ObjectIdentifier{oidNTLM}); !bytes.Equal(p.MechTypes, want) {
		t.Fatalf("mechTypes % x, want % x", p.MechTypes, want)
	}
	// The server's tokens parse as the client's NegTokenResp would.
	p, err = ParseSPNEGO(SPNEGOChallenge([]byte("challenge")))
	if err != nil || p.Init || string(p.Token) != "challenge" {
		t.Fatalf("NegTokenResp: %+v %v", p, err)
	}
	if _, err := ParseSPNEGO([]byte{0x60, 0x03, 0x06, 0x01, 0x00}); err == nil {
		t.Fatal("garbage accepted")
	}
}

// The mechListMIC exchange: the client's MIC verifies, a tampered one does
// not, the server's MIC verifies on the client, and sealing afterwards
// starts from fresh RC4 state with the next sequence numbers.
func TestSPNEGOMechListMIC(t *testing.T) {
	var l lookupRecorder
	s, _, _, err := bodgitHandshake(t, testServer(), newBodgit(t, "alice", "CONTOSO", testPassword), &l)
	if err != nil {
		t.Fatal(err)
	}
	c := mirror(s)
	mechs, _ := asn1.Marshal([]asn1.ObjectIdentifier{oidNTLM})
	mic, err := c.SignMIC(mechs)
	if err != nil {
		t.Fatal(err)
	}
	bad := append([]byte(nil), mic...)
	bad[5] ^= 1
	if err := s.VerifyMIC(mechs, bad); err == nil {
		t.Fatal("tampered mechListMIC accepted")
	}
	if err := s.VerifyMIC(mechs, mic); err != nil {
		t.Fatal(err)
	}
	smic, err := s.SignMIC(mechs)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.VerifyMIC(mechs, smic); err != nil {
		t.Fatal(err)
	}
	sealed, sig, err := c.Seal([]byte("first message"))
	if err != nil || sig[12] != 1 {
		t.Fatalf("first sealed message: seq %d, %v", sig[12], err)
	}
	if plain, err := s.Unseal(sealed, sig); err != nil || string(plain) != "first message" {
		t.Fatalf("unseal after the mechListMIC: %q %v", plain, err)
	}
}
