package winrmclient

import (
	"context"
	"net"
)

// SetStdinHook makes the client pass every request's stdin, and whether
// it ends the input, through f before sending it.
func SetStdinHook(cfg *Config, f func(data []byte, eof bool) ([]byte, bool)) { cfg.stdinHook = f }

// SetDialer replaces the client's TCP dialer.
func SetDialer(cfg *Config, dial func(ctx context.Context, network, addr string) (net.Conn, error)) {
	cfg.dial = dial
}
