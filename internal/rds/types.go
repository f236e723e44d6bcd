package rds

// The types below are the JSON inputs and results of the remote operations.
// Each result type mirrors an [ordered]@{} literal in its script; the
// contract tests hold the two together, key for key.

// NoInput is the input of operations that take no parameters.
type NoInput struct{}

// Empty is the result of operations that return nothing but success.
type Empty struct{}

// HostInfo describes the Windows host an operation ran on.
type HostInfo struct {
	ComputerName      string `json:"computer_name"`
	DNSHostName       string `json:"dns_host_name"`
	Domain            string `json:"domain"`
	PartOfDomain      bool   `json:"part_of_domain"`
	DomainRole        int    `json:"domain_role"`
	OSCaption         string `json:"os_caption"`
	OSBuild           string `json:"os_build"`
	OSVersion         string `json:"os_version"`
	PowerShellVersion string `json:"powershell_version"`
}

// Feature is one Windows feature as Get-WindowsFeature reports it.
type Feature struct {
	Name         string `json:"name"`
	DisplayName  string `json:"display_name"`
	InstallState string `json:"install_state"`
}

// RoleInput selects what install_role and uninstall_role touch.
type RoleInput struct {
	IncludeManagementTools bool `json:"include_management_tools"`
	// ToolsOnly makes uninstall_role remove the management tools and keep
	// the role service.
	ToolsOnly bool `json:"tools_only"`
	// WaitSeconds bounds how long install_role waits for the licensing
	// WMI provider to appear after the feature is installed.
	WaitSeconds int `json:"wait_seconds"`
}

// RoleState is the RD Licensing role service on a host.
type RoleState struct {
	Features         []Feature `json:"features"`
	ServiceStatus    string    `json:"service_status"`
	ServiceStartType string    `json:"service_start_type"`
	WMIReady         bool      `json:"wmi_ready"`
	RestartPending   bool      `json:"restart_pending"`
	OSVersion        string    `json:"os_version"`
	// BootTime tells a restart that happened from one still to come.
	BootTime string `json:"boot_time"`
}

// RoleChange is the outcome of install_role or uninstall_role.
type RoleChange struct {
	State         RoleState `json:"state"`
	Changed       bool      `json:"changed"`
	RestartNeeded bool      `json:"restart_needed"`
	ExitCode      string    `json:"exit_code"`
}

// RestartInput asks the host to restart.
type RestartInput struct {
	DelaySeconds int `json:"delay_seconds"`
}

// Contact holds the Win32_TSLicenseServer contact properties.
type Contact struct {
	FirstName     string `json:"first_name"`
	LastName      string `json:"last_name"`
	Company       string `json:"company"`
	CountryRegion string `json:"country_region"`
	Email         string `json:"email"`
	OrgUnit       string `json:"org_unit"`
	Address       string `json:"address"`
	City          string `json:"city"`
	State         string `json:"state"`
	PostalCode    string `json:"postal_code"`
}

// LicenseServer is the RD license server as Win32_TSLicenseServer shows it.
type LicenseServer struct {
	ActivationStatus int     `json:"activation_status"`
	LicenseServerID  string  `json:"license_server_id"`
	ProductID        string  `json:"product_id"`
	Contact          Contact `json:"contact"`
	ServerRole       int     `json:"server_role"`
	// InTSLSGroup is nil when the host is not in a domain or the group
	// could not be read (TSLSGroupError says why).
	InTSLSGroup        *bool  `json:"in_tsls_group"`
	TSLSGroupError     string `json:"tsls_group_error"`
	OnDomainController bool   `json:"on_domain_controller"`
	PartOfDomain       bool   `json:"part_of_domain"`
	Domain             string `json:"domain"`
	OSVersion          string `json:"os_version"`
	ComputerName       string `json:"computer_name"`
	DNSHostName        string `json:"dns_host_name"`
	ServiceStatus      string `json:"service_status"`
	DatabasePath       string `json:"database_path"`
	Version            string `json:"version"`
}

// ContactChange reports which contact properties set_license_server_contact wrote.
type ContactChange struct {
	Changed []string `json:"changed"`
	Contact Contact  `json:"contact"`
}

// ActivationInput drives activate, reactivate and deactivate.
type ActivationInput struct {
	// Method is "automatic" or "license_server_id".
	Method          string `json:"method"`
	LicenseServerID string `json:"license_server_id"`
	// Reason is the ReactivateServerAutomatic reason (0-4).
	Reason int `json:"reason"`
	// Attempt (reactivation only) is 32 lower-case hex digits the script
	// records on the server just before it calls the reactivation method.
	Attempt string `json:"attempt,omitempty"`
}

// ReactivationFenceInput names a reactivation attempt whose answer was lost.
type ReactivationFenceInput struct {
	Attempt string `json:"attempt"`
}

// ReactivationFenceResult: Started is true when the attempt went on to its
// WMI method; else it is fenced off and never will.
type ReactivationFenceResult struct {
	Started bool `json:"started"`
}

// Secrets implements winrmclient.SecretHolder.
func (a ActivationInput) Secrets() []string { return []string{a.LicenseServerID} }

// ActivationResult is the license server's activation after a change.
type ActivationResult struct {
	ActivationStatus int    `json:"activation_status"`
	LicenseServerID  string `json:"license_server_id"`
	Changed          bool   `json:"changed"`
}

// ScopeInput sets the license server discovery scope (ServerRole).
type ScopeInput struct {
	ServerRole int `json:"server_role"`
}

// ScopeResult is the discovery scope after set_discovery_scope.
type ScopeResult struct {
	ServerRole int  `json:"server_role"`
	Changed    bool `json:"changed"`
}

// GroupInput adds or removes the license server from the AD group
// "Terminal Server License Servers".
type GroupInput struct {
	Member bool `json:"member"`
}

// GroupResult is the group membership after set_tsls_group_membership.
type GroupResult struct {
	Member  bool `json:"member"`
	Changed bool `json:"changed"`
}

// LicenseServerSecurity is the license server's "License server security
// group" policy and the members of its local group RDS Endpoint Servers.
type LicenseServerSecurity struct {
	// Policy is the policy value: 1 on, 0 off, nil not configured.
	Policy *int `json:"policy"`
	// Members are the group's members as Get-LocalGroupMember names them
	// ("CONTOSO\\RDSH01$").
	Members []string `json:"members"`
	// ServiceStatus is TermServLicensing's, which applies a change when it
	// starts.
	ServiceStatus string `json:"service_status"`
	PartOfDomain  bool   `json:"part_of_domain"`
	Domain        string `json:"domain"`
	ComputerName  string `json:"computer_name"`
	// Changed: set_license_server_security changed the policy or the
	// group; Restarted: it restarted TermServLicensing.
	Changed   bool `json:"changed"`
	Restarted bool `json:"restarted"`
}

// GroupMember is a member of a local group, as Get-LocalGroupMember names
// it ("CONTOSO\RDSH01$") with its ObjectClass (User, Group, Computer).
type GroupMember struct {
	Name        string `json:"name"`
	ObjectClass string `json:"object_class"`
}

// LicenseServerSecurityInput sets the policy (nil: remove the value, not
// configured), adds accounts to RDS Endpoint Servers and removes members,
// and restarts TermServLicensing when something changed and it is asked.
type LicenseServerSecurityInput struct {
	Policy         *int     `json:"policy"`
	Add            []string `json:"add"`
	Remove         []string `json:"remove"`
	RestartService bool     `json:"restart_service"`
}

// GPOInput names a domain GPO and the OUs (distinguished names) whose links
// to it to read.
type GPOInput struct {
	Name    string   `json:"name"`
	Targets []string `json:"targets"`
}

// GPOLicensing is the licensing part of a domain GPO: its two Remote
// Desktop licensing policy values and its links to the targets asked.
type GPOLicensing struct {
	Exists bool   `json:"exists"`
	ID     string `json:"id"`
	// LicensingMode and LicenseServers are the values the GPO sets (nil:
	// not configured in it).
	LicensingMode  *int     `json:"licensing_mode"`
	LicenseServers *string  `json:"license_servers"`
	Links          []GPLink `json:"links"`
	Domain         string   `json:"domain"`
	// Changed and Created: set_gpo_licensing changed the GPO, or created it.
	Changed bool `json:"changed"`
	Created bool `json:"created"`
}

// GPLink is a GPO's link to a target, as Get-GPInheritance shows it.
type GPLink struct {
	Target   string `json:"target"`
	Enabled  bool   `json:"enabled"`
	Enforced bool   `json:"enforced"`
}

// GPOLicensingInput sets the licensing values of a domain GPO (nil removes
// one from the GPO), links it to and unlinks it from OUs, creates it when
// missing if Create, and deletes it (after the rest) if Delete.
type GPOLicensingInput struct {
	Name           string   `json:"name"`
	Create         bool     `json:"create"`
	LicensingMode  *int     `json:"licensing_mode"`
	LicenseServers *string  `json:"license_servers"`
	Link           []string `json:"link"`
	Unlink         []string `json:"unlink"`
	Targets        []string `json:"targets"`
	Delete         bool     `json:"delete"`
}

// KeyPack is one Win32_TSLicenseKeyPack.
type KeyPack struct {
	KeyPackID         int64  `json:"key_pack_id"`
	KeyPackType       int    `json:"key_pack_type"`
	ProductType       int    `json:"product_type"`
	ProductVersion    string `json:"product_version"`
	ProductVersionID  int    `json:"product_version_id"`
	TypeAndModel      string `json:"type_and_model"`
	Description       string `json:"description"`
	TotalLicenses     int64  `json:"total_licenses"`
	IssuedLicenses    int64  `json:"issued_licenses"`
	AvailableLicenses int64  `json:"available_licenses"`
	ExpirationDate    string `json:"expiration_date"`
	BuiltIn           bool   `json:"built_in"`
}

// KeyPackList is every key pack on a license server, with the provider's
// install journal and the host's clocks, which the provider needs to tell
// what an interrupted install did (docs/design/key-pack-journal.md).
type KeyPackList struct {
	KeyPacks []KeyPack `json:"key_packs"`
	// Journal is every entry under HKLM\SOFTWARE\rdslicensing\KeyPackJournal,
	// oldest first.
	Journal []JournalEntry `json:"journal"`
	// BootTime is when the host last started, and HostTime the host's
	// clock when it answered (RFC 3339, UTC): journal times are the host's.
	BootTime string `json:"boot_time"`
	HostTime string `json:"host_time"`
}

// Journal entry states.
const (
	// JournalStarted: install_key_pack recorded the request and was about
	// to call the install method (or is calling it, or died doing so).
	JournalStarted = "started"
	// JournalInstalled: the install method returned 0 and KeyPackID.
	JournalInstalled = "installed"
	// JournalFailed: the install method returned ReturnValue != 0.
	JournalFailed = "failed"
	// JournalNotInstalled: a started install was found, after its process
	// died, to have installed nothing.
	JournalNotInstalled = "not_installed"
	// JournalAbandoned: a tombstone for a request that never started: a
	// late install_key_pack with that request ID refuses to run.
	JournalAbandoned = "abandoned"
	// JournalRemoved: the provider removed the entry's key pack.
	JournalRemoved = "removed"
	// JournalAdopted: an entry made for a key pack installed outside the
	// provider (import), so that it has an owner.
	JournalAdopted = "adopted"
)

// JournalEntry is one install request the provider recorded on the
// license server, and who owns its key pack. It holds no code: CodeTag
// tells codes apart without revealing them.
type JournalEntry struct {
	RequestID      string `json:"request_id"`
	State          string `json:"state"`
	Program        string `json:"program"`
	ProductVersion int    `json:"product_version"`
	ProductType    int    `json:"product_type"`
	LicenseCount   int    `json:"license_count"`
	AgreementType  int    `json:"agreement_type"`
	// CodeTag is "<salt>:<tag>", a short salted hash of the codes.
	CodeTag string `json:"code_tag"`
	// Owner is the token of the resource that holds the key pack; "" when
	// it is free for a resource with the same CALs to claim.
	Owner string `json:"owner"`
	// Before are the KeyPackIds on the server when the install started.
	Before      []int64 `json:"before"`
	KeyPackID   int64   `json:"key_pack_id"`
	ReturnValue int64   `json:"return_value"`
	Started     string  `json:"started"`
	Updated     string  `json:"updated"`
}

// InstallKeyPackInput installs CALs. Which fields apply depends on Program.
type InstallKeyPackInput struct {
	// Program is "retail", "open_license", "agreement" or "license_key_pack_id".
	Program             string `json:"program"`
	LicenseCode         string `json:"license_code"`
	LicenseNumber       string `json:"license_number"`
	AuthorizationNumber string `json:"authorization_number"`
	AgreementType       int    `json:"agreement_type"`
	AgreementNumber     string `json:"agreement_number"`
	LicenseKeyPackID    string `json:"license_key_pack_id"`
	ProductVersion      int    `json:"product_version"`
	ProductType         int    `json:"product_type"`
	LicenseCount        int    `json:"license_count"`
	// AllowPerUserInWorkgroup lets per-user CALs go onto a license server
	// outside a domain, where they cannot be tracked.
	AllowPerUserInWorkgroup bool `json:"allow_per_user_in_workgroup"`
	// RequestID names this install in the journal: one ID, one install at
	// most. Owner is the token of the resource the new pack belongs to,
	// CodeTag the entry's code tag.
	RequestID string `json:"request_id"`
	Owner     string `json:"owner"`
	CodeTag   string `json:"code_tag"`
}

// Secrets implements winrmclient.SecretHolder.
func (in InstallKeyPackInput) Secrets() []string {
	return []string{in.LicenseCode, in.LicenseNumber, in.AuthorizationNumber, in.AgreementNumber, in.LicenseKeyPackID}
}

// KeyPackResult is the key pack an operation created or changed.
type KeyPackResult struct {
	KeyPack KeyPack `json:"key_pack"`
}

// JournalWriteInput changes one journal entry, compare-and-set under the
// journal's lock: when the entry's state and owner are ExpectState and
// ExpectOwner (ExpectState "": there is no entry), it gets State, Owner and
// KeyPackID (and, for a new entry, the intent fields). An entry that
// already is what the write asks for answers Changed false; any other
// entry fails with kind conflict. The provider decides every write.
type JournalWriteInput struct {
	RequestID   string `json:"request_id"`
	ExpectState string `json:"expect_state"`
	ExpectOwner string `json:"expect_owner"`
	State       string `json:"state"`
	Owner       string `json:"owner"`
	KeyPackID   int64  `json:"key_pack_id"`
	// For a new entry only.
	Program        string `json:"program"`
	ProductVersion int    `json:"product_version"`
	ProductType    int    `json:"product_type"`
	LicenseCount   int    `json:"license_count"`
	AgreementType  int    `json:"agreement_type"`
	CodeTag        string `json:"code_tag"`
}

// JournalWriteResult is the entry after a journal write.
type JournalWriteResult struct {
	Entry   JournalEntry `json:"entry"`
	Changed bool         `json:"changed"`
}

// KeyPackRef names one key pack.
type KeyPackRef struct {
	KeyPackID int64 `json:"key_pack_id"`
}

// RemoveLicensesInput removes licenses from one key pack.
type RemoveLicensesInput struct {
	KeyPackID    int64 `json:"key_pack_id"`
	LicenseCount int   `json:"license_count"`
}

// IssuedLicense is one per-device CAL the license server issued, with the
// CAL type and version of its key pack ("" and 0 once the pack is gone).
type IssuedLicense struct {
	LicenseID        int64  `json:"license_id"`
	KeyPackID        int64  `json:"key_pack_id"`
	IssuedToUser     string `json:"issued_to_user"`
	IssuedToComputer string `json:"issued_to_computer"`
	HardwareID       string `json:"hardware_id"`
	IssueDate        string `json:"issue_date"`
	ExpirationDate   string `json:"expiration_date"`
	LicenseStatus    int    `json:"license_status"`
	CALType          string `json:"cal_type"`
	ProductVersionID int    `json:"product_version_id"`
}

// IssuedLicenseList is every per-device CAL a license server issued.
type IssuedLicenseList struct {
	Licenses []IssuedLicense `json:"licenses"`
}

// LicenseRef names one issued per-device CAL (Win32_TSIssuedLicense's key).
type LicenseRef struct {
	LicenseID int64 `json:"license_id"`
	KeyPackID int64 `json:"key_pack_id"`
}

// RevokeInput lists the per-device CALs to revoke.
type RevokeInput struct {
	Licenses []LicenseRef `json:"licenses"`
}

// RevokeResult says which CALs this call revoked and which were revoked
// before; RevokableCals is what the last Revoke reported (-1 when none
// ran).
type RevokeResult struct {
	Revoked        []int64 `json:"revoked"`
	AlreadyRevoked []int64 `json:"already_revoked"`
	RevokableCals  int64   `json:"revokable_cals"`
}

// PerUserUsage is one row of the per-user CAL usage report.
type PerUserUsage struct {
	User             string `json:"user"`
	ExpirationDate   string `json:"expiration_date"`
	CALType          string `json:"cal_type"`
	ProductVersion   string `json:"product_version"`
	ProductVersionID int    `json:"product_version_id"`
}

// UsageReport is what RD Licensing Manager's "Create Report" gives for
// per-user CALs, and every per-device CAL the license server issued.
type UsageReport struct {
	GeneratedAt string          `json:"generated_at"`
	PerUser     []PerUserUsage  `json:"per_user"`
	PerDevice   []IssuedLicense `json:"per_device"`
}

// SessionHostInput names the license servers whose connectivity
// get_session_host should report.
type SessionHostInput struct {
	CheckServers []string `json:"check_servers"`
	// CheckSpecified adds the license servers in effect to CheckServers,
	// skipping names no one should have written.
	CheckSpecified bool `json:"check_specified"`
}

// Connectivity is GetTStoLSConnectivityStatus for one license server.
type Connectivity struct {
	Server string `json:"server"`
	Status int    `json:"status"`
}

// SessionHost is the licensing configuration of an RD Session Host.
type SessionHost struct {
	RDSHInstalled      bool `json:"rdsh_installed"`
	TerminalServerMode int  `json:"terminal_server_mode"`
	// LicensingType and SpecifiedLicenseServers are effective values, as
	// Win32_TerminalServiceSetting reports them.
	LicensingType              int      `json:"licensing_type"`
	LicensingName              string   `json:"licensing_name"`
	PolicySourceLicensingType  int      `json:"policy_source_licensing_type"`
	PolicySourceLicenseServers int      `json:"policy_source_license_servers"`
	SpecifiedLicenseServers    []string `json:"specified_license_servers"`
	PolicyLicensingMode        *int     `json:"policy_licensing_mode"`
	PolicyLicenseServers       *string  `json:"policy_license_servers"`
	// PolicyLicensingModeGPO and PolicyLicenseServersGPO name the domain
	// GPO that set each policy value, as RSoP records it ("": local
	// policy, or not known).
	PolicyLicensingModeGPO  string         `json:"policy_licensing_mode_gpo"`
	PolicyLicenseServersGPO string         `json:"policy_license_servers_gpo"`
	ConfigLicensingMode     *int           `json:"config_licensing_mode"`
	ConfigLicenseServers    []string       `json:"config_license_servers"`
	GracePeriodDays         *int           `json:"grace_period_days"`
	GracePeriodError        string         `json:"grace_period_error"`
	Connectivity            []Connectivity `json:"connectivity"`
	PartOfDomain            bool           `json:"part_of_domain"`
	Domain                  string         `json:"domain"`
	OSVersion               string         `json:"os_version"`
	ComputerName            string         `json:"computer_name"`
	TermServiceStatus       string         `json:"termservice_status"`
}

// SessionHostLicensingInput sets or clears a session host's licensing.
type SessionHostLicensingInput struct {
	// Method is "group_policy" (the local policy registry values) or "wmi".
	Method         string   `json:"method"`
	LicensingMode  int      `json:"licensing_mode"`
	LicenseServers []string `json:"license_servers"`
	RestartService bool     `json:"restart_service"`
}

// WindowsFacts is what get_windows_facts observed of a host: raw values
// keyed by the probe keys of the facts catalog (winfacts.Fact.Probe), for
// the conformance probe. It never holds codes, IDs or names.
type WindowsFacts struct {
	Observations map[string]string `json:"observations"`
}
