// Package winrmclient is the only code that speaks WinRM. It runs named
// PowerShell operations on Windows hosts: each operation's script and its
// JSON input travel on stdin behind a small constant bootstrap command, and
// one JSON envelope comes back. Shells, processes and connections are
// pooled per host.
package winrmclient

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/masterzen/winrm"
)

// Client runs operations on any number of hosts with one configuration.
// It is safe for concurrent use.
type Client struct {
	cfg Config
	// Built once for every host.
	krb         *kerberosLogin
	tlsConf     *tls.Config // without ServerName
	params      *winrm.Parameters
	preludeLine string
	stdinHead   stdinHead

	mu       sync.Mutex
	pools    map[string]*hostPool
	closed   bool
	stop     chan struct{}
	cleanups sync.WaitGroup // background work Close waits for
}

// hostPool holds one host's transport and idle sessions.
type hostPool struct {
	c           *Client
	host        string
	t           *transport
	params      *winrm.Parameters
	preludeLine string
	stdinHead   *stdinHead
	slots       chan struct{}
	log         hclog.Logger // outside operations

	mu     sync.Mutex
	idle   []*session
	closed bool // sessions are closed, not pooled
}

// New checks the configuration and returns a client. It does not connect.
func New(cfg Config) (*Client, error) {
	cfg, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	c := &Client{cfg: cfg, krb: &kerberosLogin{cfg: cfg}, pools: map[string]*hostPool{}, stop: make(chan struct{}),
		// A private copy: winrm.DefaultParameters is a package-level pointer.
		params:      winrm.NewParameters(isoDuration(cfg.OperationTimeout), "en-US", 153600),
		preludeLine: preludeFor(cfg.Library.Script),
	}
	c.stdinHead = newStdinHead(c.preludeLine)
	if cfg.HTTPS {
		c.tlsConf = &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: cfg.Insecure} //nolint:gosec // the user's explicit choice
		if len(cfg.CACert) > 0 {
			c.tlsConf.RootCAs = x509.NewCertPool()
			c.tlsConf.RootCAs.AppendCertsFromPEM(cfg.CACert)
		}
		if cfg.Auth == AuthCertificate {
			pair, err := tls.X509KeyPair(cfg.ClientCert, cfg.ClientKey) // checked by normalize
			if err != nil {
				return nil, &ConfigError{"client_cert", err.Error()}
			}
			c.tlsConf.Certificates = []tls.Certificate{pair}
		}
	}
	go c.janitor()
	return c, nil
}

type (
	loggerKey struct{}
	opKey     struct{}
)

// opState is what an operation's context carries down to the transport.
type opState struct {
	log      hclog.Logger // masked, with the host and the operation
	requests atomic.Int64 // HTTP requests sent
}

// opLogger is the logger of the operation ctx belongs to, if any.
func opLogger(ctx context.Context, fallback hclog.Logger) hclog.Logger {
	if op, ok := ctx.Value(opKey{}).(*opState); ok {
		return op.log
	}
	return fallback
}

// WithLogger returns a context whose operations log to l instead of the
// configured logger (the provider passes a per-request tflog adapter).
func WithLogger(ctx context.Context, l hclog.Logger) context.Context {
	return context.WithValue(ctx, loggerKey{}, l)
}

func (c *Client) logger(ctx context.Context) hclog.Logger {
	if l, ok := ctx.Value(loggerKey{}).(hclog.Logger); ok && l != nil {
		return l
	}
	return c.cfg.Logger
}

// DefaultHost is the configured default host.
func (c *Client) DefaultHost() string { return c.cfg.Host }

func (c *Client) pool(host string) (*hostPool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, &Error{Kind: KindCanceled, Host: host, Message: "the client is closed"}
	}
	key := strings.ToLower(host)
	if p, ok := c.pools[key]; ok {
		return p, nil
	}
	p := &hostPool{c: c, host: host, t: newTransport(c, host), params: c.params, preludeLine: c.preludeLine, stdinHead: &c.stdinHead,
		slots: make(chan struct{}, c.cfg.MaxConnectionsPerHost), log: c.cfg.Logger.With("host", host)}
	c.pools[key] = p
	return p, nil
}

// Run runs op on host ("" for the default host) with input in and decodes
// its result into out (a pointer, or nil to discard it).
func (c *Client) Run(ctx context.Context, host string, operation Operation, in, out any) error {
	if host = NormalizeHost(host); host == "" {
		host = c.cfg.Host
	}
	if host == "" {
		return &Error{Kind: KindInvalidInput, Operation: operation.Name, Message: "no host: set the provider's host or the resource's host"}
	}
	masker := newMasker(c.cfg.Password, in)
	log := maskLogger(c.logger(ctx), masker).With("host", host, "operation", operation.Name)
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	op := &opState{log: log}
	ctx = context.WithValue(ctx, opKey{}, op)

	input, err := json.Marshal(in)
	if err != nil {
		return &Error{Kind: KindInvalidInput, Operation: operation.Name, Host: host, Message: "cannot encode the input: " + err.Error()}
	}
	p, err := c.pool(host)
	if err != nil {
		return err
	}
	start := time.Now()
	env, err := p.run(ctx, operation, input)
	fields := []any{"duration", time.Since(start).Round(time.Millisecond), "http_requests", op.requests.Load()}
	if err != nil {
		e := asError(err, operation.Name, host)
		e.Message = masker.mask(e.Message)
		log.Debug("operation failed", append(fields, "kind", string(e.Kind), "error", e.Message)...)
		return e
	}
	if !env.OK {
		e := &Error{Kind: Kind(env.Error.Kind), Message: masker.mask(env.Error.Message), Code: env.Error.Code, Operation: operation.Name, Host: host}
		if !c.scriptKind(e.Kind) {
			e.Message = fmt.Sprintf("unknown error kind %q: %s", e.Kind, e.Message)
			e.Kind = KindScriptError
		}
		log.Debug("operation failed", append(fields, "kind", string(e.Kind), "error", e.Message)...)
		return e
	}
	log.Debug("operation done", fields...)
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(env.Result, out); err != nil {
		return &Error{Kind: KindProtocol, Operation: operation.Name, Host: host, Message: "the result does not match the expected shape: " + err.Error()}
	}
	return nil
}

func asError(err error, op, host string) *Error {
	var e *Error
	if errors.As(err, &e) {
		c := *e
		c.Operation, c.Host = op, host
		return &c
	}
	return &Error{Kind: KindTransport, Operation: op, Host: host, Message: err.Error(), cause: err}
}

// run runs op, retrying when that is safe: when the request never reached
// the host, or when the operation is idempotent.
func (p *hostPool) run(ctx context.Context, op Operation, input []byte) (*envelope, error) {
	const attempts = 3
	// delivered: some attempt's request may have reached the process, so a
	// non-idempotent operation may have run whatever ends this call.
	delivered := false
	fail := func(err error) error {
		if !delivered || op.Idempotent {
			return err
		}
		e := asError(err, op.Name, p.host)
		e.OutcomeUnknown = true
		e.Message = strings.TrimSuffix(e.Message, ".") + ". The operation may have run on the host: look before running it again"
		return e
	}
	lostShell := false
	var waited time.Duration // for a shell the host refused
	for attempt := 1; ; attempt++ {
		env, sent, err := p.runOnce(ctx, op, input)
		if err == nil {
			return env, nil
		}
		delivered = delivered || sent
		if ctx.Err() != nil {
			return nil, fail(ctxError(ctx, "running "+op.Name+" on "+p.host))
		}
		if !sent && isShellGone(err) && !lostShell {
			// A shell lost with the idle ones (a restart): not an attempt.
			lostShell = true
			attempt--
			continue
		}
		if !sent && IsKind(err, KindQuota) {
			// The host refused a shell (MaxShellsPerUser and the like), so
			// nothing ran. Shells free up as operations end, ours or
			// another client's: wait for one, as for a free session, until
			// the operation's deadline; then say what was refused.
			if waited == 0 {
				opLogger(ctx, p.log).Debug("the host refused a shell: waiting for one", "error", MessageOf(err))
			}
			d := min(300*time.Millisecond<<min(waited/time.Second, 4), 5*time.Second)
			if sleepCtx(ctx, d) != nil {
				return nil, quotaWaited(err, waited+d)
			}
			waited += d
			attempt--
			continue
		}
		var e *Error
		transient := errors.As(err, &e) && !e.final && (e.Kind == KindTransport || e.Kind == KindQuota || e.transient)
		if !transient || (delivered && !op.Idempotent) || attempt == attempts {
			return nil, fail(err)
		}
		opLogger(ctx, p.log).Debug("retrying operation", "attempt", attempt+1, "error", MessageOf(err))
		if err := sleepCtx(ctx, time.Duration(attempt)*300*time.Millisecond); err != nil {
			return nil, fail(ctxError(ctx, "running "+op.Name+" on "+p.host))
		}
	}
}

// quotaWaited is the quota error of a shell the host kept refusing for
// waited, the operation's whole time.
func quotaWaited(err error, waited time.Duration) error {
	var e *Error
	if !errors.As(err, &e) {
		return err
	}
	c := *e
	c.Message = strings.TrimSuffix(c.Message, " ") + fmt.Sprintf(" The host refused a shell for %s, until the operation's timeout.", waited.Round(time.Second))
	return &c
}

func (p *hostPool) runOnce(ctx context.Context, op Operation, input []byte) (*envelope, bool, error) {
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, false, ctxError(ctx, "waiting for a free session on "+p.host)
	}
	defer func() { <-p.slots }()
	s, err := p.take(ctx)
	if err != nil {
		return nil, false, err
	}
	lastUsed := s.lastUsed
	env, delivered, err := s.call(ctx, op, input)
	if err != nil {
		if isShellGone(err) {
			s.gone = true
			p.dropStale(lastUsed)
		}
		// Deleting the shell can take long (a canceled operation, a
		// host that stopped answering): the caller need not wait.
		p.c.background(func() { s.close(ctx) })
		return nil, delivered, err
	}
	p.put(ctx, s)
	return env, delivered, nil
}

// take returns the most recently used idle session, or a new one.
func (p *hostPool) take(ctx context.Context) (*session, error) {
	if s, err := p.takeIdle(); s != nil || err != nil {
		return s, err
	}
	s, err := p.newSession(ctx)
	if IsKind(err, KindQuota) {
		// Our own shells count against the quota too: use one that another
		// operation returned meanwhile; else run's backoff waits for one.
		if s, _ := p.takeIdle(); s != nil {
			return s, nil
		}
	}
	return s, err
}

// takeIdle pops the most recently used idle session; nil when none.
func (p *hostPool) takeIdle() (*session, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, &Error{Kind: KindCanceled, Host: p.host, Message: "the client is closed"}
	}
	n := len(p.idle)
	if n == 0 {
		return nil, nil
	}
	s := p.idle[n-1]
	p.idle = p.idle[:n-1]
	return s, nil
}

// put pools s for the next operation; after Close it closes s instead.
func (p *hostPool) put(ctx context.Context, s *session) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		s.close(ctx)
		return
	}
	p.idle = append(p.idle, s)
	p.mu.Unlock()
}

// shutdown closes the idle sessions and connections, and those of
// operations still running as they end.
func (p *hostPool) shutdown() {
	p.mu.Lock()
	p.closed = true
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, s := range idle {
		s.close(context.Background())
	}
	p.t.shutdown()
}

// dropStale forgets the idle sessions last used before since, without
// closing them: the host lost a shell used then, and a restart or its
// idle timeout (least recently used first) took theirs too.
func (p *hostPool) dropStale(since time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	keep := p.idle[:0]
	for _, s := range p.idle {
		if s.lastUsed.After(since) {
			keep = append(keep, s)
		}
	}
	clear(p.idle[len(keep):])
	p.idle = keep
}

// closeIdle closes sessions idle for longer than maxIdle.
func (p *hostPool) closeIdle(maxIdle time.Duration) {
	p.mu.Lock()
	var keep, drop []*session
	for _, s := range p.idle {
		if time.Since(s.lastUsed) < maxIdle {
			keep = append(keep, s)
		} else {
			drop = append(drop, s)
		}
	}
	p.idle = keep
	p.mu.Unlock()
	for _, s := range drop {
		s.close(context.Background())
	}
}

// background runs f in its own goroutine, which Close waits for; after
// Close it runs f at once.
func (c *Client) background(f func()) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		f()
		return
	}
	c.cleanups.Add(1)
	c.mu.Unlock()
	go func() {
		defer c.cleanups.Done()
		f()
	}()
}

func (c *Client) janitor() {
	t := time.NewTicker(15 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
			for _, p := range c.allPools() {
				p.closeIdle(c.cfg.SessionIdleTimeout)
			}
		}
	}
}

func (c *Client) allPools() []*hostPool {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]*hostPool, 0, len(c.pools))
	for _, p := range c.pools {
		out = append(out, p)
	}
	return out
}

// Close deletes every idle shell on every host, waits for the shells of
// failed operations to be deleted, and closes connections. Operations
// still running delete their shells as they end.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	close(c.stop)
	c.mu.Unlock()
	var wg sync.WaitGroup
	for _, p := range c.allPools() {
		wg.Add(1)
		go func() { defer wg.Done(); p.shutdown() }()
	}
	wg.Wait()
	c.cleanups.Wait()
	return nil
}
