package rds

import "github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"

// The error kinds of licensing, which the scripts report beside
// winrmclient.ScriptKinds: scripts/lib/errors.ps1 adds them to the
// prelude's, and the client accepts them through Library.
const (
	// KindRoleMissing: the RD Licensing role service (or the RDSH role) is not installed.
	KindRoleMissing winrmclient.Kind = "role_missing"
	// KindNotActivated: the license server must be activated first.
	KindNotActivated winrmclient.Kind = "not_activated"
	// KindClearinghouseUnreachable: the license server could not reach the
	// Microsoft Clearinghouse (outbound TCP 443).
	KindClearinghouseUnreachable winrmclient.Kind = "clearinghouse_unreachable"
	// KindInvalidCode: the Clearinghouse rejected a license code or number.
	KindInvalidCode winrmclient.Kind = "invalid_code"
	// KindCodeAlreadyUsed: a single-use retail code was installed before.
	KindCodeAlreadyUsed winrmclient.Kind = "code_already_used"
	// KindVersionUnsupported: the CAL version is newer than the license server's OS.
	KindVersionUnsupported winrmclient.Kind = "version_unsupported"
	// KindWorkgroupUnsupported: per-user CALs on a license server outside a domain.
	KindWorkgroupUnsupported winrmclient.Kind = "workgroup_unsupported"
	// KindPolicyControlled: Group Policy controls the setting, so WMI cannot change it.
	KindPolicyControlled winrmclient.Kind = "policy_controlled"
	// KindRebootPending: a restart must complete before the operation can run.
	KindRebootPending winrmclient.Kind = "reboot_pending"
	// KindRevokeLimit: Windows refused to revoke a per-device CAL, at its
	// limit of revoked CALs.
	KindRevokeLimit winrmclient.Kind = "revoke_limit"
)

// Kinds are the licensing kinds, in the order errors.ps1 lists them.
var Kinds = []winrmclient.Kind{
	KindRoleMissing, KindNotActivated, KindClearinghouseUnreachable, KindInvalidCode, KindCodeAlreadyUsed,
	KindVersionUnsupported, KindWorkgroupUnsupported, KindPolicyControlled, KindRebootPending, KindRevokeLimit,
}
