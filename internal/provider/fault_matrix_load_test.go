package provider

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// The fault matrix's concurrency rows: several OpenTofu processes (the
// provider binary, one process per command, as users run it) on one
// host, a host's shell quota, and a fleet at -parallelism=50.
// docs/guides/reliability.md describes them.

// ldHeader is the terraform block of the binary runs (newCLIRun).
const ldHeader = `terraform {
  required_providers {
    rdslicensing = { source = "rdslicensing/rdslicensing" }
  }
}
`

// ldApplyAtOnce runs apply in every working directory at once and
// returns each one's output and error.
func ldApplyAtOnce(runs []*cliRun, args ...string) ([]string, []error) {
	outs, errs := make([]string, len(runs)), make([]error, len(runs))
	var wg sync.WaitGroup
	for i, r := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], errs[i] = r.try(append([]string{"apply", "-auto-approve", "-input=false"}, args...)...)
		}()
	}
	wg.Wait()
	return outs, errs
}

// ldChanges counts the runs of op on h that changed it (effect; nil:
// any change of its state).
func ldChanges(h *winsim.Host, op string, effect func(winsim.LogEntry) bool) int {
	_, changed := fmWindowOps(h, 0, op, effect)
	return changed
}

// ldConverged fails unless a plan in each directory is empty.
func ldConverged(t *testing.T, runs ...*cliRun) {
	t.Helper()
	for i, r := range runs {
		if err := fmPlanEmpty(r); err != nil {
			t.Errorf("directory %d: %v", i, err)
		}
	}
}

// Two workspaces declare the same license server (role, activation and
// a key pack of the same CALs) and apply at once: the role is installed
// and the server activated once, each workspace gets its own pack, and
// the CALs are drawn twice, once for each.
func TestAccConcurrency_twoAppliesOnOneLicenseServer(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t, winsim.NewHost("LS01", "2022", "contoso.com"))
	fmKeyPack.Setup(e)
	cfg := ldHeader + `
resource "rdslicensing_role" "ls" {}

resource "rdslicensing_server_activation" "ls" {
  host = rdslicensing_role.ls.id
` + saContact + `}

resource "rdslicensing_key_pack" "cals" {
  host = rdslicensing_server_activation.ls.id
` + fmKeyPack.Body("")[fmCreate] + `}
`
	runs := []*cliRun{newCLIRun(t, e, "", nil), newCLIRun(t, e, "", nil)}
	for _, r := range runs {
		writeMain(t, r, cfg)
	}
	outs, errs := ldApplyAtOnce(runs)
	for i := range runs {
		if errs[i] != nil {
			t.Fatalf("apply %d: %v\n%s", i, errs[i], outs[i])
		}
	}
	h := e.Host("LS01")
	for op, want := range map[string]int{"install_role": 1, "activate_license_server": 1} {
		if n := ldChanges(h, op, nil); n != want {
			t.Errorf("%s changed the host %d times, want %d", op, n, want)
		}
	}
	if n := ldChanges(h, "install_key_pack", fmKeyPack.Effect); n != 2 {
		t.Errorf("%d key packs installed, want 2 (one for each workspace)", n)
	}
	if err := fmWantCALs(e, map[int64]int64{2: 10, 3: 10}, 20); err != nil {
		t.Error(err)
	}
	owners := map[any]bool{}
	for _, r := range runs {
		a := fmStateOf(t, r, "rdslicensing_key_pack")
		if err := fmKeyPack.Matches(e, a); err != nil {
			t.Error(err)
		}
		owners[fmt.Sprint(a["key_pack_ids"])] = true
	}
	if len(owners) != 2 {
		t.Errorf("the workspaces hold the same key pack: %v", owners)
	}
	ldConverged(t, runs...)
}

// Two workspaces configure one session host at once. With the same
// settings, the settings are written and TermService restarted once; with
// different ones, both applies succeed, the host holds one of them, and
// the other workspace's plan shows the drift (the state follows the host).
func TestAccConcurrency_oneSessionHostFromTwoDirectories(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		modes [2]string
	}{
		{"same settings", [2]string{"per_user", "per_user"}},
		{"different settings", [2]string{"per_user", "per_device"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newAccEnv(t, winsim.NewSessionHost("RDSH01", "2022", "contoso.com", graceEnds()), kpLicenseServer("LS01"))
			runs := []*cliRun{newCLIRun(t, e, "", nil), newCLIRun(t, e, "", nil)}
			for i, r := range runs {
				writeMain(t, r, ldHeader+fmt.Sprintf(`
resource "rdslicensing_session_host_policy" "rdsh" {
  licensing_mode  = %q
  license_servers = ["LS01"]
}
`, tc.modes[i]))
			}
			outs, errs := ldApplyAtOnce(runs)
			for i := range runs {
				if errs[i] != nil {
					t.Fatalf("apply %d: %v\n%s", i, errs[i], outs[i])
				}
			}
			h := e.Host("RDSH01")
			sh := h.State().SessionHost
			if tc.modes[0] == tc.modes[1] {
				if n := ldChanges(h, "set_session_host_licensing", nil); n != 1 || sh.TermServiceRestarts != 1 {
					t.Errorf("the settings were written %d times and TermService restarted %d times, want once each", n, sh.TermServiceRestarts)
				}
				for _, r := range runs {
					if err := fmSessionHost.Matches(e, fmStateOf(t, r, fmSessionHost.Type)); err != nil {
						t.Error(err)
					}
				}
				ldConverged(t, runs...)
				return
			}
			winner := map[int]int{4: 0, 2: 1}[*sh.PolicyLicensingMode]
			ldConverged(t, runs[winner])
			if err := fmPlanEmpty(runs[1-winner]); err == nil || !strings.Contains(err.Error(), "licensing_mode") {
				t.Errorf("the overwritten workspace's plan does not show the drift: %v", err)
			}
		})
	}
}

// A license server whose WinRM allows 2 shells per user (MaxShellsPerUser)
// gets 3 key packs from each of two workspaces at once, at
// -parallelism=10 with 4 connections per host (the default): the host
// refuses shells, the provider waits for one instead of failing, each
// pack is installed once, and the next plans are empty.
func TestAccConcurrency_maxShellsPerUser(t *testing.T) {
	t.Parallel()
	ls := kpLicenseServer("LS01")
	ls.WinRM.MaxShellsPerUser = 2
	e := newAccEnv(t, ls)
	fmKeyPack.Setup(e)
	runs := []*cliRun{newCLIRun(t, e, "", nil), newCLIRun(t, e, "", nil)}
	var used int64
	for j, r := range runs {
		var b strings.Builder
		b.WriteString(ldHeader)
		for i := 1; i <= 3; i++ {
			q := 10*j + i // other CALs in each resource: no pack is taken back
			fmt.Fprintf(&b, "\nresource \"rdslicensing_key_pack\" \"p%d\" {\n%s}\n", i, strings.Replace(fmKeyPack.Body("")[fmCreate], "= 10", fmt.Sprintf("= %d", q), 1))
			used += int64(q)
		}
		writeMain(t, r, b.String())
	}
	outs, errs := ldApplyAtOnce(runs, "-parallelism=10")
	for i := range runs {
		if errs[i] != nil {
			t.Fatalf("apply %d: %v\n%s", i, errs[i], outs[i])
		}
	}
	h := e.Host("LS01")
	refused := 0
	for _, l := range h.Log(0) {
		if l.Event == "http" && l.Action == "Create" && l.Detail == "w:QuotaLimit" {
			refused++
		}
	}
	if refused == 0 {
		t.Error("the host never refused a shell: the test did not put the quota under pressure")
	}
	if n := ldChanges(h, "install_key_pack", fmKeyPack.Effect); n != 6 {
		t.Errorf("%d key packs installed, want 6", n)
	}
	if got := e.Sim.Clearinghouse().Agreements[0].Used; got != used {
		t.Errorf("the Clearinghouse gave %d CALs, want %d", got, used)
	}
	if n := len(kpPacksOnHost(e)); n != 6 {
		t.Errorf("%d key packs on the host, want 6", n)
	}
	ldConverged(t, runs...)
	t.Logf("the host refused %d shells (MaxShellsPerUser = 2)", refused)
}

// 100 session hosts configured by one apply at -parallelism=50: every
// host gets its settings once, nothing fails, the next plan is empty,
// and no shell stays open. The hosts share one winsim process.
func TestAccConcurrency_hundredHosts(t *testing.T) {
	t.Parallel()
	const n = 100
	hosts := []winsim.HostState{kpLicenseServer("LS01")}
	for i := 1; i <= n; i++ {
		hosts = append(hosts, winsim.NewSessionHost(fmt.Sprintf("RDSH%03d", i), "2022", "contoso.com", graceEnds()))
	}
	e := newAccEnv(t, hosts...)
	var addrs []string
	for _, h := range e.Sim.Hosts()[1:] {
		addrs = append(addrs, fmt.Sprintf("%q", h.State().Address))
	}
	r := newCLIRun(t, e, "", nil)
	writeMain(t, r, ldHeader+`
resource "rdslicensing_session_host_policy" "rdsh" {
  for_each        = toset([`+strings.Join(addrs, ", ")+`])
  host            = each.key
  licensing_mode  = "per_user"
  license_servers = ["LS01"]
}
`)
	if out, err := r.try("apply", "-auto-approve", "-input=false", "-parallelism=50"); err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	for _, h := range e.Sim.Hosts()[1:] {
		sh := h.State().SessionHost
		if changes := ldChanges(h, "set_session_host_licensing", nil); changes != 1 || sh.TermServiceRestarts != 1 {
			t.Errorf("%s: settings written %d times, TermService restarted %d times; want once each", h.Name(), changes, sh.TermServiceRestarts)
		}
		if sh.PolicyLicensingMode == nil || *sh.PolicyLicensingMode != 4 {
			t.Errorf("%s: policy LicensingMode %v, want 4", h.Name(), shpDeref(sh.PolicyLicensingMode))
		}
		if open := len(h.Shells()); open != 0 {
			t.Errorf("%s: %d shells left open after tofu exited", h.Name(), open)
		}
	}
	ldConverged(t, r)
}
