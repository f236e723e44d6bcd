package provider

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// frameworkPackages are the imports that make a function an adapter: it
// reads or writes the framework's values, schemas or diagnostics.
var frameworkPackages = map[string]bool{
	"attr": true, "basetypes": true, "datasource": true, "diag": true, "dsschema": true, "path": true, "planmodifier": true,
	"resource": true, "schema": true, "timeouts": true, "tflog": true, "tfsdk": true, "tftypes": true, "types": true, "validator": true,
	"booldefault": true, "int64planmodifier": true, "stringplanmodifier": true, "boolplanmodifier": true, "listplanmodifier": true, "setplanmodifier": true,
}

// Resource and data source files hold the lifecycle, the schema, the model
// and the helpers that touch framework types; a function that touches none
// is a decision on plain values, and its home is a domain package
// (internal/keypacks, activation, sessionhosts, ...), where it is unit
// tested without the framework. Methods are exempt: they convert or act on
// the model and the resource, whose fields are framework values.
func TestResourceFilesHoldNoDomainDecisions(t *testing.T) {
	files, err := filepath.Glob("resource_*.go")
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob("data_source_*.go")
	files = append(files, more...)
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv != nil {
				continue
			}
			checked++
			if !touchesFramework(fn) {
				t.Errorf("%s: %s uses no framework type: move it to the domain package it decides for, and test it there", name, fn.Name.Name)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no function checked: the glob found no resource file")
	}
}

// touchesFramework: fn's signature or body names a framework package, or
// calls opErrorDetail, which writes an operation error as a diagnostic's
// detail (presentation, the provider's part).
func touchesFramework(fn *ast.FuncDecl) bool {
	found := false
	ast.Inspect(fn, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.SelectorExpr:
			if id, ok := x.X.(*ast.Ident); ok && frameworkPackages[id.Name] {
				found = true
			}
		case *ast.CallExpr:
			if id, ok := x.Fun.(*ast.Ident); ok && id.Name == "opErrorDetail" {
				found = true
			}
		}
		return !found
	})
	return found
}

// lifecycle is the order of a resource's or data source's methods, after
// its assertions, constructor and type.
var lifecycle = []string{"Metadata", "Schema", "Configure", "ValidateConfig", "ModifyPlan", "Create", "Read", "Update", "Delete", "ImportState"}

// Resource and data source files read lifecycle first: the framework's
// methods in lifecycle order, then the helpers, then the model.
func TestResourceFilesReadLifecycleFirst(t *testing.T) {
	files, _ := filepath.Glob("resource_*.go")
	more, _ := filepath.Glob("data_source_*.go")
	for _, name := range append(files, more...) {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		last, helperSeen, modelSeen := -1, "", ""
		for _, d := range f.Decls {
			switch x := d.(type) {
			case *ast.FuncDecl:
				i := slices.Index(lifecycle, x.Name.Name)
				switch {
				case x.Recv != nil && i >= 0:
					if helperSeen != "" || modelSeen != "" || i < last {
						t.Errorf("%s: %s comes after %s%s: lifecycle methods come first, in the order %v", name, x.Name.Name, helperSeen, modelSeen, lifecycle)
					}
					last = i
				case strings.HasPrefix(x.Name.Name, "New") && x.Recv == nil:
				default:
					if helperSeen == "" {
						helperSeen = x.Name.Name
					}
				}
			case *ast.GenDecl:
				for _, s := range x.Specs {
					if ts, ok := s.(*ast.TypeSpec); ok && strings.HasSuffix(ts.Name.Name, "Model") && modelSeen == "" {
						modelSeen = ts.Name.Name
					}
				}
			}
		}
		if last < 0 {
			t.Errorf("%s: no lifecycle method found", name)
		}
	}
}
