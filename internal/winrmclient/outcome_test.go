package winrmclient_test

import (
	"context"
	"testing"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// warmClient returns a client whose session on h is warm, so that the
// next operation is one Send and one Receive.
func warmClient(t *testing.T, sim *winsim.Sim, h *winsim.Host, mutate func(*winrmclient.Config)) *winrmclient.Client {
	t.Helper()
	c := clientFor(t, sim, h, mutate)
	if _, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{}); err != nil {
		t.Fatal(err)
	}
	return c
}

// A deadline or a cancellation that ends a non-idempotent operation after
// its request reached the process leaves its outcome unknown.
func TestDeadlineAfterDeliveryLeavesOutcomeUnknown(t *testing.T) {
	for _, tc := range []struct {
		name string
		kind winrmclient.Kind
		ctx  func() (context.Context, context.CancelFunc)
	}{
		{"timeout", winrmclient.KindTimeout, func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 700*time.Millisecond)
		}},
		{"cancel", winrmclient.KindCanceled, func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(700*time.Millisecond, cancel)
			return ctx, cancel
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim := startSim(t, activatedLS("LS01"))
			h := sim.Host("LS01")
			c := warmClient(t, sim, h, nil)
			addFault(t, h, winsim.Fault{Type: winsim.FaultDelay, Operation: "install_key_pack", DelayMS: 1500})
			ctx, cancel := tc.ctx()
			defer cancel()
			_, err := rds.InstallKeyPack.Run(ctx, c, "", retailInput)
			e := kindError(t, err, tc.kind, "may have run on the host")
			if !e.OutcomeUnknown {
				t.Fatalf("OutcomeUnknown not set: %v", err)
			}
			// An idempotent operation that never ran gets no such flag.
			addFault(t, h, winsim.Fault{Type: winsim.FaultDelay, Action: "Send", DelayMS: 1500, Count: 1})
			ctx, cancel = tc.ctx()
			defer cancel()
			_, err = rds.GetHostInfo.Run(ctx, c, "", rds.NoInput{})
			if e := kindError(t, err, tc.kind); e.OutcomeUnknown {
				t.Fatalf("OutcomeUnknown set for an idempotent operation: %v", err)
			}
		})
	}
}
