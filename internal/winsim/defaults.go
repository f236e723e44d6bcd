package winsim

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strings"
	"time"
)

// DefaultPassword is the password of the Administrator account winsim
// gives hosts that list no users.
const DefaultPassword = "Winsim-P@ssw0rd"

// RealisticTiming is how slow a real server on a LAN is: powershell.exe
// takes about 0.6 s to start, WinRS about 0.1 s to create a shell.
var RealisticTiming = Realism{
	LatencyMS:         1,
	ShellCreateMS:     100,
	PowerShellStartMS: 600,
	OperationMS:       50,
	ReceivePollMS:     20000,
	RebootMS:          30000,
	FeatureInstallMS:  20000,
}

// WarmTiming is RealisticTiming as a client would meet it if it reattached
// to a shell and powershell.exe that an earlier run left open: no shell to
// create, no process to start. Benchmarks use it as the best case of
// keeping processes across runs (docs/design/performance.md).
var WarmTiming = func() Realism {
	r := RealisticTiming
	r.ShellCreateMS, r.PowerShellStartMS = 0, 0
	return r
}()

// FastTiming is for tests: no simulated delays, short long-polls.
var FastTiming = Realism{ReceivePollMS: 2000, RebootMS: 300}

// DefaultQuirks are the best guesses for the behaviour the catalog (internal/winfacts) marks unverified.
var DefaultQuirks = Quirks{
	ProductVersion2022:           7,
	ProductVersion2025:           8,
	PolicyWriteCode:              WBEMInvalidOperation,
	ClearinghouseUnreachableCode: WBEMNotAvailable,
	InvalidCodeCode:              WBEMInvalidParameter,
	CodeAlreadyUsedCode:          WBEMAlreadyExists,
	NotActivatedCode:             WBEMFailed,
	VersionTooNewCode:            WBEMInvalidParameter,
	RevokeLimitCode:              WBEMFailed,
	StderrBOM:                    true,
	ProgressNoise:                true,
}

// DefaultWinRM is the WinRM configuration of a Server 2016+ host after
// Enable-PSRemoting with an HTTPS listener and Basic enabled.
var DefaultWinRM = WinRMConfig{
	HTTP:                           true,
	HTTPS:                          true,
	Basic:                          true,
	Negotiate:                      true,
	Kerberos:                       true,
	CbtHardeningLevel:              CbtRelaxed,
	AllowUnencrypted:               false,
	MaxEnvelopeSizeKB:              500,
	MaxTimeoutMS:                   60000,
	MaxShellsPerUser:               2147483647,
	MaxConcurrentOperationsPerUser: 1500,
	IdleTimeoutMS:                  7200000,
}

// withDefaults fills in what a scenario leaves out but the address, which
// the fleet gives (Sim.hostAddress).
func withDefaults(st HostState) HostState {
	if st.OS == "" {
		st.OS = "2022"
	}
	if st.Domain == "" && st.Workgroup == "" {
		st.Workgroup = "WORKGROUP"
	}
	if len(st.Users) == 0 {
		st.Users = []User{{Name: "Administrator", Password: DefaultPassword, Admin: true}}
	}
	if st.Features == nil {
		st.Features = map[string]string{}
	}
	if st.Services == nil {
		st.Services = map[string]Service{}
	}
	if st.WinRM == (WinRMConfig{}) {
		st.WinRM = DefaultWinRM
	}
	if st.Quirks == (Quirks{}) {
		st.Quirks = DefaultQuirks
	}
	if st.LicenseServer.ProductID == "" {
		st.LicenseServer.ProductID = productID(st.Name)
	}
	if st.LicenseServer.NextKeyPackID == 0 {
		st.LicenseServer.NextKeyPackID = builtInKeyPackID + 1
	}
	if st.SessionHost.ConfigLicensingMode == 0 {
		st.SessionHost.ConfigLicensingMode = 5
	}
	if st.BootTime.IsZero() {
		st.BootTime = time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	}
	return st
}

// productID derives a stable license server product ID from the host name,
// in the 5-5-5-5 form Windows shows (the exact format is unverified).
func productID(name string) string {
	sum := sha256.Sum256([]byte("winsim-product-id:" + strings.ToUpper(name)))
	parts := make([]string, 4)
	for i := range parts {
		parts[i] = fmt.Sprintf("%05d", binary.BigEndian.Uint32(sum[i*4:])%100000)
	}
	return strings.Join(parts, "-")
}

// LicenseServerIDFor is the 35-character license server ID the
// Clearinghouse web site (or phone line) gives for a product ID: what a
// user types into the license_server_id activation method.
func LicenseServerIDFor(productID string) string {
	return clearinghouseCode("license-server-id:"+productID, 35)
}

// clearinghouseCode makes deterministic upper-case alphanumeric codes.
func clearinghouseCode(seed string, n int) string {
	const alphabet = "BCDFGHJKMPQRTVWXY2346789" // the alphabet of Microsoft product keys
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		sum := sha256.Sum256([]byte(fmt.Sprintf("%s#%d", seed, i)))
		for _, c := range sum {
			if b.Len() == n {
				break
			}
			b.WriteByte(alphabet[int(c)%len(alphabet)])
		}
	}
	return b.String()
}

// NewHost is a Windows Server with every default filled in (WinRM
// configuration, quirks, the Administrator account), so that callers can
// change single fields. The address is given when the host joins a fleet.
func NewHost(name, os, domain string) HostState {
	return withDefaults(HostState{Name: name, OS: os, Domain: domain, Internet: true, Realism: FastTiming})
}

// NewLicenseServerHost is a Windows Server with RD Licensing installed but
// not activated, as after Install-WindowsFeature RDS-Licensing.
func NewLicenseServerHost(name, os, domain string) HostState {
	st := NewHost(name, os, domain)
	InstallLicensingRole(&st)
	return st
}

// NewSessionHost is a Windows Server with the RD Session Host role, in
// its grace period, with licensing not configured.
func NewSessionHost(name, os, domain string, graceEnds time.Time) HostState {
	st := NewHost(name, os, domain)
	st.Features[FeatureSessionHost] = StateInstalled
	st.Services[ServiceTerminalServices] = Service{Status: "Running", StartType: "Manual"}
	st.SessionHost.ConfigLicensingMode = 5
	st.SessionHost.GracePeriodEnds = &graceEnds
	return st
}

// InstallLicensingRole puts a host in the state Install-WindowsFeature
// RDS-Licensing -IncludeManagementTools leaves it: the role, its tools,
// the service, and the built-in per-device key pack.
func InstallLicensingRole(st *HostState) {
	ensureFeatureMaps(st)
	st.Features[FeatureLicensing] = StateInstalled
	st.Features[FeatureLicensingUI] = StateInstalled
	st.Features[FeatureLicensingDiag] = StateInstalled
	st.Features[FeatureRDSTools] = StateInstalled
	st.Services[ServiceLicensing] = Service{Status: "Running", StartType: "Automatic"}
	ensureBuiltInKeyPack(st)
}

// ensureBuiltInKeyPack adds the built-in per-device pack every license
// server starts with, as two captures of Win32_TSLicenseKeyPack on real
// servers show it (internal/winfacts, value:BuiltInKeyPack.*), but for its
// KeyPackId (see builtInKeyPackID).
func ensureBuiltInKeyPack(st *HostState) {
	for _, kp := range st.LicenseServer.KeyPacks {
		if kp.ProductType == 3 {
			return
		}
	}
	st.LicenseServer.KeyPacks = append(st.LicenseServer.KeyPacks, KeyPackState{
		KeyPackID:        builtInKeyPackID,
		KeyPackType:      6,
		ProductType:      3,
		ProductVersionID: 0,
		TotalLicenses:    BuiltInKeyPackLicense,
		ExpirationDate:   time.Date(2035, 12, 31, 23, 0, 0, 0, time.UTC),
		Description:      "A02-5.00-EX",
	})
	if st.LicenseServer.NextKeyPackID <= builtInKeyPackID {
		st.LicenseServer.NextKeyPackID = builtInKeyPackID + 1
	}
}
