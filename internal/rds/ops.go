// Package rds holds the remote operations that read and change RDS
// licensing on Windows hosts: one embedded PowerShell script per operation,
// with typed Go inputs and results.
package rds

import (
	"context"
	"embed"
	"fmt"
	"reflect"
	"strings"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
)

//go:embed scripts/*.ps1
var scriptFS embed.FS

// Runner runs an operation on a host ("" for the provider's default host).
type Runner interface {
	Run(ctx context.Context, host string, op winrmclient.Operation, in, out any) error
}

// Op is an operation with typed input I and result O.
type Op[I, O any] struct {
	winrmclient.Operation
}

// Run runs the operation on host and decodes its result.
func (o Op[I, O]) Run(ctx context.Context, r Runner, host string, in I) (O, error) {
	var out O
	err := r.Run(ctx, host, o.Operation, in, &out)
	return out, err
}

// Info describes one operation for the contract tests.
type Info struct {
	winrmclient.Operation
	Input  reflect.Type
	Result reflect.Type
}

var registry []Info

const (
	idempotent    = true
	notIdempotent = false
)

func define[I, O any](name string, idem bool) Op[I, O] {
	b, err := scriptFS.ReadFile("scripts/" + name + ".ps1")
	if err != nil {
		panic(fmt.Sprintf("rds: no script for operation %s: %v", name, err))
	}
	op, err := winrmclient.NewOperation(name, string(b), idem)
	if err != nil {
		panic("rds: " + err.Error())
	}
	registry = append(registry, Info{
		Operation: op,
		Input:     reflect.TypeFor[I](),
		Result:    reflect.TypeFor[O](),
	})
	return Op[I, O]{op}
}

// The operations. Names match the scripts' headers and winsim's handlers.
var (
	GetHostInfo     = define[NoInput, HostInfo]("get_host_info", idempotent)
	GetWindowsFacts = define[NoInput, WindowsFacts]("get_windows_facts", idempotent)

	GetRole         = define[NoInput, RoleState]("get_role", idempotent)
	InstallRole     = define[RoleInput, RoleChange]("install_role", idempotent)
	UninstallRole   = define[RoleInput, RoleChange]("uninstall_role", idempotent)
	RestartComputer = define[RestartInput, Empty]("restart_computer", notIdempotent)

	GetLicenseServer        = define[NoInput, LicenseServer]("get_license_server", idempotent)
	SetContact              = define[Contact, ContactChange]("set_license_server_contact", idempotent)
	ActivateLicenseServer   = define[ActivationInput, ActivationResult]("activate_license_server", notIdempotent)
	ReactivateLicenseServer = define[ActivationInput, ActivationResult]("reactivate_license_server", notIdempotent)
	DeactivateLicenseServer = define[ActivationInput, ActivationResult]("deactivate_license_server", notIdempotent)
	FenceReactivation       = define[ReactivationFenceInput, ReactivationFenceResult]("fence_reactivation", idempotent)
	SetDiscoveryScope       = define[ScopeInput, ScopeResult]("set_discovery_scope", idempotent)
	SetTSLSGroupMembership  = define[GroupInput, GroupResult]("set_tsls_group_membership", idempotent)

	GetLicenseServerSecurity = define[NoInput, LicenseServerSecurity]("get_license_server_security", idempotent)
	SetLicenseServerSecurity = define[LicenseServerSecurityInput, LicenseServerSecurity]("set_license_server_security", idempotent)

	ListKeyPacks      = define[NoInput, KeyPackList]("list_key_packs", idempotent)
	InstallKeyPack    = define[InstallKeyPackInput, KeyPackResult]("install_key_pack", notIdempotent)
	WriteJournal      = define[JournalWriteInput, JournalWriteResult]("write_key_pack_journal", idempotent)
	RemoveKeyPack     = define[KeyPackRef, Empty]("remove_key_pack", idempotent)
	RemoveLicenses    = define[RemoveLicensesInput, KeyPackResult]("remove_licenses", notIdempotent)
	GetCALUsageReport = define[NoInput, UsageReport]("get_cal_usage_report", idempotent)

	ListIssuedLicenses = define[NoInput, IssuedLicenseList]("list_issued_licenses", idempotent)
	// Idempotent: a CAL already revoked is skipped.
	RevokeLicenses = define[RevokeInput, RevokeResult]("revoke_licenses", idempotent)

	GetGPOLicensing = define[GPOInput, GPOLicensing]("get_gpo_licensing", idempotent)
	SetGPOLicensing = define[GPOLicensingInput, GPOLicensing]("set_gpo_licensing", idempotent)

	GetSessionHost            = define[SessionHostInput, SessionHost]("get_session_host", idempotent)
	SetSessionHostLicensing   = define[SessionHostLicensingInput, SessionHost]("set_session_host_licensing", idempotent)
	ClearSessionHostLicensing = define[SessionHostLicensingInput, SessionHost]("clear_session_host_licensing", idempotent)
)

// Operations lists every operation, in definition order.
func Operations() []Info { return append([]Info(nil), registry...) }

// ReadOnly says whether an operation leaves the host's licensing as it
// was: the get_ and list_ operations.
func ReadOnly(name string) bool {
	return strings.HasPrefix(name, "get_") || strings.HasPrefix(name, "list_")
}

// Library is PowerShell every operation may call, the files of
// scripts/lib in name order, and the licensing error kinds. The client
// sends the script once per PowerShell process, after the prelude.
var Library = winrmclient.Library{Script: readLibrary(), Kinds: Kinds}

//go:embed scripts/lib/*.ps1
var libFS embed.FS

func readLibrary() string {
	entries, err := libFS.ReadDir("scripts/lib")
	if err != nil {
		panic("rds: " + err.Error())
	}
	var b strings.Builder
	for _, e := range entries { // ReadDir sorts by name
		text, err := libFS.ReadFile("scripts/lib/" + e.Name())
		if err != nil {
			panic("rds: " + err.Error())
		}
		b.Write(text)
		b.WriteString("\n")
	}
	return b.String()
}
