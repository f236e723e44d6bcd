package winsim

import (
	"slices"
	"strings"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winfacts"
)

// Scenario is the JSON file winsim loads at start and saves on exit.
type Scenario struct {
	Hosts         []HostState        `json:"hosts"`
	Clearinghouse ClearinghouseState `json:"clearinghouse"`
	// Domains hold the Active Directory domains' Group Policy objects.
	Domains []DomainState `json:"domains,omitempty"`
}

// HostState is everything winsim knows about one simulated Windows Server.
// Field names follow Windows where Windows has a name for the thing.
type HostState struct {
	// Name is the NetBIOS computer name, e.g. "LS01".
	Name string `json:"name"`
	// Address is the IP the host's WinRM listeners bind to (a loopback
	// address such as 127.0.10.1, so that many hosts share one port).
	Address string `json:"address"`
	// Domain is the DNS domain the host is joined to; "" for a workgroup.
	Domain string `json:"domain,omitempty"`
	// Workgroup names the workgroup of a host outside a domain.
	Workgroup string `json:"workgroup,omitempty"`
	// OU is the distinguished name of the container of the host's computer
	// account ("OU=SessionHosts,DC=contoso,DC=com"); "" for the default
	// Computers container, where only GPOs linked to the domain apply.
	OU string `json:"ou,omitempty"`
	// DomainController marks a domain controller (DomainRole 4/5).
	DomainController bool `json:"domain_controller,omitempty"`
	// NoDomainController: no domain controller of the host's domain
	// answers, so the license server methods that read or change Active
	// Directory fail with WBEM_E_NOT_AVAILABLE (which code is unverified).
	NoDomainController bool `json:"no_domain_controller,omitempty"`
	// OS is the Windows Server release: "2016", "2019", "2022" or "2025".
	OS string `json:"os"`
	// Internet is whether the host can reach the Microsoft Clearinghouse
	// (outbound TCP 443).
	Internet bool `json:"internet"`

	Users    []User             `json:"users"`
	Features map[string]string  `json:"features"` // name -> InstallState
	Services map[string]Service `json:"services"`

	WinRM   WinRMConfig `json:"winrm"`
	Realism Realism     `json:"realism"`
	Quirks  Quirks      `json:"quirks"`

	LicenseServer LicenseServerState `json:"license_server"`
	SessionHost   SessionHostState   `json:"session_host"`
	// KeyPackJournal is the provider's key pack journal, the subkeys of
	// HKLM\SOFTWARE\rdslicensing\KeyPackJournal: registry, not licensing
	// database, so it outlives restarts and the RD Licensing role.
	KeyPackJournal []JournalEntryState `json:"key_pack_journal,omitempty"`
	// Reactivation is the provider's reactivation marker, the values of
	// HKLM\SOFTWARE\rdslicensing\Reactivation (registry, like the journal).
	Reactivation ReactivationMarkerState `json:"reactivation,omitzero"`

	// BootTime is when the host last started.
	BootTime time.Time `json:"boot_time"`
	// CertMappings map client certificates to local accounts
	// (certificate logon); TrustedRoots is the Trusted Root Certification
	// Authorities store (PEM certificates) their issuers must be in.
	CertMappings []CertMapping `json:"cert_mappings,omitempty"`
	TrustedRoots []string      `json:"trusted_roots,omitempty"`
	// ClockOffsetSeconds is how far the host's clock is from the
	// simulation's (a host whose time service failed); Kerberos refuses
	// clients more than 5 minutes off.
	ClockOffsetSeconds int `json:"clock_offset_seconds,omitempty"`
}

// User is a local or domain account that can log on over WinRM.
type User struct {
	// Name is the account as users type it: "Administrator",
	// "CONTOSO\\alice" or "alice@contoso.com" all match a domain user
	// named "alice" on a host in contoso.com.
	Name     string `json:"name"`
	Password string `json:"password"`
	// Domain is "" for a local account.
	Domain string `json:"domain,omitempty"`
	// Admin: member of the local Administrators group.
	Admin bool `json:"admin"`
	// RemoteManagement: member of Remote Management Users (may use WinRM
	// without being an administrator, but not the cmd shell: its shell
	// Create is refused with Access is denied, as on Windows).
	RemoteManagement bool `json:"remote_management,omitempty"`
	DomainAdmin      bool `json:"domain_admin,omitempty"`
	EnterpriseAdmin  bool `json:"enterprise_admin,omitempty"`
}

// Service is a Windows service's state.
type Service struct {
	Status    string `json:"status"`     // Running, Stopped
	StartType string `json:"start_type"` // Automatic, Manual, Disabled
}

// WinRMConfig is the host's WinRM service configuration
// (winrm get winrm/config).
type WinRMConfig struct {
	HTTP  bool `json:"http"`  // a listener on 5985
	HTTPS bool `json:"https"` // a listener on 5986
	// Auth/Basic; off by default on Windows, on in winsim's defaults so
	// that HTTPS with Basic works out of the box.
	Basic     bool `json:"basic"`
	Negotiate bool `json:"negotiate"`
	// Kerberos: the Kerberos scheme, which a domain member offers in its
	// 401s after Negotiate (Kerberos inside Negotiate needs only
	// Negotiate). Tickets are checked with the keys of Sim.AddKeytab.
	Kerberos bool `json:"kerberos"`
	// AllowUnencrypted accepts unencrypted messages over HTTP (Windows
	// default false: HTTP then needs NTLM or Kerberos message encryption).
	AllowUnencrypted bool `json:"allow_unencrypted"`
	// Certificate: Auth/Certificate, certificate logons over HTTPS (off
	// by default; see CertMapping).
	Certificate bool `json:"certificate,omitempty"`
	// CbtHardeningLevel is Extended Protection over HTTPS: "Relaxed"
	// (Windows' default) refuses a wrong channel binding token, "Strict"
	// a missing one too, "None" checks nothing. "" means Relaxed.
	CbtHardeningLevel              string `json:"cbt_hardening_level,omitempty"`
	MaxEnvelopeSizeKB              int    `json:"max_envelope_size_kb"`
	MaxTimeoutMS                   int    `json:"max_timeout_ms"`
	MaxShellsPerUser               int    `json:"max_shells_per_user"`
	MaxConcurrentOperationsPerUser int    `json:"max_concurrent_operations_per_user"`
	IdleTimeoutMS                  int    `json:"idle_timeout_ms"`
}

// Realism sets how slow the host is. Zero values mean "as fast as possible".
type Realism struct {
	// LatencyMS is added to every HTTP round trip.
	LatencyMS int `json:"latency_ms"`
	// ShellCreateMS is the time Create takes (WinRS starts a shell host).
	ShellCreateMS int `json:"shell_create_ms"`
	// PowerShellStartMS is the start-up time of each powershell.exe.
	PowerShellStartMS int `json:"powershell_start_ms"`
	// OperationMS is the time an operation's script takes, beyond start-up.
	OperationMS int `json:"operation_ms"`
	// ReceivePollMS caps how long a Receive waits for output before it
	// answers w:TimedOut (the smaller of this and the client's OperationTimeout).
	ReceivePollMS int `json:"receive_poll_ms"`
	// RebootMS is how long a restart keeps the host unreachable.
	RebootMS int `json:"reboot_ms"`
	// FeatureInstallMS is how long Install-WindowsFeature takes.
	FeatureInstallMS int `json:"feature_install_ms"`
}

// Quirks hold the behaviours our reference marks UNVERIFIED, so that tests
// can try both answers. The defaults are the best guess recorded in the catalog (internal/winfacts).
type Quirks struct {
	// ProductVersion2022 and ProductVersion2025 are the CAL ProductVersion
	// numbers of Windows Server 2022 and 2025 CALs, 7 and 8 by default
	// (unverified: the install methods document 2, 4, 5 and 6; 7 appears
	// only for Win32_TSLicenseKeyPack.ProductVersionID, 8 nowhere).
	// ProductVersion2022 0 means 7, so that Quirks set field by field keep it.
	ProductVersion2022 int `json:"product_version_2022,omitempty"`
	ProductVersion2025 int `json:"product_version_2025"`
	// PolicyWriteCode is what ChangeMode/SetSpecifiedLicenseServerList
	// return when Group Policy controls the setting.
	PolicyWriteCode int64 `json:"policy_write_code"`
	// ClearinghouseUnreachableCode is what the activation and agreement
	// methods return when the Clearinghouse cannot be reached.
	ClearinghouseUnreachableCode int64 `json:"clearinghouse_unreachable_code"`
	// InvalidCodeCode is what the install methods return for a code or
	// number the Clearinghouse does not know.
	InvalidCodeCode int64 `json:"invalid_code_code"`
	// CodeAlreadyUsedCode is what InstallRetailPurchaseLicenseKeyPack
	// returns for a retail code used before (WBEM_E_ALREADY_EXISTS assumed).
	CodeAlreadyUsedCode int64 `json:"code_already_used_code"`
	// NotActivatedCode is what the install methods return on a license
	// server that is not activated.
	NotActivatedCode int64 `json:"not_activated_code"`
	// VersionTooNewCode is what the install methods return for CALs newer
	// than the license server's OS.
	VersionTooNewCode int64 `json:"version_too_new_code"`
	// LicensingRoleNeedsRestart: installing RDS-Licensing leaves it
	// InstallPending until a restart (commonly it does not).
	LicensingRoleNeedsRestart bool `json:"licensing_role_needs_restart"`
	// AcceptAnyCountry: Win32_TSLicenseServer takes any CountryRegion
	// string. By default winsim accepts only English country names and
	// answers others with WBEM_E_INVALID_PARAMETER (catalog fact CountryRegion, unverified).
	AcceptAnyCountry bool `json:"accept_any_country"`
	// StderrBOM: powershell.exe's stderr starts with a UTF-8 BOM under code
	// page 65001 (reported once); StdoutBOM the same for stdout.
	StderrBOM bool `json:"stderr_bom"`
	StdoutBOM bool `json:"stdout_bom"`
	// ProgressNoise: powershell.exe writes a "Preparing modules for first
	// use." progress record to stderr at start, even when all goes well.
	ProgressNoise bool `json:"progress_noise"`
	// ConnectivityStatus, on a license server, is what session hosts'
	// GetTStoLSConnectivityStatus answers for it once it is reachable, for
	// answers winsim does not model (3 BETA_RTM_MISMATCH, 7
	// UNKNOWN_VALIDITY, 10 FEATURE_NOT_SUPPORTED); 0 models them.
	ConnectivityStatus int `json:"connectivity_status,omitempty"`
	// TSLSGroupEmptyDomain: IsLSinTSLSGroup takes Domain = '' for the
	// server's own domain (the documentation's "no domain name"); by default
	// winsim refuses it with WBEM_E_INVALID_PARAMETER (UNVERIFIED).
	TSLSGroupEmptyDomain bool `json:"tsls_group_empty_domain,omitempty"`
	// EndpointServersLive: the licensing service applies a change of the
	// security group policy or of RDS Endpoint Servers at once; by default
	// only at its next start (UNVERIFIED for 2016-2025; documented so for
	// Windows Server 2003).
	EndpointServersLive bool `json:"endpoint_servers_live,omitempty"`
	// RevokeLimitCode is what Win32_TSIssuedLicense.Revoke returns past
	// the limit of revoked per-device CALs (UNVERIFIED; the documentation
	// names only NextRevokeAllowedOn for that case).
	RevokeLimitCode int64 `json:"revoke_limit_code"`
	// FailuresAsCimException: the licensing methods that can fail
	// (activation, ChangeRole, the AD group and its reading, key pack
	// install and removal) throw a CimException with the code instead of returning it as
	// ReturnValue (unverified which one Windows does).
	FailuresAsCimException bool `json:"failures_as_cim_exception,omitempty"`
	// RestartMaybe: Install-WindowsFeature answers RestartNeeded "Maybe"
	// for a change it made, with nothing left pending (UNVERIFIED when
	// Windows does so).
	RestartMaybe bool `json:"restart_maybe,omitempty"`
	// KerberosBare401: a refused Kerberos ticket gets the bare 401 of a
	// failed logon, without the KRB-ERROR that captures of HTTP.sys show
	// (whether WinRM always sends it is unverified).
	KerberosBare401 bool `json:"kerberos_bare_401,omitempty"`
	// PlainHTTPOnHTTPS400: plain HTTP sent to the HTTPS listener gets an
	// HTTP 400 answer; by default winsim resets the connection without
	// one (UNVERIFIED which one HTTP.sys does).
	PlainHTTPOnHTTPS400 bool `json:"plain_http_on_https_400,omitempty"`
}

// ReactivationMarkerState is the provider's reactivation marker
// (docs/design/reactivation-marker.md).
type ReactivationMarkerState struct {
	// Started is the last attempt that went on to its WMI method.
	Started string `json:"started,omitempty"`
	// Fenced are the attempts the provider gave up, newest first (16 at most).
	Fenced []string `json:"fenced,omitempty"`
}

// LicenseServerState is Win32_TSLicenseServer and its database.
type LicenseServerState struct {
	FirstName     string `json:"first_name,omitempty"`
	LastName      string `json:"last_name,omitempty"`
	Company       string `json:"company,omitempty"`
	CountryRegion string `json:"country_region,omitempty"`
	Email         string `json:"email,omitempty"`
	OrgUnit       string `json:"org_unit,omitempty"`
	Address       string `json:"address,omitempty"`
	City          string `json:"city,omitempty"`
	State         string `json:"state,omitempty"`
	PostalCode    string `json:"postal_code,omitempty"`

	// ProductID identifies this license server to the Clearinghouse; web
	// and phone activation turn it into a license server ID.
	ProductID       string `json:"product_id"`
	Activated       bool   `json:"activated"`
	LicenseServerID string `json:"license_server_id,omitempty"`
	// ServerRole is the discovery scope: 0 workgroup, 1 domain, 2 forest.
	ServerRole int `json:"server_role"`
	// InTSLSGroup: member of the AD group "Terminal Server License Servers".
	InTSLSGroup bool `json:"in_tsls_group"`
	// SecureLicensing is the policy value "License server security group"
	// (fSecureLicensing, name unverified): 1 on, 0 off, nil not
	// configured. On, only session hosts whose computer accounts are in
	// the local group RDS Endpoint Servers (EndpointServers) get CALs.
	SecureLicensing *int `json:"secure_licensing,omitempty"`
	// EndpointServers are the group's members as Get-LocalGroupMember
	// names them ("CONTOSO\RDSH01$"); a bare computer name ("RDSH01")
	// stands for that computer's account.
	EndpointServers []string `json:"endpoint_servers,omitempty"`
	// AppliedSecurity is what the running licensing service read of both
	// at its start, while a change since waits for its restart (nil: the
	// service applies the values above; Quirks.EndpointServersLive).
	AppliedSecurity *AppliedSecurity `json:"applied_security,omitempty"`

	KeyPacks []KeyPackState `json:"key_packs"`
	// NextKeyPackID is the KeyPackId the next installed pack gets.
	NextKeyPackID int64             `json:"next_key_pack_id"`
	IssuedCALs    []IssuedCALState  `json:"issued_cals,omitempty"`
	PerUserCALs   []PerUserCALState `json:"per_user_cals,omitempty"`
}

// AppliedSecurity is the security group policy and group members as the
// licensing service read them when it started.
type AppliedSecurity struct {
	SecureLicensing *int     `json:"secure_licensing,omitempty"`
	EndpointServers []string `json:"endpoint_servers,omitempty"`
}

// KeyPackState is one Win32_TSLicenseKeyPack.
type KeyPackState struct {
	KeyPackID        int64     `json:"key_pack_id"`
	KeyPackType      int       `json:"key_pack_type"` // 1 retail, 2 volume, 4 temporary, 5 open license
	ProductType      int       `json:"product_type"`  // 0 per device, 1 per user, 3 built-in
	ProductVersionID int       `json:"product_version_id"`
	TotalLicenses    int64     `json:"total_licenses"`
	IssuedLicenses   int64     `json:"issued_licenses"`
	ExpirationDate   time.Time `json:"expiration_date"`
	Description      string    `json:"description,omitempty"`
	// TypeAndModel, when set, is what Windows shows instead of the name
	// winsim derives from ProductType: a built-in pack whose only marker
	// is its name ("Built-in TS Per Device CAL"), as public scripts match it.
	TypeAndModel string `json:"type_and_model,omitempty"`
	// Source records which code or number installed the pack. Windows
	// does not show it; winsim keeps it to answer reinstalls and for tests.
	Source string `json:"source,omitempty"`
}

// JournalEntryState is one journal entry (one registry subkey, named by
// its request ID), with the values of rds.JournalEntry. Times are the
// host's clock.
type JournalEntryState struct {
	RequestID string `json:"request_id"`
	// State "" models a subkey whose first write was cut short before
	// State, the last value written: the scripts read it as no entry.
	State          string    `json:"state"`
	Program        string    `json:"program,omitempty"`
	ProductVersion int       `json:"product_version,omitempty"`
	ProductType    int       `json:"product_type,omitempty"`
	LicenseCount   int       `json:"license_count,omitempty"`
	AgreementType  int       `json:"agreement_type,omitempty"`
	CodeTag        string    `json:"code_tag,omitempty"`
	Owner          string    `json:"owner,omitempty"`
	Before         []int64   `json:"before,omitempty"`
	KeyPackID      int64     `json:"key_pack_id,omitempty"`
	ReturnValue    int64     `json:"return_value,omitempty"`
	Started        time.Time `json:"started"`
	Updated        time.Time `json:"updated"`
}

// IssuedCALState is one Win32_TSIssuedLicense (per device).
type IssuedCALState struct {
	LicenseID        int64     `json:"license_id"`
	KeyPackID        int64     `json:"key_pack_id"`
	IssuedToUser     string    `json:"issued_to_user"`
	IssuedToComputer string    `json:"issued_to_computer"`
	HardwareID       string    `json:"hardware_id"`
	IssueDate        time.Time `json:"issue_date"`
	ExpirationDate   time.Time `json:"expiration_date"`
	LicenseStatus    int       `json:"license_status"` // 1 temporary, 2 active, 4 revoked
}

// PerUserCALState is one per-user CAL the license server tracks.
type PerUserCALState struct {
	User             string    `json:"user"`
	KeyPackID        int64     `json:"key_pack_id"`
	ProductVersionID int       `json:"product_version_id"`
	ExpirationDate   time.Time `json:"expiration_date"`
}

// SessionHostState is the RD Session Host licensing configuration as the
// registry holds it; Win32_TerminalServiceSetting derives from it.
type SessionHostState struct {
	// PolicyLicensingMode and PolicyLicenseServers are the Group Policy
	// values under HKLM\SOFTWARE\Policies\Microsoft\Windows NT\Terminal
	// Services (nil: policy not configured). They win.
	PolicyLicensingMode  *int    `json:"policy_licensing_mode,omitempty"`
	PolicyLicenseServers *string `json:"policy_license_servers,omitempty"` // REG_SZ, comma-separated
	// PolicyLicensingModeGPO and PolicyLicenseServersGPO name the domain
	// GPO that wrote each value at the last policy refresh ("": local
	// policy, or none).
	PolicyLicensingModeGPO  string `json:"policy_licensing_mode_gpo,omitempty"`
	PolicyLicenseServersGPO string `json:"policy_license_servers_gpo,omitempty"`
	// ConfigLicensingMode is RCM\Licensing Core\LicensingMode (5: not configured).
	ConfigLicensingMode int `json:"config_licensing_mode"`
	// ConfigLicenseServers is TermService\Parameters\LicenseServers\SpecifiedLicenseServers.
	ConfigLicenseServers []string `json:"config_license_servers,omitempty"`
	// GracePeriodEnds is when the 120-day grace period ends; nil before
	// the RDSH role is installed.
	GracePeriodEnds *time.Time `json:"grace_period_ends,omitempty"`
	// TermServiceRestarts counts restarts of TermService.
	TermServiceRestarts int `json:"termservice_restarts"`
}

// DomainState is an Active Directory domain's Group Policy: its GPOs
// (with their registry-based settings) and where they are linked.
type DomainState struct {
	// Name is the DNS domain name ("contoso.com").
	Name string `json:"name"`
	// OUs are the organizational units GPOs can be linked to, by
	// distinguished name; the domain itself ("DC=contoso,DC=com") always can.
	OUs  []string   `json:"ous,omitempty"`
	GPOs []GPOState `json:"gpos,omitempty"`
}

// GPOState is one Group Policy object.
type GPOState struct {
	ID       string       `json:"id"`
	Name     string       `json:"name"`
	Settings []GPOSetting `json:"settings,omitempty"`
	Links    []GPOLink    `json:"links,omitempty"`
}

// GPOSetting is a registry-based policy setting of a GPO (Computer
// Configuration), as Set-GPRegistryValue writes it.
type GPOSetting struct {
	Key       string `json:"key"` // HKLM\...
	ValueName string `json:"value_name"`
	Type      string `json:"type"`  // DWord or String
	Value     string `json:"value"` // a DWord in decimal
}

// GPOLink links a GPO to the domain or an OU, by distinguished name.
type GPOLink struct {
	Target   string `json:"target"`
	Enabled  bool   `json:"enabled"`
	Enforced bool   `json:"enforced,omitempty"`
	// Order is the link's rank among the target's links: 1 wins.
	Order int `json:"order"`
}

// ClearinghouseState is the simulated Microsoft Clearinghouse.
type ClearinghouseState struct {
	// Reachable switches the Clearinghouse off for every host at once.
	Reachable    bool             `json:"reachable"`
	RetailCodes  []RetailCode     `json:"retail_codes"`
	OpenLicenses []OpenLicense    `json:"open_licenses"`
	Agreements   []Agreement      `json:"agreements"`
	KeyPackIDs   []OfflineKeyPack `json:"key_pack_ids"`
}

// RetailCode is a 25-character retail license code; it is single-use.
type RetailCode struct {
	Code             string `json:"code"`
	ProductVersionID int    `json:"product_version_id"`
	ProductType      int    `json:"product_type"`
	Count            int64  `json:"count"`
	// UsedBy is the ProductID of the license server that installed it.
	UsedBy string `json:"used_by,omitempty"`
}

// OpenLicense is an Open License number with its authorization number.
type OpenLicense struct {
	LicenseNumber       string `json:"license_number"`
	AuthorizationNumber string `json:"authorization_number"`
	ProductVersionID    int    `json:"product_version_id"`
	ProductType         int    `json:"product_type"`
	// Count is how many CALs the license covers; installs draw from it.
	Count int64 `json:"count"`
	Used  int64 `json:"used"`
}

// Agreement is a volume agreement (Select, Enterprise, ..., SPLA).
type Agreement struct {
	AgreementType    int    `json:"agreement_type"` // 0-5
	Number           string `json:"number"`
	ProductVersionID int    `json:"product_version_id"`
	ProductType      int    `json:"product_type"`
	Count            int64  `json:"count"`
	Used             int64  `json:"used"`
}

// OfflineKeyPack is a 35-character license key pack ID obtained from the
// Clearinghouse web site or by phone, for servers without Internet.
type OfflineKeyPack struct {
	ID               string `json:"id"`
	ProductVersionID int    `json:"product_version_id"`
	ProductType      int    `json:"product_type"`
	Count            int64  `json:"count"`
	UsedBy           string `json:"used_by,omitempty"`
}

// Feature names the model knows.
const (
	FeatureLicensing        = "RDS-Licensing"
	FeatureLicensingUI      = "RDS-Licensing-UI"
	FeatureLicensingDiag    = "RSAT-RDS-Licensing-Diagnosis-UI"
	FeatureSessionHost      = "RDS-RD-Server"
	FeatureRDSTools         = "RSAT-RDS-Tools"
	FeatureGPMC             = "GPMC"
	ServiceLicensing        = "TermServLicensing"
	ServiceTerminalServices = "TermService"
)

// Install states as Get-WindowsFeature renders them.
const (
	StateAvailable        = "Available"
	StateInstalled        = "Installed"
	StateInstallPending   = "InstallPending"
	StateUninstallPending = "UninstallPending"
	StateRemoved          = "Removed"
)

// WMI error codes (catalog facts WBEM_E_*, from Microsoft's WMI error constants).
const (
	WBEMFailed            int64 = 0x80041001
	WBEMNotFound          int64 = 0x80041002
	WBEMAccessDenied      int64 = 0x80041003
	WBEMInvalidParameter  int64 = 0x80041008
	WBEMNotAvailable      int64 = 0x80041009
	WBEMNotSupported      int64 = 0x8004100C
	WBEMInvalidClass      int64 = 0x80041010
	WBEMInvalidOperation  int64 = 0x80041016
	WBEMAlreadyExists     int64 = 0x80041019
	WBEMValueOutOfRange   int64 = 0x8004102B
	BuiltInKeyPackLicense int64 = 4294967295
)

// OSBuilds maps releases to build numbers.
var OSBuilds = map[string]string{
	"2016": "10.0.14393",
	"2019": "10.0.17763",
	"2022": "10.0.20348",
	"2025": "10.0.26100",
}

// ProductVersionID returns the CAL ProductVersion number of an OS release
// as this host's Windows numbers it: the catalog's (winfacts), with 2022
// and 2025 from Quirks.ProductVersion2022 and ProductVersion2025 (both
// unverified).
func (h *HostState) ProductVersionID(release string) int {
	switch release {
	case "2022":
		if h.Quirks.ProductVersion2022 == 0 {
			return DefaultQuirks.ProductVersion2022
		}
		return h.Quirks.ProductVersion2022
	case "2025":
		return h.Quirks.ProductVersion2025
	}
	if !slices.Contains(winfacts.InstallableReleases, release) {
		return 0
	}
	n, _ := winfacts.ProductVersion(release)
	return n
}

// ReleaseOfVersionID is the inverse of ProductVersionID ("" when unknown).
func (h *HostState) ReleaseOfVersionID(id int) string {
	for _, r := range winfacts.InstallableReleases {
		if h.ProductVersionID(r) == id {
			return r
		}
	}
	return ""
}

// FQDN is the host's DNS name.
func (h *HostState) FQDN() string {
	if h.Domain == "" {
		return strings.ToLower(h.Name)
	}
	return strings.ToLower(h.Name) + "." + strings.ToLower(h.Domain)
}

// NetBIOSDomain is the domain (or workgroup) name NTLM and whoami show.
func (h *HostState) NetBIOSDomain() string {
	if h.Domain == "" {
		if h.Workgroup == "" {
			return "WORKGROUP"
		}
		return strings.ToUpper(h.Workgroup)
	}
	return netBIOSDomainName(h.Domain)
}

// netBIOSDomainName is the NetBIOS name winsim gives a DNS domain: its
// first label, upper-case ("contoso.com": "CONTOSO").
func netBIOSDomainName(dns string) string {
	return strings.ToUpper(strings.SplitN(dns, ".", 2)[0])
}

// accountName is u as WindowsIdentity.Name shows it on host st:
// CONTOSO\alice for a domain account, LS01\Administrator for a local one.
func accountName(st *HostState, u User) string {
	if u.Domain != "" {
		return netBIOSDomainName(u.Domain) + `\` + u.Name
	}
	return strings.ToUpper(st.Name) + `\` + u.Name
}

// userKey identifies an account for shell ownership and quotas.
func userKey(u User) string { return strings.ToLower(u.Domain + `\` + u.Name) }

// FeatureState is a feature's install state ("Available" when unknown).
func (h *HostState) FeatureState(name string) string {
	if s, ok := h.Features[name]; ok && s != "" {
		return s
	}
	return StateAvailable
}

// FeatureInstalled reports a feature that is installed and not waiting for a restart.
func (h *HostState) FeatureInstalled(name string) bool {
	return h.FeatureState(name) == StateInstalled
}

// RebootPending reports features waiting for a restart.
func (h *HostState) RebootPending() bool {
	for _, s := range h.Features {
		if s == StateInstallPending || s == StateUninstallPending {
			return true
		}
	}
	return false
}

// Clone deep-copies the state through JSON; states are small.
func (h *HostState) Clone() HostState { return cloneJSON(*h) }
