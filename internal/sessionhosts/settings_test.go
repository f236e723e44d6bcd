package sessionhosts

import (
	"strings"
	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

func intp(i int) *int       { return &i }
func strp(s string) *string { return &s }

func TestSourceSettings(t *testing.T) {
	sh := rds.SessionHost{
		PolicyLicensingMode:  intp(4),
		PolicyLicenseServers: strp(" ls01.contoso.com, ,LS02 "),
		ConfigLicensingMode:  intp(2),
		ConfigLicenseServers: []string{"ls09"},
	}
	for _, c := range []struct {
		name    string
		sh      rds.SessionHost
		method  string
		mode    string
		servers []string
		ok      bool
	}{
		{"policy", sh, "group_policy", "per_user", []string{"ls01.contoso.com", "LS02"}, true},
		{"wmi", sh, "wmi", "per_device", []string{"ls09"}, true},
		{"policy servers only", rds.SessionHost{PolicyLicenseServers: strp("ls01")}, "group_policy", "not_configured", []string{"ls01"}, true},
		{"policy mode only", rds.SessionHost{PolicyLicensingMode: intp(6)}, "group_policy", "aad_per_user", nil, true},
		{"empty policy value", rds.SessionHost{PolicyLicenseServers: strp(" , ")}, "group_policy", "", nil, false},
		{"no policy", rds.SessionHost{ConfigLicensingMode: intp(2)}, "group_policy", "", nil, false},
		{"wmi not configured", rds.SessionHost{ConfigLicensingMode: intp(5), PolicyLicensingMode: intp(2)}, "wmi", "", nil, false},
		{"wmi value missing", rds.SessionHost{}, "wmi", "", nil, false},
		{"wmi servers only", rds.SessionHost{ConfigLicensingMode: intp(5), ConfigLicenseServers: []string{"ls01"}}, "wmi", "not_configured", []string{"ls01"}, true},
	} {
		mode, servers, ok := SourceSettings(c.sh, c.method)
		if ok != c.ok || mode != c.mode || strings.Join(servers, "|") != strings.Join(c.servers, "|") {
			t.Errorf("%s: got %q %q %v, want %q %q %v", c.name, mode, servers, ok, c.mode, c.servers, c.ok)
		}
	}
	if m := InferMethod(sh); m != "group_policy" {
		t.Errorf("policy values present: inferred %s", m)
	}
	if m := InferMethod(rds.SessionHost{ConfigLicensingMode: intp(2), PolicyLicenseServers: strp("")}); m != "wmi" {
		t.Errorf("only WMI values: inferred %s", m)
	}
}

func TestPolicyControlDetail(t *testing.T) {
	if d := PolicyControlDetail(rds.SessionHost{ComputerName: "RDSH01", PolicyLicenseServers: strp("x")}); d != "" {
		t.Errorf("no policy source, yet: %q", d)
	}
	for _, c := range []struct {
		sh   rds.SessionHost
		want []string
	}{
		{rds.SessionHost{ComputerName: "RDSH01", PolicySourceLicensingType: 1, PolicyLicensingMode: intp(2)},
			[]string{"cannot set the licensing mode of RDSH01: Group Policy sets it", `Terminal Services\LicensingMode = 2)`, `Use method = "group_policy"`, "gpedit.msc: Computer Configuration"}},
		{rds.SessionHost{ComputerName: "RDSH01", PolicySourceLicenseServers: 1, PolicyLicenseServers: strp("ls01,ls02")},
			[]string{"cannot set the license server list of RDSH01: Group Policy sets it", `LicenseServers = "ls01,ls02"`}},
		{rds.SessionHost{ComputerName: "RDSH01", PolicySourceLicensingType: 1, PolicySourceLicenseServers: 1},
			[]string{"licensing mode and the license server list of RDSH01: Group Policy sets them", "LicensingMode = unreadable", `LicenseServers = "unreadable"`}},
	} {
		d := PolicyControlDetail(c.sh)
		for _, w := range c.want {
			if !strings.Contains(d, w) {
				t.Errorf("detail %q does not contain %q", d, w)
			}
		}
	}
}
