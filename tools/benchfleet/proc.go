package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Linux accounts CPU time in /proc in ticks of 1/100 s (USER_HZ, 100 on
// every architecture Go supports on Linux).
const userHZ = 100

// procCPU is a process's user and system CPU time so far.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	// f[0] is field 3 (state): utime and stime are fields 14 and 15.
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	return time.Duration(ut+st) * time.Second / userHZ, nil
}

// procHWM is a process's peak resident set size (VmHWM) in bytes.
func procHWM(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("/proc/%d/status: no VmHWM", pid)
}

// children lists a process's child processes (of all its threads).
func children(pid int) []int {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	var out []int
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(f); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

func loadAvg() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return -1
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}

// usage is what a command cost.
type usage struct {
	wall time.Duration
	// cli is the CPU time of the command itself (for the CLI: without its
	// provider processes).
	cli time.Duration
	// client is the provider processes' CPU time and peak RSS (the
	// largest of them), or the engine's.
	clientCPU time.Duration
	clientRSS int64
	clients   int
	exit      int
}

// providerWatch polls the CLI's child processes running the provider
// binary every 50 ms: their last CPU time and peak RSS. A provider's
// last 50 ms of CPU before it exits can be missed.
type providerWatch struct {
	exe  string
	mu   sync.Mutex
	cpu  map[int]time.Duration
	hwm  map[int]int64
	stop chan struct{}
	done chan struct{}
}

func watchProviders(cliPID int, exe string) *providerWatch {
	w := &providerWatch{exe: exe, cpu: map[int]time.Duration{}, hwm: map[int]int64{}, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			w.poll(cliPID)
			select {
			case <-w.stop:
				return
			case <-t.C:
			}
		}
	}()
	return w
}

func (w *providerWatch) poll(cliPID int) {
	for _, pid := range children(cliPID) {
		if exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid)); err != nil || exe != w.exe {
			continue
		}
		cpu, err1 := procCPU(pid)
		hwm, err2 := procHWM(pid)
		w.mu.Lock()
		if err1 == nil && cpu > w.cpu[pid] {
			w.cpu[pid] = cpu
		}
		if err2 == nil && hwm > w.hwm[pid] {
			w.hwm[pid] = hwm
		}
		w.mu.Unlock()
	}
}

func (w *providerWatch) finish() (cpu time.Duration, rss int64, n int) {
	close(w.stop)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	for pid, c := range w.cpu {
		cpu += c
		rss = max(rss, w.hwm[pid])
	}
	return cpu, rss, len(w.cpu)
}

func rusageCPU(ps *os.ProcessState) (time.Duration, int64) {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), ru.Maxrss * 1024
}

// runCLI runs the CLI in dir with its output in logPath, watching the
// provider processes it starts (providerExe; "" for none).
func runCLI(cli, dir string, env []string, logPath, providerExe string, args ...string) (usage, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return usage{}, err
	}
	defer func() { _ = logf.Close() }()
	cmd := exec.Command(cli, args...)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, env, logf, logf
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return usage{}, err
	}
	var pw *providerWatch
	if providerExe != "" {
		pw = watchProviders(cmd.Process.Pid, providerExe)
	}
	werr := cmd.Wait()
	u := usage{wall: time.Since(start)}
	if pw != nil {
		u.clientCPU, u.clientRSS, u.clients = pw.finish()
	}
	// The CLI's rusage includes the provider processes it waited for.
	total, _ := rusageCPU(cmd.ProcessState)
	u.cli = max(total-u.clientCPU, 0)
	if werr != nil {
		if _, ok := werr.(*exec.ExitError); !ok {
			return u, werr
		}
	}
	u.exit = cmd.ProcessState.ExitCode()
	return u, nil
}

// tail is the end of a log file, for error messages.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
