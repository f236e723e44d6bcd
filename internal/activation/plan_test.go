package activation

import (
	"strings"
	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

func TestPlanned(t *testing.T) {
	activated, deactivated := &Known{Activated: true}, &Known{}
	for _, tc := range []struct {
		name                 string
		want                 rds.Value
		prior                *Known
		activate, deactivate bool
	}{
		{"create", rds.Known("true"), nil, true, false},
		{"create deactivated", rds.Known("false"), nil, false, true},
		{"found deactivated", rds.Known("true"), deactivated, true, false},
		{"already activated", rds.Known("true"), activated, false, false},
		{"deactivate", rds.Known("false"), activated, false, true},
		{"already deactivated", rds.Known("false"), deactivated, false, false},
		{"unknown", rds.Unknown, activated, false, false},
	} {
		a, d := Planned(Plan{Activated: tc.want}, tc.prior)
		if a != tc.activate || d != tc.deactivate {
			t.Errorf("%s: Planned = %v, %v; want %v, %v", tc.name, a, d, tc.activate, tc.deactivate)
		}
	}
}

func TestTriggered(t *testing.T) {
	prior := Known{Trigger: rds.Known("a")}
	for _, tc := range []struct {
		trigger rds.Value
		want    bool
	}{{rds.Known("a"), false}, {rds.Known("b"), true}, {rds.Unknown, true}, {rds.Value{}, false}} {
		if got := Triggered(Plan{Trigger: tc.trigger}, prior); got != tc.want {
			t.Errorf("Triggered(%+v) = %v, want %v", tc.trigger, got, tc.want)
		}
	}
	if !Triggered(Plan{Trigger: rds.Known("a")}, Known{}) {
		t.Error("a first trigger does not trigger")
	}
}

func TestTriggerProblemSaysHowToGoBack(t *testing.T) {
	if p := TriggerProblem(rds.Known("2026-01")); p.Attr != "reactivation_trigger" || !strings.HasSuffix(p.Detail, `back to "2026-01".`) {
		t.Errorf("TriggerProblem = %+v", p)
	}
	if p := TriggerProblem(rds.Value{}); !strings.HasSuffix(p.Detail, "back to null (remove it).") {
		t.Errorf("TriggerProblem(null) = %+v", p)
	}
}

func TestGoalOf(t *testing.T) {
	p := Plan{Activated: rds.Known("true"), Trigger: rds.Known("b"), DiscoveryScope: rds.Known("domain"), Group: rds.Known("false"),
		Method: MethodLicenseServerID, Reason: ReactivationReasons[1]}
	prior := &Known{Activated: true, Trigger: rds.Known("a"), LicenseServerID: "bcdfg-hjkmp", ProductID: "00490-92005-99454-AT527"}
	g := GoalOf(p, prior, rds.Contact{FirstName: "Ada"}, "bcdfg hjkmq")
	if g.LicenseServerID != "BCDFGHJKMQ" || g.Activate || g.Deactivate || !g.Triggered || g.Reason != 1 ||
		g.DiscoveryScope != ScopeRole("domain") || g.Group == nil || *g.Group || g.Prior == nil || g.Prior.LicenseServerID != "BCDFGHJKMP" {
		t.Errorf("GoalOf = %+v", g)
	}
	g = GoalOf(Plan{Activated: rds.Known("true"), Method: MethodAutomatic, DiscoveryScope: rds.Unknown, Group: rds.Unknown}, nil, rds.Contact{}, "ignored")
	if g.LicenseServerID != "" || !g.Activate || g.Prior != nil || g.DiscoveryScope != -1 || g.Group != nil {
		t.Errorf("GoalOf(create, automatic) = %+v", g)
	}
}

func TestPastIDAndDomainAsked(t *testing.T) {
	prior := Known{LicenseServerID: "BCDFG-HJKMP", ProductID: "00490"}
	p := Plan{Method: MethodLicenseServerID, ConfiguredID: rds.Known("bcdfghjkmp"), ConfiguredAttr: "license_server_id_wo"}
	if w, ok := PastID("ls01", p, prior); !ok || w.Attr != "license_server_id_wo" || !strings.Contains(w.Detail, "00490") {
		t.Errorf("PastID(same ID) = %+v, %v", w, ok)
	}
	p.ConfiguredID = rds.Known("BCDFGHJKMQ")
	if _, ok := PastID("ls01", p, prior); ok {
		t.Error("warned of a new ID")
	}
	if scope, group := DomainAsked(Plan{DiscoveryScope: rds.Known("forest"), Group: rds.Known("true")}, nil); scope != "forest" || !group {
		t.Errorf("DomainAsked(create) = %q, %v", scope, group)
	}
	if scope, group := DomainAsked(Plan{DiscoveryScope: rds.Known("forest"), Group: rds.Known("true")}, &Known{DiscoveryScope: "forest", Group: true}); scope != "" || group {
		t.Errorf("DomainAsked(nothing new) = %q, %v", scope, group)
	}
	if scope, _ := DomainAsked(Plan{DiscoveryScope: rds.Known(DiscoveryScopes[0])}, nil); scope != "" {
		t.Errorf("DomainAsked(workgroup) = %q", scope)
	}
}
