package activation

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

func TestConfigProblems(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    Config
		want string // the problems' attributes
	}{
		{"automatic, nothing else", Config{Method: MethodAutomatic, MethodKnown: true}, "[]"},
		{"both IDs", Config{Method: MethodLicenseServerID, MethodKnown: true, LicenseServerID: true, LicenseServerIDWO: true, WOVersion: true}, "[license_server_id_wo]"},
		{"write-only without its version", Config{Method: MethodLicenseServerID, MethodKnown: true, LicenseServerIDWO: true}, "[license_server_id_wo_version]"},
		{"version alone", Config{Method: MethodLicenseServerID, MethodKnown: true, LicenseServerID: true, WOVersion: true}, "[license_server_id_wo_version]"},
		{"license_server_id method without an ID", Config{Method: MethodLicenseServerID, MethodKnown: true}, "[method]"},
		{"an ID with automatic", Config{MethodKnown: true, LicenseServerID: true}, "[license_server_id]"},
		{"an ID with a method not known yet", Config{LicenseServerID: true}, "[]"},
		{"trigger without reason", Config{Method: MethodAutomatic, MethodKnown: true, ReactivationTrigger: true}, "[reactivation_reason]"},
		{"reason without trigger", Config{Method: MethodAutomatic, MethodKnown: true, ReactivationReason: true}, "[reactivation_trigger]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var attrs []string
			for _, p := range ConfigProblems(tc.c) {
				attrs = append(attrs, p.Attr)
			}
			if got := fmt.Sprint(attrs); got != tc.want {
				t.Fatalf("problems on %s, want %s", got, tc.want)
			}
		})
	}
}

func TestPlanTimeMessages(t *testing.T) {
	if p := PastIDWarning("ls01", "license_server_id_wo", "PID"); !strings.Contains(p.Detail, "change license_server_id_wo_version") || !strings.Contains(p.Detail, "product ID PID") {
		t.Fatalf("past ID warning: %q", p.Detail)
	}
	if p := DeactivationWarning("ls01", MethodLicenseServerID, &Prior{ProductID: "PID"}); p.Summary != "The license server on ls01 will be deactivated" || !strings.HasSuffix(p.Detail, "product ID PID.") {
		t.Fatalf("deactivation warning: %+v", p)
	}
	if p := DeactivationWarning("ls01", MethodAutomatic, nil); p.Summary != "A new activation of ls01 with activated = false" || strings.Contains(p.Detail, "product ID") {
		t.Fatalf("deactivation warning on create: %+v", p)
	}
	ps := DomainProblems(rds.HostInfo{ComputerName: "LS01", Domain: "WORKGROUP"}, "forest", true)
	if len(ps) != 2 || !strings.Contains(ps[0].Detail, "to 2 (forest)") || ps[1].Attr != "add_to_license_servers_group" {
		t.Fatalf("domain problems: %+v", ps)
	}
}
