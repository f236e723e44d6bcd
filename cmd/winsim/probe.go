package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/conformance"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
)

// PasswordEnv holds the probe's password: never a flag, which would show
// in the process list and the shell's history.
const PasswordEnv = "RDSLICENSING_PASSWORD"

const probeUsage = `winsim probe: check winsim and the provider against a real Windows Server.

Usage:
  RDSLICENSING_PASSWORD=... winsim probe -host HOST [flags]

Runs every read-only operation of the provider on HOST (get_host_info,
get_windows_facts, get_role, get_license_server, list_key_packs,
get_cal_usage_report, get_session_host): nothing on the server changes
(get_cal_usage_report makes RD Licensing Manager's usage report and deletes
it again). Writes a sanitised transcript (-out): no password, no license
code, no product or license server ID, no user, computer or contact name;
the host's names and domain are replaced by HOST and example.test unless
-keep-names. Prints, for every fact of the Windows facts catalog the probe
can observe: matches, differs (catalog X, observed Y), unverified, now
observed: Y, or not observed. Exit status 3 when a fact differs.

-lab-write-cycle (lab session hosts only) also changes the licensing mode
through WMI to the other CAL type, keeping the license servers, observes
what Windows shows, and puts the mode back; TermService is not restarted.
It refuses a host it could not restore exactly (no RD Session Host role, a
licensing Group Policy, license servers without a mode). Exit status 4
when it failed or was refused, 5 when it could not restore the host (the
message says what to set back).

winsim -scenario-from-transcript FILE serves a host that answers like the
probed server.

The password comes from the environment variable RDSLICENSING_PASSWORD only.

Flags:
`

// runProbe is "winsim probe".
func runProbe(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("winsim probe", flag.ContinueOnError)
	host := fs.String("host", os.Getenv("RDSLICENSING_HOST"), "the server to probe (default $RDSLICENSING_HOST)")
	port := fs.Int("port", 0, "WinRM port (0: 5986 with -https, 5985 without)")
	https := fs.Bool("https", false, "use HTTPS")
	insecure := fs.Bool("insecure", false, "do not verify the server's certificate")
	caCert := fs.String("ca-cert", "", "PEM file of the CA that signed the server's certificate")
	username := fs.String("username", envOr("RDSLICENSING_USERNAME", "Administrator"), "account to log on with (default $RDSLICENSING_USERNAME, else Administrator)")
	auth := fs.String("auth", envOr("RDSLICENSING_AUTH", winrmclient.AuthNTLM), "basic or ntlm")
	out := fs.String("out", "transcript.json", "write the sanitised transcript here (- for stdout, empty: none)")
	keepNames := fs.Bool("keep-names", false, "keep the host's names and domain in the transcript")
	timeout := fs.Duration("timeout", 5*time.Minute, "give up after this long")
	writeCycle := fs.Bool("lab-write-cycle", false, "also change and restore the licensing mode of a LAB session host (see above)")
	fs.SetOutput(stderr)
	fs.Usage = func() {
		_, _ = fmt.Fprint(stderr, probeUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if *host == "" {
		return errors.New("probe: -host is required")
	}
	password := os.Getenv(PasswordEnv)
	if password == "" {
		return fmt.Errorf("probe: set the password in %s", PasswordEnv)
	}
	cfg := winrmclient.Config{
		Host: *host, Port: *port, HTTPS: *https, Insecure: *insecure,
		Username: *username, Password: password, Auth: *auth,
		Timeout: *timeout, Library: rds.Library,
	}
	if *caCert != "" {
		pem, err := os.ReadFile(*caCert)
		if err != nil {
			return err
		}
		cfg.CACert = pem
	}
	c, err := winrmclient.New(cfg)
	if err != nil {
		return err
	}
	defer func() { _ = c.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	names := []string{*host}
	if h, _, err := net.SplitHostPort(*host); err == nil {
		names = append(names, h)
	}
	t, err := conformance.Probe(ctx, c, "", conformance.Options{
		KeepNames: *keepNames, Names: names, Secrets: []string{password}, WriteCycle: *writeCycle,
	})
	cycleErr := err
	if err != nil && t.WriteCycle == "" {
		return fmt.Errorf("probe: %w", err)
	}
	if *out != "" {
		b, err := json.MarshalIndent(t, "", "  ")
		if err != nil {
			return err
		}
		b = append(b, '\n')
		if *out == "-" {
			_, err = stdout.Write(b)
		} else {
			err = os.WriteFile(*out, b, 0o600)
		}
		if err != nil {
			return err
		}
	}
	r := conformance.Compare(conformance.Catalog(), t.Observations)
	_, _ = fmt.Fprintf(stdout, "winsim probe: Windows Server %s (%s)\n\n", t.Observations["os.release"], t.Observations["os.caption"])
	if err := r.Write(stdout); err != nil {
		return err
	}
	if *out != "" && *out != "-" {
		_, _ = fmt.Fprintf(stdout, "transcript: %s (check it before you share it)\n", *out)
	}
	if t.WriteCycle != "" {
		_, _ = fmt.Fprintf(stdout, "lab write cycle: %s\n", t.WriteCycle)
	}
	switch {
	case errors.Is(cycleErr, conformance.ErrNotRestored):
		return &exitError{code: 5, err: cycleErr}
	case cycleErr != nil:
		return &exitError{code: 4, err: cycleErr}
	case r.Count(conformance.Differs) > 0:
		return errDiffers
	}
	return nil
}

// exitError is a failure with its own exit status.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// errDiffers makes the exit status 3: the probe ran, and Windows is not
// what the catalog says.
var errDiffers = errors.New("some facts differ from the catalog")

func envOr(name, fallback string) string {
	if v := strings.TrimSpace(os.Getenv(name)); v != "" {
		return v
	}
	return fallback
}
