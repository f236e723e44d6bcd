package activation

import (
	"slices"
	"strconv"
)

// StatusName is GetActivationStatus's ActivationStatus as the provider
// names it.
func StatusName(s int) string {
	switch s {
	case 0:
		return "activated"
	case 1:
		return "not_activated"
	}
	return "unknown"
}

// DiscoveryScopes are Win32_TSLicenseServer.ServerRole 0-2.
var DiscoveryScopes = []string{"workgroup", "domain", "forest"}

// ScopeName is Win32_TSLicenseServer.ServerRole's name.
func ScopeName(role int) string {
	if role >= 0 && role < len(DiscoveryScopes) {
		return DiscoveryScopes[role]
	}
	return "unknown_" + strconv.Itoa(role)
}

// ScopeRole is the ServerRole of a discovery scope's name (-1 for none).
func ScopeRole(name string) int { return slices.Index(DiscoveryScopes, name) }

// ReactivationReasons are ReactivateServerAutomatic's Reason codes 0-4.
var ReactivationReasons = []string{"redeployed", "certificate_corrupt", "private_key_compromised", "activation_key_expired", "server_upgraded"}

// ReasonCode is the Reason of a reactivation reason's name.
func ReasonCode(name string) int { return slices.Index(ReactivationReasons, name) }
