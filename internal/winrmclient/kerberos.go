package winrmclient

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"

	"github.com/jcmturner/gokrb5/v8/client"
	"github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/credentials"
	"github.com/jcmturner/gokrb5/v8/spnego"
)

// kerberosLogin is a Client's Kerberos login, shared by all its hosts;
// gokrb5 caches each host's service ticket, so a request costs no KDC
// trip. Only a success is kept: a missing krb5.conf or an unreachable KDC
// may be fixed by the next operation.
type kerberosLogin struct {
	cfg Config
	mu  sync.Mutex
	cl  *client.Client
}

func (k *kerberosLogin) client() (*client.Client, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.cl == nil {
		cl, err := kerberosClient(k.cfg)
		if err != nil {
			return nil, err
		}
		k.cl = cl
	}
	return k.cl, nil
}

func (t *transport) kerberosHeader(h http.Header) error {
	cl, err := t.krb.client()
	if err != nil {
		return err
	}
	r, err := http.NewRequest(http.MethodPost, t.url, nil)
	if err != nil {
		return err
	}
	if err := spnego.SetSPNEGOHeader(cl, r, t.spn); err != nil {
		return &Error{Kind: KindAuth, Host: t.host, Message: fmt.Sprintf("cannot get a Kerberos service ticket for %s: %v (check kerberos_spn, the realm and that %s is the host's name in Active Directory, not an IP address)", t.spn, err, t.host)}
	}
	h.Set("Authorization", r.Header.Get("Authorization"))
	return nil
}

// kerberosClient logs in as the configured user.
func kerberosClient(cfg Config) (*client.Client, error) {
	path := cfg.Kerberos.Krb5Conf
	if path == "" {
		path = "/etc/krb5.conf"
	}
	kc, err := config.Load(path)
	if err != nil {
		return nil, &Error{Kind: KindAuth, Message: fmt.Sprintf("cannot read the Kerberos configuration %s: %v (set kerberos_krb5_conf)", path, err)}
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
			return nil, &Error{Kind: KindAuth, Message: fmt.Sprintf("no password given and no Kerberos credential cache at %s: %v (run kinit, or set password)", ccPath, err)}
		}
		cl, err = client.NewFromCCache(cc, kc, client.DisablePAFXFAST(true))
		if err != nil {
			return nil, &Error{Kind: KindAuth, Message: "cannot use the Kerberos credential cache: " + err.Error()}
		}
	}
	if err := cl.Login(); err != nil {
		return nil, &Error{Kind: KindAuth, Message: fmt.Sprintf("Kerberos login as %s@%s failed: %v", user, realm, err)}
	}
	return cl, nil
}
