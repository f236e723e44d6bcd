package keypacks

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
)

func agreementInput(count int) rds.InstallKeyPackInput {
	return rds.InstallKeyPackInput{Program: "agreement", AgreementType: 1, AgreementNumber: "1234567", ProductVersion: 7, ProductType: 1, LicenseCount: count}
}

func retailInput(code string) rds.InstallKeyPackInput {
	return rds.InstallKeyPackInput{Program: "retail", LicenseCode: code, ProductVersion: 7, ProductType: 1}
}

func newInstaller(h Host) *Installer {
	return &Installer{Host: h, Owner: rds.NewID(), PollInterval: time.Millisecond}
}

func wantPacks(t *testing.T, f *fakeHost, want string) {
	t.Helper()
	if got := fmt.Sprint(f.userPacks()); got != want {
		t.Fatalf("packs on the host (id:total) are %s, want %s", got, want)
	}
}

// The failure model's rows (doc.go), one interruption at a time.
func TestAcquireFailureModel(t *testing.T) {
	for _, tc := range []struct {
		row, fault string
		how        string
		packs      string
		installs   int
		errText    string
	}{
		{row: "F0 no fault", fault: "", how: HowInstalled, packs: "map[2:10]", installs: 1},
		{row: "F1 refused", fault: "refuse", packs: "map[]", installs: 1, errText: "did not accept"},
		{row: "F2 crash before the script", fault: "crash_before", how: HowInstalled, packs: "map[2:10]", installs: 2},
		{row: "F2 reboot before the script", fault: "reboot:crash_before", how: HowInstalled, packs: "map[2:10]", installs: 2},
		{row: "F3 crash before WMI", fault: "before_wmi", how: HowInstalled, packs: "map[2:10]", installs: 2},
		{row: "F3 reboot before WMI", fault: "reboot:before_wmi", how: HowInstalled, packs: "map[2:10]", installs: 2},
		{row: "F4 crash after WMI", fault: "after_wmi", how: HowRecovered, packs: "map[2:10]", installs: 1},
		{row: "F4 reboot after WMI", fault: "reboot:after_wmi", how: HowRecovered, packs: "map[2:10]", installs: 1},
		{row: "F5 crash after the journal", fault: "after_journal", how: HowRecovered, packs: "map[2:10]", installs: 1},
		{row: "F5 reboot after the journal", fault: "reboot:after_journal", how: HowRecovered, packs: "map[2:10]", installs: 1},
		{row: "F6 failed install, answer lost", fault: "wmi_fails_lost", packs: "map[]", installs: 1, errText: "0x80041008"},
		{row: "F6 failed install", fault: "wmi_fails", packs: "map[]", installs: 1, errText: "did not accept"},
	} {
		t.Run(tc.row, func(t *testing.T) {
			f := newFakeHost()
			f.installFaults = []string{tc.fault}
			in := newInstaller(f)
			res, err := in.Acquire(context.Background(), agreementInput(10))
			if tc.errText != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errText) {
					t.Fatalf("error %v, want one saying %q", err, tc.errText)
				}
			} else if err != nil {
				t.Fatal(err)
			} else if res.How != tc.how || res.Pack.KeyPackID == 0 {
				t.Fatalf("got %+v, want a pack %s", res, tc.how)
			}
			wantPacks(t, f, tc.packs)
			if f.installs != tc.installs {
				t.Fatalf("%d installs ran, want %d", f.installs, tc.installs)
			}
			for id, owner := range f.owners() {
				if owner != in.Owner {
					t.Fatalf("pack %d is owned by %q, want the resource %q", id, owner, in.Owner)
				}
			}
		})
	}
}

// F3 without a reboot: the started entry is only concluded after the
// settle time of the host's clock.
func TestAcquireWaitsTheSettleTimeWithoutAReboot(t *testing.T) {
	f := newFakeHost()
	f.installFaults = []string{"before_wmi"}
	lists := 0
	h := countingHost{fakeHost: f, lists: &lists}
	if _, err := newInstaller(h).Acquire(context.Background(), agreementInput(10)); err != nil {
		t.Fatal(err)
	}
	// Each List moves the host's clock 10 s: at least 12 to pass 2 minutes.
	if lists < int(SettleTime/f.tick) {
		t.Fatalf("concluded after %d reads (%s of host time), before the settle time %s", lists, time.Duration(lists)*f.tick, SettleTime)
	}
	wantPacks(t, f, "map[2:10]")
}

type countingHost struct {
	*fakeHost
	lists *int
}

func (c countingHost) List(ctx context.Context) (rds.KeyPackList, error) {
	*c.lists++
	return c.fakeHost.List(ctx)
}

// F7: the host stays away: the request is pending, nothing more installed,
// and Follow resolves it later.
func TestAcquirePendingThenFollow(t *testing.T) {
	f := newFakeHost()
	f.installFaults = []string{"after_journal"}
	f.hook = func() {}
	in := newInstaller(f)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	// The host goes down right after the install, for longer than ctx.
	h := downAfterInstall{fakeHost: f}
	in.Host = &h
	_, err := in.Acquire(ctx, agreementInput(10))
	var pending *PendingError
	if !errors.As(err, &pending) || pending.RequestID == "" {
		t.Fatalf("error %v, want a PendingError with the request ID", err)
	}
	wantPacks(t, f, "map[2:10]")
	h.stayDown = false
	r, err := in.Follow(context.Background(), pending.RequestID, IntentOf(agreementInput(10)))
	if err != nil || r.Outcome != Installed || r.Pack.KeyPackID != 2 {
		t.Fatalf("Follow: %+v, %v; want key pack 2 installed", r, err)
	}
	if f.installs != 1 {
		t.Fatalf("%d installs, want 1", f.installs)
	}
}

type downAfterInstall struct {
	*fakeHost
	stayDown bool
}

func (d *downAfterInstall) Install(ctx context.Context, in rds.InstallKeyPackInput) (rds.KeyPackResult, error) {
	r, err := d.fakeHost.Install(ctx, in)
	d.stayDown = true
	return r, err
}

func (d *downAfterInstall) List(ctx context.Context) (rds.KeyPackList, error) {
	if d.stayDown {
		return rds.KeyPackList{}, unreachable("list_key_packs")
	}
	return d.fakeHost.List(ctx)
}

// F8: a started install and two new packs with its CALs (installed by
// hand meanwhile): nothing more is installed.
func TestAcquireAmbiguous(t *testing.T) {
	f := newFakeHost()
	f.installFaults = []string{"after_wmi"}
	h := &handInstall{fakeHost: f}
	_, err := newInstaller(h).Acquire(context.Background(), agreementInput(10))
	var amb *AmbiguousError
	if !errors.As(err, &amb) || len(amb.Candidates) != 2 {
		t.Fatalf("error %v, want an AmbiguousError with 2 candidates", err)
	}
	if f.installs != 1 {
		t.Fatalf("%d installs, want 1", f.installs)
	}
}

type handInstall struct{ *fakeHost }

func (h *handInstall) Install(ctx context.Context, in rds.InstallKeyPackInput) (rds.KeyPackResult, error) {
	r, err := h.fakeHost.Install(ctx, in)
	h.mu.Lock()
	h.packs = append(h.packs, rds.KeyPack{KeyPackID: h.next, KeyPackType: 2, ProductType: 1, ProductVersionID: 7, TotalLicenses: 10})
	h.next++
	h.mu.Unlock()
	return r, err
}

// F9 and F10: a released pack is claimed instead of installing again, even
// when the claim's answer is lost; a pack of other codes is not.
func TestAcquireClaimsFreePacks(t *testing.T) {
	f := newFakeHost()
	first := newInstaller(f)
	res, err := first.Acquire(context.Background(), agreementInput(10))
	if err != nil {
		t.Fatal(err)
	}
	v, _ := first.view(context.Background())
	e, _ := v.EntryOfPack(res.Pack.KeyPackID)
	if _, err := f.WriteJournal(context.Background(), Release(e, first.Owner)); err != nil {
		t.Fatal(err)
	}
	// Other codes, same CALs: not claimable.
	other := agreementInput(10)
	other.AgreementNumber = "7654321"
	if res, err := newInstaller(f).Acquire(context.Background(), other); err != nil || res.How != HowInstalled {
		t.Fatalf("another agreement: %+v, %v; want a new install", res, err)
	}
	f.writeFaults = []string{"after_write"}
	second := newInstaller(f)
	res2, err := second.Acquire(context.Background(), agreementInput(10))
	if err != nil || res2.How != HowClaimed || res2.Pack.KeyPackID != res.Pack.KeyPackID {
		t.Fatalf("got %+v, %v; want key pack %d claimed", res2, err, res.Pack.KeyPackID)
	}
	if owner := f.owners()[res.Pack.KeyPackID]; owner != second.Owner {
		t.Fatalf("owner %q, want the claimant", owner)
	}
	wantPacks(t, f, "map[2:10 3:10]")
}

// Issue 7, case 3 at this level: two resources with the same CALs, one
// install's answer lost after it ran, the other crashed before running:
// each ends with its own pack.
func TestTwoResourcesWithTheSameCALs(t *testing.T) {
	f := newFakeHost()
	f.installFaults = []string{"after_journal", "crash_before"}
	a, b := newInstaller(f), newInstaller(f)
	ra, err := a.Acquire(context.Background(), agreementInput(10))
	if err != nil {
		t.Fatal(err)
	}
	rb, err := b.Acquire(context.Background(), agreementInput(10))
	if err != nil {
		t.Fatal(err)
	}
	if ra.Pack.KeyPackID == rb.Pack.KeyPackID {
		t.Fatalf("both resources hold key pack %d", ra.Pack.KeyPackID)
	}
	wantPacks(t, f, "map[2:10 3:10]")
	owners := f.owners()
	if owners[ra.Pack.KeyPackID] != a.Owner || owners[rb.Pack.KeyPackID] != b.Owner {
		t.Fatalf("owners %v, want %d:%s %d:%s", owners, ra.Pack.KeyPackID, a.Owner, rb.Pack.KeyPackID, b.Owner)
	}
}

// Concurrent resources with the same CALs and one free pack: one claims
// it, the other installs.
func TestConcurrentClaims(t *testing.T) {
	f := newFakeHost()
	first := newInstaller(f)
	res, _ := first.Acquire(context.Background(), agreementInput(10))
	v, _ := first.view(context.Background())
	e, _ := v.EntryOfPack(res.Pack.KeyPackID)
	_, _ = f.WriteJournal(context.Background(), Release(e, first.Owner))
	var wg sync.WaitGroup
	results := make([]Result, 4)
	errs := make([]error, 4)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = newInstaller(f).Acquire(context.Background(), agreementInput(10))
		}()
	}
	wg.Wait()
	claimed, seen := 0, map[int64]bool{}
	for i, r := range results {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if seen[r.Pack.KeyPackID] {
			t.Fatalf("key pack %d went to two resources", r.Pack.KeyPackID)
		}
		seen[r.Pack.KeyPackID] = true
		if r.How == HowClaimed {
			claimed++
		}
	}
	if claimed != 1 || f.installs != 4 {
		t.Fatalf("%d claimed, %d installs; want 1 claim and 3 new installs (+1 first)", claimed, f.installs)
	}
}

// Interrupted again and again before anything was made: the installer
// stops after MaxAttempts, having installed nothing.
func TestAcquireGivesUpAfterMaxAttempts(t *testing.T) {
	f := newFakeHost()
	f.installFaults = []string{"reboot:before_wmi", "reboot:before_wmi", "reboot:before_wmi"}
	_, err := newInstaller(f).Acquire(context.Background(), agreementInput(10))
	var ni *NotInstalledError
	if !errors.As(err, &ni) || ni.Attempts != 3 {
		t.Fatalf("error %v, want NotInstalledError after 3 attempts", err)
	}
	wantPacks(t, f, "map[]")
}

// A retail code decides its own CALs: the recovered pack is found by
// pack type, whatever release it holds.
func TestAcquireRetailRecoveredByJournal(t *testing.T) {
	f := newFakeHost()
	f.installFaults = []string{"reboot:after_wmi"}
	res, err := newInstaller(f).Acquire(context.Background(), retailInput("ABCDE12345ABCDE12345ABCDE"))
	if err != nil || res.How != HowRecovered {
		t.Fatalf("%+v, %v", res, err)
	}
	if f.installs != 1 {
		t.Fatalf("%d installs of a single-use code, want 1", f.installs)
	}
}

// A host error that will not go away ends Follow at once, as pending.
func TestFollowStopsOnAPermanentError(t *testing.T) {
	h := failingList{err: &winrmclient.Error{Kind: winrmclient.KindAuth, Message: "access is denied"}}
	in := &Installer{Host: h, Owner: rds.NewID(), PollInterval: time.Millisecond}
	_, err := in.Follow(context.Background(), rds.NewID(), IntentOf(agreementInput(1)))
	var pending *PendingError
	if !errors.As(err, &pending) || !winrmclient.IsKind(err, winrmclient.KindAuth) {
		t.Fatalf("error %v, want a pending error wrapping the auth error", err)
	}
}

type failingList struct {
	Host
	err error
}

func (f failingList) List(context.Context) (rds.KeyPackList, error) { return rds.KeyPackList{}, f.err }
