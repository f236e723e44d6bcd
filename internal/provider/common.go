package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
)

// Pieces every resource shares: the host override, configuring from the
// provider, and turning operation errors into diagnostics that say what
// to do.

// hostAttribute is the optional per-resource host: one provider block can
// manage a fleet with for_each over host names.
func hostAttribute(what string) schema.StringAttribute {
	return schema.StringAttribute{
		Optional: true,
		MarkdownDescription: "Windows host (name, FQDN or IP address) " + what + ". Defaults to the provider's `host`; " +
			"the provider's credentials, port and TLS settings apply. Changing it replaces the resource (not a change of letter case: host names are case-insensitive).",
		PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplaceIf(
			func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
				resp.RequiresReplace = !strings.EqualFold(req.StateValue.ValueString(), req.PlanValue.ValueString())
			}, "Another host replaces the resource.", "Another host replaces the resource.")},
		Validators: []validator.String{hostValidator{}},
	}
}

// dataHostAttribute is the host of a data source.
func dataHostAttribute(what string) dsschema.StringAttribute {
	return dsschema.StringAttribute{
		Optional: true,
		MarkdownDescription: "Windows host (name, FQDN or IP address) of " + what + ". Defaults to the provider's `host`; " +
			"the provider's credentials, port and TLS settings apply.",
		Validators: []validator.String{hostValidator{}},
	}
}

// idAttribute is the computed id of a resource, described by format.
func idAttribute(format string) schema.StringAttribute {
	return schema.StringAttribute{
		Computed:            true,
		MarkdownDescription: "Identifier: " + format + ".",
		PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
}

// configureData is the Configure of every resource and data source.
func configureData(raw any, diags *diag.Diagnostics) *providerData {
	if raw == nil {
		return nil // the provider is not configured yet (validation)
	}
	d, ok := raw.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data",
			fmt.Sprintf("Expected *providerData, got %T. Please report this issue to the provider developers.", raw))
		return nil
	}
	return d
}

// host is the host a resource works on: its own, else the provider's.
func (d *providerData) host(h types.String) string {
	if v := winrmclient.NormalizeHost(h.ValueString()); v != "" {
		return v
	}
	return d.client.DefaultHost()
}

// plannedHostID is the planned id of a resource whose id is its host
// (rdslicensing_role, rdslicensing_server_activation): known whenever the
// host is, so that resources taking their host from it (host =
// rdslicensing_server_activation.x.id) see a known host in the same plan
// and are never replaced because the id turned unknown. prior is the id in
// the state (null on create). Unknown when the host is not known yet.
func (d *providerData) plannedHostID(host, prior types.String) types.String {
	if d == nil || host.IsUnknown() {
		return types.StringUnknown()
	}
	h := d.host(host)
	if h == "" {
		return types.StringUnknown() // apply reports the missing host
	}
	return hostID(prior, h)
}

// hostID is the id of a resource on host: host as Create, Read and Update
// reach it, except that an id of another letter case stays as it is (host
// names are case-insensitive, and hostAttribute updates rather than
// replaces for such a change), so that dependents see no change.
func hostID(prior types.String, host string) types.String {
	if !prior.IsNull() && !prior.IsUnknown() && strings.EqualFold(prior.ValueString(), host) {
		return prior
	}
	return types.StringValue(host)
}

// requireHost reports a resource with no host at all.
func (d *providerData) requireHost(h types.String, diags *diag.Diagnostics) (string, bool) {
	host := d.host(h)
	if host == "" {
		diags.AddAttributeError(path.Root("host"), "No host",
			"Set host on this resource, or host in the provider block (environment variable RDSLICENSING_HOST).")
		return "", false
	}
	// A host known only at apply gets its plan-time check here.
	if p := hostProblem(host); p != "" {
		diags.AddAttributeError(path.Root("host"), "Invalid host", hostError("host", host, p))
		return "", false
	}
	return host, true
}

// opError adds the diagnostic for a failed operation. The script's
// message already says what is wrong and what to do; the kind adds the
// remedy for failures of the connection itself.
func opError(diags *diag.Diagnostics, summary string, err error) {
	diags.AddError(summary, opErrorDetail(err))
}

// opErrorDetail explains an operation error: its message, what to do for
// its kind, then hints (what the caller knows to do; empty ones are
// skipped), then where it happened.
func opErrorDetail(err error, hints ...string) string {
	var e *winrmclient.Error
	if !errors.As(err, &e) {
		return strings.Join(append([]string{err.Error()}, nonEmpty(hints)...), " ")
	}
	detail := e.Message
	if !strings.HasSuffix(detail, ".") {
		detail += "."
	}
	switch e.Kind {
	case winrmclient.KindTransport:
		detail += " Check that the host is up and that its WinRM listener is reachable with the provider's host, port and https settings."
	case winrmclient.KindAuth:
		detail += " Check the provider's username, password and auth settings."
	case winrmclient.KindTimeout:
		detail += " Raise the resource's timeouts or the provider's timeout, or check why the host is slow."
	case winrmclient.KindQuota:
		detail += " Lower terraform -parallelism or the provider's max_connections_per_host."
	case winrmclient.KindWMIError:
		detail += " This is not a failure the provider knows how to explain; the host's event log (Applications and Services Logs > Microsoft > Windows > TerminalServices-Licensing) may say more."
	case winrmclient.KindProtocol:
		// WinRM itself refused or garbled the exchange: its own log, not
		// the licensing service's, says why.
		detail += " This is not a failure the provider knows how to explain; the host's WinRM event log (Applications and Services Logs > Microsoft > Windows > Windows Remote Management > Operational) may say more."
	}
	if e.OutcomeUnknown {
		detail += " The provider could not tell whether the change was made; run terraform plan to see the host as it is now."
	}
	for _, h := range nonEmpty(hints) {
		detail += " " + h
	}
	where := e.Host
	if e.Operation != "" {
		where = e.Operation + " on " + e.Host
	}
	return fmt.Sprintf("%s\n\n(%s, error kind %s)", detail, where, e.Kind)
}

func nonEmpty(s []string) []string {
	var out []string
	for _, x := range s {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}

// isKind reports an operation error of one of kinds.
func isKind(err error, kinds ...winrmclient.Kind) bool {
	k := winrmclient.KindOf(err)
	for _, want := range kinds {
		if k == want {
			return true
		}
	}
	return false
}

// planReadTimeout bounds a resource's plan-time reads of its host: they
// are a courtesy (errors caught before apply), and apply checks again.
const planReadTimeout = 30 * time.Second

// timeoutTypes are the attribute types of timeoutsAttribute, for a null
// value set by import.
var timeoutTypes = map[string]attr.Type{"create": types.StringType, "read": types.StringType, "update": types.StringType, "delete": types.StringType}

// timeoutsAttribute is a resource's timeouts attribute, described with its
// defaults: write for create, update and delete, read for a refresh; why
// says what takes the time.
//
//nolint:unparam // each resource passes its own read default; today they agree
func timeoutsAttribute(ctx context.Context, write, read time.Duration, why string) schema.Attribute {
	attr := timeouts.Attributes(ctx, timeouts.Opts{
		Create: true, Read: true, Update: true, Delete: true,
		CreateDescription: "Longest time creating the resource may take. Defaults to `" + minutes(write) + "`.",
		ReadDescription:   "Longest time reading the resource from the host may take, at each refresh (`plan`, `apply`, `refresh`). Defaults to `" + minutes(read) + "`.",
		UpdateDescription: "Longest time updating the resource in place may take. Defaults to `" + minutes(write) + "`.",
		DeleteDescription: "Longest time destroying the resource may take. Defaults to `" + minutes(write) + "`. " +
			"Destroy reads it from the state: apply a new value before the destroy that needs it.",
	})
	a, ok := attr.(schema.SingleNestedAttribute)
	if !ok {
		return attr // TestTimeoutsAreDescribed fails
	}
	a.MarkdownDescription = "How long each operation on this resource may take in all, as Go durations (`90s`, `20m`, `1h`); " + why +
		" Each bounds every remote call and wait of the operation together, and the provider's `timeout` still bounds each remote call. " +
		"An operation that runs out fails with a `timeout` error naming the host."
	return a
}

// computedString is a read-only attribute; keep: a plan that changes
// nothing of it shows the state's value rather than "known after apply".
func computedString(desc string, keep bool) schema.StringAttribute {
	a := schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	if keep {
		a.PlanModifiers = []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	}
	return a
}

// computedInt64 is computedString for a number.
func computedInt64(desc string, keep bool) schema.Int64Attribute {
	a := schema.Int64Attribute{Computed: true, MarkdownDescription: desc}
	if keep {
		a.PlanModifiers = []planmodifier.Int64{int64planmodifier.UseStateForUnknown()}
	}
	return a
}

// replaceIfPriorString replaces only a value that was known before: after
// import it is recorded without a replacement.
func replaceIfPriorString(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
	resp.RequiresReplace = !req.StateValue.IsNull() && !req.PlanValue.IsNull()
}

// replaceIfPriorInt64 is replaceIfPriorString for a number.
func replaceIfPriorInt64(_ context.Context, req planmodifier.Int64Request, resp *int64planmodifier.RequiresReplaceIfFuncResponse) {
	resp.RequiresReplace = !req.StateValue.IsNull() && !req.PlanValue.IsNull()
}

// valueOf is a string as the domain packages see it.
func valueOf(v types.String) rds.Value {
	return rds.Value{Set: !v.IsNull(), Known: !v.IsNull() && !v.IsUnknown(), Text: v.ValueString()}
}

// numberOf is valueOf for a number.
func numberOf(v types.Int64) rds.Value {
	n := rds.Value{Set: !v.IsNull(), Known: !v.IsNull() && !v.IsUnknown()}
	if n.Known {
		n.Text = strconv.FormatInt(v.ValueInt64(), 10)
	}
	return n
}

// boolOf is valueOf for a bool: "true" or "false" when known.
func boolOf(v types.Bool) rds.Value {
	b := rds.Value{Set: !v.IsNull(), Known: !v.IsNull() && !v.IsUnknown()}
	if b.Known {
		b.Text = strconv.FormatBool(v.ValueBool())
	}
	return b
}

// minutes writes a whole number of minutes as Terraform users write it.
func minutes(d time.Duration) string {
	return fmt.Sprintf("%dm", d/time.Minute)
}

// withTimeout bounds ctx by a resource's timeout.
func withTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, d)
}

// importHost reads an import ID that is a host name.
func importHost(id string, diags *diag.Diagnostics, example string) (string, bool) {
	h := strings.TrimSpace(id)
	if p := hostProblem(h); p != "" {
		diags.AddError("Invalid import ID",
			fmt.Sprintf("The import ID must be the host name, FQDN or IP address of the Windows server, e.g. %q: %s", example, hostError("the import ID", h, p)))
		return "", false
	}
	return winrmclient.NormalizeHost(h), true
}

// setImportedHost sets the imported resource's host attribute, unless it
// is the provider's default host: then the configuration leaves host out,
// and setting it would plan a replacement.
func setImportedHost(ctx context.Context, d *providerData, host string, resp *resource.ImportStateResponse) diag.Diagnostics {
	if d != nil && strings.EqualFold(host, d.client.DefaultHost()) {
		return nil
	}
	return resp.State.SetAttribute(ctx, path.Root("host"), host)
}

// restartPollInterval is how often restartAndWait asks whether the host is
// back (tests shorten it).
var restartPollInterval = 2 * time.Second

// restartAndWait restarts host (shutdown /r after a few seconds, so that
// the answer gets back first) and waits until WinRM answers again from a
// host booted after bootBefore with no restart pending, or ctx ends.
func restartAndWait(ctx context.Context, d *providerData, host, bootBefore string) (rds.RoleState, error) {
	if _, err := rds.RestartComputer.Run(ctx, d, host, rds.RestartInput{DelaySeconds: 5}); err != nil {
		return rds.RoleState{}, err
	}
	var last error
	for {
		select {
		case <-ctx.Done():
			if last == nil {
				last = ctx.Err()
			}
			return rds.RoleState{}, fmt.Errorf("waiting for %s to come back after the restart: %w", host, last)
		case <-time.After(restartPollInterval):
		}
		// Until the restart happens the host answers from before it (and
		// may not report one pending: Windows can say "Maybe"); while it
		// restarts, operations fail to connect.
		state, err := rds.GetRole.Run(ctx, d, host, rds.NoInput{})
		if err == nil && state.BootTime != bootBefore && !state.RestartPending {
			return state, nil
		}
		last = err
	}
}

// stringList is a list of strings as a framework value.
func stringList(s []string) types.List {
	vals := make([]attr.Value, 0, len(s))
	for _, v := range s {
		vals = append(vals, types.StringValue(v))
	}
	return types.ListValueMust(types.StringType, vals)
}

// int64Pointer is an optional number: null when p is nil.
func int64Pointer(p *int) types.Int64 {
	if p == nil {
		return types.Int64Null()
	}
	return types.Int64Value(int64(*p))
}

// listStrings renders a list of strings for a message.
func listStrings(ctx context.Context, l types.List) []string {
	var out []string
	_ = l.ElementsAs(ctx, &out, false)
	return out
}

// setStrings are a set's strings, sorted; ok is false when it or an
// element is unknown.
func setStrings(s types.Set) ([]string, bool) {
	if s.IsUnknown() {
		return nil, false
	}
	var out []string
	for _, e := range s.Elements() {
		v, ok := e.(types.String)
		if !ok || v.IsUnknown() {
			return nil, false
		}
		if !v.IsNull() {
			out = append(out, v.ValueString())
		}
	}
	slices.Sort(out)
	return out, true
}

// stringSet is a set of strings (empty, not null, for none).
func stringSet(s []string) types.Set {
	elems := make([]attr.Value, len(s))
	for i, v := range s {
		elems[i] = types.StringValue(v)
	}
	return types.SetValueMust(types.StringType, elems)
}

// waitSeconds is how long install_role may wait for the WMI provider:
// what is left of the deadline, at most 10 minutes.
func waitSeconds(ctx context.Context) int {
	wait := 10 * time.Minute
	if dl, ok := ctx.Deadline(); ok && time.Until(dl)-30*time.Second < wait {
		wait = time.Until(dl) - 30*time.Second
	}
	if wait < 0 {
		return 0
	}
	return int(wait.Seconds())
}

// addProblems reports problems as warnings or errors, on their attribute
// when they name one.
func addProblems(diags *diag.Diagnostics, warning bool, ps ...rds.Problem) {
	for _, p := range ps {
		switch {
		case warning && p.Attr == "":
			diags.AddWarning(p.Summary, p.Detail)
		case warning:
			diags.AddAttributeWarning(path.Root(p.Attr), p.Summary, p.Detail)
		case p.Attr == "":
			diags.AddError(p.Summary, p.Detail)
		default:
			diags.AddAttributeError(path.Root(p.Attr), p.Summary, p.Detail)
		}
	}
}

// addErrors reports problems as errors.
func addErrors(diags *diag.Diagnostics, ps ...rds.Problem) { addProblems(diags, false, ps...) }

// addWarnings reports problems as warnings.
func addWarnings(diags *diag.Diagnostics, ps ...rds.Problem) { addProblems(diags, true, ps...) }

// addFailures reports failed steps as errors: each one's detail, its
// operation error explained (opErrorDetail) with its hints, and its note,
// as paragraphs.
func addFailures(diags *diag.Diagnostics, fs ...rds.Failure) {
	for _, f := range fs {
		var parts []string
		if f.Detail != "" {
			parts = append(parts, f.Detail)
		}
		if f.Err != nil {
			parts = append(parts, opErrorDetail(f.Err, f.Hints...))
		}
		if f.Note != "" {
			parts = append(parts, f.Note)
		}
		addErrors(diags, rds.Problem{Attr: f.Attr, Summary: f.Summary, Detail: strings.Join(parts, "\n\n")})
	}
}
