package rds_test

import (
	"slices"
	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// get_windows_facts reports the method signatures winsim models; they are
// those of the catalog the scripts are checked against, so that a real
// server's Get-CimClass answer is compared with what the scripts call.
func TestWinsimWMISchemaIsTheCatalog(t *testing.T) {
	schema := winsim.WMISchema()
	for name, c := range schema {
		cat, ok := wmiCatalog[name]
		if !ok {
			t.Errorf("winsim models class %s, which the catalog does not have", name)
			continue
		}
		if c.Namespace != cat.namespace {
			t.Errorf("%s: winsim namespace %s, catalog %s", name, c.Namespace, cat.namespace)
		}
		for m, want := range cat.methods {
			got, ok := c.Methods[m]
			if !ok {
				t.Errorf("%s.%s: not in winsim's schema", name, m)
				continue
			}
			if !slices.Equal(got.In, want.in) || !slices.Equal(got.Out, want.out) {
				t.Errorf("%s.%s: winsim in %v out %v, catalog in %v out %v", name, m, got.In, got.Out, want.in, want.out)
			}
		}
		if len(c.Methods) != len(cat.methods) {
			t.Errorf("%s: winsim has %d methods, the catalog %d", name, len(c.Methods), len(cat.methods))
		}
	}
	if len(schema) != 5 {
		t.Fatalf("winsim models %d classes, want the 5 licensing and session host classes", len(schema))
	}
}
