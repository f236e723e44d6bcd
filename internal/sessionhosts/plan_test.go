package sessionhosts

import (
	"strings"
	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
)

func TestRestartWarning(t *testing.T) {
	read := &rds.SessionHost{}
	for _, tc := range []struct {
		name string
		r    Restart
		want string // "" none, else the summary's verb
	}{
		{"update, all known", Restart{Update: true, RestartKnown: true, ServersKnown: true}, "Apply restarts"},
		{"update, servers known at apply", Restart{Update: true, RestartKnown: true}, "Apply may restart"},
		{"create, host not read", Restart{RestartKnown: true}, "Apply may restart"},
		{"create, settings differ", Restart{Read: read, RestartKnown: true}, "Apply restarts"},
		{"create, restart known at apply", Restart{Read: read}, "Apply may restart"},
		{"create, settings held", Restart{Read: read, Held: true, RestartKnown: true}, ""},
	} {
		w, ok := tc.r.Warning("rdsh01")
		switch {
		case tc.want == "" && ok:
			t.Errorf("%s: warned %q", tc.name, w.Summary)
		case tc.want != "" && (!ok || !strings.HasPrefix(w.Summary, tc.want+" ")):
			t.Errorf("%s: %q, want it to start with %q", tc.name, w.Summary, tc.want)
		}
	}
}

func TestHintAndRoleWarning(t *testing.T) {
	if h := Hint(&winrmclient.Error{Kind: rds.KindRoleMissing}); !strings.Contains(h, "RDS-RD-Server") {
		t.Errorf("Hint(role_missing) = %q", h)
	}
	if h := Hint(&winrmclient.Error{Kind: winrmclient.KindTransport}); h != "" {
		t.Errorf("Hint(transport) = %q", h)
	}
	if _, ok := NoSessionHostRole("rdsh01", rds.SessionHost{RDSHInstalled: true}); ok {
		t.Error("warned of a session host")
	}
	if m, ok := NoSessionHostRole("rdsh01", rds.SessionHost{ComputerName: "RDSH01"}); !ok || !strings.Contains(m.Detail, "RDSH01") {
		t.Errorf("NoSessionHostRole = %+v, %v", m, ok)
	}
}
