package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
)

// A failure reads as its detail, its operation error with the hints, then
// its note, each a paragraph, on its attribute when it names one.
func TestAddFailures(t *testing.T) {
	var diags diag.Diagnostics
	err := &winrmclient.Error{Kind: rds.KindNotActivated, Operation: "install_key_pack", Host: "ls01", Message: "the license server is not activated"}
	addFailures(&diags, rds.Failure{Attr: "quantity", Summary: "Cannot install", Detail: "First.", Err: err, Hints: []string{"Do this.", ""}, Note: "Last."},
		rds.Failure{Summary: "Only a detail", Detail: "Alone."})
	if len(diags) != 2 || !diags.HasError() {
		t.Fatalf("diagnostics: %v", diags)
	}
	d := diags[0].Detail()
	parts := strings.Split(d, "\n\n")
	if len(parts) != 4 || parts[0] != "First." || !strings.Contains(parts[1], "not activated. Do this.") || parts[3] != "Last." {
		t.Errorf("detail paragraphs: %q", parts)
	}
	if a, ok := diags[0].(diag.DiagnosticWithPath); !ok || !a.Path().Equal(path.Root("quantity")) {
		t.Errorf("the failure is not on its attribute: %v", diags[0])
	}
	if _, ok := diags[1].(diag.DiagnosticWithPath); ok || diags[1].Detail() != "Alone." {
		t.Errorf("a failure without attribute or error: %v", diags[1])
	}
}
