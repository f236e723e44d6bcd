package winrmclient_test

import (
	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// BenchmarkOperation compares a reused powershell.exe with one process per
// operation on a host whose powershell.exe starts in 50 ms (a real one
// takes about 600). Compare the two in one run:
//
//	go test ./internal/winrmclient -run '^$' -bench Operation -benchtime 40x
func BenchmarkOperation(b *testing.B) {
	for _, tc := range []struct {
		name         string
		perOperation bool
	}{{"reused_process", false}, {"process_per_operation", true}} {
		b.Run(tc.name, func(b *testing.B) {
			st := lsHost("LS01")
			st.Realism = winsim.Realism{PowerShellStartMS: 50, ReceivePollMS: 2000}
			sim, err := winsim.New(winsim.Scenario{Hosts: []winsim.HostState{st}})
			if err != nil {
				b.Fatal(err)
			}
			if err := sim.Start(winsim.ServeOptions{}); err != nil {
				b.Fatal(err)
			}
			defer func() { _ = sim.Close() }()
			_, httpsPort := sim.Ports()
			cfg := winrmclient.Config{
				Host: sim.Host("LS01").State().Address, Port: httpsPort, HTTPS: true, CACert: sim.CACertPEM(),
				Username: "Administrator", Password: winsim.DefaultPassword, Auth: winrmclient.AuthBasic,
				Library: rds.Library,
			}
			if tc.perOperation {
				winrmclient.SetPerOperationProcess(&cfg)
			}
			c, err := winrmclient.New(cfg)
			if err != nil {
				b.Fatal(err)
			}
			defer func() { _ = c.Close() }()
			ctx := b.Context()
			if _, err := rds.GetHostInfo.Run(ctx, c, "", rds.NoInput{}); err != nil {
				b.Fatal(err)
			}
			before := c.Stats(sim.Host("LS01").State().Address)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := rds.GetHostInfo.Run(ctx, c, "", rds.NoInput{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(c.Stats(sim.Host("LS01").State().Address)-before)/float64(b.N), "http/op")
		})
	}
}
