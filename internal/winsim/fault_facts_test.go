package winsim

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winfacts"
)

// Every WS-Management fault winsim can send is a cataloged fact: the
// constructors are found in the source, so a new one without a fact fails.
func TestFaultsAreFacts(t *testing.T) {
	constructors, strays := faultConstructors(t)
	for _, s := range strays {
		t.Errorf("%s builds a wsFault outside a fault* constructor: add a constructor to wsman.go and a fact to winfacts.WSManFaults", s)
	}
	for _, name := range constructors {
		if _, ok := wsFaults[name]; !ok {
			t.Errorf("%s is not in wsFaults: name its fact in winfacts.WSManFaults there", name)
		}
	}
	for name, c := range wsFaults {
		if !contains(constructors, name) {
			t.Errorf("wsFaults names %s, which is no fault constructor", name)
		}
		if c.fact == "" {
			continue
		}
		fact, ok := winfacts.LookupWSManFault(c.fact)
		if !ok {
			t.Errorf("%s: no fact %q in winfacts.WSManFaults", name, c.fact)
			continue
		}
		f := c.make()
		if f.Subcode != fact.Subcode || f.WSMCode != fact.Code || !fact.MatchesReason(f.Reason) {
			t.Errorf("%s sends (%s, %d, %q); the catalog's %s is (%s, %d, %q)", name, f.Subcode, f.WSMCode, f.Reason, fact.Name, fact.Subcode, fact.Code, fact.Reason)
		}
	}
}

// faultConstructors lists the package's functions fault<Name> that return
// a *wsFault, and the places that build a wsFault outside them.
func faultConstructors(t *testing.T) (names, strays []string) {
	t.Helper()
	fset := token.NewFileSet()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	ctor := regexp.MustCompile(`^fault[A-Z]`)
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, e.Name(), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			isCtor := fn.Recv == nil && ctor.MatchString(fn.Name.Name) && returnsWSFault(fn)
			if isCtor {
				names = append(names, fn.Name.Name)
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				if lit, ok := n.(*ast.CompositeLit); ok && !isCtor {
					if id, ok := lit.Type.(*ast.Ident); ok && id.Name == "wsFault" {
						strays = append(strays, fset.Position(lit.Pos()).String())
					}
				}
				return true
			})
		}
	}
	sort.Strings(names)
	return names, strays
}

func returnsWSFault(fn *ast.FuncDecl) bool {
	if fn.Type.Results == nil || len(fn.Type.Results.List) != 1 {
		return false
	}
	star, ok := fn.Type.Results.List[0].Type.(*ast.StarExpr)
	if !ok {
		return false
	}
	id, ok := star.X.(*ast.Ident)
	return ok && id.Name == "wsFault"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
