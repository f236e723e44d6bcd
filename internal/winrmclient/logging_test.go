package winrmclient_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// Secrets never reach a log line (at TRACE too), an error message or a
// command line: not the password, not a license code, with or without
// its hyphens.
func TestSecretsNeverLeak(t *testing.T) {
	const code = "BCDFG-HJKMP-QRTVW-XY234-67896"
	bare := strings.ReplaceAll(code, "-", "")
	st := activatedLS()
	sim := startSim(t, st)
	h := sim.Host("LS01")
	var logs bytes.Buffer
	logger := hclog.New(&hclog.LoggerOptions{Level: hclog.Trace, Output: &logs, JSONFormat: true})
	// Windows echoing a code back in an error is the worst case.
	addFault(t, h, winsim.Fault{Type: winsim.FaultOpError, Operation: "install_key_pack", Kind: "invalid_code", Message: "the code " + bare + " (" + code + ") was refused"})
	for _, auth := range []string{winrmclient.AuthBasic, winrmclient.AuthNTLM} {
		c := clientFor(t, sim, h, func(cfg *winrmclient.Config) { cfg.Auth, cfg.Logger = auth, logger })
		_, err := rds.InstallKeyPack.Run(ctxT(t), c, "", rds.InstallKeyPackInput{Program: "retail", LicenseCode: code, ProductVersion: 7})
		e := kindError(t, err, rds.KindInvalidCode, "the code *** (***) was refused")
		if strings.Contains(e.Error(), bare) || strings.Contains(e.Error(), code) {
			t.Fatalf("error leaks the code: %v", err)
		}
		// A failing login must not leak the password either.
		bad := clientFor(t, sim, h, func(cfg *winrmclient.Config) { cfg.Auth, cfg.Logger, cfg.Password = auth, logger, "Wr0ng-Secret-Pw" })
		_, err = rds.GetHostInfo.Run(ctxT(t), bad, "", rds.NoInput{})
		if err == nil || strings.Contains(err.Error(), "Wr0ng-Secret-Pw") {
			t.Fatalf("bad password: %v", err)
		}
		_ = c.Close()
		_ = bad.Close()
	}
	if logs.Len() == 0 {
		t.Fatal("nothing was logged: the test would prove nothing")
	}
	for _, secret := range []string{code, bare, winsim.DefaultPassword, "Wr0ng-Secret-Pw"} {
		if strings.Contains(logs.String(), secret) {
			t.Fatalf("the log contains a secret (%q)", secret)
		}
	}
	for _, e := range h.Log(0) {
		if e.CommandLine != "" && e.CommandLine != winrmclient.BootstrapCommand() {
			t.Fatalf("a command line other than the constant bootstrap was sent: %.80q", e.CommandLine)
		}
	}
}
