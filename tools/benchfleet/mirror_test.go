package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

const testSchema = `{"provider_schemas": {"registry.opentofu.org/rdslicensing/rdslicensing": {
  "resource_schemas": {"rdslicensing_session_host_policy": {"block": {"attributes": {
    "host": {"type": "string", "optional": true},
    "id": {"type": "string", "computed": true},
    "licensing_mode": {"type": "string", "required": true},
    "grace_period_days": {"type": "number", "computed": true},
    "effective_license_servers": {"type": ["list", "string"], "computed": true}}}}},
  "data_source_schemas": {"rdslicensing_diagnostics": {"block": {"attributes": {
    "host": {"type": "string", "optional": true},
    "id": {"type": "string", "computed": true},
    "healthy": {"type": "bool", "computed": true},
    "findings": {"computed": true, "nested_type": {"nesting_mode": "list", "attributes": {
      "severity": {"type": "string", "computed": true}}}}}}}}}}}`

// The mirror keeps the graph's shape (for_each, depends_on, module calls)
// on terraform_data, keeps references working through locals, and leaves
// no provider behind.
func TestMirrorKeepsTheGraphWithoutTheProvider(t *testing.T) {
	dir := t.TempDir()
	root, mod := filepath.Join(dir, "root"), filepath.Join(dir, "modules", "hosts")
	for _, d := range []string{root, mod} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(p, s string) {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(root, "main.tf"), `
terraform {
  required_version = ">= 1.6"
  required_providers {
    rdslicensing = { source = "rdslicensing/rdslicensing" }
  }
}
provider "rdslicensing" {}
variable "rdslicensing_session_host_policy" { default = { this = "not a resource" } }
module "hosts" {
  source     = "../modules/hosts"
  providers  = { rdslicensing = rdslicensing }
  hosts      = toset(["a", "b"])
  depends_on = [module.other]
}
module "other" {
  source = "../modules/hosts"
  hosts  = toset([])
}
output "x" { value = var.rdslicensing_session_host_policy.this }
`)
	write(filepath.Join(mod, "main.tf"), `
variable "hosts" { type = set(string) }
resource "rdslicensing_session_host_policy" "this" {
  for_each       = var.hosts
  host           = each.key
  licensing_mode = "per_user"
  lifecycle { prevent_destroy = true }
}
data "rdslicensing_diagnostics" "this" {
  for_each   = var.hosts
  host       = each.key
  depends_on = [rdslicensing_session_host_policy.this]
}
output "healthy" { value = alltrue([for d in data.rdslicensing_diagnostics.this : d.healthy]) }
output "days" { value = { for h, p in rdslicensing_session_host_policy.this : h => p.grace_period_days } }
output "text" { value = "rdslicensing_session_host_policy.this ${rdslicensing_session_host_policy.this["a"].id}" }
`)
	ph, err := schemaPlaceholders([]byte(testSchema))
	if err != nil {
		t.Fatal(err)
	}
	if err := mirrorTree(root, ph); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, p := range []string{filepath.Join(root, "main.tf"), filepath.Join(mod, "main.tf")} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, diags := hclsyntax.ParseConfig(b, p, hcl.InitialPos); diags.HasErrors() {
			t.Fatalf("%s is not valid HCL: %s\n%s", p, diags.Error(), b)
		}
		got[p] = string(b)
	}
	rootTF, modTF := got[filepath.Join(root, "main.tf")], got[filepath.Join(mod, "main.tf")]
	flat := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	for _, want := range []string{
		`required_version = ">= 1.6"`,
		`depends_on = [module.other]`,
		`output "x" { value = var.rdslicensing_session_host_policy.this }`,
	} {
		if !strings.Contains(flat(rootTF), flat(want)) {
			t.Errorf("root: want %q in\n%s", want, rootTF)
		}
	}
	for _, gone := range []string{"required_providers", `provider "rdslicensing"`, "providers"} {
		if strings.Contains(rootTF, gone) {
			t.Errorf("root: %q should be gone:\n%s", gone, rootTF)
		}
	}
	for _, want := range []string{
		`resource "terraform_data" "rdslicensing_session_host_policy__this" { for_each = var.hosts input = {`,
		`host = each.key licensing_mode = "per_user" effective_license_servers = [] grace_period_days = 0 id = each.key }`,
		`resource "terraform_data" "data__rdslicensing_diagnostics__this" { for_each = var.hosts depends_on = [terraform_data.rdslicensing_session_host_policy__this]`,
		`findings = [] healthy = true id = each.key`,
		`rdslicensing_session_host_policy__this = { for k, v in terraform_data.rdslicensing_session_host_policy__this : k => v.output }`,
		`[for d in local.data__rdslicensing_diagnostics__this : d.healthy]`,
		`{ for h, p in local.rdslicensing_session_host_policy__this : h => p.grace_period_days }`,
		// Text in strings stays; interpolations are references.
		`"rdslicensing_session_host_policy.this ${local.rdslicensing_session_host_policy__this["a"].id}"`,
	} {
		if !strings.Contains(flat(modTF), flat(want)) {
			t.Errorf("module: want %q in\n%s", want, modTF)
		}
	}
	for _, gone := range []string{`resource "rdslicensing_`, `data "rdslicensing_`, "lifecycle"} {
		if strings.Contains(modTF, gone) {
			t.Errorf("module: %q should be gone:\n%s", gone, modTF)
		}
	}
}

// The fleet's variables come from the root module: a root that takes its
// session hosts as a map gets a map.
func TestWriteVarsFollowsTheRootsTypes(t *testing.T) {
	dir := t.TempDir()
	prov, core := filepath.Join(dir, "p"), filepath.Join(dir, "c")
	for _, d := range []string{prov, core} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(prov, "variables.tf"), []byte(`
variable "license_server" { type = string }
variable "session_hosts" { type = map(string) }
`), 0o644); err != nil {
		t.Fatal(err)
	}
	types, err := rootVariables(prov)
	if err != nil {
		t.Fatal(err)
	}
	w := &workspace{provRoot: prov, coreRoot: core, rootVarType: types}
	if err := w.writeVars("127.0.10.1", []string{"127.0.10.2"}); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{prov, core} {
		b, err := os.ReadFile(filepath.Join(d, "terraform.tfvars.json"))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := strings.Join(strings.Fields(string(b)), ""), `{"license_server":"127.0.10.1","session_hosts":{"127.0.10.2":"127.0.10.2"}}`; got != want {
			t.Errorf("%s: got %s, want %s (only the declared variables)", d, got, want)
		}
	}
}

// Bad settings fail at once, naming the flag and what it takes.
func TestBadSettingsNameTheFlag(t *testing.T) {
	if ps, err := parsePs("10, 50"); err != nil || len(ps) != 2 || ps[0] != 10 || ps[1] != 50 {
		t.Errorf(`parsePs("10, 50") = %v, %v`, ps, err)
	}
	for _, bad := range []string{"", "ten", "0"} {
		if _, err := parsePs(bad); err == nil || !strings.Contains(err.Error(), "-p") {
			t.Errorf("parsePs(%q): want an error naming -p, got %v", bad, err)
		}
	}
	var out, progress strings.Builder
	for _, tc := range []struct {
		o    options
		want string
	}{
		{options{n: 3, runs: 1, timing: "slow"}, "-timing must be realistic, warm or fast"},
		{options{n: 0, runs: 1, timing: "fast"}, "-n and -runs must be at least 1"},
		{options{n: 3, runs: 1, timing: "fast", repo: "../..", cli: "/nonexistent/tofu"}, "-cli /nonexistent/tofu: no such file"},
		{options{n: 3, runs: 1, timing: "fast", repo: "../..", cli: "/bin/true", root: "internal"}, "-root internal must be a directory under examples/"},
		{options{n: 3, runs: 1, timing: "fast", repo: "../..", cli: "/bin/true", root: "examples/nope"}, "-root examples/nope: no such directory"},
	} {
		if err := run(&tc.o, &out, &progress); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: want an error with %q, got %v", tc.o, tc.want, err)
		}
	}
}
