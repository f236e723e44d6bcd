package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/testenv"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// Certificate logon through the real CLI: LS01 maps ops@localhost
// certificates of the test's CA to its local administrator ops.
func TestAccCertificate(t *testing.T) {
	const opsPassword = "Ops-P@ssw0rd9"
	ca := testenv.NewClientCA(t, "Contoso Client CA")
	st := winsim.NewHost("LS01", "2022", "")
	st.WinRM.Certificate = true
	st.TrustedRoots = []string{string(ca.PEM)}
	st.Users = append(st.Users, winsim.User{Name: "ops", Password: opsPassword, Admin: true})
	st.CertMappings = []winsim.CertMapping{{URI: "*", Subject: "ops@localhost", Issuer: ca.Thumbprint, UserName: "ops", Password: opsPassword, Enabled: true}}
	e := newAccEnv(t, st)
	h := e.Host("LS01")
	now := time.Now()
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cert, key := ca.Issue(t, "ops@localhost", now.Add(-time.Hour), now.Add(24*time.Hour))
	dev, devKey := ca.Issue(t, "dev@localhost", now.Add(-time.Hour), now.Add(24*time.Hour))
	old, oldKey := ca.Issue(t, "ops@localhost", now.Add(-48*time.Hour), now.Add(-24*time.Hour))
	provider := func(cert, key string) string {
		return strings.Replace(e.Provider(fmt.Sprintf("client_cert = file(%q)\n  client_key = file(%q)", cert, key)),
			`username = "Administrator"`, "", 1)
	}
	withCert := strings.Replace(strings.Replace(provider(write("ops.pem", cert), write("ops.key", key)), `auth     = "basic"`, `auth     = "certificate"`, 1),
		fmt.Sprintf("password = %q", winsim.DefaultPassword), "", 1)
	body := `
resource "rdslicensing_role" "ls" {}
data "rdslicensing_license_server" "ls" { depends_on = [rdslicensing_role.ls] }
`
	swap := func(certPath, keyPath string) string {
		return strings.NewReplacer(filepath.Join(dir, "ops.pem"), certPath, filepath.Join(dir, "ops.key"), keyPath).Replace(withCert)
	}
	// The refusals first: the test destroys with the last configuration.
	var mark int64
	accTest(t, resource.TestCase{Steps: []resource.TestStep{
		{
			Config:      swap(write("dev.pem", dev), write("dev.key", devKey)) + body,
			ExpectError: errorText("the host refused the client certificate (HTTP 401)", "-Subject dev@localhost", "Auth/Certificate"),
		},
		{
			Config:      swap(write("old.pem", old), write("old.key", oldKey)) + body,
			ExpectError: errorText("client_cert expired on", now.Add(-24*time.Hour).UTC().Format(time.DateOnly), "issue a new certificate", "RDSLICENSING_CLIENT_CERT"),
		},
		{
			PreConfig: func() { mark = h.LogSeq() },
			Config:    withCert + body,
			Check: func(*terraform.State) error {
				for _, l := range h.Log(mark) {
					if l.Event == "http" && (l.Auth != "certificate" || l.User != "ops") {
						return errorf("request %+v", l)
					}
				}
				if st := h.State(); !st.FeatureInstalled(winsim.FeatureLicensing) {
					return errorf("the role is not installed")
				}
				return nil
			},
		},
		{Config: withCert + body, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
	}})
}
