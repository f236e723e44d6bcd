package winrmclient

import (
	"bufio"
	"fmt"
	"strings"
)

// Operation is a named remote operation: a PowerShell script that receives
// its input as $In (parsed from JSON) and returns its result as the last
// object it outputs, or fails with the prelude's Fail function.
type Operation struct {
	// Name matches the script's "# operation: <name>" header line.
	Name   string
	Script string
	// Idempotent operations may be run again when the outcome of an attempt
	// is unknown (a dropped connection). Others never are.
	Idempotent bool
}

// HeaderPrefix starts the header line that names a script's operation.
const HeaderPrefix = "# operation: "

// NewOperation checks that script declares name in its header.
func NewOperation(name, script string, idempotent bool) (Operation, error) {
	got, err := ScriptOperationName(script)
	if err != nil {
		return Operation{}, err
	}
	if got != name {
		return Operation{}, fmt.Errorf("script for %q declares operation %q", name, got)
	}
	return Operation{Name: name, Script: script, Idempotent: idempotent}, nil
}

// ScriptOperationName reads the operation name from the leading comment
// lines of a script. It is all winsim reads of a script's text.
func ScriptOperationName(script string) (string, error) {
	sc := bufio.NewScanner(strings.NewReader(script))
	for sc.Scan() {
		line := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\ufeff"))
		if line == "" {
			continue
		}
		if !strings.HasPrefix(line, "#") {
			break
		}
		if name, ok := strings.CutPrefix(line, HeaderPrefix); ok {
			return strings.TrimSpace(name), nil
		}
	}
	return "", fmt.Errorf("script has no %q header line", strings.TrimSpace(HeaderPrefix))
}

// SecretHolder is implemented by inputs that carry secrets. The client
// masks each returned value in every log line and error message.
type SecretHolder interface {
	Secrets() []string
}
