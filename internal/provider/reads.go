package provider

import (
	"context"
	"strings"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
)

// sharedReads holds reads that several resources and data sources of one
// provider process ask of the same host within a run: the license server
// a fleet's diagnostics inspect, the session host that a policy and its
// diagnostics both read. Each key is read once per generation of the
// provider's data; any change the provider makes starts a new generation
// (providerData.Run), so no read outlives a write. A read cut short by its
// caller's deadline is not kept: the next caller reads again.
type sharedReads[T any] struct {
	entries map[string]*sharedRead[T]
}

type sharedRead[T any] struct {
	generation uint64
	done       chan struct{}
	value      T
	err        error
}

// shareRead returns the current generation's read of key from reads,
// running read for it when there is none; callers of the same key wait
// for the one running. Host names are keys in lower case.
func shareRead[T any](ctx context.Context, d *providerData, reads *sharedReads[T], key string, read func(context.Context) (T, error)) (T, error) {
	key = strings.ToLower(key)
	for {
		d.mu.Lock()
		r, ok := reads.entries[key]
		if ok && r.generation == d.generation {
			d.mu.Unlock()
			select {
			case <-r.done:
			case <-ctx.Done():
				var zero T
				return zero, ctx.Err()
			}
			d.mu.Lock()
			kept := reads.entries[key] == r
			d.mu.Unlock()
			if kept {
				return r.value, r.err
			}
			continue // cut short by its caller: read again
		}
		r = &sharedRead[T]{generation: d.generation, done: make(chan struct{})}
		if reads.entries == nil {
			reads.entries = map[string]*sharedRead[T]{}
		}
		reads.entries[key] = r
		d.mu.Unlock()
		r.value, r.err = read(ctx)
		if ctx.Err() != nil {
			d.mu.Lock()
			if reads.entries[key] == r {
				delete(reads.entries, key)
			}
			d.mu.Unlock()
		}
		close(r.done)
		return r.value, r.err
	}
}

// inspection is one read of a license server, shared by the diagnostics
// of every session host that uses it.
type inspection struct {
	server  rds.LicenseServer
	packs   []rds.KeyPack
	problem string // why it could not be read
}

// inspectLicenseServer reads a license server's activation and key packs,
// once per generation: a fleet of session hosts sharing a license server
// reads it once, not once per host (shareRead).
func (d *providerData) inspectLicenseServer(ctx context.Context, name string) (rds.LicenseServer, []rds.KeyPack, string) {
	in, err := shareRead(ctx, d, &d.inspections, name, func(ctx context.Context) (inspection, error) {
		server, packs, problem := readLicenseServer(ctx, d, name)
		return inspection{server, packs, problem}, nil
	})
	if err != nil {
		return rds.LicenseServer{}, nil, winrmclient.MessageOf(err)
	}
	return in.server, in.packs, in.problem
}

// newGeneration forgets every shared read.
func (d *providerData) newGeneration() {
	d.mu.Lock()
	d.generation++
	d.mu.Unlock()
}

func readLicenseServer(ctx context.Context, d *providerData, name string) (rds.LicenseServer, []rds.KeyPack, string) {
	ls, err := rds.GetLicenseServer.Run(ctx, d, name, rds.NoInput{})
	if err != nil {
		return ls, nil, winrmclient.MessageOf(err)
	}
	packs, err := rds.ListKeyPacks.Run(ctx, d, name, rds.NoInput{})
	if err != nil {
		return ls, nil, winrmclient.MessageOf(err)
	}
	return ls, packs.KeyPacks, ""
}

// readSessionHost reads a session host and the connectivity of the
// license servers in effect, once per generation: a session host's policy,
// its diagnostics and this data source share one read (shareRead).
func (d *providerData) readSessionHost(ctx context.Context, host string) (rds.SessionHost, error) {
	return shareRead(ctx, d, &d.sessionHosts, host, func(ctx context.Context) (rds.SessionHost, error) {
		return rds.GetSessionHost.Run(ctx, d, host, rds.SessionHostInput{CheckServers: []string{}, CheckSpecified: true})
	})
}
