package pscheck

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
)

// readFixtures reads testdata/<dir>/*.ps1 keyed by "<dir>/<name>".
func readFixtures(t testing.TB, dirs ...string) map[string]string {
	t.Helper()
	files := map[string]string{}
	for _, dir := range dirs {
		paths, err := filepath.Glob(filepath.Join("testdata", dir, "*.ps1"))
		if err != nil {
			t.Fatal(err)
		}
		if len(paths) == 0 {
			t.Fatalf("no fixtures in testdata/%s", dir)
		}
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			files[dir+"/"+filepath.Base(p)] = string(b)
		}
	}
	return files
}

func parseFixture(t *testing.T, name string) *File {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	s := ParseT(t, map[string]string{name: string(b)})
	f := s.File(name)
	if f == nil {
		t.Fatalf("no result for %s", name)
	}
	return f
}

func describeValue(v Value) string {
	switch v.Kind {
	case "switch":
		return "switch"
	case "hashtable":
		s := fmt.Sprintf("hashtable#%d%q", v.Index, v.Keys)
		if v.Cast != "" {
			s = "[" + v.Cast + "]" + s
		}
		return s
	case "array":
		return fmt.Sprintf("array%q", v.Values)
	default:
		s := v.Kind + ":" + v.Value
		if v.Cast != "" {
			s += " cast=" + v.Cast
		}
		if v.CommandIndex != nil {
			s += fmt.Sprintf(" command#%d", *v.CommandIndex)
		}
		return s
	}
}

func describeCommand(c Command) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s", c.Line, c.Name)
	if c.InvocationOperator != "" {
		b.WriteString(" op=" + c.InvocationOperator)
	}
	if c.AssignedTo != "" {
		b.WriteString(" =>$" + c.AssignedTo)
	}
	fmt.Fprintf(&b, " pipe=%d/%d", c.PipelineID, c.PipelinePosition)
	keys := make([]string, 0, len(c.Params))
	for k := range c.Params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b.WriteString(" -" + k + "=" + describeValue(c.Params[k]))
	}
	for _, v := range c.Positional {
		b.WriteString(" " + describeValue(v))
	}
	for _, s := range c.Splats {
		b.WriteString(" @" + s)
	}
	for _, r := range c.Redirections {
		b.WriteString(" redirect:" + r)
	}
	return b.String()
}

func describeMember(m Member) string {
	t := m.Target.Kind
	switch m.Target.Kind {
	case "variable":
		t = "$" + m.Target.Value
	case "command":
		t = fmt.Sprintf("command#%d", m.Target.Index)
	case "other":
		t = "other(" + m.Target.Text + ")"
	}
	s := fmt.Sprintf("%d %s.%s", m.Line, t, m.Member)
	if m.Invoked {
		s += "()"
	}
	if m.Dynamic {
		s += " dynamic"
	}
	return s
}

func describeAssignment(a Assignment) string {
	left := "$" + a.Variable
	if a.Variable == "" {
		left = a.Target
	}
	s := fmt.Sprintf("%d %s %s %s", a.Line, left, a.Operator, a.ValueKind)
	if a.CommandIndex != nil {
		s += fmt.Sprintf("#%d", *a.CommandIndex)
	}
	if a.ValueVariable != "" {
		s += " $" + a.ValueVariable
	}
	if a.HashtableIndex != nil {
		s += fmt.Sprintf(" hashtable#%d", *a.HashtableIndex)
	}
	if a.Value != nil && a.ValueKind == "other" {
		s += " " + describeValue(*a.Value)
	}
	return s
}

func describeHashtable(h Hashtable) string {
	s := fmt.Sprintf("%d %q", h.Line, h.Keys)
	if h.Cast != "" {
		s = fmt.Sprintf("%d [%s]%q", h.Line, h.Cast, h.Keys)
	}
	if h.Ordered {
		s += " ordered"
	}
	return s
}

func describeAll[T any](items []T, f func(T) string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = f(it)
	}
	return out
}

func equalLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") == strings.Join(want, "\n") {
		return
	}
	t.Errorf("%s:\n got:\n\t%s\nwant:\n\t%s", what, strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
}

func noErrors(t *testing.T, f *File) {
	t.Helper()
	for _, e := range f.Errors {
		t.Errorf("%s:%s", f.Path, e)
	}
}

func TestValidFixturesParse(t *testing.T) {
	s := ParseT(t, readFixtures(t, "valid", "workarounds"))
	if len(s.Files) < 9 {
		t.Fatalf("got %d files", len(s.Files))
	}
	if lines := s.ErrorLines(); len(lines) > 0 {
		t.Errorf("valid scripts reported syntax errors:\n%s", strings.Join(lines, "\n"))
	}
}

func TestCIMFacts(t *testing.T) {
	f := parseFixture(t, "valid/cim.ps1")
	noErrors(t, f)

	equalLines(t, "header", f.Header, []string{
		"# operation: install_agreement_pack",
		"# input: agreement_type, agreement_number",
		"#requires -Version 5.1",
	})
	equalLines(t, "script params", f.ScriptParams, []string{"In"})

	equalLines(t, "commands", describeAll(f.Commands, describeCommand), []string{
		`6 Invoke-CimMethod =>$r pipe=0/0 -Arguments=hashtable#0["AgreementType" "sAgreementNumber"] -ClassName=string:Win32_TSLicenseKeyPack -MethodName=string:InstallAgreementLicenseKeyPack -Namespace=string:root/cimv2`,
		`10 Get-CimInstance =>$ts pipe=6/0 -ClassName=string:Win32_TerminalServiceSetting -Namespace=string:root/cimv2/TerminalServices`,
		`11 Invoke-CimMethod pipe=8/0 -InputObject=variable:ts -MethodName=string:GetGracePeriodDays`,
		`12 Get-CimInstance =>$ls pipe=9/0 -ClassName=string:Win32_TSLicenseServer -ErrorAction=string:SilentlyContinue`,
		`14 Set-CimInstance pipe=11/0 -InputObject=variable:ls -Property=hashtable#1["FirstName"]`,
		`15 Get-CimInstance =>$names pipe=13/0 -ClassName=string:Win32_TSLicenseServer`,
		`15 Select-Object pipe=13/1 -Property=array["FirstName" "LastName"]`,
	})

	equalLines(t, "hashtables", describeAll(f.Hashtables, describeHashtable), []string{
		`6 ["AgreementType" "sAgreementNumber"]`,
		`14 ["FirstName"]`,
		`16 [ordered]["grace_days" "first_name" "company"] ordered`,
	})
	var entries []string
	for _, h := range f.Hashtables {
		for _, e := range h.Entries {
			entries = append(entries, fmt.Sprintf("%d %s(%s)=%s", e.Line, e.Key, e.KeyKind, describeValue(e.Value)))
		}
	}
	equalLines(t, "hash entries", entries, []string{
		`6 AgreementType(string)=other:[uint32]$In.agreement_type cast=uint32`,
		`6 sAgreementNumber(string)=other:$In.agreement_number`,
		`14 FirstName(string)=variable:v`,
		`17 grace_days(string)=other:[int]$days cast=int`,
		`18 first_name(string)=other:$ls.FirstName`,
		`19 company(string)=other:$ls.Company.Trim()`,
	})

	equalLines(t, "members", describeAll(f.Members, describeMember), []string{
		`6 $In.agreement_type`,
		`6 $In.agreement_number`,
		`7 $r.ReturnValue`,
		`8 $r.ReturnValue`,
		`11 command#2.DaysLeft`,
		`13 $In.first_name`,
		`18 $ls.FirstName`,
		`19 $ls.Company`,
		`19 other($ls.Company).Trim()`,
	})

	equalLines(t, "assignments", describeAll(f.Assignments, describeAssignment), []string{
		`6 $r = command#0`,
		`10 $ts = command#1`,
		`11 $days = other other:(Invoke-CimMethod -InputObject $ts -MethodName GetGracePeriodDays).DaysLeft`,
		`12 $ls = command#3`,
		`13 $v = other other:[string]$In.first_name cast=string`,
		`15 $names = command#5`,
	})
	// The array value keeps every element, and where the script wrote it.
	sel := f.CommandsNamed("select-object")
	if len(sel) != 1 {
		t.Fatalf("CommandsNamed(select-object) = %d commands", len(sel))
	}
	prop, ok := sel[0].Param("property")
	if !ok || prop.Kind != "array" || len(prop.Items) != 2 || prop.Items[1].Kind != "string" || prop.Text != "FirstName,LastName" {
		t.Errorf("Select-Object -Property = %+v", prop)
	}
	if prop.Name != "Property" || prop.NameLower != "property" {
		t.Errorf("param name = %q, %q", prop.Name, prop.NameLower)
	}
	if len(f.Workarounds) != 1 || f.Workarounds[0].Kind != "bareword-list" || f.Workarounds[0].Line != 15 {
		t.Errorf("workarounds = %+v", f.Workarounds)
	}
}

func TestHelpers(t *testing.T) {
	f := parseFixture(t, "valid/cim.ps1")

	cims := f.CommandsNamed("Invoke-CimMethod")
	if len(cims) != 2 || cims[0].Index != 0 || cims[1].Index != 2 {
		t.Fatalf("CommandsNamed(Invoke-CimMethod) = %v", cims)
	}
	if got := cims[0].ParamString("methodname"); got != "InstallAgreementLicenseKeyPack" {
		t.Errorf("ParamString(methodname) = %q", got)
	}
	if got := cims[0].ParamString("Arguments"); got != "" {
		t.Errorf("ParamString of a hashtable = %q, want empty", got)
	}
	if _, ok := cims[0].Param("Class"); ok {
		t.Error("Param resolved a prefix")
	}

	ts, ok := f.VariableCommand("TS")
	if !ok || ts.Name != "Get-CimInstance" || ts.ParamString("ClassName") != "Win32_TerminalServiceSetting" {
		t.Errorf("VariableCommand(ts) = %+v, %v", ts, ok)
	}
	if _, ok := f.VariableCommand("days"); ok {
		t.Error("VariableCommand(days): $days holds a property, not a command's output")
	}
	if _, ok := f.VariableCommand("nope"); ok {
		t.Error("VariableCommand(nope) found something")
	}

	// The class behind $r and the members read from it.
	r, _ := f.VariableCommand("r")
	args, _ := r.Param("Arguments")
	if args.Kind != "hashtable" || strings.Join(f.Hashtables[args.Index].Keys, ",") != "AgreementType,sAgreementNumber" {
		t.Errorf("Arguments = %+v", args)
	}
	if ms := f.VariableMembers("R"); len(ms) != 2 || ms[0].Member != "ReturnValue" {
		t.Errorf("VariableMembers(r) = %+v", ms)
	}
	if ms := f.CommandMembers(2); len(ms) != 1 || ms[0].Member != "DaysLeft" {
		t.Errorf("CommandMembers(2) = %+v", ms)
	}
	if ms := f.CommandMembers(0); len(ms) != 0 {
		t.Errorf("CommandMembers(0) = %+v", ms)
	}

	ordered := f.OrderedHashtables()
	if len(ordered) != 1 || strings.Join(ordered[0].Keys, ",") != "grace_days,first_name,company" {
		t.Errorf("OrderedHashtables = %+v", ordered)
	}
}

func TestConstructs(t *testing.T) {
	f := parseFixture(t, "valid/constructs.ps1")
	noErrors(t, f)

	if len(f.Header) != 9 || f.Header[2] != "#requires -Version 5.1" || f.Header[3] != "<#" || f.Header[8] != "#>" {
		t.Errorf("header = %q", f.Header)
	}
	equalLines(t, "script params", f.ScriptParams, []string{"In", "Retries"})
	var fns []string
	for _, fn := range f.Functions {
		fns = append(fns, fmt.Sprintf("%d %s(%s)", fn.Line, fn.Name, strings.Join(fn.Params, ",")))
	}
	equalLines(t, "functions", fns, []string{
		"19 Get-Thing(Name,Mode,Force)",
		"39 ConvertTo-Text(Value,Width)",
		"43 Select-Even()",
	})
	equalLines(t, "hashtables", describeAll(f.Hashtables, describeHashtable), []string{
		`34 ["Name" "Mode" "Force"]`,
		`58 ["Namespace" "ClassName" "ErrorAction"]`,
		`106 [ordered]["role" "total" "summary" "nested" "items" "computer"] ordered`,
		`110 [ordered]["a" "b"] ordered`,
	})
	equalLines(t, "commands", describeAll(f.Commands, describeCommand), []string{
		`16 Set-StrictMode pipe=0/0 -Version=string:Latest`,
		`36 Write-Verbose pipe=8/0 other:('{0} things' -f $count)`,
		`46 Get-Thing =>$thing pipe=13/0 -Force=switch -Name=string:x`,
		`49 Write-Error pipe=14/0 -Message=other:$_.Exception.Message`,
		`55 Remove-Variable pipe=15/0 -ErrorAction=string:SilentlyContinue -Name=string:thing`,
		`63 Get-CimInstance =>$os pipe=20/0 @splat`,
		`91 Select-Even pipe=46/1`,
		`95 New-Object =>$list pipe=51/0 -TypeName=string:System.Collections.Generic.List[string]`,
		`99 $sb op=& =>$doubled pipe=56/0 number:21`,
		`100 Where-Object pipe=57/1 scriptblock:{ $_ -ne 'a' }`,
		`100 ForEach-Object pipe=57/2 scriptblock:{ $_.ToUpper() }`,
		`103 Select-Object pipe=65/1 -Property=array["Caption" "Version"]`,
		`103 ConvertTo-Json pipe=65/2 -Compress=switch -Depth=number:3`,
		`104 Test-Path =>$exists pipe=66/0 -Path=string:HKLM:\SOFTWARE\Microsoft -PathType=string:Container`,
		`105 Write-Warning pipe=68/0 string:missing`,
		`105 Write-Verbose pipe=71/0 string:ok`,
	})

	values := map[string]string{}
	for _, a := range f.Assignments {
		if a.Value != nil {
			values[a.Variable] = describeValue(*a.Value)
		}
	}
	for name, want := range map[string]string{
		"here":    "expandable:Computer: $env:COMPUTERNAME\nBuild:    $($os.BuildNumber)\nQuoted:   \"yes\"",
		"literal": "string:No $expansion here: $(nothing)",
		"escaped": "string:tab\tquote\"dollar$",
		"summary": "expandable:Role: $($role.ToUpper()), total $($total + 1), list $($list -join ',')",
		"message": "other:'Build {0} on {1}' -f $os.BuildNumber, $env:COMPUTERNAME",
		"big":     "other:[uint32]'42' cast=uint32",
		"splat":   `hashtable#1["Namespace" "ClassName" "ErrorAction"]`,
		"out":     `[ordered]hashtable#2["role" "total" "summary" "nested" "items" "computer"]`,
	} {
		if got := values[name]; got != want {
			t.Errorf("$%s = %q, want %q", name, got, want)
		}
	}
	// A range (1..10) is an expression, not a command named "1..10".
	for _, c := range f.Commands {
		if strings.HasPrefix(c.Name, "1..") {
			t.Errorf("range parsed as command: %s", describeCommand(c))
		}
	}
	nested := f.Hashtables[2].Entries[3].Value
	if nested.Kind != "hashtable" || nested.Index != 3 || nested.Cast != "ordered" {
		t.Errorf("nested = %+v", nested)
	}
	items := f.Hashtables[3].Entries[1].Value
	if items.Kind != "array" || strings.Join(items.Values, ",") != "x,y" {
		t.Errorf("b = %+v", items)
	}
	if len(f.Workarounds) != 1 || f.Workarounds[0].Kind != "bareword-list" {
		t.Errorf("workarounds = %+v", f.Workarounds)
	}
}

func TestBrokenFixtures(t *testing.T) {
	want := map[string]struct {
		line int
		kind string
		msg  string // substring of the first error's message
	}{
		"broken/bad_numeric_suffix.ps1":          {1, "error", "syntax error"},
		"broken/bareword_list_in_expression.ps1": {1, "error", "syntax error"},
		"broken/duplicate_key.ps1":               {3, "check", `duplicate key "A"`},
		"broken/function_without_name.ps1":       {2, "missing", "missing function name"},
		"broken/hash_missing_value.ps1":          {3, "error", "syntax error"},
		"broken/if_unclosed_paren.ps1":           {1, "error", "syntax error"},
		"broken/ps7_operator.ps1":                {1, "error", "syntax error"},
		"broken/ps7_pipeline_chain.ps1":          {1, "check", `"&&" between pipelines needs PowerShell 7`},
		"broken/stray_paren.ps1":                 {2, "error", "syntax error"},
		"broken/string_drive_variable.ps1":       {1, "check", `"$drive:"`},
		"broken/trailing_pipe.ps1":               {1, "error", "syntax error"},
		"broken/try_without_catch.ps1":           {1, "check", "try statement without a catch or finally block"},
		"broken/unclosed_brace.ps1":              {2, "missing", `missing "}"`},
		"broken/unterminated_here_string.ps1":    {1, "error", "syntax error"},
		"broken/unterminated_string.ps1":         {1, "error", "syntax error"},
	}
	files := readFixtures(t, "broken")
	if len(files) != len(want) {
		t.Errorf("%d broken fixtures, %d expectations", len(files), len(want))
	}
	s := ParseT(t, files)
	for _, f := range s.Files {
		w, ok := want[f.Path]
		if !ok {
			t.Errorf("%s: no expectation", f.Path)
			continue
		}
		if len(f.Errors) == 0 {
			t.Errorf("%s: no syntax error reported", f.Path)
			continue
		}
		e := f.Errors[0]
		if e.Line != w.line || e.Kind != w.kind || !strings.Contains(e.Message, w.msg) || e.Column < 1 {
			t.Errorf("%s: first error %+v, want line %d kind %s message ~%q", f.Path, e, w.line, w.kind, w.msg)
		}
		if len(f.Workarounds) != 0 && f.Path != "broken/bad_numeric_suffix.ps1" {
			t.Errorf("%s: workarounds applied to a broken script: %+v", f.Path, f.Workarounds)
		}
	}
	// ERROR text is the source of the node; MISSING nodes have none.
	if e := s.File("broken/stray_paren.ps1").Errors[0]; e.Text != ")" {
		t.Errorf("stray paren text = %q", e.Text)
	}
	if e := s.File("broken/unclosed_brace.ps1").Errors[0]; e.Text != "" {
		t.Errorf("missing brace text = %q", e.Text)
	}
}

// Each known false positive of the grammar parses without errors, through a
// narrow workaround that psparse records; its facts are still right.
func TestWorkarounds(t *testing.T) {
	s := ParseT(t, readFixtures(t, "workarounds"))
	kinds := map[string][]string{
		"workarounds/bareword_list.ps1":         {"bareword-list", "bareword-list", "bareword-list"},
		"workarounds/dash_equals_argument.ps1":  {"dash-equals-argument"},
		"workarounds/empty_here_string.ps1":     {"empty-here-string", "empty-here-string"},
		"workarounds/end_of_parameters.ps1":     {"end-of-parameters"},
		"workarounds/foreach_member.ps1":        {"foreach-member", "foreach-member"},
		"workarounds/loop_label.ps1":            {"loop-label", "loop-label"},
		"workarounds/numeric_suffix.ps1":        {"numeric-suffix-case", "numeric-suffix-case", "numeric-suffix-case", "numeric-suffix-case"},
		"workarounds/param_block_same_line.ps1": {"param-block-same-line", "param-block-same-line"},
	}
	if len(s.Files) != len(kinds) {
		t.Errorf("%d workaround fixtures, %d expectations", len(s.Files), len(kinds))
	}
	for _, f := range s.Files {
		noErrors(t, &f)
		var got []string
		for _, w := range f.Workarounds {
			got = append(got, w.Kind)
		}
		equalLines(t, f.Path+" workarounds", got, kinds[f.Path])
	}

	f := s.File("workarounds/bareword_list.ps1")
	equalLines(t, "bareword list commands", describeAll(f.Commands, describeCommand), []string{
		`1 Get-CimInstance =>$ls pipe=0/0 -ClassName=string:Win32_TSLicenseServer`,
		`2 Select-Object pipe=1/1 -Property=array["FirstName" "LastName" "Company"]`,
		`3 Get-CimInstance pipe=2/0 -ClassName=string:Win32_TSLicenseKeyPack`,
		`3 Sort-Object pipe=2/1 -Property=array["KeyPackId" "ProductVersion"]`,
		`4 Select-Object pipe=3/0 -InputObject=variable:ls array["Name" "Value"]`,
	})

	f = s.File("workarounds/dash_equals_argument.ps1")
	equalLines(t, "dash-equals commands", describeAll(f.Commands, describeCommand), []string{
		`1 git.exe op=& pipe=0/0 -n=number:1 string:log string:--format=oneline`,
		`2 netsh.exe pipe=1/0 string:advfirewall string:firewall string:show string:rule string:name=all`,
	})

	f = s.File("workarounds/end_of_parameters.ps1")
	equalLines(t, "end-of-parameters commands", describeAll(f.Commands, describeCommand), []string{
		`1 git.exe pipe=0/0 -C=variable:repo string:checkout string:-b string:topic`,
		`2 Get-Thing pipe=1/0`,
	})

	f = s.File("workarounds/foreach_member.ps1")
	equalLines(t, "foreach members", describeAll(f.Members, describeMember), []string{
		`2 $names.ForEach()`,
		`2 $_.ToUpper()`,
		`3 $names.foreach()`,
		`4 $item.ForEachCount`,
	})

	f = s.File("workarounds/empty_here_string.ps1")
	equalLines(t, "empty here-strings", describeAll(f.Assignments, describeAssignment), []string{
		`1 $empty = other string:`,
		`3 $emptyLiteral = other string:`,
	})

	f = s.File("workarounds/numeric_suffix.ps1")
	equalLines(t, "numeric suffix hashtable", describeAll(f.Hashtables, describeHashtable), []string{
		`1 ["[long]0x80041016L" "[long]0x8004100CL"]`,
	})
	equalLines(t, "numeric suffix commands", describeAll(f.Commands, describeCommand), []string{
		`7 ForEach-Object pipe=6/1 scriptblock:{ $_ * 2 }`,
	})

	f = s.File("workarounds/param_block_same_line.ps1")
	var fns []string
	for _, fn := range f.Functions {
		fns = append(fns, fn.Name+"("+strings.Join(fn.Params, ",")+")")
	}
	equalLines(t, "one-line functions", fns, []string{"Get-Double(Value)", "Get-Name(Name)"})
}

func TestRedirectionsAndSwitches(t *testing.T) {
	s := ParseT(t, map[string]string{"x.ps1": strings.Join([]string{
		`Remove-Item -Recurse -Force $path 2>$null`,
		`Get-Thing -Verbose:$false -Name:'n' -Count:3 *> $null`,
		`& 'C:\Program Files\tool.exe' /quiet -- -notaparam`,
		`$x = @(Get-ChildItem -Path $dir -Filter '*.ps1')`,
		`$y = $(Get-Date).Year`,
		`$h.Key = Get-Thing`,
		`$z = $x`,
		`[int]$n = Read-Host`,
	}, "\n")})
	f := &s.Files[0]
	noErrors(t, f)
	equalLines(t, "commands", describeAll(f.Commands, describeCommand), []string{
		`1 Remove-Item pipe=0/0 -Force=switch -Recurse=switch variable:path redirect:2>$null`,
		`2 Get-Thing pipe=1/0 -Count=number:3 -Name=string:n -Verbose=variable:false redirect:*> $null`,
		`3 C:\Program Files\tool.exe op=& pipe=2/0 string:/quiet string:-notaparam`,
		`4 Get-ChildItem =>$x pipe=4/0 -Filter=string:*.ps1 -Path=variable:dir`,
		`5 Get-Date pipe=6/0`,
		`6 Get-Thing pipe=7/0`,
		`8 Read-Host =>$n pipe=9/0`,
	})
	equalLines(t, "assignments", describeAll(f.Assignments, describeAssignment), []string{
		`4 $x = command#3`,
		`5 $y = other other:$(Get-Date).Year`,
		`6 $h.Key = command#5`,
		`7 $z = variable $x`,
		`8 $n = command#6`,
	})
	equalLines(t, "members", describeAll(f.Members, describeMember), []string{
		`5 command#4.Year`,
		`6 $h.Key`,
	})
}

// The command-line interface: files as arguments, one JSON document, exit
// status 0 even for broken scripts, 2 when it cannot run.
func TestCommandLine(t *testing.T) {
	ParseT(t, map[string]string{"probe.ps1": "1"}) // fails or skips when not installed
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(root, "tools", "psparse", "psparse.mjs")
	node, err := findNode()
	if err != nil {
		t.Fatal(err)
	}

	run := func(args ...string) (int, []byte, string) {
		cmd := exec.Command(node, append([]string{script}, args...)...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return code, stdout.Bytes(), stderr.String()
	}

	code, out, stderr := run(filepath.Join("testdata", "valid", "cim.ps1"), filepath.Join("testdata", "broken", "stray_paren.ps1"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var s Summary
	if err := json.Unmarshal(out, &s); err != nil {
		t.Fatalf("output is not one JSON document: %v", err)
	}
	if len(s.Files) != 2 || len(s.Files[0].Errors) != 0 || len(s.Files[1].Errors) == 0 {
		t.Errorf("files = %+v", s.Files)
	}
	if code, _, stderr := run(filepath.Join("testdata", "no-such-file.ps1")); code != 2 || !strings.Contains(stderr, "no-such-file.ps1") {
		t.Errorf("missing file: exit %d, stderr %q", code, stderr)
	}
	if code, _, _ := run(); code != 2 {
		t.Errorf("no arguments: exit %d", code)
	}
}

// A missing install is an error that names the fix.
func TestNotInstalled(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "tools", "psparse"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "tools", "psparse", "psparse.mjs"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := checkInstall(root)
	if !errors.Is(err, ErrNotInstalled) || !strings.Contains(err.Error(), "run: npm ci --prefix tools/psparse") {
		t.Errorf("checkInstall = %v", err)
	}
}

// manyScripts is 25 scripts of about 150 lines.
func manyScripts(tb testing.TB) map[string]string {
	fixtures := readFixtures(tb, "valid", "workarounds")
	// cim.ps1 without its param block, which must come first in a script.
	cim := strings.Replace(fixtures["valid/cim.ps1"], "param($In)\n", "", 1)
	body := fixtures["valid/constructs.ps1"] + "\n" + cim
	if lines := strings.Count(body, "\n"); lines < 120 {
		tb.Fatalf("test scripts have %d lines", lines)
	}
	files := map[string]string{}
	for i := 0; i < 25; i++ {
		files[fmt.Sprintf("script%02d.ps1", i)] = body
	}
	return files
}

// Many scripts take one node process, which loads the grammar's wasm
// once: counted, not timed (the machine may be busy); BenchmarkParse
// measures the speed.
func TestParseStartsNodeOnce(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("counts node processes with a shell script")
	}
	ParseT(t, map[string]string{"probe.ps1": "1"}) // skips or fails as every parser test does
	node, err := findNode()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	count := filepath.Join(dir, "count")
	wrapper := "#!/bin/sh\necho started >> '" + count + "'\nexec '" + node + "' \"$@\"\n"
	if err := os.WriteFile(filepath.Join(dir, "node"), []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))

	files := manyScripts(t)
	s := ParseT(t, files)
	if len(s.Files) != len(files) {
		t.Fatalf("got %d files", len(s.Files))
	}
	if lines := s.ErrorLines(); len(lines) > 0 {
		t.Errorf("errors: %v", lines[:1])
	}
	b, err := os.ReadFile(count)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "started"); n != 1 {
		t.Errorf("%d scripts started node %d times, want once", len(files), n)
	}
}

func BenchmarkParse(b *testing.B) {
	files := manyScripts(b)
	for b.Loop() {
		ParseT(b, files)
	}
}

func TestParseContextCanceled(t *testing.T) {
	ParseT(t, map[string]string{"probe.ps1": "1"})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Parse(ctx, map[string]string{"a.ps1": "1"}); err == nil {
		t.Error("Parse with a canceled context succeeded")
	}
}
