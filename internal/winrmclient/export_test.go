package winrmclient

import (
	"context"
	"net"
	"strings"

	"github.com/masterzen/winrm"
	"github.com/masterzen/winrm/soap"
)

// SetStdinHook makes the client pass every request's stdin, and whether
// it ends the input, through f before sending it.
func SetStdinHook(cfg *Config, f func(data []byte, eof bool) ([]byte, bool)) { cfg.stdinHook = f }

// SetDialer replaces the client's TCP dialer.
func SetDialer(cfg *Config, dial func(ctx context.Context, network, addr string) (net.Conn, error)) {
	cfg.dial = dial
}

// SetPerOperationProcess makes the client start a powershell.exe for
// each operation.
func SetPerOperationProcess(cfg *Config) { cfg.perOperationProcess = true }

// Stats reports a host's HTTP requests so far.
func (c *Client) Stats(host string) (httpRequests int64) {
	c.mu.Lock()
	p := c.pools[strings.ToLower(host)]
	c.mu.Unlock()
	if p == nil {
		return 0
	}
	return p.t.exchanges.Load()
}

// RunCommand runs a cmd.exe command line through masterzen/winrm's own
// command flow, on this package's transport (interop and defect tests).
func (c *Client) RunCommand(ctx context.Context, host, command string) (stdout, stderr string, exitCode int, err error) {
	if host == "" {
		host = c.cfg.Host
	}
	wc, err := c.WinRMClient(ctx, host)
	if err != nil {
		return "", "", 0, err
	}
	stdout, stderr, exitCode, err = wc.RunWithContextWithString(ctx, command, "")
	if err != nil {
		return stdout, stderr, exitCode, asError(err, "command", host)
	}
	return stdout, stderr, exitCode, nil
}

// WinRMClient returns a masterzen/winrm client whose every request goes
// through this package's transport (installed with TransportDecorator on
// a private copy of the parameters) and is bound to ctx.
func (c *Client) WinRMClient(ctx context.Context, host string) (*winrm.Client, error) {
	p, err := c.pool(host)
	if err != nil {
		return nil, err
	}
	ep := winrm.NewEndpoint(host, c.cfg.Port, c.cfg.HTTPS, c.cfg.Insecure, c.cfg.CACert, nil, nil, 0)
	params := *p.params
	params.TransportDecorator = func() winrm.Transporter { return &ctxTransport{t: p.t, ctx: ctx} }
	return winrm.NewClientWithParameters(ep, c.cfg.Username, c.cfg.Password, &params)
}

// ctxTransport binds the transport to one call's context, which
// masterzen's Transporter interface does not carry.
type ctxTransport struct {
	t   *transport
	ctx context.Context
}

func (x *ctxTransport) Transport(*winrm.Endpoint) error { return nil }

// Post returns faults as errors; masterzen polls again on a Receive error
// that mentions OperationTimeout, as the TimedOut fault's text does.
func (x *ctxTransport) Post(_ *winrm.Client, msg *soap.SoapMessage) (string, error) {
	body, err := x.t.post(x.ctx, []byte(msg.String()))
	return string(body), err
}
