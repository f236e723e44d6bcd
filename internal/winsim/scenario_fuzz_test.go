package winsim

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
	"time"
)

// FuzzScenario loads scenario files (winsim -scenario, -state) and host
// documents (the control API's POST, PUT and PATCH). What loads builds a
// fleet or is refused with an error, never a panic; what a fleet saves
// loads again into the same fleet.
func FuzzScenario(f *testing.F) {
	quickstart, err := os.ReadFile("../../examples/quickstart/winsim.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(quickstart)
	f.Add([]byte(`{"hosts":[{"name":"LS01","os":"2019","domain":"contoso.com","quirks":{"product_version_2025":9},
	"license_server":{"activated":true,"key_packs":[{"key_pack_id":7,"key_pack_type":2,"product_type":1,"product_version_id":6,"total_licenses":25}]}}],
	"clearinghouse":{"reachable":true,"agreements":[{"agreement_type":1,"number":"1234567","product_version_id":6,"product_type":1,"count":100}]}}`))
	// A saved state: what -state writes.
	sim, err := New(Scenario{Hosts: []HostState{
		NewLicenseServerHost("LS01", "2025", "contoso.com"),
		NewSessionHost("RDSH01", "2016", "", time.Date(2027, 2, 20, 0, 0, 0, 0, time.UTC)),
	}})
	if err != nil {
		f.Fatal(err)
	}
	saved, err := json.Marshal(sim.Scenario())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(saved)
	// A host document and a merge patch.
	f.Add([]byte(`{"name":"RDSH02","os":"2022","domain":"contoso.com","session_host":{"config_licensing_mode":4,"specified_license_servers":["ls01.contoso.com"]}}`))
	f.Add([]byte(`{"session_host":{"config_licensing_mode":null,"grace_period_ends":"2030-01-01T00:00:00Z"},"users":[{"name":"bob","password":"x"}]}`))

	f.Fuzz(func(t *testing.T, data []byte) {
		if sc, err := LoadScenario(bytes.NewReader(data), FastTiming); err == nil {
			if sim, err := New(sc); err == nil {
				sameAfterReload(t, sim)
			}
		}
		if st, err := DecodeHost(data, FastTiming); err == nil {
			sim, err := New(Scenario{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := sim.AddHost(st); err == nil {
				sameAfterReload(t, sim)
			}
		}
		sim, err := New(Scenario{Hosts: []HostState{NewSessionHost("RDSH01", "2022", "contoso.com", time.Date(2027, 2, 20, 0, 0, 0, 0, time.UTC))}})
		if err != nil {
			t.Fatal(err)
		}
		if err := sim.Host("RDSH01").Patch(data); err == nil {
			sameAfterReload(t, sim)
		}
	})
}

// sameAfterReload saves the fleet as -state does, loads the file into a
// new fleet, and wants the same state back.
func sameAfterReload(t *testing.T, sim *Sim) {
	t.Helper()
	saved, err := json.Marshal(sim.Scenario())
	if err != nil {
		t.Fatalf("a running fleet cannot be saved: %v", err)
	}
	sc, err := LoadScenario(bytes.NewReader(saved), FastTiming)
	if err != nil {
		t.Fatalf("a saved fleet does not load: %v\n%s", err, saved)
	}
	back, err := New(sc)
	if err != nil {
		t.Fatalf("a saved fleet does not start: %v\n%s", err, saved)
	}
	again, err := json.Marshal(back.Scenario())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(saved, again) {
		t.Fatalf("a saved fleet reloads differently:\n%s\n%s", saved, again)
	}
}

// A merge patch that removes a field leaves the default in its place, as
// PUT and a reload do; before, the host ran with a licensing mode of 0 and
// no users until the next restart of winsim gave it 5 and Administrator.
func TestPatchRemovedFieldsTakeDefaults(t *testing.T) {
	sim, err := New(Scenario{Hosts: []HostState{NewSessionHost("RDSH01", "2022", "", time.Date(2027, 2, 20, 0, 0, 0, 0, time.UTC))}})
	if err != nil {
		t.Fatal(err)
	}
	h := sim.Host("RDSH01")
	if err := h.Patch([]byte(`{"session_host":{"config_licensing_mode":null},"users":null}`)); err != nil {
		t.Fatal(err)
	}
	st := h.State()
	if st.SessionHost.ConfigLicensingMode != 5 || len(st.Users) != 1 || st.Users[0].Name != "Administrator" {
		t.Fatalf("mode %d, users %+v", st.SessionHost.ConfigLicensingMode, st.Users)
	}
	sameAfterReload(t, sim)
}
