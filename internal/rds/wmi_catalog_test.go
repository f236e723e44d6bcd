package rds_test

import (
	"strings"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winfacts"
)

// wmiClass is what the facts catalog (internal/winfacts) says a class has.
type wmiClass struct {
	namespace  string
	properties []string
	writable   []string
	methods    map[string]wmiMethod
}

type wmiMethod struct {
	static bool
	in     []string
	out    []string
}

func names(s string) []string { return strings.Fields(s) }

// wmiCatalog lists every class the scripts may use: the wmi_* facts.
var wmiCatalog = func() map[string]wmiClass {
	classes, err := winfacts.WMI()
	if err != nil {
		panic(err)
	}
	out := map[string]wmiClass{}
	for name, c := range classes {
		ms := map[string]wmiMethod{}
		for m, x := range c.Methods {
			ms[m] = wmiMethod{static: x.Static, in: x.In, out: x.Out}
		}
		out[name] = wmiClass{namespace: c.Namespace, properties: c.Properties, writable: c.Writable, methods: ms}
	}
	return out
}()

// Members every CIM instance and every method result has (PowerShell's,
// not Windows facts).
var (
	instanceMembers = names("PSComputerName CimInstanceProperties CimClass CimSystemProperties Count Length")
	resultMembers   = names("ReturnValue PSComputerName")
)
