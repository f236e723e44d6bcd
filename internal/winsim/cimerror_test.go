package winsim

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

// Whether a licensing method reports a failure as a non-zero ReturnValue
// or throws a CimException is unverified: every operation that calls one
// gives the same error kind, message and code either way.
func TestFailuresAsCimExceptionGiveTheSameErrors(t *testing.T) {
	ls := func(domain string, edit func(st *HostState)) func(t *testing.T, throw bool) *Host {
		return func(t *testing.T, throw bool) *Host {
			_, h := lsSim(t, domain, func(st *HostState) {
				if edit != nil {
					edit(st)
				}
				st.Quirks.FailuresAsCimException = throw
			})
			return h
		}
	}
	kp := func(edit func(st *HostState)) func(t *testing.T, throw bool) *Host {
		return func(t *testing.T, throw bool) *Host {
			_, h := kpSim(t, func(st *HostState, _ *ClearinghouseState) {
				if edit != nil {
					edit(st)
				}
				st.Quirks.FailuresAsCimException = throw
			})
			return h
		}
	}
	offline := func(st *HostState) { st.Internet = false }
	noDC := func(st *HostState) { st.NoDomainController = true }
	wrongID := LicenseServerIDFor("some-other-product-id")
	install := rds.InstallKeyPackInput{Program: "retail", LicenseCode: kpRetail.Code, ProductVersion: 7, ProductType: 1,
		RequestID: "0123456789abcdef0123456789abcdef", Owner: kpOwnerA, CodeTag: kpRequest(rds.InstallKeyPackInput{}).CodeTag}
	cases := []struct {
		name, op string
		host     func(t *testing.T, throw bool) *Host
		user     User
		in       any
		kind     string
	}{
		{"activate automatic, offline", "activate_license_server", ls("", func(st *HostState) { withContact(st); offline(st) }), testAdmin,
			rds.ActivationInput{Method: "automatic"}, "clearinghouse_unreachable"},
		{"activate with a wrong ID", "activate_license_server", ls("", nil), testAdmin,
			rds.ActivationInput{Method: "license_server_id", LicenseServerID: wrongID}, "invalid_code"},
		{"reactivate automatic, offline", "reactivate_license_server", ls("", func(st *HostState) { activated(st); offline(st) }), testAdmin,
			rds.ActivationInput{Method: "automatic"}, "clearinghouse_unreachable"},
		{"reactivate with a wrong ID", "reactivate_license_server", ls("", activated), testAdmin,
			rds.ActivationInput{Method: "license_server_id", LicenseServerID: wrongID}, "invalid_code"},
		{"deactivate, offline", "deactivate_license_server", ls("", func(st *HostState) { activated(st); offline(st) }), testAdmin,
			rds.ActivationInput{Method: "automatic"}, "clearinghouse_unreachable"},
		{"domain scope without a Domain Admin", "set_discovery_scope", ls("contoso.com", nil), localAdminOnly,
			rds.ScopeInput{ServerRole: 1}, "access_denied"},
		{"join the group without a Domain Admin", "set_tsls_group_membership", ls("contoso.com", nil), localAdminOnly,
			rds.GroupInput{Member: true}, "access_denied"},
		{"leave the group without a Domain Admin", "set_tsls_group_membership", ls("contoso.com", func(st *HostState) { st.LicenseServer.InTSLSGroup = true }), localAdminOnly,
			rds.GroupInput{Member: false}, "access_denied"},
		{"read the group without a domain controller", "set_tsls_group_membership", ls("contoso.com", noDC), testAdmin,
			rds.GroupInput{Member: true}, "wmi_error"},
		{"install, offline", "install_key_pack", kp(offline), testAdmin, install, "clearinghouse_unreachable"},
		{"install an unknown code", "install_key_pack", kp(nil), testAdmin,
			func() rds.InstallKeyPackInput {
				in := install
				in.LicenseCode = NewRetailCode("never-sold", 7, 1, 20).Code
				return in
			}(), "invalid_code"},
	}
	run := func(t *testing.T, h *Host, user User, op string, in any) (*opError, []string) {
		t.Helper()
		raw, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		_, oerr, x := h.runOperation(user, op, raw)
		if oerr == nil {
			t.Fatalf("%s succeeded", op)
		}
		return oerr, x.notes
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			returned, notes := run(t, tc.host(t, false), tc.user, tc.op, tc.in)
			if returned.Kind != tc.kind || returned.Code == 0 || strings.Contains(strings.Join(notes, "; "), "CimException") {
				t.Fatalf("ReturnValue: %+v (notes %q), want kind %s with a code", returned, notes, tc.kind)
			}
			thrown, notes := run(t, tc.host(t, true), tc.user, tc.op, tc.in)
			if !strings.Contains(strings.Join(notes, "; "), "threw a CimException") {
				t.Fatalf("no method threw (notes %q)", notes)
			}
			if *thrown != *returned {
				t.Fatalf("thrown:\n got  %+v\n want %+v", thrown, returned)
			}
		})
	}
}

// get_license_server reports a failed read of the AD group the same way
// whether IsLSinTSLSGroup returns the failure or throws it.
func TestGroupReadFailureIsTheSameThrown(t *testing.T) {
	read := func(throw bool) (rds.LicenseServer, []string) {
		_, h := lsSim(t, "contoso.com", func(st *HostState) {
			st.NoDomainController = true
			st.Quirks.FailuresAsCimException = throw
		})
		var got rds.LicenseServer
		res, oerr, x := h.runOperation(testAdmin, "get_license_server", []byte(`{}`))
		if oerr != nil {
			t.Fatal(oerr)
		}
		got, _ = res.(rds.LicenseServer)
		return got, x.notes
	}
	returned, _ := read(false)
	thrown, notes := read(true)
	if !strings.Contains(strings.Join(notes, "; "), "IsLSinTSLSGroup threw a CimException") {
		t.Fatalf("IsLSinTSLSGroup did not throw (notes %q)", notes)
	}
	want := "IsLSinTSLSGroup failed with 0x80041009 (WBEM_E_NOT_AVAILABLE)"
	if returned.TSLSGroupError != want || thrown.TSLSGroupError != want || returned.InTSLSGroup != nil || thrown.InTSLSGroup != nil {
		t.Fatalf("group error: returned %q, thrown %q; want %q and no membership", returned.TSLSGroupError, thrown.TSLSGroupError, want)
	}
}

// LSERVER_I_NO_MORE_DATA is a result, not a failure: with failures thrown,
// a license server with no per-user CAL in use still reports empty usage.
func TestInformationalCodesAreNotThrown(t *testing.T) {
	_, h := lsSim(t, "contoso.com", func(st *HostState) {
		activated(st)
		st.Quirks.FailuresAsCimException = true
	})
	res, oerr, x := h.runOperation(testAdmin, "get_cal_usage_report", []byte(`{}`))
	if oerr != nil {
		t.Fatalf("%+v (notes %q)", oerr, x.notes)
	}
	if rep, ok := res.(rds.UsageReport); !ok || len(rep.PerUser) != 0 || strings.Contains(strings.Join(x.notes, "; "), "CimException") {
		t.Fatalf("report %+v, notes %q", rep, x.notes)
	}
}
