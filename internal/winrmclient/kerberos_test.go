package winrmclient_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
)

// winsim has no KDC, so Kerberos is checked up to the login: settings
// reach gokrb5, and its failures come back as clear auth errors.
func TestKerberosFailuresAreClear(t *testing.T) {
	sim := startSim(t, lsHost("LS01"))
	h := sim.Host("LS01")
	dir := t.TempDir()
	conf := filepath.Join(dir, "krb5.conf")
	// A KDC that refuses connections.
	if err := os.WriteFile(conf, []byte("[libdefaults]\n default_realm = CONTOSO.COM\n dns_lookup_kdc = false\n[realms]\n CONTOSO.COM = {\n  kdc = 127.0.0.1:1\n }\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, krb5, want string
	}{
		{"no configuration file", filepath.Join(dir, "missing.conf"), "cannot read the Kerberos configuration"},
		{"KDC unreachable", conf, `Kerberos login as admin@CONTOSO.COM failed`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := clientFor(t, sim, h, func(cfg *winrmclient.Config) {
				cfg.Auth, cfg.Username, cfg.Password = winrmclient.AuthKerberos, `CONTOSO\admin`, "pw"
				cfg.Kerberos = winrmclient.KerberosConfig{Realm: "contoso.com", Krb5Conf: tc.krb5}
			})
			_, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{})
			wantKind(t, err, winrmclient.KindAuth, tc.want)
		})
	}
}

// A failed Kerberos setup is not kept: fixing it (here, writing the
// missing krb5.conf) takes effect on the next operation.
func TestKerberosFailureIsNotCached(t *testing.T) {
	sim := startSim(t, lsHost("LS01"))
	conf := filepath.Join(t.TempDir(), "krb5.conf")
	c := clientFor(t, sim, sim.Host("LS01"), func(cfg *winrmclient.Config) {
		cfg.Auth, cfg.Username, cfg.Password = winrmclient.AuthKerberos, `CONTOSO\admin`, "pw"
		cfg.Kerberos = winrmclient.KerberosConfig{Realm: "contoso.com", Krb5Conf: conf}
	})
	_, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{})
	wantKind(t, err, winrmclient.KindAuth, "cannot read the Kerberos configuration")
	if err := os.WriteFile(conf, []byte("[libdefaults]\n default_realm = CONTOSO.COM\n dns_lookup_kdc = false\n[realms]\n CONTOSO.COM = {\n  kdc = 127.0.0.1:1\n }\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{})
	wantKind(t, err, winrmclient.KindAuth, "Kerberos login as admin@CONTOSO.COM failed")
}
