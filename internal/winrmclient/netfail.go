package winrmclient

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"
)

// Failures to reach a host's WinRM listener, each bounded in time and
// told apart: what timed out (connecting, the TLS handshake, an answer),
// and a port that speaks the other protocol than the one configured.

// Default ports of WinRM's listeners.
const (
	defaultHTTPPort  = 5985
	defaultHTTPSPort = 5986
)

// dial connects to addr within ConnectTimeout.
func (t *transport) dial(ctx context.Context, addr string) (net.Conn, error) {
	dctx, cancel := context.WithTimeout(ctx, t.cfg.ConnectTimeout)
	defer cancel()
	c, err := t.dialer()(dctx, "tcp", addr)
	switch {
	case err == nil:
		return c, nil
	case ctx.Err() == nil && timedOut(dctx, err):
		return nil, t.netError(err, fmt.Sprintf(
			"timed out connecting to %s (connect_timeout %s): nothing answered. The host is down or unreachable, a firewall drops traffic to TCP port %d, or the name resolves to another address; check with: Test-NetConnection %s -Port %d",
			t.addr, t.cfg.ConnectTimeout, t.cfg.Port, t.host, t.cfg.Port))
	case errors.Is(err, syscall.ECONNREFUSED) && ctx.Err() == nil:
		return nil, t.refused(ctx, err)
	}
	return nil, t.transportError(ctx, err)
}

// timedOut: err ended a step bounded by ctx's deadline, as ctx says or
// as the network call saw it first.
func timedOut(ctx context.Context, err error) bool {
	var ne net.Error
	return errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

func (t *transport) dialer() func(ctx context.Context, network, addr string) (net.Conn, error) {
	if t.cfg.dial != nil {
		return t.cfg.dial
	}
	return (&net.Dialer{KeepAlive: 30 * time.Second}).DialContext
}

// netError is a failure that trying again soon cannot fix.
func (t *transport) netError(cause error, msg string) *Error {
	return &Error{Kind: KindTransport, Host: t.host, Message: msg, cause: cause, final: true}
}

// handshakeTimeout: the port took the connection and said nothing.
func (t *transport) handshakeTimeout(cause error) error {
	return t.netError(cause, fmt.Sprintf(
		"%s accepted the connection, but the TLS handshake timed out (connect_timeout %s): check that port %d is the host's WinRM HTTPS listener (winrm enumerate winrm/config/listener), that the WinRM service runs, and that no firewall or proxy in between holds the connection open",
		t.addr, t.cfg.ConnectTimeout, t.cfg.Port))
}

// responseTimeout: a request went out and no answer came within wait.
// The phrase "timed out waiting for" tells it from failing to connect.
func (t *transport) responseTimeout(wait time.Duration, cause error) error {
	limit := fmt.Sprintf("response_timeout %s", wait)
	if wait > t.cfg.ResponseTimeout {
		limit = fmt.Sprintf("%s: the long poll's %s plus response_timeout %s", wait, t.cfg.OperationTimeout, t.cfg.ResponseTimeout)
	}
	return t.netError(cause, fmt.Sprintf(
		"timed out waiting for %s to answer (%s): the connection is open but no answer came. Check that port %d is the host's WinRM listener (winrm enumerate winrm/config/listener) and not another service, that the WinRM service runs (Get-Service WinRM), and that no firewall or proxy in between holds the connection; for a host that is merely slow, raise response_timeout",
		t.addr, limit, t.cfg.Port))
}

// httpOnHTTPS explains a TLS handshake that got something else than TLS
// back; nil for other failures.
func (t *transport) httpOnHTTPS(err error) error {
	var rh tls.RecordHeaderError
	if !errors.As(err, &rh) {
		return nil
	}
	if bytes.HasPrefix(rh.RecordHeader[:], []byte("HTTP/")) {
		return t.netError(err, fmt.Sprintf(
			"port %d of %s speaks HTTP, not HTTPS: it answered the TLS handshake with an HTTP response: set https = false to use that listener (auth = \"ntlm\" encrypts every message over HTTP), or set port to the host's HTTPS listener (%d by default; winrm enumerate winrm/config/listener lists them)",
			t.cfg.Port, t.host, defaultHTTPSPort))
	}
	return t.netError(err, fmt.Sprintf(
		"port %d of %s does not speak TLS (its first answer is not a TLS record): check that port is the host's WinRM HTTPS listener (winrm enumerate winrm/config/listener)",
		t.cfg.Port, t.host))
}

// plainHTTPRefused: how an HTTPS port treats plain HTTP on a new
// connection, the first answer a 400 or none (cut off).
func plainHTTPRefused(pc *pconn, err error) bool {
	return pc.firstStatus == http.StatusBadRequest || (err != nil && pc.firstStatus == 0 && isStaleConn(err))
}

// httpsOnHTTP checks, after plain HTTP got no answer or a 400 on a new
// connection, whether the port speaks TLS; nil when it does not.
func (t *transport) httpsOnHTTP(ctx context.Context) error {
	if t.cfg.HTTPS || !t.speaksTLS(ctx, t.addr) {
		return nil
	}
	return t.netError(nil, fmt.Sprintf(
		"port %d of %s speaks HTTPS, not HTTP: set https = true to use that listener (with ca_cert, or insecure = true in a lab), or set port to the host's HTTP listener (%d by default; winrm enumerate winrm/config/listener lists them)",
		t.cfg.Port, t.host, defaultHTTPPort))
}

// speaksTLS reports whether a TLS server answers on addr. Only the
// protocol matters here: the certificate is not checked, and nothing is
// sent after the handshake.
func (t *transport) speaksTLS(ctx context.Context, addr string) bool {
	ctx, cancel := context.WithTimeout(ctx, t.cfg.ConnectTimeout)
	defer cancel()
	c, err := t.dialer()(ctx, "tcp", addr)
	if err != nil {
		return false
	}
	defer func() { _ = c.Close() }()
	tc := tls.Client(c, &tls.Config{InsecureSkipVerify: true, ServerName: t.tlsServerName()}) //nolint:gosec // a probe: no data is exchanged
	err = tc.HandshakeContext(ctx)
	var alert tls.AlertError
	return err == nil || errors.As(err, &alert)
}

func (t *transport) tlsServerName() string {
	if t.tlsConf != nil {
		return t.tlsConf.ServerName
	}
	return t.host
}

// refused explains a refused connection. When the port of the other
// listener (5985 for HTTPS, 5986 for HTTP) takes connections, the host
// most likely has only that one.
func (t *transport) refused(ctx context.Context, cause error) error {
	other, https, scheme := defaultHTTPPort, false, "HTTP"
	if !t.cfg.HTTPS {
		other, https, scheme = defaultHTTPSPort, true, "HTTPS"
	}
	if other != t.cfg.Port && t.accepts(ctx, net.JoinHostPort(t.host, strconv.Itoa(other))) {
		hint := ""
		if !https {
			hint = " (auth = \"ntlm\" encrypts every message over HTTP)"
		}
		return t.netError(cause, fmt.Sprintf(
			"connection to %s refused: nothing listens on port %d, but port %d, WinRM's default %s port, takes connections, so the host probably has only its %s listener. Set https = %t and port = %d%s, or create the listener you configured (winrm enumerate winrm/config/listener lists them)",
			t.addr, t.cfg.Port, other, scheme, scheme, https, other, hint))
	}
	return &Error{Kind: KindTransport, Host: t.host, cause: cause, Message: fmt.Sprintf(
		"connection to %s refused: no WinRM listener on port %d (check with: winrm enumerate winrm/config/listener), a firewall rejects it, or the host is restarting",
		t.addr, t.cfg.Port)}
}

// accepts reports whether addr takes TCP connections.
func (t *transport) accepts(ctx context.Context, addr string) bool {
	ctx, cancel := context.WithTimeout(ctx, t.cfg.ConnectTimeout)
	defer cancel()
	c, err := t.dialer()(ctx, "tcp", addr)
	if err != nil {
		return false
	}
	_ = c.Close()
	return true
}
