package winsim

import (
	"fmt"
	"net/netip"
)

// DefaultBaseAddress is the address of a fleet's first host when neither
// the scenario nor the fleet's options give one.
const DefaultBaseAddress = "127.0.10.1"

// Options are a fleet's settings beyond its scenario.
type Options struct {
	// BaseAddress numbers the hosts that have no address: the first gets
	// it, the next ones count up in its last byte to .250, then go on in
	// the next /24 (127.0.10.1 ... 127.0.10.250, 127.0.11.1, ...). Two
	// fleets on one machine with different base addresses do not collide,
	// even on the same ports. Empty: DefaultBaseAddress.
	BaseAddress string
	// AllowNonLoopback lets BaseAddress be outside 127.0.0.0/8. Hosts then
	// listen where other machines can reach them, with winsim's well-known
	// default password: only on a network of your own.
	AllowNonLoopback bool
}

// ParseBaseAddress checks a base address: IPv4 (IPv6 has one loopback
// address, not a range), its last byte 1 to 250, and on loopback unless
// allowNonLoopback.
func ParseBaseAddress(s string, allowNonLoopback bool) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is4() {
		return netip.Addr{}, fmt.Errorf("base address %q is not an IPv4 address: give the first host's address, e.g. 127.0.20.1", s)
	}
	if b := a.As4(); b[3] == 0 || b[3] > 250 {
		return netip.Addr{}, fmt.Errorf("base address %s ends in %d: the last byte must be 1 to 250 (hosts count up from it to .250), e.g. %d.%d.%d.1", s, b[3], b[0], b[1], b[2])
	}
	if !a.IsLoopback() && !allowNonLoopback {
		return netip.Addr{}, fmt.Errorf("base address %s is not a loopback address (127.x.y.z): simulated hosts would be reachable from other machines, with a well-known password; use e.g. 127.0.20.1, or allow it explicitly (winsim -allow-non-loopback)", s)
	}
	return a, nil
}

// nthAddress is the address of the index-th host numbered from base.
func nthAddress(base netip.Addr, index int) (string, error) {
	b := base.As4()
	perRow := 251 - int(b[3])
	row := int(b[2]) + index/perRow
	if row > 255 {
		return "", fmt.Errorf("base address %s has room for %d hosts, not %d: use a lower base address, e.g. %d.%d.0.1", base, (256-int(b[2]))*perRow, index+1, b[0], b[1])
	}
	return fmt.Sprintf("%d.%d.%d.%d", b[0], b[1], row, int(b[3])+index%perRow), nil
}
