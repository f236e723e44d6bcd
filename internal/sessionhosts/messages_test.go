package sessionhosts

import (
	"strings"
	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

func TestConnectivityWarnings(t *testing.T) {
	days := 12
	ws := ConnectivityWarnings(rds.SessionHost{
		ComputerName:    "RDSH01",
		GracePeriodDays: &days,
		Connectivity: []rds.Connectivity{
			{Server: "ls01", Status: 11}, {Server: "ls16", Status: 4}, {Server: "gone", Status: 6}, {Server: "old", Status: 9}, {Server: "q", Status: 0},
		},
	})
	if len(ws) != 2 {
		t.Fatalf("warnings: %v", ws)
	}
	if s, d := ws[0].Summary, ws[0].Detail; s != "License server ls16 unusable from RDSH01" || !strings.Contains(d, "got 4, LOWER_VERSION") || !strings.Contains(d, "grace period ends in 12 days") {
		t.Errorf("warning: %q: %q", s, d)
	}
	if d := ws[1].Detail; !strings.Contains(d, "NOT_CONNECTABLE") || !strings.Contains(d, "TCP 135") {
		t.Errorf("warning: %q", d)
	}
}

func TestOverrideWarning(t *testing.T) {
	o := Override{EffectiveMode: "per_user", PlannedMode: "per_device"}
	if w, ok := OverrideWarning("rdsh01", o); ok {
		t.Errorf("nothing from policy, yet: %q", w.Detail)
	}
	o.Mode = true
	w, ok := OverrideWarning("rdsh01", o)
	if !ok || w.Summary != "Group Policy overrides this resource on rdsh01" ||
		!strings.HasPrefix(w.Detail, "Group Policy sets the licensing mode (per_user, where this resource sets per_device) on rdsh01,") || !strings.Contains(w.Detail, `method = "group_policy"`) {
		t.Errorf("mode: %+v", w)
	}
	o.Servers, o.EffectiveServers = true, []string{"ls01", "ls02"}
	if w, _ := OverrideWarning("rdsh01", o); !strings.Contains(w.Detail, "per_device) and the license servers (ls01, ls02) on rdsh01") {
		t.Errorf("mode and servers: %q", w.Detail)
	}
}

func TestWorkgroupPerUser(t *testing.T) {
	if _, ok := WorkgroupPerUser(4, rds.SessionHost{PartOfDomain: true}); ok {
		t.Error("warned of a domain member")
	}
	if _, ok := WorkgroupPerUser(2, rds.SessionHost{}); ok {
		t.Error("warned of per-device licensing")
	}
	if w, ok := WorkgroupPerUser(4, rds.SessionHost{ComputerName: "RDSH01"}); !ok || !strings.Contains(w.Detail, "RDSH01 is not in a domain") {
		t.Errorf("per user in a workgroup: %+v", w)
	}
}

func TestDomainGPOOverrides(t *testing.T) {
	if _, ok := DomainGPOOverrides("rdsh01", rds.SessionHost{}); ok {
		t.Error("warned without a domain GPO")
	}
	w, ok := DomainGPOOverrides("rdsh01", rds.SessionHost{PolicyLicensingModeGPO: "RDS Licensing"})
	if !ok || w.Summary != "A domain GPO sets the licensing of rdsh01" || !strings.Contains(w.Detail, `the licensing mode (GPO "RDS Licensing") on rdsh01`) {
		t.Errorf("warning: %+v", w)
	}
}
