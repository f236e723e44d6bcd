package keypacks

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

// held acquires 10 agreement CALs for a new resource on f.
func held(t *testing.T, f *fakeHost) (*Installer, Holding) {
	t.Helper()
	in := newInstaller(f)
	in.Server = "ls1"
	res, err := in.Acquire(context.Background(), agreementInput(10))
	if err != nil {
		t.Fatal(err)
	}
	return in, Holding{IDs: []int64{res.Pack.KeyPackID}, Ownership: Ownership{Owner: in.Owner}, Install: agreementInput(0)}
}

func TestRefreshRecordsOwnership(t *testing.T) {
	f := newFakeHost()
	// Key pack 2 predates the journal; key pack 3 is another resource's.
	f.packs = append(f.packs, rds.KeyPack{KeyPackID: 2, KeyPackType: 2, ProductType: 1, ProductVersionID: 7, TotalLicenses: 5, AvailableLicenses: 5})
	f.next = 3
	other, _ := held(t, f)
	in := newInstaller(f)
	in.Server = "ls1"
	h := Holding{IDs: []int64{2, 3}, Ownership: Ownership{Owner: in.Owner}, Install: agreementInput(0)}

	got, err := in.Refresh(context.Background(), h, false)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got.IDs) != "[2 3]" || len(got.Packs) != 2 || got.Gone() {
		t.Fatalf("refresh holds %v (%d packs), want [2 3]", got.IDs, len(got.Packs))
	}
	owners := f.owners()
	if owners[2] != in.Owner || owners[3] != other.Owner {
		t.Fatalf("owners %v: want pack 2 adopted by the resource and pack 3 left to its owner", owners)
	}
	if len(got.Warnings) != 1 || !strings.Contains(got.Warnings[0].Summary, "Key pack 3 on ls1 is also held by another resource") {
		t.Fatalf("warnings %+v, want one about key pack 3", got.Warnings)
	}

	// An import takes the pack over.
	got, err = in.Refresh(context.Background(), h, true)
	if err != nil || len(got.Warnings) != 0 || f.owners()[3] != in.Owner {
		t.Fatalf("take over: %+v, %v, owners %v", got.Warnings, err, f.owners())
	}
}

func TestRefreshResolvesALostInstall(t *testing.T) {
	f := newFakeHost()
	f.installFaults = []string{"after_journal"}
	in := newInstaller(f)
	in.Server = "ls1"
	// The install happened; its answer was lost and the run died.
	req := agreementInput(10)
	req.RequestID, req.Owner, req.CodeTag = rds.NewID(), in.Owner, IntentOf(req).NewCodeTag()
	if _, err := f.Install(context.Background(), req); err == nil {
		t.Fatal("the fault did not lose the answer")
	}
	h := Holding{Ownership: Ownership{Owner: in.Owner, Pending: []PendingInstall{{RequestID: req.RequestID, Count: 10}}}, Install: agreementInput(0)}
	got, err := in.Refresh(context.Background(), h, false)
	if err != nil || fmt.Sprint(got.IDs) != "[2]" || len(got.Pending) != 0 || len(got.Packs) != 1 {
		t.Fatalf("refresh: %+v, %v; want key pack 2 held and nothing pending", got, err)
	}
	if f.installs != 1 {
		t.Fatalf("%d installs, want 1", f.installs)
	}
}

func TestRefreshOfPacksRemovedByHand(t *testing.T) {
	f := newFakeHost()
	in, h := held(t, f)
	f.packs = f.packs[:1]
	got, err := in.Refresh(context.Background(), h, false)
	if err != nil || !got.Gone() {
		t.Fatalf("refresh: %+v, %v; want the resource gone", got, err)
	}
}

func TestRefreshReadError(t *testing.T) {
	f := newFakeHost()
	in, h := held(t, f)
	f.down = 1
	_, err := in.Refresh(context.Background(), h, false)
	var step *StepError
	if !errors.As(err, &step) || step.Summary != "Cannot read the key packs on ls1" {
		t.Fatalf("error %v, want a StepError for the read", err)
	}
}

func TestResize(t *testing.T) {
	t.Run("more", func(t *testing.T) {
		f := newFakeHost()
		in, h := held(t, f)
		got, acquired, ok, err := in.Resize(context.Background(), h, 15)
		if err != nil || !ok || acquired == nil || acquired.How != HowInstalled || Total(got.Packs) != 15 || fmt.Sprint(got.IDs) != "[2 3]" {
			t.Fatalf("resize: %+v %+v %v %v; want 5 more CALs in key pack 3", got, acquired, ok, err)
		}
		wantPacks(t, f, "map[2:10 3:5]")
	})
	t.Run("fewer, newest pack first", func(t *testing.T) {
		f := newFakeHost()
		in, h := held(t, f)
		h2, _, _, err := in.Resize(context.Background(), h, 15)
		if err != nil {
			t.Fatal(err)
		}
		got, acquired, ok, err := in.Resize(context.Background(), h2.Holding, 8)
		if err != nil || !ok || acquired != nil || fmt.Sprint(got.IDs) != "[2]" || Total(got.Packs) != 8 {
			t.Fatalf("resize: %+v %v %v; want key pack 3 removed and 2 CALs from key pack 2", got, ok, err)
		}
		wantPacks(t, f, "map[2:8]")
		for _, e := range f.journal {
			if e.KeyPackID == 3 && e.State != rds.JournalRemoved {
				t.Fatalf("key pack 3's entry is %s, want removed", e.State)
			}
		}
	})
	t.Run("fewer than issued", func(t *testing.T) {
		f := newFakeHost()
		in, h := held(t, f)
		f.packs[1].IssuedLicenses, f.packs[1].AvailableLicenses = 9, 1
		got, _, ok, err := in.Resize(context.Background(), h, 5)
		var fd Finding
		if !errors.As(err, &fd) || fd.Attr != "quantity" || !strings.Contains(fd.Summary, "Cannot remove 5 CALs from ls1") {
			t.Fatalf("error %v, want a finding on quantity", err)
		}
		if !ok || Total(got.Packs) != 10 {
			t.Fatalf("got %+v, %v; want the 10 CALs recorded", got, ok)
		}
		wantPacks(t, f, "map[2:10]")
	})
	t.Run("an earlier install still unknown", func(t *testing.T) {
		f := newFakeHost()
		in, h := held(t, f)
		// A started entry whose pack has not appeared, on a host that has
		// not restarted, within the settle time: it may still complete.
		req := agreementInput(5)
		req.RequestID, req.Owner, req.CodeTag = rds.NewID(), in.Owner, IntentOf(req).NewCodeTag()
		f.installFaults = []string{"before_wmi"}
		_, _ = f.Install(context.Background(), req)
		h.Pending = []PendingInstall{{RequestID: req.RequestID, Count: 5}}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		defer cancel()
		f.tick = 0
		got, _, ok, err := in.Resize(ctx, h, 15)
		var fd Finding
		if !errors.As(err, &fd) || !strings.Contains(fd.Summary, "Cannot tell yet whether CALs were installed on ls1") {
			t.Fatalf("error %v, want the pending finding", err)
		}
		// Two installs: the resource's first, and the interrupted one.
		if !ok || len(got.Pending) != 1 || f.installs != 2 {
			t.Fatalf("got %+v (ok %v, %d installs): want the request kept and nothing more installed", got, ok, f.installs)
		}
	})
	t.Run("install refused", func(t *testing.T) {
		f := newFakeHost()
		in, h := held(t, f)
		f.installFaults = []string{"refuse"}
		got, _, ok, err := in.Resize(context.Background(), h, 15)
		var ie *InstallError
		if !errors.As(err, &ie) || ie.In.LicenseCount != 5 {
			t.Fatalf("error %v, want an InstallError for 5 CALs", err)
		}
		if !ok || Total(got.Packs) != 10 || len(got.Pending) != 0 {
			t.Fatalf("got %+v, %v; want the 10 CALs recorded", got, ok)
		}
	})
}

func TestLetGo(t *testing.T) {
	t.Run("keep", func(t *testing.T) {
		f := newFakeHost()
		in, h := held(t, f)
		kept, err := in.LetGo(context.Background(), h, false)
		if err != nil || fmt.Sprint(kept) != "[2]" {
			t.Fatalf("let go: %v, %v; want key pack 2 kept", kept, err)
		}
		wantPacks(t, f, "map[2:10]")
		if o := f.owners()[2]; o != "" {
			t.Fatalf("key pack 2 is held by %q, want released", o)
		}
		// A resource declaring the same CALs takes them back.
		res, err := newInstaller(f).Acquire(context.Background(), agreementInput(10))
		if err != nil || res.How != HowClaimed || f.installs != 1 {
			t.Fatalf("acquire after the release: %+v, %v, %d installs", res, err, f.installs)
		}
	})
	t.Run("remove", func(t *testing.T) {
		f := newFakeHost()
		in, h := held(t, f)
		kept, err := in.LetGo(context.Background(), h, true)
		if err != nil || len(kept) != 0 {
			t.Fatalf("let go: %v, %v", kept, err)
		}
		wantPacks(t, f, "map[]")
	})
	t.Run("an install still unknown", func(t *testing.T) {
		f := newFakeHost()
		in, h := held(t, f)
		h.Pending = []PendingInstall{{RequestID: "r1", Count: 5}}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		defer cancel()
		// The request is not in the journal: the tombstone makes it final,
		// so only an unreachable host leaves it unknown.
		g := &downAfterFirstList{fakeHost: f}
		in.Host = g
		_, err := in.LetGo(ctx, h, true)
		var fd Finding
		if !errors.As(err, &fd) || !strings.Contains(fd.Summary, "Cannot destroy the key pack on ls1 yet") {
			t.Fatalf("error %v, want the pending finding", err)
		}
		wantPacks(t, f, "map[2:10]")
	})
}

// downAfterFirstList answers one List, then is unreachable.
type downAfterFirstList struct {
	*fakeHost
	listed bool
}

func (d *downAfterFirstList) List(ctx context.Context) (rds.KeyPackList, error) {
	if d.listed {
		return rds.KeyPackList{}, unreachable("list_key_packs")
	}
	d.listed = true
	return d.fakeHost.List(ctx)
}

func (d *downAfterFirstList) WriteJournal(context.Context, rds.JournalWriteInput) (rds.JournalWriteResult, error) {
	return rds.JournalWriteResult{}, unreachable("write_key_pack_journal")
}
