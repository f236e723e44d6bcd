package rds_test

import (
	"regexp"
	"strings"
	"testing"
)

var (
	cimCall   = regexp.MustCompile(`^(\s*)\$(\w+) = Invoke-CimMethod `)
	tryOpen   = regexp.MustCompile(`^(\s*)try \{$`)
	indentOf  = func(s string) int { return len(s) - len(strings.TrimLeft(s, " ")) }
	catchLine = regexp.MustCompile(`^\s*\} catch \{$`)
)

// Whether the licensing provider reports a failure as a ReturnValue or
// throws a CimException is unverified (return_code:failure_surface), so
// every WMI method call whose result the scripts read sits in a try whose
// catch turns the exception into the same result:
//
//	try { $r = Invoke-CimMethod ... } catch { $r = Get-RdslCimErrorResult -ErrorRecord $_ }
//
// (spread over lines). A call added without it fails here.
func TestEveryMethodCallTakesBothFailureSurfaces(t *testing.T) {
	calls := 0
	for name, text := range rawScriptTexts(t) {
		lines := strings.Split(text, "\n")
		for i, l := range lines {
			m := cimCall.FindStringSubmatch(l)
			if m == nil {
				continue
			}
			calls++
			if !wrapped(lines, i, len(m[1]), m[2]) {
				t.Errorf("%s:%d: $%s = Invoke-CimMethod is not in a try whose catch sets $%s = Get-RdslCimErrorResult -ErrorRecord $_", name, i+1, m[2], m[2])
			}
		}
	}
	if calls < 30 {
		t.Fatalf("only %d method calls found: the pattern is out of date", calls)
	}
}

// wrapped: the nearest enclosing try (less indented, above line i) is
// closed by a catch at its indentation whose first statement sets v from
// Get-RdslCimErrorResult.
func wrapped(lines []string, i, indent int, v string) bool {
	for j := i - 1; j >= 0; j-- {
		m := tryOpen.FindStringSubmatch(lines[j])
		if m == nil || len(m[1]) >= indent {
			if lines[j] != "" && indentOf(lines[j]) < indent && m == nil && !strings.HasPrefix(strings.TrimSpace(lines[j]), "#") {
				indent = indentOf(lines[j]) // a block between: the try must enclose it too
			}
			continue
		}
		for k := i + 1; k+1 < len(lines); k++ {
			if catchLine.MatchString(lines[k]) && indentOf(lines[k]) == len(m[1]) {
				return strings.TrimSpace(lines[k+1]) == "$"+v+" = Get-RdslCimErrorResult -ErrorRecord $_"
			}
		}
		return false
	}
	return false
}
