package winrmclient_test

import (
	"strings"
	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
)

// cmd.exe behaviours, through masterzen's command flow on our transport.
func TestCmdBuiltins(t *testing.T) {
	sim := startSim(t, lsHost("LS01"))
	c := clientFor(t, sim, sim.Host("LS01"), nil)
	for _, tc := range []struct {
		cmd            string
		stdout, stderr string
		code           int
	}{
		{"hostname", "LS01\r\n", "", 0},
		{"whoami", "ls01\\administrator\r\n", "", 0},
		{"echo hello world", "hello world\r\n", "", 0},
		{"echo", "ECHO is on.\r\n", "", 0},
		{"exit /b 3", "", "", 3},
		{"frobnicate --now", "", "'frobnicate' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n", 1},
		{"echo " + strings.Repeat("x", 8200), "The command line is too long.\r\n", "", 1},
	} {
		t.Run(strings.Fields(tc.cmd + " x")[0], func(t *testing.T) {
			stdout, stderr, code, err := c.RunCommand(ctxT(t), "", tc.cmd)
			if err != nil {
				t.Fatal(err)
			}
			if stdout != tc.stdout || stderr != tc.stderr || code != tc.code {
				t.Fatalf("%q: stdout %q stderr %q code %d", tc.cmd, stdout, stderr, code)
			}
		})
	}
}

func TestCommandLineOverCreateProcessLimit(t *testing.T) {
	sim := startSim(t, lsHost("LS01"))
	c := clientFor(t, sim, sim.Host("LS01"), nil)
	_, _, _, err := c.RunCommand(ctxT(t), "", "echo "+strings.Repeat("y", 33000))
	e := kindError(t, err, winrmclient.KindProtocol, "filename or extension is too long")
	if e.Code != 2147942606 {
		t.Fatalf("code %d", e.Code)
	}
}

func TestBootstrapCommandFitsCmdLimit(t *testing.T) {
	if n := len(winrmclient.BootstrapCommand()); n > 8191 {
		t.Fatalf("bootstrap command is %d characters, over cmd.exe's 8191", n)
	}
}
