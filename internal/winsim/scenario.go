package winsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// LoadScenario reads a scenario. Each host starts from the defaults (WinRM
// configuration, quirks, timing) and the file overrides what it names, so
// a scenario lists only what matters to it.
func LoadScenario(r io.Reader, timing Realism) (Scenario, error) {
	var raw struct {
		// Schema names the file's JSON schema, for editors; winsim ignores it.
		Schema        string             `json:"$schema"`
		Hosts         []json.RawMessage  `json:"hosts"`
		Clearinghouse ClearinghouseState `json:"clearinghouse"`
	}
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return Scenario{}, fmt.Errorf("scenario: %w", err)
	}
	sc := Scenario{Clearinghouse: raw.Clearinghouse}
	for i, h := range raw.Hosts {
		st, err := DecodeHost(h, timing)
		if err != nil {
			return Scenario{}, fmt.Errorf("scenario: host %d: %w", i+1, err)
		}
		sc.Hosts = append(sc.Hosts, st)
	}
	return sc, nil
}

// DecodeHost reads one host's JSON on top of the defaults.
func DecodeHost(b []byte, timing Realism) (HostState, error) {
	st := HostState{WinRM: DefaultWinRM, Quirks: DefaultQuirks, Realism: timing}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil {
		return HostState{}, err
	}
	return st, nil
}

// LoadScenarioFile reads a scenario file.
func LoadScenarioFile(path string, timing Realism) (Scenario, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Scenario{}, err
	}
	return LoadScenario(bytes.NewReader(b), timing)
}

// SaveScenarioFile writes the fleet's state atomically.
func (s *Sim) SaveScenarioFile(path string) error {
	b, err := json.MarshalIndent(s.Scenario(), "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".winsim-*.json")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// mergePatch applies an RFC 7386 JSON merge patch to doc.
func mergePatch(doc, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	d, ok := doc.(map[string]any)
	if !ok {
		d = map[string]any{}
	}
	for k, v := range p {
		if v == nil {
			delete(d, k)
			continue
		}
		d[k] = mergePatch(d[k], v)
	}
	return d
}

// Patch applies a JSON merge patch to the host's state ("set the session
// host's licensing mode to 4": {"session_host":{"config_licensing_mode":4}}).
func (h *Host) Patch(patch []byte) error {
	var p any
	if err := json.Unmarshal(patch, &p); err != nil {
		return fmt.Errorf("patch: %w", err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	cur, err := json.Marshal(h.state)
	if err != nil {
		return err
	}
	var doc any
	if err := json.Unmarshal(cur, &doc); err != nil {
		return err
	}
	merged, err := json.Marshal(mergePatch(doc, p))
	if err != nil {
		return err
	}
	var st HostState
	dec := json.NewDecoder(bytes.NewReader(merged))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil {
		return fmt.Errorf("patch: %w", err)
	}
	// As Replace and a reload do: a field the patch removed takes its
	// default, so the state holds what a saved copy loads back as.
	st = withDefaults(st)
	if st.Address == "" {
		st.Address = h.view().Address
	}
	if err := validateHost(&st); err != nil {
		return err
	}
	return h.commit(st)
}
