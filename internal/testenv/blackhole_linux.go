package testenv

import (
	"net"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// BlackholeHost is an address where connecting never completes, as when a
// firewall drops the traffic or the host is off: a listener whose accept
// queue is full, so that Linux drops further connection requests.
func BlackholeHost(t testing.TB) (host string, port int) {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	// Backlog 0 queues one connection, which is never accepted.
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	in, ok := sa.(*syscall.SockaddrInet4)
	if !ok {
		t.Fatalf("socket address %T", sa)
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(in.Port))
	// Fill the queue; a connection that still completes means the trick
	// does not work here.
	for i := 0; ; i++ {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err != nil {
			break
		}
		t.Cleanup(func() { _ = c.Close() })
		if i == 8 {
			t.Skip("this kernel accepts connections beyond the listen backlog")
		}
	}
	return "127.0.0.1", in.Port
}
