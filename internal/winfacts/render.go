package winfacts

import (
	"fmt"
	"strings"
)

// kindTitles orders and names the sections of the rendered catalog.
var kindTitles = []struct{ kind, title string }{
	{KindWMIClass, "WMI classes"},
	{KindWMIProperty, "WMI properties"},
	{KindWMIMethod, "WMI methods"},
	{KindReturnCode, "Return codes"},
	{KindValue, "Values and defaults"},
	{KindRegistry, "Registry"},
	{KindFeature, "Features"},
	{KindService, "Services"},
	{KindWSManFault, "WS-Management faults"},
	{KindProtocol, "Protocol"},
}

// Render is docs/design/windows-facts.md.
func Render() string {
	var b strings.Builder
	b.WriteString("<!-- Generated from internal/winfacts by `go test ./internal/winfacts -update`; do not edit. -->\n\n")
	b.WriteString("# Windows facts\n\n")
	b.WriteString("Every fact about Windows that the scripts (`internal/rds/scripts`) and winsim rely on, with its source, ")
	b.WriteString("or marked UNVERIFIED with the winsim quirk (a JSON field of `Quirks` in `internal/winsim/state.go`) that flips it. ")
	b.WriteString("The contract tests fail when a script or winsim uses a WMI class, method, parameter, property, return code, ")
	b.WriteString("registry path, feature or service that is not here.\n\n")
	b.WriteString("Sources are Microsoft pages (links) or public files named `owner/repo path`.\n")
	for _, kt := range kindTitles {
		facts := OfKind(kt.kind)
		if len(facts) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n## %s (%d)\n\n", kt.title, len(facts))
		b.WriteString("| Fact | Value | Source | Status |\n|---|---|---|---|\n")
		for _, f := range facts {
			fmt.Fprintf(&b, "| `%s`: %s | %s | %s | %s |\n", cell(f.Subject()), cell(f.Statement), cell(f.Value), source(f.Source), status(f))
		}
	}
	return b.String()
}

func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

func source(s string) string {
	switch {
	case s == "":
		return ""
	case strings.HasPrefix(s, "https://"):
		return "[" + strings.TrimPrefix(strings.TrimPrefix(s, "https://"), "learn.microsoft.com/en-us/") + "](" + s + ")"
	}
	repo, path, _ := strings.Cut(s, " ")
	return "[" + repo + "](https://github.com/" + repo + ") `" + path + "`"
}

func status(f Fact) string {
	switch {
	case !f.Unverified:
		return "verified"
	case f.Quirk != "":
		return "UNVERIFIED (quirk `" + f.Quirk + "`)"
	}
	return "UNVERIFIED"
}
