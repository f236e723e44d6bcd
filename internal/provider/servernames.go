package provider

import (
	"context"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// License server names as a session host's configuration holds them. Users
// write "LS01", Windows may hold "ls01" or "ls01.contoso.com" (typed by an
// administrator, or by another tool): all name the same server, so they
// must not make a perpetual diff. serverNameType is the element type of
// license server lists; its values compare case-insensitively, and a short
// name equals an FQDN whose first label it is.

// Ensure the type and value satisfy the framework's interfaces.
var (
	_ basetypes.StringTypable                    = serverNameType{}
	_ basetypes.StringValuableWithSemanticEquals = serverNameValue{}
)

// serverNameType is the type of one license server name.
type serverNameType struct {
	basetypes.StringType
}

// Equal reports whether o is a serverNameType too.
func (t serverNameType) Equal(o attr.Type) bool {
	_, ok := o.(serverNameType)
	return ok
}

func (t serverNameType) String() string { return "serverNameType" }

// ValueFromString wraps a string value.
func (t serverNameType) ValueFromString(_ context.Context, in basetypes.StringValue) (basetypes.StringValuable, diag.Diagnostics) {
	return serverNameValue{StringValue: in}, nil
}

// ValueFromTerraform reads a value from Terraform.
func (t serverNameType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.StringType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	s, ok := v.(basetypes.StringValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return serverNameValue{StringValue: s}, nil
}

// ValueType is the value type of serverNameType.
func (t serverNameType) ValueType(context.Context) attr.Value { return serverNameValue{} }

// serverNameValue is one license server name.
type serverNameValue struct {
	basetypes.StringValue
}

func serverName(s string) serverNameValue {
	return serverNameValue{StringValue: basetypes.NewStringValue(s)}
}

// Type is serverNameType.
func (v serverNameValue) Type(context.Context) attr.Type { return serverNameType{} }

// Equal is exact equality; StringSemanticEquals is the loose one.
func (v serverNameValue) Equal(o attr.Value) bool {
	other, ok := o.(serverNameValue)
	return ok && v.StringValue.Equal(other.StringValue)
}

// StringSemanticEquals reports whether two names name the same server.
func (v serverNameValue) StringSemanticEquals(_ context.Context, nv basetypes.StringValuable) (bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	other, ok := nv.(serverNameValue)
	if !ok {
		diags.AddError("Semantic equality check error",
			fmt.Sprintf("Expected a license server name value, got %T. Please report this issue to the provider developers.", nv))
		return false, diags
	}
	return sameServerName(v.ValueString(), other.ValueString()), diags
}

// canonicalServerName is a name as resolution sees it: case and a
// trailing dot do not matter.
func canonicalServerName(s string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), ".")
}

// sameServerName reports whether a and b name the same license server:
// equal but for case (or a trailing dot), the same IP address, or a short
// name and an FQDN whose first label it is ("LS01" and "ls01.contoso.com").
// Two different FQDNs are different servers.
func sameServerName(a, b string) bool {
	a, b = canonicalServerName(a), canonicalServerName(b)
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

// sameServerLists: same servers in the same order (order is a preference).
func sameServerLists(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !sameServerName(a[i], b[i]) {
			return false
		}
	}
	return true
}

// serverNameProblem says what is wrong with a license server name, or ""
// when it is a host name, an FQDN or an IP address. The session host's
// policy value joins the names with commas, so separators inside a name
// would silently change the list Windows reads.
func serverNameProblem(s string) string {
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
	return nameProblem(s)
}

// nameProblem checks a host name, an FQDN or an IP address once the
// callers have ruled out URLs, ports and separators; "" when it is one.
func nameProblem(s string) string {
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
		return fmt.Sprintf("has the label %s of %d characters; a DNS label has at most 63", shortQuote(label), len(label))
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

// shortQuote quotes user input for an error message: whole when short,
// else its start and its length, so that a huge value is never echoed.
func shortQuote(s string) string {
	const most, keep = 40, 32
	if utf8.RuneCountInString(s) <= most {
		return strconv.Quote(s)
	}
	r := []rune(s)
	return fmt.Sprintf("%s… (%d characters)", strconv.Quote(string(r[:keep])), len(r))
}

// serverNamesValidator checks a list of license server names at plan
// time: each a host name, FQDN or IP address, none listed twice.
type serverNamesValidator struct{}

var _ validator.List = serverNamesValidator{}

func (serverNamesValidator) Description(context.Context) string {
	return "each element is a host name, FQDN or IP address, and no server is listed twice"
}

func (v serverNamesValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

// ValidateList reports every bad element, naming its index.
func (serverNamesValidator) ValidateList(ctx context.Context, req validator.ListRequest, resp *validator.ListResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	type seenName struct {
		index int
		name  string
	}
	var seen []seenName
	for i, e := range req.ConfigValue.Elements() {
		at := req.Path.AtListIndex(i)
		where := fmt.Sprintf("%s[%d]", req.Path, i)
		sv, ok := e.(basetypes.StringValuable)
		if !ok {
			continue
		}
		s, diags := sv.ToStringValue(ctx)
		resp.Diagnostics.Append(diags...)
		if s.IsUnknown() {
			continue
		}
		if s.IsNull() {
			resp.Diagnostics.AddAttributeError(at, "Invalid license server name",
				fmt.Sprintf("%s is null. Name each license server by host name (ls01), FQDN (ls01.contoso.com) or IP address, or leave the element out.", where))
			continue
		}
		name := s.ValueString()
		if p := serverNameProblem(name); p != "" {
			resp.Diagnostics.AddAttributeError(at, "Invalid license server name",
				fmt.Sprintf("%s %s %s. Name each license server by host name (ls01), FQDN (ls01.contoso.com) or IP address.", where, shortQuote(name), p))
			continue
		}
		for _, prev := range seen {
			if sameServerName(prev.name, name) {
				resp.Diagnostics.AddAttributeError(at, "License server listed twice",
					fmt.Sprintf("%s %s names the same license server as %s[%d] %s (names are compared without regard to case, and a short name equals an FQDN that starts with it). List each license server once, in order of preference.", where, shortQuote(name), req.Path, prev.index, shortQuote(prev.name)))
				break
			}
		}
		seen = append(seen, seenName{i, name})
	}
}
