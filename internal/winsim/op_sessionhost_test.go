package winsim

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

// shNow is the simulated clock of the session host tests.
var shNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const shPolicyKey = `HKLM\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services`

func shIntPtr(v int) *int              { return &v }
func shStrPtr(v string) *string        { return &v }
func shTimePtr(t time.Time) *time.Time { return &t }

// shFleet is a domain with a session host and license servers in every
// state GetTStoLSConnectivityStatus tells apart.
func shFleet(t *testing.T) *Sim {
	t.Helper()
	rdsh := NewSessionHost("RDSH01", "2022", "contoso.com", shNow.Add(100*24*time.Hour+time.Hour))
	rdshWG := NewSessionHost("RDSHWG", "2019", "", shNow.Add(10*24*time.Hour))
	ls01 := NewLicenseServerHost("LS01", "2022", "contoso.com") // not activated
	ls16 := NewLicenseServerHost("LS16", "2016", "contoso.com")
	ls25 := NewLicenseServerHost("LS25", "2025", "contoso.com")
	ls25.LicenseServer.Activated = true
	lsStop := NewLicenseServerHost("LSSTOP", "2022", "contoso.com")
	lsStop.Services[ServiceLicensing] = Service{Status: "Stopped", StartType: "Automatic"}
	lsPend := NewLicenseServerHost("LSPEND", "2022", "contoso.com")
	lsPend.Features[FeatureLicensing] = StateInstallPending
	lsFab := NewLicenseServerHost("LSFAB", "2022", "fabrikam.com")
	lsWG := NewLicenseServerHost("LSWG", "2022", "")
	both := NewSessionHost("ALLINONE", "2022", "contoso.com", shNow.Add(24*time.Hour))
	InstallLicensingRole(&both)
	plain := HostState{Name: "PLAIN01", OS: "2022", Domain: "contoso.com"}
	s := newTestSim(t, Scenario{
		Hosts:         []HostState{rdsh, rdshWG, ls01, ls16, ls25, lsStop, lsPend, lsFab, lsWG, both, plain},
		Clearinghouse: ClearinghouseState{Reachable: true},
	})
	s.SetClock(func() time.Time { return shNow })
	return s
}

func shHost(t *testing.T, s *Sim, name string) *Host {
	t.Helper()
	h := s.Host(name)
	if h == nil {
		t.Fatalf("no host %s", name)
	}
	return h
}

func shNoErr(t *testing.T, err *opError) {
	t.Helper()
	if err != nil {
		t.Fatalf("failed: %s: %s", err.Kind, err.Message)
	}
}

func shWantEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		gj, _ := json.Marshal(got)
		wj, _ := json.Marshal(want)
		t.Errorf("%s:\n got  %s\n want %s", what, gj, wj)
	}
}

func TestSessionHostGetFresh(t *testing.T) {
	s := shFleet(t)
	h := shHost(t, s, "RDSH01")
	var got rds.SessionHost
	shNoErr(t, runOp(t, h, testAdmin, "get_session_host", rds.SessionHostInput{}, &got))
	want := rds.SessionHost{
		RDSHInstalled:              true,
		TerminalServerMode:         1,
		LicensingType:              5,
		LicensingName:              "Not configured",
		PolicySourceLicensingType:  0,
		PolicySourceLicenseServers: 0,
		SpecifiedLicenseServers:    []string{},
		ConfigLicensingMode:        shIntPtr(5),
		ConfigLicenseServers:       []string{},
		GracePeriodDays:            shIntPtr(101), // 100 days and 1 hour, rounded up
		Connectivity:               []rds.Connectivity{},
		PartOfDomain:               true,
		Domain:                     "contoso.com",
		OSVersion:                  "2022",
		ComputerName:               "RDSH01",
		TermServiceStatus:          "Running",
	}
	shWantEqual(t, "session host", got, want)

	// The scripts' @() arrays are JSON arrays, never null.
	res, oerr, _ := h.runOperation(testAdmin, "get_session_host", json.RawMessage(`{"check_servers":null}`))
	shNoErr(t, oerr)
	raw, _ := json.Marshal(res)
	for _, part := range []string{`"specified_license_servers":[]`, `"config_license_servers":[]`, `"connectivity":[]`, `"policy_licensing_mode":null`, `"policy_license_servers":null`, `"grace_period_error":""`} {
		if !strings.Contains(string(raw), part) {
			t.Errorf("result JSON %s lacks %s", raw, part)
		}
	}
}

func TestSessionHostGetPolicyWins(t *testing.T) {
	s := shFleet(t)
	h := shHost(t, s, "RDSH01")
	h.Update(func(st *HostState) {
		st.SessionHost.PolicyLicensingMode = shIntPtr(4)
		st.SessionHost.PolicyLicenseServers = shStrPtr(" LS01.contoso.com, ,ls16 ,")
		st.SessionHost.ConfigLicensingMode = 2
		st.SessionHost.ConfigLicenseServers = []string{"ls25.contoso.com"}
	})
	var got rds.SessionHost
	shNoErr(t, runOp(t, h, testAdmin, "get_session_host", rds.SessionHostInput{}, &got))
	if got.LicensingType != 4 || got.LicensingName != "Per User" || got.PolicySourceLicensingType != 1 || got.PolicySourceLicenseServers != 1 {
		t.Errorf("effective = %d %q sources %d/%d, want 4 \"Per User\" 1/1", got.LicensingType, got.LicensingName, got.PolicySourceLicensingType, got.PolicySourceLicenseServers)
	}
	shWantEqual(t, "specified", got.SpecifiedLicenseServers, []string{"LS01.contoso.com", "ls16"})
	shWantEqual(t, "policy mode", got.PolicyLicensingMode, shIntPtr(4))
	shWantEqual(t, "policy servers", got.PolicyLicenseServers, shStrPtr(" LS01.contoso.com, ,ls16 ,"))
	shWantEqual(t, "config mode", got.ConfigLicensingMode, shIntPtr(2))
	shWantEqual(t, "config servers", got.ConfigLicenseServers, []string{"ls25.contoso.com"})

	// Only the list from policy: the mode comes from the configuration.
	h.Update(func(st *HostState) { st.SessionHost.PolicyLicensingMode = nil })
	shNoErr(t, runOp(t, h, testAdmin, "get_session_host", rds.SessionHostInput{}, &got))
	if got.LicensingType != 2 || got.LicensingName != "Per Device" || got.PolicySourceLicensingType != 0 || got.PolicySourceLicenseServers != 1 {
		t.Errorf("effective = %d %q sources %d/%d, want 2 \"Per Device\" 0/1", got.LicensingType, got.LicensingName, got.PolicySourceLicensingType, got.PolicySourceLicenseServers)
	}
}

func TestSessionHostGetGracePeriod(t *testing.T) {
	for _, c := range []struct {
		ends time.Duration
		want int
	}{
		{120 * 24 * time.Hour, 120},
		{48 * time.Hour, 2},
		{48*time.Hour + time.Second, 3},
		{time.Second, 1},
		{0, 0},
		{-30 * 24 * time.Hour, 0},
	} {
		s := shFleet(t)
		h := shHost(t, s, "RDSH01")
		h.Update(func(st *HostState) { st.SessionHost.GracePeriodEnds = shTimePtr(shNow.Add(c.ends)) })
		var got rds.SessionHost
		shNoErr(t, runOp(t, h, testAdmin, "get_session_host", rds.SessionHostInput{}, &got))
		if got.GracePeriodDays == nil || *got.GracePeriodDays != c.want || got.GracePeriodError != "" {
			t.Errorf("grace ends in %v: days %v error %q, want %d", c.ends, got.GracePeriodDays, got.GracePeriodError, c.want)
		}
	}
}

func TestSessionHostGetWithoutRole(t *testing.T) {
	s := shFleet(t)
	h := shHost(t, s, "PLAIN01")
	var got rds.SessionHost
	shNoErr(t, runOp(t, h, testAdmin, "get_session_host", rds.SessionHostInput{CheckServers: []string{"LS01"}}, &got))
	// A real server without the role shows LicensingType 1.
	if got.RDSHInstalled || got.TerminalServerMode != 0 || got.LicensingType != 1 {
		t.Errorf("rdsh %v mode %d type %d, want false 0 1", got.RDSHInstalled, got.TerminalServerMode, got.LicensingType)
	}
	if got.GracePeriodDays != nil || got.GracePeriodError != "GetGracePeriodDays failed on PLAIN01: returned 0x80041001 (WBEM_E_FAILED)" {
		t.Errorf("grace %v %q", got.GracePeriodDays, got.GracePeriodError)
	}
	if got.TermServiceStatus != "" {
		t.Errorf("termservice_status %q, want empty for a host without the service", got.TermServiceStatus)
	}
	shWantEqual(t, "connectivity", got.Connectivity, []rds.Connectivity{{Server: "LS01", Status: 11}})

	// An install waiting for its restart is not installed yet.
	h.Update(func(st *HostState) { st.Features[FeatureSessionHost] = StateInstallPending })
	shNoErr(t, runOp(t, h, testAdmin, "get_session_host", rds.SessionHostInput{}, &got))
	if got.RDSHInstalled || got.TerminalServerMode != 0 {
		t.Errorf("InstallPending: rdsh %v mode %d, want false 0", got.RDSHInstalled, got.TerminalServerMode)
	}
}

func TestSessionHostGetConnectivity(t *testing.T) {
	s := shFleet(t)
	h := shHost(t, s, "RDSH01")
	ls01Addr := shHost(t, s, "LS01").State().Address
	check := []string{
		"ls01.contoso.com", // 11: not activated does not matter
		"LS01",             // 11: NetBIOS name
		ls01Addr,           // 11: IP address
		"LS25.CONTOSO.COM", // 11: newer license server
		"ls01.contoso.com.",
		"LS16",    // 4: older than the 2022 session host
		"nosuch",  // 6: no such host
		"LSSTOP",  // 6: TermServLicensing stopped
		"LSPEND",  // 6: RDS-Licensing waits for a restart
		"PLAIN01", // 6: no RD Licensing
		"localhost",
		"LSFAB", // 8: another domain
		"LSWG",  // 8: workgroup license server, domain session host
	}
	var got rds.SessionHost
	shNoErr(t, runOp(t, h, testAdmin, "get_session_host", rds.SessionHostInput{CheckServers: check}, &got))
	want := []rds.Connectivity{
		{Server: "ls01.contoso.com", Status: 11},
		{Server: "LS01", Status: 11},
		{Server: ls01Addr, Status: 11},
		{Server: "LS25.CONTOSO.COM", Status: 11},
		{Server: "ls01.contoso.com.", Status: 11},
		{Server: "LS16", Status: 4},
		{Server: "nosuch", Status: 6},
		{Server: "LSSTOP", Status: 6},
		{Server: "LSPEND", Status: 6},
		{Server: "PLAIN01", Status: 6},
		{Server: "localhost", Status: 6},
		{Server: "LSFAB", Status: 8},
		{Server: "LSWG", Status: 8},
	}
	shWantEqual(t, "connectivity", got.Connectivity, want)

	// A workgroup session host: a workgroup license server is fine, a
	// domain one is not; an older one is still too old.
	var wg rds.SessionHost
	shNoErr(t, runOp(t, shHost(t, s, "RDSHWG"), testAdmin, "get_session_host", rds.SessionHostInput{CheckServers: []string{"LSWG", "LS01", "LS16"}}, &wg))
	shWantEqual(t, "workgroup connectivity", wg.Connectivity, []rds.Connectivity{{Server: "LSWG", Status: 11}, {Server: "LS01", Status: 8}, {Server: "LS16", Status: 4}})
	if wg.PartOfDomain || wg.Domain != "WORKGROUP" || wg.OSVersion != "2019" {
		t.Errorf("workgroup host: part_of_domain %v domain %q os %q", wg.PartOfDomain, wg.Domain, wg.OSVersion)
	}

	// The policy "License server security group" on LS01: only members of
	// its RDS Endpoint Servers group get an answer of 11.
	ls01 := shHost(t, s, "LS01")
	for _, c := range []struct {
		members []string
		quirk   int
		want    int
	}{
		{[]string{"RDSH99"}, 0, 5},
		{[]string{"rdsh01"}, 0, 11}, // a bare name, as older scenarios have
		{[]string{`CONTOSO\RDSH01$`}, 0, 11},
		{[]string{`OTHER\RDSH01$`}, 0, 5}, // another domain's computer of that name
		{nil, 10, 10},                     // an answer winsim does not model, set as a quirk
	} {
		ls01.Update(func(st *HostState) {
			var on *int
			if c.members != nil {
				one := 1
				on = &one
			}
			st.LicenseServer.SecureLicensing, st.LicenseServer.EndpointServers = on, c.members
			st.Quirks.ConnectivityStatus = c.quirk
		})
		var sg rds.SessionHost
		shNoErr(t, runOp(t, h, testAdmin, "get_session_host", rds.SessionHostInput{CheckServers: []string{"LS01"}}, &sg))
		shWantEqual(t, fmt.Sprintf("members %v quirk %d", c.members, c.quirk), sg.Connectivity, []rds.Connectivity{{Server: "LS01", Status: c.want}})
	}

	// A session host that is its own license server.
	self := shHost(t, s, "ALLINONE")
	st := self.State()
	var own rds.SessionHost
	shNoErr(t, runOp(t, self, testAdmin, "get_session_host", rds.SessionHostInput{CheckServers: []string{"localhost", "ALLINONE", "allinone.contoso.com", st.Address}}, &own))
	for _, c := range own.Connectivity {
		if c.Status != 11 {
			t.Errorf("self as %q: status %d, want 11", c.Server, c.Status)
		}
	}
}

func TestSessionHostGetInvalidInput(t *testing.T) {
	s := shFleet(t)
	h := shHost(t, s, "RDSH01")
	for _, c := range []struct {
		servers []string
		parts   []string
	}{
		{[]string{""}, []string{"check_servers holds an empty license server name", "RDSH01"}},
		{[]string{"LS01", "ls 02"}, []string{`check_servers: "ls 02" is not a valid license server name for RDSH01`}},
		{[]string{"ls01,ls02"}, []string{`"ls01,ls02" is not a valid license server name`}},
		{[]string{"ls01\n"}, []string{"is not a valid license server name"}},
		{[]string{strings.Repeat("a", 256)}, []string{"at most 255 characters"}},
		{[]string{"LS01", "ls01"}, []string{`check_servers: license server "ls01" is listed twice`}},
	} {
		wantErr(t, runOp(t, h, testAdmin, "get_session_host", rds.SessionHostInput{CheckServers: c.servers}, nil), "invalid_input", c.parts...)
	}
}

func TestSessionHostAccessDenied(t *testing.T) {
	s := shFleet(t)
	h := shHost(t, s, "RDSH01")
	before := h.State()
	user := User{Name: "alice", Password: "x", Domain: "contoso.com", Admin: false, RemoteManagement: true}
	set := rds.SessionHostLicensingInput{Method: "wmi", LicensingMode: 2, LicenseServers: []string{"LS01"}, RestartService: true}
	for _, op := range []struct {
		name string
		in   any
	}{
		{"get_session_host", rds.SessionHostInput{}},
		{"set_session_host_licensing", set},
		{"clear_session_host_licensing", rds.SessionHostLicensingInput{Method: "group_policy"}},
	} {
		wantErr(t, runOp(t, h, user, op.name, op.in, nil), "access_denied",
			`the account CONTOSO\alice is not a member of the local Administrators group on RDSH01`)
	}
	shWantEqual(t, "session host state", h.State().SessionHost, before.SessionHost)
}

func TestSessionHostSetWMI(t *testing.T) {
	s := shFleet(t)
	h := shHost(t, s, "RDSH01")
	in := rds.SessionHostLicensingInput{Method: "wmi", LicensingMode: 2, LicenseServers: []string{"LS01.contoso.com", "ls16"}, RestartService: true}
	var got rds.SessionHost
	shNoErr(t, runOp(t, h, testAdmin, "set_session_host_licensing", in, &got))
	st := h.State().SessionHost
	if st.ConfigLicensingMode != 2 || st.PolicyLicensingMode != nil || st.PolicyLicenseServers != nil || st.TermServiceRestarts != 1 {
		t.Errorf("state after set: %+v", st)
	}
	shWantEqual(t, "config servers", st.ConfigLicenseServers, []string{"LS01.contoso.com", "ls16"})
	if got.LicensingType != 2 || got.LicensingName != "Per Device" || got.PolicySourceLicensingType != 0 {
		t.Errorf("result mode %d %q", got.LicensingType, got.LicensingName)
	}
	shWantEqual(t, "specified", got.SpecifiedLicenseServers, []string{"LS01.contoso.com", "ls16"})
	shWantEqual(t, "connectivity", got.Connectivity, []rds.Connectivity{{Server: "LS01.contoso.com", Status: 11}, {Server: "ls16", Status: 4}})

	// The same again, names in another case: nothing to write, no restart,
	// the stored names keep their case.
	in.LicenseServers = []string{"ls01.CONTOSO.com", "LS16"}
	shNoErr(t, runOp(t, h, testAdmin, "set_session_host_licensing", in, &got))
	st = h.State().SessionHost
	if st.TermServiceRestarts != 1 {
		t.Errorf("restarts = %d after a no-op, want 1", st.TermServiceRestarts)
	}
	shWantEqual(t, "config servers after no-op", st.ConfigLicenseServers, []string{"LS01.contoso.com", "ls16"})

	// Order is a preference: another order is a change. Per user, no restart asked.
	in = rds.SessionHostLicensingInput{Method: "wmi", LicensingMode: 4, LicenseServers: []string{"ls16", "LS01.contoso.com"}}
	shNoErr(t, runOp(t, h, testAdmin, "set_session_host_licensing", in, &got))
	st = h.State().SessionHost
	shWantEqual(t, "config servers reordered", st.ConfigLicenseServers, []string{"ls16", "LS01.contoso.com"})
	if st.ConfigLicensingMode != 4 || st.TermServiceRestarts != 1 || got.LicensingName != "Per User" {
		t.Errorf("mode %d restarts %d name %q, want 4 1 Per User", st.ConfigLicensingMode, st.TermServiceRestarts, got.LicensingName)
	}

	// An empty list empties it (EmptySpecifiedLicenseServerList).
	in.LicenseServers = nil
	in.RestartService = true
	shNoErr(t, runOp(t, h, testAdmin, "set_session_host_licensing", in, &got))
	st = h.State().SessionHost
	if len(st.ConfigLicenseServers) != 0 || st.ConfigLicensingMode != 4 || st.TermServiceRestarts != 2 {
		t.Errorf("after emptying: %+v", st)
	}
	shWantEqual(t, "specified after emptying", got.SpecifiedLicenseServers, []string{})
	shWantEqual(t, "connectivity after emptying", got.Connectivity, []rds.Connectivity{})
}

func TestSessionHostSetWMIPolicyControlled(t *testing.T) {
	for _, c := range []struct {
		mode    *int
		servers *string
		msg     string
	}{
		{shIntPtr(4), nil, `the licensing mode of RDSH01 is set by Group Policy (` + shPolicyKey + `\LicensingMode = 4); WMI cannot change it. Remove the policy setting, or use method = "group_policy"`},
		{nil, shStrPtr("ls01,ls16"), `the license server list of RDSH01 is set by Group Policy (` + shPolicyKey + `\LicenseServers = "ls01,ls16"); WMI cannot change it. Remove the policy setting, or use method = "group_policy"`},
		{shIntPtr(2), shStrPtr("LS01"), `the licensing mode and the license server list of RDSH01 are set by Group Policy (` + shPolicyKey + `\LicensingMode = 2, ` + shPolicyKey + `\LicenseServers = "LS01"); WMI cannot change them. Remove the policy settings, or use method = "group_policy"`},
	} {
		s := shFleet(t)
		h := shHost(t, s, "RDSH01")
		h.Update(func(st *HostState) {
			st.SessionHost.PolicyLicensingMode = c.mode
			st.SessionHost.PolicyLicenseServers = c.servers
		})
		before := h.State().SessionHost
		// Even a request matching the policy is refused: WMI would write values Windows ignores.
		in := rds.SessionHostLicensingInput{Method: "wmi", LicensingMode: 2, LicenseServers: []string{"LS01"}, RestartService: true}
		err := runOp(t, h, testAdmin, "set_session_host_licensing", in, nil)
		wantErr(t, err, "policy_controlled")
		if err.Message != c.msg {
			t.Errorf("message\n got  %s\n want %s", err.Message, c.msg)
		}
		shWantEqual(t, "state after refusal", h.State().SessionHost, before)
	}
}

func TestSessionHostSetGroupPolicy(t *testing.T) {
	s := shFleet(t)
	h := shHost(t, s, "RDSH01")
	h.Update(func(st *HostState) {
		st.SessionHost.ConfigLicensingMode = 2
		st.SessionHost.ConfigLicenseServers = []string{"ls25.contoso.com"}
	})
	in := rds.SessionHostLicensingInput{Method: "group_policy", LicensingMode: 4, LicenseServers: []string{"LS01.contoso.com", "ls16"}, RestartService: true}
	var got rds.SessionHost
	shNoErr(t, runOp(t, h, testAdmin, "set_session_host_licensing", in, &got))
	st := h.State().SessionHost
	shWantEqual(t, "policy mode", st.PolicyLicensingMode, shIntPtr(4))
	shWantEqual(t, "policy servers", st.PolicyLicenseServers, shStrPtr("LS01.contoso.com,ls16"))
	if st.ConfigLicensingMode != 2 || !reflect.DeepEqual(st.ConfigLicenseServers, []string{"ls25.contoso.com"}) || st.TermServiceRestarts != 1 {
		t.Errorf("non-policy values or restarts changed: %+v", st)
	}
	if got.LicensingType != 4 || got.PolicySourceLicensingType != 1 || got.PolicySourceLicenseServers != 1 {
		t.Errorf("result: type %d sources %d/%d", got.LicensingType, got.PolicySourceLicensingType, got.PolicySourceLicenseServers)
	}
	shWantEqual(t, "specified", got.SpecifiedLicenseServers, []string{"LS01.contoso.com", "ls16"})
	shWantEqual(t, "config servers in result", got.ConfigLicenseServers, []string{"ls25.contoso.com"})

	// A policy value written by hand with spaces and another case is the
	// same list: nothing is written, nothing restarted.
	h.Update(func(st *HostState) { st.SessionHost.PolicyLicenseServers = shStrPtr(" ls01.CONTOSO.com , LS16,") })
	shNoErr(t, runOp(t, h, testAdmin, "set_session_host_licensing", in, &got))
	st = h.State().SessionHost
	shWantEqual(t, "hand-written policy kept", st.PolicyLicenseServers, shStrPtr(" ls01.CONTOSO.com , LS16,"))
	if st.TermServiceRestarts != 1 {
		t.Errorf("restarts = %d after a no-op, want 1", st.TermServiceRestarts)
	}

	// An empty list removes the LicenseServers value; the mode stays.
	in = rds.SessionHostLicensingInput{Method: "group_policy", LicensingMode: 4}
	shNoErr(t, runOp(t, h, testAdmin, "set_session_host_licensing", in, &got))
	st = h.State().SessionHost
	if st.PolicyLicenseServers != nil || st.PolicyLicensingMode == nil || *st.PolicyLicensingMode != 4 || st.TermServiceRestarts != 1 {
		t.Errorf("after empty list: %+v", st)
	}
	// The effective list falls back to the non-policy one.
	shWantEqual(t, "specified after removing the policy list", got.SpecifiedLicenseServers, []string{"ls25.contoso.com"})
	if got.PolicySourceLicenseServers != 0 {
		t.Errorf("policy_source_license_servers = %d, want 0", got.PolicySourceLicenseServers)
	}

	// group_policy works whatever WMI-side values exist, and on a pending install.
	h.Update(func(st *HostState) { st.Features[FeatureSessionHost] = StateInstallPending })
	in = rds.SessionHostLicensingInput{Method: "group_policy", LicensingMode: 2, LicenseServers: []string{"LS01"}}
	shNoErr(t, runOp(t, h, testAdmin, "set_session_host_licensing", in, &got))
	shWantEqual(t, "policy mode on pending host", h.State().SessionHost.PolicyLicensingMode, shIntPtr(2))
}

func TestSessionHostSetRolePreChecks(t *testing.T) {
	in := rds.SessionHostLicensingInput{Method: "wmi", LicensingMode: 2, LicenseServers: []string{"LS01"}}
	for _, c := range []struct {
		state string
		kind  string
		msg   string
	}{
		{"", "role_missing", "the RD Session Host role service (RDS-RD-Server) is not installed on RDSH01: licensing mode and license servers only matter on a session host"},
		{StateAvailable, "role_missing", "the RD Session Host role service (RDS-RD-Server) is not installed on RDSH01: licensing mode and license servers only matter on a session host"},
		{StateRemoved, "role_missing", "the RD Session Host role service (RDS-RD-Server) is not installed on RDSH01: licensing mode and license servers only matter on a session host"},
		{StateUninstallPending, "reboot_pending", "the RD Session Host role service (RDS-RD-Server) on RDSH01 is being removed and waits for a restart: licensing mode and license servers only matter on a session host"},
	} {
		s := shFleet(t)
		h := shHost(t, s, "RDSH01")
		h.Update(func(st *HostState) {
			if c.state == "" {
				delete(st.Features, FeatureSessionHost)
			} else {
				st.Features[FeatureSessionHost] = c.state
			}
		})
		before := h.State().SessionHost
		err := runOp(t, h, testAdmin, "set_session_host_licensing", in, nil)
		wantErr(t, err, c.kind)
		if err.Message != c.msg {
			t.Errorf("state %q: message %q, want %q", c.state, err.Message, c.msg)
		}
		// The role check comes first: bad input on a host without the role is role_missing.
		bad := in
		bad.LicensingMode = 7
		wantErr(t, runOp(t, h, testAdmin, "set_session_host_licensing", bad, nil), c.kind)
		shWantEqual(t, "state after refusal", h.State().SessionHost, before)
	}

	// InstallPending: the policy values can be set before the post-install
	// restart, but not ChangeMode ("Valid for application servers").
	s := shFleet(t)
	h := shHost(t, s, "RDSH01")
	h.Update(func(st *HostState) { st.Features[FeatureSessionHost] = StateInstallPending })
	before := h.State().SessionHost
	err := runOp(t, h, testAdmin, "set_session_host_licensing", in, nil)
	wantErr(t, err, "reboot_pending")
	if want := `the RD Session Host role service (RDS-RD-Server) on RDSH01 waits for the restart that completes its installation, and method "wmi" (ChangeMode) only works on an RD Session Host: restart RDSH01 first, or use method = "group_policy"`; err.Message != want {
		t.Errorf("pending install, wmi: message %q, want %q", err.Message, want)
	}
	shWantEqual(t, "state after refusal", h.State().SessionHost, before)
	gp := in
	gp.Method = "group_policy"
	var got rds.SessionHost
	shNoErr(t, runOp(t, h, testAdmin, "set_session_host_licensing", gp, &got))
	if p := h.State().SessionHost.PolicyLicensingMode; p == nil || *p != 2 || got.RDSHInstalled {
		t.Errorf("pending install: policy mode %v rdsh_installed %v", p, got.RDSHInstalled)
	}
}

func TestSessionHostSetInvalidInput(t *testing.T) {
	s := shFleet(t)
	h := shHost(t, s, "RDSH01")
	before := h.State().SessionHost
	ok := rds.SessionHostLicensingInput{Method: "wmi", LicensingMode: 2, LicenseServers: []string{"LS01"}}
	for _, c := range []struct {
		mut   func(in *rds.SessionHostLicensingInput)
		parts []string
	}{
		{func(in *rds.SessionHostLicensingInput) { in.Method = "registry" }, []string{`method must be "group_policy" (local policy values, which win over everything else) or "wmi" (Win32_TerminalServiceSetting), not "registry"; nothing was changed on RDSH01`}},
		{func(in *rds.SessionHostLicensingInput) { in.Method = "" }, []string{`not ""`}},
		{func(in *rds.SessionHostLicensingInput) { in.Method = "WMI" }, []string{`not "WMI"`}},
		{func(in *rds.SessionHostLicensingInput) { in.LicensingMode = 5 }, []string{"licensing_mode must be 2 (per device) or 4 (per user) on RDSH01, not 5; to return to not configured (5), use clear_session_host_licensing"}},
		{func(in *rds.SessionHostLicensingInput) { in.LicensingMode = 0 }, []string{"not 0;"}},
		{func(in *rds.SessionHostLicensingInput) { in.LicensingMode = 6 }, []string{"not 6;"}},
		{func(in *rds.SessionHostLicensingInput) { in.LicenseServers = []string{"LS01", ""} }, []string{"license_servers holds an empty license server name; name each license server of RDSH01 by host name, FQDN or IP address"}},
		{func(in *rds.SessionHostLicensingInput) { in.LicenseServers = []string{"ls01, ls02"} }, []string{`license_servers: "ls01, ls02" is not a valid license server name for RDSH01: use a host name, FQDN or IP address`}},
		{func(in *rds.SessionHostLicensingInput) { in.LicenseServers = []string{"LS01", "ls16", "ls01"} }, []string{`license_servers: license server "ls01" is listed twice; each server appears once in the list of RDSH01`}},
	} {
		in := ok
		in.LicenseServers = append([]string(nil), ok.LicenseServers...)
		c.mut(&in)
		wantErr(t, runOp(t, h, testAdmin, "set_session_host_licensing", in, nil), "invalid_input", c.parts...)
	}
	shWantEqual(t, "state after refusals", h.State().SessionHost, before)
}

func TestSessionHostRestartPreChecks(t *testing.T) {
	for _, c := range []struct {
		svc  *Service
		kind string
		msg  string
	}{
		{nil, "not_found", "the Remote Desktop Services service (TermService) does not exist on RDSH01, so restart_service cannot restart it; nothing was changed"},
		{&Service{Status: "Running", StartType: "Disabled"}, "not_supported", "the Remote Desktop Services service (TermService) is disabled on RDSH01, so restart_service cannot restart it; enable the service or set restart_service = false; nothing was changed"},
	} {
		s := shFleet(t)
		h := shHost(t, s, "RDSH01")
		h.Update(func(st *HostState) {
			if c.svc == nil {
				delete(st.Services, ServiceTerminalServices)
			} else {
				st.Services[ServiceTerminalServices] = *c.svc
			}
			st.SessionHost.PolicyLicensingMode = shIntPtr(2)
			st.SessionHost.ConfigLicenseServers = []string{"LS01"}
		})
		before := h.State()
		for _, op := range []struct {
			name string
			in   rds.SessionHostLicensingInput
		}{
			{"set_session_host_licensing", rds.SessionHostLicensingInput{Method: "group_policy", LicensingMode: 4, LicenseServers: []string{"LS01"}, RestartService: true}},
			{"clear_session_host_licensing", rds.SessionHostLicensingInput{Method: "group_policy", RestartService: true}},
		} {
			err := runOp(t, h, testAdmin, op.name, op.in, nil)
			wantErr(t, err, c.kind)
			if err.Message != c.msg {
				t.Errorf("%s: message %q, want %q", op.name, err.Message, c.msg)
			}
		}
		after := h.State()
		shWantEqual(t, "session host state", after.SessionHost, before.SessionHost)
		shWantEqual(t, "services", after.Services, before.Services)
		// Without restart_service the service does not matter.
		shNoErr(t, runOp(t, h, testAdmin, "clear_session_host_licensing", rds.SessionHostLicensingInput{Method: "group_policy"}, nil))
	}
}

func TestSessionHostNoClearinghouseNeeded(t *testing.T) {
	s := shFleet(t)
	s.UpdateClearinghouse(func(ch *ClearinghouseState) { ch.Reachable = false })
	h := shHost(t, s, "RDSH01")
	h.Update(func(st *HostState) { st.Internet = false })
	var got rds.SessionHost
	shNoErr(t, runOp(t, h, testAdmin, "set_session_host_licensing", rds.SessionHostLicensingInput{Method: "wmi", LicensingMode: 4, LicenseServers: []string{"LS01"}}, &got))
	shWantEqual(t, "connectivity without Internet", got.Connectivity, []rds.Connectivity{{Server: "LS01", Status: 11}})
	shNoErr(t, runOp(t, h, testAdmin, "get_session_host", rds.SessionHostInput{CheckServers: []string{"LS01"}}, &got))
	shNoErr(t, runOp(t, h, testAdmin, "clear_session_host_licensing", rds.SessionHostLicensingInput{Method: "wmi"}, &got))
	if got.LicensingType != 5 {
		t.Errorf("licensing_type after clear = %d, want 5", got.LicensingType)
	}
}

// The WMI writes under a policy: what Windows returns (a Quirk) and how
// the scripts' fixed table classifies it.
func TestSessionHostPolicyWriteCodes(t *testing.T) {
	st := NewSessionHost("RDSH01", "2022", "contoso.com", shNow)
	st.Quirks = DefaultQuirks
	st.SessionHost.PolicyLicensingMode = shIntPtr(4)
	st.SessionHost.PolicyLicenseServers = shStrPtr("LS01")

	code := shChangeMode(&st, 2)
	if code != WBEMInvalidOperation || st.SessionHost.ConfigLicensingMode != 5 {
		t.Errorf("ChangeMode under policy: code %#x mode %d", code, st.SessionHost.ConfigLicensingMode)
	}
	err := assertReturn(code, "ChangeMode", shPolicyKinds, "")
	oe, _ := err.(*opError)
	if oe == nil || oe.Kind != "policy_controlled" || oe.Message != "ChangeMode failed with 0x80041016 (WBEM_E_INVALID_OPERATION)" || oe.Code != WBEMInvalidOperation {
		t.Errorf("classified as %+v", oe)
	}
	if code := shSetSpecifiedLicenseServerList(&st, []string{"LS16"}); code != WBEMInvalidOperation || !reflect.DeepEqual(st.SessionHost.ConfigLicenseServers, []string(nil)) {
		t.Errorf("SetSpecifiedLicenseServerList under policy: code %#x list %v", code, st.SessionHost.ConfigLicenseServers)
	}
	if code := shEmptySpecifiedLicenseServerList(&st); code != WBEMInvalidOperation {
		t.Errorf("EmptySpecifiedLicenseServerList under policy: code %#x", code)
	}

	// Another code from Windows: the scripts' table does not know it.
	st.Quirks.PolicyWriteCode = WBEMFailed
	err = assertReturn(shChangeMode(&st, 2), "ChangeMode", shPolicyKinds, "")
	oe, _ = err.(*opError)
	if oe == nil || oe.Kind != "wmi_error" || oe.Message != "ChangeMode failed with 0x80041001 (WBEM_E_FAILED)" {
		t.Errorf("classified as %+v", oe)
	}

	// A Windows that writes the (ignored) value anyway.
	st.Quirks.PolicyWriteCode = 0
	if code := shChangeMode(&st, 2); code != 0 || st.SessionHost.ConfigLicensingMode != 2 {
		t.Errorf("ChangeMode with PolicyWriteCode 0: code %#x mode %d", code, st.SessionHost.ConfigLicensingMode)
	}
	if got := shReadTSSetting(&st).LicensingType; got != 4 {
		t.Errorf("effective mode %d, want the policy's 4", got)
	}

	// ChangeMode takes 0, 1, 2 and 4, not 5.
	st.SessionHost.PolicyLicensingMode = nil
	if code := shChangeMode(&st, 5); code != WBEMInvalidParameter || st.SessionHost.ConfigLicensingMode != 2 {
		t.Errorf("ChangeMode(5): code %#x mode %d", code, st.SessionHost.ConfigLicensingMode)
	}
}

func TestSessionHostClearGroupPolicy(t *testing.T) {
	s := shFleet(t)
	h := shHost(t, s, "RDSH01")
	h.Update(func(st *HostState) {
		st.SessionHost.PolicyLicensingMode = shIntPtr(4)
		st.SessionHost.PolicyLicenseServers = shStrPtr("LS01,LS16")
		st.SessionHost.ConfigLicensingMode = 2
		st.SessionHost.ConfigLicenseServers = []string{"LS25"}
	})
	in := rds.SessionHostLicensingInput{Method: "group_policy", RestartService: true}
	var got rds.SessionHost
	shNoErr(t, runOp(t, h, testAdmin, "clear_session_host_licensing", in, &got))
	st := h.State().SessionHost
	if st.PolicyLicensingMode != nil || st.PolicyLicenseServers != nil || st.TermServiceRestarts != 1 {
		t.Errorf("after clear: %+v", st)
	}
	// The non-policy values are left alone and now take effect.
	if st.ConfigLicensingMode != 2 || got.LicensingType != 2 || got.PolicySourceLicensingType != 0 || got.PolicySourceLicenseServers != 0 {
		t.Errorf("after clear: state %+v result type %d", st, got.LicensingType)
	}
	shWantEqual(t, "specified after clear", got.SpecifiedLicenseServers, []string{"LS25"})
	shWantEqual(t, "connectivity", got.Connectivity, []rds.Connectivity{})

	// Again: nothing to remove, nothing restarted.
	shNoErr(t, runOp(t, h, testAdmin, "clear_session_host_licensing", in, &got))
	if n := h.State().SessionHost.TermServiceRestarts; n != 1 {
		t.Errorf("restarts = %d after a no-op clear, want 1", n)
	}
}

// Without the role LicensingType shows 1 whatever is configured: a clear
// of a host whose RCM value already says 5 changes and restarts nothing.
func TestSessionHostClearWMIWithoutRole(t *testing.T) {
	s := shFleet(t)
	h := shHost(t, s, "RDSH01")
	h.Update(func(st *HostState) { st.Features[FeatureSessionHost] = StateAvailable })
	in := rds.SessionHostLicensingInput{Method: "wmi", RestartService: true}
	var got rds.SessionHost
	shNoErr(t, runOp(t, h, testAdmin, "clear_session_host_licensing", in, &got))
	if got.LicensingType != 1 || got.TerminalServerMode != 0 {
		t.Errorf("result type %d mode %d, want 1 0", got.LicensingType, got.TerminalServerMode)
	}
	if n := h.State().SessionHost.TermServiceRestarts; n != 0 {
		t.Errorf("restarts = %d after a no-op clear, want 0", n)
	}
	// A mode left in the registry is still cleared.
	h.Update(func(st *HostState) { st.SessionHost.ConfigLicensingMode = 4 })
	shNoErr(t, runOp(t, h, testAdmin, "clear_session_host_licensing", in, &got))
	if st := h.State().SessionHost; st.ConfigLicensingMode != 5 || st.TermServiceRestarts != 1 {
		t.Errorf("after clear: mode %d restarts %d", st.ConfigLicensingMode, st.TermServiceRestarts)
	}
}

func TestSessionHostClearWMI(t *testing.T) {
	s := shFleet(t)
	h := shHost(t, s, "RDSH01")
	var got rds.SessionHost
	shNoErr(t, runOp(t, h, testAdmin, "set_session_host_licensing", rds.SessionHostLicensingInput{Method: "wmi", LicensingMode: 4, LicenseServers: []string{"LS01", "LS25"}}, nil))
	in := rds.SessionHostLicensingInput{Method: "wmi", RestartService: true, LicensingMode: 2, LicenseServers: []string{"ignored"}}
	shNoErr(t, runOp(t, h, testAdmin, "clear_session_host_licensing", in, &got))
	st := h.State().SessionHost
	if st.ConfigLicensingMode != 5 || len(st.ConfigLicenseServers) != 0 || st.TermServiceRestarts != 1 {
		t.Errorf("after clear: %+v", st)
	}
	if got.LicensingType != 5 || got.LicensingName != "Not configured" {
		t.Errorf("result %d %q", got.LicensingType, got.LicensingName)
	}
	shWantEqual(t, "config mode", got.ConfigLicensingMode, shIntPtr(5))
	shWantEqual(t, "specified", got.SpecifiedLicenseServers, []string{})

	// Idempotent: nothing left to clear, no restart.
	shNoErr(t, runOp(t, h, testAdmin, "clear_session_host_licensing", in, &got))
	if n := h.State().SessionHost.TermServiceRestarts; n != 1 {
		t.Errorf("restarts = %d after a no-op clear, want 1", n)
	}

	// Only the list left: cleared too.
	h.Update(func(st *HostState) { st.SessionHost.ConfigLicenseServers = []string{"LS01"} })
	shNoErr(t, runOp(t, h, testAdmin, "clear_session_host_licensing", in, &got))
	if st := h.State().SessionHost; len(st.ConfigLicenseServers) != 0 || st.TermServiceRestarts != 2 {
		t.Errorf("after clearing the list: %+v", st)
	}
}

func TestSessionHostClearWMIPolicyControlled(t *testing.T) {
	s := shFleet(t)
	h := shHost(t, s, "RDSH01")
	h.Update(func(st *HostState) {
		st.SessionHost.PolicyLicensingMode = shIntPtr(2)
		st.SessionHost.ConfigLicensingMode = 4
		st.SessionHost.ConfigLicenseServers = []string{"LS01"}
	})
	before := h.State().SessionHost
	err := runOp(t, h, testAdmin, "clear_session_host_licensing", rds.SessionHostLicensingInput{Method: "wmi", RestartService: true}, nil)
	wantErr(t, err, "policy_controlled")
	want := `the licensing mode of RDSH01 is set by Group Policy (` + shPolicyKey + `\LicensingMode = 2); WMI cannot change it. Remove the policy setting, or use method = "group_policy"`
	if err.Message != want {
		t.Errorf("message\n got  %s\n want %s", err.Message, want)
	}
	shWantEqual(t, "state after refusal", h.State().SessionHost, before)
}

func TestSessionHostClearWithoutRole(t *testing.T) {
	// A host whose RD Session Host role is gone (or going) can still be
	// cleaned up.
	for _, state := range []string{StateAvailable, StateUninstallPending} {
		s := shFleet(t)
		h := shHost(t, s, "RDSH01")
		h.Update(func(st *HostState) {
			st.Features[FeatureSessionHost] = state
			st.SessionHost.PolicyLicensingMode = shIntPtr(4)
			st.SessionHost.ConfigLicensingMode = 2
		})
		var got rds.SessionHost
		shNoErr(t, runOp(t, h, testAdmin, "clear_session_host_licensing", rds.SessionHostLicensingInput{Method: "group_policy"}, &got))
		shNoErr(t, runOp(t, h, testAdmin, "clear_session_host_licensing", rds.SessionHostLicensingInput{Method: "wmi"}, &got))
		if st := h.State().SessionHost; st.PolicyLicensingMode != nil || st.ConfigLicensingMode != 5 {
			t.Errorf("%s: after clear %+v", state, st)
		}
		if got.RDSHInstalled {
			t.Errorf("%s: rdsh_installed true", state)
		}
	}
}

func TestSessionHostClearInvalidMethod(t *testing.T) {
	s := shFleet(t)
	h := shHost(t, s, "RDSH01")
	h.Update(func(st *HostState) { st.SessionHost.PolicyLicensingMode = shIntPtr(4) })
	before := h.State().SessionHost
	wantErr(t, runOp(t, h, testAdmin, "clear_session_host_licensing", rds.SessionHostLicensingInput{Method: "gpo"}, nil), "invalid_input",
		`method must be "group_policy" (local policy values, which win over everything else) or "wmi" (Win32_TerminalServiceSetting), not "gpo"; nothing was changed on RDSH01`)
	shWantEqual(t, "state after refusal", h.State().SessionHost, before)
}

// The [ordered] literals of the shared read-back carry exactly the JSON
// keys of rds.SessionHost and rds.Connectivity, in order.
func TestSessionHostScriptKeys(t *testing.T) {
	text, err := os.ReadFile("../rds/scripts/lib/sessionhost.ps1")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile(`(?s)\[ordered\]@\{(.*?)\n\s*\}`).FindAllStringSubmatch(string(text), -1)
	keyRE := regexp.MustCompile(`(?m)^\s*([a-z_]+)\s*=`)
	var got [][]string
	for _, b := range blocks {
		var keys []string
		for _, m := range keyRE.FindAllStringSubmatch(b[1], -1) {
			keys = append(keys, m[1])
		}
		got = append(got, keys)
	}
	tags := func(v any) []string {
		var out []string
		rt := reflect.TypeOf(v)
		for i := 0; i < rt.NumField(); i++ {
			out = append(out, strings.Split(rt.Field(i).Tag.Get("json"), ",")[0])
		}
		return out
	}
	want := [][]string{tags(rds.Connectivity{}), tags(rds.SessionHost{})}
	shWantEqual(t, "[ordered] keys", got, want)

	// The scripts name the operations they implement and keep [ordered]
	// for the library's output objects.
	for _, op := range []string{"get_session_host", "set_session_host_licensing", "clear_session_host_licensing"} {
		b, err := os.ReadFile("../rds/scripts/" + op + ".ps1")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(b), "# operation: "+op+"\n") {
			t.Errorf("%s.ps1 does not start with its header", op)
		}
		if strings.Contains(string(b), "[ordered]") || strings.Contains(string(b), "PLACEHOLDER") {
			t.Errorf("%s.ps1 holds [ordered] or PLACEHOLDER", op)
		}
	}
}
