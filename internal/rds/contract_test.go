package rds_test

// The contract between the embedded scripts, their Go types and winsim:
// every script parses as PowerShell, has a winsim handler (and every
// handler a script), emits exactly the keys of its Go result type, and
// names only WMI classes, methods, parameters and properties that exist.

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/pscheck"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// parseAll parses every operation script, every library file, and the
// client's bootstrap and prelude.
func parseAll(t *testing.T) (*pscheck.Summary, map[string]rds.Info, []string) {
	t.Helper()
	files := map[string]string{}
	ops := map[string]rds.Info{}
	for _, op := range rds.Operations() {
		p := "scripts/" + op.Name + ".ps1"
		files[p] = op.Script
		ops[p] = op
	}
	libs, err := filepath.Glob("scripts/lib/*.ps1")
	if err != nil || len(libs) == 0 {
		t.Fatalf("no library files: %v", err)
	}
	for _, p := range append(libs, "../winrmclient/ps/bootstrap.ps1", "../winrmclient/ps/prelude.ps1") {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files[p] = string(b)
	}
	return pscheck.ParseT(t, files), ops, libs
}

func TestScriptsParse(t *testing.T) {
	s, _, _ := parseAll(t)
	if len(s.Files) < len(rds.Operations())+3 {
		t.Fatalf("parsed %d files", len(s.Files))
	}
	for _, f := range s.Files {
		for _, e := range f.Errors {
			t.Errorf("%s: %s", f.Path, e)
		}
	}
}

func TestEveryScriptHasAHandlerAndViceVersa(t *testing.T) {
	var scripts []string
	for _, op := range rds.Operations() {
		scripts = append(scripts, op.Name)
		// Scripts declare their operation on the first line: it is all
		// winsim reads of them.
		if first := strings.SplitN(op.Script, "\n", 2)[0]; strings.TrimSpace(first) != winrmclient.HeaderPrefix+op.Name {
			t.Errorf("%s: first line %q", op.Name, first)
		}
	}
	sort.Strings(scripts)
	if handlers := winsim.HandledOperations(); !slices.Equal(scripts, handlers) {
		t.Fatalf("scripts %v\nhandlers %v", scripts, handlers)
	}
}

func TestScriptsTakeTheirInput(t *testing.T) {
	s, ops, _ := parseAll(t)
	for _, f := range s.Files {
		if _, ok := ops[f.Path]; !ok {
			continue
		}
		if !slices.Equal(f.ScriptParams, []string{"In"}) {
			t.Errorf("%s: script parameters %v, want exactly $In", f.Path, f.ScriptParams)
		}
		// Every $In.x a script reads is a field of its Go input.
		fields := jsonFields(ops[f.Path].Input)
		for _, m := range f.VariableMembers("In") {
			if !slices.Contains(fields, m.Member) {
				t.Errorf("%s:%d: $In.%s is not a field of %s (fields %v)", f.Path, m.Line, m.Member, ops[f.Path].Input, fields)
			}
		}
	}
}

func jsonFields(t reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		if tag := strings.Split(t.Field(i).Tag.Get("json"), ",")[0]; tag != "" && tag != "-" {
			out = append(out, tag)
		}
	}
	return out
}

// structsOf lists every struct type reachable from t (t included).
func structsOf(t reflect.Type, seen map[reflect.Type]bool) []reflect.Type {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] {
		return nil
	}
	seen[t] = true
	out := []reflect.Type{t}
	for i := 0; i < t.NumField(); i++ {
		out = append(out, structsOf(t.Field(i).Type, seen)...)
	}
	return out
}

func keySet(keys []string) string {
	k := append([]string(nil), keys...)
	sort.Strings(k)
	return strings.Join(k, ",")
}

// Output objects are [ordered]@{} literals: each must have exactly the
// keys of a struct of its operation's result type, and each struct of the
// result type must be built by a literal of the script or the library.
func TestScriptsEmitTheirResultType(t *testing.T) {
	s, ops, libs := parseAll(t)
	libShapes := map[string]bool{}
	allShapes := map[string]bool{}
	for _, op := range rds.Operations() {
		for _, st := range structsOf(op.Result, map[reflect.Type]bool{}) {
			allShapes[keySet(jsonFields(st))] = true
		}
	}
	for _, p := range libs {
		for _, h := range s.File(p).OrderedHashtables() {
			libShapes[keySet(h.Keys)] = true
			if !allShapes[keySet(h.Keys)] {
				t.Errorf("%s:%d: [ordered] literal with keys %v matches no result type", p, h.Line, h.Keys)
			}
		}
	}
	for _, f := range s.Files {
		op, ok := ops[f.Path]
		if !ok {
			continue
		}
		shapes := map[string]reflect.Type{}
		for _, st := range structsOf(op.Result, map[reflect.Type]bool{}) {
			shapes[keySet(jsonFields(st))] = st
		}
		built := map[string]bool{}
		for _, h := range f.OrderedHashtables() {
			k := keySet(h.Keys)
			built[k] = true
			if _, ok := shapes[k]; !ok {
				t.Errorf("%s:%d: [ordered] literal with keys %v matches no struct of %s", f.Path, h.Line, h.Keys, op.Result)
			}
		}
		for k, st := range shapes {
			if !built[k] && !libShapes[k] {
				t.Errorf("%s: nothing builds %s (keys %s)", f.Path, st, k)
			}
		}
	}
}

var cimCmdlets = map[string]bool{"get-ciminstance": true, "get-cimclass": true, "invoke-cimmethod": true, "set-ciminstance": true, "new-ciminstance": true, "remove-ciminstance": true}

// TestScriptsNameOnlyRealWMI checks class, namespace, method, parameter and
// property names against the catalog, following variables assigned from
// Get-CimInstance (directly or through a helper function) and from
// Invoke-CimMethod.
func TestScriptsNameOnlyRealWMI(t *testing.T) {
	s, _, _ := parseAll(t)
	funcClass := helperClasses(s)
	checked := 0
	for _, f := range s.Files {
		classOfVar := func(name string) string {
			c, ok := f.VariableCommand(name)
			if !ok {
				return ""
			}
			if strings.EqualFold(c.Name, "Get-CimInstance") {
				return c.ParamString("ClassName")
			}
			return funcClass[strings.ToLower(c.Name)]
		}
		for i := range f.Commands {
			c := &f.Commands[i]
			if !cimCmdlets[strings.ToLower(c.Name)] {
				continue
			}
			checked++
			where := f.Path + ":" + strconv.Itoa(c.Line)
			class := c.ParamString("ClassName")
			if iv, ok := c.Param("InputObject"); ok && class == "" && iv.Kind == "variable" {
				class = classOfVar(iv.Value)
				if class == "" {
					// A function's parameter: the method name tells the class.
					class = classWithMethod(c.ParamString("MethodName"))
				}
				if class == "" {
					t.Errorf("%s: %s -InputObject $%s: cannot tell its class", where, c.Name, iv.Value)
					continue
				}
			}
			cls, ok := wmiCatalog[class]
			if !ok {
				t.Errorf("%s: %s names class %q, which the Windows facts catalog (internal/winfacts) does not have", where, c.Name, class)
				continue
			}
			if ns := c.ParamString("Namespace"); ns != "" && !strings.EqualFold(strings.ReplaceAll(ns, `\`, "/"), cls.namespace) {
				t.Errorf("%s: %s is in namespace %s, not %s", where, class, cls.namespace, ns)
			}
			if v, ok := c.Param("Property"); ok {
				props := append(append([]string(nil), v.Keys...), v.Values...)
				allowed := cls.properties
				if strings.EqualFold(c.Name, "Set-CimInstance") {
					allowed = cls.writable
				}
				for _, p := range props {
					if !containsFold(allowed, p) {
						t.Errorf("%s: %s: %s has no (writable) property %q", where, c.Name, class, p)
					}
				}
			}
			if v, ok := c.Param("Filter"); ok {
				for _, m := range regexp.MustCompile(`(\w+)\s*(=|<|>|LIKE)`).FindAllStringSubmatch(v.Value, -1) {
					if !containsFold(cls.properties, m[1]) {
						t.Errorf("%s: -Filter names %q, not a property of %s", where, m[1], class)
					}
				}
			}
			if !strings.EqualFold(c.Name, "Invoke-CimMethod") {
				continue
			}
			name := c.ParamString("MethodName")
			m, ok := cls.methods[name]
			if !ok {
				t.Errorf("%s: %s has no method %q", where, class, name)
				continue
			}
			_, byClass := c.Param("ClassName")
			if m.static != byClass {
				t.Errorf("%s: %s.%s is %s; call it with %s", where, class, name, map[bool]string{true: "static", false: "an instance method"}[m.static], map[bool]string{true: "-ClassName", false: "-InputObject"}[m.static])
			}
			if a, ok := c.Param("Arguments"); ok {
				for _, k := range a.Keys {
					if !slices.Contains(m.in, k) {
						t.Errorf("%s: %s.%s has no parameter %q (it takes %v)", where, class, name, k, m.in)
					}
				}
			}
			outs := append(append([]string(nil), m.out...), resultMembers...)
			members := f.CommandMembers(c.Index)
			if c.AssignedTo != "" {
				members = append(members, resultMembersOf(&f, c)...)
			}
			for _, mem := range members {
				if !mem.Dynamic && !slices.Contains(outs, mem.Member) {
					t.Errorf("%s:%d: %s.%s returns no %q (it returns %v)", f.Path, mem.Line, class, name, mem.Member, outs)
				}
			}
		}
		// Properties read from instances held in variables.
		for _, a := range f.Assignments {
			if a.Variable == "" || a.CommandIndex == nil {
				continue
			}
			c := &f.Commands[*a.CommandIndex]
			class := funcClass[strings.ToLower(c.Name)]
			if strings.EqualFold(c.Name, "Get-CimInstance") {
				class = c.ParamString("ClassName")
			}
			cls, ok := wmiCatalog[class]
			if !ok {
				continue
			}
			for _, mem := range membersInScope(&f, a.Variable, a.Line) {
				if mem.Invoked || mem.Dynamic {
					continue
				}
				if !slices.Contains(cls.properties, mem.Member) && !slices.Contains(instanceMembers, mem.Member) {
					t.Errorf("%s:%d: $%s.%s: %s has no property %q", f.Path, mem.Line, a.Variable, mem.Member, class, mem.Member)
				}
			}
		}
	}
	if checked < 30 {
		t.Fatalf("only %d CIM commands checked: the parser output changed", checked)
	}
}

// membersInScope lists the members of $name read from line on, until
// the next assignment to $name.
func membersInScope(f *pscheck.File, name string, line int) []pscheck.Member {
	end := 1 << 30
	for _, a := range f.Assignments {
		if strings.EqualFold(a.Variable, name) && a.Line > line && a.Line < end {
			end = a.Line
		}
	}
	var out []pscheck.Member
	for _, m := range f.VariableMembers(name) {
		if m.Line >= line && m.Line < end {
			out = append(out, m)
		}
	}
	return out
}

// resultMembersOf lists the members read from the variable c's result is
// assigned to, up to the next Invoke-CimMethod assigned to it: other
// assignments between (a catch block building a look-alike) keep the shape.
func resultMembersOf(f *pscheck.File, c *pscheck.Command) []pscheck.Member {
	end := 1 << 30
	for _, o := range f.CommandsNamed("Invoke-CimMethod") {
		if strings.EqualFold(o.AssignedTo, c.AssignedTo) && o.Line > c.Line && o.Line < end {
			end = o.Line
		}
	}
	var out []pscheck.Member
	for _, m := range f.VariableMembers(c.AssignedTo) {
		if m.Line >= c.Line && m.Line < end {
			out = append(out, m)
		}
	}
	return out
}

// classWithMethod is the one catalog class with a method of that name.
func classWithMethod(method string) string {
	found := ""
	for name, c := range wmiCatalog {
		if _, ok := c.methods[method]; ok {
			if found != "" {
				return ""
			}
			found = name
		}
	}
	return found
}

// helperClasses maps library and script functions that fetch exactly one
// WMI class with Get-CimInstance to that class.
func helperClasses(s *pscheck.Summary) map[string]string {
	out := map[string]string{}
	for _, f := range s.Files {
		fns := append([]pscheck.Function(nil), f.Functions...)
		sort.Slice(fns, func(i, j int) bool { return fns[i].Line < fns[j].Line })
		for i, fn := range fns {
			end := 1 << 30
			if i+1 < len(fns) {
				end = fns[i+1].Line
			}
			classes := map[string]bool{}
			for _, c := range f.CommandsNamed("Get-CimInstance") {
				if c.Line > fn.Line && c.Line < end {
					classes[c.ParamString("ClassName")] = true
				}
			}
			if len(classes) == 1 {
				for c := range classes {
					out[strings.ToLower(fn.Name)] = c
				}
			}
		}
	}
	return out
}

// Error kinds are a closed set; WMI codes in -Kinds tables must be written
// so that Windows PowerShell reads them as positive numbers: a bare
// 0x80041009 is a negative Int32 there and never matches a ReturnValue.
func TestScriptErrorKindsAndCodes(t *testing.T) {
	s, _, libs := parseAll(t)
	// Anywhere in code (strings and comments aside), a hex literal with the
	// high bit set needs the L suffix.
	literal := regexp.MustCompile(`'[^']*'|"[^"]*"|#.*$`)
	negative := regexp.MustCompile(`(?i)0x[89a-f][0-9a-f]{7}([^0-9a-fl]|$)`)
	texts := map[string]string{}
	for _, op := range rds.Operations() {
		texts[op.Name+".ps1"] = op.Script
	}
	for _, p := range libs {
		b, _ := os.ReadFile(p)
		texts[p] = string(b)
	}
	for name, text := range texts {
		for i, line := range strings.Split(text, "\n") {
			if m := negative.FindString(literal.ReplaceAllString(line, "")); m != "" {
				t.Errorf("%s:%d: %s is a negative Int32 in Windows PowerShell; add the L suffix", name, i+1, strings.TrimSpace(m))
			}
		}
	}
	kinds := map[string]bool{}
	for _, k := range append(slices.Clone(winrmclient.ScriptKinds), rds.Kinds...) {
		kinds[string(k)] = true
	}
	hexCode := regexp.MustCompile(`(?i)^(\[(long|int64|uint32)\])?0x[0-9a-f]+$`)
	for _, f := range s.Files {
		for _, c := range f.CommandsNamed("Fail") {
			k := c.ParamString("Kind")
			if k == "" && len(c.Positional) > 0 {
				k = c.Positional[0].Value
			}
			if v, ok := c.Param("Kind"); ok && v.Kind != "string" {
				continue // computed, checked at run time by the prelude
			}
			if !kinds[k] {
				t.Errorf("%s:%d: Fail -Kind %q is not one of the script kinds", f.Path, c.Line, k)
			}
		}
		for _, c := range f.CommandsNamed("Assert-RdslReturn") {
			v, ok := c.Param("Kinds")
			if !ok || v.Kind != "hashtable" {
				continue
			}
			for _, e := range f.Hashtables[v.Index].Entries {
				key := strings.TrimSpace(e.Key)
				if hexCode.MatchString(key) && !strings.HasSuffix(strings.ToLower(key), "l") {
					t.Errorf("%s:%d: code %s is a negative Int32 in Windows PowerShell; write it with an L suffix or in decimal", f.Path, e.Line, key)
				}
				if !kinds[e.Value.Value] {
					t.Errorf("%s:%d: kind %q is not one of the script kinds", f.Path, e.Line, e.Value.Value)
				}
			}
		}
	}
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// Every operation is classed read-only or not on purpose: the provider
// forgets what it read after any other.
// The kinds the prelude declares are winrmclient.ScriptKinds, those the
// library adds are rds.Kinds, in the same order, and none is both.
func TestErrorKindsAreDeclaredOnce(t *testing.T) {
	quoted := regexp.MustCompile(`'([a-z_]+)'`)
	listAfter := func(path, start string) []winrmclient.Kind {
		t.Helper()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		i := strings.Index(text, start)
		if i < 0 {
			t.Fatalf("%s has no %q", path, start)
		}
		text = text[i+len(start):]
		var out []winrmclient.Kind
		for _, m := range quoted.FindAllStringSubmatch(text[:strings.Index(text, ")")], -1) {
			out = append(out, winrmclient.Kind(m[1]))
		}
		return out
	}
	if got := listAfter("../winrmclient/ps/prelude.ps1", "$RdslKinds = @("); !slices.Equal(got, winrmclient.ScriptKinds) {
		t.Errorf("the prelude's $RdslKinds are %v, winrmclient.ScriptKinds %v", got, winrmclient.ScriptKinds)
	}
	if got := listAfter("scripts/lib/errors.ps1", "$RdslKinds += @("); !slices.Equal(got, rds.Kinds) {
		t.Errorf("errors.ps1 adds %v to $RdslKinds, rds.Kinds are %v", got, rds.Kinds)
	}
	if !slices.Equal(rds.Library.Kinds, rds.Kinds) {
		t.Errorf("rds.Library carries the kinds %v", rds.Library.Kinds)
	}
	for _, k := range rds.Kinds {
		if slices.Contains(winrmclient.ScriptKinds, k) {
			t.Errorf("%s is both the client's and the library's", k)
		}
	}
}

func TestReadOnlyOperations(t *testing.T) {
	want := map[string]bool{
		"get_host_info": true, "get_windows_facts": true, "get_role": true, "get_license_server": true, "list_key_packs": true,
		"get_cal_usage_report": true, "get_session_host": true, "get_license_server_security": true, "list_issued_licenses": true, "get_gpo_licensing": true,
		"install_role": false, "uninstall_role": false, "restart_computer": false,
		"set_license_server_contact": false, "activate_license_server": false, "reactivate_license_server": false,
		"deactivate_license_server": false, "fence_reactivation": false, "set_discovery_scope": false, "set_tsls_group_membership": false,
		"set_license_server_security": false, "revoke_licenses": false, "set_gpo_licensing": false,
		"install_key_pack": false, "write_key_pack_journal": false, "remove_key_pack": false, "remove_licenses": false,
		"set_session_host_licensing": false, "clear_session_host_licensing": false,
	}
	for _, op := range rds.Operations() {
		w, ok := want[op.Name]
		if !ok {
			t.Errorf("%s: say here whether it is read-only", op.Name)
		} else if rds.ReadOnly(op.Name) != w {
			t.Errorf("ReadOnly(%s) = %v, want %v", op.Name, !w, w)
		}
	}
}

// Every Rdsl helper a script or library calls is defined in the library
// or in that script: there is no PowerShell here to find a misspelt name.
func TestScriptsCallDefinedHelpers(t *testing.T) {
	s, _, libs := parseAll(t)
	defined := map[string]bool{}
	for _, p := range append(libs, "../winrmclient/ps/prelude.ps1") {
		for _, fn := range s.File(p).Functions {
			defined[strings.ToLower(fn.Name)] = true
		}
	}
	checked := 0
	for _, f := range s.Files {
		own := map[string]bool{}
		for _, fn := range f.Functions {
			own[strings.ToLower(fn.Name)] = true
		}
		for _, c := range f.Commands {
			name := strings.ToLower(c.Name)
			if !strings.Contains(name, "-rdsl") && name != "fail" {
				continue
			}
			checked++
			if !defined[name] && !own[name] {
				t.Errorf("%s:%d: %s is not defined in the library or the script", f.Path, c.Line, c.Name)
			}
		}
	}
	if checked < 50 {
		t.Fatalf("only %d helper calls checked: the parser output changed", checked)
	}
}
