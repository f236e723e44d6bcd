package winsim

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseBaseAddress(t *testing.T) {
	for _, c := range []struct {
		in, wantErr string
		allow       bool
	}{
		{in: "127.0.20.1"},
		{in: "127.1.2.250"},
		{in: "10.1.2.1", allow: true},
		{in: "10.1.2.1", wantErr: "not a loopback address"},
		{in: "127.0.20.0", wantErr: "last byte must be 1 to 250"},
		{in: "127.0.20.251", wantErr: "last byte must be 1 to 250"},
		{in: "::1", wantErr: "not an IPv4 address"},
		{in: "127.0.20", wantErr: "not an IPv4 address"},
		{in: "localhost", wantErr: "not an IPv4 address"},
	} {
		_, err := ParseBaseAddress(c.in, c.allow)
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("%s: %v", c.in, err)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr) || !strings.Contains(err.Error(), c.in)):
			t.Errorf("%s: error %v, want one naming it and saying %q", c.in, err, c.wantErr)
		}
	}
}

// The default numbering is the one winsim always had (127.0.10.1 to
// .250, then 127.0.11.1); another base counts up from itself.
func TestHostAddressesCountUpFromTheBase(t *testing.T) {
	mk := func(base string, n int) []string {
		t.Helper()
		var sc Scenario
		for i := range n {
			sc.Hosts = append(sc.Hosts, NewHost(fmt.Sprintf("H%d", i), "2022", ""))
		}
		sim, err := NewWithOptions(sc, Options{BaseAddress: base})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, h := range sim.Hosts() {
			out = append(out, h.State().Address)
		}
		return out
	}
	def := mk("", 252)
	if def[0] != "127.0.10.1" || def[249] != "127.0.10.250" || def[250] != "127.0.11.1" || def[251] != "127.0.11.2" {
		t.Errorf("default numbering: %s %s %s %s", def[0], def[249], def[250], def[251])
	}
	other := mk("127.0.20.200", 53)
	if other[0] != "127.0.20.200" || other[50] != "127.0.20.250" || other[51] != "127.0.21.200" {
		t.Errorf("numbering from 127.0.20.200: %s %s %s", other[0], other[50], other[51])
	}
	// A scenario's own addresses win.
	sc := Scenario{Hosts: []HostState{NewHost("A", "2022", ""), NewHost("B", "2022", "")}}
	sc.Hosts[0].Address = "127.0.99.9"
	sim, err := NewWithOptions(sc, Options{BaseAddress: "127.0.30.1"})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := sim.Hosts()[0].State().Address, sim.Hosts()[1].State().Address; a != "127.0.99.9" || b != "127.0.30.2" {
		t.Errorf("addresses %s %s, want 127.0.99.9 127.0.30.2", a, b)
	}
	// Hosts added later count on from the base too.
	h, err := sim.AddHost(NewHost("C", "2022", ""))
	if err != nil || h.State().Address != "127.0.30.3" {
		t.Errorf("added host: %v %v", h, err)
	}
}

func TestBaseAddressRunsOutOfRoom(t *testing.T) {
	var sc Scenario
	for i := range 3 {
		sc.Hosts = append(sc.Hosts, NewHost(fmt.Sprintf("H%d", i), "2022", ""))
	}
	_, err := NewWithOptions(sc, Options{BaseAddress: "127.0.255.249"})
	if err == nil || !strings.Contains(err.Error(), "room for 2 hosts, not 3") || !strings.Contains(err.Error(), "lower base address") {
		t.Fatalf("error %v", err)
	}
	if _, err := NewWithOptions(Scenario{}, Options{BaseAddress: "192.168.1.1"}); err == nil || !strings.Contains(err.Error(), "not a loopback address") {
		t.Fatalf("non-loopback base: %v", err)
	}
}

// A host replaced without an address keeps its own.
func TestReplaceWithoutAddressKeepsIt(t *testing.T) {
	sim, err := NewWithOptions(Scenario{Hosts: []HostState{NewHost("A", "2022", ""), NewHost("B", "2022", "")}}, Options{BaseAddress: "127.0.40.1"})
	if err != nil {
		t.Fatal(err)
	}
	st := sim.Host("B").State()
	st.Address = ""
	st.Internet = false
	if err := sim.Host("B").Replace(st); err != nil {
		t.Fatal(err)
	}
	if got := sim.Host("B").State(); got.Address != "127.0.40.2" || got.Internet {
		t.Fatalf("after Replace: %s internet=%v", got.Address, got.Internet)
	}
}
