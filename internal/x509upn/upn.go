// Package x509upn reads the user principal name of a certificate, which
// WinRM's certificate logon maps to an account.
package x509upn

import (
	"crypto/x509"
	"encoding/asn1"
)

var (
	oidSAN = asn1.ObjectIdentifier{2, 5, 29, 17}
	oidUPN = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 20, 2, 3}
)

// Of is the user principal name among cert's subject alternative names
// (otherName 1.3.6.1.4.1.311.20.2.3), or "".
func Of(cert *x509.Certificate) string {
	for _, ext := range cert.Extensions {
		if !ext.Id.Equal(oidSAN) {
			continue
		}
		var names []asn1.RawValue
		if _, err := asn1.Unmarshal(ext.Value, &names); err != nil {
			return ""
		}
		for _, n := range names {
			if n.Tag != 0 || n.Class != asn1.ClassContextSpecific {
				continue
			}
			var on struct {
				ID    asn1.ObjectIdentifier
				Value asn1.RawValue `asn1:"explicit,tag:0"`
			}
			if _, err := asn1.UnmarshalWithParams(n.FullBytes, &on, "tag:0"); err != nil || !on.ID.Equal(oidUPN) {
				continue
			}
			// An explicitly tagged RawValue holds the inner UTF8String whole.
			var s string
			if _, err := asn1.UnmarshalWithParams(on.Value.Bytes, &s, "utf8"); err == nil {
				return s
			}
		}
	}
	return ""
}
