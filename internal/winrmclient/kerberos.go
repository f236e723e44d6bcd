package winrmclient

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/jcmturner/gokrb5/v8/client"
	"github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/credentials"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/gsskrb5"
)

// Kerberos as MS-WSMV 2.2.9.1.2 has it: the Kerberos scheme, one AP-REQ
// per connection with mutual authentication (the host's AP-REP is
// checked), and over HTTP every message sealed with the context
// (application/HTTP-Kerberos-session-encrypted). The TGT is got once per
// Client and shared by all its hosts; service tickets are cached per SPN.

// kerberosLogin is a Client's Kerberos login, shared by all its hosts.
// Only a success is kept: a missing krb5.conf or an unreachable KDC may be
// fixed by the next operation.
type kerberosLogin struct {
	cfg Config
	mu  sync.Mutex
	cl  *client.Client
	// spnMu serialises the first ticket request of each SPN, so that
	// a host's parallel connections share one TGS exchange.
	spnMu sync.Map // SPN -> *sync.Mutex
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

// initiator makes a connection's AP-REQ for spn, bound to the TLS
// channel whose binding cbt is (nil over HTTP).
func (k *kerberosLogin) initiator(host, spn string, cbt []byte) (*gsskrb5.Initiator, error) {
	cl, err := k.client()
	if err != nil {
		return nil, err
	}
	m, _ := k.spnMu.LoadOrStore(strings.ToLower(spn), &sync.Mutex{})
	mu, _ := m.(*sync.Mutex)
	mu.Lock()
	tkt, key, err := cl.GetServiceTicket(spn)
	mu.Unlock()
	if err != nil {
		return nil, &Error{Kind: KindAuth, Host: host, Message: serviceTicketError(spn, host, err), final: true}
	}
	var bindings []byte
	if cbt != nil {
		bindings = gsskrb5.BindingsHash(cbt)
	}
	in, err := gsskrb5.NewInitiator(tkt, key, gsskrb5.InitiatorOptions{Realm: cl.Credentials.Domain(), CName: cl.Credentials.CName(),
		Flags: gsskrb5.FlagMutual | gsskrb5.FlagSequence | gsskrb5.FlagConf | gsskrb5.FlagInteg, Bindings: bindings})
	if err != nil {
		return nil, &Error{Kind: KindAuth, Host: host, Message: "cannot build the Kerberos AP-REQ: " + err.Error()}
	}
	return in, nil
}

// krb5ConfPath is the krb5.conf to read: the setting, MIT's KRB5_CONFIG,
// or the system's.
func krb5ConfPath(cfg Config) string {
	if cfg.Kerberos.Krb5Conf != "" {
		return cfg.Kerberos.Krb5Conf
	}
	if p := os.Getenv("KRB5_CONFIG"); p != "" {
		return strings.Split(p, ":")[0]
	}
	return "/etc/krb5.conf"
}

// kerberosClient logs in as the configured user: with the password, or
// with the TGT of the credential cache (KRB5CCNAME, as kinit left it).
func kerberosClient(cfg Config) (*client.Client, error) {
	path := krb5ConfPath(cfg)
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
	if cfg.Password != "" {
		cl := client.NewWithPassword(user, realm, cfg.Password, kc, client.DisablePAFXFAST(true))
		if err := cl.Login(); err != nil {
			return nil, &Error{Kind: KindAuth, Message: loginError(user, realm, path, err), final: true}
		}
		return cl, nil
	}
	ccPath := ccachePath()
	cc, err := credentials.LoadCCache(ccPath)
	if err != nil {
		return nil, &Error{Kind: KindAuth, Message: fmt.Sprintf("no password given and no Kerberos credential cache at %s: %v (run kinit %s@%s, or set password)", ccPath, err, user, realm)}
	}
	cl, err := client.NewFromCCache(cc, kc, client.DisablePAFXFAST(true))
	if err != nil {
		return nil, &Error{Kind: KindAuth, Message: fmt.Sprintf("cannot use the Kerberos credential cache %s: %v (run kinit %s@%s, or set password)", ccPath, err, user, realm)}
	}
	if p := cc.DefaultPrincipal; !strings.EqualFold(p.Realm, realm) || !strings.EqualFold(strings.Join(p.PrincipalName.NameString, "/"), user) {
		return nil, &Error{Kind: KindAuth, Message: fmt.Sprintf("the Kerberos credential cache %s holds tickets of %s@%s, not of %s@%s (run kinit %s@%s, or set username to match)",
			ccPath, strings.Join(p.PrincipalName.NameString, "/"), p.Realm, user, realm, user, realm)}
	}
	if err := cl.AffirmLogin(); err != nil {
		return nil, &Error{Kind: KindAuth, Message: fmt.Sprintf("the ticket-granting ticket in the Kerberos credential cache %s has expired: run kinit %s@%s again, or set password", ccPath, user, realm)}
	}
	return cl, nil
}

func ccachePath() string {
	p := os.Getenv("KRB5CCNAME")
	if p == "" {
		return fmt.Sprintf("/tmp/krb5cc_%d", os.Getuid())
	}
	return strings.TrimPrefix(p, "FILE:")
}

// loginError explains a failed AS exchange. gokrb5 reports errors as
// text, with the RFC 4120 name of a KDC's error in it.
func loginError(user, realm, conf string, err error) string {
	s := err.Error()
	who := user + "@" + realm
	switch {
	case strings.Contains(s, "KDC_ERR_C_PRINCIPAL_UNKNOWN"):
		return fmt.Sprintf("Kerberos login failed: the KDC of %s knows no user %s (KDC_ERR_C_PRINCIPAL_UNKNOWN): check username and kerberos_realm", realm, who)
	case strings.Contains(s, "KDC_ERR_PREAUTH_FAILED"), strings.Contains(s, "KRB_AP_ERR_BAD_INTEGRITY"):
		return fmt.Sprintf("Kerberos login as %s failed: wrong password (KDC_ERR_PREAUTH_FAILED)", who)
	case strings.Contains(s, "KDC_ERR_CLIENT_REVOKED"):
		return fmt.Sprintf("Kerberos login as %s failed: the account is disabled or locked out (KDC_ERR_CLIENT_REVOKED)", who)
	case strings.Contains(s, "KDC_ERR_KEY_EXPIRED"):
		return fmt.Sprintf("Kerberos login as %s failed: the password has expired (KDC_ERR_KEY_EXPIRED)", who)
	case strings.Contains(s, "KRB_AP_ERR_SKEW"):
		return fmt.Sprintf("Kerberos login as %s failed: this machine's clock and the KDC's differ by more than the realm allows, 5 minutes in Active Directory (KRB_AP_ERR_SKEW): synchronise the clock (NTP)", who)
	case strings.Contains(s, "Networking_Error"), strings.Contains(s, "could not get") && strings.Contains(s, "KDC"):
		return fmt.Sprintf("Kerberos login as %s failed: no KDC of realm %s answered (%v): check the realm's kdc entries in %s (or DNS SRV records with dns_lookup_kdc) and that TCP/UDP port 88 of a domain controller is reachable", who, realm, err, conf)
	}
	return fmt.Sprintf("Kerberos login as %s failed: %v", who, err)
}

func serviceTicketError(spn, host string, err error) string {
	s := err.Error()
	switch {
	case strings.Contains(s, "KDC_ERR_S_PRINCIPAL_UNKNOWN"):
		return fmt.Sprintf("the KDC knows no service principal %s (KDC_ERR_S_PRINCIPAL_UNKNOWN): name the host as Active Directory knows it, its FQDN, not an IP address or a DNS alias (setspn -Q %s lists the account that has it); to connect to another address than the name's, set host_addresses; for the provider's host, kerberos_spn sets the SPN", spn, spn)
	case strings.Contains(s, "Networking_Error"):
		return fmt.Sprintf("cannot get a Kerberos service ticket for %s: no KDC answered (%v)", spn, err)
	case strings.Contains(s, "KRB_AP_ERR_SKEW"):
		return fmt.Sprintf("cannot get a Kerberos service ticket for %s: this machine's clock and the KDC's differ by more than 5 minutes (KRB_AP_ERR_SKEW): synchronise the clock (NTP)", spn)
	}
	return fmt.Sprintf("cannot get a Kerberos service ticket for %s: %v (check kerberos_spn, the realm, and that %s is the host's name in Active Directory)", spn, err, host)
}

// kerberosToken is the token of the Kerberos answer in a reply's
// WWW-Authenticate, or nil.
func kerberosToken(h http.Header) []byte {
	for _, v := range h.Values("WWW-Authenticate") {
		scheme, tok, ok := strings.Cut(strings.TrimSpace(v), " ")
		if !ok || !strings.EqualFold(scheme, "Kerberos") {
			continue
		}
		if b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(tok)); err == nil && len(b) > 0 {
			return b
		}
	}
	return nil
}

// kerberosRefused explains the 401 a host answered an AP-REQ with, from
// the KRB-ERROR it carries when it does.
func (t *transport) kerberosRefused(h http.Header) error {
	ke, ok := gsskrb5.ParseError(kerberosToken(h))
	if !ok {
		if !t.offers(h, "Kerberos") {
			return &Error{Kind: KindAuth, Host: t.host, final: true, Message: "the host does not offer Kerberos authentication (HTTP 401 without WWW-Authenticate: Kerberos): enable it (winrm set winrm/config/service/auth @{Kerberos=\"true\"}) or use auth = \"ntlm\"; Kerberos needs the host to be a domain member"}
		}
		hint := ""
		if t.cfg.HTTPS {
			hint = "; over HTTPS, a TLS-inspecting proxy between here and the host breaks the channel binding that the host's Extended Protection (CbtHardeningLevel) checks"
		}
		return &Error{Kind: KindAuth, Host: t.host, final: true, Message: fmt.Sprintf("the host refused the Kerberos ticket for %s (HTTP 401): check the SPN (kerberos_spn, default HTTP/<host>), the realm, that the clocks agree within 5 minutes, and that %s is the host's name in Active Directory%s", t.spn, t.host, hint)}
	}
	var msg string
	switch ke.Code {
	case gsskrb5.ErrSkew:
		skew := ""
		if !ke.STime.IsZero() {
			skew = fmt.Sprintf(" (its clock reads %s, this machine's %s)", ke.STime.UTC().Format(time.RFC3339), time.Now().UTC().Format(time.RFC3339))
		}
		msg = fmt.Sprintf("the host refused the Kerberos ticket: its clock and this machine's differ by more than 5 minutes%s (KRB_AP_ERR_SKEW): synchronise both with the domain's time (w32tm /resync on the host, NTP here)", skew)
	case gsskrb5.ErrModified:
		msg = fmt.Sprintf("the host cannot decrypt the ticket for %s (KRB_AP_ERR_MODIFIED): that SPN belongs to another account than the host's, or the name reaches another machine (a DNS alias, a load balancer, host_addresses); setspn -Q %s shows the account that has it", t.spn, t.spn)
	case gsskrb5.ErrNotUs:
		msg = fmt.Sprintf("the host refused the ticket for %s as issued by another realm than its domain's (KRB_AP_ERR_NOT_US): check kerberos_realm and the [domain_realm] section of krb5.conf", t.spn)
	case gsskrb5.ErrTicketExpired:
		msg = fmt.Sprintf("the host says the ticket for %s has expired (KRB_AP_ERR_TKT_EXPIRED): the host's clock is probably ahead; synchronise it, or run kinit again", t.spn)
	case gsskrb5.ErrTicketNotYet:
		msg = fmt.Sprintf("the host says the ticket for %s is not valid yet (KRB_AP_ERR_TKT_NYV): the host's clock is probably behind; synchronise it", t.spn)
	default:
		msg = fmt.Sprintf("the host refused the Kerberos ticket for %s: %v", t.spn, ke)
	}
	return &Error{Kind: KindAuth, Host: t.host, Message: msg, final: true}
}

func (t *transport) offers(h http.Header, scheme string) bool {
	for _, v := range h.Values("WWW-Authenticate") {
		if s, _, _ := strings.Cut(strings.TrimSpace(v), " "); strings.EqualFold(s, scheme) {
			return true
		}
	}
	return false
}

// krbSealer is a Kerberos context as the message framing uses it: the
// wrap token's header is the "signature".
type krbSealer struct{ s *gsskrb5.Session }

func (k krbSealer) Wrap(msg []byte) (sealed, signature []byte, err error) {
	h, d, err := k.s.Wrap(msg)
	return d, h, err
}

func (k krbSealer) Unwrap(sealed, signature []byte) ([]byte, error) {
	return k.s.Unwrap(signature, sealed)
}

// exchangeKerberos authenticates the connection once and then sends
// messages on it without credentials: sealed over HTTP, plain over HTTPS
// (where the first message travels with the AP-REQ).
func (t *transport) exchangeKerberos(ctx context.Context, pc *pconn, wait time.Duration, msg []byte) (int, []byte, error) {
	for retried := false; ; retried = true {
		if !pc.authed {
			in, err := t.krb.initiator(t.host, t.spn, pc.cbt)
			if err != nil {
				return 0, nil, err
			}
			h := http.Header{}
			h.Set("Authorization", "Kerberos "+base64.StdEncoding.EncodeToString(in.Token))
			var body []byte
			legWait := t.cfg.ResponseTimeout
			if t.cfg.HTTPS {
				body, legWait = msg, wait
			}
			status, hdr, reply, err := t.roundTrip(ctx, pc, legWait, h, soapContentType, body)
			if err != nil {
				return 0, nil, err
			}
			if status == http.StatusUnauthorized {
				pc.wrote = false // refused, not acted on
				return 0, nil, t.kerberosRefused(hdr)
			}
			sess, err := in.Complete(kerberosToken(hdr))
			if err != nil {
				pc.broken = true
				var ke *gsskrb5.KRBError
				if errors.As(err, &ke) {
					return 0, nil, t.kerberosRefused(hdr)
				}
				return 0, nil, &Error{Kind: KindAuth, Host: t.host, final: true, Message: "the host did not prove its identity (Kerberos mutual authentication failed): " + err.Error()}
			}
			pc.authed, pc.sec, pc.protocol = true, krbSealer{sess}, protocolKerberos
			if t.cfg.HTTPS {
				return status, reply, nil
			}
			if status != http.StatusOK {
				return 0, nil, &Error{Kind: KindProtocol, Host: t.host, Message: fmt.Sprintf("the host answered the Kerberos authentication with HTTP %d", status)}
			}
		}
		status, body, err := t.sendOnSession(ctx, pc, wait, msg)
		if err != nil {
			return 0, nil, err
		}
		if status == http.StatusUnauthorized && !retried {
			// The host forgot the connection's authentication: start over.
			pc.authed, pc.sec, pc.wrote = false, nil, false
			continue
		}
		return status, body, nil
	}
}
