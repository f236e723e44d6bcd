package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// winsimProc is a winsim process serving one license server (LS01) and n
// session hosts, started fresh for every apply.
type winsimProc struct {
	cmd       *exec.Cmd
	ctl       string // control API base URL
	httpsPort int
	caPath    string
	ls        string   // the license server's address
	hosts     []string // the session hosts' addresses
	marks     map[string]int64
	exited    chan struct{}
}

func startWinsim(bin, dir string, n int, timing string) (*winsimProc, error) {
	ready := filepath.Join(dir, "ready.json")
	_ = os.Remove(ready)
	logf, err := os.Create(filepath.Join(dir, "winsim.log"))
	if err != nil {
		return nil, err
	}
	w := &winsimProc{caPath: filepath.Join(dir, "ca.pem"), marks: map[string]int64{}, exited: make(chan struct{})}
	w.cmd = exec.Command(bin, "-hosts", strconv.Itoa(n), "-domain", benchDomain, "-timing", timing,
		"-http-port", "0", "-https-port", "0", "-control", "127.0.0.1:0", "-ready-file", ready, "-ca-out", w.caPath)
	w.cmd.Stdout, w.cmd.Stderr = logf, logf
	if err := w.cmd.Start(); err != nil {
		_ = logf.Close()
		return nil, err
	}
	go func() { _ = w.cmd.Wait(); _ = logf.Close(); close(w.exited) }()
	deadline := time.Now().Add(2 * time.Minute)
	var info struct {
		Control   string `json:"control"`
		HTTPSPort int    `json:"https_port"`
	}
	for {
		if b, err := os.ReadFile(ready); err == nil && json.Unmarshal(b, &info) == nil && info.Control != "" {
			break
		}
		select {
		case <-w.exited:
			return nil, fmt.Errorf("winsim exited at start:\n%s", tail(filepath.Join(dir, "winsim.log"), 20))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			w.stop()
			return nil, fmt.Errorf("winsim did not start within 2 minutes")
		}
	}
	w.ctl, w.httpsPort = "http://"+info.Control, info.HTTPSPort
	var fleet struct{ Hosts []winsim.HostSummary }
	if err := w.call(http.MethodGet, "/v1/info", nil, &fleet); err != nil {
		w.stop()
		return nil, err
	}
	for _, h := range fleet.Hosts {
		if strings.EqualFold(h.Name, "LS01") {
			w.ls = h.Address
		} else {
			w.hosts = append(w.hosts, h.Address)
		}
	}
	// The agreement the fleet's key pack installs.
	ch := winsim.ClearinghouseState{Reachable: true, Agreements: []winsim.Agreement{{
		AgreementType: benchEnterprise, Number: benchAgreement, ProductVersionID: benchProductVerID, ProductType: benchCALTypePerUsr, Count: benchCALs,
	}}}
	if err := w.call(http.MethodPut, "/v1/clearinghouse", ch, nil); err != nil {
		w.stop()
		return nil, err
	}
	return w, nil
}

func (w *winsimProc) stop() {
	_ = w.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-w.exited:
	case <-time.After(15 * time.Second):
		_ = w.cmd.Process.Kill()
		<-w.exited
	}
}

func (w *winsimProc) cpu() time.Duration {
	d, _ := procCPU(w.cmd.Process.Pid)
	return d
}

func (w *winsimProc) call(method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, w.ctl+path, body)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("winsim control API %s %s: %w", method, path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("winsim control API %s %s: %s: %s", method, path, resp.Status, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// openShells counts the WinRS shells open on all hosts: after a phase,
// the shells its client left behind.
func (w *winsimProc) openShells() (int, error) {
	var fleet struct{ Hosts []winsim.HostSummary }
	if err := w.call(http.MethodGet, "/v1/info", nil, &fleet); err != nil {
		return 0, err
	}
	n := 0
	for _, h := range fleet.Hosts {
		n += h.Shells
	}
	return n, nil
}

// traffic is what hosts saw: HTTP requests (authentication legs
// included), powershell.exe starts (Command requests answered), and
// operations by name.
type traffic struct {
	requests  int
	processes int
	ops       map[string]int
	failed    []string // operations that did not succeed
}

func (t *traffic) add(e winsim.LogEntry) {
	switch e.Event {
	case "http":
		t.requests++
		if e.Action == "Command" && e.Status == http.StatusOK {
			t.processes++
		}
	case "operation":
		if t.ops == nil {
			t.ops = map[string]int{}
		}
		t.ops[e.Operation]++
		if e.Outcome != "ok" {
			t.failed = append(t.failed, e.Operation+": "+e.Outcome+" "+e.Detail)
		}
	}
}

// collect reads every host's log since the last collect: the license
// server's traffic and the session hosts' together.
func (w *winsimProc) collect() (ls, hosts traffic, err error) {
	all := append([]string{w.ls}, w.hosts...)
	type result struct {
		t   traffic
		err error
	}
	res := make([]result, len(all))
	marks := make([]int64, len(all))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i, h := range all {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			var log []winsim.LogEntry
			if err := w.call(http.MethodGet, "/v1/hosts/"+url.PathEscape(h)+"/log?since="+strconv.FormatInt(w.marks[h], 10), nil, &log); err != nil {
				res[i].err = err
				return
			}
			marks[i] = w.marks[h]
			for _, e := range log {
				res[i].t.add(e)
				marks[i] = max(marks[i], e.Seq)
			}
		}()
	}
	wg.Wait()
	for i, h := range all {
		if res[i].err != nil {
			return ls, hosts, res[i].err
		}
		w.marks[h] = marks[i]
		t := res[i].t
		if i == 0 {
			ls = t
			continue
		}
		hosts.requests += t.requests
		hosts.processes += t.processes
		hosts.failed = append(hosts.failed, t.failed...)
		for op, c := range t.ops {
			if hosts.ops == nil {
				hosts.ops = map[string]int{}
			}
			hosts.ops[op] += c
		}
	}
	return ls, hosts, nil
}
