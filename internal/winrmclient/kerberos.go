package winrmclient

import (
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/jcmturner/gokrb5/v8/client"
	"github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/credentials"
	"github.com/jcmturner/gokrb5/v8/spnego"
)

// kerberosAuth holds one logged-in Kerberos client per host transport;
// gokrb5 caches the service ticket, so each request costs no KDC trip.
type kerberosAuth struct {
	cl  *client.Client
	spn string
}

func (t *transport) kerberosHeader(h http.Header) error {
	t.krbOnce.Do(func() { t.krb, t.krbErr = newKerberosAuth(t.cfg, t.host) })
	if t.krbErr != nil {
		return t.krbErr
	}
	r, err := http.NewRequest(http.MethodPost, t.url, nil)
	if err != nil {
		return err
	}
	if err := spnego.SetSPNEGOHeader(t.krb.cl, r, t.krb.spn); err != nil {
		return &Error{Kind: KindAuth, Host: t.host, Message: fmt.Sprintf("cannot get a Kerberos service ticket for %s: %v (check kerberos_spn, the realm and that %s is the host's name in Active Directory, not an IP address)", t.krb.spn, err, t.host)}
	}
	h.Set("Authorization", r.Header.Get("Authorization"))
	return nil
}

func newKerberosAuth(cfg Config, host string) (*kerberosAuth, error) {
	path := cfg.Kerberos.Krb5Conf
	if path == "" {
		path = "/etc/krb5.conf"
	}
	kc, err := config.Load(path)
	if err != nil {
		return nil, &Error{Kind: KindAuth, Host: host, Message: fmt.Sprintf("cannot read the Kerberos configuration %s: %v (set kerberos_krb5_conf)", path, err)}
	}
	realm := strings.ToUpper(cfg.Kerberos.Realm)
	user := cfg.Username
	// DOMAIN\user and user@REALM both name the user in the realm.
	if _, u, ok := strings.Cut(user, `\`); ok {
		user = u
	}
	if u, _, ok := strings.Cut(user, "@"); ok {
		user = u
	}
	var cl *client.Client
	if cfg.Password != "" {
		cl = client.NewWithPassword(user, realm, cfg.Password, kc, client.DisablePAFXFAST(true))
	} else {
		ccPath := strings.TrimPrefix(os.Getenv("KRB5CCNAME"), "FILE:")
		if ccPath == "" {
			ccPath = fmt.Sprintf("/tmp/krb5cc_%d", os.Getuid())
		}
		cc, err := credentials.LoadCCache(ccPath)
		if err != nil {
			return nil, &Error{Kind: KindAuth, Host: host, Message: fmt.Sprintf("no password given and no Kerberos credential cache at %s: %v (run kinit, or set password)", ccPath, err)}
		}
		cl, err = client.NewFromCCache(cc, kc, client.DisablePAFXFAST(true))
		if err != nil {
			return nil, &Error{Kind: KindAuth, Host: host, Message: "cannot use the Kerberos credential cache: " + err.Error()}
		}
	}
	if err := cl.Login(); err != nil {
		return nil, &Error{Kind: KindAuth, Host: host, Message: fmt.Sprintf("Kerberos login as %s@%s failed: %v", user, realm, err)}
	}
	spn := "HTTP/" + host
	if cfg.Kerberos.SPN != "" && cfg.isDefaultHost(host) {
		spn = cfg.Kerberos.SPN
	}
	return &kerberosAuth{cl: cl, spn: spn}, nil
}
