//go:build !unix

package winrmclient

import "net"

// pendingInput: without a non-blocking peek, the idle watcher's word stands.
func pendingInput(net.Conn) bool { return false }
