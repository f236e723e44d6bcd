package pscheck

import (
	"context"
	"errors"
	"os"
	"testing"
)

// ParseT is Parse for tests. When psparse cannot run because Node.js or
// tools/psparse/node_modules is missing, it fails the test with the command
// that fixes it, or skips the test when RDSLICENSING_SKIP_PSPARSE=1. Any
// other failure fails the test.
func ParseT(t testing.TB, files map[string]string) *Summary {
	t.Helper()
	s, err := Parse(context.Background(), files)
	if err != nil {
		if (errors.Is(err, ErrNoNode) || errors.Is(err, ErrNotInstalled)) && os.Getenv(SkipEnv) == "1" {
			t.Skipf("%v (skipped: %s=1)", err, SkipEnv)
		}
		if errors.Is(err, ErrNoNode) || errors.Is(err, ErrNotInstalled) {
			t.Fatalf("%v\n(to skip the PowerShell parse tests instead, set %s=1)", err, SkipEnv)
		}
		t.Fatal(err)
	}
	return s
}
