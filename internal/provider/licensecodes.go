package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/licensecodes"
)

// codeValidator checks a code attribute (or its _wo twin) at plan time.
type codeValidator struct{ attr string }

func (v codeValidator) Description(context.Context) string {
	f := licensecodes.Formats[v.attr]
	return fmt.Sprintf("must be %s %s; hyphens and spaces are ignored", f.Size(), map[bool]string{true: "digits", false: "letters and digits"}[f.DigitsOnly])
}

func (v codeValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v codeValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	name := req.Path.String()
	problems := licensecodes.Problems(v.attr, name, req.ConfigValue.ValueString())
	if len(problems) == 0 {
		return
	}
	f := licensecodes.Formats[v.attr]
	from := f.From
	if from == "" {
		from = "the purchase confirmation"
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+name,
		strings.Join(problems, ".\n")+".\n\n"+fmt.Sprintf("Copy the %s again from %s; hyphens, spaces and lower case are accepted.", strings.TrimSuffix(f.What, "s"), from))
}

// codeRequiresReplace replaces the resource (a key pack) when a code
// changes; not when it is first recorded (after import, or when leaving
// the _wo form), nor when only its hyphens, spaces or case change.
func codeRequiresReplace() planmodifier.String {
	return stringplanmodifier.RequiresReplaceIf(func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
		resp.RequiresReplace = !req.StateValue.IsNull() && (req.PlanValue.IsUnknown() ||
			!req.PlanValue.IsNull() && licensecodes.Normalize(req.PlanValue.ValueString()) != licensecodes.Normalize(req.StateValue.ValueString()))
	}, "Replaces the key pack when the code changes.", "Replaces the key pack when the code changes.")
}
