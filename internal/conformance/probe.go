// Package conformance is the read-only conformance probe: it runs every
// read-only operation and get_windows_facts on a real server, keeps a
// sanitised transcript of what the server answered, and compares each
// observed fact with the Windows facts catalog (cmd/winsim probe).
package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
)

// TranscriptFormat is the version of the transcript's JSON.
const TranscriptFormat = 1

// Transcript is what the probe keeps of a server: its observations by
// probe key, and each read-only operation's result or error, sanitised.
type Transcript struct {
	Format int `json:"format"`
	// KeptNames: host and domain names were left in (-keep-names).
	KeptNames    bool              `json:"kept_names"`
	Observations map[string]string `json:"observations"`
	Operations   []Record          `json:"operations"`
	// WriteCycle is how the lab write cycle ended: "" when not asked for,
	// else one of the Cycle* values.
	WriteCycle string `json:"write_cycle,omitempty"`
}

// How the write cycle ended.
const (
	CycleRestored       = "changed and restored"
	CycleRefused        = "refused, nothing changed"
	CycleFailedRestored = "failed, restored"
	CycleNotRestored    = "failed, NOT restored"
)

// Record is one operation's answer.
type Record struct {
	Name   string          `json:"name"`
	Result json.RawMessage `json:"result,omitempty"`
	Error  *RecordError    `json:"error,omitempty"`
}

// RecordError is a failed operation's kind and message.
type RecordError struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

// Options tune the probe.
type Options struct {
	// KeepNames leaves host and domain names in the transcript.
	KeepNames bool
	// Names are more names to replace (the host as the user typed it);
	// Secrets are strings that must never appear (the password).
	Names   []string
	Secrets []string
	// WriteCycle runs the reversible write cycle (WriteCycle) after the
	// read-only operations: for lab session hosts only.
	WriteCycle bool
}

// Placeholders that replace names in the transcript.
const (
	HostPlaceholder   = "HOST"
	DomainPlaceholder = "example.test"
	Redacted          = "<redacted>"
)

// Probe runs every read-only operation on host (and the write cycle when
// asked) and returns the sanitised transcript. Operations that fail
// (list_key_packs on a host without the role) are recorded; only a failure
// of get_host_info, which every server answers, stops the probe. A write
// cycle that fails returns its error with the transcript.
func Probe(ctx context.Context, r rds.Runner, host string, opt Options) (Transcript, error) {
	t := Transcript{Format: TranscriptFormat, KeptNames: opt.KeepNames, Observations: map[string]string{}}
	var info rds.HostInfo
	for _, op := range rds.Operations() {
		if !rds.ReadOnly(op.Name) {
			continue
		}
		// Each operation's zero input: no license servers to check, no codes.
		in := reflect.New(op.Input).Interface()
		var out json.RawMessage
		rec := Record{Name: op.Name}
		if err := r.Run(ctx, host, op.Operation, in, &out); err != nil {
			var we *winrmclient.Error
			if op.Name == rds.GetHostInfo.Name || !errors.As(err, &we) {
				return Transcript{}, fmt.Errorf("%s: %w", op.Name, err)
			}
			rec.Error = &RecordError{Kind: string(we.Kind), Message: we.Message}
		} else {
			rec.Result = out
		}
		switch op.Name {
		case rds.GetHostInfo.Name:
			if err := json.Unmarshal(out, &info); err != nil {
				return Transcript{}, fmt.Errorf("get_host_info: %w", err)
			}
		case rds.GetWindowsFacts.Name:
			var f rds.WindowsFacts
			if rec.Error == nil {
				if err := json.Unmarshal(out, &f); err != nil {
					return Transcript{}, fmt.Errorf("get_windows_facts: %w", err)
				}
				t.Observations = f.Observations
			}
		}
		t.Operations = append(t.Operations, rec)
	}
	var cycleErr error
	if opt.WriteCycle {
		var obs map[string]string
		var recs []Record
		obs, recs, cycleErr = WriteCycle(ctx, r, host)
		for k, v := range obs {
			t.Observations[k] = v
		}
		t.Operations = append(t.Operations, recs...)
		t.WriteCycle = cycleOutcome(cycleErr, len(obs) > 0 || len(recs) > 1)
	}
	if err := sanitise(&t, info, opt); err != nil {
		return Transcript{}, err
	}
	return t, cycleErr
}

func cycleOutcome(err error, changed bool) string {
	switch {
	case err == nil:
		return CycleRestored
	case errors.Is(err, ErrNotRestored):
		return CycleNotRestored
	case !changed:
		return CycleRefused
	}
	return CycleFailedRestored
}

// redactedKeys are result fields that hold codes, IDs, people or other
// hosts' names: their values never reach the transcript.
var redactedKeys = map[string]bool{
	"license_server_id": true, "product_id": true, "code_tag": true, "owner": true, "request_id": true,
	"hardware_id": true, "issued_to_user": true, "issued_to_computer": true, "user": true,
	"first_name": true, "last_name": true, "company": true, "email": true, "org_unit": true,
	"address": true, "city": true, "state": true, "postal_code": true, "country_region": true,
	"specified_license_servers": true, "config_license_servers": true, "policy_license_servers": true,
	"server": true, "database_path": true,
}

// sanitise redacts codes, IDs and people everywhere, and (unless
// KeepNames) replaces the host's names and domain with placeholders.
func sanitise(t *Transcript, info rds.HostInfo, opt Options) error {
	var repl []string
	if !opt.KeepNames {
		type pair struct{ from, to string }
		var pairs []pair
		add := func(from, to string) {
			if from = strings.TrimSpace(from); from != "" && !strings.EqualFold(from, to) {
				pairs = append(pairs, pair{from, to})
			}
		}
		add(info.DNSHostName, strings.ToLower(HostPlaceholder)+"."+DomainPlaceholder)
		if info.PartOfDomain {
			add(info.Domain, DomainPlaceholder)
		} else {
			add(info.Domain, "WORKGROUP")
		}
		add(info.ComputerName, HostPlaceholder)
		for _, n := range opt.Names {
			add(n, HostPlaceholder)
		}
		// Longest first: the FQDN before the domain and the host name in it.
		sort.SliceStable(pairs, func(i, j int) bool { return len(pairs[i].from) > len(pairs[j].from) })
		for _, p := range pairs {
			repl = append(repl, p.from, p.to)
		}
	}
	clean := func(s string) string {
		for _, secret := range opt.Secrets {
			if secret != "" && strings.Contains(s, secret) {
				return Redacted
			}
		}
		for i := 0; i < len(repl); i += 2 {
			s = replaceFold(s, repl[i], repl[i+1])
		}
		return s
	}
	for k, v := range t.Observations {
		t.Observations[k] = clean(v)
	}
	for i := range t.Operations {
		rec := &t.Operations[i]
		if rec.Error != nil {
			rec.Error.Message = clean(rec.Error.Message)
		}
		if len(rec.Result) == 0 {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(rec.Result))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("%s: %w", rec.Name, err)
		}
		b, err := json.Marshal(walk(v, false, clean))
		if err != nil {
			return err
		}
		rec.Result = b
	}
	return nil
}

// walk rebuilds a decoded JSON value with its strings cleaned, and those
// under a redacted key replaced.
func walk(v any, redact bool, clean func(string) string) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = walk(e, redact || redactedKeys[k], clean)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = walk(e, redact, clean)
		}
		return x
	case string:
		if redact && x != "" {
			return Redacted
		}
		return clean(x)
	}
	return v
}

// replaceFold replaces every case-insensitive occurrence of old in s that
// stands as a whole name ("LS01" in "LS01.contoso.com", not "SERVER" in
// "Windows Server"). It folds ASCII case only, so that byte offsets in the
// lower-cased string are offsets in s (strings.ToLower changes the length
// of some non-ASCII letters).
func replaceFold(s, old, replacement string) string {
	lower, lowerOld := asciiLower(s), asciiLower(old)
	if old == "" || !strings.Contains(lower, lowerOld) {
		return s
	}
	var b strings.Builder
	for from := 0; ; {
		i := strings.Index(lower[from:], lowerOld)
		if i < 0 {
			b.WriteString(s[from:])
			return b.String()
		}
		i += from
		end := i + len(old)
		if (i > 0 && nameByte(s[i-1])) || (end < len(s) && nameByte(s[end])) {
			b.WriteString(s[from:end])
		} else {
			b.WriteString(s[from:i])
			b.WriteString(replacement)
		}
		from = end
	}
}

// asciiLower lower-cases ASCII letters byte by byte (strings.Map would
// turn invalid UTF-8 into 3-byte U+FFFD).
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func nameByte(c byte) bool {
	return c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
