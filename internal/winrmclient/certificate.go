package winrmclient

import (
	"crypto/x509"
	"fmt"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/x509upn"
)

// certAuthorization is the Authorization value of certificate logons.
const certAuthorization = "http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual"

// certRefused explains a refused certificate logon: what the host must
// have for it, with this certificate's name.
func (t *transport) certRefused() string {
	upn, issuer := "<its user principal name>", "<issuing CA's thumbprint>"
	if len(t.tlsConf.Certificates) > 0 {
		if cert, err := x509.ParseCertificate(t.tlsConf.Certificates[0].Certificate[0]); err == nil {
			if u := x509upn.Of(cert); u != "" {
				upn = u
			}
			issuer = fmt.Sprintf("<thumbprint of %s>", cert.Issuer.CommonName)
		}
	}
	return fmt.Sprintf("the host refused the client certificate (HTTP 401): map it to a local administrator on the host "+
		"(New-Item -Path WSMan:\\localhost\\ClientCertificate -Subject %s -URI * -Issuer %s -Credential (Get-Credential)), "+
		"with its issuing CA in the host's Trusted Root Certification Authorities and Auth/Certificate enabled "+
		"(winrm set winrm/config/service/auth @{Certificate=\"true\"}); a mapping keeps the account's password, so map again after it changes", upn, issuer)
}
