package provider

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var updateGuide = flag.Bool("update", false, "rewrite the fault matrix in templates/guides/reliability.md.tmpl from the test's table")

// The reliability guide shows the fault matrix as the acceptance test
// measures it: its tables are made from fmMatrix, and this test fails
// when the template holds anything else (go test -run TestReliabilityGuide
// -update rewrites them; make docs renders the guide).

const (
	guideTemplate = "templates/guides/reliability.md.tmpl"
	guideBegin    = "<!-- BEGIN fault matrix: made from internal/provider/fault_matrix_test.go by `go test ./internal/provider -run TestReliabilityGuide -update` -->"
	guideEnd      = "<!-- END fault matrix -->"
)

func TestReliabilityGuide(t *testing.T) {
	path := filepath.Join(repoRoot(), guideTemplate)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	i, j := strings.Index(text, guideBegin), strings.Index(text, guideEnd)
	if i < 0 || j < i {
		t.Fatalf("%s has no section between %q and %q", guideTemplate, guideBegin, guideEnd)
	}
	want := guideBegin + "\n" + renderFaultMatrix() + guideEnd
	if text[i:j+len(guideEnd)] == want {
		return
	}
	if !*updateGuide {
		t.Fatalf("the fault matrix in %s is not the test's table: run go test ./internal/provider -run TestReliabilityGuide -update, then make docs", guideTemplate)
	}
	if err := os.WriteFile(path, []byte(text[:i]+want+text[j+len(guideEnd):]), 0o600); err != nil {
		t.Fatal(err)
	}
}

// Every cell of the matrix is a resource's step with a known fault, once.
func TestFaultMatrixCells(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range fmMatrix {
		key := fmt.Sprint(c.Resource, c.Step, c.Fault)
		if seen[key] {
			t.Errorf("two cells for %s", key)
		}
		seen[key] = true
		f := fmFaultByID(c.Fault)
		r := fmResourceByType(c.Resource)
		if f.KeyPackOnly && (r.Ops[c.Step] != "install_key_pack") {
			t.Errorf("%s: fault %s is for install_key_pack, not %s", key, c.Fault, r.Ops[c.Step])
		}
		if c.NotDone && c.Error == nil {
			t.Errorf("%s: a change not made must come with an error that says so", key)
		}
	}
	for _, r := range fmResources {
		for step := fmCreate; step <= fmDelete; step++ {
			for _, f := range fmFaults {
				// A step that runs nothing on the host has no cells.
				if !f.KeyPackOnly && r.Ops[step] != "" && !seen[fmt.Sprint(r.Type, step, f.ID)] {
					t.Errorf("no cell for %s %s with fault %s", r.Type, step, f.ID)
				}
			}
		}
	}
}

// renderFaultMatrix is the guide's section: the faults, then a table per
// resource (a row per fault, a column per step) and its errors.
func renderFaultMatrix() string {
	var b strings.Builder
	b.WriteString("\n### The faults\n\n")
	for _, f := range fmFaults {
		fmt.Fprintf(&b, "- **%s**: %s.\n", f.Name, f.What)
	}
	for _, r := range fmResources {
		fmt.Fprintf(&b, "\n### %s\n\n", r.Type)
		if r.Ops[fmDelete] == "" {
			fmt.Fprintf(&b, "Create and update run `%s` and `%s`; %s.\n\n", r.Ops[fmCreate], r.Ops[fmUpdate], guideSteps[r.Type])
		} else {
			fmt.Fprintf(&b, "Create, update and delete run `%s`, `%s` and `%s`; %s.\n\n", r.Ops[fmCreate], r.Ops[fmUpdate], r.Ops[fmDelete], guideSteps[r.Type])
		}
		b.WriteString("| Fault | Create | Update | Delete |\n|---|---|---|---|\n")
		var errs [][]string
		for _, f := range fmFaults {
			var cells [3]string
			found := false
			for _, c := range fmMatrix {
				if c.Resource != r.Type || c.Fault != f.ID {
					continue
				}
				found = true
				cells[c.Step] = guideCell(r, c, &errs)
			}
			if !found {
				continue
			}
			for i := range cells {
				if cells[i] == "" {
					cells[i] = "—"
				}
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", f.Name, cells[0], cells[1], cells[2])
		}
		if len(errs) > 0 {
			b.WriteString("\n")
			for i, e := range errs {
				fmt.Fprintf(&b, "- **E%d**: %s\n", i+1, guideError(e))
			}
		}
	}
	b.WriteString("\n")
	return b.String()
}

// guideSteps says what each resource's steps change in the test.
var guideSteps = map[string]string{
	"rdslicensing_role":                "the update removes the management tools (`include_management_tools = true -> false`)",
	"rdslicensing_server_activation":   "the update reactivates (`reactivation_trigger` set), the delete deactivates (`deactivate_on_destroy = true`)",
	"rdslicensing_key_pack":            "10 CALs, then 15 more (`quantity = 10 -> 25`), then both packs removed (`remove_cals_on_destroy = true`)",
	"rdslicensing_session_host_policy": "`per_user`, then `per_device` (Group Policy, with `LS01`), then not configured",
	"rdslicensing_license_server_security_group": "the policy enabled with `RDSH01` in RDS Endpoint Servers, then `RDSH02` added, then the policy removed (the members stay); " +
		"the reboot stops the script after the group changed, before the licensing service restarts",
	"rdslicensing_domain_licensing_policy": "a GPO created with `per_user`, `ls01.contoso.com` and a link to an OU, then `per_device` and a link to another OU instead, then both values taken out and the link removed (the GPO stays); " +
		"the reboot stops the script after the GPO's values and links changed",
	"rdslicensing_cal_revocation": "`PC01`'s CAL revoked, then `PC02`'s (`devices` grows); destroy runs nothing, since a revocation cannot be undone",
}

// guideCell is a cell's text; its error joins errs (numbered E1...).
func guideCell(r fmResource, c fmCell, errs *[][]string) string {
	changes := r.Changes[c.Step]
	if c.NotDone {
		changes = 0
	}
	runs := fmt.Sprintf("%s, %s", guidePlural(c.Runs, "run"), guidePlural(changes, "change"))
	if c.Error == nil {
		return "ok; " + runs
	}
	n := slices.IndexFunc(*errs, func(e []string) bool { return slices.Equal(e, c.Error) })
	if n < 0 {
		*errs = append(*errs, c.Error)
		n = len(*errs) - 1
	}
	if c.NotDone {
		return fmt.Sprintf("**error E%d**; not done, the next apply changes nothing; %s", n+1, runs)
	}
	return fmt.Sprintf("**error E%d**, the next apply converges; %s", n+1, runs)
}

func guidePlural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// guideError shows an error's words as the test matches them: the
// summary, then what its detail says, in order.
func guideError(words []string) string {
	parts := make([]string, len(words))
	for i, w := range words {
		parts[i] = "“" + w + "”"
	}
	return strings.Join(parts, " … ")
}
