package sessionhosts

import (
	"fmt"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
)

// Restart is what a plan that writes the licensing settings with
// restart_service (true, or known only at apply) knows of the restart.
type Restart struct {
	// Update: the settings of an existing resource change; else a create.
	Update bool
	// Read is the host as the plan read it; nil when it was not asked or
	// could not be.
	Read *rds.SessionHost
	// Held: Read already holds the planned settings (SettingsHeld).
	Held bool
	// RestartKnown and ServersKnown: restart_service and license_servers
	// are known at plan.
	RestartKnown, ServersKnown bool
}

// Warning is the plan's restart warning, if any: an update restarts
// (surely when both values are known); a create restarts unless the host
// already holds the settings (maybe, when the host could not be read).
func (r Restart) Warning(host string) (Message, bool) {
	switch {
	case r.Update:
		return RestartWarning(host, r.RestartKnown && r.ServersKnown, "apply changes the licensing settings"), true
	case r.Read == nil:
		return RestartWarning(host, false, "apply writes the licensing settings where they differ from the host's"), true
	case !r.Held:
		return RestartWarning(host, r.RestartKnown, "apply writes licensing settings the host does not have yet"), true
	}
	return Message{}, false
}

// hints add what to do to the failures the scripts explain only by what
// is wrong.
var hints = map[winrmclient.Kind]string{
	rds.KindRoleMissing:   "Install the role service first (Install-WindowsFeature RDS-RD-Server -Restart), or set host to a session host.",
	rds.KindRebootPending: "Restart the server, then apply again.",
}

// Hint is what to do about err, "" when nothing is known.
func Hint(err error) string { return hints[winrmclient.KindOf(err)] }

// LeaveInstead is what to do when returning the settings to not
// configured fails on destroy.
const LeaveInstead = "To leave the settings as they are, remove the resource from the state instead (terraform state rm)."

// NoSessionHostRole warns that the host the settings are on is no session
// host (yet): they only matter on one.
func NoSessionHostRole(host string, sh rds.SessionHost) (Message, bool) {
	if sh.RDSHInstalled {
		return Message{}, false
	}
	return Message{Summary: "No RD Session Host role on " + host, Detail: fmt.Sprintf("The RD Session Host role service (RDS-RD-Server) is not installed on %s, or waits for a restart to finish installing. The licensing settings stay, but they only matter on a session host: install the role service, or remove this resource.", sh.ComputerName)}, true
}
