// Package winfacts is the catalog of the Windows facts this provider and
// winsim rely on: WMI classes, methods, parameters and return codes,
// property values and defaults, registry values, feature and service
// names, WS-Management faults. Each fact names its source (a Microsoft
// page, or a public capture or script by repository and path) or is
// marked unverified, with the winsim quirk that flips it. The contract
// tests fail when a script or a winsim handler uses a fact that is not
// here, and docs/design/windows-facts.md is rendered from it.
package winfacts

// Fact is one thing about Windows the provider or winsim relies on.
type Fact struct {
	// ID is a stable key: "<kind>:<subject>", e.g.
	// "wmi_property:Win32_TerminalServiceSetting.LicensingType".
	ID string
	// Kind is one of the Kind* constants.
	Kind string
	// Statement says the fact in words.
	Statement string
	// Value is the modelled value, when the fact is a value (a default, a
	// return code, a string Windows shows); "" otherwise.
	Value string
	// Source is a URL, or "owner/repo path" of a public capture or script;
	// "" only when Unverified.
	Source string
	// Unverified: no source confirms it; Quirk names the winsim Quirks
	// field (JSON name) that flips it, when one does.
	Unverified bool
	Quirk      string
	// Probe is the key under which the conformance probe observes the
	// fact on a real server ("" when it cannot be observed read-only).
	Probe string
}

// Kinds of facts.
const (
	KindWMIClass    = "wmi_class"
	KindWMIMethod   = "wmi_method"
	KindWMIProperty = "wmi_property"
	KindReturnCode  = "return_code"
	KindValue       = "value"
	KindRegistry    = "registry"
	KindFeature     = "feature"
	KindService     = "service"
	KindWSManFault  = "wsman_fault"
	KindProtocol    = "protocol"
)
