package rds_test

import (
	"regexp"
	"strings"
	"testing"
)

// scriptTexts are the operation scripts and library files by path, with
// strings and comments blanked out of every line.
func scriptTexts(t *testing.T) map[string][]string {
	t.Helper()
	literal := regexp.MustCompile(`'[^']*'|"[^"]*"|#.*$`)
	out := map[string][]string{}
	for p, text := range rawScriptTexts(t) {
		for _, line := range regexp.MustCompile(`\r?\n`).Split(text, -1) {
			out[p] = append(out[p], literal.ReplaceAllString(line, ""))
		}
	}
	return out
}

// The Windows release comes from Win32_OperatingSystem.BuildNumber, as
// get_host_info reads it, in every script: .NET's Environment.OSVersion
// can report an older version under compatibility mode.
func TestScriptsReadTheReleaseFromWMI(t *testing.T) {
	osVersion := regexp.MustCompile(`(?i)\[(system\.)?environment\]::osversion`)
	for p, lines := range scriptTexts(t) {
		for i, line := range lines {
			if osVersion.MatchString(line) {
				t.Errorf("%s:%d: reads [Environment]::OSVersion; use Win32_OperatingSystem.BuildNumber (Get-RdslOSVersion)", p, i+1)
			}
		}
	}
}

// Whether the licensing provider reports a failure as a non-zero
// ReturnValue or throws a CimException is unverified: every method that
// changes the license server or its key packs (all but Get* and Is*) is
// called so that both give the same error, its result variable assigned
// from Get-RdslCimErrorResult in a catch block too.
func TestChangingMethodsHandleCimExceptions(t *testing.T) {
	// Reads that fail in the model too: IsLSinTSLSGroup without a domain
	// controller.
	failingReads := map[string]bool{"IsLSinTSLSGroup": true}
	s, _, _ := parseAll(t)
	checked := 0
	for _, f := range s.Files {
		fromCatch := map[string]bool{}
		for _, c := range f.CommandsNamed("Get-RdslCimErrorResult") {
			fromCatch[strings.ToLower(c.AssignedTo)] = true
		}
		for _, c := range f.CommandsNamed("Invoke-CimMethod") {
			class, method := c.ParamString("ClassName"), c.ParamString("MethodName")
			if class != "Win32_TSLicenseServer" && class != "Win32_TSLicenseKeyPack" {
				continue
			}
			if (strings.HasPrefix(method, "Get") || strings.HasPrefix(method, "Is")) && !failingReads[method] {
				continue
			}
			checked++
			if c.AssignedTo == "" || !fromCatch[strings.ToLower(c.AssignedTo)] {
				t.Errorf("%s:%d: %s.%s: a CimException it throws is not read as its ReturnValue (try { $r = Invoke-CimMethod ... } catch { $r = Get-RdslCimErrorResult -ErrorRecord $_ })", f.Path, c.Line, class, method)
			}
		}
	}
	if checked < 15 {
		t.Fatalf("only %d method calls checked: the parser output changed", checked)
	}
}
