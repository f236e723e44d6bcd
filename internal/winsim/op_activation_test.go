package winsim

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

var (
	domainAdmin     = User{Name: "alice", Domain: "contoso.com", Admin: true, DomainAdmin: true}
	enterpriseAdmin = User{Name: "erin", Domain: "contoso.com", Admin: true, DomainAdmin: true, EnterpriseAdmin: true}
	localAdminOnly  = User{Name: "carol", Domain: "contoso.com", Admin: true}
)

// lsSim is a fleet with one license server and a reachable Clearinghouse.
func lsSim(t *testing.T, domain string, edit func(st *HostState)) (*Sim, *Host) {
	t.Helper()
	st := NewLicenseServerHost("LS01", "2022", domain)
	st.Quirks = DefaultQuirks
	st.LicenseServer.ProductID = productID(st.Name) // what winsim would give it; edits may need it
	if edit != nil {
		edit(&st)
	}
	s := newTestSim(t, Scenario{Hosts: []HostState{st}, Clearinghouse: ClearinghouseState{Reachable: true}})
	return s, s.Host("LS01")
}

func withContact(st *HostState) {
	st.LicenseServer.FirstName = "Ada"
	st.LicenseServer.LastName = "Lovelace"
	st.LicenseServer.Company = "Contoso"
	st.LicenseServer.CountryRegion = "United Kingdom"
}

func activated(st *HostState) {
	withContact(st)
	st.LicenseServer.Activated = true
	st.LicenseServer.LicenseServerID = LicenseServerIDFor(st.LicenseServer.ProductID)
}

func TestGetLicenseServerWorkgroup(t *testing.T) {
	_, h := lsSim(t, "", nil)
	var got rds.LicenseServer
	if err := runOp(t, h, testAdmin, "get_license_server", rds.NoInput{}, &got); err != nil {
		t.Fatalf("get_license_server: %v", err)
	}
	want := rds.LicenseServer{
		ActivationStatus: 1,
		ProductID:        h.State().LicenseServer.ProductID,
		PartOfDomain:     false,
		Domain:           "WORKGROUP",
		OSVersion:        "2022",
		ComputerName:     "LS01",
		DNSHostName:      "ls01",
		ServiceStatus:    "Running",
		DatabasePath:     `C:\Windows\system32\LServer\`,
		Version:          "10.0.20348",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("get_license_server:\n got %+v\nwant %+v", got, want)
	}
}

func TestGetLicenseServerDomainActivated(t *testing.T) {
	_, h := lsSim(t, "contoso.com", func(st *HostState) {
		activated(st)
		st.LicenseServer.Email = "ada@contoso.com"
		st.LicenseServer.City = "London"
		st.LicenseServer.ServerRole = 1
		st.LicenseServer.InTSLSGroup = true
		st.DomainController = true
	})
	var got rds.LicenseServer
	if err := runOp(t, h, testAdmin, "get_license_server", rds.NoInput{}, &got); err != nil {
		t.Fatalf("get_license_server: %v", err)
	}
	st := h.State()
	if got.ActivationStatus != 0 || got.LicenseServerID != LicenseServerIDFor(st.LicenseServer.ProductID) || len(got.LicenseServerID) != 35 {
		t.Errorf("activation: %d %q", got.ActivationStatus, got.LicenseServerID)
	}
	wantContact := rds.Contact{FirstName: "Ada", LastName: "Lovelace", Company: "Contoso", CountryRegion: "United Kingdom", Email: "ada@contoso.com", City: "London"}
	if got.Contact != wantContact {
		t.Errorf("contact %+v", got.Contact)
	}
	if got.InTSLSGroup == nil || !*got.InTSLSGroup || got.TSLSGroupError != "" {
		t.Errorf("in_tsls_group %v (%q)", got.InTSLSGroup, got.TSLSGroupError)
	}
	if got.ServerRole != 1 || !got.OnDomainController || !got.PartOfDomain || got.Domain != "contoso.com" || got.DNSHostName != "ls01.contoso.com" {
		t.Errorf("get_license_server: %+v", got)
	}
}

// The license server operations need the role, installed and past its restart.
func TestLicenseServerOpsNeedRole(t *testing.T) {
	ops := map[string]any{
		"get_license_server":         rds.NoInput{},
		"set_license_server_contact": rds.Contact{FirstName: "Ada"},
		"activate_license_server":    rds.ActivationInput{Method: "automatic"},
		"reactivate_license_server":  rds.ActivationInput{Method: "automatic"},
		"deactivate_license_server":  rds.ActivationInput{Method: "automatic"},
		"set_discovery_scope":        rds.ScopeInput{ServerRole: 1},
		"set_tsls_group_membership":  rds.GroupInput{Member: true},
	}
	missing := bareHost("SRV1", "contoso.com")
	pending := bareHost("SRV2", "contoso.com")
	pending.Features = map[string]string{FeatureLicensing: StateInstallPending}
	s := newTestSim(t, Scenario{Hosts: []HostState{missing, pending}, Clearinghouse: ClearinghouseState{Reachable: true}})
	for name, in := range ops {
		before := s.Host("SRV1").State()
		err := runOp(t, s.Host("SRV1"), enterpriseAdmin, name, in, nil)
		wantErr(t, err, "role_missing", "the RD Licensing role service (RDS-Licensing) is not installed on SRV1")
		if err.Code != WBEMInvalidClass {
			t.Errorf("%s: code %#x", name, err.Code)
		}
		if !reflect.DeepEqual(s.Host("SRV1").State(), before) {
			t.Errorf("%s changed a host without the role", name)
		}
		err = runOp(t, s.Host("SRV2"), enterpriseAdmin, name, in, nil)
		wantErr(t, err, "reboot_pending", "the RD Licensing role service (RDS-Licensing) on SRV2 is installed but waits for a restart")
	}
}

func TestSetContact(t *testing.T) {
	_, h := lsSim(t, "", nil)
	in := rds.Contact{FirstName: "Ada", LastName: "Lovelace", Company: "Contoso", CountryRegion: "Germany", City: "Berlin"}
	var got rds.ContactChange
	if err := runOp(t, h, testAdmin, "set_license_server_contact", in, &got); err != nil {
		t.Fatalf("set contact: %v", err)
	}
	wantChanged := []string{"CountryRegion", "FirstName", "LastName", "Company", "City"}
	if !reflect.DeepEqual(got.Changed, wantChanged) || got.Contact != in {
		t.Fatalf("set contact: %+v", got)
	}
	ls := h.State().LicenseServer
	if ls.FirstName != "Ada" || ls.CountryRegion != "Germany" || ls.City != "Berlin" || ls.Email != "" {
		t.Fatalf("state: %+v", ls)
	}

	// The same contact again changes nothing; the list is empty, not null.
	if err := runOp(t, h, testAdmin, "set_license_server_contact", in, &got); err != nil {
		t.Fatalf("set contact again: %v", err)
	}
	if got.Changed == nil || len(got.Changed) != 0 || got.Contact != in {
		t.Fatalf("second set contact: %+v", got)
	}

	// Empty strings clear; values compare case-sensitively.
	in2 := rds.Contact{FirstName: "ada", LastName: "Lovelace", Company: "Contoso", CountryRegion: "Germany", Email: "ada@contoso.com"}
	if err := runOp(t, h, testAdmin, "set_license_server_contact", in2, &got); err != nil {
		t.Fatalf("set contact 2: %v", err)
	}
	if want := []string{"FirstName", "eMail", "City"}; !reflect.DeepEqual(got.Changed, want) || got.Contact != in2 {
		t.Fatalf("set contact 2: %+v", got)
	}
	if ls := h.State().LicenseServer; ls.City != "" || ls.Email != "ada@contoso.com" || ls.FirstName != "ada" {
		t.Fatalf("state: %+v", ls)
	}
}

func TestSetContactUnknownCountry(t *testing.T) {
	_, h := lsSim(t, "", nil)
	before := h.State()
	in := rds.Contact{FirstName: "Ada", LastName: "Lovelace", Company: "Contoso", CountryRegion: "Atlantis"}
	err := runOp(t, h, testAdmin, "set_license_server_contact", in, nil)
	wantErr(t, err, "invalid_input")
	want := "CountryRegion 'Atlantis' is not a country/region name the license server on LS01 accepts; use the English name as RD Licensing Manager lists it, e.g. 'United States', 'United Kingdom', 'Germany'"
	if err.Message != want || err.Code != WBEMInvalidParameter {
		t.Fatalf("message %q code %#x", err.Message, err.Code)
	}
	// CountryRegion goes first, so nothing else was written.
	if !reflect.DeepEqual(h.State(), before) {
		t.Fatalf("a rejected country changed the contact: %+v", h.State().LicenseServer)
	}

	// Country names match without regard to case.
	in.CountryRegion = "united states"
	if err := runOp(t, h, testAdmin, "set_license_server_contact", in, nil); err != nil {
		t.Fatalf("lower-case country: %v", err)
	}
}

func TestSetContactAcceptAnyCountryQuirk(t *testing.T) {
	_, h := lsSim(t, "", func(st *HostState) { st.Quirks.AcceptAnyCountry = true })
	var got rds.ContactChange
	if err := runOp(t, h, testAdmin, "set_license_server_contact", rds.Contact{CountryRegion: "中国"}, &got); err != nil {
		t.Fatalf("set contact: %v", err)
	}
	if !reflect.DeepEqual(got.Changed, []string{"CountryRegion"}) || h.State().LicenseServer.CountryRegion != "中国" {
		t.Fatalf("set contact: %+v", got)
	}
}

func TestActivateAutomatic(t *testing.T) {
	_, h := lsSim(t, "", withContact)
	var got rds.ActivationResult
	if err := runOp(t, h, testAdmin, "activate_license_server", rds.ActivationInput{Method: "automatic"}, &got); err != nil {
		t.Fatalf("activate: %v", err)
	}
	wantID := LicenseServerIDFor(h.State().LicenseServer.ProductID)
	if got != (rds.ActivationResult{ActivationStatus: 0, LicenseServerID: wantID, Changed: true}) {
		t.Fatalf("activate: %+v", got)
	}
	if ls := h.State().LicenseServer; !ls.Activated || ls.LicenseServerID != wantID {
		t.Fatalf("state: %+v", ls)
	}
	// Activated already: nothing to do, even without the Clearinghouse.
	h.Update(func(st *HostState) { st.Internet = false })
	if err := runOp(t, h, testAdmin, "activate_license_server", rds.ActivationInput{Method: "automatic"}, &got); err != nil {
		t.Fatalf("activate again: %v", err)
	}
	if got != (rds.ActivationResult{ActivationStatus: 0, LicenseServerID: wantID, Changed: false}) {
		t.Fatalf("activate again: %+v", got)
	}
}

func TestActivateAutomaticMissingContact(t *testing.T) {
	_, h := lsSim(t, "", func(st *HostState) {
		st.LicenseServer.FirstName = "Ada"
		st.LicenseServer.LastName = "Lovelace"
		st.LicenseServer.Company = "   "
	})
	err := runOp(t, h, testAdmin, "activate_license_server", rds.ActivationInput{Method: "automatic"}, nil)
	wantErr(t, err, "invalid_input")
	want := "cannot activate the license server on LS01 automatically: the Microsoft Clearinghouse requires the contact properties FirstName, LastName, Company and CountryRegion; empty: Company, CountryRegion; set them first"
	if err.Message != want {
		t.Fatalf("message %q", err.Message)
	}
	if h.State().LicenseServer.Activated {
		t.Fatalf("activated anyway")
	}
}

func TestActivateAutomaticClearinghouseUnreachable(t *testing.T) {
	for _, c := range []struct {
		name string
		cut  func(s *Sim, h *Host)
	}{
		{"no Internet", func(s *Sim, h *Host) { h.Update(func(st *HostState) { st.Internet = false }) }},
		{"Clearinghouse down", func(s *Sim, h *Host) { s.UpdateClearinghouse(func(ch *ClearinghouseState) { ch.Reachable = false }) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, h := lsSim(t, "", withContact)
			c.cut(s, h)
			pid := h.State().LicenseServer.ProductID
			err := runOp(t, h, testAdmin, "activate_license_server", rds.ActivationInput{Method: "automatic"}, nil)
			wantErr(t, err, "clearinghouse_unreachable",
				"the license server LS01 could not reach the Microsoft Clearinghouse, which it must reach over outbound TCP 443 (HTTPS)",
				`can be activated with method = "license_server_id"`,
				"this server's product ID "+pid,
				": ActivateServerAutomatic failed with 0x80041009 (WBEM_E_NOT_AVAILABLE)")
			if err.Code != WBEMNotAvailable {
				t.Errorf("code %#x", err.Code)
			}
			if ls := h.State().LicenseServer; ls.Activated || ls.LicenseServerID != "" {
				t.Fatalf("state: %+v", ls)
			}
		})
	}
}

// When Windows answers the Clearinghouse failure with another code, the
// script's table does not know it: wmi_error with the generic context.
func TestActivateAutomaticOtherUnreachableCode(t *testing.T) {
	_, h := lsSim(t, "", func(st *HostState) {
		withContact(st)
		st.Internet = false
		st.Quirks.ClearinghouseUnreachableCode = WBEMFailed
	})
	err := runOp(t, h, testAdmin, "activate_license_server", rds.ActivationInput{Method: "automatic"}, nil)
	wantErr(t, err, "wmi_error")
	if want := "activating the license server on LS01: ActivateServerAutomatic failed with 0x80041001 (WBEM_E_FAILED)"; err.Message != want {
		t.Fatalf("message %q", err.Message)
	}
}

func TestActivateWithLicenseServerID(t *testing.T) {
	// No Internet, no contact: the telephone/web method needs neither.
	_, h := lsSim(t, "", func(st *HostState) { st.Internet = false })
	id := LicenseServerIDFor(h.State().LicenseServer.ProductID)
	var got rds.ActivationResult
	if err := runOp(t, h, testAdmin, "activate_license_server", rds.ActivationInput{Method: "license_server_id", LicenseServerID: strings.ToLower(id)}, &got); err != nil {
		t.Fatalf("activate: %v", err)
	}
	if got != (rds.ActivationResult{ActivationStatus: 0, LicenseServerID: id, Changed: true}) {
		t.Fatalf("activate: %+v", got)
	}
}

func TestActivateWithWrongLicenseServerID(t *testing.T) {
	_, h := lsSim(t, "", nil)
	pid := h.State().LicenseServer.ProductID
	wrong := LicenseServerIDFor("some-other-product-id")
	err := runOp(t, h, testAdmin, "activate_license_server", rds.ActivationInput{Method: "license_server_id", LicenseServerID: wrong}, nil)
	wantErr(t, err, "invalid_code",
		"the license server on LS01 was not activated: the Clearinghouse did not accept the license server ID for product ID "+pid+"; check that it was issued for this server's product ID",
		": ActivateServer failed with 0x80041008 (WBEM_E_INVALID_PARAMETER)")
	if strings.Contains(err.Message, wrong) {
		t.Fatalf("the message echoes the license server ID")
	}
	if h.State().LicenseServer.Activated {
		t.Fatalf("activated with a wrong ID")
	}
}

func TestActivateWithWrongLicenseServerIDOtherCode(t *testing.T) {
	_, h := lsSim(t, "", func(st *HostState) { st.Quirks.InvalidCodeCode = WBEMFailed })
	err := runOp(t, h, testAdmin, "activate_license_server", rds.ActivationInput{Method: "license_server_id", LicenseServerID: strings.Repeat("B", 35)}, nil)
	wantErr(t, err, "wmi_error")
	if want := "activating the license server on LS01: ActivateServer failed with 0x80041001 (WBEM_E_FAILED)"; err.Message != want {
		t.Fatalf("message %q", err.Message)
	}
}

func TestActivationInputChecks(t *testing.T) {
	_, h := lsSim(t, "", withContact)
	badIDs := []string{"", "ABC", strings.Repeat("A", 34), strings.Repeat("A", 36), strings.Repeat("ABCDE-", 6) + "ABCDE", strings.Repeat("A", 34) + "!", strings.Repeat("A", 35) + "\n"}
	for _, op := range []struct{ name, verb string }{{"activate_license_server", "activate"}, {"reactivate_license_server", "reactivate"}} {
		err := runOp(t, h, testAdmin, op.name, rds.ActivationInput{Method: "phone"}, nil)
		wantErr(t, err, "invalid_input")
		if want := `cannot ` + op.verb + ` the license server on LS01: method must be "automatic" or "license_server_id", not "phone"`; err.Message != want {
			t.Errorf("%s: message %q", op.name, err.Message)
		}
		for _, id := range badIDs {
			err := runOp(t, h, testAdmin, op.name, rds.ActivationInput{Method: "license_server_id", LicenseServerID: id}, nil)
			wantErr(t, err, "invalid_input")
			if want := "cannot " + op.verb + " the license server on LS01: license_server_id must be the 35 letters and digits of a license server ID, without hyphens or spaces"; err.Message != want {
				t.Errorf("%s %q: message %q", op.name, id, err.Message)
			}
		}
	}
	if h.State().LicenseServer.Activated {
		t.Fatalf("invalid input activated the server")
	}
}

func TestReactivate(t *testing.T) {
	_, h := lsSim(t, "", activated)
	id := h.State().LicenseServer.LicenseServerID
	var got rds.ActivationResult
	for reason := 0; reason <= 4; reason++ {
		if err := runOp(t, h, testAdmin, "reactivate_license_server", rds.ActivationInput{Method: "automatic", Reason: reason}, &got); err != nil {
			t.Fatalf("reactivate reason %d: %v", reason, err)
		}
		if got != (rds.ActivationResult{ActivationStatus: 0, LicenseServerID: id, Changed: true}) {
			t.Fatalf("reactivate: %+v", got)
		}
	}
	// By license server ID, without Internet.
	h.Update(func(st *HostState) { st.Internet = false })
	if err := runOp(t, h, testAdmin, "reactivate_license_server", rds.ActivationInput{Method: "license_server_id", LicenseServerID: id}, &got); err != nil {
		t.Fatalf("reactivate by ID: %v", err)
	}
	if got != (rds.ActivationResult{ActivationStatus: 0, LicenseServerID: id, Changed: true}) {
		t.Fatalf("reactivate by ID: %+v", got)
	}
	err := runOp(t, h, testAdmin, "reactivate_license_server", rds.ActivationInput{Method: "license_server_id", LicenseServerID: strings.Repeat("C", 35)}, nil)
	wantErr(t, err, "invalid_code", "the license server on LS01 was not reactivated: the Clearinghouse did not accept the license server ID for product ID",
		": ReactivateServer failed with 0x80041008 (WBEM_E_INVALID_PARAMETER)")

	err = runOp(t, h, testAdmin, "reactivate_license_server", rds.ActivationInput{Method: "automatic", Reason: 1}, nil)
	wantErr(t, err, "clearinghouse_unreachable",
		"the license server LS01 could not reach the Microsoft Clearinghouse, which it must reach over outbound TCP 443 (HTTPS)",
		`can be reactivated with method = "license_server_id"`,
		": ReactivateServerAutomatic failed with 0x80041009 (WBEM_E_NOT_AVAILABLE)")
	if ls := h.State().LicenseServer; !ls.Activated || ls.LicenseServerID != id {
		t.Fatalf("a failed reactivation changed the activation: %+v", ls)
	}
}

func TestReactivateFailures(t *testing.T) {
	_, h := lsSim(t, "", withContact)
	err := runOp(t, h, testAdmin, "reactivate_license_server", rds.ActivationInput{Method: "automatic"}, nil)
	wantErr(t, err, "not_activated")
	if want := "the license server on LS01 is not activated (activation status 1); activate it before reactivating it"; err.Message != want {
		t.Fatalf("message %q", err.Message)
	}
	for _, reason := range []int{-1, 5} {
		err := runOp(t, h, testAdmin, "reactivate_license_server", rds.ActivationInput{Method: "automatic", Reason: reason}, nil)
		wantErr(t, err, "invalid_input", "cannot reactivate the license server on LS01: reason must be 0 (redeployed), 1 (certificate corrupt), 2 (private key compromised), 3 (activation key expired) or 4 (server upgraded), not ")
	}

	_, h = lsSim(t, "", func(st *HostState) {
		activated(st)
		st.LicenseServer.LastName = ""
	})
	err = runOp(t, h, testAdmin, "reactivate_license_server", rds.ActivationInput{Method: "automatic"}, nil)
	wantErr(t, err, "invalid_input")
	if want := "cannot reactivate the license server on LS01 automatically: the Microsoft Clearinghouse requires the contact properties FirstName and LastName; empty: LastName; set them first"; err.Message != want {
		t.Fatalf("message %q", err.Message)
	}
}

func TestDeactivate(t *testing.T) {
	_, h := lsSim(t, "", func(st *HostState) {
		activated(st)
		st.LicenseServer.KeyPacks = append(st.LicenseServer.KeyPacks, KeyPackState{KeyPackID: 2, KeyPackType: 2, ProductType: 1, ProductVersionID: 7, TotalLicenses: 50})
	})
	var got rds.ActivationResult
	if err := runOp(t, h, testAdmin, "deactivate_license_server", rds.ActivationInput{Method: "automatic"}, &got); err != nil {
		t.Fatalf("deactivate: %v", err)
	}
	if got != (rds.ActivationResult{ActivationStatus: 1, LicenseServerID: "", Changed: true}) {
		t.Fatalf("deactivate: %+v", got)
	}
	ls := h.State().LicenseServer
	if ls.Activated || ls.LicenseServerID != "" || len(ls.KeyPacks) != 2 {
		t.Fatalf("state: %+v", ls)
	}
	// Not activated: nothing to do, even without the Clearinghouse.
	h.Update(func(st *HostState) { st.Internet = false })
	if err := runOp(t, h, testAdmin, "deactivate_license_server", rds.ActivationInput{Method: "automatic"}, &got); err != nil {
		t.Fatalf("deactivate again: %v", err)
	}
	if got != (rds.ActivationResult{ActivationStatus: 1, Changed: false}) {
		t.Fatalf("deactivate again: %+v", got)
	}
}

func TestDeactivateFailures(t *testing.T) {
	_, h := lsSim(t, "", func(st *HostState) {
		activated(st)
		st.Internet = false
	})
	err := runOp(t, h, testAdmin, "deactivate_license_server", rds.ActivationInput{Method: "license_server_id"}, nil)
	wantErr(t, err, "invalid_input")
	if want := `cannot deactivate the license server on LS01 with method "license_server_id": only "automatic" (over the Internet) is supported; deactivating by telephone needs a confirmation code entered in RD Licensing Manager`; err.Message != want {
		t.Fatalf("message %q", err.Message)
	}
	err = runOp(t, h, testAdmin, "deactivate_license_server", rds.ActivationInput{Method: "automatic"}, nil)
	wantErr(t, err, "clearinghouse_unreachable")
	if want := "the license server LS01 could not reach the Microsoft Clearinghouse, which it must reach over outbound TCP 443 (HTTPS); without Internet access, deactivate it by telephone with RD Licensing Manager: DeactivateServerAutomatic failed with 0x80041009 (WBEM_E_NOT_AVAILABLE)"; err.Message != want {
		t.Fatalf("message %q", err.Message)
	}
	if !h.State().LicenseServer.Activated {
		t.Fatalf("deactivated without the Clearinghouse")
	}

	h.Update(func(st *HostState) {
		st.Internet = true
		st.LicenseServer.FirstName = ""
		st.LicenseServer.LastName = ""
	})
	err = runOp(t, h, testAdmin, "deactivate_license_server", rds.ActivationInput{Method: "automatic"}, nil)
	wantErr(t, err, "invalid_input")
	if want := "cannot deactivate the license server on LS01 automatically: the Microsoft Clearinghouse requires the contact properties FirstName and LastName; empty: FirstName, LastName; set them first"; err.Message != want {
		t.Fatalf("message %q", err.Message)
	}
	if !h.State().LicenseServer.Activated {
		t.Fatalf("deactivated without a contact")
	}
}

func TestSetDiscoveryScope(t *testing.T) {
	_, h := lsSim(t, "contoso.com", nil)
	var got rds.ScopeResult
	if err := runOp(t, h, domainAdmin, "set_discovery_scope", rds.ScopeInput{ServerRole: 1}, &got); err != nil {
		t.Fatalf("scope 1: %v", err)
	}
	if got != (rds.ScopeResult{ServerRole: 1, Changed: true}) || h.State().LicenseServer.ServerRole != 1 {
		t.Fatalf("scope 1: %+v", got)
	}
	if err := runOp(t, h, localAdminOnly, "set_discovery_scope", rds.ScopeInput{ServerRole: 1}, &got); err != nil {
		t.Fatalf("scope 1 again: %v", err)
	}
	if got != (rds.ScopeResult{ServerRole: 1, Changed: false}) {
		t.Fatalf("scope 1 again: %+v", got)
	}
	// Forest scope needs an Enterprise Admin.
	err := runOp(t, h, domainAdmin, "set_discovery_scope", rds.ScopeInput{ServerRole: 2}, nil)
	wantErr(t, err, "access_denied")
	if want := "changing the discovery scope of the license server on LS01 to 2 (forest) needs an account that is an Enterprise Admin of the forest: ChangeRole failed with 0x80041003 (WBEM_E_ACCESS_DENIED)"; err.Message != want || err.Code != WBEMAccessDenied {
		t.Fatalf("message %q code %#x", err.Message, err.Code)
	}
	if err := runOp(t, h, enterpriseAdmin, "set_discovery_scope", rds.ScopeInput{ServerRole: 2}, &got); err != nil {
		t.Fatalf("scope 2: %v", err)
	}
	if got != (rds.ScopeResult{ServerRole: 2, Changed: true}) {
		t.Fatalf("scope 2: %+v", got)
	}
	// Back to workgroup scope needs only a local administrator.
	if err := runOp(t, h, localAdminOnly, "set_discovery_scope", rds.ScopeInput{ServerRole: 0}, &got); err != nil {
		t.Fatalf("scope 0: %v", err)
	}
	if got != (rds.ScopeResult{ServerRole: 0, Changed: true}) {
		t.Fatalf("scope 0: %+v", got)
	}
	// Domain scope needs a Domain Admin.
	err = runOp(t, h, localAdminOnly, "set_discovery_scope", rds.ScopeInput{ServerRole: 1}, nil)
	wantErr(t, err, "access_denied")
	if want := "changing the discovery scope of the license server on LS01 to 1 (domain) needs an account that is a Domain Admin of contoso.com: ChangeRole failed with 0x80041003 (WBEM_E_ACCESS_DENIED)"; err.Message != want {
		t.Fatalf("message %q", err.Message)
	}
	if h.State().LicenseServer.ServerRole != 0 {
		t.Fatalf("a refused ChangeRole changed the scope")
	}
}

func TestSetDiscoveryScopeInputChecks(t *testing.T) {
	_, h := lsSim(t, "", nil)
	for _, role := range []int{-1, 3} {
		err := runOp(t, h, testAdmin, "set_discovery_scope", rds.ScopeInput{ServerRole: role}, nil)
		wantErr(t, err, "invalid_input", "cannot set the discovery scope of the license server on LS01: server_role must be 0 (workgroup), 1 (domain) or 2 (forest), not ")
	}
	err := runOp(t, h, enterpriseAdmin, "set_discovery_scope", rds.ScopeInput{ServerRole: 1}, nil)
	wantErr(t, err, "invalid_input")
	if want := "cannot set the discovery scope of the license server on LS01 to 1 (domain): the server is not in a domain (workgroup WORKGROUP), and outside a domain the only scope is 0 (workgroup)"; err.Message != want {
		t.Fatalf("message %q", err.Message)
	}
	var got rds.ScopeResult
	if err := runOp(t, h, testAdmin, "set_discovery_scope", rds.ScopeInput{ServerRole: 0}, &got); err != nil {
		t.Fatalf("scope 0: %v", err)
	}
	if got != (rds.ScopeResult{ServerRole: 0, Changed: false}) {
		t.Fatalf("scope 0: %+v", got)
	}
}

func TestSetTSLSGroupMembership(t *testing.T) {
	_, h := lsSim(t, "contoso.com", nil)
	var got rds.GroupResult
	err := runOp(t, h, localAdminOnly, "set_tsls_group_membership", rds.GroupInput{Member: true}, nil)
	wantErr(t, err, "access_denied")
	if want := `adding the license server LS01 to the group "Terminal Server License Servers" of contoso.com needs an account that is a Domain Admin of contoso.com: AddLStoTSLSGroup failed with 0x80041003 (WBEM_E_ACCESS_DENIED)`; err.Message != want {
		t.Fatalf("message %q", err.Message)
	}
	if h.State().LicenseServer.InTSLSGroup {
		t.Fatalf("a refused add changed the group")
	}
	if err := runOp(t, h, domainAdmin, "set_tsls_group_membership", rds.GroupInput{Member: true}, &got); err != nil {
		t.Fatalf("add: %v", err)
	}
	if got != (rds.GroupResult{Member: true, Changed: true}) || !h.State().LicenseServer.InTSLSGroup {
		t.Fatalf("add: %+v", got)
	}
	// Already a member: no change, no Domain Admin needed.
	if err := runOp(t, h, localAdminOnly, "set_tsls_group_membership", rds.GroupInput{Member: true}, &got); err != nil {
		t.Fatalf("add again: %v", err)
	}
	if got != (rds.GroupResult{Member: true, Changed: false}) {
		t.Fatalf("add again: %+v", got)
	}
	err = runOp(t, h, localAdminOnly, "set_tsls_group_membership", rds.GroupInput{Member: false}, nil)
	wantErr(t, err, "access_denied")
	if want := `removing the license server LS01 from the group "Terminal Server License Servers" of contoso.com needs an account that is a Domain Admin of contoso.com: RemoveLSfromTSLSGroup failed with 0x80041003 (WBEM_E_ACCESS_DENIED)`; err.Message != want {
		t.Fatalf("message %q", err.Message)
	}
	if err := runOp(t, h, domainAdmin, "set_tsls_group_membership", rds.GroupInput{Member: false}, &got); err != nil {
		t.Fatalf("remove: %v", err)
	}
	if got != (rds.GroupResult{Member: false, Changed: true}) || h.State().LicenseServer.InTSLSGroup {
		t.Fatalf("remove: %+v", got)
	}
}

func TestSetTSLSGroupMembershipOnDomainController(t *testing.T) {
	_, h := lsSim(t, "contoso.com", func(st *HostState) { st.DomainController = true })
	var got rds.GroupResult
	if err := runOp(t, h, domainAdmin, "set_tsls_group_membership", rds.GroupInput{Member: true}, &got); err != nil {
		t.Fatalf("add on a DC: %v", err)
	}
	if got != (rds.GroupResult{Member: true, Changed: true}) {
		t.Fatalf("add on a DC: %+v", got)
	}
}

func TestSetTSLSGroupMembershipWorkgroup(t *testing.T) {
	_, h := lsSim(t, "", func(st *HostState) { st.Workgroup = "LAB" })
	err := runOp(t, h, testAdmin, "set_tsls_group_membership", rds.GroupInput{Member: true}, nil)
	wantErr(t, err, "invalid_input")
	if want := `the license server on LS01 is not in a domain (workgroup LAB): the Active Directory group "Terminal Server License Servers" exists only in a domain`; err.Message != want {
		t.Fatalf("message %q", err.Message)
	}
}

// IsLSinTSLSGroup with an empty Domain: refused unless the quirk says Windows
// reads it as the server's own domain; a name is always answered.
func TestIsLSinTSLSGroupDomain(t *testing.T) {
	st := NewLicenseServerHost("LS01", "2022", "contoso.com")
	st.Quirks = DefaultQuirks
	st.LicenseServer.InTSLSGroup = true
	if code, _ := isLSinTSLSGroup(&st, ""); code != WBEMInvalidParameter {
		t.Errorf("empty domain: %#x, want WBEM_E_INVALID_PARAMETER", code)
	}
	if code, member := isLSinTSLSGroup(&st, "contoso.com"); code != 0 || !member {
		t.Errorf("contoso.com: %#x %v", code, member)
	}
	st.Quirks.TSLSGroupEmptyDomain = true
	if code, member := isLSinTSLSGroup(&st, ""); code != 0 || !member {
		t.Errorf("empty domain with the quirk: %#x %v", code, member)
	}
}

// An attempt fenced off after a lost answer never reactivates, and one
// that went on to its method is reported started (fence_reactivation).
func TestReactivationFence(t *testing.T) {
	_, h := lsSim(t, "", activated)
	a, b := strings.Repeat("a", 32), strings.Repeat("b", 32)
	var fence rds.ReactivationFenceResult
	if err := runOp(t, h, testAdmin, "reactivate_license_server", rds.ActivationInput{Method: "automatic", Attempt: a}, nil); err != nil {
		t.Fatal(err)
	}
	if err := runOp(t, h, testAdmin, "fence_reactivation", rds.ReactivationFenceInput{Attempt: a}, &fence); err != nil || !fence.Started {
		t.Fatalf("fence of a started attempt: %+v, %v", fence, err)
	}
	if err := runOp(t, h, testAdmin, "fence_reactivation", rds.ReactivationFenceInput{Attempt: b}, &fence); err != nil || fence.Started {
		t.Fatalf("fence of an attempt never run: %+v, %v", fence, err)
	}
	err := runOp(t, h, testAdmin, "reactivate_license_server", rds.ActivationInput{Method: "automatic", Attempt: b}, nil)
	wantErr(t, err, "conflict", "was given up by the provider")
	if got := h.State().Reactivation.Started; got != a {
		t.Fatalf("a fenced attempt went on to its method (Started %q)", got)
	}
	// The newest 16 are kept; an older one may run again.
	for i := range 16 {
		id := fmt.Sprintf("%032x", i+1)
		if err := runOp(t, h, testAdmin, "fence_reactivation", rds.ReactivationFenceInput{Attempt: id}, &fence); err != nil {
			t.Fatal(err)
		}
	}
	if f := h.State().Reactivation.Fenced; len(f) != 16 || f[0] != fmt.Sprintf("%032x", 16) || slices.Contains(f, b) {
		t.Fatalf("fenced: %q", f)
	}
	err = runOp(t, h, testAdmin, "fence_reactivation", rds.ReactivationFenceInput{Attempt: "A"}, nil)
	wantErr(t, err, "invalid_input", "attempt must be 32 lower-case hexadecimal digits; got 1 characters")
}
