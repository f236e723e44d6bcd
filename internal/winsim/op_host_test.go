package winsim

import (
	"reflect"
	"strings"
	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

func TestGetHostInfoWorkgroupServer(t *testing.T) {
	s := newTestSim(t, Scenario{Hosts: []HostState{NewLicenseServerHost("LS01", "2022", "")}})
	var got rds.HostInfo
	if err := runOp(t, s.Host("LS01"), testAdmin, "get_host_info", rds.NoInput{}, &got); err != nil {
		t.Fatalf("get_host_info: %v", err)
	}
	want := rds.HostInfo{
		ComputerName:      "LS01",
		DNSHostName:       "ls01",
		Domain:            "WORKGROUP",
		PartOfDomain:      false,
		DomainRole:        2,
		OSCaption:         "Microsoft Windows Server 2022 Datacenter",
		OSBuild:           "10.0.20348",
		OSVersion:         "2022",
		PowerShellVersion: "5.1.20348.1",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("get_host_info:\n got %+v\nwant %+v", got, want)
	}
}

func TestGetHostInfoDomainRoles(t *testing.T) {
	dc1 := HostState{Name: "DC1", OS: "2019", Domain: "contoso.com", DomainController: true}
	dc2 := HostState{Name: "DC2", OS: "2019", Domain: "contoso.com", DomainController: true}
	other := HostState{Name: "DC9", OS: "2019", Domain: "fabrikam.com", DomainController: true}
	member := NewLicenseServerHost("LS01", "2025", "contoso.com")
	wg := HostState{Name: "WS01", OS: "2016", Workgroup: "LAB"}
	s := newTestSim(t, Scenario{Hosts: []HostState{dc1, dc2, other, member, wg}})
	cases := []struct {
		host, dns, domain string
		part              bool
		role              int
		caption, build    string
	}{
		{"DC1", "dc1.contoso.com", "contoso.com", true, 5, "Microsoft Windows Server 2019 Datacenter", "10.0.17763"},
		{"DC2", "dc2.contoso.com", "contoso.com", true, 4, "Microsoft Windows Server 2019 Datacenter", "10.0.17763"},
		{"DC9", "dc9.fabrikam.com", "fabrikam.com", true, 5, "Microsoft Windows Server 2019 Datacenter", "10.0.17763"},
		{"LS01", "ls01.contoso.com", "contoso.com", true, 3, "Microsoft Windows Server 2025 Datacenter", "10.0.26100"},
		{"WS01", "ws01", "LAB", false, 2, "Microsoft Windows Server 2016 Datacenter", "10.0.14393"},
	}
	for _, c := range cases {
		var got rds.HostInfo
		if err := runOp(t, s.Host(c.host), testAdmin, "get_host_info", rds.NoInput{}, &got); err != nil {
			t.Fatalf("%s: get_host_info: %v", c.host, err)
		}
		if got.ComputerName != c.host || got.DNSHostName != c.dns || got.Domain != c.domain ||
			got.PartOfDomain != c.part || got.DomainRole != c.role || got.OSCaption != c.caption || got.OSBuild != c.build {
			t.Errorf("%s: got %+v", c.host, got)
		}
		if wantPS := "5.1." + strings.TrimPrefix(c.build, "10.0.") + ".1"; got.PowerShellVersion != wantPS {
			t.Errorf("%s: powershell_version %q, want %q", c.host, got.PowerShellVersion, wantPS)
		}
	}
}

// Every operation of this family refuses a caller who is not a local
// administrator, before the script runs (the prelude's check).
func TestHostRoleActivationOpsNeedAdministrator(t *testing.T) {
	s := newTestSim(t, Scenario{Hosts: []HostState{NewLicenseServerHost("LS01", "2022", "contoso.com")}})
	h := s.Host("LS01")
	before := h.State()
	user := User{Name: "bob", Domain: "contoso.com", RemoteManagement: true, DomainAdmin: true}
	ops := map[string]any{
		"get_host_info":              rds.NoInput{},
		"get_role":                   rds.NoInput{},
		"install_role":               rds.RoleInput{IncludeManagementTools: true},
		"uninstall_role":             rds.RoleInput{IncludeManagementTools: true},
		"restart_computer":           rds.RestartInput{DelaySeconds: 10},
		"get_license_server":         rds.NoInput{},
		"set_license_server_contact": rds.Contact{FirstName: "Ada"},
		"activate_license_server":    rds.ActivationInput{Method: "automatic"},
		"reactivate_license_server":  rds.ActivationInput{Method: "automatic"},
		"deactivate_license_server":  rds.ActivationInput{Method: "automatic"},
		"set_discovery_scope":        rds.ScopeInput{ServerRole: 1},
		"set_tsls_group_membership":  rds.GroupInput{Member: true},
	}
	for name, in := range ops {
		err := runOp(t, h, user, name, in, nil)
		if err == nil || err.Kind != "access_denied" {
			t.Errorf("%s as non-admin: got %v, want access_denied", name, err)
			continue
		}
		if !strings.Contains(err.Message, `CONTOSO\bob is not a member of the local Administrators group on LS01`) {
			t.Errorf("%s: message %q", name, err.Message)
		}
	}
	if !reflect.DeepEqual(h.State(), before) {
		t.Errorf("a refused operation changed the host")
	}
}

// Account names as Windows shows them: WindowsIdentity.Name keeps the
// domain's NetBIOS name (the user's domain, not the host's) or the
// computer name in upper case; whoami prints the same in lower case.
func TestAccountNames(t *testing.T) {
	st := NewHost("ls01", "2022", "contoso.com")
	for _, tc := range []struct {
		u           User
		name, whoam string
	}{
		{User{Name: "Administrator"}, `LS01\Administrator`, `ls01\administrator`},
		{User{Name: "alice", Domain: "contoso.com"}, `CONTOSO\alice`, `contoso\alice`},
		{User{Name: "bob", Domain: "fabrikam.example"}, `FABRIKAM\bob`, `fabrikam\bob`},
	} {
		if got := accountName(&st, tc.u); got != tc.name {
			t.Errorf("accountName(%+v) = %q, want %q", tc.u, got, tc.name)
		}
		if got := whoami(&st, tc.u); got != tc.whoam {
			t.Errorf("whoami(%+v) = %q, want %q", tc.u, got, tc.whoam)
		}
	}
}
