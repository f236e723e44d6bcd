package winrmclient_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

func addFault(t *testing.T, h *winsim.Host, f winsim.Fault) {
	t.Helper()
	if _, err := h.AddFault(f); err != nil {
		t.Fatal(err)
	}
}

// retailInput is an install that a Clearinghouse without codes rejects:
// enough to exercise a non-idempotent operation. Its request ID is used
// once per fresh host: the key pack journal refuses a second install.
var retailInput = rds.InstallKeyPackInput{Program: "retail", LicenseCode: "BCDFGHJKMPQRTVWXY23467896", ProductVersion: 7, ProductType: 0,
	RequestID: "0123456789abcdef0123456789abcdef", Owner: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", CodeTag: "0123456789abcdef:1a2b"}

// activatedLS is a license server, LS01, ready to install CALs.
func activatedLS() winsim.HostState {
	st := lsHost("LS01")
	st.LicenseServer.Activated = true
	st.LicenseServer.LicenseServerID = winsim.LicenseServerIDFor(st.LicenseServer.ProductID)
	return st
}

func TestIdempotentOperationIsRetriedAfterTransientFailures(t *testing.T) {
	for _, f := range []winsim.Fault{
		{Type: winsim.FaultHTTPStatus, Action: "Create", Status: 503, Count: 1},
		{Type: winsim.FaultDropBefore, Action: "Send", Count: 1},
		{Type: winsim.FaultDropAfter, Action: "Receive", Count: 1},
		{Type: winsim.FaultCrashAfter, Operation: "get_license_server", Count: 1},
	} {
		t.Run(f.Type+"/"+f.Action+f.Operation, func(t *testing.T) {
			sim := startSim(t, lsHost("LS01"))
			h := sim.Host("LS01")
			addFault(t, h, f)
			c := clientFor(t, sim, h, nil)
			ls, err := rds.GetLicenseServer.Run(ctxT(t), c, "", rds.NoInput{})
			if err != nil {
				t.Fatalf("retried operation failed: %v", err)
			}
			if ls.ComputerName != "LS01" {
				t.Fatalf("result %+v", ls)
			}
			if fired := h.Faults()[0].Fired; fired != 1 {
				t.Fatalf("fault fired %d times", fired)
			}
		})
	}
}

func TestNonIdempotentOperationIsNeverRunTwice(t *testing.T) {
	for _, f := range []winsim.Fault{
		{Type: winsim.FaultDropAfter, Action: "Receive", Count: 1},
		{Type: winsim.FaultCrashAfter, Operation: "install_key_pack", Count: 1},
		{Type: winsim.FaultDropAfter, Action: "Send", Count: 1},
	} {
		t.Run(f.Type+"/"+f.Action+f.Operation, func(t *testing.T) {
			sim := startSim(t, activatedLS())
			h := sim.Host("LS01")
			c := clientFor(t, sim, h, nil)
			// Warm the session so that the install is one Send and one Receive.
			if _, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{}); err != nil {
				t.Fatal(err)
			}
			addFault(t, h, f)
			mark := h.LogSeq()
			_, err := rds.InstallKeyPack.Run(ctxT(t), c, "", retailInput)
			e := kindError(t, err, winrmclient.KindOf(err), "may have run on the host")
			if !e.OutcomeUnknown {
				t.Fatalf("OutcomeUnknown not set: %v", err)
			}
			// Close waits for the shell's deletion, which ends the process:
			// the count is final.
			if err := c.Close(); err != nil {
				t.Fatal(err)
			}
			runs := 0
			for _, le := range h.Log(mark) {
				if le.Event == "operation" && le.Operation == "install_key_pack" {
					runs++
				}
			}
			// After a Send whose answer was lost, the deletion may end the
			// process before it read the request: it ran once at most.
			if runs > 1 || runs == 0 && f.Action != "Send" {
				t.Fatalf("install_key_pack ran %d times, want exactly 1", runs)
			}
		})
	}
}

func TestNonIdempotentOperationIsRetriedWhenNothingWasSent(t *testing.T) {
	sim := startSim(t, activatedLS())
	h := sim.Host("LS01")
	addFault(t, h, winsim.Fault{Type: winsim.FaultHTTPStatus, Action: "Create", Status: 503, Count: 1})
	c := clientFor(t, sim, h, nil)
	_, err := rds.InstallKeyPack.Run(ctxT(t), c, "", retailInput)
	// The install ran (once) and the empty Clearinghouse refused the code.
	wantKind(t, err, rds.KindInvalidCode)
}

func TestPersistentFailureEndsWithTheHostsError(t *testing.T) {
	sim := startSim(t, lsHost("LS01"))
	h := sim.Host("LS01")
	addFault(t, h, winsim.Fault{Type: winsim.FaultHTTPStatus, Action: "Create", Status: 500, Body: "<html>boom</html>"})
	c := clientFor(t, sim, h, nil)
	_, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{})
	wantKind(t, err, winrmclient.KindTransport, "HTTP 500")
	if fired := h.Faults()[0].Fired; fired != 3 {
		t.Fatalf("Create was tried %d times, want 3", fired)
	}
}

func TestSOAPFaultsAreErrors(t *testing.T) {
	sim := startSim(t, lsHost("LS01"))
	h := sim.Host("LS01")
	addFault(t, h, winsim.Fault{Type: winsim.FaultSOAP, Action: "Command", Code: 2147943418, Message: "Illegal operation attempted on a registry key that has been marked for deletion."})
	c := clientFor(t, sim, h, nil)
	_, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{})
	e := kindError(t, err, winrmclient.KindProtocol, "marked for deletion")
	if e.Code != 2147943418 {
		t.Fatalf("code = %d", e.Code)
	}
}

// quotaHost is a host whose WinRM allows one shell per user, and the
// client that holds it (its idle shell stays until it is closed).
func quotaHost(t *testing.T) (*winsim.Sim, *winsim.Host, *winrmclient.Client) {
	t.Helper()
	st := lsHost("LS01")
	st.WinRM = winsim.DefaultWinRM
	st.WinRM.MaxShellsPerUser = 1
	sim := startSim(t, st)
	h := sim.Host("LS01")
	other := clientFor(t, sim, h, nil)
	if _, err := rds.GetHostInfo.Run(ctxT(t), other, "", rds.NoInput{}); err != nil {
		t.Fatal(err)
	}
	return sim, h, other
}

func TestShellQuota(t *testing.T) {
	sim, h, other := quotaHost(t)
	// A refused shell is waited for until the operation's timeout, then
	// the quota is named.
	c := clientFor(t, sim, h, func(c *winrmclient.Config) { c.Timeout = 2 * time.Second })
	_, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{})
	e := kindError(t, err, winrmclient.KindQuota, "maximum number of 1 concurrent shells", "MaxShellsPerUser", "refused a shell for")
	if e.Code != winrmclient.FaultCodeQuotaShells {
		t.Fatalf("code = %d", e.Code)
	}
	// Once the other client's shell is gone, operations get one again.
	if err := other.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := rds.GetRole.Run(ctxT(t), c, "", rds.NoInput{}); err != nil {
		t.Fatal(err)
	}
}

// A shell the host refuses for a while (another client holds the only one
// this user may have) is waited for: the operation runs once the other
// client lets its shell go, and nothing fails.
func TestShellQuotaWaitsForAShell(t *testing.T) {
	sim, h, other := quotaHost(t)
	c := clientFor(t, sim, h, nil)
	done := make(chan error, 1)
	go func() {
		_, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{})
		done <- err
	}()
	// Close the other client only once the host has refused a shell more
	// times than any retry budget of attempts would allow.
	for refused := 0; refused < 5; {
		refused = 0
		for _, l := range h.Log(0) {
			if l.Event == "http" && l.Action == "Create" && l.Detail == "w:QuotaLimit" {
				refused++
			}
		}
		select {
		case err := <-done:
			t.Fatalf("the operation ended while the host refused shells: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
	}
	if err := other.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("the operation failed instead of waiting for a shell: %v", err)
	}
}

func TestEnvelopeTooLarge(t *testing.T) {
	st := lsHost("LS01")
	st.WinRM = winsim.DefaultWinRM
	st.WinRM.MaxEnvelopeSizeKB = 8
	sim := startSim(t, st)
	c := clientFor(t, sim, sim.Host("LS01"), nil)
	_, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{})
	wantKind(t, err, winrmclient.KindProtocol, "HTTP 413", "MaxEnvelopeSizekb")
}

func TestCancellationLeavesNoShell(t *testing.T) {
	sim := startSim(t, lsHost("LS01"))
	h := sim.Host("LS01")
	// The operation would take an hour: returning at all shows the
	// cancellation did not wait for it (no time is measured).
	addFault(t, h, winsim.Fault{Type: winsim.FaultDelay, Operation: "get_role", DelayMS: 3_600_000})
	c := clientFor(t, sim, h, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Canceled once the request is on the host, however long that takes.
	go func() {
		for countHTTP(h, 0, "Send") == 0 && ctx.Err() == nil {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
	}()
	_, err := rds.GetRole.Run(ctx, c, "", rds.NoInput{})
	wantKind(t, err, winrmclient.KindCanceled)
	// The shell is deleted in the background; Close waits for that.
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if n := len(h.Shells()); n != 0 {
		t.Fatalf("%d shells left open after cancellation", n)
	}
	var signal, del bool
	for _, e := range h.Log(0) {
		signal = signal || e.Action == "Signal"
		del = del || (e.Action == "Delete" && signal)
	}
	if !signal || !del {
		t.Fatalf("want Signal then Delete after cancellation; log %v", httpActions(h, 0))
	}
}

func TestTimeout(t *testing.T) {
	sim := startSim(t, lsHost("LS01"))
	h := sim.Host("LS01")
	addFault(t, h, winsim.Fault{Type: winsim.FaultDelay, Operation: "get_role", DelayMS: 30000})
	c := clientFor(t, sim, h, func(cfg *winrmclient.Config) { cfg.Timeout = 500 * time.Millisecond })
	_, err := rds.GetRole.Run(context.Background(), c, "", rds.NoInput{})
	wantKind(t, err, winrmclient.KindTimeout)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if n := len(h.Shells()); n != 0 {
		t.Fatalf("%d shells left open after the timeout", n)
	}
}

// A canceled operation returns at once: its shell is deleted in the
// background, even when the host is slow to answer, and Close waits.
func TestCancellationDoesNotWaitForTheCleanup(t *testing.T) {
	sim := startSim(t, lsHost("LS01"))
	h := sim.Host("LS01")
	addFault(t, h, winsim.Fault{Type: winsim.FaultDelay, Operation: "get_role", DelayMS: 30000})
	addFault(t, h, winsim.Fault{Type: winsim.FaultDelay, Action: "Signal", DelayMS: 2000, Count: 1})
	c := clientFor(t, sim, h, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Canceled once the request is on the host, however long that takes.
	go func() {
		for countHTTP(h, 0, "Send") == 0 && ctx.Err() == nil {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
	}()
	_, err := rds.GetRole.Run(ctx, c, "", rds.NoInput{})
	wantKind(t, err, winrmclient.KindCanceled)
	if n := len(h.Shells()); n != 1 {
		t.Fatalf("%d shells open as the canceled operation returns: it waited for the cleanup", n)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if n := len(h.Shells()); n != 0 {
		t.Fatalf("%d shells left open after Close", n)
	}
}

func TestProcessCrashReportsDecodedStderr(t *testing.T) {
	sim := startSim(t, lsHost("LS01"))
	h := sim.Host("LS01")
	addFault(t, h, winsim.Fault{Type: winsim.FaultCrashBefore, Operation: "get_role"})
	c := clientFor(t, sim, h, nil)
	_, err := rds.GetRole.Run(ctxT(t), c, "", rds.NoInput{})
	e := kindError(t, err, winrmclient.KindScriptError, "exited with code 1", "crashed before get_role ran")
	if strings.Contains(e.Message, "CLIXML") || strings.Contains(e.Message, "_x000D_") {
		t.Fatalf("stderr not decoded: %q", e.Message)
	}
}

func TestScriptErrorsKeepKindAndCode(t *testing.T) {
	sim := startSim(t, lsHost("LS01"))
	h := sim.Host("LS01")
	addFault(t, h, winsim.Fault{Type: winsim.FaultOpError, Operation: "get_role", Kind: "reboot_pending", Message: "waits for a restart", Code: 0x80041010})
	addFault(t, h, winsim.Fault{Type: winsim.FaultOpError, Operation: "get_host_info", Kind: "no_such_kind", Message: "odd"})
	c := clientFor(t, sim, h, nil)
	_, err := rds.GetRole.Run(ctxT(t), c, "", rds.NoInput{})
	e := kindError(t, err, rds.KindRebootPending, "get_role on "+h.State().Address, "waits for a restart", "0x80041010")
	if e.Operation != "get_role" || e.Code != 0x80041010 {
		t.Fatalf("%+v", e)
	}
	_, err = rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{})
	wantKind(t, err, winrmclient.KindScriptError, `unknown error kind "no_such_kind"`)

	// A library's kinds are the library's: without them the client knows
	// only ScriptKinds.
	addFault(t, h, winsim.Fault{Type: winsim.FaultOpError, Operation: "list_key_packs", Kind: "reboot_pending", Message: "waits for a restart"})
	bare := clientFor(t, sim, h, func(cfg *winrmclient.Config) { cfg.Library.Kinds = nil })
	_, err = rds.ListKeyPacks.Run(ctxT(t), bare, "", rds.NoInput{})
	wantKind(t, err, winrmclient.KindScriptError, `unknown error kind "reboot_pending"`)
}

func TestHostRestartDuringUse(t *testing.T) {
	sim := startSim(t, lsHost("LS01"))
	h := sim.Host("LS01")
	c := clientFor(t, sim, h, nil)
	if _, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{}); err != nil {
		t.Fatal(err)
	}
	// Down long enough that the next call meets it down even on a busy
	// machine; then wait until it listens again rather than sleep.
	h.Reboot(5 * time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	_, err := rds.GetHostInfo.Run(ctx, c, "", rds.NoInput{})
	if k := winrmclient.KindOf(err); k != winrmclient.KindTransport && k != winrmclient.KindTimeout {
		t.Fatalf("during the restart: %v", err)
	}
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(50 * time.Millisecond) {
		if conn, err := net.Dial("tcp", h.Endpoint(true)); err == nil {
			_ = conn.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the host did not come back")
		}
	}
	// The old shell died with the restart: a new one is made.
	if _, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{}); err != nil {
		t.Fatalf("after the restart: %v", err)
	}
}
