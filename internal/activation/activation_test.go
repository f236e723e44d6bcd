package activation

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
)

// answer is one canned result of an operation: its result, or an error.
type answer struct {
	result any
	err    error
}

// fakeServer answers operations in order, by name, and records them.
type fakeServer struct {
	t       *testing.T
	answers map[string][]answer
	ran     []string
}

func (f *fakeServer) Run(_ context.Context, _ string, op winrmclient.Operation, _, out any) error {
	f.ran = append(f.ran, op.Name)
	queue := f.answers[op.Name]
	if len(queue) == 0 {
		f.t.Fatalf("unexpected %s (ran %v)", op.Name, f.ran)
	}
	a := queue[0]
	f.answers[op.Name] = queue[1:]
	if a.err != nil {
		return a.err
	}
	b, err := json.Marshal(a.result)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}

var (
	lostAnswer = &winrmclient.Error{Kind: winrmclient.KindTransport, Message: "the connection broke", OutcomeUnknown: true}
	refused    = &winrmclient.Error{Kind: rds.KindInvalidCode, Message: "the Clearinghouse refused the ID"}
)

func server(id string, status int) answer {
	return answer{result: rds.LicenseServer{ActivationStatus: status, LicenseServerID: id}}
}

// A lost answer is looked at before anything else: a server found
// activated is not activated again; one found not activated is, once.
func TestActivateLooksBeforeTryingAgain(t *testing.T) {
	for _, tc := range []struct {
		name    string
		answers map[string][]answer
		wantRan []string
		wantErr error
	}{
		{"activated despite the lost answer", map[string][]answer{
			"activate_license_server": {{err: lostAnswer}}, "get_license_server": {server("ID", 0)}},
			[]string{"activate_license_server", "get_license_server"}, nil},
		{"not activated: once more", map[string][]answer{
			"activate_license_server": {{err: lostAnswer}, {result: rds.ActivationResult{Changed: true}}}, "get_license_server": {server("", 1)}},
			[]string{"activate_license_server", "get_license_server", "activate_license_server"}, nil},
		{"cannot look: no retry", map[string][]answer{
			"activate_license_server": {{err: lostAnswer}}, "get_license_server": {{err: lostAnswer}}},
			[]string{"activate_license_server", "get_license_server"}, lostAnswer},
		{"refused: no look", map[string][]answer{"activate_license_server": {{err: refused}}},
			[]string{"activate_license_server"}, refused},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeServer{t: t, answers: tc.answers}
			_, err := Activate(context.Background(), f, "ls01", MethodAutomatic, "")
			if !errors.Is(err, tc.wantErr) || !reflect.DeepEqual(f.ran, tc.wantRan) {
				t.Fatalf("ran %v, error %v; want %v, %v", f.ran, err, tc.wantRan, tc.wantErr)
			}
		})
	}
}

func TestDeactivateLooksBeforeTryingAgain(t *testing.T) {
	f := &fakeServer{t: t, answers: map[string][]answer{"deactivate_license_server": {{err: lostAnswer}}, "get_license_server": {server("", 1)}}}
	if err := Deactivate(context.Background(), f, "ls01"); err != nil || len(f.ran) != 2 {
		t.Fatalf("deactivated but: ran %v, %v", f.ran, err)
	}
	f = &fakeServer{t: t, answers: map[string][]answer{"deactivate_license_server": {{err: lostAnswer}, {result: rds.ActivationResult{}}}, "get_license_server": {server("ID", 0)}}}
	if err := Deactivate(context.Background(), f, "ls01"); err != nil || len(f.ran) != 3 {
		t.Fatalf("still activated: ran %v, %v", f.ran, err)
	}
}

func TestReactivation(t *testing.T) {
	for _, tc := range []struct {
		name, want, have string
		triggered        bool
		expect           *rds.ActivationInput
	}{
		{"automatic, nothing asked", "", "OLD", false, nil},
		{"automatic, triggered", "", "OLD", true, &rds.ActivationInput{Method: MethodAutomatic, Reason: 3}},
		{"a new license server ID", "NEW", "OLD", false, &rds.ActivationInput{Method: MethodLicenseServerID, LicenseServerID: "NEW"}},
		{"the same ID, triggered", "OLD", "OLD", true, &rds.ActivationInput{Method: MethodLicenseServerID, LicenseServerID: "OLD"}},
		{"the same ID", "OLD", "OLD", false, nil},
	} {
		if got := Reactivation(tc.want, tc.have, tc.triggered, 3); !reflect.DeepEqual(got, tc.expect) {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.expect)
		}
	}
}

// A reactivation is never repeated: after a lost answer the attempt's
// fence and the server's ID say whether it ran.
func TestReactivateOutcomes(t *testing.T) {
	fence := func(started bool) answer { return answer{result: rds.ReactivationFenceResult{Started: started}} }
	byID := rds.ActivationInput{Method: MethodLicenseServerID, LicenseServerID: "NEW", Attempt: "a1"}
	auto := rds.ActivationInput{Method: MethodAutomatic, Attempt: "a2"}
	for _, tc := range []struct {
		name    string
		in      rds.ActivationInput
		answers map[string][]answer
		want    Outcome
		err     bool
	}{
		{"ran", byID, map[string][]answer{"reactivate_license_server": {{}}}, Ran, false},
		{"refused", byID, map[string][]answer{"reactivate_license_server": {{err: refused}}}, NotRun, true},
		{"lost before the method: fenced", byID, map[string][]answer{"reactivate_license_server": {{err: lostAnswer}}, "fence_reactivation": {fence(false)}}, NotRun, true},
		{"lost after: the new ID is there", byID, map[string][]answer{"reactivate_license_server": {{err: lostAnswer}}, "fence_reactivation": {fence(true)}, "get_license_server": {server("NEW", 0)}}, Ran, false},
		{"lost after: the old ID is there", byID, map[string][]answer{"reactivate_license_server": {{err: lostAnswer}}, "fence_reactivation": {fence(true)}, "get_license_server": {server("OLD", 0)}}, NotRun, true},
		{"lost after: another ID", byID, map[string][]answer{"reactivate_license_server": {{err: lostAnswer}}, "fence_reactivation": {fence(true)}, "get_license_server": {server("OTHER", 0)}}, Unknown, true},
		{"automatic: a new ID shows it ran", auto, map[string][]answer{"reactivate_license_server": {{err: lostAnswer}}, "fence_reactivation": {fence(true)}, "get_license_server": {server("FRESH", 0)}}, Ran, false},
		{"automatic: the same ID cannot tell", auto, map[string][]answer{"reactivate_license_server": {{err: lostAnswer}}, "fence_reactivation": {fence(true)}, "get_license_server": {server("OLD", 0)}}, Unknown, true},
		{"the server cannot be read", auto, map[string][]answer{"reactivate_license_server": {{err: lostAnswer}}, "fence_reactivation": {{err: lostAnswer}}, "get_license_server": {{err: lostAnswer}}}, Unknown, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeServer{t: t, answers: tc.answers}
			want := ""
			if tc.in.Method == MethodLicenseServerID {
				want = "NEW"
			}
			got, err := Reactivate(context.Background(), f, "ls01", tc.in, want, "OLD")
			if got != tc.want || (err != nil) != tc.err {
				t.Fatalf("outcome %d, error %v; want %d, error %v (ran %v)", got, err, tc.want, tc.err, f.ran)
			}
			if n := countOf(f.ran, "reactivate_license_server"); n != 1 {
				t.Fatalf("reactivate_license_server ran %d times", n)
			}
		})
	}
}

func countOf(ran []string, name string) int {
	n := 0
	for _, r := range ran {
		if r == name {
			n++
		}
	}
	return n
}
