package winrmclient_test

import (
	"context"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
)

// faultyConn wraps a connection to winsim so that tests can break it
// at a chosen moment.
type faultyConn struct {
	net.Conn
	d        *faultyDialer
	failRead atomic.Bool
}

type faultyDialer struct {
	// timeoutAfterWrite: the read after the next write fails as timed out.
	timeoutAfterWrite atomic.Bool
	// failWrite: the next write fails, as on a connection the host reset.
	failWrite atomic.Bool
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
	return c.Conn.Write(b)
}

func (c *faultyConn) Read(b []byte) (int, error) {
	if c.failRead.CompareAndSwap(true, false) {
		return 0, &net.OpError{Op: "read", Net: "tcp", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: os.ErrDeadlineExceeded}
	}
	return c.Conn.Read(b)
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
	wantKind(t, err, winrmclient.KindInvalidCode)
	if n := installRuns(h, mark); n != 1 {
		t.Fatalf("install_key_pack ran %d times, want 1", n)
	}
}
