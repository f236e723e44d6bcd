package testenv

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// PostgresEnv names a PostgreSQL server the tests may use (a connection
// string, e.g. postgres://postgres@127.0.0.1:55432/postgres?sslmode=disable);
// .ci/run starts one and sets it. Tests keep apart by schema.
const PostgresEnv = "RDSLICENSING_TEST_PG_CONN_STR"

// Postgres returns the connection string of a PostgreSQL server: the one
// PostgresEnv names, or else a throwaway cluster that tools/pg-cluster.sh
// starts for this test and stops after it. Without PostgreSQL's server
// binaries the test is skipped, unless CI=true: CI must run it.
func Postgres(t testing.TB) string {
	t.Helper()
	if s := os.Getenv(PostgresEnv); s != "" {
		return s
	}
	// Not t.TempDir: as root the cluster runs as user postgres, who
	// cannot enter the 0700 directories above it.
	dir, err := os.MkdirTemp("", "rdslicensing-pg-") //nolint:usetesting // must be reachable by another user
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	_ = l.Close()
	script := filepath.Join(repoRoot(), "tools", "pg-cluster.sh")
	var stderr strings.Builder
	cmd := exec.Command("bash", script, "start", dir, port)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 3 {
		msg := "needs PostgreSQL (apt-get install postgresql, or set " + PostgresEnv + "): " + strings.TrimSpace(stderr.String())
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	if err != nil {
		t.Fatalf("start PostgreSQL: %v\n%s", err, stderr.String())
	}
	t.Cleanup(func() {
		if out, err := exec.Command("bash", script, "stop", dir).CombinedOutput(); err != nil {
			t.Logf("stop PostgreSQL: %v\n%s", err, out)
		}
	})
	return strings.TrimSpace(string(out))
}

func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// PostgresSchema is a schema name unique to this test run, so that tests
// sharing a server keep their states apart.
func PostgresSchema(t testing.TB, prefix string) string {
	t.Helper()
	return fmt.Sprintf("%s_%016x", prefix, rand.Uint64())
}
