package winrmclient_test

import (
	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
)

func TestRunOperationBasicHTTPS(t *testing.T) {
	sim := startSim(t, lsHost("LS01"))
	h := sim.Host("LS01")
	c := clientFor(t, sim, h, nil)
	info, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{})
	if err != nil {
		t.Fatal(err)
	}
	if info.ComputerName != "LS01" || info.OSVersion != "2022" {
		t.Fatalf("host info = %+v", info)
	}
	// A second operation reuses the shell and process: one Send, one Receive.
	mark := h.LogSeq()
	if _, err := rds.GetHostInfo.Run(ctxT(t), c, "", rds.NoInput{}); err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range h.Log(mark) {
		if e.Event == "http" {
			actions = append(actions, e.Action)
		}
	}
	if len(actions) != 2 || actions[0] != "Send" || actions[1] != "Receive" {
		t.Fatalf("second operation made requests %v, want [Send Receive]", actions)
	}
	_ = winrmclient.KindAuth
}
