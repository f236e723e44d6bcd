package winsimtest_test

import (
	"context"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
	"github.com/rdslicensing/terraform-provider-rdslicensing/winsimtest"
)

// client logs on to a host of the fleet the way the provider would with
// ProviderEnv: NTLM over HTTPS, trusting the fleet's CA.
func client(t *testing.T, f *winsimtest.Fleet, host string) *winrmclient.Client {
	t.Helper()
	user, password := f.Credentials(host)
	c, err := winrmclient.New(winrmclient.Config{
		Host: f.Address(host), Port: f.HTTPSPort(), HTTPS: true, CACert: f.CACertPEM(),
		Username: user, Password: password, Auth: winrmclient.AuthNTLM,
		OperationTimeout: 5 * time.Second, Timeout: 60 * time.Second, Library: rds.Library,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func TestFleetFromAScenario(t *testing.T) {
	ls := winsimtest.NewLicenseServerHost("LS01", "2022", "contoso.com")
	ls.Users = []winsimtest.User{{Name: "rdsadmin", Password: "S3cret-pw", Domain: "contoso.com", Admin: true, DomainAdmin: true}}
	sh := winsimtest.NewSessionHost("RDSH01", "2022", "contoso.com", time.Now().Add(90*24*time.Hour))
	f := winsimtest.Start(t, winsimtest.Scenario{Hosts: []winsimtest.HostState{ls, sh}}, winsimtest.WithBaseAddress("127.0.31.1"))

	if got := f.Hosts(); !slices.Equal(got, []string{"LS01", "RDSH01"}) {
		t.Fatalf("hosts %v", got)
	}
	if a, b := f.Address("LS01"), f.Address("rdsh01.contoso.com"); a != "127.0.31.1" || b != "127.0.31.2" {
		t.Fatalf("addresses %s %s", a, b)
	}
	if u, p := f.Credentials("LS01"); u != "rdsadmin@contoso.com" || p != "S3cret-pw" {
		t.Fatalf("credentials %s %s", u, p)
	}
	env := strings.Join(f.ProviderEnv(), "\n")
	for _, want := range []string{"RDSLICENSING_HOST=127.0.31.1", "RDSLICENSING_PORT=" + strconv.Itoa(f.HTTPSPort()), "RDSLICENSING_USERNAME=rdsadmin@contoso.com", "RDSLICENSING_CA_CERT=" + f.CACertFile()} {
		if !strings.Contains(env, want) {
			t.Errorf("ProviderEnv lacks %s:\n%s", want, env)
		}
	}
	if b, err := os.ReadFile(f.CACertFile()); err != nil || !strings.HasPrefix(string(b), "-----BEGIN CERTIFICATE-----") {
		t.Fatalf("CA file: %v", err)
	}

	ctx := context.Background()
	info, err := rds.GetHostInfo.Run(ctx, client(t, f, "RDSH01"), "", rds.NoInput{})
	if err != nil || info.ComputerName != "RDSH01" {
		t.Fatalf("get_host_info over NTLM and HTTPS with the fleet's CA: %+v %v", info, err)
	}

	// A fault, counted; then cleared.
	mark := f.LogSeq("LS01")
	f.InjectFault("LS01", winsimtest.Fault{Type: winsimtest.FaultOpError, Operation: "get_host_info", Kind: "access_denied", Message: "Access is denied.", Count: 1})
	c := client(t, f, "LS01")
	if _, err := rds.GetHostInfo.Run(ctx, c, "", rds.NoInput{}); err == nil || !strings.Contains(err.Error(), "Access is denied.") {
		t.Fatalf("with an injected fault: %v", err)
	}
	if faults := f.Faults("LS01"); len(faults) != 1 || faults[0].Fired != 1 {
		t.Fatalf("faults %+v", faults)
	}
	if _, err := rds.GetHostInfo.Run(ctx, c, "", rds.NoInput{}); err != nil {
		t.Fatalf("after the fault's one firing: %v", err)
	}
	if n := f.Operations("LS01", "get_host_info", mark); n != 2 {
		t.Fatalf("get_host_info ran %d times on LS01, want 2", n)
	}

	// Drift made at the console shows in the state.
	f.Update("RDSH01", func(st *winsimtest.HostState) { st.SessionHost.ConfigLicensingMode = 2 })
	if f.State("RDSH01").SessionHost.ConfigLicensingMode != 2 {
		t.Fatal("Update did not change the host")
	}
	if n := len(f.Scenario().Hosts); n != 2 {
		t.Fatalf("scenario with %d hosts", n)
	}
}

// The fleet is gone when the test that started it ends.
func TestFleetClosesWithTheTest(t *testing.T) {
	var addr string
	t.Run("inner", func(t *testing.T) {
		f := winsimtest.Start(t, winsimtest.Scenario{Hosts: []winsimtest.HostState{winsimtest.NewHost("H1", "2019", "")}}, winsimtest.WithBaseAddress("127.0.32.1"))
		addr = net.JoinHostPort(f.Address("H1"), strconv.Itoa(f.HTTPSPort()))
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		_ = c.Close()
	})
	if c, err := net.Dial("tcp", addr); err == nil {
		_ = c.Close()
		t.Fatalf("%s still listens after the test ended", addr)
	}
}

func TestLoadScenarioFile(t *testing.T) {
	sc := winsimtest.LoadScenario(t, "../examples/modules/session-hosts/testdata/winsim.json")
	f := winsimtest.Start(t, sc, winsimtest.WithBaseAddress("127.0.33.1"))
	if got := f.Hosts(); !slices.Equal(got, []string{"LS01", "RDSH01", "RDSH02"}) || f.Address("RDSH02") != "127.0.33.3" {
		t.Fatalf("hosts %v, RDSH02 at %s", got, f.Address("RDSH02"))
	}
	if u, p := f.Credentials("RDSH01"); u != "Administrator" || p != winsimtest.DefaultPassword {
		t.Fatalf("default credentials %s %s", u, p)
	}
}
