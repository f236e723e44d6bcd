package winsim

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/jcmturner/gokrb5/v8/keytab"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/gsskrb5"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim/ntlm"
)

// Kerberos on a domain member. A host accepts AP-REQs for its service
// principals (HTTP/<fqdn>, HTTP/<name>, WSMAN/..., HOST/...) decrypted
// with the keys of the fleet's keytab, which tests export from a real KDC
// as a domain join gives a host its machine account's key. Its clock is
// the simulation's plus ClockOffsetSeconds, and it tolerates 5 minutes of
// skew (Active Directory's default Kerberos policy).

// MaxClockSkew is the Kerberos clock skew a host tolerates.
const MaxClockSkew = 5 * time.Minute

// AddKeytab adds service keys (an MIT keytab file's bytes) to the fleet.
func (s *Sim) AddKeytab(b []byte) error {
	var kt keytab.Keytab
	if err := kt.Unmarshal(b); err != nil {
		return fmt.Errorf("winsim: not a keytab: %v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.keytab == nil {
		s.keytab = &keytab.Keytab{}
		if err := s.keytab.Unmarshal(b); err != nil {
			return err
		}
		return nil
	}
	s.keytab.Entries = append(s.keytab.Entries, kt.Entries...)
	return nil
}

func (s *Sim) keys() *keytab.Keytab {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.keytab
}

// ServicePrincipals are the SPNs a domain member answers to: WinRM's
// HTTP/ and WSMAN/ and the HOST/ that covers them, by FQDN and by name
// (setspn -L of a member server; HTTP/ is a HOST/ alias in AD).
func (st *HostState) ServicePrincipals() []string {
	if st.Domain == "" {
		return nil
	}
	var spns []string
	for _, svc := range []string{"HTTP", "WSMAN", "HOST"} {
		spns = append(spns, svc+"/"+st.FQDN(), svc+"/"+strings.ToLower(st.Name))
	}
	return spns
}

// Clock is the host's time.
func (h *Host) Clock() time.Time {
	return h.sim.Now().Add(time.Duration(h.view().ClockOffsetSeconds) * time.Second)
}

// krbSealer adapts a Kerberos context to the encrypted body framing,
// whose "signature" is the wrap token's header.
type krbSealer struct{ s *gsskrb5.Session }

func (k krbSealer) Seal(plain []byte) (sealed, signature []byte, err error) {
	h, d, err := k.s.Wrap(plain)
	return d, h, err
}

func (k krbSealer) Unseal(sealed, signature []byte) ([]byte, error) {
	return k.s.Unwrap(signature, sealed)
}

// acceptKerberos answers a Kerberos token, sent under the Kerberos scheme
// (MS-WSMV 2.2.9.1.2), under Negotiate as is (MIT's GSS-API and pywinrm
// do that) or in SPNEGO (wrapped non-nil).
func (srv *server) acceptKerberos(w http.ResponseWriter, r *http.Request, cs *connState, st *HostState, body []byte, entry *LogEntry,
	scheme string, wrapped *ntlm.SPNEGO, token []byte, challenge func(string)) (User, bool, []byte, bool) {
	h := cs.host
	entry.Auth = "kerberos"
	if scheme == "Negotiate" {
		entry.Auth = "negotiate-kerberos"
	}
	switch {
	case st.Domain == "":
		challenge("Kerberos refused: the host is not in a domain")
		return User{}, false, nil, true
	case scheme == "Kerberos" && !st.WinRM.Kerberos:
		challenge("Kerberos refused: Kerberos authentication is disabled on the host")
		return User{}, false, nil, true
	case srv.sim.keys() == nil:
		challenge("Kerberos refused: winsim has no keytab (Sim.AddKeytab, winsim -keytab)")
		return User{}, false, nil, true
	}
	// The answer goes in the client's framing.
	answer := func(accept bool, tok []byte) string {
		if wrapped != nil {
			tok = ntlm.SPNEGOKerberos(accept, wrapped.KerberosMech(), tok)
		}
		return scheme + " " + base64.StdEncoding.EncodeToString(tok)
	}
	acc := &gsskrb5.Acceptor{Keytab: srv.sim.keys(), Realm: strings.ToUpper(st.Domain), Principals: st.ServicePrincipals(),
		Now: h.Clock, MaxSkew: MaxClockSkew, Replay: &h.rt.replay}
	ok, err := acc.Accept(token)
	if err != nil {
		var ref *gsskrb5.Refusal
		if !errors.As(err, &ref) {
			challenge("Kerberos refused: " + err.Error())
			return User{}, false, nil, true
		}
		entry.Status = http.StatusUnauthorized
		entry.Detail = "Kerberos refused: " + ref.Error()
		if st.Quirks.KerberosBare401 {
			challenge(entry.Detail)
			return User{}, false, nil, true
		}
		// The acceptor's KRB-ERROR goes back in the 401, as network
		// captures of IIS/HTTP.sys show (KRB_AP_ERR_SKEW, _MODIFIED).
		w.Header().Set("WWW-Authenticate", answer(false, ref.Token))
		w.Header().Set("Connection", "close")
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusUnauthorized)
		return User{}, false, nil, true
	}
	if why := srv.checkBindings(cs, st, ok.Bindings); why != "" {
		challenge("Kerberos refused: " + why)
		return User{}, false, nil, true
	}
	u, found := srv.sim.findUser(st, ok.ClientName, ok.ClientRealm)
	if !found {
		// Authenticated, but no rights on this host.
		u = User{Name: ok.ClientName, Domain: strings.ToLower(ok.ClientRealm)}
	}
	protocol := ntlm.ProtocolSPNEGO
	if scheme == "Kerberos" {
		protocol = ntlm.ProtocolKerberos
	}
	cs.mu.Lock()
	cs.handshake, cs.session, cs.mechTypes, cs.spnego = nil, nil, nil, false
	cs.krb, cs.protocol, cs.user = ok.Session, protocol, &u
	cs.mu.Unlock()
	if ok.Reply != nil || wrapped != nil {
		w.Header().Set("WWW-Authenticate", answer(true, ok.Reply))
	}
	if len(body) == 0 {
		entry.Status, entry.User = http.StatusOK, u.Name
		entry.Detail = "Kerberos authenticated " + ok.Client
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
		return User{}, false, nil, true
	}
	return srv.sessionBody(w, r, cs, u, body, entry)
}
