package provider

import (
	"context"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/servernames"
)

// The hosts the provider connects to (the provider's host, the host of
// resources and data sources, import IDs) are checked at plan time, with
// the same rules as license server names (nameProblem) and hints for what
// users write instead of a host name: URLs, host:port, lists.

// hostProblem says what is wrong with a host, or "" when it is a host
// name, an FQDN, or an IP address (an IPv6 one with or without brackets).
func hostProblem(s string) string {
	switch {
	case s == "":
		return "is empty"
	case strings.Contains(s, "://"):
		return urlProblem(s)
	case strings.TrimSpace(s) != s:
		return "has leading or trailing spaces; remove them"
	case strings.HasPrefix(s, `\\`):
		return `starts with \\, like a UNC path; give the host name alone (ls01.contoso.com, not \\ls01.contoso.com)`
	case strings.ContainsAny(s, `/\`):
		return "contains a slash; give the host name alone, not a URL or a path"
	case strings.ContainsAny(s, ",; \t\r\n"):
		return "holds a space or a separator (comma, semicolon); give one host name, and one resource per host (for_each) for several"
	case strings.HasPrefix(s, "["):
		return bracketedProblem(s)
	}
	if _, err := netip.ParseAddr(s); err != nil && strings.Contains(s, ":") {
		if h, p, ok := strings.Cut(s, ":"); ok && !strings.Contains(p, ":") && isPort(p) && servernames.HostProblem(h) == "" {
			return portHint(h, p)
		}
		return "is neither a host name nor a valid IP address (':' may only appear in an IPv6 address)"
	}
	return servernames.HostProblem(s)
}

// bracketedProblem checks "[IPv6]", and "[IPv6]:port" for a hint.
func bracketedProblem(s string) string {
	inner, rest, ok := strings.Cut(s[1:], "]")
	if !ok {
		return "opens a bracket it does not close"
	}
	ip, err := netip.ParseAddr(inner)
	switch {
	case err != nil || !ip.Is6():
		return "has brackets around something that is not an IPv6 address; brackets are for IPv6 addresses only ([fe80::1])"
	case ip.Zone() != "":
		return "is an IPv6 address with a zone (%...); give the address without the zone"
	case rest == "":
		return ""
	case strings.HasPrefix(rest, ":") && isPort(rest[1:]):
		return portHint(inner, rest[1:])
	}
	return "has text after the closing bracket; give the IPv6 address alone ([fe80::1] or fe80::1)"
}

// urlProblem: users paste WinRM endpoints; say which settings hold their parts.
func urlProblem(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Hostname() == "" || hostProblem(u.Hostname()) != "" {
		return "is a URL; give the host name alone (ls01.contoso.com): the provider builds the URL from host, port and https"
	}
	parts := []string{fmt.Sprintf("host = %q", u.Hostname())}
	switch strings.ToLower(u.Scheme) {
	case "https":
		parts = append(parts, "https = true")
	case "http":
		parts = append(parts, "https = false")
	}
	if p := u.Port(); isPort(p) {
		parts = append(parts, "port = "+p)
	}
	return "is a URL; give the host name alone: the provider builds the URL from host, port and https (here " + strings.Join(parts, ", ") + ")"
}

func portHint(host, port string) string {
	return fmt.Sprintf("includes a port; use port = %s in the provider block instead of host:port, and host = %q", port, host)
}

func isPort(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n >= 1 && n <= 65535 && len(s) <= 5
}

// hostValidator checks a host attribute at plan time. allowEmpty: the
// provider's host may be "" (resources then name their own).
type hostValidator struct{ allowEmpty bool }

var _ validator.String = hostValidator{}

func (hostValidator) Description(context.Context) string {
	return "a host name, an FQDN or an IP address"
}

func (v hostValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v hostValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	if s == "" && v.allowEmpty {
		return
	}
	if p := hostProblem(s); p != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid host", hostError(req.Path.String(), s, p))
	}
}

// hostError is the detail of an invalid host.
func hostError(attr, s, problem string) string {
	return fmt.Sprintf("%s %s %s. Give a host name (ls01), an FQDN (ls01.contoso.com) or an IP address (10.0.0.5, fe80::1 or [fe80::1]).", attr, servernames.Quote(s), problem)
}
