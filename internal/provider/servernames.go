package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/servernames"
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
	return servernames.Same(v.ValueString(), other.ValueString()), diags
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
		if p := servernames.Problem(name); p != "" {
			resp.Diagnostics.AddAttributeError(at, "Invalid license server name",
				fmt.Sprintf("%s %s %s. Name each license server by host name (ls01), FQDN (ls01.contoso.com) or IP address.", where, servernames.Quote(name), p))
			continue
		}
		for _, prev := range seen {
			if servernames.Same(prev.name, name) {
				resp.Diagnostics.AddAttributeError(at, "License server listed twice",
					fmt.Sprintf("%s %s names the same license server as %s[%d] %s (names are compared without regard to case, and a short name equals an FQDN that starts with it). List each license server once, in order of preference.", where, servernames.Quote(name), req.Path, prev.index, servernames.Quote(prev.name)))
				break
			}
		}
		seen = append(seen, seenName{i, name})
	}
}

// serverNameStrings are the names of a license server list; ok is false
// when the list or an element is unknown or null.
func serverNameStrings(ctx context.Context, l types.List) ([]string, bool) {
	if l.IsNull() || l.IsUnknown() {
		return nil, false
	}
	out := make([]string, 0, len(l.Elements()))
	for _, e := range l.Elements() {
		sv, ok := e.(basetypes.StringValuable)
		if !ok {
			return nil, false
		}
		s, _ := sv.ToStringValue(ctx)
		if s.IsNull() || s.IsUnknown() {
			return nil, false
		}
		out = append(out, s.ValueString())
	}
	return out, true
}

// serverNameList is a license server list value.
func serverNameList(names []string) types.List {
	elems := make([]attr.Value, len(names))
	for i, n := range names {
		elems[i] = serverName(n)
	}
	return types.ListValueMust(serverNameType{}, elems)
}
