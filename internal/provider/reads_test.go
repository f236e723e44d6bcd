package provider

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
)

// Callers of one key share one read per generation, whatever their
// number and the key's case; a write's new generation reads again.
func TestShareRead(t *testing.T) {
	d := &providerData{}
	var reads sharedReads[int]
	var n atomic.Int32
	release := make(chan struct{})
	var fail error // a read's error is shared like its value
	read := func(context.Context) (int, error) {
		<-release
		return int(n.Add(1)), fail
	}
	var wg sync.WaitGroup
	got := make([]int, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := "RDSH01"
			if i%2 == 1 {
				key = "rdsh01"
			}
			got[i], _ = shareRead(context.Background(), d, &reads, key, read)
		}()
	}
	close(release)
	wg.Wait()
	for i, v := range got {
		if v != 1 {
			t.Fatalf("caller %d got read %d, want the one shared read", i, v)
		}
	}
	d.newGeneration()
	if v, _ := shareRead(context.Background(), d, &reads, "rdsh01", read); v != 2 {
		t.Fatalf("after a new generation got read %d, want a new one", v)
	}
	if v, _ := shareRead(context.Background(), d, &reads, "rdsh02", read); v != 3 {
		t.Fatalf("another key got read %d, want its own", v)
	}
}

// A read its caller's deadline cut short is not kept: a waiting caller
// reads again with its own context, and a failure that is the host's is
// shared like a success.
func TestShareReadCutShort(t *testing.T) {
	d := &providerData{}
	var reads sharedReads[string]
	started := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := shareRead(ctx, d, &reads, "h", func(ctx context.Context) (string, error) {
			close(started)
			<-ctx.Done()
			return "", ctx.Err()
		})
		done <- err
	}()
	<-started
	waiter := make(chan string)
	go func() {
		v, _ := shareRead(context.Background(), d, &reads, "h", func(context.Context) (string, error) { return "second", nil })
		waiter <- v
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("the canceled caller got %v", err)
	}
	if v := <-waiter; v != "second" {
		t.Fatalf("the waiter got %q, want its own read", v)
	}
	hostErr := errors.New("the host refused")
	calls := 0
	fail := func(context.Context) (string, error) { calls++; return "", hostErr }
	d.newGeneration()
	for range 2 {
		if _, err := shareRead(context.Background(), d, &reads, "h", fail); !errors.Is(err, hostErr) {
			t.Fatalf("got %v", err)
		}
	}
	if calls != 1 {
		t.Fatalf("a host's failure was read %d times in one generation, want 1", calls)
	}
}
