package provider

import (
	"context"
	"runtime"
	"testing"
	"time"
	"weak"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

type ctxKey struct{}

// retained reports whether a value put in the context of one
// GetProviderSchema call is still reachable after the call returned.
func retained(t *testing.T, server tfprotov6.ProviderServer) bool {
	t.Helper()
	value := new([4096]byte)
	w := weak.Make(value)
	func() {
		ctx, cancel := context.WithCancel(context.WithValue(context.Background(), ctxKey{}, value))
		defer cancel()
		if _, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{}); err != nil {
			t.Fatal(err)
		}
	}()
	value = nil
	for range 3 {
		runtime.GC()
	}
	kept := w.Value() != nil
	runtime.KeepAlive(server) // as Terraform's connection keeps it
	return kept
}

// Served without request values, the framework keeps nothing of a call's
// context; served with them, it keeps every call's context until
// StopProvider (the reason NewServer strips them).
func TestServerKeepsNoRequestContext(t *testing.T) {
	if retained(t, NewServer("test", false)()) {
		t.Error("a call's context is still reachable after the call: the framework keeps it")
	}
	if !retained(t, NewServer("test", true)()) {
		t.Error("the framework no longer keeps the contexts of finished calls: NewServer need not strip their values any more")
	}
}

// fakeServer records the context a call received.
type fakeServer struct {
	tfprotov6.ProviderServer
	got chan context.Context
}

func (f fakeServer) ReadResource(ctx context.Context, _ *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	f.got <- ctx
	<-ctx.Done()
	return &tfprotov6.ReadResourceResponse{}, nil
}

// The context a call receives has the request's deadline and ends when
// the request's context ends, without its values.
func TestServerPassesCancellationAndDeadline(t *testing.T) {
	fake := fakeServer{got: make(chan context.Context, 1)}
	server := valuelessServer{fake}
	deadline := time.Now().Add(time.Hour)
	ctx, cancel := context.WithDeadline(context.WithValue(context.Background(), ctxKey{}, "value"), deadline)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = server.ReadResource(ctx, &tfprotov6.ReadResourceRequest{})
	}()
	got := <-fake.got
	if d, ok := got.Deadline(); !ok || !d.Equal(deadline) {
		t.Errorf("deadline %v %v, want %v", d, ok, deadline)
	}
	if got.Value(ctxKey{}) != nil {
		t.Error("the call sees the request's values")
	}
	if got.Err() != nil {
		t.Fatalf("ended before the request: %v", got.Err())
	}
	cancel()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("canceling the request did not end the call's context")
	}
	if got.Err() == nil {
		t.Error("the call's context did not end with the request's")
	}
}
