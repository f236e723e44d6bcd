package winsim

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/gsskrb5"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim/ntlm"
)

// ServeOptions choose the ports every host listens on.
type ServeOptions struct {
	// HTTPPort and HTTPSPort are shared by all hosts (each host has its
	// own address); 0 picks free ports.
	HTTPPort  int
	HTTPSPort int
	// HTTPTimeouts bound slow clients as HTTP.sys does; zero fields take
	// its defaults.
	HTTPTimeouts HTTPTimeouts
}

// server runs the HTTP and HTTPS listeners of every host.
type server struct {
	sim       *Sim
	ca        *certAuthority
	httpSrv   *http.Server
	httpsSrv  *http.Server
	mu        sync.Mutex
	httpPort  int
	httpsPort int
	timeouts  HTTPTimeouts
}

type connKey struct{}

// connState is what winsim keeps per TCP connection: NTLM binds its
// security context to the connection, not to a request.
type connState struct {
	host   *Host
	tls    bool
	remote string

	mu        sync.Mutex
	handshake *ntlm.Handshake
	session   *ntlm.Session
	user      *User
	// mechTypes is set while an SPNEGO-wrapped handshake runs: the DER
	// mechanism list the client's mechListMIC signs.
	mechTypes []byte
	spnego    bool
	// krb is the connection's Kerberos context, protocol the encrypted
	// bodies' protocol (MS-WSMV 2.2.9.1: SPNEGO or Kerberos).
	krb      *gsskrb5.Session
	protocol string
}

// sealer is the connection's context for encrypted bodies.
func (cs *connState) sealer() (ntlm.Sealer, string, int, error) {
	switch {
	case cs.krb != nil:
		return krbSealer{cs.krb}, cs.protocol, 0, nil
	case cs.session != nil && cs.session.CanSeal():
		return cs.session, ntlm.ProtocolSPNEGO, ntlm.SignatureSize, nil
	case cs.session != nil:
		_, err := cs.session.DecodeBody(nil)
		return nil, "", 0, err
	}
	return nil, "", 0, errors.New("no NTLM or Kerberos session on this connection")
}

type hostListener struct {
	net.Listener
	host *Host
	tls  bool
}

type hostConn struct {
	net.Conn
	host *Host
	tls  bool
	// sniffed is set once the first bytes were checked for the wrong
	// protocol (see wrongprotocol.go).
	sniffed atomic.Bool
}

func (l *hostListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &hostConn{Conn: c, host: l.host, tls: l.tls}, nil
}

func unwrapConn(c net.Conn) *hostConn {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	hc, _ := c.(*hostConn)
	return hc
}

// Start opens every host's listeners.
func (s *Sim) Start(opts ServeOptions) error {
	ca, err := newCA()
	if err != nil {
		return err
	}
	srv := &server{sim: s, ca: ca, httpPort: opts.HTTPPort, httpsPort: opts.HTTPSPort, timeouts: opts.HTTPTimeouts.withDefaults()}
	quiet := log.New(io.Discard, "", 0)
	mk := func() *http.Server {
		return &http.Server{
			Handler:           srv,
			ReadHeaderTimeout: srv.timeouts.HeaderWait,
			IdleTimeout:       srv.timeouts.IdleConnection,
			ErrorLog:          quiet,
			ConnContext: func(ctx context.Context, c net.Conn) context.Context {
				hc := unwrapConn(c)
				return context.WithValue(ctx, connKey{}, &connState{host: hc.host, tls: hc.tls, remote: c.RemoteAddr().String()})
			},
			ConnState: srv.trackConn,
			// WinRM speaks HTTP/1.1 only.
			TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){},
		}
	}
	srv.httpSrv = mk()
	srv.httpsSrv = mk()
	srv.httpsSrv.TLSConfig = &tls.Config{
		MinVersion: tls.VersionTLS12,
		// Certificate logons: the handler checks the certificate against
		// the host's mappings (certauth.go).
		ClientAuth: tls.RequestClientCert,
		GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			hc := unwrapConn(hello.Conn)
			if hc == nil {
				return nil, errors.New("unknown connection")
			}
			return ca.leaf(hc.host.view())
		},
	}
	s.mu.Lock()
	if s.srv != nil {
		s.mu.Unlock()
		return errors.New("winsim: already started")
	}
	s.srv = srv
	s.mu.Unlock()
	for _, h := range s.Hosts() {
		if err := srv.listenHost(h); err != nil {
			_ = s.Close()
			return err
		}
	}
	return nil
}

// Close stops the listeners and ends every shell.
func (s *Sim) Close() error {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	for _, h := range s.Hosts() {
		h.rt.mu.Lock()
		ls := h.rt.listeners
		h.rt.listeners = nil
		shells := h.rt.shells
		h.rt.shells = map[string]*shell{}
		h.rt.mu.Unlock()
		for _, l := range ls {
			_ = l.Close()
		}
		for _, sh := range shells {
			sh.terminate()
		}
	}
	_ = srv.httpSrv.Close()
	_ = srv.httpsSrv.Close()
	return nil
}

// Ports returns the HTTP and HTTPS ports every host listens on.
func (s *Sim) Ports() (httpPort, httpsPort int) {
	s.mu.RLock()
	srv := s.srv
	s.mu.RUnlock()
	if srv == nil {
		return 0, 0
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return srv.httpPort, srv.httpsPort
}

// CACertPEM is the PEM certificate that signs every host's HTTPS
// certificate (what users put in ca_cert).
func (s *Sim) CACertPEM() []byte {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.srv == nil {
		return nil
	}
	return s.srv.ca.certPEM
}

// Endpoint is host:port of the host's HTTP or HTTPS listener.
func (h *Host) Endpoint(https bool) string {
	hp, sp := h.sim.Ports()
	p := hp
	if https {
		p = sp
	}
	return net.JoinHostPort(h.view().Address, strconv.Itoa(p))
}

func (srv *server) listenHost(h *Host) error {
	st := h.view()
	var ls []net.Listener
	open := func(port *int, useTLS bool) error {
		srv.mu.Lock()
		defer srv.mu.Unlock()
		l, err := net.Listen("tcp", net.JoinHostPort(st.Address, strconv.Itoa(*port)))
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("host %s: listen on %s port %d: %w (another winsim fleet may hold it: give this one another base address, e.g. 127.0.20.1, or other ports)", st.Name, st.Address, *port, err)
		}
		if err != nil {
			return fmt.Errorf("host %s: listen on %s port %d: %w (on Linux every 127.x.y.z address is local; elsewhere give hosts real local addresses)", st.Name, st.Address, *port, err)
		}
		if a, ok := l.Addr().(*net.TCPAddr); ok {
			*port = a.Port
		}
		var nl net.Listener = &hostListener{Listener: l, host: h, tls: useTLS}
		if useTLS {
			nl = tls.NewListener(nl, srv.httpsSrv.TLSConfig)
			go func() { _ = srv.httpsSrv.Serve(nl) }()
		} else {
			go func() { _ = srv.httpSrv.Serve(nl) }()
		}
		ls = append(ls, nl)
		return nil
	}
	if st.WinRM.HTTP {
		if err := open(&srv.httpPort, false); err != nil {
			return err
		}
	}
	if st.WinRM.HTTPS {
		if err := open(&srv.httpsPort, true); err != nil {
			for _, l := range ls {
				_ = l.Close()
			}
			return err
		}
	}
	h.rt.mu.Lock()
	h.rt.listeners = append(h.rt.listeners, ls...)
	h.rt.mu.Unlock()
	return nil
}

func (srv *server) trackConn(c net.Conn, state http.ConnState) {
	hc := unwrapConn(c)
	if hc == nil {
		return
	}
	h := hc.host
	h.rt.mu.Lock()
	defer h.rt.mu.Unlock()
	switch state {
	case http.StateNew:
		if h.rt.down {
			_ = c.Close()
			return
		}
		h.rt.conns[c] = struct{}{}
	case http.StateClosed, http.StateHijacked:
		delete(h.rt.conns, c)
	}
}

// ServeHTTP answers one HTTP request as HTTP.sys and the WinRM service do,
// in four steps, each its own method of exchange: HTTP.sys reads the
// request (readBody), WinRM authenticates it (authenticate) and checks the
// message's form (acceptMessage), then serves the SOAP request (serveSOAP).
func (srv *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	cs, _ := r.Context().Value(connKey{}).(*connState)
	if cs == nil {
		http.Error(w, "no connection state", http.StatusInternalServerError)
		return
	}
	x := &exchange{srv: srv, w: w, r: r, cs: cs, h: cs.host, st: cs.host.view(), entry: &LogEntry{Event: "http", TLS: cs.tls}}
	start := time.Now()
	defer func() {
		x.entry.DurationMS = time.Since(start).Milliseconds()
		x.h.logEvent(*x.entry)
	}()
	time.Sleep(ms(x.st.Realism.LatencyMS))
	w.Header().Set("Server", "Microsoft-HTTPAPI/2.0")
	body, ok := x.readBody()
	if !ok || x.identifyAnonymously(body) {
		return
	}
	user, encrypted, plain, done := srv.authenticate(w, r, cs, x.st, body, x.entry)
	if done {
		return
	}
	x.user, x.encrypted, x.entry.User = user, encrypted, user.Name
	if x.acceptMessage(plain) {
		x.serveSOAP(plain)
	}
}

// exchange is one HTTP request and its answer.
type exchange struct {
	srv   *server
	w     http.ResponseWriter
	r     *http.Request
	cs    *connState
	h     *Host
	st    *HostState
	entry *LogEntry // logged when the request ends

	user      User // once authenticated
	encrypted bool // the message came, and its answer goes, sealed
}

// status answers with a bare HTTP status.
func (x *exchange) status(code int) {
	x.entry.Status = code
	x.w.WriteHeader(code)
}

// readBody is HTTP.sys: only POST to /wsman, and a body read within the
// entity body timer (a slow body resets the connection, unanswered).
func (x *exchange) readBody() ([]byte, bool) {
	if x.r.Method != http.MethodPost {
		x.w.Header().Set("Allow", "POST")
		x.w.Header().Set("Connection", "close")
		x.status(http.StatusMethodNotAllowed)
		return nil, false
	}
	if !strings.EqualFold(x.r.URL.Path, "/wsman") {
		x.status(http.StatusNotFound)
		return nil, false
	}
	body, err := io.ReadAll(io.LimitReader(entityBody(x.w, x.r.Body, x.srv.timeouts.EntityBody), int64(x.st.WinRM.MaxEnvelopeSizeKB)*1024*4+1<<20))
	if isTimeout(err) {
		// HTTP.sys resets the connection without an answer.
		x.entry.Status = 0
		panic(http.ErrAbortHandler)
	}
	if err != nil {
		x.status(http.StatusBadRequest)
		return nil, false
	}
	return body, true
}

// identifyAnonymously answers WS-Identify without credentials when the
// client says so (MS-WSMV 3.1.4.1.23: the WSMANIDENTIFY: unauthenticated
// header); false when the request is something else.
func (x *exchange) identifyAnonymously(body []byte) bool {
	if !strings.EqualFold(strings.TrimSpace(x.r.Header.Get("WSMANIDENTIFY")), "unauthenticated") {
		return false
	}
	req, err := parseRequest(body)
	if err != nil || req.Body.Identify == nil {
		return false
	}
	x.entry.Action, x.entry.Auth, x.entry.Status = "Identify", "anonymous", http.StatusOK
	out := identifyResponse(x.st, false)
	x.w.Header().Set("Content-Type", "application/soap+xml;charset=UTF-8")
	x.w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	x.w.WriteHeader(http.StatusOK)
	_, _ = x.w.Write(out)
	return true
}

// acceptMessage checks an authenticated message's form: encrypted unless
// TLS or AllowUnencrypted, a SOAP content type, within MaxEnvelopeSizekb.
func (x *exchange) acceptMessage(plain []byte) bool {
	switch {
	case !x.encrypted && !x.cs.tls && !x.st.WinRM.AllowUnencrypted:
		// Windows refuses a plaintext message over HTTP by default, even
		// on an NTLM-authenticated connection, with a bare 401 that offers
		// Negotiate and closes the connection (packet capture of Server
		// 2012 R2: jborean93/github-misc packer/issue-6205, frames 708-714).
		x.entry.Detail = "unencrypted message refused: AllowUnencrypted is false"
		x.w.Header().Set("WWW-Authenticate", "Negotiate")
		x.w.Header().Set("Connection", "close")
		x.w.Header().Set("Content-Length", "0")
		x.status(http.StatusUnauthorized)
		return false
	case !x.encrypted && !strings.Contains(strings.ToLower(x.r.Header.Get("Content-Type")), "application/soap+xml"):
		x.status(http.StatusUnsupportedMediaType)
		return false
	case len(plain) > x.st.WinRM.MaxEnvelopeSizeKB*1024:
		x.entry.Detail = fmt.Sprintf("envelope of %d bytes exceeds MaxEnvelopeSizekb %d", len(plain), x.st.WinRM.MaxEnvelopeSizeKB)
		x.status(http.StatusRequestEntityTooLarge)
		return false
	}
	return true
}

// reply answers with a SOAP envelope, sealed when the request was.
func (x *exchange) reply(status int, soap []byte) {
	x.entry.Status = status
	out := soap
	ct := "application/soap+xml;charset=UTF-8"
	if x.encrypted {
		x.cs.mu.Lock()
		var enc []byte
		sl, protocol, _, err := x.cs.sealer()
		if err == nil {
			enc, err = ntlm.EncodeFramed(sl, protocol, soap)
		}
		x.cs.mu.Unlock()
		if err != nil {
			x.entry.Detail = "seal reply: " + err.Error()
			x.status(http.StatusInternalServerError)
			return
		}
		out, ct = enc, ntlm.ContentType(protocol)
	}
	x.w.Header().Set("Content-Type", ct)
	x.w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	x.w.WriteHeader(status)
	_, _ = x.w.Write(out)
}

// serveSOAP parses the request, applies an injected fault, checks the
// user's rights and quota, and dispatches it to the shell and command
// handlers.
func (x *exchange) serveSOAP(plain []byte) {
	h, st, entry := x.h, x.st, x.entry
	req, err := parseRequest(plain)
	if err != nil {
		f := faultSchema("The message is not well-formed XML. ")
		x.reply(http.StatusInternalServerError, f.xml("", st.FQDN()))
		return
	}
	if req.Body.Identify != nil {
		entry.Action = "Identify"
		x.reply(http.StatusOK, identifyResponse(st, true))
		return
	}
	action := req.Header.Action
	entry.Action = action[strings.LastIndex(action, "/")+1:]
	entry.ShellID = req.selector("ShellId")
	if req.Body.CommandLine != nil {
		entry.CommandLine = strings.TrimSpace(req.Body.CommandLine.Command + " " + strings.Join(req.Body.CommandLine.Arguments, " "))
	}
	key := userKey(x.user)

	fault := h.takeHTTPFault(entry.Action, h.sendOperations(req, key))
	if fault != nil {
		entry.Detail = "fault " + fault.Type
		switch fault.Type {
		case FaultHTTPStatus:
			x.w.Header().Set("Content-Type", "text/html; charset=us-ascii")
			x.status(fault.Status)
			_, _ = io.WriteString(x.w, fault.Body)
			return
		case FaultDropBefore:
			entry.Status = 0
			dropConn(x.w)
			return
		case FaultSOAP:
			f := faultInjected(fault.Code, fault.Subcode, fault.Message)
			x.reply(http.StatusInternalServerError, f.xml(req.Header.MessageID, st.FQDN()))
			return
		case FaultDelay:
			time.Sleep(ms(fault.DelayMS))
		}
	}

	if !x.user.Admin && !x.user.RemoteManagement {
		x.reply(http.StatusInternalServerError, faultAccessDenied().xml(req.Header.MessageID, st.FQDN()))
		return
	}
	h.rt.mu.Lock()
	h.rt.inflight[key]++
	n := h.rt.inflight[key]
	h.rt.mu.Unlock()
	defer func() {
		h.rt.mu.Lock()
		h.rt.inflight[key]--
		h.rt.mu.Unlock()
	}()
	if limit := st.WinRM.MaxConcurrentOperationsPerUser; limit > 0 && n > limit {
		x.reply(http.StatusInternalServerError, faultQuotaOperations(limit).xml(req.Header.MessageID, st.FQDN()))
		return
	}
	h.sweepIdle(time.Duration(st.WinRM.IdleTimeoutMS) * time.Millisecond)

	scheme := "http"
	if x.cs.tls {
		scheme = "https"
	}
	address := scheme + "://" + x.r.Host + "/wsman"
	clientIP, _, _ := net.SplitHostPort(x.cs.remote)
	// rsp:Owner is the logon name: NTLM logs a local account on as
	// COMPUTER\user (captured: jborean93's "PowerShell Remoting on Python",
	// Owner SERVER2016\vagrant); other captures show the bare name
	// (pypsrp test_winrs_bad_cmd_id.yml), which winsim keeps for Basic.
	owner := x.user.Name
	if x.user.Domain != "" || entry.Auth != "basic" {
		owner = accountName(st, x.user)
	}
	respBody, f := h.dispatch(x.user, key, owner, req, st, address, clientIP, x.r.Context().Done())
	if fault != nil && fault.Type == FaultDropAfter {
		entry.Status = 0
		dropConn(x.w)
		return
	}
	if f != nil {
		entry.Detail = f.Subcode
		x.reply(http.StatusInternalServerError, f.xml(req.Header.MessageID, st.FQDN()))
		return
	}
	x.reply(http.StatusOK, respBody)
}

func dropConn(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if c, _, err := hj.Hijack(); err == nil {
			if tc, ok := c.(*net.TCPConn); ok {
				_ = tc.SetLinger(0)
			}
			_ = c.Close()
		}
	}
}

// authenticate checks the request's credentials. It returns the user,
// whether the body is NTLM-sealed, and the plaintext body; done means a
// reply (401, handshake leg) was already written.
func (srv *server) authenticate(w http.ResponseWriter, r *http.Request, cs *connState, st *HostState, body []byte, entry *LogEntry) (user User, encrypted bool, plain []byte, done bool) {
	authz := r.Header.Get("Authorization")
	challenge := func(detail string) {
		entry.Status = http.StatusUnauthorized
		entry.Detail = detail
		if st.WinRM.Negotiate {
			w.Header().Add("WWW-Authenticate", "Negotiate") // first: gokrb5 reads only the first
		}
		if st.WinRM.Kerberos && st.Domain != "" {
			w.Header().Add("WWW-Authenticate", "Kerberos")
		}
		if st.WinRM.Basic {
			w.Header().Add("WWW-Authenticate", `Basic realm="WSMAN"`)
		}
		// Every 401 without a challenge token closes the connection
		// (curl capture of a Windows host: Connection: close, Content-Length: 0).
		w.Header().Set("Connection", "close")
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusUnauthorized)
	}
	switch {
	case strings.EqualFold(strings.TrimSpace(authz), CertAuthorization):
		u, ok := srv.authenticateCertificate(r, cs, st, body, entry, challenge)
		return u, false, body, !ok
	case strings.HasPrefix(strings.ToLower(authz), "basic "):
		entry.Auth = "basic"
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(authz[6:]))
		name, password, ok := strings.Cut(string(raw), ":")
		switch {
		case !st.WinRM.Basic:
			challenge("Basic authentication is disabled on the host")
		case !cs.tls && !st.WinRM.AllowUnencrypted:
			challenge("Basic over HTTP needs AllowUnencrypted")
		case err != nil || !ok:
			challenge("malformed Basic header")
		default:
			u, found := srv.sim.findUser(st, name, "")
			if !found || u.Password != password {
				challenge("bad user name or password")
			} else if u.Domain != "" {
				// Basic works for local accounts only.
				challenge("Basic authentication with a domain account")
			} else {
				return u, false, body, false
			}
		}
		return User{}, false, nil, true
	case authz != "":
		scheme, token, ok := ntlm.ParseAuthorization(authz)
		if ok && scheme == "Kerberos" {
			return srv.acceptKerberos(w, r, cs, st, body, entry, scheme, nil, token, challenge)
		}
		if !ok || !st.WinRM.Negotiate {
			challenge("unsupported authorization scheme")
			return User{}, false, nil, true
		}
		if scheme == "NTLM" {
			// WinRM knows no bare NTLM scheme, only NTLM inside Negotiate
			// (MS-WSMV 2.2.9.1: Negotiate, Kerberos, CredSSP).
			challenge("the NTLM scheme is not offered; use Negotiate")
			return User{}, false, nil, true
		}
		entry.Auth = strings.ToLower(scheme)
		// Windows' Negotiate takes NTLM wrapped in SPNEGO, and raw NTLMSSP
		// too, which go-ntlmssp, bodgit/ntlmssp and pywinrm send.
		var wrapped *ntlm.SPNEGO
		if ntlm.IsSPNEGO(token) && !gsskrb5.IsKerberosToken(token) {
			var err error
			if wrapped, err = ntlm.ParseSPNEGO(token); err != nil {
				challenge(err.Error())
				return User{}, false, nil, true
			}
			token = wrapped.Token
			entry.Auth = "negotiate-spnego"
		}
		if gsskrb5.IsKerberosToken(token) {
			return srv.acceptKerberos(w, r, cs, st, body, entry, scheme, wrapped, token, challenge)
		}
		if wrapped != nil && wrapped.Init && ntlm.MessageType(token) != 1 {
			challenge(fmt.Sprintf("SPNEGO offers %v with neither an NTLM NEGOTIATE nor a Kerberos AP-REQ", wrapped.Mechs))
			return User{}, false, nil, true
		}
		switch ntlm.MessageType(token) {
		case 1:
			build, _ := strconv.ParseUint(operatingSystem(st).BuildNumber, 10, 16)
			srvNTLM := &ntlm.Server{NetBIOSComputer: strings.ToUpper(st.Name), NetBIOSDomain: st.NetBIOSDomain(),
				DNSComputer: st.FQDN(), DNSDomain: strings.ToLower(st.Domain), ProductBuild: uint16(build)}
			ch, hs, err := srvNTLM.Challenge(token)
			if err != nil {
				challenge("bad NTLM NEGOTIATE: " + err.Error())
				return User{}, false, nil, true
			}
			cs.mu.Lock()
			cs.handshake, cs.session, cs.user, cs.krb = hs, nil, nil, nil
			cs.spnego, cs.mechTypes = wrapped != nil, nil
			if wrapped != nil {
				cs.mechTypes = wrapped.MechTypes
				ch = ntlm.SPNEGOChallenge(ch)
			}
			cs.mu.Unlock()
			entry.Status = http.StatusUnauthorized
			entry.Detail = "NTLM challenge"
			w.Header().Set("WWW-Authenticate", scheme+" "+base64.StdEncoding.EncodeToString(ch))
			w.Header().Set("Content-Length", "0")
			w.WriteHeader(http.StatusUnauthorized)
			return User{}, false, nil, true
		case 3:
			cs.mu.Lock()
			hs, mechTypes, spnego := cs.handshake, cs.mechTypes, cs.spnego
			cs.handshake, cs.mechTypes = nil, nil
			cs.mu.Unlock()
			if hs == nil || spnego != (wrapped != nil) {
				challenge("NTLM AUTHENTICATE without a challenge on this connection")
				return User{}, false, nil, true
			}
			var found User
			sess, err := hs.Authenticate(token, func(name, domain string) (string, bool) {
				u, ok := srv.sim.findUser(st, name, domain)
				if ok {
					found = u
				}
				return u.Password, ok
			})
			if err != nil {
				challenge("NTLM authentication failed: " + err.Error())
				return User{}, false, nil, true
			}
			if why := srv.checkBindings(cs, st, sess.ChannelBindings); why != "" {
				challenge("NTLM refused: " + why)
				return User{}, false, nil, true
			}
			if wrapped != nil {
				// The last NegTokenResp goes back with the reply; it
				// answers the client's mechListMIC with the server's.
				var mic []byte
				if len(wrapped.MIC) > 0 {
					if err := sess.VerifyMIC(mechTypes, wrapped.MIC); err != nil {
						challenge(err.Error())
						return User{}, false, nil, true
					}
					if mic, err = sess.SignMIC(mechTypes); err != nil {
						challenge(err.Error())
						return User{}, false, nil, true
					}
				}
				w.Header().Set("WWW-Authenticate", scheme+" "+base64.StdEncoding.EncodeToString(ntlm.SPNEGOAccept(mic)))
			}
			cs.mu.Lock()
			cs.session, cs.user = sess, &found
			cs.mu.Unlock()
			if len(body) == 0 {
				// The encryption handshake's last leg carries no message.
				entry.Status = http.StatusOK
				entry.Detail = "NTLM authenticated"
				w.Header().Set("Content-Length", "0")
				w.WriteHeader(http.StatusOK)
				return User{}, false, nil, true
			}
			return srv.sessionBody(w, r, cs, found, body, entry)
		default:
			challenge("neither an NTLM nor a Kerberos token")
			return User{}, false, nil, true
		}
	}
	cs.mu.Lock()
	u := cs.user
	cs.mu.Unlock()
	// An empty anonymous POST is masterzen's probe before each handshake:
	// it wants a 401 even on an authenticated connection.
	if u == nil || len(body) == 0 {
		entry.Auth = "anonymous"
		challenge("no credentials")
		return User{}, false, nil, true
	}
	entry.Auth = "session"
	return srv.sessionBody(w, r, cs, *u, body, entry)
}

// sessionBody unseals a request on an NTLM- or Kerberos-authenticated
// connection.
func (srv *server) sessionBody(w http.ResponseWriter, r *http.Request, cs *connState, u User, body []byte, entry *LogEntry) (User, bool, []byte, bool) {
	if !ntlm.IsEncrypted(r.Header.Get("Content-Type")) {
		return u, false, body, false
	}
	cs.mu.Lock()
	var plain []byte
	sl, protocol, sigLen, err := cs.sealer()
	if err == nil {
		plain, err = ntlm.DecodeFramed(sl, protocol, sigLen, body)
	}
	cs.mu.Unlock()
	if err != nil {
		entry.Status = http.StatusBadRequest
		entry.Detail = "cannot unseal the message: " + err.Error()
		w.Header().Set("Connection", "close")
		w.WriteHeader(http.StatusBadRequest)
		return User{}, false, nil, true
	}
	entry.Auth = "encrypted"
	return u, true, plain, false
}

// findUser resolves a logon name on a host: its own accounts first, then
// the domain's. A domain account listed on any host of the domain is valid
// on every host of it, as Active Directory makes it; on hosts that do not
// list it, it is a local administrator when it is a Domain Admin (Domain
// Admins is in every member's Administrators group).
func (s *Sim) findUser(st *HostState, name, domain string) (User, bool) {
	if u, ok := findUser(st, name, domain); ok {
		return u, true
	}
	if st.Domain == "" {
		return User{}, false
	}
	for _, h := range s.Hosts() {
		other := h.view()
		if !strings.EqualFold(other.Domain, st.Domain) {
			continue
		}
		if u, ok := findUser(other, name, domain); ok && u.Domain != "" {
			u.Admin = u.DomainAdmin
			u.RemoteManagement = u.DomainAdmin
			return u, true
		}
	}
	return User{}, false
}

// findUser resolves a logon name the way Windows does: "user", ".\user",
// "HOST\user" are local accounts; "DOMAIN\user", "user@domain.fqdn" and a
// bare name with the domain given separately (NTLM) are domain accounts.
func findUser(st *HostState, name, domain string) (User, bool) {
	name = strings.TrimSpace(name)
	if d, n, ok := strings.Cut(name, `\`); ok {
		domain, name = d, n
	} else if n, d, ok := strings.Cut(name, "@"); ok {
		domain, name = d, n
	}
	local := domain == "" || domain == "." || strings.EqualFold(domain, st.Name)
	for _, u := range st.Users {
		if !strings.EqualFold(u.Name, name) {
			continue
		}
		if u.Domain == "" && local {
			return u, true
		}
		if u.Domain != "" && st.Domain != "" && (domain == "" || strings.EqualFold(domain, st.Domain) ||
			strings.EqualFold(domain, st.NetBIOSDomain()) || strings.EqualFold(domain, u.Domain)) {
			return u, true
		}
	}
	return User{}, false
}
