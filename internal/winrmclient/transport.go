package winrmclient

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/bodgit/ntlmssp"
	"github.com/hashicorp/go-hclog"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/gsskrb5"
)

// transport speaks HTTP to one host for the session engine; masterzen/winrm
// only builds and parses the SOAP messages (its command flow runs on this
// transport in tests only, see export_test.go). It exists to compensate
// for masterzen's transports:
//   - their Post ignores the HTTP status, so faults (quota, shell not
//     found) pass for answers and a Receive fault spins in a tight loop;
//     here every fault is an error, and Receive time-outs are told apart;
//   - NewEncryption("ntlm") uses Go's default HTTP client, so it ignores
//     the endpoint's TLS settings, CA and dialer, runs a fresh NTLM
//     handshake (4 round trips) for every message and silently falls back
//     to unencrypted NTLM when the handshake fails; here the NTLM context
//     is bound to the connection, as Windows binds it, and reused;
//   - a request in flight ignores context cancellation; here it does not.
type transport struct {
	cfg  Config
	host string
	url  string
	addr string // host:port in messages and errors
	// dialAddr is what is dialled: addr, or the address host_addresses gives.
	dialAddr string
	tlsConf  *tls.Config
	log      hclog.Logger

	slots  chan struct{} // one per connection allowed
	mu     sync.Mutex
	idle   []*pconn
	closed bool // connections are closed, not pooled

	krb *kerberosLogin // shared by the Client's transports
	spn string

	// exchanges counts HTTP requests sent (tests).
	exchanges atomic.Int64
}

// pconn is one TCP (or TLS) connection and the NTLM or Kerberos context
// bound to it.
type pconn struct {
	c   net.Conn
	tcp net.Conn // under TLS
	br  *bufio.Reader
	// sec seals messages over HTTP, for protocol (MS-WSMV 2.2.9.1).
	sec      messageSealer
	protocol string
	authed   bool
	// cbt is the channel binding of a TLS connection (RFC 5929
	// tls-server-end-point), which NTLM and Kerberos logons carry for
	// Extended Protection; nil over HTTP.
	cbt      []byte
	lastUsed time.Time
	broken   bool
	// wrote: the current message went out whole on c. Part of a request
	// is nothing the host can act on.
	wrote bool
	// watch gets the result of a read started when c went idle: it
	// returns at once when the host closes c.
	watch chan error
	// firstStatus is the status of the first answer read on c; 0 before.
	firstStatus int
}

// idleConnTimeout stays below HTTP.sys's idle connection timeout (120 s).
const idleConnTimeout = 90 * time.Second

func newTransport(c *Client, host string) *transport {
	cfg := c.cfg
	t := &transport{cfg: cfg, host: host, log: cfg.Logger.Named("http").With("host", host), krb: c.krb, spn: "HTTP/" + host}
	if cfg.Kerberos.SPN != "" && cfg.isDefaultHost(host) {
		t.spn = cfg.Kerberos.SPN
	}
	scheme := "http"
	if cfg.HTTPS {
		scheme = "https"
	}
	t.addr = net.JoinHostPort(host, strconv.Itoa(cfg.Port))
	t.url = scheme + "://" + t.addr + "/wsman"
	t.dialAddr = t.addr
	if a := cfg.addressOf(host); a != "" {
		t.dialAddr = net.JoinHostPort(a, strconv.Itoa(cfg.Port))
	}
	if cfg.HTTPS {
		t.tlsConf = c.tlsConf.Clone()
		t.tlsConf.ServerName = host
		if cfg.TLSServerName != "" && cfg.isDefaultHost(host) {
			t.tlsConf.ServerName = cfg.TLSServerName
		}
	}
	t.slots = make(chan struct{}, cfg.MaxConnectionsPerHost)
	return t
}

// post sends one SOAP message and returns the reply. Faults come back as
// *Error wrapping a *Fault. Errors are marked unsent when the host cannot
// have acted on the message.
func (t *transport) post(ctx context.Context, msg []byte) ([]byte, error) {
	select {
	case t.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, asUnsent(ctxError(ctx, "waiting for a free connection to "+t.host))
	}
	defer func() { <-t.slots }()

	action := soapAction(msg)
	pc, reused, err := t.conn(ctx)
	if err != nil {
		return nil, asUnsent(err)
	}
	start := time.Now()
	pc.wrote = false
	// A Receive may wait for output as long as its long poll lasts.
	wait := t.cfg.ResponseTimeout
	if action == "Receive" {
		wait += t.cfg.OperationTimeout
	}
	status, body, err := t.exchange(ctx, pc, wait, msg)
	opLogger(ctx, t.log).Trace("wsman exchange", "action", action, "status", status, "reply_bytes", len(body), "reused_conn", reused, "duration", time.Since(start))
	if err != nil {
		// Never resent here: the host may have acted on it (a Receive
		// consumes output, a Send delivers input). The session layer
		// decides what is safe to run again.
		pc.broken = true
		t.release(pc)
		if !reused && plainHTTPRefused(pc, err) {
			if e := t.httpsOnHTTP(ctx); e != nil {
				return nil, asUnsent(e)
			}
		}
		err = t.transportError(ctx, err)
		if reused {
			// A pooled connection that went silent (a firewall forgot
			// it) says nothing of the host: a new one may be tried.
			err = asRetryable(err)
		}
		if !pc.wrote {
			err = asUnsent(err)
		}
		return nil, err
	}
	t.release(pc)
	if !reused && plainHTTPRefused(pc, nil) {
		if e := t.httpsOnHTTP(ctx); e != nil {
			return nil, asUnsent(e)
		}
	}
	if body, err = t.checkReply(status, body, action); err != nil {
		// The host answered, and refused the message.
		return nil, asUnsent(err)
	}
	return body, nil
}

func (t *transport) checkReply(status int, body []byte, action string) ([]byte, error) {
	switch status {
	case http.StatusOK:
		return body, nil
	case http.StatusUnauthorized:
		return nil, t.authError()
	case http.StatusRequestEntityTooLarge:
		return nil, &Error{Kind: KindProtocol, Host: t.host, Message: fmt.Sprintf("the host refused a %s message as larger than its MaxEnvelopeSizekb (HTTP 413); raise it with: winrm set winrm/config @{MaxEnvelopeSizekb=\"500\"}", action)}
	}
	if f := parseFault(body); f != nil {
		return nil, f.asError(t.host)
	}
	switch status {
	case http.StatusServiceUnavailable:
		return nil, &Error{Kind: KindTransport, Host: t.host, Message: "the host answered HTTP 503 Service Unavailable (WinRM is starting, stopping or overloaded)"}
	case http.StatusUnsupportedMediaType:
		return nil, &Error{Kind: KindProtocol, Host: t.host, Message: "the host refused the message's content type (HTTP 415)"}
	case http.StatusInternalServerError:
		hint := ""
		if !t.cfg.HTTPS {
			hint = "; over HTTP this is what Windows answers when it refuses an unencrypted message (AllowUnencrypted=false): use auth = \"ntlm\" or HTTPS"
		}
		return nil, &Error{Kind: KindTransport, Host: t.host, Message: "the host answered HTTP 500 without a WS-Management fault" + hint}
	}
	return nil, &Error{Kind: KindTransport, Host: t.host, Message: fmt.Sprintf("the host answered HTTP %d %s", status, http.StatusText(status))}
}

func (t *transport) authError() error {
	var msg string
	switch t.cfg.Auth {
	case AuthBasic:
		msg = "the host refused Basic authentication (HTTP 401): check the user name and password; Basic must be enabled on the host (winrm set winrm/config/service/auth @{Basic=\"true\"}) and works only with local accounts; for a domain account use auth = \"ntlm\" or \"kerberos\""
	case AuthNTLM:
		msg = "the host refused NTLM authentication (HTTP 401): check the user name (DOMAIN\\user, user@domain or a local user) and password, and that Negotiate is enabled on the host"
		if t.cfg.HTTPS {
			msg += "; over HTTPS, a TLS-inspecting proxy between here and the host breaks the channel binding that the host's Extended Protection (CbtHardeningLevel) checks"
		}
	case AuthCertificate:
		msg = t.certRefused()
	default:
		msg = "the host refused Kerberos authentication (HTTP 401): check the realm, the SPN (default HTTP/<host>) and that the host name is the one in Active Directory"
	}
	return &Error{Kind: KindAuth, Host: t.host, Message: msg}
}

// conn returns an idle connection or dials a new one.
func (t *transport) conn(ctx context.Context) (*pconn, bool, error) {
	t.mu.Lock()
	for len(t.idle) > 0 {
		pc := t.idle[len(t.idle)-1]
		t.idle = t.idle[:len(t.idle)-1]
		if time.Since(pc.lastUsed) < idleConnTimeout && pc.alive() {
			t.mu.Unlock()
			return pc, true, nil
		}
		_ = pc.c.Close()
	}
	t.mu.Unlock()
	c, err := t.dial(ctx, t.dialAddr)
	if err != nil {
		return nil, false, err
	}
	pc := &pconn{c: c, tcp: c}
	if t.cfg.HTTPS {
		tc := tls.Client(c, t.tlsConf)
		hctx, cancel := context.WithTimeout(ctx, t.cfg.ConnectTimeout)
		err := tc.HandshakeContext(hctx)
		late := ctx.Err() == nil && timedOut(hctx, err)
		cancel()
		if err != nil {
			_ = c.Close()
			if late {
				return nil, false, t.handshakeTimeout(err)
			}
			if e := t.httpOnHTTPS(err); e != nil {
				return nil, false, e
			}
			return nil, false, t.transportError(ctx, err)
		}
		pc.c = tc
		if certs := tc.ConnectionState().PeerCertificates; len(certs) > 0 {
			pc.cbt = gsskrb5.TLSServerEndPoint(certs[0])
		}
	}
	pc.br = bufio.NewReader(pc.c)
	return pc, false, nil
}

// alive reports whether the host kept an idle connection open: the read
// started when it went idle is still waiting (a closed one got EOF).
func (pc *pconn) alive() bool {
	_ = pc.c.SetReadDeadline(time.Unix(1, 0))
	err := <-pc.watch
	_ = pc.c.SetReadDeadline(time.Time{})
	var ne net.Error
	// Buffered bytes are an unsolicited answer: the stream is out of step.
	if pc.br.Buffered() > 0 || !errors.As(err, &ne) || !ne.Timeout() {
		return false
	}
	// A close that just arrived may not have woken the watcher yet.
	return !pendingInput(pc.tcp)
}

func (t *transport) release(pc *pconn) {
	pc.lastUsed = time.Now()
	t.mu.Lock()
	if pc.broken || t.closed {
		t.mu.Unlock()
		_ = pc.c.Close()
		return
	}
	// Watch for the host closing the connection, instead of probing it
	// when it is next used (which costs a read deadline's wait).
	if pc.watch == nil {
		pc.watch = make(chan error, 1)
	}
	go func() {
		_, err := pc.br.Peek(1)
		pc.watch <- err
	}()
	t.idle = append(t.idle, pc)
	t.mu.Unlock()
}

// closeIdle closes every idle connection.
func (t *transport) closeIdle() {
	t.mu.Lock()
	idle := t.idle
	t.idle = nil
	t.mu.Unlock()
	for _, pc := range idle {
		_ = pc.c.Close()
	}
}

// shutdown closes the idle connections, and the others as they are released.
func (t *transport) shutdown() {
	t.mu.Lock()
	t.closed = true
	t.mu.Unlock()
	t.closeIdle()
}

// exchange sends msg on pc with the configured authentication and
// returns the reply's status and (unsealed) body.
func (t *transport) exchange(ctx context.Context, pc *pconn, wait time.Duration, msg []byte) (int, []byte, error) {
	switch t.cfg.Auth {
	case AuthNTLM:
		return t.exchangeNTLM(ctx, pc, wait, msg)
	case AuthKerberos:
		return t.exchangeKerberos(ctx, pc, wait, msg)
	case AuthCertificate:
		// The certificate went in the TLS handshake; every request
		// says it logs on with it (MS-WSMV: wsman:secprofile/https/mutual).
		h := http.Header{}
		h.Set("Authorization", certAuthorization)
		status, _, body, err := t.roundTrip(ctx, pc, wait, h, soapContentType, msg)
		return status, body, err
	default:
		h := http.Header{}
		h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(t.cfg.Username+":"+t.cfg.Password)))
		status, _, body, err := t.roundTrip(ctx, pc, wait, h, "application/soap+xml;charset=UTF-8", msg)
		return status, body, err
	}
}

// exchangeNTLM authenticates the connection once (NEGOTIATE, CHALLENGE,
// AUTHENTICATE) and then sends messages on it without credentials: sealed
// over HTTP, plain over HTTPS.
func (t *transport) exchangeNTLM(ctx context.Context, pc *pconn, wait time.Duration, msg []byte) (int, []byte, error) {
	for retried := false; ; retried = true {
		if !pc.authed {
			status, body, err := t.handshakeNTLM(ctx, pc, wait, msg)
			if err != nil || status != 0 {
				return status, body, err
			}
		}
		status, body, err := t.sendOnSession(ctx, pc, wait, msg)
		if err != nil {
			return 0, nil, err
		}
		if status == http.StatusUnauthorized && !retried {
			// The host forgot the connection's authentication: start over.
			// It refused the message, so that one did not count.
			pc.authed, pc.sec, pc.wrote = false, nil, false
			continue
		}
		return status, body, nil
	}
}

// handshakeNTLM runs the NTLM handshake on pc. Over HTTPS the last leg
// carries msg and its reply is returned (status != 0); over HTTP the last
// leg is empty and the caller sends msg sealed.
func (t *transport) handshakeNTLM(ctx context.Context, pc *pconn, wait time.Duration, msg []byte) (int, []byte, error) {
	user, domain := splitNTLMUser(t.cfg.Username)
	cl, err := ntlmssp.NewClient(ntlmssp.SetUserInfo(user, t.cfg.Password), ntlmssp.SetDomain(domain), ntlmssp.SetVersion(ntlmssp.DefaultVersion()))
	if err != nil {
		return 0, nil, &Error{Kind: KindAuth, Host: t.host, Message: "cannot start NTLM: " + err.Error()}
	}
	negotiate, err := cl.Authenticate(nil, nil)
	if err != nil {
		return 0, nil, &Error{Kind: KindAuth, Host: t.host, Message: "cannot build the NTLM NEGOTIATE message: " + err.Error()}
	}
	h := http.Header{}
	h.Set("Authorization", "Negotiate "+base64.StdEncoding.EncodeToString(negotiate))
	status, hdr, _, err := t.roundTrip(ctx, pc, t.cfg.ResponseTimeout, h, "application/soap+xml;charset=UTF-8", nil)
	if err != nil {
		return 0, nil, err
	}
	challenge := ntlmChallenge(hdr)
	if status != http.StatusUnauthorized || challenge == nil {
		if status == http.StatusUnauthorized {
			return 0, nil, &Error{Kind: KindAuth, Host: t.host, Message: "the host does not offer Negotiate/NTLM authentication (winrm set winrm/config/service/auth @{Negotiate=\"true\"})"}
		}
		return 0, nil, &Error{Kind: KindProtocol, Host: t.host, Message: fmt.Sprintf("the host answered the NTLM NEGOTIATE with HTTP %d instead of a challenge", status)}
	}
	var bindings *ntlmssp.ChannelBindings
	if pc.cbt != nil {
		bindings = &ntlmssp.ChannelBindings{ApplicationData: pc.cbt}
	}
	authenticate, err := cl.Authenticate(challenge, bindings)
	if err != nil {
		return 0, nil, &Error{Kind: KindAuth, Host: t.host, Message: "cannot answer the host's NTLM challenge: " + err.Error()}
	}
	h = http.Header{}
	h.Set("Authorization", "Negotiate "+base64.StdEncoding.EncodeToString(authenticate))
	var body []byte
	if t.cfg.HTTPS {
		body = msg
	} else {
		wait = t.cfg.ResponseTimeout
	}
	status, _, reply, err := t.roundTrip(ctx, pc, wait, h, "application/soap+xml;charset=UTF-8", body)
	if err != nil {
		return 0, nil, err
	}
	if status == http.StatusUnauthorized {
		return 0, nil, t.authError()
	}
	pc.authed = true
	if sec := cl.SecuritySession(); sec != nil {
		pc.sec, pc.protocol = sec, protocolSPNEGO
	}
	if t.cfg.HTTPS {
		return status, reply, nil
	}
	if status != http.StatusOK {
		return 0, nil, &Error{Kind: KindProtocol, Host: t.host, Message: fmt.Sprintf("the host answered the NTLM AUTHENTICATE with HTTP %d", status)}
	}
	if pc.sec == nil {
		return 0, nil, &Error{Kind: KindAuth, Host: t.host, Message: "NTLM did not negotiate message encryption, which Windows requires over HTTP; use HTTPS"}
	}
	return 0, nil, nil
}

// sendOnSession sends msg on an authenticated connection: sealed over
// HTTP, as is over HTTPS.
func (t *transport) sendOnSession(ctx context.Context, pc *pconn, wait time.Duration, msg []byte) (int, []byte, error) {
	if pc.sec == nil || t.cfg.HTTPS {
		status, _, body, err := t.roundTrip(ctx, pc, wait, nil, soapContentType, msg)
		return status, body, err
	}
	sealed, err := sealMessage(pc.sec, pc.protocol, msg)
	if err != nil {
		return 0, nil, err
	}
	status, hdr, body, err := t.roundTrip(ctx, pc, wait, nil, encryptedContentType(pc.protocol), sealed)
	if err == nil && isEncryptedType(hdr.Get("Content-Type"), pc.protocol) {
		body, err = unsealMessage(pc.sec, body)
	}
	return status, body, err
}

// splitNTLMUser: DOMAIN\user gives the domain separately; user@domain
// (a UPN) and plain names go as they are.
func splitNTLMUser(name string) (user, domain string) {
	if d, u, ok := strings.Cut(name, `\`); ok {
		return u, d
	}
	return name, ""
}

func ntlmChallenge(h http.Header) []byte {
	for _, v := range h.Values("WWW-Authenticate") {
		scheme, tok, ok := strings.Cut(strings.TrimSpace(v), " ")
		if !ok || (!strings.EqualFold(scheme, "Negotiate") && !strings.EqualFold(scheme, "NTLM")) {
			continue
		}
		if b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(tok)); err == nil && len(b) > 0 {
			return b
		}
	}
	return nil
}

// roundTrip writes one HTTP request on pc and reads the reply, within
// wait. The context interrupts both, even in the middle of a long poll.
func (t *transport) roundTrip(ctx context.Context, pc *pconn, wait time.Duration, h http.Header, contentType string, body []byte) (int, http.Header, []byte, error) {
	if err := ctx.Err(); err != nil {
		return 0, nil, nil, err
	}
	// The context's end interrupts the exchange through stop, after its
	// Err is set, so that it is told apart from the exchange's deadline.
	_ = pc.c.SetDeadline(time.Now().Add(wait))
	stop := context.AfterFunc(ctx, func() { _ = pc.c.SetDeadline(time.Unix(1, 0)) })
	defer func() {
		// Too late to stop: its deadline may land on c once pooled.
		if !stop() {
			pc.broken = true
		}
	}()

	req, err := http.NewRequest(http.MethodPost, t.url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, err
	}
	for k, v := range h {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("User-Agent", "terraform-provider-rdslicensing")
	req.ContentLength = int64(len(body))
	if len(body) == 0 {
		req.Body = http.NoBody
	}
	t.exchanges.Add(1)
	if op, ok := ctx.Value(opKey{}).(*opState); ok {
		op.requests.Add(1)
	}
	if err := req.Write(pc.c); err != nil {
		return 0, nil, nil, t.exchangeError(ctx, wait, err)
	}
	pc.wrote = pc.wrote || len(body) > 0 // only handshake legs are empty
	resp, err := http.ReadResponse(pc.br, req)
	if err != nil {
		return 0, nil, nil, t.exchangeError(ctx, wait, err)
	}
	if pc.firstStatus == 0 {
		pc.firstStatus = resp.StatusCode
	}
	reply, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return 0, nil, nil, t.exchangeError(ctx, wait, err)
	}
	if resp.Close {
		pc.broken = true
	}
	_ = pc.c.SetDeadline(time.Time{})
	return resp.StatusCode, resp.Header, reply, nil
}

// exchangeError is the error of a failed write or read: the context's
// when it ended, the exchange's own time-out, or err.
func (t *transport) exchangeError(ctx context.Context, wait time.Duration, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return t.responseTimeout(wait, err)
	}
	return err
}

func isStaleConn(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// transportError turns network and TLS failures into errors that say
// what to check.
func (t *transport) transportError(ctx context.Context, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	if ctx.Err() != nil {
		return ctxError(ctx, "talking to "+t.host)
	}
	msg := err.Error()
	var (
		unknownCA x509.UnknownAuthorityError
		hostErr   x509.HostnameError
		opErr     *net.OpError
		dnsErr    *net.DNSError
	)
	switch {
	case errors.As(err, &unknownCA):
		msg = fmt.Sprintf("the certificate of %s is not signed by a trusted authority: set ca_cert to the PEM certificate of the CA that signed the WinRM HTTPS listener's certificate (for a self-signed certificate, the certificate itself), or insecure = true in a lab", t.addr)
	case errors.As(err, &hostErr):
		msg = fmt.Sprintf("the certificate of %s is not valid for %q (%v): connect with the name in the certificate, or for the provider's host set tls_server_name", t.addr, t.tlsConf.ServerName, hostErr.Error())
	case errors.As(err, &dnsErr):
		msg = fmt.Sprintf("cannot resolve %s: %v", t.host, dnsErr.Err)
	case errors.Is(err, syscall.ECONNREFUSED):
		msg = fmt.Sprintf("connection to %s refused: no WinRM listener on port %d (check with: winrm enumerate winrm/config/listener), a firewall rejects it, or the host is restarting", t.addr, t.cfg.Port)
	case errors.As(err, &opErr) && opErr.Timeout() && opErr.Op == "dial":
		msg = fmt.Sprintf("timed out connecting to %s: the host is down, a firewall drops the traffic, or the port is wrong", t.addr)
	case errors.As(err, &opErr) && opErr.Timeout():
		msg = fmt.Sprintf("timed out waiting for %s to answer: the host or the network stalled in the middle of an exchange", t.addr)
	case isStaleConn(err):
		msg = fmt.Sprintf("the connection to %s was closed before the host answered (the host restarted, a proxy cut it, or WinRM crashed)", t.addr)
	}
	final := errors.As(err, &unknownCA) || errors.As(err, &hostErr) || errors.As(err, &dnsErr)
	return &Error{Kind: KindTransport, Host: t.host, Message: msg, cause: err, final: final}
}

func ctxError(ctx context.Context, what string) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &Error{Kind: KindTimeout, Message: "timed out " + what, cause: ctx.Err()}
	}
	return &Error{Kind: KindCanceled, Message: "canceled while " + what, cause: ctx.Err()}
}

// The sealed message framing of MS-WSMV 2.2.9.1: the Negotiate scheme's
// protocol (NTLM) and the Kerberos scheme's.
const (
	soapContentType  = "application/soap+xml;charset=UTF-8"
	protocolSPNEGO   = "application/HTTP-SPNEGO-session-encrypted"
	protocolKerberos = "application/HTTP-Kerberos-session-encrypted"
	mimeBoundary     = "--Encrypted Boundary"
)

// messageSealer is a connection's security context: NTLM's
// (*ntlmssp.SecuritySession) or Kerberos' (krbSealer).
type messageSealer interface {
	Wrap(msg []byte) (sealed, signature []byte, err error)
	Unwrap(sealed, signature []byte) ([]byte, error)
}

func encryptedContentType(protocol string) string {
	return `multipart/encrypted;protocol="` + protocol + `";boundary="Encrypted Boundary"`
}

func isEncryptedType(ct, protocol string) bool {
	return strings.Contains(ct, `protocol="`+protocol+`"`)
}

func sealMessage(sec messageSealer, protocol string, msg []byte) ([]byte, error) {
	sealed, sig, err := sec.Wrap(msg)
	if err != nil {
		return nil, &Error{Kind: KindProtocol, Message: "cannot seal the message: " + err.Error()}
	}
	var b bytes.Buffer
	b.WriteString(mimeBoundary + "\r\n")
	b.WriteString("\tContent-Type: " + protocol + "\r\n")
	b.WriteString("\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=" + strconv.Itoa(len(msg)) + "\r\n")
	b.WriteString(mimeBoundary + "\r\n")
	b.WriteString("\tContent-Type: application/octet-stream\r\n")
	_ = binary.Write(&b, binary.LittleEndian, uint32(len(sig)))
	b.Write(sig)
	b.Write(sealed)
	b.WriteString(mimeBoundary + "--\r\n")
	return b.Bytes(), nil
}

func unsealMessage(sec messageSealer, body []byte) ([]byte, error) {
	bad := func(why string) error {
		return &Error{Kind: KindProtocol, Message: "cannot read the host's encrypted reply: " + why}
	}
	const octet = "Content-Type: application/octet-stream\r\n"
	i := bytes.Index(body, []byte("Length="))
	j := bytes.Index(body, []byte(octet))
	if i < 0 || j < 0 || j < i {
		return nil, bad("no encrypted part")
	}
	lenText := body[i+len("Length="):]
	if k := bytes.IndexAny(lenText, "\r\n;"); k >= 0 {
		lenText = lenText[:k]
	}
	want, err := strconv.Atoi(strings.TrimSpace(string(lenText)))
	if err != nil {
		return nil, bad("bad Length")
	}
	payload := body[j+len(octet):]
	if k := bytes.LastIndex(payload, []byte(mimeBoundary+"--")); k >= 0 {
		payload = payload[:k]
	}
	if len(payload) < 4 {
		return nil, bad("truncated")
	}
	sigLen := int(binary.LittleEndian.Uint32(payload[:4]))
	if sigLen <= 0 || 4+sigLen > len(payload) {
		return nil, bad("bad signature length")
	}
	plain, err := sec.Unwrap(payload[4+sigLen:], payload[4:4+sigLen])
	if err != nil {
		return nil, bad(err.Error())
	}
	if len(plain) != want {
		return nil, bad(fmt.Sprintf("length %d, expected %d", len(plain), want))
	}
	return plain, nil
}
