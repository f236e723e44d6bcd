package provider

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/testenv"
)

// mirrorCLIRun is newCLIRun with the provider installed the way users
// install a release, from a filesystem mirror, so that a plain init
// works: a backend needs init, which development overrides break.
func mirrorCLIRun(t *testing.T, e *accEnv, example string, vars map[string]string) *cliRun {
	t.Helper()
	r := newCLIRun(t, e, example, vars)
	rc, err := testenv.ProviderMirror(t.TempDir(), filepath.Join(providerBinary(t), "terraform-provider-rdslicensing"))
	if err != nil {
		t.Fatal(err)
	}
	r.env = append(r.env, "TF_CLI_CONFIG_FILE="+rc) // the last value wins
	return r
}

// lockedBuffer is a process's output, read while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// background is a CLI command running while the test goes on.
type background struct {
	out  *lockedBuffer
	done chan struct{}
	err  error
}

func (r *cliRun) start(args ...string) *background {
	r.t.Helper()
	cmd := exec.Command(os.Getenv("TF_ACC_TERRAFORM_PATH"), append(args, "-no-color")...)
	cmd.Dir, cmd.Env = r.dir, r.env
	bg := &background{out: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = bg.out, bg.out
	if err := cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	go func() { bg.err = cmd.Wait(); close(bg.done) }()
	r.t.Cleanup(func() { _ = cmd.Process.Kill(); <-bg.done })
	return bg
}

// pulledState is the part of a state file the test checks.
type pulledState struct {
	Version   int    `json:"version"`
	Serial    int    `json:"serial"`
	Lineage   string `json:"lineage"`
	Resources []struct {
		Module    string            `json:"module"`
		Type      string            `json:"type"`
		Mode      string            `json:"mode"`
		Instances []json.RawMessage `json:"instances"`
	} `json:"resources"`
}

func pullState(t *testing.T, r *cliRun) pulledState {
	t.Helper()
	cmd := exec.Command(os.Getenv("TF_ACC_TERRAFORM_PATH"), "state", "pull")
	cmd.Dir, cmd.Env = r.dir, r.env
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("state pull: %v", err)
	}
	var st pulledState
	if err := json.Unmarshal(out, &st); err != nil {
		t.Fatalf("the state does not parse: %v\n%s", err, out)
	}
	return st
}

// policiesIn counts the session host policies a state holds.
func (st pulledState) policies() int {
	n := 0
	for _, r := range st.Resources {
		if r.Mode == "managed" && r.Type == "rdslicensing_session_host_policy" {
			n += len(r.Instances)
		}
	}
	return n
}

// examples/estate with its states in PostgreSQL (the pg backend): the
// license server's root module, then a site's, which reads the license
// server from its state. Two applies of the site run at once, from two
// working directories as two CI runners would: while the first holds the
// lock, one started with -lock-timeout=0s fails on it and one started
// with -lock-timeout=10m waits, then finds nothing left to do. The state
// parses, holds every policy once, and goes on counting.
func TestAccExampleEstateStateLocking(t *testing.T) {
	e, addrs := fleetScenario(t, 3)
	conn := testenv.Postgres(t)
	lsSchema, siteSchema := testenv.PostgresSchema(t, "ls"), testenv.PostgresSchema(t, "sites")

	ls := mirrorCLIRun(t, e, "estate/license-server", map[string]string{
		"license_server": "127.0.50.1",
		"contact":        `{first_name="Ada",last_name="Lovelace",company="Contoso Ltd",country_region="United Kingdom"}`,
		"key_packs":      `{enterprise={program="agreement",agreement_type="enterprise",product_version="2022",cal_type="per_user",quantity=200}}`,
		"key_pack_codes": `{enterprise={agreement_number="7777777"}}`,
	})
	ls.env = append(ls.env, "PG_CONN_STR="+conn)
	ls.run("init", "-backend-config=schema_name="+lsSchema)
	ls.run("apply", "-auto-approve")

	vars := map[string]string{"session_hosts": jsonString(addrs), "license_server_state_schema": lsSchema}
	runner1 := mirrorCLIRun(t, e, "estate/site", vars)
	runner2 := mirrorCLIRun(t, e, "estate/site", vars)
	for i, r := range []*cliRun{runner1, runner2} {
		r.env = append(r.env, "PG_CONN_STR="+conn)
		r.run("init", "-backend-config=schema_name="+siteSchema)
		if i == 0 {
			r.run("workspace", "new", "london")
		}
		r.env = append(r.env, "TF_WORKSPACE=london")
	}

	// The first apply stops at its first operation on a session host:
	// it holds the lock there, and has written nothing yet.
	hold := e.Host(addrs[0]).Hold("")
	first := runner1.start("apply", "-auto-approve")
	select {
	case <-hold.Reached():
	case <-first.done:
		t.Fatalf("the first apply ended before reaching the session host: %v\n%s", first.err, first.out)
	}
	out, err := runner2.try("apply", "-auto-approve", "-lock-timeout=0s")
	if err == nil || !errorText("Error acquiring the state lock", "Workspace is already locked: london").MatchString(out) {
		t.Fatalf("an apply with -lock-timeout=0s while another holds the lock: %v\n%s", err, out)
	}
	waiter := runner2.start("apply", "-auto-approve", "-lock-timeout=10m")
	for !strings.Contains(waiter.out.String(), "Acquiring state lock") {
		select {
		case <-waiter.done:
			t.Fatalf("the apply with -lock-timeout=10m ended while the lock was held: %v\n%s", waiter.err, waiter.out)
		case <-first.done:
			t.Fatalf("the first apply ended while held: %v\n%s", first.err, first.out)
		case <-time.After(100 * time.Millisecond):
		}
	}
	hold.Release()
	<-first.done
	if first.err != nil || !strings.Contains(first.out.String(), "Resources: 3 added, 0 changed, 0 destroyed") {
		t.Fatalf("the first apply: %v\n%s", first.err, first.out)
	}
	<-waiter.done
	if waiter.err != nil || !strings.Contains(waiter.out.String(), "Resources: 0 added, 0 changed, 0 destroyed") {
		t.Fatalf("the apply that waited did not find the first one's work done: %v\n%s", waiter.err, waiter.out)
	}
	for _, a := range addrs {
		sets := 0
		for _, l := range e.Host(a).Log(0) {
			if l.Event == "operation" && l.Operation == "set_session_host_licensing" {
				sets++
			}
		}
		if sets != 1 {
			t.Errorf("%s: licensing set %d times, want once", a, sets)
		}
	}

	st := pullState(t, runner2)
	if st.Version != 4 || st.Serial < 1 || st.Lineage == "" || st.policies() != 3 {
		t.Fatalf("state after the two applies: version %d serial %d lineage %q, %d policies (want 3)", st.Version, st.Serial, st.Lineage, st.policies())
	}
	// A change goes on from there: the serial counts up, the lineage stays.
	runner1.env = append(runner1.env, "TF_VAR_licensing_mode=per_device")
	runner2.env = append(runner2.env, "TF_VAR_licensing_mode=per_device")
	runner1.run("apply", "-auto-approve")
	after := pullState(t, runner1)
	if after.Serial <= st.Serial || after.Lineage != st.Lineage || after.policies() != 3 {
		t.Fatalf("state after a change: serial %d (before %d), lineage %q (before %q), %d policies", after.Serial, st.Serial, after.Lineage, st.Lineage, after.policies())
	}
	for _, a := range addrs {
		if mode := e.Host(a).State().SessionHost.PolicyLicensingMode; mode == nil || *mode != 2 {
			t.Errorf("%s: licensing mode %v after the change to per_device", a, mode)
		}
	}
	if out, err := runner2.try("plan", "-detailed-exitcode"); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == 2 {
			t.Fatalf("the plan after the change, from the other runner, is not empty:\n%s", out)
		}
		t.Fatalf("plan: %v\n%s", err, out)
	}
}
