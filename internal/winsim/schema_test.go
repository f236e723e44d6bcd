package winsim

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The scenario format's JSON schema is generated from the Go types of
// state.go, their json tags and their doc comments:
// `go test ./internal/winsim -run TestScenarioSchema -update` rewrites it.

var updateSchema = flag.Bool("update", false, "rewrite docs/winsim-scenario.schema.json")

const schemaPath = "../../docs/winsim-scenario.schema.json"

// schemaID is where the schema is published: docs/ of the main branch.
const schemaID = "https://raw.githubusercontent.com/rdslicensing/terraform-provider-rdslicensing/main/docs/winsim-scenario.schema.json"

// fieldDocs reads the doc comments of state.go's types and fields.
func fieldDocs(t *testing.T) (types map[string]string, fields map[string]string) {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "state.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	types, fields = map[string]string{}, map[string]string{}
	text := func(groups ...*ast.CommentGroup) string {
		var parts []string
		for _, g := range groups {
			if s := strings.Join(strings.Fields(g.Text()), " "); s != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, " ")
	}
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.TYPE {
			continue
		}
		for _, sp := range gd.Specs {
			ts, ok := sp.(*ast.TypeSpec)
			if !ok {
				continue
			}
			types[ts.Name.Name] = text(gd.Doc)
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				continue
			}
			for _, fl := range st.Fields.List {
				var groups []*ast.CommentGroup
				if fl.Doc != nil {
					groups = append(groups, fl.Doc)
				}
				if fl.Comment != nil {
					groups = append(groups, fl.Comment)
				}
				for _, n := range fl.Names {
					fields[ts.Name.Name+"."+n.Name] = text(groups...)
				}
			}
		}
	}
	return types, fields
}

// scenarioSchema is the JSON schema (draft 2020-12) of what LoadScenario
// reads and SaveScenarioFile writes.
func scenarioSchema(t *testing.T) []byte {
	t.Helper()
	typeDocs, fieldDoc := fieldDocs(t)
	defs := map[string]map[string]any{}
	propsOf := map[string]map[string]map[string]any{} // type -> json name -> schema
	timeType := reflect.TypeFor[time.Time]()
	var schemaOf func(rt reflect.Type) map[string]any
	schemaOf = func(rt reflect.Type) map[string]any {
		switch {
		case rt == timeType:
			return map[string]any{"type": "string", "format": "date-time"}
		case rt.Kind() == reflect.Pointer:
			s := schemaOf(rt.Elem())
			if typ, ok := s["type"].(string); ok {
				s["type"] = []string{typ, "null"}
				return s
			}
			return map[string]any{"anyOf": []any{s, map[string]any{"type": "null"}}}
		case rt.Kind() == reflect.Slice:
			// A nil slice is saved as null.
			return map[string]any{"type": []string{"array", "null"}, "items": schemaOf(rt.Elem())}
		case rt.Kind() == reflect.Map:
			return map[string]any{"type": []string{"object", "null"}, "additionalProperties": schemaOf(rt.Elem())}
		case rt.Kind() == reflect.String:
			return map[string]any{"type": "string"}
		case rt.Kind() == reflect.Bool:
			return map[string]any{"type": "boolean"}
		case rt.Kind() >= reflect.Int && rt.Kind() <= reflect.Int64:
			return map[string]any{"type": "integer"}
		case rt.Kind() == reflect.Struct:
			name := rt.Name()
			if _, done := defs[name]; !done {
				defs[name] = nil // recursion guard
				props := map[string]map[string]any{}
				for i := range rt.NumField() {
					f := rt.Field(i)
					tag := strings.Split(f.Tag.Get("json"), ",")[0]
					if tag == "-" || !f.IsExported() {
						continue
					}
					if tag == "" {
						t.Fatalf("%s.%s has no json tag", name, f.Name)
					}
					p := schemaOf(f.Type)
					if d := fieldDoc[name+"."+f.Name]; d != "" {
						p["description"] = d
					}
					props[tag] = p
				}
				def := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
				if d := typeDocs[name]; d != "" {
					def["description"] = d
				}
				defs[name], propsOf[name] = def, props
			}
			return map[string]any{"$ref": "#/$defs/" + name}
		}
		t.Fatalf("no JSON schema for Go type %s", rt)
		return nil
	}
	root := schemaOf(reflect.TypeFor[Scenario]())
	// LoadScenario also takes "$schema", for editors.
	propsOf["Scenario"]["$schema"] = map[string]any{
		"type": "string", "description": "The JSON schema of the file, for editors (this schema's $id, or a path to docs/winsim-scenario.schema.json); winsim ignores it.",
	}
	// What the loader checks beyond types (validateHost).
	defs["HostState"]["required"] = []string{"name"}
	props := propsOf["HostState"]
	var releases []string
	for r := range OSBuilds {
		releases = append(releases, r)
	}
	slices.Sort(releases)
	props["os"]["enum"] = releases
	props["address"]["description"] = fmt.Sprintf("%v Empty: the fleet numbers the host from its base address (%s by default; winsim -base-address).", props["address"]["description"], DefaultBaseAddress)
	doc := map[string]any{
		"$schema":     "https://json-schema.org/draft/2020-12/schema",
		"$id":         schemaID,
		"title":       "winsim scenario",
		"description": "A fleet of simulated Windows Server hosts and the Microsoft Clearinghouse, as winsim -scenario and -state load it and the control API's GET /v1/scenario returns it. A host lists only what differs from the defaults (WinRM configuration, quirks, timing, the Administrator account); unknown fields are errors. Generated from internal/winsim/state.go.",
		"$ref":        root["$ref"],
		"$defs":       defs,
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestScenarioSchemaIsCurrent(t *testing.T) {
	want := scenarioSchema(t)
	if *updateSchema {
		if err := os.WriteFile(schemaPath, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(schemaPath)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("docs/winsim-scenario.schema.json is stale (%v): run go test ./internal/winsim -run TestScenarioSchema -update", err)
	}
}

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(scenarioSchema(t)))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(schemaID, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(schemaID)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validateJSON(s *jsonschema.Schema, b []byte) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return err
	}
	return s.Validate(v)
}

// The repository's scenarios, and what winsim saves, are valid against
// the schema, and load.
func TestScenariosMatchTheSchema(t *testing.T) {
	s := compileSchema(t)
	files, _ := filepath.Glob("../../examples/*/winsim*.json")
	more, _ := filepath.Glob("../../examples/*/*/testdata/*.json")
	files = append(files, more...)
	if len(files) < 2 {
		t.Fatalf("found %d example scenarios, want the quick start's and the session-hosts module test's", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := validateJSON(s, b); err != nil {
			t.Errorf("%s: %v", f, err)
		}
		if _, err := LoadScenario(bytes.NewReader(b), FastTiming); err != nil {
			t.Errorf("%s does not load: %v", f, err)
		}
	}
	// A saved fleet: every default filled in, empty lists saved as null.
	grace := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	sim, err := New(Scenario{Hosts: []HostState{NewLicenseServerHost("LS01", "2025", "contoso.com"), NewSessionHost("RDSH01", "2022", "", grace)}})
	if err != nil {
		t.Fatal(err)
	}
	saved := filepath.Join(t.TempDir(), "state.json")
	if err := sim.SaveScenarioFile(saved); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(saved)
	if err := validateJSON(s, b); err != nil {
		t.Errorf("a saved state: %v", err)
	}
}

// The schema refuses what the loader refuses.
func TestSchemaRefusesWhatTheLoaderRefuses(t *testing.T) {
	s := compileSchema(t)
	for _, bad := range []string{
		`{"hosts": [{"name": "LS01", "colour": "blue"}]}`,
		`{"hosts": [{"name": "LS01", "os": "2012"}]}`,
		`{"hosts": [{"os": "2022"}]}`,
		`{"hosts": [{"name": "LS01", "winrm": {"http": "yes"}}]}`,
		`{"hosts": [], "clearinghouse": {"reachable": true, "agreements": [{"number": 7}]}}`,
		`{"hosts": [{"name": "LS01", "boot_time": "yesterday"}]}`,
	} {
		if err := validateJSON(s, []byte(bad)); err == nil {
			t.Errorf("the schema accepts %s", bad)
		}
		sc, err := LoadScenario(strings.NewReader(bad), FastTiming)
		if err == nil {
			_, err = New(sc)
		}
		if err == nil {
			t.Errorf("winsim loads %s", bad)
		}
	}
}

// A scenario may name its schema, for editors.
func TestScenarioMayNameItsSchema(t *testing.T) {
	sc, err := LoadScenario(strings.NewReader(`{"$schema": "`+schemaID+`", "hosts": [{"name": "LS01"}]}`), FastTiming)
	if err != nil || len(sc.Hosts) != 1 {
		t.Fatalf("%v %+v", err, sc)
	}
}
