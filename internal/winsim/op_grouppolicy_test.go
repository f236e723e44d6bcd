package winsim

import (
	"testing"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

const (
	gpOU    = "OU=SessionHosts,DC=contoso,DC=com"
	gpSubOU = "OU=Finance,OU=SessionHosts,DC=contoso,DC=com"
)

// gpFleet is a domain controller, a member server without GPMC, and
// session hosts in an OU, a child OU, and the default container.
func gpFleet(t *testing.T) *Sim {
	t.Helper()
	dc := NewHost("DC01", "2022", "contoso.com")
	dc.DomainController = true
	sh1 := NewSessionHost("RDSH01", "2022", "contoso.com", shNow.Add(50*24*time.Hour))
	sh1.OU = gpOU
	sh2 := NewSessionHost("RDSH02", "2022", "contoso.com", shNow.Add(50*24*time.Hour))
	sh2.OU = gpSubOU
	sh3 := NewSessionHost("RDSH03", "2022", "contoso.com", shNow.Add(50*24*time.Hour))
	return newTestSim(t, Scenario{
		Hosts:   []HostState{dc, NewHost("MEMBER", "2022", "contoso.com"), sh1, sh2, sh3, NewHost("WG01", "2022", "")},
		Domains: []DomainState{{Name: "contoso.com", OUs: []string{gpOU, gpSubOU}}},
	})
}

func gpSet(t *testing.T, h *Host, in rds.GPOLicensingInput) rds.GPOLicensing {
	t.Helper()
	var out rds.GPOLicensing
	shNoErr(t, runOp(t, h, testAdmin, "set_gpo_licensing", in, &out))
	return out
}

func TestGPOLicensing(t *testing.T) {
	s := gpFleet(t)
	dc := shHost(t, s, "DC01")
	var got rds.GPOLicensing
	shNoErr(t, runOp(t, dc, testAdmin, "get_gpo_licensing", rds.GPOInput{Name: "RDS Licensing", Targets: []string{gpOU}}, &got))
	if got.Exists || len(got.Links) != 0 {
		t.Fatalf("a GPO that does not exist: %+v", got)
	}
	wantErr(t, runOp(t, dc, testAdmin, "set_gpo_licensing", rds.GPOLicensingInput{Name: "RDS Licensing", LicensingMode: shIntPtr(4)}, nil), "not_found", "no GPO named RDS Licensing", "create_gpo = true")

	got = gpSet(t, dc, rds.GPOLicensingInput{Name: "RDS Licensing", Create: true, LicensingMode: shIntPtr(4), LicenseServers: shStrPtr("ls01.contoso.com,ls02.contoso.com"), Link: []string{gpOU}, Targets: []string{gpOU}})
	if !got.Exists || !got.Created || !got.Changed || got.ID == "" || *got.LicensingMode != 4 || len(got.Links) != 1 || !got.Links[0].Enabled {
		t.Fatalf("created: %+v", got)
	}
	// The same input again changes nothing.
	if again := gpSet(t, dc, rds.GPOLicensingInput{Name: "RDS Licensing", Create: true, LicensingMode: shIntPtr(4), LicenseServers: shStrPtr("ls01.contoso.com,ls02.contoso.com"), Link: []string{gpOU}, Targets: []string{gpOU}}); again.Changed || again.Created {
		t.Fatalf("the same input changed the GPO: %+v", again)
	}
	// Clients apply it at their next refresh: the OU's host and its child
	// OU's; not the host in the default container.
	if sh := shHost(t, s, "RDSH01").State().SessionHost; sh.PolicyLicensingMode != nil {
		t.Fatal("applied before a policy refresh")
	}
	for _, h := range []string{"RDSH01", "RDSH02", "RDSH03"} {
		if err := s.RefreshPolicy(h); err != nil {
			t.Fatal(err)
		}
	}
	for h, want := range map[string]bool{"RDSH01": true, "RDSH02": true, "RDSH03": false} {
		sh := shHost(t, s, h).State().SessionHost
		if (sh.PolicyLicensingMode != nil) != want || (want && (*sh.PolicyLicensingMode != 4 || *sh.PolicyLicenseServers != "ls01.contoso.com,ls02.contoso.com" || sh.PolicyLicensingModeGPO != "RDS Licensing")) {
			t.Fatalf("%s after the refresh: %+v", h, sh)
		}
	}
	// A GPO on the child OU wins there.
	gpSet(t, dc, rds.GPOLicensingInput{Name: "Finance RDS", Create: true, LicensingMode: shIntPtr(2), Link: []string{gpSubOU}})
	_ = s.RefreshPolicy("RDSH02")
	if sh := shHost(t, s, "RDSH02").State().SessionHost; *sh.PolicyLicensingMode != 2 || sh.PolicyLicensingModeGPO != "Finance RDS" || *sh.PolicyLicenseServers != "ls01.contoso.com,ls02.contoso.com" {
		t.Fatalf("child OU's GPO: %+v", sh)
	}
	// The values taken out of the GPO and the link removed: the hosts lose
	// what the domain set, at the next refresh.
	got = gpSet(t, dc, rds.GPOLicensingInput{Name: "RDS Licensing", Unlink: []string{gpOU}, Targets: []string{gpOU}})
	if got.LicensingMode != nil || got.LicenseServers != nil || len(got.Links) != 0 {
		t.Fatalf("after removing: %+v", got)
	}
	_ = s.RefreshPolicy("RDSH01")
	if sh := shHost(t, s, "RDSH01").State().SessionHost; sh.PolicyLicensingMode != nil || sh.PolicyLicenseServers != nil {
		t.Fatalf("RDSH01 kept the domain's values: %+v", sh)
	}
	// Deleted.
	got = gpSet(t, dc, rds.GPOLicensingInput{Name: "RDS Licensing", Delete: true})
	if got.Exists {
		t.Fatalf("still there: %+v", got)
	}
}

func TestGPOLicensingRefusals(t *testing.T) {
	s := gpFleet(t)
	wantErr(t, runOp(t, shHost(t, s, "MEMBER"), testAdmin, "get_gpo_licensing", rds.GPOInput{Name: "X"}, nil), "not_supported", "GPMC")
	wg := shHost(t, s, "WG01")
	wg.Update(func(st *HostState) { st.Features[FeatureGPMC] = StateInstalled })
	wantErr(t, runOp(t, wg, testAdmin, "get_gpo_licensing", rds.GPOInput{Name: "X"}, nil), "invalid_input", "not in a domain")
	dc := shHost(t, s, "DC01")
	wantErr(t, runOp(t, dc, testAdmin, "set_gpo_licensing", rds.GPOLicensingInput{Name: "X", Create: true, Link: []string{"OU=Nope,DC=contoso,DC=com"}}, nil), "not_found", "OU=Nope", "nothing was changed")
	if len(s.Domains()[0].GPOs) != 0 {
		t.Fatal("a refused write created the GPO")
	}
	wantErr(t, runOp(t, dc, testAdmin, "set_gpo_licensing", rds.GPOLicensingInput{Name: "X", Create: true, LicensingMode: shIntPtr(3)}, nil), "invalid_input", "not 3")
}
