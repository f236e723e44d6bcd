package winsim_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// The crash_at and reboot_at faults, through the real WinRM path: at each
// step of install_key_pack and write_key_pack_journal, what was written
// stays, no answer comes, and a reboot takes the host down and back.

const (
	jfRequest = "0123456789abcdef0123456789abcdef"
	jfOwner   = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	jfTag     = "0123456789abcdef:1a2b"
)

var jfInstall = rds.InstallKeyPackInput{
	Program: "agreement", AgreementType: 1, AgreementNumber: "7654321", ProductVersion: 7, ProductType: 1, LicenseCount: 20,
	RequestID: jfRequest, Owner: jfOwner, CodeTag: jfTag,
}

// jfSim is a fleet with LS01, an activated license server whose Enterprise
// Agreement covers 500 CALs, served over WinRM; and a client for it.
func jfSim(t *testing.T) (*winsim.Sim, *winsim.Host, *winrmclient.Client) {
	t.Helper()
	st := winsim.NewLicenseServerHost("LS01", "2022", "contoso.com")
	st.Quirks = winsim.DefaultQuirks
	st.Realism = winsim.FastTiming
	st.Realism.RebootMS = 100
	st.LicenseServer.Activated = true
	sim := serveSim(t, winsim.Scenario{Hosts: []winsim.HostState{st}, Clearinghouse: winsim.ClearinghouseState{
		Reachable:  true,
		Agreements: []winsim.Agreement{{AgreementType: 1, Number: "7654321", ProductVersionID: 7, ProductType: 1, Count: 500}},
	}})
	h := sim.Host("LS01")
	return sim, h, adminClient(t, sim, h)
}

func jfCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// jfEntry is the host's journal entry of jfRequest (zero when none).
func jfEntry(h *winsim.Host) winsim.JournalEntryState {
	for _, e := range h.State().KeyPackJournal {
		if e.RequestID == jfRequest {
			return e
		}
	}
	return winsim.JournalEntryState{}
}

// jfOutcome checks how the operation ended in the host's log: "crash" or
// "reboot", at the step.
func jfOutcome(t *testing.T, h *winsim.Host, mark int64, op, outcome, step string) {
	t.Helper()
	for _, e := range h.Log(mark) {
		if e.Event == "operation" && e.Operation == op {
			if e.Outcome != outcome || !strings.Contains(e.Detail, "at step "+step) {
				t.Fatalf("%s logged %s: %s; want %s at step %s", op, e.Outcome, e.Detail, outcome, step)
			}
			return
		}
	}
	t.Fatalf("no %s in the log", op)
}

// jfRebooted checks that the host went down after mark and waits until it
// is back with a new boot time.
func jfRebooted(t *testing.T, h *winsim.Host, mark int64, bootBefore time.Time) {
	t.Helper()
	down := false
	for _, e := range h.Log(mark) {
		down = down || e.Event == "reboot" && strings.HasPrefix(e.Detail, "down")
	}
	if !down {
		t.Fatal("the host did not go down")
	}
	deadline := time.Now().Add(2 * time.Minute) // a bound for a hang, not a speed
	for !h.State().BootTime.After(bootBefore) {
		if time.Now().After(deadline) {
			t.Fatal("the host did not come back")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestInstallKeyPackStepFaults(t *testing.T) {
	for _, typ := range []string{winsim.FaultCrashAt, winsim.FaultRebootAt} {
		for _, tc := range []struct {
			step    string
			state   string // the entry's state after the fault
			packs   int    // key packs after it (the built-in one included)
			drawn   int64  // CALs drawn from the agreement
			entryKP int64  // the entry's KeyPackId
		}{
			{"before_wmi", rds.JournalStarted, 1, 0, 0},
			{"after_wmi", rds.JournalStarted, 2, 20, 0},
			{"after_journal", rds.JournalInstalled, 2, 20, 2},
		} {
			t.Run(typ+"/"+tc.step, func(t *testing.T) {
				sim, h, c := jfSim(t)
				if _, err := rds.GetHostInfo.Run(jfCtx(t), c, "", rds.NoInput{}); err != nil {
					t.Fatal(err)
				}
				if _, err := h.AddFault(winsim.Fault{Type: typ, Operation: "install_key_pack", Step: tc.step, Count: 1}); err != nil {
					t.Fatal(err)
				}
				mark, boot := h.LogSeq(), h.State().BootTime
				_, err := rds.InstallKeyPack.Run(jfCtx(t), c, "", jfInstall)
				var werr *winrmclient.Error
				if !errors.As(err, &werr) || !werr.OutcomeUnknown {
					t.Fatalf("install answered: %v; want no answer (outcome unknown)", err)
				}
				outcome := map[string]string{winsim.FaultCrashAt: "crash", winsim.FaultRebootAt: "reboot"}[typ]
				jfOutcome(t, h, mark, "install_key_pack", outcome, tc.step)
				if typ == winsim.FaultRebootAt {
					jfRebooted(t, h, mark, boot)
				}
				e := jfEntry(h)
				st := h.State()
				if e.State != tc.state || e.KeyPackID != tc.entryKP || e.Owner != jfOwner || len(e.Before) != 1 ||
					len(st.LicenseServer.KeyPacks) != tc.packs || sim.Clearinghouse().Agreements[0].Used != tc.drawn {
					t.Fatalf("entry %+v, %d packs, %d CALs drawn; want %s, %d packs, %d drawn", e, len(st.LicenseServer.KeyPacks), sim.Clearinghouse().Agreements[0].Used, tc.state, tc.packs, tc.drawn)
				}
				// The provider reads the journal back, then retrying the
				// request installs nothing.
				list, err := rds.ListKeyPacks.Run(jfCtx(t), c, "", rds.NoInput{})
				if err != nil {
					t.Fatal(err)
				}
				if len(list.Journal) != 1 || list.Journal[0].State != tc.state || list.BootTime == "" || list.HostTime < list.Journal[0].Started {
					t.Fatalf("list %+v", list)
				}
				if typ == winsim.FaultRebootAt && list.BootTime < list.Journal[0].Started {
					t.Fatalf("boot time %s before the entry (%s): the restart is not visible", list.BootTime, list.Journal[0].Started)
				}
				_, err = rds.InstallKeyPack.Run(jfCtx(t), c, "", jfInstall)
				if winrmclient.KindOf(err) != winrmclient.KindConflict {
					t.Fatalf("install again: %v", err)
				}
				if n := len(h.State().LicenseServer.KeyPacks); n != tc.packs {
					t.Fatalf("%d packs after the retry, want %d", n, tc.packs)
				}
			})
		}
	}
}

// A journal write cut off after it was applied: a retry (the client
// retries it, write_key_pack_journal being idempotent) answers changed=false.
func TestWriteKeyPackJournalStepFaults(t *testing.T) {
	for _, typ := range []string{winsim.FaultCrashAt, winsim.FaultRebootAt} {
		t.Run(typ, func(t *testing.T) {
			_, h, c := jfSim(t)
			if _, err := rds.GetHostInfo.Run(jfCtx(t), c, "", rds.NoInput{}); err != nil {
				t.Fatal(err)
			}
			if _, err := h.AddFault(winsim.Fault{Type: typ, Operation: "write_key_pack_journal", Step: "after_write", Count: 1}); err != nil {
				t.Fatal(err)
			}
			mark, boot := h.LogSeq(), h.State().BootTime
			in := rds.JournalWriteInput{RequestID: jfRequest, State: rds.JournalAbandoned, Program: "agreement", CodeTag: jfTag}
			res, err := rds.WriteJournal.Run(jfCtx(t), c, "", in)
			outcome := map[string]string{winsim.FaultCrashAt: "crash", winsim.FaultRebootAt: "reboot"}[typ]
			jfOutcome(t, h, mark, "write_key_pack_journal", outcome, "after_write")
			if typ == winsim.FaultRebootAt {
				jfRebooted(t, h, mark, boot)
			}
			if e := jfEntry(h); e.State != rds.JournalAbandoned || e.Program != "agreement" {
				t.Fatalf("entry %+v", e)
			}
			if err == nil && res.Changed {
				t.Fatalf("the write answered changed=true: the fault did not cut it off")
			}
			// Whether the client's own retry got through or not, one more
			// is a harmless replay.
			if res, err = rds.WriteJournal.Run(jfCtx(t), c, "", in); err != nil || res.Changed || res.Entry.State != rds.JournalAbandoned {
				t.Fatalf("replay: %v %+v", err, res)
			}
		})
	}
}
