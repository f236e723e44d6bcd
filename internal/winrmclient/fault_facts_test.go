package winrmclient

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winfacts"
)

// Every fault code the client acts on (the FaultCode constants) is a
// cataloged WS-Management fact.
func TestFaultCodesAreFacts(t *testing.T) {
	file, err := parser.ParseFile(token.NewFileSet(), "fault.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	ast.Inspect(file, func(node ast.Node) bool {
		spec, ok := node.(*ast.ValueSpec)
		if !ok {
			return true
		}
		for i, name := range spec.Names {
			if !strings.HasPrefix(name.Name, "FaultCode") || i >= len(spec.Values) {
				continue
			}
			lit, ok := spec.Values[i].(*ast.BasicLit)
			if !ok {
				t.Errorf("%s is not a number literal", name.Name)
				continue
			}
			code, err := strconv.ParseInt(lit.Value, 0, 64)
			if err != nil {
				t.Fatal(err)
			}
			n++
			if !winfacts.HasWSManCode(code) {
				t.Errorf("%s = %d is no fault in winfacts.WSManFaults: catalog it with its source", name.Name, code)
			}
		}
		return true
	})
	if n < 5 {
		t.Fatalf("found %d FaultCode constants in fault.go", n)
	}
}
