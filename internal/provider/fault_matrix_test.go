package provider

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// The fault matrix (issue 10): every fault at every step (create, update,
// delete) of every resource, through the OpenTofu CLI against winsim. For
// each cell it asserts the apply's outcome (success, or the error the
// table names), that a second apply after an error succeeds, that the
// next plan is empty, that the state matches the host, and that nothing
// ran twice: the step's operation changed the host exactly as often as
// without the fault (CALs above all: installed once, never lost).
// docs/guides/reliability.md shows the table (fault_matrix_doc_test.go
// keeps the guide and the table in step).

// fmStep is a step of a resource's life.
type fmStep int

const (
	fmCreate fmStep = iota
	fmUpdate
	fmDelete
)

func (s fmStep) String() string { return [...]string{"create", "update", "delete"}[s] }

// fmFault is a kind of fault, aimed at the operation a step runs.
type fmFault struct {
	ID   string // the table's key
	Name string // the guide's column
	What string // the guide's legend
	// Fault builds the fault for op, whose mid-operation step (where a
	// reboot stops it) is mid.
	Fault func(op, mid string) winsim.Fault
	// KeyPackOnly: a step fault of install_key_pack only.
	KeyPackOnly bool
}

// fmTimeout is the resource timeouts of the delay column; the delay is
// far beyond it.
const fmTimeout = "5s"

var fmFaults = []fmFault{
	{ID: "lost_answer", Name: "Answer lost", What: "the request reaches the host and the operation runs, but the connection drops before the answer",
		Fault: func(op, _ string) winsim.Fault { return winsim.Fault{Type: winsim.FaultDropAfter, Operation: op} }},
	{ID: "crash_before", Name: "Crash before", What: "powershell.exe dies before the operation runs",
		Fault: func(op, _ string) winsim.Fault { return winsim.Fault{Type: winsim.FaultCrashBefore, Operation: op} }},
	{ID: "crash_after", Name: "Crash after", What: "powershell.exe dies after the operation ran, before it answers",
		Fault: func(op, _ string) winsim.Fault { return winsim.Fault{Type: winsim.FaultCrashAfter, Operation: op} }},
	{ID: "http_503", Name: "HTTP 503", What: "WinRM answers the request with 503 Service Unavailable (the operation does not run)",
		Fault: func(op, _ string) winsim.Fault {
			return winsim.Fault{Type: winsim.FaultHTTPStatus, Status: 503, Body: "<h1>Service Unavailable</h1>", Operation: op}
		}},
	{ID: "soap_fault", Name: "SOAP fault", What: "WinRM answers the request with a WS-Management fault it does not explain (w:InternalError; the operation does not run)",
		Fault: func(op, _ string) winsim.Fault { return winsim.Fault{Type: winsim.FaultSOAP, Operation: op} }},
	{ID: "timeout", Name: "Delay beyond the timeout", What: "the operation starts 60 s late, far beyond the resource's timeouts (" + fmTimeout + " here)",
		Fault: func(op, _ string) winsim.Fault {
			return winsim.Fault{Type: winsim.FaultDelay, Operation: op, DelayMS: 60000}
		}},
	{ID: "reboot", Name: "Reboot mid-operation", What: "the host goes down in the middle of the operation, after its change, and is back 0.3 s later",
		Fault: func(op, mid string) winsim.Fault {
			return winsim.Fault{Type: winsim.FaultRebootAt, Operation: op, Step: mid}
		}},
	// The other steps of an install (docs/guides/key-pack-failures.md):
	// the generic reboot above is F4 (after the WMI call).
	{ID: "crash_before_wmi", Name: "Crash before WMI", What: "install_key_pack: powershell.exe dies after the journal says started, before the install method (F3)", KeyPackOnly: true,
		Fault: func(op, _ string) winsim.Fault {
			return winsim.Fault{Type: winsim.FaultCrashAt, Operation: op, Step: "before_wmi"}
		}},
	{ID: "reboot_before_wmi", Name: "Reboot before WMI", What: "install_key_pack: the host goes down before the install method (F3)", KeyPackOnly: true,
		Fault: func(op, _ string) winsim.Fault {
			return winsim.Fault{Type: winsim.FaultRebootAt, Operation: op, Step: "before_wmi"}
		}},
	{ID: "crash_after_wmi", Name: "Crash after WMI", What: "install_key_pack: powershell.exe dies after the install method, before the journal says installed (F4)", KeyPackOnly: true,
		Fault: func(op, _ string) winsim.Fault {
			return winsim.Fault{Type: winsim.FaultCrashAt, Operation: op, Step: "after_wmi"}
		}},
	{ID: "crash_after_journal", Name: "Crash after the journal", What: "install_key_pack: powershell.exe dies after the journal says installed (F5)", KeyPackOnly: true,
		Fault: func(op, _ string) winsim.Fault {
			return winsim.Fault{Type: winsim.FaultCrashAt, Operation: op, Step: "after_journal"}
		}},
	{ID: "reboot_after_journal", Name: "Reboot after the journal", What: "install_key_pack: the host goes down after the journal says installed (F5)", KeyPackOnly: true,
		Fault: func(op, _ string) winsim.Fault {
			return winsim.Fault{Type: winsim.FaultRebootAt, Operation: op, Step: "after_journal"}
		}},
}

func fmFaultByID(id string) fmFault {
	for _, f := range fmFaults {
		if f.ID == id {
			return f
		}
	}
	panic("no fault " + id)
}

// fmResource is a resource of the matrix: its configuration at each step,
// the operation each step runs, and what the host holds after it.
type fmResource struct {
	Type string
	Host string // the host it manages: the fleet's first, the provider's default
	// Body is the resource block after create and after update; delete
	// removes it from the configuration.
	Body  func(timeouts string) [2]string
	Hosts func() []winsim.HostState
	Setup func(e *accEnv)
	// Ops is the operation each step runs; Mid the step of it where a
	// reboot stops it (after its change).
	Ops [3]string
	Mid [3]string
	// Changes is how many runs of the step's operation change the host
	// without a fault; with one, the same must hold. Effect tells a run
	// that changed it (nil: any change of the host's state).
	Changes [3]int
	Effect  func(l winsim.LogEntry) bool
	// Want checks the host after each step.
	Want [3]func(e *accEnv) error
	// Matches compares the resource's state (nil when it has none) with
	// the host.
	Matches func(e *accEnv, attrs map[string]any) error
}

var fmResources = []fmResource{fmRole, fmActivation, fmKeyPack, fmSessionHost, fmSecurityGroup, fmRevocation, fmDomainPolicy}

func fmResourceByType(t string) fmResource {
	for _, r := range fmResources {
		if r.Type == t {
			return r
		}
	}
	panic("no resource " + t)
}

var fmRole = fmResource{
	Type: "rdslicensing_role",
	Host: "LS01",
	Body: func(timeouts string) [2]string {
		return [2]string{
			"include_management_tools = true\n" + timeouts,
			"include_management_tools = false\n" + timeouts,
		}
	},
	Hosts:   func() []winsim.HostState { return []winsim.HostState{winsim.NewHost("LS01", "2022", "contoso.com")} },
	Ops:     [3]string{"install_role", "uninstall_role", "uninstall_role"},
	Mid:     [3]string{"after_features", "after_features", "after_features"},
	Changes: [3]int{1, 1, 1},
	Want: [3]func(e *accEnv) error{
		func(e *accEnv) error { return fmWantFeatures(e, true, true) },
		func(e *accEnv) error { return fmWantFeatures(e, true, false) },
		func(e *accEnv) error { return fmWantFeatures(e, false, false) },
	},
	Matches: func(e *accEnv, a map[string]any) error {
		st := e.Host("LS01").State()
		installed := st.FeatureInstalled(winsim.FeatureLicensing)
		if a == nil {
			if installed {
				return errorf("RD Licensing is installed but the state has no role")
			}
			return nil
		}
		tools := st.FeatureInstalled(winsim.FeatureLicensingUI) && st.FeatureInstalled(winsim.FeatureLicensingDiag)
		if !installed || a["include_management_tools"] != tools || a["restart_pending"] != st.RebootPending() {
			return errorf("state include_management_tools=%v restart_pending=%v; host: role installed %v, tools %v, restart pending %v",
				a["include_management_tools"], a["restart_pending"], installed, tools, st.RebootPending())
		}
		return nil
	},
}

func fmWantFeatures(e *accEnv, role, tools bool) error {
	st := e.Host("LS01").State()
	got := [3]bool{st.FeatureInstalled(winsim.FeatureLicensing), st.FeatureInstalled(winsim.FeatureLicensingUI), st.FeatureInstalled(winsim.FeatureLicensingDiag)}
	if want := [3]bool{role, tools, tools}; got != want {
		return errorf("RDS-Licensing, its UI and diagnoser installed: %v, want %v", got, want)
	}
	return nil
}

var fmActivation = fmResource{
	Type: "rdslicensing_server_activation",
	Host: "LS01",
	Body: func(timeouts string) [2]string {
		return [2]string{
			saContact + "deactivate_on_destroy = true\n" + timeouts,
			saContact + "deactivate_on_destroy = true\nreactivation_reason = \"redeployed\"\nreactivation_trigger = \"1\"\n" + timeouts,
		}
	},
	Hosts: func() []winsim.HostState {
		return []winsim.HostState{winsim.NewLicenseServerHost("LS01", "2022", "contoso.com")}
	},
	Ops:     [3]string{"activate_license_server", "reactivate_license_server", "deactivate_license_server"},
	Mid:     [3]string{"after_wmi", "after_wmi", "after_wmi"},
	Changes: [3]int{1, 1, 1},
	Want: [3]func(e *accEnv) error{
		func(e *accEnv) error { return fmWantActivated(e, true) },
		func(e *accEnv) error { return fmWantActivated(e, true) },
		func(e *accEnv) error { return fmWantActivated(e, false) },
	},
	Matches: func(e *accEnv, a map[string]any) error {
		ls := e.Host("LS01").State().LicenseServer
		if a == nil {
			return nil // destroyed: Want checks the server is deactivated
		}
		if a["activated"] != ls.Activated || a["license_server_id"] != ls.LicenseServerID || a["company"] != ls.Company {
			return errorf("state activated=%v license_server_id=%v company=%v; host: %v, %q, %q", a["activated"], a["license_server_id"], a["company"], ls.Activated, ls.LicenseServerID, ls.Company)
		}
		return nil
	},
}

func fmWantActivated(e *accEnv, want bool) error {
	if got := e.Host("LS01").State().LicenseServer.Activated; got != want {
		return errorf("the license server is activated: %v, want %v", got, want)
	}
	return nil
}

var fmKeyPack = fmResource{
	Type: "rdslicensing_key_pack",
	Host: "LS01",
	Body: func(timeouts string) [2]string {
		body := func(q int) string {
			return fmt.Sprintf(`program                = "agreement"
agreement_type         = "enterprise"
agreement_number       = "1234567"
product_version        = "2022"
cal_type               = "per_user"
quantity               = %d
remove_cals_on_destroy = true
%s`, q, timeouts)
		}
		return [2]string{body(10), body(25)}
	},
	Hosts: func() []winsim.HostState { return []winsim.HostState{kpLicenseServer("LS01")} },
	Setup: func(e *accEnv) {
		e.Sim.UpdateClearinghouse(func(ch *winsim.ClearinghouseState) {
			ch.Agreements = append(ch.Agreements, winsim.Agreement{AgreementType: 1, Number: "1234567", ProductVersionID: 7, ProductType: 1, Count: 100})
		})
	},
	Ops: [3]string{"install_key_pack", "install_key_pack", "remove_key_pack"},
	// An install counts when it made a pack: its journal records are no
	// CALs. A removal counts when it changed the host.
	Effect: func(l winsim.LogEntry) bool {
		return strings.Contains(l.Detail, "installed key pack") || l.Operation == "remove_key_pack" && l.Changed
	},
	Mid: [3]string{"after_wmi", "after_wmi", "after_wmi"},
	// 10 CALs, 15 more, then both packs removed.
	Changes: [3]int{1, 1, 2},
	Want: [3]func(e *accEnv) error{
		func(e *accEnv) error { return fmWantCALs(e, map[int64]int64{2: 10}, 10) },
		func(e *accEnv) error { return fmWantCALs(e, map[int64]int64{2: 10, 3: 15}, 25) },
		func(e *accEnv) error { return fmWantCALs(e, map[int64]int64{}, 25) },
	},
	Matches: func(e *accEnv, a map[string]any) error {
		st := e.Host("LS01").State()
		if a == nil {
			return nil // destroyed: Want checks the packs are gone
		}
		var held []int64
		var total int64
		for _, j := range st.KeyPackJournal {
			if j.Owner == a["journal_owner"] && j.KeyPackID != 0 {
				for _, kp := range st.LicenseServer.KeyPacks {
					if kp.KeyPackID == j.KeyPackID {
						held = append(held, kp.KeyPackID)
						total += kp.TotalLicenses
					}
				}
			}
		}
		slices.Sort(held)
		var ids []int64
		list, _ := a["key_pack_ids"].([]any)
		for _, v := range list {
			id, _ := v.(float64)
			ids = append(ids, int64(id))
		}
		pending, _ := a["pending_installs"].([]any)
		state, _ := a["total_licenses"].(float64)
		if !slices.Equal(ids, held) || int64(state) != total || len(pending) != 0 {
			return errorf("state key_pack_ids=%v total_licenses=%v pending_installs=%v; the host's journal gives this resource packs %v of %d CALs",
				ids, a["total_licenses"], pending, held, total)
		}
		return nil
	},
}

// fmWantCALs checks LS01's packs (id: CALs) and how many CALs the
// Clearinghouse gave from the agreement.
func fmWantCALs(e *accEnv, packs map[int64]int64, used int64) error {
	if got := kpPacksOnHost(e); fmt.Sprint(got) != fmt.Sprint(packs) {
		return errorf("key packs (id: CALs) on the host %v, want %v", got, packs)
	}
	if got := e.Sim.Clearinghouse().Agreements[0].Used; got != used {
		return errorf("the Clearinghouse gave %d CALs from the agreement, want %d", got, used)
	}
	return nil
}

var fmSessionHost = fmResource{
	Type: "rdslicensing_session_host_policy",
	Host: "RDSH01",
	Body: func(timeouts string) [2]string {
		return [2]string{
			"licensing_mode  = \"per_user\"\nlicense_servers = [\"LS01\"]\n" + timeouts,
			"licensing_mode  = \"per_device\"\nlicense_servers = [\"LS01\"]\n" + timeouts,
		}
	},
	Hosts: func() []winsim.HostState {
		return []winsim.HostState{winsim.NewSessionHost("RDSH01", "2022", "contoso.com", graceEnds()), kpLicenseServer("LS01")}
	},
	Ops:     [3]string{"set_session_host_licensing", "set_session_host_licensing", "clear_session_host_licensing"},
	Mid:     [3]string{"after_write", "after_write", "after_write"},
	Changes: [3]int{1, 1, 1},
	Want: [3]func(e *accEnv) error{
		func(e *accEnv) error { return fmWantPolicy(e, intp(4), strp("LS01")) },
		func(e *accEnv) error { return fmWantPolicy(e, intp(2), strp("LS01")) },
		func(e *accEnv) error { return fmWantPolicy(e, nil, nil) },
	},
	Matches: func(e *accEnv, a map[string]any) error {
		sh := e.Host("RDSH01").State().SessionHost
		if a == nil {
			if sh.PolicyLicensingMode != nil || sh.PolicyLicenseServers != nil {
				return errorf("the state has no policy but the host has LicensingMode %v, LicenseServers %v", shpDeref(sh.PolicyLicensingMode), shpDeref(sh.PolicyLicenseServers))
			}
			return nil
		}
		mode := map[string]int{"per_user": 4, "per_device": 2}[fmt.Sprint(a["licensing_mode"])]
		servers := fmt.Sprint(a["license_servers"])
		if sh.PolicyLicensingMode == nil || *sh.PolicyLicensingMode != mode || sh.PolicyLicenseServers == nil || "["+strings.ReplaceAll(*sh.PolicyLicenseServers, ",", " ")+"]" != servers {
			return errorf("state licensing_mode=%v license_servers=%v; host policy LicensingMode %v, LicenseServers %v", a["licensing_mode"], servers, shpDeref(sh.PolicyLicensingMode), shpDeref(sh.PolicyLicenseServers))
		}
		return nil
	},
}

var fmSecurityGroup = fmResource{
	Type: "rdslicensing_license_server_security_group",
	Host: "LS01",
	Body: func(timeouts string) [2]string {
		return [2]string{
			"members = [\"RDSH01\"]\n" + timeouts,
			"members = [\"RDSH01\", \"RDSH02\"]\n" + timeouts,
		}
	},
	Hosts: func() []winsim.HostState {
		return []winsim.HostState{kpLicenseServer("LS01"),
			winsim.NewSessionHost("RDSH01", "2022", "contoso.com", graceEnds()), winsim.NewSessionHost("RDSH02", "2022", "contoso.com", graceEnds())}
	},
	Ops:     [3]string{"set_license_server_security", "set_license_server_security", "set_license_server_security"},
	Mid:     [3]string{"members_changed", "members_changed", "members_changed"},
	Changes: [3]int{1, 1, 1},
	Want: [3]func(e *accEnv) error{
		func(e *accEnv) error { return wantSecurity(e, intp(1), []string{`CONTOSO\RDSH01$`}, false)(nil) },
		func(e *accEnv) error {
			return wantSecurity(e, intp(1), []string{`CONTOSO\RDSH01$`, `CONTOSO\RDSH02$`}, false)(nil)
		},
		func(e *accEnv) error {
			return wantSecurity(e, nil, []string{`CONTOSO\RDSH01$`, `CONTOSO\RDSH02$`}, false)(nil)
		},
	},
	Matches: func(e *accEnv, a map[string]any) error {
		ls := e.Host("LS01").State().LicenseServer
		on := ls.SecureLicensing != nil && *ls.SecureLicensing == 1
		if a == nil {
			if ls.SecureLicensing != nil {
				return errorf("the state has no resource but the policy value is %d", *ls.SecureLicensing)
			}
			return nil
		}
		members, _ := a["members"].([]any)
		if a["enabled"] != on || len(members) != len(ls.EndpointServers) {
			return errorf("state enabled=%v members=%v; host policy on %v, members %v", a["enabled"], members, on, ls.EndpointServers)
		}
		return nil
	},
}

// fmRevocation revokes PC01's CAL, then PC02's; destroy runs nothing.
var fmRevocation = fmResource{
	Type: "rdslicensing_cal_revocation",
	Host: "LS01",
	Body: func(timeouts string) [2]string {
		return [2]string{"devices = [\"PC01\"]\n" + timeouts, "devices = [\"PC01\", \"PC02\"]\n" + timeouts}
	},
	Hosts: crHosts,
	Ops:   [3]string{"revoke_licenses", "revoke_licenses", ""},
	Mid:   [3]string{"after_first_revoke", "after_first_revoke", ""},
	// Changes counts the runs that revoked something.
	Changes: [3]int{1, 1, 0},
	Want: [3]func(e *accEnv) error{
		func(e *accEnv) error { return wantStatuses(e, map[string]int{"PC01": 4, "PC02": 2})(nil) },
		func(e *accEnv) error { return wantStatuses(e, map[string]int{"PC01": 4, "PC02": 4})(nil) },
		func(e *accEnv) error { return wantStatuses(e, map[string]int{"PC01": 4, "PC02": 4})(nil) },
	},
	Matches: func(e *accEnv, a map[string]any) error {
		if a == nil {
			return nil
		}
		revoked, _ := a["revoked"].([]any)
		for _, r := range revoked {
			m, _ := r.(map[string]any)
			device := fmt.Sprint(m["device"])
			if err := wantStatuses(e, map[string]int{device: 4})(nil); err != nil {
				return err
			}
		}
		return nil
	},
}

// fmDomainPolicy creates a GPO linked to an OU, moves it to another OU
// with other values, then takes them out.
var fmDomainPolicy = fmResource{
	Type: "rdslicensing_domain_licensing_policy",
	Host: "DC01",
	Body: func(timeouts string) [2]string {
		return [2]string{
			"gpo_name = \"RDS Licensing\"\nlicensing_mode = \"per_user\"\nlicense_servers = [\"ls01.contoso.com\"]\nlinks = [\"" + dpOU + "\"]\n" + timeouts,
			"gpo_name = \"RDS Licensing\"\nlicensing_mode = \"per_device\"\nlinks = [\"" + dpOU2 + "\"]\n" + timeouts,
		}
	},
	Hosts: func() []winsim.HostState {
		dc := winsim.NewHost("DC01", "2022", "contoso.com")
		dc.DomainController = true
		return []winsim.HostState{dc}
	},
	Setup: func(e *accEnv) {
		e.Sim.UpdateDomain("contoso.com", func(d *winsim.DomainState) { d.OUs = []string{dpOU, dpOU2} })
	},
	Ops:     [3]string{"set_gpo_licensing", "set_gpo_licensing", "set_gpo_licensing"},
	Mid:     [3]string{"written", "written", "written"},
	Changes: [3]int{1, 1, 1},
	Want: [3]func(e *accEnv) error{
		func(e *accEnv) error { return wantGPO(e, false, 4, "ls01.contoso.com", dpOU)(nil) },
		func(e *accEnv) error { return wantGPO(e, false, 2, "", dpOU2)(nil) },
		func(e *accEnv) error { return wantGPO(e, false, 0, "")(nil) },
	},
	Matches: func(e *accEnv, a map[string]any) error {
		if a == nil {
			return wantGPO(e, false, 0, "")(nil)
		}
		mode := map[string]int{"per_user": 4, "per_device": 2}[fmt.Sprint(a["licensing_mode"])]
		servers := ""
		if l, ok := a["license_servers"].([]any); ok && len(l) > 0 {
			servers = fmt.Sprint(l[0])
		}
		var links []string
		if l, ok := a["links"].([]any); ok {
			for _, x := range l {
				links = append(links, fmt.Sprint(x))
			}
		}
		return wantGPO(e, false, mode, servers, links...)(nil)
	},
}

func fmWantPolicy(e *accEnv, mode *int, servers *string) error {
	return shpWantPolicy(e, "RDSH01", mode, servers)(nil)
}

// fmCell is one cell of the matrix: what a fault at a step of a resource
// does, as measured.
type fmCell struct {
	Resource string
	Step     fmStep
	Fault    string
	// Error is what the failed apply says, in order (nil: it succeeds);
	// the apply after it succeeds.
	Error []string
	// Runs is how many times the step's operation ran on the host (not
	// counting a process that died before it ran), the second apply's
	// runs included.
	Runs int
	// NotDone: the change was not made, and the second apply does not
	// make it; the error says so and what to do.
	NotDone bool
}

// fmWindowOps are the runs of op after mark: how many ran, and how many
// changed the host (effect; nil: any change of its state).
func fmWindowOps(h *winsim.Host, mark int64, op string, effect func(winsim.LogEntry) bool) (runs, changed int) {
	for _, l := range h.Log(mark) {
		if l.Event != "operation" || l.Operation != op || strings.HasPrefix(l.Detail, "process crashed before") {
			continue
		}
		runs++
		if effect == nil && l.Changed || effect != nil && effect(l) {
			changed++
		}
	}
	return runs, changed
}

// fmWaitUp waits (30 s at most) until host's last reboot has ended.
func fmWaitUp(e *accEnv, host string) {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		up := true
		entries := e.Host(host).Log(0)
		for i := len(entries) - 1; i >= 0; i-- {
			if entries[i].Event == "reboot" {
				up = entries[i].Detail == "up"
				break
			}
		}
		if up {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// fmStateOf reads the attributes of the one resource of type typ in the
// working directory's state (nil when there is none).
func fmStateOf(t *testing.T, r *cliRun, typ string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(r.dir, "terraform.tfstate"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Resources []struct {
			Type      string `json:"type"`
			Mode      string `json:"mode"`
			Instances []struct {
				Attributes map[string]any `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	for _, res := range st.Resources {
		if res.Type == typ && res.Mode == "managed" && len(res.Instances) > 0 {
			return res.Instances[0].Attributes
		}
	}
	return nil
}

// fmConfig is the configuration of a step: the resource as after create
// or update, or none after delete.
func fmConfig(e *accEnv, r fmResource, step fmStep, timeouts string) string {
	if step == fmDelete {
		return e.Provider()
	}
	return e.Provider() + fmt.Sprintf("\nresource %q \"x\" {\n%s}\n", r.Type, r.Body(timeouts)[step])
}

// fmPlanEmpty runs a plan and fails unless it shows no changes.
func fmPlanEmpty(r *cliRun) error {
	out, err := r.try("plan", "-detailed-exitcode", "-input=false")
	var exit *exec.ExitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &exit) && exit.ExitCode() == 2:
		return errorf("the plan after the apply is not empty:\n%s", out)
	}
	return errorf("the plan after the apply failed: %v\n%s", err, out)
}

// fmExcerpt is a line of configuration the CLI quotes.
var fmExcerpt = regexp.MustCompile(`^\d+: `)

// fmErrors are the CLI's error diagnostics in out, each on one line:
// summary and detail, without the configuration excerpt.
func fmErrors(out string) []string {
	var errs []string
	var cur []string
	in := false
	flush := func() {
		if len(cur) > 0 {
			errs = append(errs, strings.Join(strings.Fields(strings.Join(cur, " ")), " "))
		}
		cur, in = nil, false
	}
	for _, l := range strings.Split(out, "\n") {
		l = strings.TrimSpace(strings.TrimLeft(l, "│╷╵ "))
		switch {
		case strings.HasPrefix(l, "Error: "):
			flush()
			cur, in = []string{strings.TrimPrefix(l, "Error: ") + "."}, true
		case !in:
		case strings.HasPrefix(l, "Warning: "):
			flush()
		case strings.HasPrefix(l, "with ") || strings.HasPrefix(l, "on main.tf") || fmExcerpt.MatchString(l):
		default:
			cur = append(cur, l)
		}
	}
	flush()
	return errs
}

// TestAccFaultMatrix runs each resource's column of faults as one chain
// (create, update, delete in one working directory), chains in parallel.
func TestAccFaultMatrix(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance tests run with TF_ACC=1 (make test or make testacc)")
	}
	for _, res := range fmResources {
		for _, f := range fmFaults {
			var cells [3]*fmCell
			for i := range fmMatrix {
				c := &fmMatrix[i]
				if c.Resource == res.Type && c.Fault == f.ID {
					cells[c.Step] = c
				}
			}
			if cells == [3]*fmCell{} {
				continue
			}
			t.Run(strings.TrimPrefix(res.Type, "rdslicensing_")+"/"+f.ID, func(t *testing.T) {
				t.Parallel()
				fmChain(t, res, f, cells)
			})
		}
	}
}

// fmChain runs create, update and delete of res, each with fault f where
// the matrix has a cell.
func fmChain(t *testing.T, res fmResource, f fmFault, cells [3]*fmCell) {
	e := newAccEnv(t, res.Hosts()...)
	if res.Setup != nil {
		res.Setup(e)
	}
	timeouts := ""
	if f.ID == "timeout" {
		timeouts = fmt.Sprintf("timeouts = {\n  create = %q\n  update = %q\n  delete = %q\n}\n", fmTimeout, fmTimeout, fmTimeout)
	}
	run := newInProcessRun(t)
	h := e.Host(res.Host)
	for step := fmCreate; step <= fmDelete; step++ {
		writeMain(t, run, fmConfig(e, res, step, timeouts))
		c := cells[step]
		if c == nil {
			run.run("apply", "-auto-approve", "-input=false")
			continue
		}
		fmWaitUp(e, res.Host)
		h.ClearFaults()
		fault := f.Fault(res.Ops[step], res.Mid[step])
		fault.Count = 1
		if _, err := h.AddFault(fault); err != nil {
			t.Fatal(err)
		}
		mark := h.LogSeq()
		var problems []string
		out, err := run.try("apply", "-auto-approve", "-input=false")
		var gotErr []string
		if err != nil {
			gotErr = fmErrors(out)
			if c.Error == nil || !errorText(c.Error...).MatchString(out) {
				problems = append(problems, fmt.Sprintf("the apply failed, want %q", c.Error))
			}
			fmWaitUp(e, res.Host)
			if out, err := run.try("apply", "-auto-approve", "-input=false"); err != nil {
				problems = append(problems, "the second apply failed too:\n"+out)
			}
		} else if c.Error != nil {
			problems = append(problems, fmt.Sprintf("the apply succeeded, want the error %q:\n%s", c.Error, out))
		}
		if err := fmPlanEmpty(run); err != nil {
			problems = append(problems, err.Error())
		}
		runs, changed := fmWindowOps(h, mark, res.Ops[step], res.Effect)
		if fired := h.Faults()[0].Fired; fired != 1 {
			problems = append(problems, fmt.Sprintf("the fault fired %d times, want once", fired))
		}
		// An answer lost on the Send may come before the process has read
		// its input; the client then deletes the shell, which ends the
		// process, and the retry is the only run. So a retried (idempotent)
		// operation runs once or twice; one that is not retried, once.
		ranOnceOfTwo := f.ID == "lost_answer" && runs >= 1 && runs < c.Runs
		if runs != c.Runs && !ranOnceOfTwo {
			problems = append(problems, fmt.Sprintf("%s ran %d times, want %d", res.Ops[step], runs, c.Runs))
		}
		want := res.Changes[step]
		if c.NotDone {
			want = 0
		}
		if changed != want {
			problems = append(problems, fmt.Sprintf("%s changed the host %d times, want %d", res.Ops[step], changed, want))
		}
		// Not done, the host stays as before the step.
		if err := res.Want[step](e); err != nil && !c.NotDone {
			problems = append(problems, "host: "+err.Error())
		}
		if err := res.Matches(e, fmStateOf(t, run, res.Type)); err != nil {
			problems = append(problems, "the state does not match the host: "+err.Error())
		}
		if len(problems) > 0 {
			t.Errorf("%s %s, %s: %s\nmeasured: {%q, fm%s, %q, nil, %d}, errors: %q",
				res.Type, step, f.ID, strings.Join(problems, "\n"), res.Type, strings.ToUpper(step.String()[:1])+step.String()[1:], f.ID, runs, gotErr)
		}
	}
}

// fmMatrix is the measured matrix: every cell, by resource, step and
// fault. docs/guides/reliability.md is made from it.
var fmMatrix = []fmCell{
	{"rdslicensing_role", fmCreate, "lost_answer", nil, 2, false},
	{"rdslicensing_role", fmCreate, "crash_before", nil, 1, false},
	{"rdslicensing_role", fmCreate, "crash_after", nil, 2, false},
	{"rdslicensing_role", fmCreate, "http_503", nil, 1, false},
	{"rdslicensing_role", fmCreate, "soap_fault", []string{"Cannot install RD Licensing on", "WinRM event log"}, 1, false},
	{"rdslicensing_role", fmCreate, "timeout", []string{"Cannot install RD Licensing on", "timed out running install_role", "Raise the resource's timeouts"}, 1, false},
	{"rdslicensing_role", fmCreate, "reboot", nil, 2, false},
	{"rdslicensing_role", fmUpdate, "lost_answer", nil, 2, false},
	{"rdslicensing_role", fmUpdate, "crash_before", nil, 1, false},
	{"rdslicensing_role", fmUpdate, "crash_after", nil, 2, false},
	{"rdslicensing_role", fmUpdate, "http_503", nil, 1, false},
	{"rdslicensing_role", fmUpdate, "soap_fault", []string{"Cannot change the RD Licensing management tools on", "WinRM event log"}, 1, false},
	{"rdslicensing_role", fmUpdate, "timeout", []string{"Cannot change the RD Licensing management tools on", "timed out running uninstall_role", "Raise the resource's timeouts"}, 1, false},
	{"rdslicensing_role", fmUpdate, "reboot", nil, 2, false},
	{"rdslicensing_role", fmDelete, "lost_answer", nil, 2, false},
	{"rdslicensing_role", fmDelete, "crash_before", nil, 1, false},
	{"rdslicensing_role", fmDelete, "crash_after", nil, 2, false},
	{"rdslicensing_role", fmDelete, "http_503", nil, 1, false},
	{"rdslicensing_role", fmDelete, "soap_fault", []string{"Cannot uninstall RD Licensing from", "WinRM event log"}, 1, false},
	{"rdslicensing_role", fmDelete, "timeout", []string{"Cannot uninstall RD Licensing from", "timed out running uninstall_role", "Raise the resource's timeouts"}, 1, false},
	{"rdslicensing_role", fmDelete, "reboot", nil, 2, false},
	{"rdslicensing_server_activation", fmCreate, "lost_answer", nil, 1, false},
	{"rdslicensing_server_activation", fmCreate, "crash_before", nil, 1, false},
	{"rdslicensing_server_activation", fmCreate, "crash_after", nil, 1, false},
	{"rdslicensing_server_activation", fmCreate, "http_503", nil, 1, false},
	{"rdslicensing_server_activation", fmCreate, "soap_fault", []string{"Cannot activate the license server on", "WinRM event log"}, 1, false},
	{"rdslicensing_server_activation", fmCreate, "timeout", []string{"Cannot activate the license server on", "timed out running activate_license_server", "could not tell whether the change was made"}, 1, false},
	{"rdslicensing_server_activation", fmCreate, "reboot", nil, 1, false},
	{"rdslicensing_server_activation", fmUpdate, "lost_answer", []string{"may have been reactivated", "change reactivation_trigger once more"}, 1, false},
	{"rdslicensing_server_activation", fmUpdate, "crash_before", []string{"Cannot reactivate the license server on", "was not reactivated", "safe to apply again"}, 1, false},
	{"rdslicensing_server_activation", fmUpdate, "crash_after", []string{"may have been reactivated", "change reactivation_trigger once more"}, 1, false},
	{"rdslicensing_server_activation", fmUpdate, "http_503", nil, 1, false},
	{"rdslicensing_server_activation", fmUpdate, "soap_fault", []string{"Cannot reactivate the license server on", "WinRM event log"}, 1, false},
	{"rdslicensing_server_activation", fmUpdate, "timeout", []string{"Cannot reactivate the license server on", "timed out running reactivate_license_server", "was not reactivated", "safe to apply again"}, 1, false},
	{"rdslicensing_server_activation", fmUpdate, "reboot", []string{"may have been reactivated", "change reactivation_trigger once more"}, 1, false},
	{"rdslicensing_server_activation", fmDelete, "lost_answer", nil, 1, false},
	{"rdslicensing_server_activation", fmDelete, "crash_before", nil, 1, false},
	{"rdslicensing_server_activation", fmDelete, "crash_after", nil, 1, false},
	{"rdslicensing_server_activation", fmDelete, "http_503", nil, 1, false},
	{"rdslicensing_server_activation", fmDelete, "soap_fault", []string{"Cannot deactivate the license server on", "WinRM event log"}, 1, false},
	{"rdslicensing_server_activation", fmDelete, "timeout", []string{"Cannot deactivate the license server on", "timed out running deactivate_license_server", "could not tell whether the change was made"}, 1, false},
	{"rdslicensing_server_activation", fmDelete, "reboot", nil, 1, false},
	{"rdslicensing_key_pack", fmCreate, "lost_answer", nil, 1, false},
	{"rdslicensing_key_pack", fmCreate, "crash_before", nil, 1, false},
	{"rdslicensing_key_pack", fmCreate, "crash_after", nil, 1, false},
	{"rdslicensing_key_pack", fmCreate, "http_503", nil, 1, false},
	{"rdslicensing_key_pack", fmCreate, "soap_fault", []string{"Cannot install CALs on", "WinRM event log"}, 1, false},
	{"rdslicensing_key_pack", fmCreate, "timeout", []string{"Cannot tell yet whether CALs were installed", "nothing will be installed twice"}, 1, false},
	{"rdslicensing_key_pack", fmCreate, "reboot", nil, 1, false},
	{"rdslicensing_key_pack", fmCreate, "crash_before_wmi", nil, 2, false},
	{"rdslicensing_key_pack", fmCreate, "reboot_before_wmi", nil, 2, false},
	{"rdslicensing_key_pack", fmCreate, "crash_after_wmi", nil, 1, false},
	{"rdslicensing_key_pack", fmCreate, "crash_after_journal", nil, 1, false},
	{"rdslicensing_key_pack", fmCreate, "reboot_after_journal", nil, 1, false},
	{"rdslicensing_key_pack", fmUpdate, "lost_answer", nil, 1, false},
	{"rdslicensing_key_pack", fmUpdate, "crash_before", nil, 1, false},
	{"rdslicensing_key_pack", fmUpdate, "crash_after", nil, 1, false},
	{"rdslicensing_key_pack", fmUpdate, "http_503", nil, 1, false},
	{"rdslicensing_key_pack", fmUpdate, "soap_fault", []string{"Cannot install CALs on", "WinRM event log"}, 1, false},
	{"rdslicensing_key_pack", fmUpdate, "timeout", []string{"Cannot tell yet whether CALs were installed", "nothing will be installed twice"}, 1, false},
	{"rdslicensing_key_pack", fmUpdate, "reboot", nil, 1, false},
	{"rdslicensing_key_pack", fmUpdate, "crash_before_wmi", nil, 2, false},
	{"rdslicensing_key_pack", fmUpdate, "reboot_before_wmi", nil, 2, false},
	{"rdslicensing_key_pack", fmUpdate, "crash_after_wmi", nil, 1, false},
	{"rdslicensing_key_pack", fmUpdate, "crash_after_journal", nil, 1, false},
	{"rdslicensing_key_pack", fmUpdate, "reboot_after_journal", nil, 1, false},
	{"rdslicensing_key_pack", fmDelete, "lost_answer", nil, 3, false},
	{"rdslicensing_key_pack", fmDelete, "crash_before", nil, 2, false},
	{"rdslicensing_key_pack", fmDelete, "crash_after", nil, 3, false},
	{"rdslicensing_key_pack", fmDelete, "http_503", nil, 2, false},
	{"rdslicensing_key_pack", fmDelete, "soap_fault", []string{"Cannot remove key pack", "WinRM event log"}, 2, false},
	{"rdslicensing_key_pack", fmDelete, "timeout", []string{"Cannot remove key pack", "timed out running remove_key_pack"}, 2, false},
	{"rdslicensing_key_pack", fmDelete, "reboot", nil, 3, false},
	{"rdslicensing_session_host_policy", fmCreate, "lost_answer", nil, 2, false},
	{"rdslicensing_session_host_policy", fmCreate, "crash_before", nil, 1, false},
	{"rdslicensing_session_host_policy", fmCreate, "crash_after", nil, 2, false},
	{"rdslicensing_session_host_policy", fmCreate, "http_503", nil, 1, false},
	{"rdslicensing_session_host_policy", fmCreate, "soap_fault", []string{"Cannot configure Remote Desktop licensing on", "WinRM event log"}, 1, false},
	{"rdslicensing_session_host_policy", fmCreate, "timeout", []string{"Cannot configure Remote Desktop licensing on", "timed out running set_session_host_licensing", "Raise the resource's timeouts"}, 1, false},
	{"rdslicensing_session_host_policy", fmCreate, "reboot", nil, 2, false},
	{"rdslicensing_session_host_policy", fmUpdate, "lost_answer", nil, 2, false},
	{"rdslicensing_session_host_policy", fmUpdate, "crash_before", nil, 1, false},
	{"rdslicensing_session_host_policy", fmUpdate, "crash_after", nil, 2, false},
	{"rdslicensing_session_host_policy", fmUpdate, "http_503", nil, 1, false},
	{"rdslicensing_session_host_policy", fmUpdate, "soap_fault", []string{"Cannot configure Remote Desktop licensing on", "WinRM event log"}, 1, false},
	{"rdslicensing_session_host_policy", fmUpdate, "timeout", []string{"Cannot configure Remote Desktop licensing on", "timed out running set_session_host_licensing", "Raise the resource's timeouts"}, 1, false},
	{"rdslicensing_session_host_policy", fmUpdate, "reboot", nil, 2, false},
	{"rdslicensing_session_host_policy", fmDelete, "lost_answer", nil, 2, false},
	{"rdslicensing_session_host_policy", fmDelete, "crash_before", nil, 1, false},
	{"rdslicensing_session_host_policy", fmDelete, "crash_after", nil, 2, false},
	{"rdslicensing_session_host_policy", fmDelete, "http_503", nil, 1, false},
	{"rdslicensing_session_host_policy", fmDelete, "soap_fault", []string{"Cannot return Remote Desktop licensing to not configured on", "WinRM event log"}, 1, false},
	{"rdslicensing_session_host_policy", fmDelete, "timeout", []string{"Cannot return Remote Desktop licensing to not configured on", "timed out running clear_session_host_licensing", "Raise the resource's timeouts"}, 1, false},
	{"rdslicensing_session_host_policy", fmDelete, "reboot", nil, 2, false},
	{"rdslicensing_license_server_security_group", fmCreate, "lost_answer", nil, 2, false},
	{"rdslicensing_license_server_security_group", fmCreate, "crash_before", nil, 1, false},
	{"rdslicensing_license_server_security_group", fmCreate, "crash_after", nil, 2, false},
	{"rdslicensing_license_server_security_group", fmCreate, "http_503", nil, 1, false},
	{"rdslicensing_license_server_security_group", fmCreate, "soap_fault", []string{"Cannot set the license server security group on", "WinRM event log"}, 1, false},
	{"rdslicensing_license_server_security_group", fmCreate, "timeout", []string{"Cannot set the license server security group on", "timed out running set_license_server_security", "Raise the resource's timeouts"}, 1, false},
	{"rdslicensing_license_server_security_group", fmCreate, "reboot", nil, 2, false},
	{"rdslicensing_license_server_security_group", fmUpdate, "lost_answer", nil, 2, false},
	{"rdslicensing_license_server_security_group", fmUpdate, "crash_before", nil, 1, false},
	{"rdslicensing_license_server_security_group", fmUpdate, "crash_after", nil, 2, false},
	{"rdslicensing_license_server_security_group", fmUpdate, "http_503", nil, 1, false},
	{"rdslicensing_license_server_security_group", fmUpdate, "soap_fault", []string{"Cannot set the license server security group on", "WinRM event log"}, 1, false},
	{"rdslicensing_license_server_security_group", fmUpdate, "timeout", []string{"Cannot set the license server security group on", "timed out running set_license_server_security", "Raise the resource's timeouts"}, 1, false},
	{"rdslicensing_license_server_security_group", fmUpdate, "reboot", nil, 2, false},
	{"rdslicensing_license_server_security_group", fmDelete, "lost_answer", nil, 2, false},
	{"rdslicensing_license_server_security_group", fmDelete, "crash_before", nil, 1, false},
	{"rdslicensing_license_server_security_group", fmDelete, "crash_after", nil, 2, false},
	{"rdslicensing_license_server_security_group", fmDelete, "http_503", nil, 1, false},
	{"rdslicensing_license_server_security_group", fmDelete, "soap_fault", []string{"Cannot remove the license server security group from", "WinRM event log"}, 1, false},
	{"rdslicensing_license_server_security_group", fmDelete, "timeout", []string{"Cannot remove the license server security group from", "timed out running set_license_server_security", "Raise the resource's timeouts"}, 1, false},
	{"rdslicensing_license_server_security_group", fmDelete, "reboot", nil, 2, false},
	{"rdslicensing_cal_revocation", fmCreate, "lost_answer", nil, 2, false},
	{"rdslicensing_cal_revocation", fmCreate, "crash_before", nil, 1, false},
	{"rdslicensing_cal_revocation", fmCreate, "crash_after", nil, 2, false},
	{"rdslicensing_cal_revocation", fmCreate, "http_503", nil, 1, false},
	{"rdslicensing_cal_revocation", fmCreate, "soap_fault", []string{"Cannot revoke the CALs on", "WinRM event log"}, 1, false},
	{"rdslicensing_cal_revocation", fmCreate, "timeout", []string{"Cannot revoke the CALs on", "timed out running revoke_licenses", "Raise the resource's timeouts"}, 1, false},
	{"rdslicensing_cal_revocation", fmUpdate, "lost_answer", nil, 2, false},
	{"rdslicensing_cal_revocation", fmUpdate, "crash_before", nil, 1, false},
	{"rdslicensing_cal_revocation", fmUpdate, "crash_after", nil, 2, false},
	{"rdslicensing_cal_revocation", fmUpdate, "http_503", nil, 1, false},
	{"rdslicensing_cal_revocation", fmUpdate, "soap_fault", []string{"Cannot revoke the CALs on", "WinRM event log"}, 1, false},
	{"rdslicensing_cal_revocation", fmUpdate, "timeout", []string{"Cannot revoke the CALs on", "timed out running revoke_licenses", "Raise the resource's timeouts"}, 1, false},
	{"rdslicensing_cal_revocation", fmCreate, "reboot", nil, 2, false},
	{"rdslicensing_cal_revocation", fmUpdate, "reboot", nil, 2, false},
	{"rdslicensing_domain_licensing_policy", fmCreate, "lost_answer", nil, 2, false},
	{"rdslicensing_domain_licensing_policy", fmCreate, "crash_before", nil, 1, false},
	{"rdslicensing_domain_licensing_policy", fmCreate, "crash_after", nil, 2, false},
	{"rdslicensing_domain_licensing_policy", fmCreate, "http_503", nil, 1, false},
	{"rdslicensing_domain_licensing_policy", fmCreate, "soap_fault", []string{"Cannot set the licensing settings of the GPO RDS Licensing on", "WinRM event log"}, 1, false},
	{"rdslicensing_domain_licensing_policy", fmCreate, "timeout", []string{"Cannot set the licensing settings of the GPO RDS Licensing on", "timed out running set_gpo_licensing", "Raise the resource's timeouts"}, 1, false},
	{"rdslicensing_domain_licensing_policy", fmCreate, "reboot", nil, 2, false},
	{"rdslicensing_domain_licensing_policy", fmUpdate, "lost_answer", nil, 2, false},
	{"rdslicensing_domain_licensing_policy", fmUpdate, "crash_before", nil, 1, false},
	{"rdslicensing_domain_licensing_policy", fmUpdate, "crash_after", nil, 2, false},
	{"rdslicensing_domain_licensing_policy", fmUpdate, "http_503", nil, 1, false},
	{"rdslicensing_domain_licensing_policy", fmUpdate, "soap_fault", []string{"Cannot set the licensing settings of the GPO RDS Licensing on", "WinRM event log"}, 1, false},
	{"rdslicensing_domain_licensing_policy", fmUpdate, "timeout", []string{"Cannot set the licensing settings of the GPO RDS Licensing on", "timed out running set_gpo_licensing", "Raise the resource's timeouts"}, 1, false},
	{"rdslicensing_domain_licensing_policy", fmUpdate, "reboot", nil, 2, false},
	{"rdslicensing_domain_licensing_policy", fmDelete, "lost_answer", nil, 2, false},
	{"rdslicensing_domain_licensing_policy", fmDelete, "crash_before", nil, 1, false},
	{"rdslicensing_domain_licensing_policy", fmDelete, "crash_after", nil, 2, false},
	{"rdslicensing_domain_licensing_policy", fmDelete, "http_503", nil, 1, false},
	{"rdslicensing_domain_licensing_policy", fmDelete, "soap_fault", []string{"Cannot remove the licensing settings from the GPO RDS Licensing on", "WinRM event log"}, 1, false},
	{"rdslicensing_domain_licensing_policy", fmDelete, "timeout", []string{"Cannot remove the licensing settings from the GPO RDS Licensing on", "timed out running set_gpo_licensing", "Raise the resource's timeouts"}, 1, false},
	{"rdslicensing_domain_licensing_policy", fmDelete, "reboot", nil, 2, false},
}
