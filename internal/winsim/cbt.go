package winsim

import (
	"crypto/hmac"
	"crypto/x509"
	"fmt"
	"strings"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/gsskrb5"
)

// CBT hardening levels (ServiceAuthType.CbtHardeningLevel, MS-WSMV
// 2.2.4.34): Extended Protection binds NTLM and Kerberos logons over HTTPS
// to the TLS channel they come on (RFC 5929 tls-server-end-point), so that
// a man in the middle cannot relay them.
const (
	CbtRelaxed = "Relaxed" // the default: a wrong binding is refused, a missing one accepted
	CbtStrict  = "Strict"  // a missing binding is refused too
	CbtNone    = "None"    // nothing is checked
)

func validCbtLevel(s string) bool {
	switch strings.ToLower(s) {
	case "", "relaxed", "strict", "none":
		return true
	}
	return false
}

// checkBindings applies the host's CbtHardeningLevel to the bindings hash
// a client's logon carried (nil or zeros: none); "" accepts, else the
// reason for the refusal. Plain HTTP has no channel to bind to.
func (srv *server) checkBindings(cs *connState, st *HostState, got []byte) string {
	level := strings.ToLower(st.WinRM.CbtHardeningLevel)
	if !cs.tls || level == "none" {
		return ""
	}
	if gsskrb5.NoBindings(got) {
		if level == "strict" {
			return "channel binding token missing (CbtHardeningLevel Strict)"
		}
		return ""
	}
	leaf, err := srv.ca.leaf(st)
	if err != nil {
		return "no certificate: " + err.Error()
	}
	cert, err := x509.ParseCertificate(leaf.Certificate[0])
	if err != nil {
		return "no certificate: " + err.Error()
	}
	if want := gsskrb5.BindingsHash(gsskrb5.TLSServerEndPoint(cert)); !hmac.Equal(got, want) {
		return fmt.Sprintf("channel binding token does not match this TLS channel's certificate (CbtHardeningLevel %s)", cbtName(level))
	}
	return ""
}

func cbtName(level string) string {
	if level == "strict" {
		return CbtStrict
	}
	return CbtRelaxed
}
