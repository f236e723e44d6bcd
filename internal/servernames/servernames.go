// Package servernames holds the rules of license server and host names:
// which names are well formed, and when two names are the same server
// ("LS01", "ls01" and "ls01.contoso.com" are). Session host settings,
// diagnostics and the provider's host attributes share them.
package servernames

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Canonical is a name as resolution sees it: case and a
// trailing dot do not matter.
func Canonical(s string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), ".")
}

// Same reports whether a and b name the same license server:
// equal but for case (or a trailing dot), the same IP address, or a short
// name and an FQDN whose first label it is ("LS01" and "ls01.contoso.com").
// Two different FQDNs are different servers.
func Same(a, b string) bool {
	a, b = Canonical(a), Canonical(b)
	if a == "" || b == "" {
		return a == b
	}
	if a == b {
		return true
	}
	ipA, errA := netip.ParseAddr(a)
	ipB, errB := netip.ParseAddr(b)
	if errA == nil || errB == nil {
		return errA == nil && errB == nil && ipA.Unmap() == ipB.Unmap()
	}
	switch {
	case !strings.Contains(a, "."):
		return strings.HasPrefix(b, a+".")
	case !strings.Contains(b, "."):
		return strings.HasPrefix(a, b+".")
	}
	return false
}

// SameLists: same servers in the same order (order is a preference).
func SameLists(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !Same(a[i], b[i]) {
			return false
		}
	}
	return true
}

// Problem says what is wrong with a license server name, or ""
// when it is a host name, an FQDN or an IP address. The session host's
// policy value joins the names with commas, so separators inside a name
// would silently change the list Windows reads.
func Problem(s string) string {
	switch {
	case s == "":
		return "is empty"
	case strings.TrimSpace(s) != s:
		return "has leading or trailing spaces; remove them"
	case strings.ContainsAny(s, ",; \t"):
		return "holds more than one name, or a separator (comma, semicolon or space); give each license server its own list element"
	case strings.HasPrefix(s, `\\`):
		return `starts with \\, like a UNC path; give the server name alone (ls01.contoso.com, not \\ls01.contoso.com)`
	case strings.Contains(s, "://"):
		return "is a URL; give the server name alone (ls01.contoso.com)"
	}
	if _, err := netip.ParseAddr(s); err != nil && strings.Contains(s, ":") {
		return "is neither a host name nor a valid IP address (':' may only appear in an IPv6 address; a license server takes no port)"
	}
	return HostProblem(s)
}

// HostProblem checks a host name, an FQDN or an IP address once the
// callers have ruled out URLs, ports and separators; "" when it is one.
func HostProblem(s string) string {
	if ip, err := netip.ParseAddr(s); err == nil {
		if ip.Zone() != "" {
			return "is an IPv6 address with a zone (%...); give the address without the zone"
		}
		return ""
	}
	name := strings.TrimSuffix(s, ".")
	if len(name) > 253 {
		return fmt.Sprintf("is %d characters long; a DNS name has at most 253", len(name))
	}
	if strings.Trim(name, "0123456789.") == "" {
		return "looks like an IPv4 address but is not a valid one"
	}
	for _, label := range strings.Split(name, ".") {
		if p := labelProblem(label); p != "" {
			return p
		}
	}
	return ""
}

// labelProblem checks one DNS label (RFC 1123). Underscores are
// accepted: NetBIOS names may hold them and Windows resolves such names.
func labelProblem(label string) string {
	switch {
	case label == "":
		return "has an empty label (two dots in a row, or a leading dot)"
	case len(label) > 63:
		return fmt.Sprintf("has the label %s of %d characters; a DNS label has at most 63", Quote(label), len(label))
	case strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-"):
		return fmt.Sprintf("has the label %q, which starts or ends with a hyphen", label)
	}
	for _, c := range label {
		if !hostNameChar(c) {
			hint := ""
			if c > unicode.MaxASCII {
				hint = "; write an internationalized name in its xn-- (punycode) form"
			}
			return fmt.Sprintf("contains %q, which a host name cannot hold (letters, digits, '-' and '_' only, labels separated by dots%s)", c, hint)
		}
	}
	return ""
}

// hostNameChar: an ASCII letter or digit, '-' or '_'.
func hostNameChar(c rune) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

// Quote quotes user input for an error message: whole when short,
// else its start and its length, so that a huge value is never echoed.
func Quote(s string) string {
	const most, keep = 40, 32
	if utf8.RuneCountInString(s) <= most {
		return strconv.Quote(s)
	}
	r := []rune(s)
	return fmt.Sprintf("%s… (%d characters)", strconv.Quote(string(r[:keep])), len(r))
}
