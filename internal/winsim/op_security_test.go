package winsim

import (
	"testing"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

// secFleet is a domain license server with two session hosts, a
// workgroup license server, and a session host of another domain.
func secFleet(t *testing.T, live bool) *Sim {
	t.Helper()
	ls := NewLicenseServerHost("LS01", "2022", "contoso.com")
	ls.Quirks.EndpointServersLive = live
	lsWG := NewLicenseServerHost("LSWG", "2022", "")
	s := newTestSim(t, Scenario{Hosts: []HostState{
		ls, lsWG,
		NewSessionHost("RDSH01", "2022", "contoso.com", shNow.Add(50*24*time.Hour)),
		NewSessionHost("RDSH02", "2022", "contoso.com", shNow.Add(50*24*time.Hour)),
		NewSessionHost("RDSHF", "2022", "fabrikam.com", shNow.Add(50*24*time.Hour)),
	}})
	s.SetClock(func() time.Time { return shNow })
	return s
}

func secSet(t *testing.T, h *Host, in rds.LicenseServerSecurityInput) rds.LicenseServerSecurity {
	t.Helper()
	var out rds.LicenseServerSecurity
	shNoErr(t, runOp(t, h, testAdmin, "set_license_server_security", in, &out))
	return out
}

// connectivity is what RDSH01's GetTStoLSConnectivityStatus answers for LS01.
func connectivity(t *testing.T, s *Sim) int {
	t.Helper()
	var sh rds.SessionHost
	shNoErr(t, runOp(t, shHost(t, s, "RDSH01"), testAdmin, "get_session_host", rds.SessionHostInput{CheckServers: []string{"LS01"}}, &sh))
	return sh.Connectivity[0].Status
}

func TestLicenseServerSecurity(t *testing.T) {
	s := secFleet(t, false)
	ls := shHost(t, s, "LS01")
	var got rds.LicenseServerSecurity
	shNoErr(t, runOp(t, ls, testAdmin, "get_license_server_security", rds.NoInput{}, &got))
	shWantEqual(t, "a new license server", got, rds.LicenseServerSecurity{Members: []string{}, ServiceStatus: "Running", PartOfDomain: true, Domain: "contoso.com", ComputerName: "LS01"})

	// The policy on, RDSH02 added, no restart: the running service still
	// serves RDSH01, until it restarts.
	on := 1
	got = secSet(t, ls, rds.LicenseServerSecurityInput{Policy: &on, Add: []string{"rdsh02$"}})
	shWantEqual(t, "after the change", got, rds.LicenseServerSecurity{Policy: &on, Members: []string{`CONTOSO\RDSH02$`}, ServiceStatus: "Running",
		PartOfDomain: true, Domain: "contoso.com", ComputerName: "LS01", Changed: true})
	if c := connectivity(t, s); c != 11 {
		t.Fatalf("before the service restarts RDSH01 gets %d, want 11 (VALID_LS)", c)
	}
	// Nothing to change: nothing restarts.
	if got := secSet(t, ls, rds.LicenseServerSecurityInput{Policy: &on, RestartService: true}); got.Changed || got.Restarted {
		t.Fatalf("an equal write changed %v, restarted %v", got.Changed, got.Restarted)
	}
	if c := connectivity(t, s); c != 11 {
		t.Fatalf("no restart, yet RDSH01 gets %d", c)
	}
	// Adding RDSH01 by its qualified name, with a restart: both apply.
	got = secSet(t, ls, rds.LicenseServerSecurityInput{Add: []string{`contoso\RDSH01$`}, Policy: &on, RestartService: true})
	if !got.Changed || !got.Restarted || len(got.Members) != 2 || got.Members[1] != `CONTOSO\RDSH01$` {
		t.Fatalf("after adding RDSH01: %+v", got)
	}
	if c := connectivity(t, s); c != 11 {
		t.Fatalf("a member gets %d, want 11", c)
	}
	// RDSH01 removed, with a restart: it is refused (NOT_IN_TSCGROUP).
	secSet(t, ls, rds.LicenseServerSecurityInput{Policy: &on, Remove: []string{`CONTOSO\RDSH01$`}, RestartService: true})
	if c := connectivity(t, s); c != 5 {
		t.Fatalf("a removed member gets %d, want 5 (NOT_IN_TSCGROUP)", c)
	}
	// The policy removed (not configured), without a restart: still
	// refused until the service restarts; a reboot restarts it.
	got = secSet(t, ls, rds.LicenseServerSecurityInput{})
	if got.Policy != nil || !got.Changed {
		t.Fatalf("after removing the policy: %+v", got)
	}
	if c := connectivity(t, s); c != 5 {
		t.Fatalf("before the restart RDSH01 gets %d, want 5", c)
	}
	ls.Update(func(st *HostState) { applyRestart(st, shNow) })
	if c := connectivity(t, s); c != 11 {
		t.Fatalf("after a reboot RDSH01 gets %d, want 11", c)
	}
}

func TestLicenseServerSecurityLive(t *testing.T) {
	s := secFleet(t, true)
	on := 1
	secSet(t, shHost(t, s, "LS01"), rds.LicenseServerSecurityInput{Policy: &on})
	if c := connectivity(t, s); c != 5 {
		t.Fatalf("with endpoint_servers_live the policy applies at once: %d, want 5", c)
	}
}

func TestLicenseServerSecurityRefusals(t *testing.T) {
	s := secFleet(t, false)
	ls := shHost(t, s, "LS01")
	on, two := 1, 2
	for _, c := range []struct {
		name  string
		host  string
		in    rds.LicenseServerSecurityInput
		kind  string
		parts []string
	}{
		{"a policy value Windows does not have", "LS01", rds.LicenseServerSecurityInput{Policy: &two}, "invalid_input", []string{"not 2"}},
		{"an unknown computer", "LS01", rds.LicenseServerSecurityInput{Policy: &on, Add: []string{"RDSH01$", "NOPE$"}}, "not_found", []string{"no account NOPE$", "nothing was changed"}},
		{"another domain's computer by its bare name", "LS01", rds.LicenseServerSecurityInput{Add: []string{"RDSHF$"}}, "not_found", []string{"RDSHF$"}},
		{"a workgroup license server", "LSWG", rds.LicenseServerSecurityInput{Add: []string{"RDSH01$"}}, "invalid_input", []string{"not in a domain", "workgroup"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantErr(t, runOp(t, shHost(t, s, c.host), testAdmin, "set_license_server_security", c.in, nil), c.kind, c.parts...)
		})
	}
	// The refused writes changed nothing.
	var got rds.LicenseServerSecurity
	shNoErr(t, runOp(t, ls, testAdmin, "get_license_server_security", rds.NoInput{}, &got))
	if got.Policy != nil || len(got.Members) != 0 {
		t.Fatalf("after refusals: %+v", got)
	}
	// The same write twice (an answer lost): the second changes nothing.
	in := rds.LicenseServerSecurityInput{Policy: &on, Add: []string{"RDSH01$"}, Remove: []string{`CONTOSO\RDSH02$`}}
	if first := secSet(t, ls, in); !first.Changed || len(first.Members) != 1 {
		t.Fatalf("first write: %+v", first)
	}
	if again := secSet(t, ls, in); again.Changed || len(again.Members) != 1 {
		t.Fatalf("the same write again changed %v: %+v", again.Changed, again)
	}
	secSet(t, ls, rds.LicenseServerSecurityInput{Remove: []string{`CONTOSO\RDSH01$`}})
	// A disabled service cannot be restarted: refused before any change.
	ls.Update(func(st *HostState) { st.Services[ServiceLicensing] = Service{Status: "Stopped", StartType: "Disabled"} })
	wantErr(t, runOp(t, ls, testAdmin, "set_license_server_security", rds.LicenseServerSecurityInput{Policy: &on, RestartService: true}, nil), "not_supported", "disabled")
	// Without the role there is no license server.
	ls.Update(func(st *HostState) { st.Features[FeatureLicensing] = StateAvailable })
	wantErr(t, runOp(t, ls, testAdmin, "get_license_server_security", rds.NoInput{}, nil), "role_missing")
}
