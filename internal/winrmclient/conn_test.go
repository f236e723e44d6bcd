package winrmclient_test

import (
	"bytes"
	"context"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// faultyConn wraps a connection to winsim so that tests can break it
// at a chosen moment.
type faultyConn struct {
	net.Conn
	d        *faultyDialer
	failRead atomic.Bool
	cancel   atomic.Pointer[context.CancelFunc] // on the next read
	late     atomic.Bool                        // a deadline held back
}

// canceledAt is the deadline the client sets on cancellation.
var canceledAt = time.Unix(1, 0)

func (c *faultyConn) SetDeadline(t time.Time) error {
	if t.Equal(canceledAt) && c.late.CompareAndSwap(false, true) {
		return nil
	}
	return c.Conn.SetDeadline(t)
}

type faultyDialer struct {
	// timeoutAfterWrite: the read after the next write fails as timed out.
	timeoutAfterWrite atomic.Bool
	// failWrite: the next write fails, as on a connection the host reset.
	failWrite atomic.Bool
	// cancelOnReceive (over plain HTTP) is called as the answer to the
	// next Receive arrives; the cancellation's deadline then reaches
	// the connection late, after its next request.
	cancelOnReceive atomic.Pointer[context.CancelFunc]
}

func (d *faultyDialer) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return &faultyConn{Conn: c, d: d}, nil
}

func (c *faultyConn) Write(b []byte) (int, error) {
	if c.d.failWrite.CompareAndSwap(true, false) {
		return 0, &net.OpError{Op: "write", Net: "tcp", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: os.NewSyscallError("write", syscall.EPIPE)}
	}
	if c.d.timeoutAfterWrite.CompareAndSwap(true, false) {
		c.failRead.Store(true)
	}
	if bytes.Contains(b, []byte("/windows/shell/Receive</")) {
		if f := c.d.cancelOnReceive.Swap(nil); f != nil {
			c.cancel.Store(f)
		}
	}
	n, err := c.Conn.Write(b)
	// The held-back deadline lands once the next request is out whole.
	if c.late.Load() && bytes.Contains(b, []byte("Envelope>")) {
		_ = c.Conn.SetDeadline(canceledAt)
	}
	return n, err
}

func (c *faultyConn) Read(b []byte) (int, error) {
	if c.failRead.CompareAndSwap(true, false) {
		return 0, &net.OpError{Op: "read", Net: "tcp", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: os.ErrDeadlineExceeded}
	}
	n, err := c.Conn.Read(b)
	if f := c.cancel.Swap(nil); f != nil && n > 0 {
		(*f)()
	}
	return n, err
}

// A read that times out in the middle of an exchange is not a failure to
// connect.
func TestReadTimeoutIsNotReportedAsConnecting(t *testing.T) {
	sim := startSim(t, activatedLS())
	h := sim.Host("LS01")
	d := &faultyDialer{}
	c := clientFor(t, sim, h, func(cfg *winrmclient.Config) { winrmclient.SetDialer(cfg, d.dial) })
	if _, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{}); err != nil {
		t.Fatal(err)
	}
	d.timeoutAfterWrite.Store(true)
	_, err := rds.InstallKeyPack.Run(ctxT(t), c, "", retailInput)
	e := kindError(t, err, winrmclient.KindTransport, "timed out waiting for")
	if !e.OutcomeUnknown {
		t.Fatalf("OutcomeUnknown not set: %v", err)
	}
}

// A request that could not be written did not reach the host: it is
// retried, even when it is not idempotent.
func TestFailedWriteIsNotDelivered(t *testing.T) {
	sim := startSim(t, activatedLS())
	h := sim.Host("LS01")
	d := &faultyDialer{}
	c := clientFor(t, sim, h, func(cfg *winrmclient.Config) { winrmclient.SetDialer(cfg, d.dial) })
	if _, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{}); err != nil {
		t.Fatal(err)
	}
	mark := h.LogSeq()
	d.failWrite.Store(true)
	_, err := rds.InstallKeyPack.Run(ctxT(t), c, "", retailInput)
	wantKind(t, err, rds.KindInvalidCode)
	if n := installRuns(h, mark); n != 1 {
		t.Fatalf("install_key_pack ran %d times, want 1", n)
	}
}

// A cancellation that comes after the answer was read, but before the
// exchange ended, must not leave its deadline on a pooled connection.
func TestLateCancellationDoesNotBreakAPooledConnection(t *testing.T) {
	st := activatedLS()
	st.WinRM = winsim.DefaultWinRM
	st.WinRM.AllowUnencrypted = true
	sim := startSim(t, st)
	h := sim.Host("LS01")
	d := &faultyDialer{}
	// Plain HTTP, so that the dialer sees which request is a Receive.
	c := clientFor(t, sim, h, func(cfg *winrmclient.Config) {
		cfg.HTTPS, cfg.AllowUnencrypted = false, true
		winrmclient.SetDialer(cfg, d.dial)
	})
	if _, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	d.cancelOnReceive.Store(&cancel)
	if _, err := rds.GetHostInfo.Run(ctx, c, "", rds.NoInput{}); err != nil {
		t.Fatalf("the answer was read before the cancellation: %v", err)
	}
	mark := h.LogSeq()
	_, err := rds.InstallKeyPack.Run(ctxT(t), c, "", retailInput)
	wantKind(t, err, rds.KindInvalidCode)
	if n := installRuns(h, mark); n != 1 {
		t.Fatalf("install_key_pack ran %d times, want 1", n)
	}
}

// A pooled connection that goes silent says nothing of the host: an
// idempotent operation is tried again on a new connection.
func TestSilentPooledConnectionIsRetried(t *testing.T) {
	sim := startSim(t, lsHost("LS01"))
	h := sim.Host("LS01")
	d := &faultyDialer{}
	var dials atomic.Int64
	c := clientFor(t, sim, h, func(cfg *winrmclient.Config) {
		winrmclient.SetDialer(cfg, func(ctx context.Context, network, addr string) (net.Conn, error) {
			dials.Add(1)
			return d.dial(ctx, network, addr)
		})
	})
	if _, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{}); err != nil {
		t.Fatal(err)
	}
	before := dials.Load()
	d.timeoutAfterWrite.Store(true)
	if _, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{}); err != nil {
		t.Fatalf("not retried: %v", err)
	}
	if n := dials.Load() - before; n != 1 {
		t.Fatalf("%d new connections, want 1", n)
	}
}
