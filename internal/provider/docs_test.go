package provider

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

// The troubleshooting guide quotes what the provider prints: each title in
// bold (**...**) must be the summary of a diagnostic in the provider's code,
// with host names and numbers where the code puts values, and each finding
// code in its tables must be one that rdslicensing_diagnostics reports.
func TestTroubleshootingGuideQuotesRealTitles(t *testing.T) {
	guide, err := os.ReadFile(filepath.Join(repoRoot(), "templates", "guides", "troubleshooting.md.tmpl"))
	if err != nil {
		t.Fatal(err)
	}
	summaries := diagnosticSummaries(t)
	if len(summaries) < 50 {
		t.Fatalf("found %d diagnostic summaries in the provider's code; the collector misses most of them", len(summaries))
	}
	titles := regexp.MustCompile(`\*\*([^*]+)\*\*`).FindAllStringSubmatch(string(guide), -1)
	if len(titles) < 10 {
		t.Fatalf("found %d titles in the guide", len(titles))
	}
	for _, re := range summaries {
		if strings.Trim(re.String(), "^.+$ ") == "" {
			t.Fatalf("a summary reads as %s: the collector cannot read how the code builds it", re)
		}
	}
	for _, m := range titles {
		// The CLI shows a warning's or an error's summary after its kind.
		title := strings.Join(strings.Fields(m[1]), " ")
		title = strings.TrimPrefix(strings.TrimPrefix(title, "Warning: "), "Error: ")
		if !anyMatch(summaries, title) {
			t.Errorf("the troubleshooting guide quotes the title %q, which the provider never prints", title)
		}
	}

	codes := findingCodes(t)
	rows := regexp.MustCompile("(?m)^\\| (`[a-z_]+`(?: / `[a-z_]+`)*) \\|").FindAllStringSubmatch(string(guide), -1)
	if len(rows) < 10 {
		t.Fatalf("found %d finding rows in the guide", len(rows))
	}
	for _, r := range rows {
		for _, c := range regexp.MustCompile("`([a-z_]+)`").FindAllStringSubmatch(r[1], -1) {
			if !codes[c[1]] {
				t.Errorf("the troubleshooting guide lists the finding %q, which rdslicensing_diagnostics never reports", c[1])
			}
		}
	}
}

func anyMatch(res []*regexp.Regexp, s string) bool {
	for _, re := range res {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

// diagnosticSummaries reads the provider's Go code and returns a pattern for
// each diagnostic summary it can print: literal text, with `.+` where the
// code puts a value (a host, a number).
func diagnosticSummaries(t *testing.T) []*regexp.Regexp {
	t.Helper()
	files := diagnosticFiles(t)
	// Calls that take a summary, by the position of the summary argument:
	// the framework's, and the provider's own helpers with a summary
	// parameter.
	summaryArg := map[string]int{
		"AddError": 0, "AddWarning": 0, "NewErrorDiagnostic": 0, "NewWarningDiagnostic": 0,
		"AddAttributeError": 1, "AddAttributeWarning": 1, "NewAttributeErrorDiagnostic": 1, "NewAttributeWarningDiagnostic": 1,
	}
	// Struct types with a summary field, by the field's position; and the
	// types whose Summary the resources report: rds.Problem (which the
	// domain packages name Problem, Finding or Message), keypacks.Finding
	// and StepError, activation.Failure.
	summaryField := map[string]int{"Problem": 1, "Finding": 1, "StepError": 1, "Failure": 1, "Message": 1}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch d := n.(type) {
			case *ast.FuncDecl:
				i := 0
				for _, p := range d.Type.Params.List {
					for _, name := range p.Names {
						if name.Name == "summary" {
							summaryArg[d.Name.Name] = i
						}
						i++
					}
				}
			case *ast.TypeSpec:
				if st, ok := d.Type.(*ast.StructType); ok {
					i := 0
					for _, fl := range st.Fields.List {
						for _, name := range fl.Names {
							if name.Name == "summary" {
								summaryField[d.Name.Name] = i
							}
							i++
						}
					}
				}
			}
			return true
		})
	}

	var out []*regexp.Regexp
	add := func(e ast.Expr) {
		out = append(out, regexp.MustCompile("^"+exprPattern(e)+"$"))
	}
	for _, f := range files {
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			// A function that returns a summary (a result named summary):
			// what it returns.
			if i := namedResult(fn, "summary"); i >= 0 {
				ast.Inspect(fn.Body, func(n ast.Node) bool {
					if r, ok := n.(*ast.ReturnStmt); ok && i < len(r.Results) && len(r.Results) > 1 {
						if lit, ok := r.Results[i].(*ast.BasicLit); !ok || lit.Value != `""` {
							add(r.Results[i])
						}
					}
					return true
				})
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				switch x := n.(type) {
				case *ast.CallExpr:
					i, ok := summaryArg[calleeName(x)]
					if !ok || i >= len(x.Args) {
						return true
					}
					switch a := x.Args[i].(type) {
					case *ast.Ident:
						// A variable: every value the function gives it. A
						// parameter has none here; its callers are counted.
						for _, v := range assignedValues(fn.Body, a.Name) {
							add(v)
						}
					case *ast.SelectorExpr:
						// A struct's summary field: its composite literals
						// are counted.
					default:
						add(a)
					}
				case *ast.CompositeLit:
					// A slice of them: its elements' type may be elided.
					if at, ok := x.Type.(*ast.ArrayType); ok {
						for _, el := range x.Elts {
							if lit, ok := el.(*ast.CompositeLit); ok && lit.Type == nil {
								lit.Type = at.Elt
							}
						}
						return true
					}
					i, ok := summaryField[typeName(x.Type)]
					if !ok {
						return true
					}
					// A variable: every value the function gives it.
					addValue := func(e ast.Expr) {
						if _, ok := e.(*ast.SelectorExpr); ok {
							return // another one's summary: its literals are counted
						}
						if id, ok := e.(*ast.Ident); ok {
							for _, v := range assignedValues(fn.Body, id.Name) {
								add(v)
							}
							return
						}
						add(e)
					}
					for j, el := range x.Elts {
						if kv, ok := el.(*ast.KeyValueExpr); ok {
							if k, ok := kv.Key.(*ast.Ident); ok && strings.EqualFold(k.Name, "summary") {
								addValue(kv.Value)
							}
						} else if j == i {
							addValue(el)
						}
					}
				}
				return true
			})
		}
	}
	return out
}

// typeName is the name of a type as a literal writes it: T, pkg.T or *T.
func typeName(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.Ident:
		return t.Name
	case *ast.SelectorExpr:
		return t.Sel.Name
	case *ast.StarExpr:
		return typeName(t.X)
	}
	return ""
}

// namedResult is the position of fn's result called name, or -1.
func namedResult(fn *ast.FuncDecl, name string) int {
	if fn.Type.Results == nil {
		return -1
	}
	i := 0
	for _, r := range fn.Type.Results.List {
		for _, n := range r.Names {
			if n.Name == name {
				return i
			}
			i++
		}
		if len(r.Names) == 0 {
			i++
		}
	}
	return -1
}

// diagnosticFiles are the Go files whose text can become a diagnostic: the
// provider's and those of the packages that give it its messages.
func diagnosticFiles(t *testing.T) []*ast.File {
	t.Helper()
	fset := token.NewFileSet()
	var files []*ast.File
	for _, pkg := range []string{"provider", "keypacks", "licensecodes", "activation", "sessionhosts", "endpointservers", "calrevocation", "grouppolicy"} {
		names, err := filepath.Glob(filepath.Join(repoRoot(), "internal", pkg, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, name, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
	}
	return files
}

func calleeName(c *ast.CallExpr) string {
	switch f := c.Fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		return f.Sel.Name
	}
	return ""
}

// assignedValues returns the expressions assigned to the variable name in
// body.
func assignedValues(body *ast.BlockStmt, name string) []ast.Expr {
	var out []ast.Expr
	ast.Inspect(body, func(n ast.Node) bool {
		switch s := n.(type) {
		case *ast.AssignStmt:
			if len(s.Lhs) != len(s.Rhs) {
				return true
			}
			for i, l := range s.Lhs {
				if id, ok := l.(*ast.Ident); ok && id.Name == name {
					out = append(out, s.Rhs[i])
				}
			}
		case *ast.ValueSpec:
			for i, id := range s.Names {
				if id.Name == name && i < len(s.Values) {
					out = append(out, s.Values[i])
				}
			}
		}
		return true
	})
	return out
}

var formatVerb = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z]`)

// exprPattern is a regular expression for the strings e can evaluate to:
// its literal text, and `.+` for what only runs know.
func exprPattern(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.BasicLit:
		if x.Kind == token.STRING {
			if s, err := strconv.Unquote(x.Value); err == nil {
				return regexp.QuoteMeta(s)
			}
		}
	case *ast.ParenExpr:
		return exprPattern(x.X)
	case *ast.BinaryExpr:
		if x.Op == token.ADD {
			return exprPattern(x.X) + exprPattern(x.Y)
		}
	case *ast.CallExpr:
		if calleeName(x) == "Sprintf" && len(x.Args) > 0 {
			if lit, ok := x.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				format, err := strconv.Unquote(lit.Value)
				if err == nil {
					var b strings.Builder
					for _, part := range strings.Split(format, "%%") {
						if b.Len() > 0 {
							b.WriteString("%")
						}
						last := 0
						for _, loc := range formatVerb.FindAllStringIndex(part, -1) {
							b.WriteString(regexp.QuoteMeta(part[last:loc[0]]) + ".+")
							last = loc[1]
						}
						b.WriteString(regexp.QuoteMeta(part[last:]))
					}
					return b.String()
				}
			}
		}
	}
	return ".+"
}

// findingCodes are the codes of the findings rdslicensing_diagnostics
// reports: the snake_case string literals of internal/diagnosis.
func findingCodes(t *testing.T) map[string]bool {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filepath.Join(repoRoot(), "internal", "diagnosis", "diagnosis.go"), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	code := regexp.MustCompile(`^[a-z]+(_[a-z]+)+$`)
	out := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			if s, err := strconv.Unquote(lit.Value); err == nil && code.MatchString(s) {
				out[s] = true
			}
		}
		return true
	})
	return out
}

// Every resource's timeouts attribute says what it bounds, and each of
// create, read, update and delete its default.
func TestTimeoutsAreDescribed(t *testing.T) {
	ctx := context.Background()
	for _, newResource := range New("test")().Resources(ctx) {
		r := newResource()
		var meta resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "rdslicensing"}, &meta)
		var resp resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &resp)
		a, ok := resp.Schema.Attributes["timeouts"].(schema.SingleNestedAttribute)
		if !ok {
			t.Errorf("%s has no timeouts attribute", meta.TypeName)
			continue
		}
		if !strings.Contains(a.MarkdownDescription, "Go durations") {
			t.Errorf("%s: timeouts is not described: %q", meta.TypeName, a.MarkdownDescription)
		}
		for _, op := range []string{"create", "read", "update", "delete"} {
			if d := a.Attributes[op].GetDescription(); !regexp.MustCompile("Defaults to `[0-9]+m`").MatchString(d) {
				t.Errorf("%s: timeouts.%s does not give its default: %q", meta.TypeName, op, d)
			}
		}
	}
}

// docs/index.md's example declares the provider with its source and a
// version constraint, as a configuration that installs it needs.
func TestProviderDocExampleRequiresTheProvider(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(repoRoot(), "docs", "index.md"))
	if err != nil {
		t.Fatal(err)
	}
	example := regexp.MustCompile("(?s)## Example Usage\n\n```terraform\n(.*?)```").FindSubmatch(doc)
	if example == nil {
		t.Fatal("docs/index.md has no Example Usage")
	}
	want := regexp.MustCompile(`(?s)required_providers \{\s*rdslicensing = \{\s*source\s*= "rdslicensing/rdslicensing"\s*version\s*= "[^"]+"`)
	if !want.Match(example[1]) {
		t.Errorf("docs/index.md's example does not declare rdslicensing in required_providers with a source and version:\n%s", example[1])
	}
}
