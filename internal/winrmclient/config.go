package winrmclient

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
)

// Auth schemes.
const (
	AuthBasic       = "basic"
	AuthNTLM        = "ntlm"
	AuthKerberos    = "kerberos"
	AuthCertificate = "certificate"
)

// Config is how to reach hosts. One Config serves every host a Client
// talks to: Run names the host, the rest is shared.
type Config struct {
	// Host is the default host, used when Run is given "".
	Host  string
	Port  int // 0: 5986 with HTTPS, 5985 without
	HTTPS bool
	// Insecure skips verification of the host's certificate.
	Insecure bool
	// CACert is PEM; it replaces the system roots when set.
	CACert []byte
	// TLSServerName is the name to verify Host's certificate against;
	// other hosts are verified against their own names.
	TLSServerName string

	Username string
	Password string
	// ClientCert and ClientKey (PEM) log on with AuthCertificate.
	ClientCert []byte
	ClientKey  []byte

	// Auth is basic, ntlm, kerberos or certificate. NTLM and Kerberos over HTTP seal
	// every message (what Windows requires by default); over HTTPS TLS
	// protects them.
	Auth     string
	Kerberos KerberosConfig
	// AllowUnencrypted lets Basic run over plain HTTP, where messages and
	// the password cross the network in clear. The host must allow it too
	// (AllowUnencrypted=true).
	AllowUnencrypted bool
	// Addresses maps host names to the address to connect to, as a hosts
	// file would; the name still picks the Kerberos SPN and the
	// certificate name.
	Addresses map[string]string

	// Timeout bounds each operation unless its context ends sooner.
	Timeout time.Duration
	// ConnectTimeout bounds connecting to a host, and on its own the TLS
	// handshake: a host that is down, or accepts connections and never
	// answers, is reported within it instead of at Timeout.
	ConnectTimeout time.Duration
	// ResponseTimeout bounds each HTTP exchange: sending one message and
	// reading the answer. A Receive may wait OperationTimeout longer (the
	// host holds it until output comes or its long poll ends).
	ResponseTimeout time.Duration
	// MaxConnectionsPerHost bounds the HTTP connections, and so the
	// operations running at once, per host.
	MaxConnectionsPerHost int
	// OperationTimeout is the WS-Management long-poll window of Receive.
	OperationTimeout time.Duration
	// SessionIdleTimeout closes a host's idle shells after this long.
	SessionIdleTimeout time.Duration
	// Library is the domain's PowerShell and error kinds.
	Library Library
	// Logger receives the client's logs (secrets masked); nil discards.
	Logger hclog.Logger
	// Set by tests only (export_test.go): dial replaces the TCP dialer,
	// stdinHook rewrites a request's stdin, and perOperationProcess
	// starts a powershell.exe per operation instead of reusing one per
	// shell (4 round trips instead of 2, plus the start-up), which
	// BenchmarkOperation compares.
	dial                func(ctx context.Context, network, addr string) (net.Conn, error)
	stdinHook           func(data []byte, eof bool) ([]byte, bool)
	perOperationProcess bool
}

// Library is what a domain adds to the prelude: PowerShell every operation
// may call, sent once per process after the prelude and run in its scope,
// and the error kinds its scripts report besides ScriptKinds. The script
// adds those kinds to the prelude's $RdslKinds, and may give a
// CimException's NativeErrorCode a meaning of its domain in $RdslCimKinds.
type Library struct {
	Script string
	Kinds  []Kind
}

// KerberosConfig holds the Kerberos settings.
type KerberosConfig struct {
	Realm string
	// Krb5Conf is the path of a krb5.conf; empty means /etc/krb5.conf.
	Krb5Conf string
	// SPN is Host's service principal; empty, and for other hosts, it is
	// HTTP/<host>.
	SPN string
}

// Defaults.
const (
	DefaultTimeout               = 10 * time.Minute
	DefaultMaxConnectionsPerHost = 4
	DefaultOperationTimeout      = 20 * time.Second
	DefaultSessionIdleTimeout    = 2 * time.Minute
	// A dead host is reported within 30 s whichever way it is dead:
	// connecting, the TLS handshake and an answer are bounded separately.
	DefaultConnectTimeout  = 10 * time.Second
	DefaultResponseTimeout = 20 * time.Second
)

// ConfigError names the setting at fault; the provider maps Field to its
// attribute and environment variable.
type ConfigError struct {
	Field   string
	Message string
}

func (e *ConfigError) Error() string { return e.Field + ": " + e.Message }

// normalize fills defaults and checks the configuration.
func (c Config) normalize() (Config, error) {
	c.Host = NormalizeHost(c.Host)
	c.Auth = strings.ToLower(strings.TrimSpace(c.Auth))
	if c.Auth == "" {
		c.Auth = AuthBasic
	}
	switch c.Auth {
	case AuthBasic, AuthNTLM, AuthKerberos, AuthCertificate:
	default:
		return c, &ConfigError{"auth", fmt.Sprintf("%q is not one of basic, ntlm, kerberos, certificate", c.Auth)}
	}
	if c.Auth == AuthCertificate {
		if err := c.checkClientCert(time.Now()); err != nil {
			return c, err
		}
	}
	if c.Port == 0 {
		c.Port = 5985
		if c.HTTPS {
			c.Port = 5986
		}
	}
	if c.Port < 1 || c.Port > 65535 {
		return c, &ConfigError{"port", fmt.Sprintf("%d is not a TCP port (1-65535)", c.Port)}
	}
	if c.Username == "" && c.Auth != AuthCertificate {
		return c, &ConfigError{"username", "is required"}
	}
	if c.Password == "" && c.Auth != AuthKerberos && c.Auth != AuthCertificate {
		return c, &ConfigError{"password", "is required"}
	}
	if !c.HTTPS && !c.AllowUnencrypted {
		switch c.Auth {
		case AuthBasic:
			return c, &ConfigError{"auth", "basic authentication over HTTP sends the password in clear text; use https = true, or auth = \"ntlm\" (which encrypts every message), or set allow_unencrypted = true to accept the risk"}
		}
	}
	if c.Auth == AuthKerberos && c.Kerberos.Realm == "" {
		return c, &ConfigError{"kerberos_realm", "is required with auth = \"kerberos\" (the Active Directory domain in capitals, e.g. CONTOSO.COM)"}
	}
	for name, a := range c.Addresses {
		if _, _, err := net.SplitHostPort(a); err == nil || strings.TrimSpace(a) == "" || strings.ContainsAny(a, " /") {
			return c, &ConfigError{"host_addresses", fmt.Sprintf("the address of %q is %q: give an IP address or a host name, without port (the port setting applies)", name, a)}
		}
	}
	if len(c.CACert) > 0 && !x509.NewCertPool().AppendCertsFromPEM(c.CACert) {
		return c, &ConfigError{"ca_cert", "holds no PEM certificate"}
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.ConnectTimeout <= 0 {
		c.ConnectTimeout = DefaultConnectTimeout
	}
	if c.ResponseTimeout <= 0 {
		c.ResponseTimeout = DefaultResponseTimeout
	}
	if c.MaxConnectionsPerHost <= 0 {
		c.MaxConnectionsPerHost = DefaultMaxConnectionsPerHost
	}
	if c.OperationTimeout <= 0 {
		c.OperationTimeout = DefaultOperationTimeout
	}
	if c.SessionIdleTimeout <= 0 {
		c.SessionIdleTimeout = DefaultSessionIdleTimeout
	}
	if c.Logger == nil {
		c.Logger = hclog.NewNullLogger()
	}
	return c, nil
}

// checkClientCert checks the certificate logon's settings: HTTPS, a
// certificate and its key, valid now.
func (c Config) checkClientCert(now time.Time) error {
	if !c.HTTPS {
		return &ConfigError{"auth", "certificate logons need HTTPS (https = true): the certificate is presented in the TLS handshake"}
	}
	switch {
	case len(c.ClientCert) == 0:
		return &ConfigError{"client_cert", "is required with auth = \"certificate\" (the PEM certificate mapped to an account on the hosts)"}
	case len(c.ClientKey) == 0:
		return &ConfigError{"client_key", "is required with auth = \"certificate\" (the PEM private key of client_cert)"}
	}
	pair, err := tls.X509KeyPair(c.ClientCert, c.ClientKey)
	if err != nil {
		return &ConfigError{"client_cert", fmt.Sprintf("and client_key do not make a certificate and its key: %v", err)}
	}
	cert, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		return &ConfigError{"client_cert", fmt.Sprintf("cannot be read: %v", err)}
	}
	switch {
	case now.After(cert.NotAfter):
		return &ConfigError{"client_cert", fmt.Sprintf("expired on %s: issue a new certificate (and map it on the hosts if its issuer or name changes)", cert.NotAfter.UTC().Format(time.DateOnly))}
	case now.Before(cert.NotBefore):
		return &ConfigError{"client_cert", fmt.Sprintf("is not valid before %s", cert.NotBefore.UTC().Format(time.RFC3339))}
	}
	return nil
}

// addressOf is the address host_addresses gives host, or "".
func (c Config) addressOf(host string) string {
	for name, a := range c.Addresses {
		if strings.EqualFold(name, host) {
			return a
		}
	}
	return ""
}

// NormalizeHost removes the brackets around an IPv6 address ("[::1]"):
// URLs need them, a host name does not, and the client adds them.
func NormalizeHost(h string) string {
	h = strings.TrimSpace(h)
	if len(h) > 2 && h[0] == '[' && h[len(h)-1] == ']' {
		if ip, err := netip.ParseAddr(h[1 : len(h)-1]); err == nil && ip.Is6() {
			return h[1 : len(h)-1]
		}
	}
	return h
}

// isDefaultHost: settings that name one host (TLSServerName, Kerberos.SPN)
// apply to Host only, as one Config serves every host.
func (c Config) isDefaultHost(host string) bool { return strings.EqualFold(host, c.Host) }

// isoDuration writes d as the ISO 8601 duration WS-Management expects.
func isoDuration(d time.Duration) string {
	return fmt.Sprintf("PT%.3fS", d.Seconds())
}
