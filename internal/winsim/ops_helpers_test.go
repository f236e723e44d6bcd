package winsim

import (
	"encoding/json"
	"strings"
	"testing"
)

// testAdmin is the account handler tests run operations as.
var testAdmin = User{Name: "Administrator", Password: DefaultPassword, Admin: true}

// newTestSim builds a fleet for handler tests; it fails the test on error.
func newTestSim(t *testing.T, sc Scenario) *Sim {
	t.Helper()
	s, err := New(sc)
	if err != nil {
		t.Fatalf("winsim.New: %v", err)
	}
	return s
}

// runOp runs an operation on host h as user and decodes its result into
// out (when the operation succeeds and out is not nil).
func runOp(t *testing.T, h *Host, user User, name string, in any, out any) *opError {
	t.Helper()
	raw, err := json.Marshal(in)
	if err != nil {
		t.Fatalf("marshal input: %v", err)
	}
	res, oerr, _ := h.runOperation(user, name, raw)
	if oerr != nil {
		return oerr
	}
	if out != nil {
		b, err := json.Marshal(res)
		if err != nil {
			t.Fatalf("marshal result of %s: %v", name, err)
		}
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("decode result of %s: %v", name, err)
		}
	}
	return nil
}

// wantErr checks an operation failed with kind and a message holding every part.
func wantErr(t *testing.T, err *opError, kind string, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", kind)
	}
	if err.Kind != kind {
		t.Fatalf("kind %s (%s), want %s", err.Kind, err.Message, kind)
	}
	for _, p := range parts {
		if !strings.Contains(err.Message, p) {
			t.Errorf("message %q lacks %q", err.Message, p)
		}
	}
}
