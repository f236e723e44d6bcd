package provider

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/sessionhosts"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// restart_service = true (the default) restarts TermService, which
// disconnects users: the plan says so, through the real CLI, exactly when
// apply (or destroy) will restart it, and the host's restart count agrees.
func TestAccSessionHostPolicyWarnsOfRestart(t *testing.T) {
	fresh := winsim.NewSessionHost("RDSH01", "2022", "contoso.com", graceEnds())
	held := winsim.NewSessionHost("RDSH02", "2022", "contoso.com", graceEnds())
	held.SessionHost.PolicyLicensingMode = intp(4)
	held.SessionHost.PolicyLicenseServers = strp("ls01.contoso.com")
	manual := winsim.NewSessionHost("RDSH03", "2022", "contoso.com", graceEnds())
	e := newAccEnv(t, fresh, held, manual)
	r := newCLIRun(t, e, "", nil)
	write := func(mode1, restart1, mode3 string) {
		t.Helper()
		cfg := strings.Replace(e.Config(`
resource "rdslicensing_session_host_policy" "fresh" {
  host            = "`+e.Addr("RDSH01")+`"
  licensing_mode  = "`+mode1+`"
  license_servers = ["ls01.contoso.com"]
  restart_service = `+restart1+`
}

# Already configured so by hand (names compare without case): creating it
# writes nothing.
resource "rdslicensing_session_host_policy" "held" {
  host            = "`+e.Addr("RDSH02")+`"
  licensing_mode  = "per_user"
  license_servers = ["LS01.contoso.com"]
}

resource "rdslicensing_session_host_policy" "manual" {
  host            = "`+e.Addr("RDSH03")+`"
  licensing_mode  = "`+mode3+`"
  license_servers = ["ls01.contoso.com"]
  restart_service = false
}
`), "registry.terraform.io/rdslicensing/rdslicensing", "rdslicensing/rdslicensing", 1)
		if err := os.WriteFile(filepath.Join(r.dir, "main.tf"), []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	warning := func(host string) string {
		return "Warning: Apply restarts Remote Desktop Services on " + e.Addr(host) + ", disconnecting its users"
	}
	// check asserts which hosts the output warns of, and the restart counts.
	check := func(what, out string, warned map[string]bool, restarts map[string]int) {
		t.Helper()
		flat := strings.Join(strings.Fields(out), " ")
		for _, h := range []string{"RDSH01", "RDSH02", "RDSH03"} {
			if got := strings.Contains(flat, warning(h)); got != warned[h] {
				t.Errorf("%s: warns of a restart of %s: %v, want %v:\n%s", what, h, got, warned[h], out)
			}
			if n, ok := restarts[h]; ok {
				if got := e.Host(h).State().SessionHost.TermServiceRestarts; got != n {
					t.Errorf("%s: TermService restarted %d times on %s, want %d", what, got, h, n)
				}
			}
		}
	}

	write("per_user", "true", "per_user")
	plan := r.run("plan")
	check("plan of the creation", plan, map[string]bool{"RDSH01": true}, map[string]int{"RDSH01": 0, "RDSH02": 0, "RDSH03": 0})
	for _, w := range []string{"disconnects every user of " + e.Addr("RDSH01"), "set restart_service = false to leave the restart to you"} {
		if !strings.Contains(strings.Join(strings.Fields(plan), " "), w) {
			t.Errorf("plan does not say %q:\n%s", w, plan)
		}
	}
	check("apply of the creation", r.run("apply", "-auto-approve"), map[string]bool{"RDSH01": true}, map[string]int{"RDSH01": 1, "RDSH02": 0, "RDSH03": 0})

	out := r.run("plan", "-detailed-exitcode")
	if !strings.Contains(out, "No changes") {
		t.Fatalf("second plan is not empty:\n%s", out)
	}
	check("plan without changes", out, nil, nil)

	// A change: the restarting resource warns, the other does not.
	write("per_device", "true", "per_device")
	check("plan of a change", r.run("plan"), map[string]bool{"RDSH01": true}, nil)
	check("apply of a change", r.run("apply", "-auto-approve"), map[string]bool{"RDSH01": true}, map[string]int{"RDSH01": 2, "RDSH03": 0})

	// restart_service alone changes nothing on the host.
	write("per_device", "false", "per_device")
	check("plan of restart_service = false", r.run("plan"), nil, nil)
	check("apply of restart_service = false", r.run("apply", "-auto-approve"), nil, map[string]int{"RDSH01": 2})

	// Destroy restarts where restart_service is true: RDSH02 only.
	check("destroy", r.run("destroy", "-auto-approve"), map[string]bool{"RDSH02": true}, map[string]int{"RDSH01": 2, "RDSH02": 1, "RDSH03": 0})
}

// settingsHeld compares as the scripts do: names without case, a
// short name is not its FQDN, an empty list matches only no policy value.
func TestPlannedSettingsHeld(t *testing.T) {
	ctx := context.Background()
	model := func(method, mode string, servers ...string) *sessionHostPolicyModel {
		return &sessionHostPolicyModel{Method: types.StringValue(method), LicensingMode: types.StringValue(mode), LicenseServers: serverNameList(servers)}
	}
	for _, tc := range []struct {
		name string
		plan *sessionHostPolicyModel
		sh   rds.SessionHost
		want bool
	}{
		{"policy held", model(sessionhosts.MethodGroupPolicy, "per_user", "LS01.contoso.com"), rds.SessionHost{PolicyLicensingMode: intp(4), PolicyLicenseServers: strp("ls01.contoso.com")}, true},
		{"short name over FQDN", model(sessionhosts.MethodGroupPolicy, "per_user", "LS01"), rds.SessionHost{PolicyLicensingMode: intp(4), PolicyLicenseServers: strp("ls01.contoso.com")}, false},
		{"other mode", model(sessionhosts.MethodGroupPolicy, "per_device", "ls01"), rds.SessionHost{PolicyLicensingMode: intp(4), PolicyLicenseServers: strp("ls01")}, false},
		{"no policy", model(sessionhosts.MethodGroupPolicy, "per_user"), rds.SessionHost{}, false},
		{"no list, none set", model(sessionhosts.MethodGroupPolicy, "per_user"), rds.SessionHost{PolicyLicensingMode: intp(4)}, true},
		{"no list, one set", model(sessionhosts.MethodGroupPolicy, "per_user"), rds.SessionHost{PolicyLicensingMode: intp(4), PolicyLicenseServers: strp("ls01")}, false},
		{"order matters", model(sessionhosts.MethodGroupPolicy, "per_user", "ls02", "ls01"), rds.SessionHost{PolicyLicensingMode: intp(4), PolicyLicenseServers: strp("ls01,ls02")}, false},
		{"wmi held", model(sessionhosts.MethodWMI, "per_device", "LS01"), rds.SessionHost{LicensingType: 2, ConfigLicenseServers: []string{"ls01"}}, true},
		{"wmi other list", model(sessionhosts.MethodWMI, "per_device", "ls01"), rds.SessionHost{LicensingType: 2}, false},
		{"wmi ignores policy values", model(sessionhosts.MethodWMI, "per_user"), rds.SessionHost{LicensingType: 5, PolicyLicensingMode: intp(4)}, false},
	} {
		if got := tc.plan.settingsHeld(ctx, tc.sh); got != tc.want {
			t.Errorf("%s: settingsHeld = %v, want %v", tc.name, got, tc.want)
		}
	}
	unknown := model(sessionhosts.MethodGroupPolicy, "per_user")
	unknown.LicenseServers = types.ListUnknown(serverNameType{})
	if unknown.settingsHeld(ctx, rds.SessionHost{PolicyLicensingMode: intp(4)}) {
		t.Error("unknown license servers count as held")
	}
}
