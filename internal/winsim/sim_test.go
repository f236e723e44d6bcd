package winsim_test

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// A host that changes domain is found, and presents a certificate, under
// its new FQDN only, whichever way the state changed.
func TestDomainChangeRekeysHost(t *testing.T) {
	sim := serveSim(t, winsim.Scenario{Hosts: []winsim.HostState{
		winsim.NewLicenseServerHost("LS01", "2022", "fabrikam.com"),
		winsim.NewSessionHost("RDSH01", "2022", "contoso.com", time.Now().Add(time.Hour)),
	}})
	h := sim.Host("LS01")
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(sim.CACertPEM())
	verify := func(name string) error {
		c, err := tls.Dial("tcp", h.Endpoint(true), &tls.Config{RootCAs: roots, ServerName: name, MinVersion: tls.VersionTLS12})
		if err != nil {
			return err
		}
		return c.Close()
	}
	resolves := func(want *winsim.Host, names ...string) {
		t.Helper()
		for _, n := range names {
			if got := sim.Host(n); got != want {
				t.Errorf("Host(%q) = %s, want %s", n, hostName(got), hostName(want))
			}
		}
	}
	if err := verify("ls01.fabrikam.com"); err != nil {
		t.Fatalf("TLS before the change: %v", err)
	}

	if err := h.Patch([]byte(`{"domain":"contoso.com"}`)); err != nil {
		t.Fatal(err)
	}
	resolves(h, "ls01.contoso.com", "LS01", h.State().Address)
	resolves(nil, "ls01.fabrikam.com")
	if err := verify("ls01.contoso.com"); err != nil {
		t.Errorf("TLS after PATCH: %v", err)
	}

	st := h.State()
	st.Domain = "northwind.com"
	if err := h.Replace(st); err != nil {
		t.Fatal(err)
	}
	resolves(h, "ls01.northwind.com")
	resolves(nil, "ls01.contoso.com")

	h.Update(func(st *winsim.HostState) { st.Domain, st.Workgroup = "", "WORKGROUP" })
	resolves(h, "ls01")
	resolves(nil, "ls01.northwind.com")
	if err := verify("ls01"); err != nil {
		t.Errorf("TLS after Update: %v", err)
	}

	// The name identifies the host: Update refuses to change it.
	func() {
		defer func() {
			if r := recover(); !strings.Contains(fmt.Sprint(r), "name and address cannot change") {
				t.Errorf("renaming through Update: recover() = %v", r)
			}
		}()
		h.Update(func(st *winsim.HostState) { st.Name = "LS02" })
	}()
	resolves(h, "LS01")
	resolves(nil, "LS02")
}

func hostName(h *winsim.Host) string {
	if h == nil {
		return "no host"
	}
	return h.Name()
}
