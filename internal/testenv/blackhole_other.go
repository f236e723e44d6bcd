//go:build !linux

package testenv

import "testing"

// BlackholeHost is an address where connecting never completes; Linux only.
func BlackholeHost(t testing.TB) (host string, port int) {
	t.Helper()
	t.Skip("BlackholeHost needs Linux")
	return "", 0
}
