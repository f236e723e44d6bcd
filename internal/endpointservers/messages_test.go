package endpointservers

import (
	"strings"
	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
)

func attrs(fs []Finding) string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Attr)
	}
	return strings.Join(out, ",")
}

func TestPlanWarnings(t *testing.T) {
	on, off := 1, 0
	member := []string{`CONTOSO\RDSH01$`}
	for _, tc := range []struct {
		name string
		g    Goal
		cur  rds.LicenseServerSecurity
		ch   Change
		want string
	}{
		{"enabling, with a restart", Goal{Want: []string{"RDSH01"}, Enabled: true, Restart: true}, rds.LicenseServerSecurity{Policy: &off, Members: member}, Change{}, "enabled,restart_service"},
		{"enabled already, nothing changes", Goal{Want: []string{"RDSH01"}, Enabled: true, Restart: true}, rds.LicenseServerSecurity{Policy: &on, Members: member}, Change{}, ""},
		{"a member leaves while enabled", Goal{Enabled: true, Exclusive: true}, rds.LicenseServerSecurity{Policy: &on, Members: member}, Change{Remove: member}, "members"},
		{"a member leaves while disabled", Goal{Exclusive: true}, rds.LicenseServerSecurity{Policy: &off, Members: member}, Change{Remove: member}, ""},
		{"policy value missing", Goal{}, rds.LicenseServerSecurity{}, Change{}, ""},
	} {
		if got := attrs(PlanWarnings("ls01", tc.g, tc.cur, tc.ch)); got != tc.want {
			t.Errorf("%s: warnings on %q, want %q", tc.name, got, tc.want)
		}
	}
	empty := PlanWarnings("ls01", Goal{Enabled: true, Exclusive: true}, rds.LicenseServerSecurity{}, Change{})
	if len(empty) != 1 || !strings.Contains(empty[0].Detail, "The group will be empty") {
		t.Errorf("enabling with an empty group: %+v", empty)
	}
}

func TestMemberProblems(t *testing.T) {
	got := MemberProblems([]string{"RDSH01", "rdsh01", "bad name"})
	if len(got) != 2 || got[0].Summary != "Two names for one member" || got[1].Summary != "Invalid member" {
		t.Errorf("MemberProblems = %+v", got)
	}
}

func TestDestroyWarningAndHints(t *testing.T) {
	if w := DestroyWarning("ls01", []string{"RDSH01"}, true); !strings.Contains(w.Detail, "removes RDSH01") {
		t.Errorf("DestroyWarning(remove) = %q", w.Detail)
	}
	if w := DestroyWarning("ls01", []string{"RDSH01"}, false); !strings.Contains(w.Detail, "stay") {
		t.Errorf("DestroyWarning(keep) = %q", w.Detail)
	}
	if attr, hint := WriteHint(&winrmclient.Error{Kind: winrmclient.KindNotFound}); attr != "members" || hint == "" {
		t.Errorf("WriteHint(not_found) = %q, %q", attr, hint)
	}
	if attr, hint := WriteHint(&winrmclient.Error{Kind: rds.KindRoleMissing}); attr != "" || !strings.Contains(hint, "rdslicensing_role") {
		t.Errorf("WriteHint(role_missing) = %q, %q", attr, hint)
	}
}
