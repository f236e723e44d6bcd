package provider

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
)

// The OpenTofu CLI against a provider served by the test process, as the
// plugin-testing harness runs it, but driven command by command: tests
// that need what the harness cannot do (several working directories at
// once, -parallelism, reading the CLI's own output) and the test
// process's short settle and poll times (TestMain).

// inProcessAddress is the provider's address in configurations of
// in-process runs.
const inProcessAddress = "registry.terraform.io/rdslicensing/rdslicensing"

// newInProcessRun is a working directory whose commands reach the
// provider in this process; configurations set the provider block
// (e.Provider).
func newInProcessRun(t *testing.T) *cliRun {
	t.Helper()
	if os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		t.Fatal("TF_ACC_TERRAFORM_PATH is not set")
	}
	env := append(os.Environ(), "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	return &cliRun{t: t, dir: t.TempDir(), env: env, inProcess: true}
}

// serveInProcess serves a new provider for one CLI command; it returns
// the TF_REATTACH_PROVIDERS value and a function that stops the server.
func serveInProcess(t *testing.T) (string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	config := make(chan *plugin.ReattachConfig, 1)
	closed := make(chan struct{})
	factory := NewServer("test", LoggingRequested(os.Environ()))
	go func() {
		_ = tf6server.Serve(inProcessAddress, factory, tf6server.WithDebug(ctx, config, closed),
			tf6server.WithGoPluginLogger(hclog.NewNullLogger()), tf6server.WithoutLogStderrOverride())
	}()
	var rc *plugin.ReattachConfig
	select {
	case rc = <-config:
	case <-closed:
		cancel()
		t.Fatal("the in-process provider server stopped before it started")
	}
	b, err := json.Marshal(map[string]any{inProcessAddress: map[string]any{
		"Protocol": string(rc.Protocol), "ProtocolVersion": rc.ProtocolVersion, "Pid": rc.Pid, "Test": true,
		"Addr": map[string]string{"Network": rc.Addr.Network(), "String": rc.Addr.String()},
	}})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	return string(b), func() { cancel(); <-closed }
}
