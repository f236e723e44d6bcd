package winsim_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

type control struct {
	t   *testing.T
	url string
}

func (c control) call(method, path, body string, out any) int {
	c.t.Helper()
	req, err := http.NewRequest(method, c.url+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
	return resp.StatusCode
}

func TestControlAPI(t *testing.T) {
	sim := serveSim(t, winsim.Scenario{Hosts: []winsim.HostState{
		winsim.NewSessionHost("RDSH01", "2022", "contoso.com", time.Now().Add(72*time.Hour)),
	}})
	saved := 0
	srv := httptest.NewServer(sim.ControlHandler(winsim.FastTiming, func() error { saved++; return nil }))
	defer srv.Close()
	c := control{t, srv.URL}

	var hosts []winsim.HostSummary
	if c.call("GET", "/v1/hosts", "", &hosts) != 200 || len(hosts) != 1 || hosts[0].FQDN != "rdsh01.contoso.com" || !hosts[0].Online {
		t.Fatalf("hosts %+v", hosts)
	}
	// Drift by hand: the admin sets per-device mode through the registry.
	var st winsim.HostState
	if code := c.call("PATCH", "/v1/hosts/rdsh01.contoso.com", `{"session_host":{"config_licensing_mode":2}}`, &st); code != 200 || st.SessionHost.ConfigLicensingMode != 2 {
		t.Fatalf("patch: %d %+v", code, st.SessionHost)
	}
	if sim.Host("RDSH01").State().SessionHost.ConfigLicensingMode != 2 {
		t.Fatal("patch not applied")
	}
	if code := c.call("PATCH", "/v1/hosts/RDSH01", `{"no_such_field":1}`, nil); code != 400 {
		t.Fatalf("unknown field: %d", code)
	}
	if code := c.call("PATCH", "/v1/hosts/RDSH01", `{"os":"2012"}`, nil); code != 400 {
		t.Fatalf("bad os: %d", code)
	}
	// A domain GPO linked to the domain applies at a policy refresh.
	sim.UpdateDomain("contoso.com", func(d *winsim.DomainState) {
		d.GPOs = append(d.GPOs, winsim.GPOState{ID: "g1", Name: "RDS", Links: []winsim.GPOLink{{Target: "DC=contoso,DC=com", Enabled: true, Order: 1}},
			Settings: []winsim.GPOSetting{{Key: `HKLM\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services`, ValueName: "LicensingMode", Type: "DWord", Value: "4"}}})
	})
	var domains []winsim.DomainState
	if c.call("GET", "/v1/domains", "", &domains) != 200 || len(domains) != 1 || len(domains[0].GPOs) != 1 {
		t.Fatalf("domains %+v", domains)
	}
	if code := c.call("POST", "/v1/hosts/RDSH01/gpupdate", "", nil); code != 204 {
		t.Fatalf("gpupdate: %d", code)
	}
	if m := sim.Host("RDSH01").State().SessionHost.PolicyLicensingMode; m == nil || *m != 4 {
		t.Fatalf("after gpupdate the policy mode is %v, want 4", m)
	}
	// Replace the whole state (PUT), keeping name and address.
	st.SessionHost.ConfigLicenseServers = []string{"ls01.contoso.com"}
	b, _ := json.Marshal(st)
	if code := c.call("PUT", "/v1/hosts/RDSH01", string(b), nil); code != 200 {
		t.Fatalf("put: %d", code)
	}
	if got := sim.Host("RDSH01").State().SessionHost.ConfigLicenseServers; len(got) != 1 || got[0] != "ls01.contoso.com" {
		t.Fatalf("put not applied: %v", got)
	}
	// Add a host; it gets listeners at once.
	var added winsim.HostState
	if code := c.call("POST", "/v1/hosts", `{"name":"LS01","os":"2025","features":{"RDS-Licensing":"Installed"}}`, &added); code != 201 || added.Address == "" || added.WinRM.MaxEnvelopeSizeKB != 500 {
		t.Fatalf("add: %d %+v", code, added)
	}
	if code := c.call("POST", "/v1/hosts", `{"name":"LS01"}`, nil); code != 409 {
		t.Fatalf("duplicate: %d", code)
	}
	// Faults.
	var id map[string]int
	if code := c.call("POST", "/v1/hosts/LS01/faults", `{"type":"http_status","action":"Create","status":503,"count":1}`, &id); code != 201 || id["id"] == 0 {
		t.Fatalf("fault: %d %v", code, id)
	}
	if code := c.call("POST", "/v1/hosts/LS01/faults", `{"type":"op_error","operation":"x"}`, nil); code != 400 {
		t.Fatalf("fault without kind: %d", code)
	}
	if code := c.call("POST", "/v1/hosts/LS01/faults", `{"type":"reboot_at","operation":"install_key_pack","step":"after_wmi","count":1}`, &id); code != 201 {
		t.Fatalf("step fault: %d", code)
	}
	if code := c.call("POST", "/v1/hosts/LS01/faults", `{"type":"crash_at","operation":"install_key_pack","step":"after_write"}`, nil); code != 400 {
		t.Fatalf("step of another operation: %d", code)
	}
	var faults []winsim.Fault
	if c.call("GET", "/v1/hosts/LS01/faults", "", &faults); len(faults) != 2 || faults[1].Step != "after_wmi" || faults[1].Type != winsim.FaultRebootAt {
		t.Fatalf("faults %+v", faults)
	}
	if code := c.call("DELETE", "/v1/hosts/LS01/faults", "", nil); code != 204 || len(sim.Host("LS01").Faults()) != 0 {
		t.Fatalf("clear: %d", code)
	}
	// The Clearinghouse's web activation.
	var lsid map[string]string
	pid := sim.Host("LS01").State().LicenseServer.ProductID
	c.call("GET", "/v1/clearinghouse/license-server-id?product_id="+pid, "", &lsid)
	if lsid["license_server_id"] != winsim.LicenseServerIDFor(pid) || len(lsid["license_server_id"]) != 35 {
		t.Fatalf("license server id %v", lsid)
	}
	if code := c.call("PUT", "/v1/clearinghouse", `{"reachable":false}`, nil); code != 200 || sim.Clearinghouse().Reachable {
		t.Fatalf("clearinghouse: %d", code)
	}
	// Logs, shells, restart, CA, save.
	var log []winsim.LogEntry
	if c.call("GET", "/v1/hosts/LS01/log?since=0", "", &log) != 200 {
		t.Fatal("log")
	}
	if code := c.call("POST", "/v1/hosts/LS01/reboot?ms=100", "", nil); code != 202 {
		t.Fatalf("reboot: %d", code)
	}
	if c.call("GET", "/v1/hosts/nope", "", nil) != 404 {
		t.Fatal("unknown host")
	}
	resp, err := http.Get(srv.URL + "/v1/ca.pem")
	if err != nil {
		t.Fatal(err)
	}
	pem, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if !bytes.HasPrefix(pem, []byte("-----BEGIN CERTIFICATE-----")) {
		t.Fatalf("ca.pem %q", pem)
	}
	if code := c.call("POST", "/v1/save", "", nil); code != 204 || saved != 1 {
		t.Fatalf("save: %d %d", code, saved)
	}
}

func TestScenarioRoundTrip(t *testing.T) {
	in := `{"hosts":[{"name":"LS01","os":"2019","domain":"contoso.com","quirks":{"product_version_2025":9},
	"license_server":{"activated":true,"key_packs":[{"key_pack_id":7,"key_pack_type":2,"product_type":1,"product_version_id":6,"total_licenses":25}]}}],
	"clearinghouse":{"reachable":true,"agreements":[{"agreement_type":1,"number":"1234567","product_version_id":6,"product_type":1,"count":100}]}}`
	sc, err := winsim.LoadScenario(strings.NewReader(in), winsim.FastTiming)
	if err != nil {
		t.Fatal(err)
	}
	h := sc.Hosts[0]
	// What the file names wins; the rest keeps the defaults.
	if h.Quirks.ProductVersion2025 != 9 || h.Quirks.PolicyWriteCode != winsim.DefaultQuirks.PolicyWriteCode || !h.WinRM.HTTPS || h.Realism != winsim.FastTiming {
		t.Fatalf("defaults not kept: %+v %+v", h.Quirks, h.WinRM)
	}
	sim, err := winsim.New(sc)
	if err != nil {
		t.Fatal(err)
	}
	path := t.TempDir() + "/state.json"
	if err := sim.SaveScenarioFile(path); err != nil {
		t.Fatal(err)
	}
	back, err := winsim.LoadScenarioFile(path, winsim.RealisticTiming)
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Hosts) != 1 || back.Hosts[0].LicenseServer.KeyPacks[0].TotalLicenses != 25 || back.Hosts[0].Realism != winsim.FastTiming ||
		len(back.Clearinghouse.Agreements) != 1 || back.Hosts[0].Address != sim.Host("LS01").State().Address {
		t.Fatalf("round trip lost state: %+v", back)
	}
	if _, err := winsim.LoadScenario(strings.NewReader(`{"hosts":[{"name":"X","colour":"red"}]}`), winsim.FastTiming); err == nil || !strings.Contains(err.Error(), "colour") {
		t.Fatalf("unknown field: %v", err)
	}
}

// A fault whose selector cannot match its type would never fire: it is
// refused, naming the field.
func TestFaultSelectorsAreValidated(t *testing.T) {
	sim, err := winsim.New(winsim.Scenario{Hosts: []winsim.HostState{winsim.NewLicenseServerHost("LS01", "2022", "")}})
	if err != nil {
		t.Fatal(err)
	}
	h := sim.Host("LS01")
	for _, tc := range []struct {
		f    winsim.Fault
		want string // "" when accepted
	}{
		// An HTTP-level fault with an operation fires on the Send of its request.
		{winsim.Fault{Type: winsim.FaultSOAP, Operation: "install_key_pack"}, ""},
		{winsim.Fault{Type: winsim.FaultHTTPStatus, Operation: "get_role", Status: 503}, ""},
		{winsim.Fault{Type: winsim.FaultDropBefore, Action: "Send", Operation: "get_role"}, ""},
		{winsim.Fault{Type: winsim.FaultDropAfter, Action: "Receive", Operation: "get_role"}, "Send carrying its request"},
		{winsim.Fault{Type: winsim.FaultOpError, Operation: "get_role", Action: "Receive", Kind: "wmi_error"}, "action"},
		{winsim.Fault{Type: winsim.FaultCrashAfter, Operation: "get_role", Action: "Send"}, "action"},
		{winsim.Fault{Type: winsim.FaultDelay, Action: "Send", Operation: "get_role", DelayMS: 10}, "not both"},
		{winsim.Fault{Type: winsim.FaultHTTPStatus, Action: "Enumerate", Status: 503}, "action"},
		{winsim.Fault{Type: winsim.FaultHTTPStatus, Action: "create", Status: 503}, ""},
		{winsim.Fault{Type: winsim.FaultDropAfter}, ""},
		{winsim.Fault{Type: winsim.FaultDelay, Action: "Receive", DelayMS: 10}, ""},
		{winsim.Fault{Type: winsim.FaultDelay, Operation: "get_role", DelayMS: 10}, ""},
		// Step faults name an operation with steps and one of its steps.
		{winsim.Fault{Type: winsim.FaultCrashAt, Operation: "install_key_pack", Step: "before_wmi"}, ""},
		{winsim.Fault{Type: winsim.FaultRebootAt, Operation: "Install_Key_Pack", Step: "after_journal"}, ""},
		{winsim.Fault{Type: winsim.FaultCrashAt, Operation: "write_key_pack_journal", Step: "after_write"}, ""},
		{winsim.Fault{Type: winsim.FaultCrashAt, Operation: "install_key_pack"}, "before_wmi, after_wmi, after_journal"},
		{winsim.Fault{Type: winsim.FaultRebootAt, Operation: "install_key_pack", Step: "after_write"}, "not \"after_write\""},
		{winsim.Fault{Type: winsim.FaultCrashAt, Operation: "get_role", Step: "before_wmi"}, "has none"},
		{winsim.Fault{Type: winsim.FaultRebootAt, Operation: "install_role", Step: "after_features"}, ""},
		{winsim.Fault{Type: winsim.FaultRebootAt, Operation: "set_session_host_licensing", Step: "after_write"}, ""},
		{winsim.Fault{Type: winsim.FaultRebootAt, Operation: "deactivate_license_server", Step: "after_wmi"}, ""},
		{winsim.Fault{Type: winsim.FaultRebootAt, Step: "before_wmi"}, "needs an operation"},
		{winsim.Fault{Type: winsim.FaultCrashAt, Action: "Send", Operation: "install_key_pack", Step: "before_wmi"}, "action"},
		{winsim.Fault{Type: winsim.FaultCrashAfter, Operation: "install_key_pack", Step: "before_wmi"}, "takes no step"},
		{winsim.Fault{Type: winsim.FaultDropAfter, Step: "after_wmi"}, "takes no step"},
	} {
		_, err := h.AddFault(tc.f)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%+v refused: %v", tc.f, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%+v: error %v, want one naming %q", tc.f, err, tc.want)
		}
	}
}

func (c control) raw(method, path, body, token string) (int, string) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.url+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// The control API never answers with a password, code or number; a state
// read and sent back keeps them; a placeholder that stands for nothing is
// refused.
func TestControlAPIRedactsSecrets(t *testing.T) {
	const (
		password  = "Adm1n-S3cret!"
		retail    = "BCDFGHJKMPQRTVWXY23467892"
		used      = "CDFGHJKMPQRTVWXY234678923"
		agreement = "6543210"
		openLic   = "87654321"
		openAuth  = "AUTHAUTHAUTH123"
		offline   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ123456789"
	)
	ls := winsim.NewLicenseServerHost("LS01", "2022", "contoso.com")
	ls.Users = append(ls.Users, winsim.User{Name: "ops", Password: password, Admin: true})
	ls.CertMappings = []winsim.CertMapping{{URI: "*", Subject: "ops@localhost", Issuer: "00", UserName: "ops", Password: password, Enabled: true}}
	ls.LicenseServer.KeyPacks = append(ls.LicenseServer.KeyPacks, winsim.KeyPackState{
		KeyPackID: 7, KeyPackType: 1, ProductType: 1, ProductVersionID: 7, TotalLicenses: 20,
		ExpirationDate: time.Date(2038, 1, 19, 3, 14, 7, 0, time.UTC), Source: "retail:" + used,
	})
	sim := serveSim(t, winsim.Scenario{Hosts: []winsim.HostState{ls}, Clearinghouse: winsim.ClearinghouseState{
		Reachable:    true,
		RetailCodes:  []winsim.RetailCode{{Code: retail, ProductVersionID: 7, ProductType: 1, Count: 5}},
		Agreements:   []winsim.Agreement{{AgreementType: 4, Number: agreement, ProductVersionID: 7, Count: 50}},
		OpenLicenses: []winsim.OpenLicense{{LicenseNumber: openLic, AuthorizationNumber: openAuth, ProductVersionID: 7, Count: 10}},
		KeyPackIDs:   []winsim.OfflineKeyPack{{ID: offline, ProductVersionID: 7, Count: 5}},
	}})
	srv := httptest.NewServer(sim.ControlHandler(winsim.FastTiming, nil))
	defer srv.Close()
	c := control{t, srv.URL}

	var host string
	for _, path := range []string{"/v1/hosts", "/v1/hosts/LS01", "/v1/scenario", "/v1/clearinghouse", "/v1/hosts/LS01/log", "/v1/info"} {
		code, body := c.raw("GET", path, "", "")
		if code != 200 {
			t.Fatalf("GET %s: %d %s", path, code, body)
		}
		for _, secret := range []string{password, winsim.DefaultPassword, retail, used, agreement, openLic, openAuth, offline} {
			if strings.Contains(body, secret) {
				t.Errorf("GET %s answers with the secret %q", path, secret)
			}
		}
		if path == "/v1/hosts/LS01" {
			host = body
			if !strings.Contains(body, `"source": "retail:`+winsim.Redacted+`"`) || !strings.Contains(body, `"password": "`+winsim.Redacted+`"`) {
				t.Errorf("the placeholders are missing: %s", body)
			}
		}
	}

	// Read, change, send back: the secrets stay.
	host = strings.Replace(host, `"server_role": 0`, `"server_role": 1`, 1)
	if code, body := c.raw("PUT", "/v1/hosts/LS01", host, ""); code != 200 {
		t.Fatalf("PUT: %d %s", code, body)
	}
	st := sim.Host("LS01").State()
	if st.LicenseServer.ServerRole != 1 {
		t.Error("the PUT was not applied")
	}
	pw := map[string]string{}
	for _, u := range st.Users {
		pw[u.Name] = u.Password
	}
	if pw["ops"] != password || pw["Administrator"] != winsim.DefaultPassword || st.CertMappings[0].Password != password {
		t.Errorf("passwords after the PUT: %v, certificate mapping %q", pw, st.CertMappings[0].Password)
	}
	if src := st.LicenseServer.KeyPacks[len(st.LicenseServer.KeyPacks)-1].Source; src != "retail:"+used {
		t.Errorf("key pack source after the PUT: %q", src)
	}

	// Placeholders that stand for nothing are refused.
	stranger := strings.Replace(host, `"name": "ops"`, `"name": "stranger"`, 1)
	if code, body := c.raw("PUT", "/v1/hosts/LS01", stranger, ""); code != 400 || !strings.Contains(body, "stranger") {
		t.Errorf("PUT with a placeholder for a new user: %d %s", code, body)
	}
	_, ch := c.raw("GET", "/v1/clearinghouse", "", "")
	if code, body := c.raw("PUT", "/v1/clearinghouse", ch, ""); code != 400 || !strings.Contains(body, "send the real ones") {
		t.Errorf("PUT of a redacted Clearinghouse: %d %s", code, body)
	}
	if got := sim.Clearinghouse().RetailCodes[0].Code; got != retail {
		t.Errorf("the Clearinghouse lost its code: %q", got)
	}
}

// With a token, every request needs it.
func TestControlAPIToken(t *testing.T) {
	sim := serveSim(t, winsim.Scenario{Hosts: []winsim.HostState{winsim.NewHost("WS01", "2022", "")}})
	srv := httptest.NewServer(winsim.RequireToken(sim.ControlHandler(winsim.FastTiming, nil), "t0ken"))
	defer srv.Close()
	c := control{t, srv.URL}
	for _, tc := range []struct {
		token string
		code  int
	}{{"", 401}, {"wrong", 401}, {"t0ken", 200}} {
		if code, body := c.raw("GET", "/v1/hosts", "", tc.token); code != tc.code {
			t.Errorf("token %q: %d %s", tc.token, code, body)
		}
	}
}
