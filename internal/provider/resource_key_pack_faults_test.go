package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// Key pack faults beyond the fault matrix (fault_matrix_test.go, which
// runs every interruption at every step of an install, the rows F2 to F5
// of the failure model in internal/keypacks/doc.go): timeouts, several
// resources and workspaces, released packs, the journal's own answers.

// kpAgreement seeds the Clearinghouse with an Enterprise Agreement of 100
// per-user 2022 CALs and returns the config of n key packs of quantity q.
func kpAgreement(e *accEnv, extra string, names []string, q int) string {
	e.Sim.UpdateClearinghouse(func(ch *winsim.ClearinghouseState) {
		if len(ch.Agreements) == 0 {
			ch.Agreements = append(ch.Agreements, winsim.Agreement{AgreementType: 1, Number: "1234567", ProductVersionID: 7, ProductType: 1, Count: 100})
		}
	})
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, `
resource "rdslicensing_key_pack" %q {
  program          = "agreement"
  agreement_type   = "enterprise"
  agreement_number = "1234567"
  product_version  = "2022"
  cal_type         = "per_user"
  quantity         = %d
  %s
}
`, n, q, extra)
	}
	return e.Config(b.String())
}

// kpAgreementUsed checks how many CALs the Clearinghouse gave from the agreement.
func kpAgreementUsed(e *accEnv, want int64) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if used := e.Sim.Clearinghouse().Agreements[0].Used; used != want {
			return errorf("the Clearinghouse gave %d CALs from the agreement, want %d", used, want)
		}
		return nil
	}
}

func kpFault(t *testing.T, e *accEnv, f winsim.Fault) func() {
	return func() {
		if f.Count == 0 {
			f.Count = 1
		}
		if _, err := e.Host("LS01").AddFault(f); err != nil {
			t.Fatal(err)
		}
	}
}

// kpFaultsFired checks that LS01's injected faults fired n times in all:
// a row whose fault never fired tests nothing.
func kpFaultsFired(e *accEnv, n int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		fired := 0
		for _, f := range e.Host("LS01").Faults() {
			fired += f.Fired
		}
		if fired != n {
			return errorf("the injected faults fired %d times, want %d", fired, n)
		}
		return nil
	}
}

// kpPacksOnHost are LS01's packs other than the built-in one.
func kpPacksOnHost(e *accEnv) map[int64]int64 {
	got := map[int64]int64{}
	for _, kp := range e.Host("LS01").State().LicenseServer.KeyPacks {
		if kp.ProductType != 3 {
			got[kp.KeyPackID] = kp.TotalLicenses
		}
	}
	return got
}

// Issue 7, case 1: the license server reboots after the pack exists and
// stays away longer than the create timeout. The apply fails saying it
// cannot tell yet; the next apply, with the host back, converges without a
// second pack and without import, for an agreement and for a retail code.
func TestAccKeyPackFaults_rebootOutlastsTheTimeout(t *testing.T) {
	for _, program := range []string{"agreement", "retail"} {
		t.Run(program, func(t *testing.T) {
			e := newAccEnv(t, kpLicenseServer("LS01"))
			const addr = "rdslicensing_key_pack.cals"
			timeouts := `timeouts = { create = "3s" }`
			cfg := kpAgreement(e, timeouts, []string{"cals"}, 10)
			if program == "retail" {
				code := winsim.NewRetailCode("acc-reboot", 7, 1, 20)
				e.Sim.UpdateClearinghouse(func(ch *winsim.ClearinghouseState) { ch.RetailCodes = append(ch.RetailCodes, code) })
				cfg = e.Config(`resource "rdslicensing_key_pack" "cals" {
  program         = "retail"
  license_code    = "` + code.Code + `"
  product_version = "2022"
  cal_type        = "per_user"
  ` + timeouts + `
}`)
			}
			longReboot := func() {
				e.Host("LS01").Update(func(st *winsim.HostState) { st.Realism.RebootMS = 8000 })
				kpFault(t, e, winsim.Fault{Type: winsim.FaultRebootAt, Operation: "install_key_pack", Step: "after_wmi"})()
			}
			accTest(t, resource.TestCase{
				Steps: []resource.TestStep{
					{
						PreConfig:   longReboot,
						Config:      cfg,
						ExpectError: errorText("Cannot tell yet whether CALs were installed", "nothing will be installed twice"),
					},
					{
						// The host is back: the refresh reads the journal; the
						// tainted object is replaced by releasing and taking
						// back the same pack.
						PreConfig:        kpWaitUp(e),
						Config:           cfg,
						ConfigPlanChecks: kpPlan(addr, plancheck.ResourceActionDestroyBeforeCreate),
						ConfigStateChecks: kpChecks(addr, map[string]knownvalue.Check{
							"key_pack_ids": kpIDs(2),
						}),
						Check: resource.ComposeAggregateTestCheckFunc(
							func(*terraform.State) error {
								if got := fmt.Sprint(kpPacksOnHost(e)); got != "map[2:"+map[string]string{"agreement": "10", "retail": "20"}[program]+"]" {
									return errorf("packs on the host: %s", got)
								}
								return nil
							},
							kpWantInstalls(e, "LS01", 1),
						),
					},
					{Config: cfg, ConfigPlanChecks: kpEmptyPlan},
				},
			})
		})
	}
}

// kpWaitUp waits (30 s at most) until LS01's last reboot has ended.
func kpWaitUp(e *accEnv) func() {
	return func() {
		deadline := time.Now().Add(30 * time.Second)
		for !kpHostUp(e) && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
		}
	}
}

// kpHostUp: LS01's last reboot, if any, has ended.
func kpHostUp(e *accEnv) bool {
	entries := e.Host("LS01").Log(0)
	for i := len(entries) - 1; i >= 0; i-- {
		if entries[i].Event == "reboot" {
			return entries[i].Detail == "up"
		}
	}
	return true
}

// Issue 7, case 2: quantity 10 -> 25 and the server reboots mid-install.
// Within the timeout the apply itself converges; beyond it, the next plan
// reads the journal and shows no change, and nothing is installed twice.
func TestAccKeyPackFaults_quantityIncrease(t *testing.T) {
	const addr = "rdslicensing_key_pack.cals"
	e := newAccEnv(t, kpLicenseServer("LS01"))
	cfg := func(q int, extra string) string { return kpAgreement(e, extra, []string{"cals"}, q) }
	// The reboot the second step recovers from must fit its timeout however
	// busy the machine is; only the third step's 8 s reboot must outlast 3 s.
	long, short := `timeouts = { update = "5m" }`, `timeouts = { update = "3s" }`
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: cfg(10, long)},
			{
				PreConfig: kpFault(t, e, winsim.Fault{Type: winsim.FaultRebootAt, Operation: "install_key_pack", Step: "after_journal"}),
				Config:    cfg(25, long),
				ConfigStateChecks: kpChecks(addr, map[string]knownvalue.Check{
					"key_pack_ids": kpIDs(2, 3), "quantity": knownvalue.Int64Exact(25),
				}),
				Check: resource.ComposeAggregateTestCheckFunc(kpWantPacks(e, "LS01", map[int64]int64{2: 10, 3: 15}), kpWantInstalls(e, "LS01", 2), kpAgreementUsed(e, 25)),
			},
			{
				// Beyond the timeout: the apply fails, the state keeps what
				// is known plus the pending request.
				PreConfig: func() {
					e.Host("LS01").Update(func(st *winsim.HostState) { st.Realism.RebootMS = 8000 })
					kpFault(t, e, winsim.Fault{Type: winsim.FaultRebootAt, Operation: "install_key_pack", Step: "after_wmi"})()
				},
				Config:      cfg(40, short),
				ExpectError: errorText("Cannot tell yet whether CALs were installed"),
			},
			{
				PreConfig:        kpWaitUp(e),
				Config:           cfg(40, short),
				ConfigPlanChecks: kpEmptyPlan,
				ConfigStateChecks: kpChecks(addr, map[string]knownvalue.Check{
					"key_pack_ids": kpIDs(2, 3, 4), "quantity": knownvalue.Int64Exact(40),
				}),
				Check: resource.ComposeAggregateTestCheckFunc(kpWantPacks(e, "LS01", map[int64]int64{2: 10, 3: 15, 4: 15}), kpWantInstalls(e, "LS01", 3), kpAgreementUsed(e, 40)),
			},
		},
	})
}

// Issue 7, case 3: two key packs with the same CALs in one configuration;
// one install's answer is lost after it ran, the other crashes before it
// runs. Each resource ends with its own pack, and destroying one removes
// only its own.
func TestAccKeyPackFaults_twoResourcesWithTheSameCALs(t *testing.T) {
	e := newAccEnv(t, kpLicenseServer("LS01"))
	both := kpAgreement(e, "remove_cals_on_destroy = true", []string{"a", "b"}, 10)
	onlyA := kpAgreement(e, "remove_cals_on_destroy = true", []string{"a"}, 10)
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					kpFault(t, e, winsim.Fault{Type: winsim.FaultCrashAfter, Operation: "install_key_pack"})()
					kpFault(t, e, winsim.Fault{Type: winsim.FaultCrashBefore, Operation: "install_key_pack"})()
				},
				Config: both,
				Check: resource.ComposeAggregateTestCheckFunc(
					kpWantPacks(e, "LS01", map[int64]int64{2: 10, 3: 10}),
					kpAgreementUsed(e, 20),
					func(s *terraform.State) error {
						a := s.RootModule().Resources["rdslicensing_key_pack.a"].Primary.Attributes["key_pack_id"]
						b := s.RootModule().Resources["rdslicensing_key_pack.b"].Primary.Attributes["key_pack_id"]
						if a == b {
							return errorf("both resources hold key pack %s", a)
						}
						return nil
					},
				),
			},
			{Config: both, ConfigPlanChecks: kpEmptyPlan},
			{
				Config: onlyA,
				Check: func(s *terraform.State) error {
					a := s.RootModule().Resources["rdslicensing_key_pack.a"].Primary.Attributes["key_pack_id"]
					if got := fmt.Sprint(kpPacksOnHost(e)); got != "map["+a+":10]" {
						return errorf("after destroying b the host has %s, want only a's pack %s", got, a)
					}
					return nil
				},
			},
		},
	})
}

// A destroy keeps the CALs and releases them; a key pack declared later
// with the same CALs takes them back: nothing is installed or removed, and
// a pack of other CALs is not taken. (A rename needs a moved block:
// without one, Terraform may create the new resource before it destroys
// the old one, and the new one installs.)
func TestAccKeyPackFaults_releasedPackTakenBack(t *testing.T) {
	e := newAccEnv(t, kpLicenseServer("LS01"))
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: kpAgreement(e, "", []string{"old"}, 10)},
			{
				Config: e.Config(""),
				Check:  kpWantPacks(e, "LS01", map[int64]int64{2: 10}),
			},
			{
				Config:            kpAgreement(e, "", []string{"new"}, 10),
				ConfigStateChecks: kpChecks("rdslicensing_key_pack.new", map[string]knownvalue.Check{"key_pack_ids": kpIDs(2)}),
				Check:             resource.ComposeAggregateTestCheckFunc(kpWantPacks(e, "LS01", map[int64]int64{2: 10}), kpWantInstalls(e, "LS01", 1), kpAgreementUsed(e, 10)),
			},
			{
				// A moved block: nothing happens on the host.
				Config:            kpAgreement(e, "", []string{"renamed"}, 10) + "\nmoved {\n  from = rdslicensing_key_pack.new\n  to   = rdslicensing_key_pack.renamed\n}\n",
				ConfigStateChecks: kpChecks("rdslicensing_key_pack.renamed", map[string]knownvalue.Check{"key_pack_ids": kpIDs(2)}),
				Check:             resource.ComposeAggregateTestCheckFunc(kpWantPacks(e, "LS01", map[int64]int64{2: 10}), kpWantInstalls(e, "LS01", 1)),
			},
			{Config: e.Config(""), Check: kpWantPacks(e, "LS01", map[int64]int64{2: 10})},
			{
				// Another quantity is other CALs: installed anew; the
				// released pack stays free.
				Config:            kpAgreement(e, "", []string{"other"}, 5),
				ConfigStateChecks: kpChecks("rdslicensing_key_pack.other", map[string]knownvalue.Check{"key_pack_ids": kpIDs(3)}),
				Check:             resource.ComposeAggregateTestCheckFunc(kpWantPacks(e, "LS01", map[int64]int64{2: 10, 3: 5}), kpWantInstalls(e, "LS01", 2)),
			},
		},
	})
}

// Destroy says in the plan which CALs go with remove_cals_on_destroy, and
// keeps them without it.
func TestAccKeyPackFaults_destroyKeepsCALsUnlessAsked(t *testing.T) {
	e := newAccEnv(t, kpLicenseServer("LS01"))
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: kpAgreement(e, "", []string{"keep"}, 10)},
			{
				Config: e.Config(""),
				Check:  kpWantPacks(e, "LS01", map[int64]int64{2: 10}),
			},
			{Config: kpAgreement(e, "remove_cals_on_destroy = true", []string{"gone"}, 7)},
			{
				Config: e.Config(""),
				Check:  kpWantPacks(e, "LS01", map[int64]int64{2: 10}),
			},
		},
	})
}

// Two provider processes (two workspaces) apply key packs with the same
// CALs on one license server at once, while a released pack with those
// CALs is there: exactly one takes it, the other installs, and no pack
// goes to both.
func TestAccKeyPackFaults_twoProcessesAtOnce(t *testing.T) {
	e := newAccEnv(t, kpLicenseServer("LS01"))
	body := func(name string) string {
		cfg := kpAgreement(e, "", []string{name}, 10)
		return strings.Replace(cfg, "registry.terraform.io/rdslicensing/rdslicensing", "rdslicensing/rdslicensing", 1)
	}
	// A released pack: created, then destroyed keeping the CALs.
	seed := newCLIRun(t, e, "", nil)
	writeMain(t, seed, body("seed"))
	seed.run("apply", "-auto-approve")
	seed.run("destroy", "-auto-approve")
	// Slow journal writes and installs, so that the two runs are likely to
	// overlap: both see the free pack and try to take it.
	kpFault(t, e, winsim.Fault{Type: winsim.FaultDelay, Operation: "write_key_pack_journal", DelayMS: 700, Count: 10})()
	kpFault(t, e, winsim.Fault{Type: winsim.FaultDelay, Operation: "install_key_pack", DelayMS: 300, Count: 10})()
	runs := []*cliRun{newCLIRun(t, e, "", nil), newCLIRun(t, e, "", nil)}
	var wg sync.WaitGroup
	outs := make([]string, len(runs))
	errs := make([]error, len(runs))
	for i, r := range runs {
		writeMain(t, r, body(fmt.Sprintf("w%d", i)))
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], errs[i] = r.try("apply", "-auto-approve")
		}()
	}
	wg.Wait()
	for i := range runs {
		if errs[i] != nil {
			t.Fatalf("apply %d: %v\n%s", i, errs[i], outs[i])
		}
	}
	if got := fmt.Sprint(kpPacksOnHost(e)); got != "map[2:10 3:10]" {
		t.Fatalf("packs on the host %s, want the released pack 2 and one new pack 3", got)
	}
	ids := map[string]bool{}
	for _, r := range runs {
		out := r.run("state", "show", stateAddr(r))
		for _, line := range strings.Split(out, "\n") {
			if strings.Contains(line, "key_pack_id ") {
				ids[strings.TrimSpace(line)] = true
			}
		}
	}
	if len(ids) != 2 {
		t.Fatalf("the two workspaces hold %d distinct key packs (%v), want 2", len(ids), ids)
	}
	if n := kpInstalls(e, "LS01"); n != 2 {
		t.Fatalf("%d installs ran, want 2 (the seed and one of the two runs)", n)
	}
	for _, l := range e.Host("LS01").Log(0) {
		if l.Event == "operation" && l.Operation == "write_key_pack_journal" && l.Outcome == "conflict" {
			t.Log("the two runs raced for the free pack: one claim met a conflict")
		}
	}
}

// cliConfig is a configuration for a cliRun, which installs the provider
// under the short source address.
func cliConfig(cfg string) string {
	return strings.Replace(cfg, "registry.terraform.io/rdslicensing/rdslicensing", "rdslicensing/rdslicensing", 1)
}

func writeMain(t *testing.T, r *cliRun, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(r.dir, "main.tf"), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

// stateAddr is the one key pack in r's state.
func stateAddr(r *cliRun) string {
	out := r.run("state", "list")
	return strings.TrimSpace(out)
}

// F10: the answer to taking a released pack is lost (the journal write
// ran); the provider reads the journal and holds the pack. The same for
// the release of a destroy.
func TestAccKeyPackFaults_journalWriteAnswerLost(t *testing.T) {
	for _, typ := range []string{winsim.FaultCrashAt, winsim.FaultRebootAt} {
		t.Run(typ, func(t *testing.T) {
			e := newAccEnv(t, kpLicenseServer("LS01"))
			lose := kpFault(t, e, winsim.Fault{Type: typ, Operation: "write_key_pack_journal", Step: "after_write"})
			journalOwner := func(want func(owner string) error) resource.TestCheckFunc {
				return func(*terraform.State) error {
					for _, j := range e.Host("LS01").State().KeyPackJournal {
						if j.KeyPackID == 2 {
							return want(j.Owner)
						}
					}
					return errorf("no journal entry for key pack 2")
				}
			}
			accTest(t, resource.TestCase{
				Steps: []resource.TestStep{
					{Config: kpAgreement(e, "", []string{"a"}, 10)},
					{
						// The release's answer is lost.
						PreConfig: lose,
						Config:    e.Config(""),
						Check: resource.ComposeAggregateTestCheckFunc(kpWantPacks(e, "LS01", map[int64]int64{2: 10}), kpFaultsFired(e, 1), journalOwner(func(o string) error {
							if o != "" {
								return errorf("key pack 2 is still held by %q after the destroy", o)
							}
							return nil
						})),
					},
					{
						// The claim's answer is lost.
						PreConfig:         lose,
						Config:            kpAgreement(e, "", []string{"b"}, 10),
						ConfigStateChecks: kpChecks("rdslicensing_key_pack.b", map[string]knownvalue.Check{"key_pack_ids": kpIDs(2)}),
						Check: resource.ComposeAggregateTestCheckFunc(kpWantPacks(e, "LS01", map[int64]int64{2: 10}), kpWantInstalls(e, "LS01", 1), kpFaultsFired(e, 2), journalOwner(func(o string) error {
							if o == "" {
								return errorf("key pack 2 is free after the claim")
							}
							return nil
						})),
					},
					{Config: kpAgreement(e, "", []string{"b"}, 10), ConfigPlanChecks: kpEmptyPlan},
				},
			})
		})
	}
}

// Replacing a key pack (another agreement number) with
// remove_cals_on_destroy = true, and the new install interrupted after the
// pack exists: the old pack goes, the new one is installed once.
func TestAccKeyPackFaults_replacement(t *testing.T) {
	e := newAccEnv(t, kpLicenseServer("LS01"))
	first := kpAgreement(e, "remove_cals_on_destroy = true", []string{"cals"}, 10)
	e.Sim.UpdateClearinghouse(func(ch *winsim.ClearinghouseState) {
		ch.Agreements = append(ch.Agreements, winsim.Agreement{AgreementType: 1, Number: "2345678", ProductVersionID: 7, ProductType: 1, Count: 100})
	})
	second := strings.Replace(first, `"1234567"`, `"2345678"`, 1)
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: first},
			{
				PreConfig:        kpFault(t, e, winsim.Fault{Type: winsim.FaultRebootAt, Operation: "install_key_pack", Step: "after_wmi"}),
				Config:           second,
				ConfigPlanChecks: kpPlan("rdslicensing_key_pack.cals", plancheck.ResourceActionDestroyBeforeCreate),
				Check:            resource.ComposeAggregateTestCheckFunc(kpWantPacks(e, "LS01", map[int64]int64{3: 10}), kpWantInstalls(e, "LS01", 2)),
			},
			{Config: second, ConfigPlanChecks: kpEmptyPlan},
		},
	})
}
