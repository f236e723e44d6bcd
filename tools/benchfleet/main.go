// Command benchfleet measures a fleet refresh and apply against winsim,
// side by side with the floors they cannot beat, in one run:
//
//	go run ./tools/benchfleet -n 500 -p "10 50" -runs 3 -timing realistic
//	make bench-fleet N=500 P="10 50"
//
// It applies examples/fleet (a license server, and a session host policy
// and diagnostics per session host) to a freshly started winsim with N
// session hosts over HTTPS and NTLM, then plans it again (no changes), at
// -parallelism=P, and interleaves the floors: the same graph on
// terraform_data with no provider (core alone, mirror.go) and the
// provider's client running the same remote operations without
// Terraform (engine alone, engine.go). It prints a table, then the ratio
// of each CLI phase to its floor; the last line is plan_over_floor=R.
// See docs/design/performance.md.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

type options struct {
	repo   string // the repository's root
	root   string // the root module, relative to repo
	work   string // the work directory ("" for a temporary one)
	keep   bool
	n      int
	ps     []int
	runs   int
	timing string
	cli    string
}

func main() {
	if os.Getenv(engineEnv) != "" {
		engineMain()
		return
	}
	o := &options{}
	var ps string
	flag.StringVar(&o.repo, "repo", ".", "the repository's root")
	flag.StringVar(&o.root, "root", "examples/fleet", "the root module to benchmark, under examples/")
	flag.StringVar(&o.work, "work", "", "work directory (default: a temporary one, removed unless -keep or a failure)")
	flag.BoolVar(&o.keep, "keep", false, "keep the work directory: configurations, state, CLI and winsim logs")
	flag.IntVar(&o.n, "n", 500, "session hosts")
	flag.StringVar(&ps, "p", "50", "parallelism: one value or a list (\"10 50\")")
	flag.IntVar(&o.runs, "runs", 3, "runs of every phase, interleaved")
	flag.StringVar(&o.timing, "timing", "realistic", "winsim timing: realistic, warm (realistic without shell creation or process start) or fast")
	flag.StringVar(&o.cli, "cli", "tofu", "tofu (.tools/bin/tofu, else on PATH), terraform (on PATH), or a path")
	flag.Parse()
	var err error
	if o.ps, err = parsePs(ps); err == nil {
		err = run(o, os.Stdout, os.Stderr)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchfleet:", err)
		os.Exit(1)
	}
}

func parsePs(s string) ([]int, error) {
	var out []int
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' }) {
		p, err := strconv.Atoi(f)
		if err != nil || p < 1 {
			return nil, fmt.Errorf("-p %q: give positive numbers, e.g. \"10 50\"", s)
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("-p: give at least one parallelism")
	}
	return out, nil
}

func resolveCLI(repo, cli string) (string, error) {
	switch cli {
	case "tofu":
		if p := filepath.Join(repo, ".tools", "bin", "tofu"); fileExists(p) {
			return filepath.Abs(p)
		}
		return exec.LookPath("tofu")
	case "terraform":
		return exec.LookPath("terraform")
	}
	if !fileExists(cli) {
		return "", fmt.Errorf("-cli %s: no such file (use tofu, terraform or a path)", cli)
	}
	return filepath.Abs(cli)
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// bench is one benchmark run's state.
type bench struct {
	o       *options
	w       *workspace
	provExe string
	logs    string
	provEnv []string // the CLI with the provider (RDSLICENSING_* added per winsim)
	coreEnv []string
	samples []sample
	logf    func(string, ...any)
}

// sample is one phase's measurement.
type sample struct {
	phase     string
	p         int
	u         usage
	remote    bool // ls and hosts hold winsim's traffic
	ls, hosts traffic
	winsimCPU time.Duration
	// shellsLeft is how many shells were open on the hosts after the
	// phase: its client's, which it should have deleted as it exited.
	shellsLeft int
	load       float64
}

const (
	phApply       = "apply"
	phPlan        = "plan"
	phEngineApply = "engine-apply"
	// The engine's apply in two clients, one after the other, as the
	// CLI's apply runs two provider processes (engine.go, runEngine).
	phEngineApplyCLI = "engine-apply-cli"
	phEnginePlan     = "engine-plan"
	phCoreApply      = "core-apply"
	phCorePlan       = "core-plan"
)

var phaseOrder = []string{phApply, phPlan, phEngineApply, phEngineApplyCLI, phEnginePlan, phCoreApply, phCorePlan}

func run(o *options, stdout, progress io.Writer) (err error) {
	logf := func(format string, a ...any) { _, _ = fmt.Fprintf(progress, "benchfleet: "+format+"\n", a...) }
	if o.n < 1 || o.runs < 1 {
		return fmt.Errorf("-n and -runs must be at least 1")
	}
	if o.timing != "realistic" && o.timing != "warm" && o.timing != "fast" {
		return fmt.Errorf("-timing must be realistic, warm or fast, not %q", o.timing)
	}
	if o.repo, err = filepath.Abs(o.repo); err != nil {
		return err
	}
	if o.cli, err = resolveCLI(o.repo, o.cli); err != nil {
		return err
	}
	if _, err := rootUnderExamples(o.repo, o.root); err != nil {
		return err
	}
	if o.work == "" {
		if o.work, err = os.MkdirTemp("", "benchfleet-"); err != nil {
			return err
		}
		defer func() {
			if err != nil || o.keep {
				logf("work directory kept: %s", o.work)
				return
			}
			_ = os.RemoveAll(o.work)
		}()
	} else if o.work, err = filepath.Abs(o.work); err != nil {
		return err
	}
	w, err := prepare(o, logf)
	if err != nil {
		return err
	}
	b := &bench{o: o, w: w, logs: filepath.Join(o.work, "logs"), logf: logf}
	if err := os.MkdirAll(b.logs, 0o755); err != nil {
		return err
	}
	if b.provExe, err = filepath.EvalSymlinks(w.provider); err != nil {
		return err
	}
	base := cliEnv()
	b.provEnv = append(base, "TF_CLI_CONFIG_FILE="+w.devConfig)
	b.coreEnv = append(append([]string(nil), base...), "TF_CLI_CONFIG_FILE="+w.coreConfig)

	if _, err := b.cliOK("get", 0, w.provRoot, b.provEnv, "get", "-no-color"); err != nil {
		return err
	}
	if err := w.mirror(b.provEnv); err != nil {
		return err
	}
	if _, err := b.cliOK("get", 0, w.coreRoot, b.coreEnv, "get", "-no-color"); err != nil {
		return err
	}

	loadStart := loadAvg()
	started := time.Now()
	for r := 1; r <= o.runs; r++ {
		for _, p := range o.ps {
			// Alternate which goes first, so that drift in the machine's
			// load spreads over both. The first run starts with winsim,
			// which gives the fleet's addresses.
			if r%2 == 1 {
				err = b.providerRun(r, p)
				if err == nil {
					err = b.coreRun(r, p)
				}
			} else {
				err = b.coreRun(r, p)
				if err == nil {
					err = b.providerRun(r, p)
				}
			}
			if err != nil {
				return err
			}
		}
	}
	return b.report(stdout, loadStart, loadAvg(), time.Since(started))
}

// cliEnv is this process's environment without the settings that would
// change what the CLI or the provider does, and with the checkpoint
// (Terraform's update check) off.
func cliEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "TF_") || strings.HasPrefix(k, "RDSLICENSING_") || k == "CHECKPOINT_DISABLE" {
			continue
		}
		out = append(out, kv)
	}
	return append(out, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "TF_INPUT=0")
}

// cliOK runs the CLI and fails unless it exits 0.
func (b *bench) cliOK(name string, r int, dir string, env []string, args ...string) (usage, error) {
	logPath := filepath.Join(b.logs, fmt.Sprintf("r%d-%s.log", r, name))
	prov := ""
	if dir == b.w.provRoot {
		prov = b.provExe
	}
	u, err := runCLI(b.w.cli, dir, env, logPath, prov, args...)
	if err != nil {
		return u, err
	}
	if u.exit != 0 {
		what := fmt.Sprintf("%s %s failed (exit %d)", filepath.Base(b.w.cli), strings.Join(args, " "), u.exit)
		if u.exit == 2 && args[0] == "plan" {
			what = "the plan after apply is not empty (exit 2): the benchmark measures a no-change plan"
		}
		return u, fmt.Errorf("%s; %s:\n%s", what, logPath, tail(logPath, 30))
	}
	return u, nil
}

func (b *bench) coreRun(r, p int) error {
	root := b.w.coreRoot
	removeState(root)
	par := fmt.Sprintf("-parallelism=%d", p)
	for _, ph := range []struct {
		name string
		args []string
	}{
		{phCoreApply, []string{"apply", "-auto-approve", "-input=false", "-no-color", par}},
		{phCorePlan, []string{"plan", "-detailed-exitcode", "-input=false", "-no-color", par}},
	} {
		u, err := b.cliOK(fmt.Sprintf("p%d-%s", p, ph.name), r, root, b.coreEnv, ph.args...)
		if err != nil {
			return err
		}
		b.add(sample{phase: ph.name, p: p, u: u, load: loadAvg()}, r)
	}
	return nil
}

func (b *bench) providerRun(r, p int) error {
	dir := filepath.Join(b.o.work, "winsim")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	ws, err := startWinsim(b.w.winsim, dir, b.o.n, b.o.timing)
	if err != nil {
		return err
	}
	defer ws.stop()
	if err := b.w.writeVars(ws.ls, ws.hosts); err != nil {
		return err
	}
	env := append(append([]string(nil), b.provEnv...),
		"RDSLICENSING_PORT="+strconv.Itoa(ws.httpsPort), "RDSLICENSING_CA_CERT="+ws.caPath,
		"RDSLICENSING_USERNAME=Administrator", "RDSLICENSING_PASSWORD="+winsim.DefaultPassword)
	root := b.w.provRoot
	removeState(root)
	par := fmt.Sprintf("-parallelism=%d", p)
	for _, ph := range []struct {
		name string
		args []string
	}{
		{phApply, []string{"apply", "-auto-approve", "-input=false", "-no-color", par}},
		{phPlan, []string{"plan", "-detailed-exitcode", "-input=false", "-no-color", par}},
	} {
		cpu0 := ws.cpu()
		u, err := b.cliOK(fmt.Sprintf("p%d-%s", p, ph.name), r, root, env, ph.args...)
		if err != nil {
			return err
		}
		if err := b.addRemote(sample{phase: ph.name, p: p, u: u}, ws, cpu0, r); err != nil {
			return err
		}
	}
	if err := b.engine(phEnginePlan, "plan", r, p, ws); err != nil {
		return err
	}
	ws.stop()

	// Each engine apply needs a fleet as fresh as the CLI's.
	for _, ph := range [][2]string{{phEngineApply, "apply"}, {phEngineApplyCLI, "apply-cli"}} {
		if err := b.engineOnFreshFleet(ph[0], ph[1], r, p, dir); err != nil {
			return err
		}
	}
	return nil
}

// engineOnFreshFleet runs the engine's mode against a winsim of its own.
func (b *bench) engineOnFreshFleet(phase, mode string, r, p int, dir string) error {
	ws, err := startWinsim(b.w.winsim, dir, b.o.n, b.o.timing)
	if err != nil {
		return err
	}
	defer ws.stop()
	return b.engine(phase, mode, r, p, ws)
}

func (b *bench) engine(phase, mode string, r, p int, ws *winsimProc) error {
	job := engineJob{Mode: mode, Port: ws.httpsPort, CACert: ws.caPath, Password: winsim.DefaultPassword, LS: ws.ls, Hosts: ws.hosts, Parallelism: p}
	cpu0 := ws.cpu()
	u, err := startEngine(job, filepath.Join(b.logs, fmt.Sprintf("r%d-p%d-%s.log", r, p, phase)))
	if err != nil {
		return err
	}
	return b.addRemote(sample{phase: phase, p: p, u: u}, ws, cpu0, r)
}

// addRemote completes a sample with winsim's CPU time and the hosts'
// traffic; an operation that failed on a host fails the benchmark.
func (b *bench) addRemote(s sample, ws *winsimProc, cpu0 time.Duration, r int) error {
	s.winsimCPU = ws.cpu() - cpu0
	s.load = loadAvg()
	var err error
	if s.shellsLeft, err = ws.openShells(); err != nil {
		return err
	}
	if s.ls, s.hosts, err = ws.collect(); err != nil {
		return err
	}
	if failed := append(s.ls.failed, s.hosts.failed...); len(failed) > 0 {
		return fmt.Errorf("%s (P=%d): %d operations failed on the hosts, e.g. %s", s.phase, s.p, len(failed), failed[0])
	}
	s.remote = true
	b.add(s, r)
	return nil
}

func (b *bench) add(s sample, r int) {
	b.samples = append(b.samples, s)
	extra := ""
	if s.remote {
		extra = fmt.Sprintf(", %.1f requests and %.2f powershell.exe per session host, %d shells left", float64(s.hosts.requests)/float64(b.o.n), float64(s.hosts.processes)/float64(b.o.n), s.shellsLeft)
	}
	b.logf("run %d/%d P=%d %-12s %7.2f s%s (load %.1f)", r, b.o.runs, s.p, s.phase, s.u.wall.Seconds(), extra, s.load)
}

func removeState(dir string) {
	for _, f := range []string{"terraform.tfstate", "terraform.tfstate.backup"} {
		_ = os.Remove(filepath.Join(dir, f))
	}
}

var numCPU = runtime.NumCPU
