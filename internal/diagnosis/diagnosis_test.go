package diagnosis

import (
	"slices"
	"strings"
	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

func intp(n int) *int       { return &n }
func strp(s string) *string { return &s }

// healthySessionHost is a per-user session host pointed at LS01, in a domain.
func healthySessionHost() rds.SessionHost {
	return rds.SessionHost{RDSHInstalled: true, LicensingType: 4, SpecifiedLicenseServers: []string{"ls01"},
		PartOfDomain: true, OSVersion: "2022", GracePeriodDays: intp(90)}
}

func healthyServer() Server {
	return Server{Name: "ls01", Connectivity: 11, Inspected: true, Server: rds.LicenseServer{ActivationStatus: 0},
		KeyPacks: []rds.KeyPack{
			{KeyPackID: 1, ProductType: 3, BuiltIn: true, TotalLicenses: 4294967295, AvailableLicenses: 4294967295},
			{KeyPackID: 2, ProductType: 1, ProductVersionID: 7, TotalLicenses: 50, AvailableLicenses: 40},
		}}
}

func codes(f []Finding) []string {
	var out []string
	for _, x := range f {
		out = append(out, x.Code)
	}
	return out
}

// perDevice turns the healthy per-user session host and its CALs per
// device.
func perDevice(in *Input) {
	in.SessionHost.LicensingType = 2
	in.Servers[0].KeyPacks[1].ProductType = 0
}

func TestDiagnose(t *testing.T) {
	for _, tc := range []struct {
		name    string
		mutate  func(*Input)
		want    []string
		healthy bool
	}{
		{"healthy", func(*Input) {}, nil, true},
		{"not a session host", func(in *Input) { in.SessionHost.RDSHInstalled = false }, []string{"rdsh_not_installed"}, true},
		{"mode not configured", func(in *Input) { in.SessionHost.LicensingType = 5 }, []string{"licensing_mode_not_configured"}, false},
		{"no license server, domain: discovery", func(in *Input) {
			in.SessionHost.SpecifiedLicenseServers = nil
			in.Servers = nil
		}, []string{"no_license_server"}, true},
		{"no license server, discovery, grace over", func(in *Input) {
			in.SessionHost.SpecifiedLicenseServers = nil
			in.Servers = nil
			in.SessionHost.GracePeriodDays = intp(0)
		}, []string{"no_license_server", "grace_period_over"}, true},
		{"no license server, workgroup", func(in *Input) {
			perDevice(in)
			in.SessionHost.PartOfDomain = false
			in.SessionHost.SpecifiedLicenseServers = nil
			in.Servers = nil
		}, []string{"no_license_server"}, false},
		{"unreachable", func(in *Input) { in.Servers[0].Connectivity = 6 }, []string{"license_server_unreachable"}, false},
		{"older license server", func(in *Input) { in.Servers[0].Connectivity = 4 }, []string{"license_server_older"}, false},
		{"access denied", func(in *Input) { in.Servers[0].Connectivity = 8 }, []string{"license_server_access_denied"}, false},
		{"not activated, per user", func(in *Input) { in.Servers[0].Server.ActivationStatus = 1 }, []string{"license_server_not_activated"}, true},
		{"not activated, per device", func(in *Input) {
			perDevice(in)
			in.Servers[0].Server.ActivationStatus = 1
		}, []string{"license_server_not_activated"}, false},
		// Users connect on temporary CALs: no grace period finding says
		// they cannot.
		{"not activated, per device, grace over", func(in *Input) {
			perDevice(in)
			in.Servers[0].Server.ActivationStatus = 1
			in.SessionHost.GracePeriodDays = intp(0)
		}, []string{"license_server_not_activated"}, false},
		{"not activated, per device, grace ending", func(in *Input) {
			perDevice(in)
			in.Servers[0].Server.ActivationStatus = 1
			in.SessionHost.GracePeriodDays = intp(10)
		}, []string{"license_server_not_activated"}, false},
		{"not inspected", func(in *Input) {
			in.Servers[0].Inspected = false
			in.Servers[0].InspectError = "connection refused"
		}, []string{"license_server_not_inspected"}, true},
		{"not inspected on purpose", func(in *Input) {
			in.Servers[0].Inspected = false
			in.Servers[0].Skipped = true
			in.Servers[0].KeyPacks = nil
		}, nil, true},
		// Per-user CALs are not enforced: shortages are warnings.
		{"type mismatch, per user", func(in *Input) { in.Servers[0].KeyPacks[1].ProductType = 0 }, []string{"cal_type_mismatch"}, true},
		{"no CALs, per user", func(in *Input) { in.Servers[0].KeyPacks = in.Servers[0].KeyPacks[:1] }, []string{"no_cals"}, true},
		{"CAL version too old, per user", func(in *Input) { in.Servers[0].KeyPacks[1].ProductVersionID = 6 }, []string{"cal_version_too_old"}, true},
		{"none available, per user", func(in *Input) { in.Servers[0].KeyPacks[1].AvailableLicenses = 0 }, []string{"no_cals_available"}, true},
		{"type mismatch, per device", func(in *Input) {
			perDevice(in)
			in.Servers[0].KeyPacks[1].ProductType = 1
		}, []string{"cal_type_mismatch"}, false},
		{"no CALs, per device", func(in *Input) {
			perDevice(in)
			in.Servers[0].KeyPacks = in.Servers[0].KeyPacks[:1]
		}, []string{"no_cals"}, false},
		{"CAL version too old, per device", func(in *Input) {
			perDevice(in)
			in.Servers[0].KeyPacks[1].ProductVersionID = 6
		}, []string{"cal_version_too_old"}, false},
		{"none available, per device", func(in *Input) {
			perDevice(in)
			in.Servers[0].KeyPacks[1].AvailableLicenses = 0
		}, []string{"no_cals_available"}, false},
		{"newer CALs serve older hosts", func(in *Input) { in.Servers[0].KeyPacks[1].ProductVersionID = 8 }, nil, true},
		{"few available", func(in *Input) { in.Servers[0].KeyPacks[1].AvailableLicenses = 3 }, []string{"few_cals_available"}, true},
		{"grace period ending, licensing broken", func(in *Input) {
			in.SessionHost.GracePeriodDays = intp(10)
			in.SessionHost.LicensingType = 5
		}, []string{"licensing_mode_not_configured", "grace_period_ending"}, false},
		{"grace period ending, licensing works", func(in *Input) { in.SessionHost.GracePeriodDays = intp(10) }, nil, true},
		{"grace period over", func(in *Input) {
			in.SessionHost.GracePeriodDays = intp(0)
			in.Servers[0].Connectivity = 6
		}, []string{"license_server_unreachable", "grace_period_over"}, false},
		{"per user in a workgroup", func(in *Input) { in.SessionHost.PartOfDomain = false }, []string{"per_user_in_workgroup"}, true},
		{"policy overrides the mode", func(in *Input) {
			in.SessionHost.PolicyLicensingMode = intp(4)
			in.SessionHost.ConfigLicensingMode = intp(2)
		}, []string{"group_policy_overrides_mode"}, true},
		{"policy overrides the servers", func(in *Input) {
			in.SessionHost.PolicyLicenseServers = strp("ls01")
			in.SessionHost.ConfigLicenseServers = []string{"ls02"}
		}, []string{"group_policy_overrides_license_servers"}, true},
		{"policy agrees", func(in *Input) {
			in.SessionHost.PolicyLicenseServers = strp("LS01")
			in.SessionHost.ConfigLicenseServers = []string{"ls01"}
		}, nil, true},
		{"policy agrees, FQDN against short name", func(in *Input) {
			in.SessionHost.PolicyLicenseServers = strp("ls01.contoso.com")
			in.SessionHost.ConfigLicenseServers = []string{"LS01"}
		}, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := Input{Host: "RDSH01", SessionHost: healthySessionHost(), Servers: []Server{healthyServer()}, MinAvailableCALs: 5, GraceWarningDays: 14}
			tc.mutate(&in)
			f := Diagnose(in)
			if got := codes(f); !slices.Equal(got, tc.want) {
				t.Fatalf("findings %v, want %v (%+v)", got, tc.want, f)
			}
			if Healthy(f) != tc.healthy {
				t.Fatalf("healthy = %v, want %v", Healthy(f), tc.healthy)
			}
			for _, x := range f {
				if x.Summary == "" || x.Remedy == "" || x.Severity == "" {
					t.Fatalf("incomplete finding %+v", x)
				}
			}
		})
	}
}

// A per-device session host behind a license server that is not activated:
// the finding says what Windows does (temporary CALs, valid 90 days from
// each device's first sign-in) and where the grace period stands, and no
// finding says users cannot connect.
func TestDiagnoseTemporaryCALs(t *testing.T) {
	for _, tc := range []struct {
		days *int
		want string
	}{
		{intp(0), "The licensing grace period of RDSH01 is over: its users connect on temporary CALs now."},
		{intp(30), "RDSH01 needs no CAL until its licensing grace period ends (in 30 days); then its users connect on temporary CALs."},
		{nil, "since only an activated license server replaces it with a permanent CAL."},
	} {
		in := Input{Host: "RDSH01", SessionHost: healthySessionHost(), Servers: []Server{healthyServer()}, MinAvailableCALs: 5, GraceWarningDays: 14}
		perDevice(&in)
		in.Servers[0].Server.ActivationStatus = 1
		in.SessionHost.GracePeriodDays = tc.days
		f := Diagnose(in)
		if len(f) != 1 || f[0].Severity != SeverityError {
			t.Fatalf("days %v: findings %+v, want one error", tc.days, f)
		}
		for _, w := range []string{"License server ls01 is not activated: it issues only temporary per-device CALs.", "Each device gets one at its first sign-in, valid 90 days, and is refused when it expires", tc.want} {
			if !strings.Contains(f[0].Summary, w) {
				t.Errorf("days %v: summary %q lacks %q", tc.days, f[0].Summary, w)
			}
		}
		if strings.Contains(f[0].Summary, "cannot connect") {
			t.Errorf("days %v: summary %q says users cannot connect", tc.days, f[0].Summary)
		}
	}
}
