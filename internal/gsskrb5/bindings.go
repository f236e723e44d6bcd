package gsskrb5

import (
	"crypto"
	"crypto/md5" //nolint:gosec // RFC 4121 fixes MD5 for the channel bindings hash
	"crypto/x509"
	"encoding/binary"

	_ "crypto/sha256" // the hashes RFC 5929 may pick
	_ "crypto/sha512"
)

// TLSServerEndPoint is the channel binding data of a TLS connection whose
// server presented cert (RFC 5929 4.1): "tls-server-end-point:" and the
// hash of the certificate, with its signature's hash function (SHA-256
// for MD5 and SHA-1). Windows' Extended Protection checks this binding.
func TLSServerEndPoint(cert *x509.Certificate) []byte {
	h := crypto.SHA256
	switch cert.SignatureAlgorithm {
	case x509.SHA384WithRSA, x509.ECDSAWithSHA384, x509.SHA384WithRSAPSS:
		h = crypto.SHA384
	case x509.SHA512WithRSA, x509.ECDSAWithSHA512, x509.SHA512WithRSAPSS:
		h = crypto.SHA512
	}
	d := h.New()
	d.Write(cert.Raw)
	return append([]byte("tls-server-end-point:"), d.Sum(nil)...)
}

// BindingsHash is the MD5 of the channel bindings with only application
// data (RFC 4121 4.1.1.2): what the Kerberos authenticator's checksum and
// NTLM's MsvAvChannelBindings carry.
func BindingsHash(appData []byte) []byte {
	b := make([]byte, 20, 20+len(appData))
	binary.LittleEndian.PutUint32(b[16:], uint32(len(appData)))
	sum := md5.Sum(append(b, appData...)) //nolint:gosec // see the import
	return sum[:]
}

// NoBindings tells whether a bindings hash is absent: missing, or all
// zero, which clients send when they have none.
func NoBindings(h []byte) bool {
	for _, c := range h {
		if c != 0 {
			return false
		}
	}
	return true
}
