//go:build unix

package winrmclient

import (
	"errors"
	"net"
	"syscall"
)

// pendingInput reports whether c has something to read (EOF included)
// right now, without waiting: a read with a deadline parks for about a
// millisecond even when the deadline is shorter.
func pendingInput(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	var rerr error
	err = rc.Read(func(fd uintptr) bool {
		var b [1]byte
		_, _, rerr = syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		return true
	})
	return err != nil || !errors.Is(rerr, syscall.EAGAIN)
}
