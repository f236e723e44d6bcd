package activation

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
)

func TestConverge(t *testing.T) {
	yes, no := true, false
	ok := answer{result: rds.Empty{}}
	inDomain := func(status, role int) answer {
		return answer{result: rds.LicenseServer{ActivationStatus: status, ServerRole: role, PartOfDomain: true, InTSLSGroup: &no}}
	}
	for _, tc := range []struct {
		name    string
		goal    Goal
		answers map[string][]answer
		wantRan []string
		// wantFail: "" for success, else the Failure's Attr:Summary prefix.
		wantFail  string
		wantSpent bool
	}{
		{name: "activate, set scope and group",
			goal: Goal{Method: MethodAutomatic, Activated: true, Activate: true, DiscoveryScope: 1, Group: &yes},
			answers: map[string][]answer{"set_license_server_contact": {ok}, "activate_license_server": {{result: rds.ActivationResult{Changed: true}}},
				"get_license_server": {inDomain(0, 0)}, "set_discovery_scope": {{result: rds.ScopeResult{ServerRole: 1}}}, "set_tsls_group_membership": {{result: rds.GroupResult{Member: true}}}},
			wantRan: []string{"set_license_server_contact", "activate_license_server", "get_license_server", "set_discovery_scope", "set_tsls_group_membership"}},
		{name: "nothing to change",
			goal:    Goal{Method: MethodAutomatic, Activated: true, DiscoveryScope: 0, Group: &no, Prior: &Prior{LicenseServerID: "ID"}},
			answers: map[string][]answer{"set_license_server_contact": {ok}, "get_license_server": {inDomain(0, 0)}},
			wantRan: []string{"set_license_server_contact", "get_license_server"}},
		{name: "a bad country is the attribute's",
			goal:     Goal{Activated: true, Activate: true},
			answers:  map[string][]answer{"set_license_server_contact": {{err: &winrmclient.Error{Kind: winrmclient.KindInvalidInput, Message: "CountryRegion 'Narnia' is not one Windows knows"}}}},
			wantRan:  []string{"set_license_server_contact"},
			wantFail: "country_region:Invalid country_region"},
		{name: "still not activated after activating",
			goal:     Goal{Method: MethodAutomatic, Activated: true, Activate: true, DiscoveryScope: -1},
			answers:  map[string][]answer{"set_license_server_contact": {ok}, "activate_license_server": {{result: rds.ActivationResult{Changed: true}}}, "get_license_server": {inDomain(1, 0)}},
			wantRan:  []string{"set_license_server_contact", "activate_license_server", "get_license_server"},
			wantFail: ":Cannot activate the license server on ls01"},
		{name: "deactivate",
			goal:    Goal{Deactivate: true, DiscoveryScope: -1, Prior: &Prior{LicenseServerID: "ID"}},
			answers: map[string][]answer{"set_license_server_contact": {ok}, "deactivate_license_server": {ok}, "get_license_server": {inDomain(1, 0)}},
			wantRan: []string{"set_license_server_contact", "deactivate_license_server", "get_license_server"}},
		{name: "a triggered reactivation whose outcome cannot be seen is spent",
			goal: Goal{Method: MethodAutomatic, Activated: true, Triggered: true, DiscoveryScope: -1, Prior: &Prior{LicenseServerID: "ID"}},
			answers: map[string][]answer{"set_license_server_contact": {ok}, "reactivate_license_server": {{err: lostAnswer}},
				"fence_reactivation": {{result: rds.ReactivationFenceResult{Started: true}}}, "get_license_server": {server("ID", 0)}},
			wantRan:   []string{"set_license_server_contact", "reactivate_license_server", "fence_reactivation", "get_license_server"},
			wantFail:  ":The license server on ls01 may have been reactivated",
			wantSpent: true},
		{name: "no reactivation right after an activation",
			goal: Goal{Method: MethodLicenseServerID, LicenseServerID: "NEW", Activated: true, Activate: true, Triggered: true, DiscoveryScope: -1, Prior: &Prior{LicenseServerID: "OLD"}},
			answers: map[string][]answer{"set_license_server_contact": {ok}, "activate_license_server": {{result: rds.ActivationResult{Changed: true, LicenseServerID: "NEW"}}},
				"get_license_server": {inDomain(0, 0)}},
			wantRan: []string{"set_license_server_contact", "activate_license_server", "get_license_server"}},
		{name: "workgroup server: leaving the group is not asked of AD",
			goal:    Goal{Activated: true, DiscoveryScope: -1, Group: &no, Prior: &Prior{}},
			answers: map[string][]answer{"set_license_server_contact": {ok}, "get_license_server": {server("", 0)}},
			wantRan: []string{"set_license_server_contact", "get_license_server"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeServer{t: t, answers: tc.answers}
			_, err := Converge(context.Background(), f, "ls01", tc.goal)
			if !reflect.DeepEqual(f.ran, tc.wantRan) {
				t.Fatalf("ran %v, want %v", f.ran, tc.wantRan)
			}
			var fail *Failure
			switch {
			case tc.wantFail == "" && err != nil:
				t.Fatalf("error %v", err)
			case tc.wantFail == "":
			case !errors.As(err, &fail):
				t.Fatalf("error %v, want a Failure %q", err, tc.wantFail)
			case !strings.HasPrefix(fail.Attr+":"+fail.Summary, tc.wantFail) || fail.Spent != tc.wantSpent:
				t.Fatalf("failure %q (spent %v), want %q (spent %v)", fail.Attr+":"+fail.Summary, fail.Spent, tc.wantFail, tc.wantSpent)
			}
		})
	}
}

func TestActivateAgainHints(t *testing.T) {
	refusedID := Goal{Method: MethodLicenseServerID, Prior: &Prior{ProductID: "00490-92005-99454-AT527"}}
	if h := refusedID.activateAgainHints(refused); len(h) != 2 || !strings.Contains(h[0], "00490-92005-99454-AT527") {
		t.Fatalf("hints %q, want a new ID asked for the product ID, then the state kept", h)
	}
	if h := (Goal{}).activateAgainHints(refused); h != nil {
		t.Fatalf("a create has no hints, got %q", h)
	}
}
