// Package winsim simulates Windows Server hosts that speak WinRM (the
// WS-Management remote shell) and hold RDS licensing state, so that every
// test of the provider runs against something that answers, and fails, the
// way Windows does.
package winsim

import (
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jcmturner/gokrb5/v8/keytab"
)

// Sim is a fleet of simulated hosts served by one process.
type Sim struct {
	mu    sync.RWMutex
	hosts []*Host
	byKey map[string]*Host // lower-case name, FQDN and address
	now   func() time.Time
	base  netip.Addr // numbers hosts without an address

	chMu          sync.Mutex
	clearinghouse ClearinghouseState

	domMu   sync.Mutex
	domains []DomainState

	keytab *keytab.Keytab // service keys of domain members (kerberos.go)

	srv *server // nil until Start
}

// Host is one simulated Windows Server.
type Host struct {
	sim *Sim

	mu    sync.Mutex
	state HostState
	snap  atomic.Pointer[HostState]

	rt hostRuntime
}

// New builds a fleet from a scenario. Hosts get defaults for what the
// scenario leaves out (see Defaults).
func New(sc Scenario) (*Sim, error) { return NewWithOptions(sc, Options{}) }

// NewWithOptions builds a fleet from a scenario, with options.
func NewWithOptions(sc Scenario, o Options) (*Sim, error) {
	if o.BaseAddress == "" {
		o.BaseAddress = DefaultBaseAddress
	}
	base, err := ParseBaseAddress(o.BaseAddress, o.AllowNonLoopback)
	if err != nil {
		return nil, err
	}
	s := &Sim{byKey: map[string]*Host{}, now: time.Now, base: base, clearinghouse: sc.Clearinghouse, domains: cloneJSON(sc.Domains)}
	for i := range sc.Hosts {
		if _, err := s.AddHost(sc.Hosts[i]); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// SetClock replaces the simulated wall clock (grace periods, expiry dates).
func (s *Sim) SetClock(now func() time.Time) {
	s.mu.Lock()
	s.now = now
	s.mu.Unlock()
}

// Now is the simulated time.
func (s *Sim) Now() time.Time {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.now()
}

// AddHost adds a host to the fleet; with Start already called, it gets
// listeners at once.
func (s *Sim) AddHost(st HostState) (*Host, error) {
	st = withDefaults(st)
	if st.Address == "" {
		a, err := nthAddress(s.base, len(s.Hosts()))
		if err != nil {
			return nil, fmt.Errorf("host %s: %w", st.Name, err)
		}
		st.Address = a
	}
	if err := validateHost(&st); err != nil {
		return nil, err
	}
	h := &Host{sim: s, state: st}
	h.rt.init()
	h.publish()
	s.mu.Lock()
	if err := s.setKeys(h, nil, &st); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	s.hosts = append(s.hosts, h)
	srv := s.srv
	s.mu.Unlock()
	if srv != nil {
		if err := srv.listenHost(h); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// setKeys moves h's lookup keys from those of old (nil for a new host) to
// those of st, refusing keys another host holds. It needs s.mu held.
func (s *Sim) setKeys(h *Host, old, st *HostState) error {
	for _, k := range hostKeys(st) {
		if other, dup := s.byKey[k]; dup && other != h {
			return fmt.Errorf("host %s: %q is already used by host %s", st.Name, k, other.view().Name)
		}
	}
	if old != nil {
		for _, k := range hostKeys(old) {
			if s.byKey[k] == h {
				delete(s.byKey, k)
			}
		}
	}
	for _, k := range hostKeys(st) {
		s.byKey[k] = h
	}
	return nil
}

func hostKeys(st *HostState) []string {
	keys := []string{strings.ToLower(st.Name), st.Address}
	if st.Domain != "" {
		keys = append(keys, st.FQDN())
	}
	return keys
}

func validateHost(st *HostState) error {
	if st.Name == "" {
		return fmt.Errorf("a host has no name")
	}
	if net.ParseIP(st.Address) == nil {
		return fmt.Errorf("host %s: address %q is not an IP address", st.Name, st.Address)
	}
	if !validCbtLevel(st.WinRM.CbtHardeningLevel) {
		return fmt.Errorf("host %s: cbt_hardening_level %q is not one of Relaxed, Strict, None", st.Name, st.WinRM.CbtHardeningLevel)
	}
	if _, ok := OSBuilds[st.OS]; !ok {
		return fmt.Errorf("host %s: os %q is not one of 2016, 2019, 2022, 2025", st.Name, st.OS)
	}
	return nil
}

// Hosts lists the fleet in the order hosts were added.
func (s *Sim) Hosts() []*Host {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]*Host(nil), s.hosts...)
}

// Host finds a host by name, FQDN or address; nil when unknown.
func (s *Sim) Host(name string) *Host { return s.lookup(name) }

func (s *Sim) lookup(name string) *Host {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.byKey[strings.ToLower(strings.TrimSpace(name))]
}

// Clearinghouse returns a copy of the simulated Clearinghouse.
func (s *Sim) Clearinghouse() ClearinghouseState {
	s.chMu.Lock()
	defer s.chMu.Unlock()
	return cloneJSON(s.clearinghouse)
}

// UpdateClearinghouse changes the Clearinghouse (add codes, cut it off).
func (s *Sim) UpdateClearinghouse(fn func(ch *ClearinghouseState)) {
	s.chMu.Lock()
	defer s.chMu.Unlock()
	fn(&s.clearinghouse)
}

// Scenario returns the whole fleet's current state.
func (s *Sim) Scenario() Scenario {
	sc := Scenario{Clearinghouse: s.Clearinghouse(), Domains: s.Domains()}
	for _, h := range s.Hosts() {
		sc.Hosts = append(sc.Hosts, h.State())
	}
	return sc
}

// Name is the host's NetBIOS name.
func (h *Host) Name() string { return h.view().Name }

// State returns a copy of the host's state.
func (h *Host) State() HostState { return h.view().Clone() }

// view is the host's current state, shared and read-only: never modify it
// or the maps and slices it holds. It costs nothing, unlike State.
func (h *Host) view() *HostState { return h.snap.Load() }

// Update changes the host's state out of band, as an administrator at the
// console would ("someone changed the licensing mode by hand"). A new
// domain moves the host's FQDN. Changing its name or address, or taking
// another host's FQDN, is a bug in the caller: Update panics.
func (h *Host) Update(fn func(st *HostState)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	st := h.state
	fn(&st)
	if err := h.commit(st); err != nil {
		panic("winsim: Update: " + err.Error())
	}
}

// Replace swaps in a whole new state (the control API's PUT); without an
// address it keeps the host's.
func (h *Host) Replace(st HostState) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	st = withDefaults(st)
	if st.Address == "" {
		st.Address = h.view().Address
	}
	if err := validateHost(&st); err != nil {
		return err
	}
	return h.commit(st)
}

// commit makes st the host's state; it needs h.mu held. Name and address
// identify the host (its listeners are bound to the address) and cannot
// change; a new domain rekeys the host's FQDN in the fleet.
func (h *Host) commit(st HostState) error {
	old := h.view() // the state before this change
	if !strings.EqualFold(st.Name, old.Name) || st.Address != old.Address {
		return fmt.Errorf("host %s: name and address cannot change", old.Name)
	}
	h.sim.mu.Lock()
	err := h.sim.setKeys(h, old, &st)
	h.sim.mu.Unlock()
	if err != nil {
		return err
	}
	h.state = st
	h.publish()
	return nil
}

// publish must run with h.mu held, after every change of h.state.
func (h *Host) publish() {
	c := h.state.Clone()
	h.snap.Store(&c)
}

// runOperation runs a named operation as user on the host, the way the
// prelude and the operation's script would: an administrator check, then
// the handler. It returns the result to put in the envelope.
func (h *Host) runOperation(user User, name string, input json.RawMessage) (any, *opError, *opContext) {
	fn, ok := handlers[name]
	if !ok {
		return nil, &opError{Kind: "script_error", Message: fmt.Sprintf("winsim has no handler for operation %q", name)}, nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	x := &opContext{Host: &h.state, User: user, Now: h.sim.Now(), sim: h.sim, host: h, op: name}
	if !user.Admin {
		// The prelude names WindowsIdentity.Name and $env:COMPUTERNAME.
		who := accountName(&h.state, user)
		return nil, &opError{Kind: "access_denied", Message: fmt.Sprintf("the account %s is not a member of the local Administrators group on %s; RD Licensing and Remote Desktop WMI methods require an administrator", who, strings.ToUpper(h.state.Name))}, x
	}
	before := h.view()
	res, err := fn(x, input)
	h.publish()
	x.changed = x.changed || !reflect.DeepEqual(before, h.view())
	if err != nil {
		if oe, ok := err.(*opError); ok {
			return nil, oe, x
		}
		return nil, &opError{Kind: "script_error", Message: err.Error()}, x
	}
	return res, nil, x
}

func cloneJSON[T any](v T) T {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var c T
	if err := json.Unmarshal(b, &c); err != nil {
		panic(err)
	}
	return c
}
