package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// keyPack is a key pack for scenarios.
func keyPack(id int64, productType, version int, total, issued int64) winsim.KeyPackState {
	kpType := 2
	return winsim.KeyPackState{KeyPackID: id, KeyPackType: kpType, ProductType: productType, ProductVersionID: version,
		TotalLicenses: total, IssuedLicenses: issued, ExpirationDate: time.Date(2038, 1, 19, 3, 14, 7, 0, time.UTC)}
}

// licenseServer is an activated license server of a release, at an
// address, with key packs.
func licenseServer(name, addr, os, domain string, packs ...winsim.KeyPackState) winsim.HostState {
	st := activated(winsim.NewLicenseServerHost(name, os, domain))
	st.Address = addr
	st.LicenseServer.KeyPacks = append(st.LicenseServer.KeyPacks, packs...)
	st.LicenseServer.NextKeyPackID = 100
	return st
}

// sessionHost is a session host whose Group Policy sets mode and servers
// (mode 0: not configured).
func sessionHost(name, addr, domain string, mode int, servers ...string) winsim.HostState {
	st := winsim.NewSessionHost(name, "2022", domain, graceEnds())
	st.Address = addr
	if mode != 0 {
		st.SessionHost.PolicyLicensingMode = &mode
	}
	if len(servers) > 0 {
		list := strings.Join(servers, ",")
		st.SessionHost.PolicyLicenseServers = &list
	}
	return st
}

func TestAccDataSourceLicenseServer(t *testing.T) {
	ls := licenseServer("LS01", "127.0.30.1", "2022", "contoso.com")
	ls.LicenseServer.InTSLSGroup = true
	ls.LicenseServer.ServerRole = 1
	wg := winsim.NewLicenseServerHost("LS02", "2019", "")
	wg.Address = "127.0.30.2"
	norole := winsim.NewHost("WEB01", "2022", "")
	norole.Address = "127.0.30.3"
	e := newAccEnv(t, ls, wg, norole)
	accTest(t, resource.TestCase{Steps: []resource.TestStep{
		{
			Config: e.Config(`
data "rdslicensing_license_server" "ls01" {}
data "rdslicensing_license_server" "ls02" { host = "127.0.30.2" }
`),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("data.rdslicensing_license_server.ls01", "activation_status", "activated"),
				resource.TestCheckResourceAttr("data.rdslicensing_license_server.ls01", "license_server_id", winsim.LicenseServerIDFor(e.Host("LS01").State().LicenseServer.ProductID)),
				resource.TestCheckResourceAttr("data.rdslicensing_license_server.ls01", "os_version", "2022"),
				resource.TestCheckResourceAttr("data.rdslicensing_license_server.ls01", "discovery_scope", "domain"),
				resource.TestCheckResourceAttr("data.rdslicensing_license_server.ls01", "part_of_domain", "true"),
				resource.TestCheckResourceAttr("data.rdslicensing_license_server.ls01", "domain", "contoso.com"),
				resource.TestCheckResourceAttr("data.rdslicensing_license_server.ls01", "in_license_servers_group", "true"),
				resource.TestCheckResourceAttr("data.rdslicensing_license_server.ls01", "contact.country_region", "United Kingdom"),
				resource.TestCheckResourceAttr("data.rdslicensing_license_server.ls01", "service_status", "Running"),
				resource.TestCheckResourceAttr("data.rdslicensing_license_server.ls02", "activation_status", "not_activated"),
				resource.TestCheckResourceAttr("data.rdslicensing_license_server.ls02", "license_server_id", ""),
				resource.TestCheckResourceAttr("data.rdslicensing_license_server.ls02", "discovery_scope", "workgroup"),
				resource.TestCheckNoResourceAttr("data.rdslicensing_license_server.ls02", "in_license_servers_group"),
				resource.TestCheckResourceAttr("data.rdslicensing_license_server.ls02", "os_version", "2019"),
				resource.TestCheckResourceAttrSet("data.rdslicensing_license_server.ls02", "product_id"),
			),
		},
		{
			Config:      e.Config(`data "rdslicensing_license_server" "web" { host = "127.0.30.3" }`),
			ExpectError: errorText("Cannot read the license server 127.0.30.3", "RD Licensing role service (RDS-Licensing) is not installed on WEB01"),
		},
	}})
}

func TestAccDataSourceKeyPacks(t *testing.T) {
	ls := licenseServer("LS01", "127.0.31.1", "2022", "contoso.com",
		keyPack(2, 1, 7, 50, 10), keyPack(3, 1, 7, 25, 0), keyPack(4, 0, 6, 20, 5))
	e := newAccEnv(t, ls)
	accTest(t, resource.TestCase{Steps: []resource.TestStep{{
		Config: e.Config(`
data "rdslicensing_key_packs" "all" {}
data "rdslicensing_key_packs" "user2022" {
  product_version = "2022"
  cal_type        = "per_user"
}
data "rdslicensing_key_packs" "with_builtin" { include_built_in = true }
`),
		Check: resource.ComposeAggregateTestCheckFunc(
			resource.TestCheckResourceAttr("data.rdslicensing_key_packs.all", "key_packs.#", "3"),
			resource.TestCheckResourceAttr("data.rdslicensing_key_packs.all", "key_packs.0.key_pack_id", "2"),
			resource.TestCheckResourceAttr("data.rdslicensing_key_packs.all", "key_packs.0.program", "agreement"),
			resource.TestCheckResourceAttr("data.rdslicensing_key_packs.all", "key_packs.0.product_version", "2022"),
			resource.TestCheckResourceAttr("data.rdslicensing_key_packs.all", "key_packs.0.cal_type", "per_user"),
			resource.TestCheckResourceAttr("data.rdslicensing_key_packs.all", "key_packs.0.available_licenses", "40"),
			resource.TestCheckResourceAttr("data.rdslicensing_key_packs.all", "key_packs.0.type_and_model", "RDS Per User CAL"),
			resource.TestCheckResourceAttr("data.rdslicensing_key_packs.all", "totals.#", "2"),
			resource.TestCheckResourceAttr("data.rdslicensing_key_packs.all", "totals.0.product_version", "2019"),
			resource.TestCheckResourceAttr("data.rdslicensing_key_packs.all", "totals.0.cal_type", "per_device"),
			resource.TestCheckResourceAttr("data.rdslicensing_key_packs.all", "totals.0.available_licenses", "15"),
			resource.TestCheckResourceAttr("data.rdslicensing_key_packs.all", "totals.1.total_licenses", "75"),
			resource.TestCheckResourceAttr("data.rdslicensing_key_packs.all", "totals.1.issued_licenses", "10"),
			resource.TestCheckResourceAttr("data.rdslicensing_key_packs.all", "total_available", "80"),
			resource.TestCheckResourceAttr("data.rdslicensing_key_packs.user2022", "key_packs.#", "2"),
			resource.TestCheckResourceAttr("data.rdslicensing_key_packs.user2022", "total_available", "65"),
			resource.TestCheckResourceAttr("data.rdslicensing_key_packs.with_builtin", "key_packs.#", "4"),
			resource.TestCheckResourceAttr("data.rdslicensing_key_packs.with_builtin", "key_packs.0.built_in", "true"),
			resource.TestCheckResourceAttr("data.rdslicensing_key_packs.with_builtin", "key_packs.0.program", "built_in"),
			resource.TestCheckResourceAttr("data.rdslicensing_key_packs.with_builtin", "key_packs.0.total_licenses", "4294967295"),
			resource.TestCheckResourceAttr("data.rdslicensing_key_packs.with_builtin", "total_available", "80"),
		),
	}}})
}

func TestAccDataSourceCALUsage(t *testing.T) {
	ls := licenseServer("LS01", "127.0.32.1", "2022", "contoso.com", keyPack(2, 1, 7, 10, 2), keyPack(3, 0, 7, 5, 1))
	exp := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	ls.LicenseServer.PerUserCALs = []winsim.PerUserCALState{
		{User: `CONTOSO\alice`, KeyPackID: 2, ProductVersionID: 7, ExpirationDate: exp},
		{User: `CONTOSO\bob`, KeyPackID: 2, ProductVersionID: 7, ExpirationDate: exp},
	}
	ls.LicenseServer.IssuedCALs = []winsim.IssuedCALState{{LicenseID: 1, KeyPackID: 3, IssuedToUser: "carol", IssuedToComputer: "KIOSK01",
		HardwareID: "0123-4567", IssueDate: exp.AddDate(0, -2, 0), ExpirationDate: exp, LicenseStatus: 2}}
	e := newAccEnv(t, ls)
	accTest(t, resource.TestCase{Steps: []resource.TestStep{{
		Config: e.Config(`data "rdslicensing_cal_usage" "ls" {}`),
		Check: resource.ComposeAggregateTestCheckFunc(
			resource.TestCheckResourceAttr("data.rdslicensing_cal_usage.ls", "per_user.#", "2"),
			resource.TestCheckResourceAttr("data.rdslicensing_cal_usage.ls", "per_user.0.user", `CONTOSO\alice`),
			resource.TestCheckResourceAttr("data.rdslicensing_cal_usage.ls", "per_user.0.product_version", "2022"),
			resource.TestCheckResourceAttr("data.rdslicensing_cal_usage.ls", "per_user.0.cal_type", "RDS Per User CAL"),
			resource.TestCheckResourceAttr("data.rdslicensing_cal_usage.ls", "per_device.#", "1"),
			resource.TestCheckResourceAttr("data.rdslicensing_cal_usage.ls", "per_device.0.computer", "KIOSK01"),
			resource.TestCheckResourceAttr("data.rdslicensing_cal_usage.ls", "per_device.0.hardware_id", "0123-4567"),
			resource.TestCheckResourceAttr("data.rdslicensing_cal_usage.ls", "per_device.0.status", "active"),
			resource.TestCheckResourceAttr("data.rdslicensing_cal_usage.ls", "per_device.0.product_version", "2022"),
			resource.TestCheckResourceAttr("data.rdslicensing_cal_usage.ls", "per_device.0.cal_type", "RDS Per Device CAL"),
			resource.TestCheckResourceAttr("data.rdslicensing_cal_usage.ls", "csv",
				"kind,name,hardware_id,cal_type,product_version,expiration_date,status\n"+
					"per_user,CONTOSO\\alice,,RDS Per User CAL,2022,2027-03-01T00:00:00Z,active\n"+
					"per_user,CONTOSO\\bob,,RDS Per User CAL,2022,2027-03-01T00:00:00Z,active\n"+
					"per_device,KIOSK01,0123-4567,RDS Per Device CAL,2022,2027-03-01T00:00:00Z,active\n"),
		),
	}}})
}

// A license server with per-device CALs only: FetchReportEntries answers
// LSERVER_I_NO_MORE_DATA, which is an empty per_user list, not an error.
func TestAccDataSourceCALUsageNoPerUser(t *testing.T) {
	ls := licenseServer("LS01", "127.0.32.1", "2022", "contoso.com", keyPack(3, 0, 7, 5, 1))
	exp := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	ls.LicenseServer.IssuedCALs = []winsim.IssuedCALState{{LicenseID: 1, KeyPackID: 3, IssuedToComputer: "KIOSK01",
		HardwareID: "0123-4567", IssueDate: exp.AddDate(0, -2, 0), ExpirationDate: exp, LicenseStatus: 2}}
	e := newAccEnv(t, ls)
	accTest(t, resource.TestCase{Steps: []resource.TestStep{{
		Config: e.Config(`data "rdslicensing_cal_usage" "ls" {}`),
		Check: resource.ComposeAggregateTestCheckFunc(
			resource.TestCheckResourceAttr("data.rdslicensing_cal_usage.ls", "per_user.#", "0"),
			resource.TestCheckResourceAttr("data.rdslicensing_cal_usage.ls", "per_device.#", "1"),
		),
	}}})
}

func TestAccDataSourceSessionHost(t *testing.T) {
	ls := licenseServer("LS01", "127.0.33.1", "2022", "contoso.com")
	sh := sessionHost("RDSH01", "127.0.33.2", "contoso.com", 4, "127.0.33.1", "127.0.99.99")
	two := 2
	sh.SessionHost.ConfigLicensingMode = two
	sh.SessionHost.ConfigLicenseServers = []string{"ls-old.contoso.com"}
	// A policy value typed by hand: a name twice, and two names joined by
	// a semicolon, which Windows reads as one name.
	typed := sessionHost("RDSH02", "127.0.33.3", "contoso.com", 4)
	hand := "127.0.33.1, 127.0.33.1,ls01;ls02"
	typed.SessionHost.PolicyLicenseServers = &hand
	e := newAccEnv(t, ls, sh, typed)
	const d = "data.rdslicensing_session_host.sh"
	accTest(t, resource.TestCase{Steps: []resource.TestStep{
		{
			Config: e.Config(`data "rdslicensing_session_host" "sh" { host = "127.0.33.2" }`),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(d, "rdsh_installed", "true"),
				resource.TestCheckResourceAttr(d, "grace_period_days", "100"),
				resource.TestCheckResourceAttr(d, "licensing_mode", "per_user"),
				resource.TestCheckResourceAttr(d, "licensing_mode_source", "group_policy"),
				resource.TestCheckResourceAttr(d, "license_servers.#", "2"),
				resource.TestCheckResourceAttr(d, "license_servers.0", "127.0.33.1"),
				resource.TestCheckResourceAttr(d, "license_servers_source", "group_policy"),
				resource.TestCheckResourceAttr(d, "policy_licensing_mode", "per_user"),
				resource.TestCheckResourceAttr(d, "server_licensing_mode", "per_device"),
				resource.TestCheckResourceAttr(d, "server_license_servers.0", "ls-old.contoso.com"),
				resource.TestCheckResourceAttr(d, "connectivity.#", "2"),
				resource.TestCheckResourceAttr(d, "connectivity.0.status", "valid_ls"),
				resource.TestCheckResourceAttr(d, "connectivity.0.healthy", "true"),
				resource.TestCheckResourceAttr(d, "connectivity.1.license_server", "127.0.99.99"),
				resource.TestCheckResourceAttr(d, "connectivity.1.status", "not_connectable"),
				resource.TestCheckResourceAttr(d, "connectivity.1.status_code", "6"),
				resource.TestCheckResourceAttr(d, "connectivity.1.healthy", "false"),
				resource.TestCheckResourceAttr(d, "os_version", "2022"),
			),
		},
		{
			// Windows' own list is read as it is, and only its usable names
			// are checked; diagnostics name the bad one.
			Config: e.Config(`
data "rdslicensing_session_host" "typed" { host = "127.0.33.3" }
data "rdslicensing_diagnostics" "typed" { host = "127.0.33.3" }
`),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("data.rdslicensing_session_host.typed", "license_servers.#", "3"),
				resource.TestCheckResourceAttr("data.rdslicensing_session_host.typed", "license_servers.2", "ls01;ls02"),
				resource.TestCheckResourceAttr("data.rdslicensing_session_host.typed", "connectivity.#", "1"),
				resource.TestCheckResourceAttr("data.rdslicensing_session_host.typed", "connectivity.0.status", "valid_ls"),
				wantFindings("data.rdslicensing_diagnostics.typed", []string{"license_server_invalid", "no_cals"}, false),
				resource.TestCheckResourceAttr("data.rdslicensing_diagnostics.typed", "license_servers.#", "2"),
				resource.TestCheckResourceAttr("data.rdslicensing_diagnostics.typed", "findings.0.license_server", "ls01;ls02"),
			),
		},
		{
			Config:      e.Config(`data "rdslicensing_session_host" "gone" { host = "127.0.99.98" }`),
			ExpectError: errorText("Cannot read the session host 127.0.99.98", "refused"),
		},
	}})
}

// diagnosisCase is a session host with one problem, and what the
// diagnosis must say of it.
type diagnosisCase struct {
	host    winsim.HostState
	codes   []string
	healthy bool
}

// Every finding through OpenTofu, each from a winsim scenario that
// produces it, and a healthy host that produces none.
func TestAccDataSourceDiagnostics(t *testing.T) {
	const dom = "contoso.com"
	lsOK := licenseServer("LS22", "127.0.34.1", "2022", dom, keyPack(2, 1, 7, 50, 10))
	ls19 := licenseServer("LS19", "127.0.34.2", "2019", dom, keyPack(2, 1, 6, 50, 0))
	lsNA := licenseServer("LSNA", "127.0.34.3", "2022", dom, keyPack(2, 1, 7, 50, 0))
	lsNA.LicenseServer.Activated, lsNA.LicenseServer.LicenseServerID = false, ""
	lsNoWinRM := licenseServer("LSNW", "127.0.34.4", "2022", dom, keyPack(2, 1, 7, 50, 0))
	lsNoWinRM.WinRM.HTTPS = false
	lsEmpty := licenseServer("LSEMPTY", "127.0.34.5", "2022", dom)
	lsFull := licenseServer("LSFULL", "127.0.34.6", "2022", dom, keyPack(2, 1, 7, 20, 20))
	lsFew := licenseServer("LSFEW", "127.0.34.7", "2022", dom, keyPack(2, 1, 7, 20, 18))
	lsOld := licenseServer("LSOLD", "127.0.34.8", "2022", dom, keyPack(2, 1, 6, 20, 0))
	lsWG := licenseServer("LSWG", "127.0.34.9", "2022", "", keyPack(2, 1, 7, 20, 0))
	lsOldDev := licenseServer("LSOLDDEV", "127.0.34.12", "2022", dom, keyPack(2, 0, 6, 20, 0))
	lsFullDev := licenseServer("LSFULLDEV", "127.0.34.13", "2022", dom, keyPack(2, 0, 7, 20, 20))
	lsSecGroup := licenseServer("LSSG", "127.0.34.10", "2022", dom, keyPack(2, 1, 7, 20, 0))
	on := 1
	lsSecGroup.LicenseServer.SecureLicensing, lsSecGroup.LicenseServer.EndpointServers = &on, []string{"CONTOSO\\SHOK$"}
	lsBeta := licenseServer("LSBETA", "127.0.34.11", "2022", dom, keyPack(2, 1, 7, 20, 0))
	lsBeta.Quirks.ConnectivityStatus = 3 // BETA_RTM_MISMATCH
	a := func(h winsim.HostState) string { return h.Address }

	noRDSH := winsim.NewHost("WEB01", "2022", dom)
	noRDSH.Address = "127.0.35.1"
	graceSoon := sessionHost("SHGRACE", "127.0.35.14", dom, 0)
	soon := time.Now().Add(10*24*time.Hour - time.Hour)
	graceSoon.SessionHost.GracePeriodEnds = &soon
	graceOver := sessionHost("SHOVER", "127.0.35.15", dom, 0)
	over := time.Now().Add(-24 * time.Hour)
	graceOver.SessionHost.GracePeriodEnds = &over
	// Per device behind a license server that is not activated, after the
	// grace period: users connect on temporary CALs, which is no
	// grace_period_over.
	notActDevOver := sessionHost("SHNOTACTDEVOVER", "127.0.35.27", dom, 2, a(lsNA))
	notActDevOver.SessionHost.GracePeriodEnds = &over
	gpo := sessionHost("SHGPO", "127.0.35.17", dom, 4, a(lsOK))
	gpo.SessionHost.ConfigLicensingMode = 2
	gpoServers := sessionHost("SHGPOLS", "127.0.35.19", dom, 4, a(lsOK))
	gpoServers.SessionHost.ConfigLicenseServers = []string{a(lsFew)}
	cases := map[string]diagnosisCase{
		"ok":            {sessionHost("SHOK", "127.0.35.2", dom, 4, a(lsOK)), nil, true},
		"nordsh":        {noRDSH, []string{"rdsh_not_installed"}, true},
		"nomode":        {sessionHost("SHNOMODE", "127.0.35.3", dom, 0, a(lsOK)), []string{"licensing_mode_not_configured"}, false},
		"noserver":      {sessionHost("SHNOSERVER", "127.0.35.4", dom, 4), []string{"no_license_server"}, true},
		"noserverwg":    {sessionHost("SHNOSERVERWG", "127.0.35.22", "", 2), []string{"no_license_server"}, false},
		"unreach":       {sessionHost("SHUNREACH", "127.0.35.5", dom, 4, "127.0.99.99"), []string{"license_server_unreachable"}, false},
		"older":         {sessionHost("SHOLDER", "127.0.35.6", dom, 4, a(ls19)), []string{"license_server_older"}, false},
		"notact":        {sessionHost("SHNOTACT", "127.0.35.7", dom, 4, a(lsNA)), []string{"license_server_not_activated"}, true},
		"notactdev":     {sessionHost("SHNOTACTDEV", "127.0.35.23", dom, 2, a(lsNA)), []string{"license_server_not_activated"}, false},
		"notactdevover": {notActDevOver, []string{"license_server_not_activated"}, false},
		"notinsp":       {sessionHost("SHNOTINSP", "127.0.35.8", dom, 4, a(lsNoWinRM)), []string{"license_server_not_inspected"}, true},
		"mismatch":      {sessionHost("SHMISMATCH", "127.0.35.9", dom, 2, a(lsFull)), []string{"cal_type_mismatch"}, false},
		// Per-user CALs are not enforced: shortages are warnings.
		"nocals":      {sessionHost("SHNOCALS", "127.0.35.10", dom, 4, a(lsEmpty)), []string{"no_cals"}, true},
		"oldcals":     {sessionHost("SHOLDCALS", "127.0.35.11", dom, 4, a(lsOld)), []string{"cal_version_too_old"}, true},
		"full":        {sessionHost("SHFULL", "127.0.35.12", dom, 4, a(lsFull)), []string{"no_cals_available"}, true},
		"nocalsdev":   {sessionHost("SHNOCALSDEV", "127.0.35.24", dom, 2, a(lsEmpty)), []string{"no_cals"}, false},
		"oldcalsdev":  {sessionHost("SHOLDCALSDEV", "127.0.35.25", dom, 2, a(lsOldDev)), []string{"cal_version_too_old"}, false},
		"fulldev":     {sessionHost("SHFULLDEV", "127.0.35.26", dom, 2, a(lsFullDev)), []string{"no_cals_available"}, false},
		"few":         {sessionHost("SHFEW", "127.0.35.13", dom, 4, a(lsFew)), []string{"few_cals_available"}, true},
		"gracesoon":   {graceSoon, []string{"licensing_mode_not_configured", "no_license_server", "grace_period_ending"}, false},
		"graceover":   {graceOver, []string{"licensing_mode_not_configured", "grace_period_over", "no_license_server"}, false},
		"workgroup":   {sessionHost("SHWG", "127.0.35.16", "", 4, a(lsWG)), []string{"per_user_in_workgroup"}, true},
		"gpo":         {gpo, []string{"group_policy_overrides_mode"}, true},
		"crossdomain": {sessionHost("SHCROSS", "127.0.35.18", dom, 4, a(lsWG)), []string{"license_server_access_denied"}, false},
		"gposervers":  {gpoServers, []string{"group_policy_overrides_license_servers"}, true},
		"secgroup":    {sessionHost("SHSECGRP", "127.0.35.20", dom, 4, a(lsSecGroup)), []string{"license_server_security_group"}, false},
		"invalid":     {sessionHost("SHINVALID", "127.0.35.21", dom, 4, a(lsBeta)), []string{"license_server_invalid"}, false},
	}
	hosts := []winsim.HostState{lsOK, ls19, lsNA, lsNoWinRM, lsEmpty, lsFull, lsFew, lsOld, lsWG, lsSecGroup, lsBeta, lsOldDev, lsFullDev}
	var cfg strings.Builder
	var checks []resource.TestCheckFunc
	for name, c := range cases {
		hosts = append(hosts, c.host)
		fmt.Fprintf(&cfg, "data \"rdslicensing_diagnostics\" %q { host = %q }\n", name, c.host.Address)
		checks = append(checks, wantFindings("data.rdslicensing_diagnostics."+name, c.codes, c.healthy))
	}
	checks = append(checks,
		resource.TestCheckResourceAttr("data.rdslicensing_diagnostics.secgroup", "license_servers.0.connectivity", "not_in_tsc_group"),
		resource.TestCheckResourceAttr("data.rdslicensing_diagnostics.invalid", "license_servers.0.connectivity", "beta_rtm_mismatch"),
		resource.TestCheckResourceAttrWith("data.rdslicensing_diagnostics.notactdevover", "findings.0.summary", func(v string) error {
			for _, w := range []string{"issues only temporary per-device CALs", "valid 90 days", "grace period of 127.0.35.27 is over: its users connect on temporary CALs now"} {
				if !strings.Contains(v, w) {
					return fmt.Errorf("summary %q lacks %q", v, w)
				}
			}
			return nil
		}),
		// The grace period, as rdslicensing_session_host reads it.
		resource.TestCheckResourceAttr("data.rdslicensing_diagnostics.graceover", "grace_period_days", "0"),
		resource.TestCheckResourceAttr("data.rdslicensing_diagnostics.gracesoon", "grace_period_days", "10"),
		resource.TestCheckNoResourceAttr("data.rdslicensing_diagnostics.nordsh", "grace_period_days"))
	e := newAccEnv(t, hosts...)
	accTest(t, resource.TestCase{Steps: []resource.TestStep{
		{Config: e.Config(cfg.String()), Check: resource.ComposeAggregateTestCheckFunc(checks...)},
		{
			// Thresholds are configurable; not inspecting is not a finding.
			Config: e.Config(`
data "rdslicensing_diagnostics" "few" {
  host               = "127.0.35.13"
  min_available_cals = 1
}
data "rdslicensing_diagnostics" "notinsp" {
  host                    = "127.0.35.8"
  inspect_license_servers = false
}
data "rdslicensing_diagnostics" "gracesoon" {
  host                      = "127.0.35.14"
  grace_period_warning_days = 5
}
`),
			Check: resource.ComposeAggregateTestCheckFunc(
				wantFindings("data.rdslicensing_diagnostics.few", nil, true),
				wantFindings("data.rdslicensing_diagnostics.notinsp", nil, true),
				wantFindings("data.rdslicensing_diagnostics.gracesoon", []string{"licensing_mode_not_configured", "no_license_server"}, false),
				resource.TestCheckResourceAttr("data.rdslicensing_diagnostics.few", "license_servers.0.available_cals", "2"),
				resource.TestCheckResourceAttr("data.rdslicensing_diagnostics.few", "license_servers.0.connectivity", "valid_ls"),
				resource.TestCheckResourceAttr("data.rdslicensing_diagnostics.few", "license_servers.0.activation_status", "activated"),
			),
		},
	}})
}

// wantFindings checks a diagnostics data source's finding codes, in order,
// and its healthy flag; every finding has a summary and a remedy.
func wantFindings(addr string, codes []string, healthy bool) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s not in state", addr)
		}
		at := rs.Primary.Attributes
		var got []string
		for i := 0; i < len(at); i++ {
			code, ok := at[fmt.Sprintf("findings.%d.code", i)]
			if !ok {
				break
			}
			got = append(got, code)
			for _, f := range []string{"summary", "remedy", "severity"} {
				if at[fmt.Sprintf("findings.%d.%s", i, f)] == "" {
					return fmt.Errorf("%s: finding %s has no %s", addr, code, f)
				}
			}
		}
		if strings.Join(got, ",") != strings.Join(codes, ",") {
			return fmt.Errorf("%s: findings %v, want %v", addr, got, codes)
		}
		if at["healthy"] != fmt.Sprint(healthy) {
			return fmt.Errorf("%s: healthy = %s, want %v", addr, at["healthy"], healthy)
		}
		return nil
	}
}

// The diagnostics of a fleet share one read of a license server until
// the provider changes something, after which they read it again.
func TestInspectionsForgetWrites(t *testing.T) {
	e := newAccEnv(t, licenseServer("LS01", "127.0.36.1", "2022", "contoso.com", keyPack(2, 1, 7, 10, 0)))
	_, port := e.Sim.Ports()
	c, err := winrmclient.New(winrmclient.Config{Host: "127.0.36.1", Port: port, HTTPS: true, CACert: e.Sim.CACertPEM(),
		Username: "Administrator", Password: winsim.DefaultPassword, Auth: winrmclient.AuthBasic})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	d := &providerData{client: c}
	ctx := context.Background()
	reads := func() int {
		n := 0
		for _, l := range e.Host("LS01").Log(0) {
			if l.Event == "operation" && l.Operation == "get_license_server" {
				n++
			}
		}
		return n
	}
	for range 3 {
		if _, packs, problem := d.inspectLicenseServer(ctx, "127.0.36.1"); problem != "" || len(packs) != 2 {
			t.Fatalf("inspect: %d packs, %q", len(packs), problem)
		}
	}
	if n := reads(); n != 1 {
		t.Fatalf("three inspections read the license server %d times, want 1", n)
	}
	// A write (here one that fails) starts a new generation.
	_, _ = rds.RemoveKeyPack.Run(ctx, d, "127.0.36.1", rds.KeyPackRef{KeyPackID: 99})
	if _, _, problem := d.inspectLicenseServer(ctx, "127.0.36.1"); problem != "" {
		t.Fatal(problem)
	}
	if n := reads(); n != 2 {
		t.Fatalf("after a write the license server was read %d times in all, want 2", n)
	}
}
