package provider

import (
	"strings"
	"sync"
)

// planNotes is what the resources of one provider instance tell each
// other during a plan: Terraform plans a resource after those it depends
// on, so a key pack whose host comes from an rdslicensing_server_activation
// (host = rdslicensing_server_activation.x.id, or depends_on) can ask
// whether that activation's plan activates the server. A resource planned
// before the activation, or independently of it, may not see the note.
type planNotes struct {
	mu          sync.Mutex
	activations map[string]bool // host, lower case -> an activation is planned
}

// notePlannedActivation records that this run's plan of an
// rdslicensing_server_activation activates host (creates the activation,
// activates a server found deactivated, or sets activated back to true).
func (d *providerData) notePlannedActivation(host string) {
	key := planNoteKey(host)
	if d == nil || key == "" {
		return
	}
	d.notes.mu.Lock()
	defer d.notes.mu.Unlock()
	if d.notes.activations == nil {
		d.notes.activations = map[string]bool{}
	}
	d.notes.activations[key] = true
}

// activationPlanned reports whether an rdslicensing_server_activation of
// this run planned to activate host (host names are case-insensitive).
func (d *providerData) activationPlanned(host string) bool {
	key := planNoteKey(host)
	if d == nil || key == "" {
		return false
	}
	d.notes.mu.Lock()
	defer d.notes.mu.Unlock()
	return d.notes.activations[key]
}

// planNoteKey is how notes spell a host: host names are case-insensitive.
func planNoteKey(host string) string { return strings.ToLower(strings.TrimSpace(host)) }
