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
