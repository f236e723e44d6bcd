package winsim

import (
	"crypto/sha1" //nolint:gosec // Windows names certificates by their SHA-1 thumbprint
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"net/http"
	"strings"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/x509upn"
)

// Certificate logon (wsman:secprofile/https/mutual): over HTTPS the
// client presents a certificate, and every request says so in its
// Authorization header; the service maps the certificate to a local
// account (MS-WSMV 2.2.4.3 CertMappingType) whose credentials the mapping
// holds. Auth/Certificate is off by default.

// CertAuthorization is the Authorization value of certificate logons.
const CertAuthorization = "http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual"

// CertMapping maps client certificates to a local account
// (winrm/config/service/certmapping; New-Item WSMan:\localhost\ClientCertificate).
type CertMapping struct {
	// URI is the resource URI the mapping allows; "*" for all.
	URI string `json:"uri"`
	// Subject is matched against the certificate's user principal name
	// (its subject alternative name); one "*" first or last is a wildcard.
	Subject string `json:"subject"`
	// Issuer is the thumbprint (SHA-1, hex) of the certificate that signed
	// the client's, which must be in TrustedRoots.
	Issuer   string `json:"issuer"`
	UserName string `json:"user_name"`
	// Password is the account's password when the mapping was made; a
	// mapping whose password no longer matches fails.
	Password string `json:"password"`
	Enabled  bool   `json:"enabled"`
}

// Thumbprint is a certificate's SHA-1 thumbprint as Windows shows it.
func Thumbprint(der []byte) string {
	sum := sha1.Sum(der) //nolint:gosec // see the import
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

func subjectMatches(pattern, upn string) bool {
	p, u := strings.ToLower(pattern), strings.ToLower(upn)
	switch {
	case p == "*":
		return true
	case strings.HasPrefix(p, "*"):
		return strings.HasSuffix(u, p[1:])
	case strings.HasSuffix(p, "*"):
		return strings.HasPrefix(u, p[:len(p)-1])
	}
	return p == u
}

// trustedRoot is the host's trusted CA whose thumbprint is tp.
func trustedRoot(st *HostState, tp string) *x509.Certificate {
	for _, p := range st.TrustedRoots {
		for rest := []byte(p); ; {
			var b *pem.Block
			b, rest = pem.Decode(rest)
			if b == nil {
				break
			}
			if Thumbprint(b.Bytes) == strings.ToUpper(tp) {
				if c, err := x509.ParseCertificate(b.Bytes); err == nil {
					return c
				}
			}
		}
	}
	return nil
}

// authenticateCertificate maps the TLS client certificate of r to a local
// account, or writes the refusal (Windows' bare 401) and logs why.
func (srv *server) authenticateCertificate(r *http.Request, cs *connState, st *HostState, body []byte, entry *LogEntry, challenge func(string)) (User, bool) {
	entry.Auth = "certificate"
	refuse := func(format string, args ...any) (User, bool) {
		challenge("certificate refused: " + fmt.Sprintf(format, args...))
		return User{}, false
	}
	switch {
	case !cs.tls:
		return refuse("certificate logons need HTTPS")
	case !st.WinRM.Certificate:
		return refuse("Certificate authentication is disabled on the host (Auth/Certificate)")
	case r.TLS == nil || len(r.TLS.PeerCertificates) == 0:
		return refuse("the client presented no certificate")
	}
	cert := r.TLS.PeerCertificates[0]
	upn := x509upn.Of(cert)
	now := cs.host.Clock()
	resource := ""
	if req, err := parseRequest(body); err == nil {
		resource = req.Header.ResourceURI
	}
	var why []string
	for _, m := range st.CertMappings {
		if !m.Enabled || !subjectMatches(m.Subject, upn) || (m.URI != "*" && !strings.HasPrefix(resource, m.URI)) {
			continue
		}
		issuer := trustedRoot(st, m.Issuer)
		if issuer == nil {
			why = append(why, fmt.Sprintf("the issuer %s of the mapping for %s is not a trusted root of the host", m.Issuer, m.Subject))
			continue
		}
		if err := cert.CheckSignatureFrom(issuer); err != nil {
			why = append(why, fmt.Sprintf("the certificate is not signed by %s (%s)", m.Issuer, issuer.Subject.CommonName))
			continue
		}
		if now.After(cert.NotAfter) || now.Before(cert.NotBefore) {
			return refuse("the certificate of %s is not valid at %s (valid %s to %s)", upn, now.UTC().Format("2006-01-02 15:04:05"),
				cert.NotBefore.UTC().Format("2006-01-02"), cert.NotAfter.UTC().Format("2006-01-02"))
		}
		u, ok := findUser(st, m.UserName, "")
		if !ok || u.Domain != "" {
			return refuse("the mapping for %s names %s, which is no local account", upn, m.UserName)
		}
		if u.Password != m.Password {
			return refuse("the mapping for %s holds an old password of %s", upn, m.UserName)
		}
		return u, true
	}
	if len(why) > 0 {
		return refuse("%s", strings.Join(why, "; "))
	}
	return refuse("no certificate mapping for subject %q issued by %q", upn, cert.Issuer.String())
}
