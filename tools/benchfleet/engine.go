package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
)

// The engine-alone floor: the provider's own client (internal/winrmclient
// and the internal/rds operations) running, in one process, the remote
// operations that the CLI's plan or apply of the fleet runs, with the
// same parallelism, and nothing else: no Terraform, no plugin protocol,
// no tflog. It must follow the provider: the benchmark compares the
// operations it runs with those winsim saw during the CLI's phase and
// warns when they differ.
//
// plan, as the refresh of examples/fleet runs them:
//   - license server: get_role (rdslicensing_role Read), get_license_server
//     (rdslicensing_server_activation Read), list_key_packs
//     (rdslicensing_key_pack Read), list_key_packs (data
//     rdslicensing_key_packs);
//   - per session host: get_session_host checking the servers in effect,
//     once for rdslicensing_session_host_policy's Read and data
//     rdslicensing_diagnostics (readSessionHost shares it), and the
//     license server's inspection (get_license_server, list_key_packs)
//     once for all hosts (inspectLicenseServer).
//
// apply, from a fresh fleet: the license server's module first (the
// fleet's depends_on): get_host_info and list_key_packs (the key pack's
// checks at plan time), install_role, set_license_server_contact,
// activate_license_server, get_license_server, get_host_info,
// list_key_packs twice, install_key_pack, list_key_packs (data
// rdslicensing_key_packs); then per session host get_session_host twice
// (the policy's ModifyPlan reads the host on create, to warn when apply
// restarts TermService, once in the plan's provider process and once
// more when apply plans again), set_session_host_licensing, and the
// diagnostics as in plan (the write's new generation reads the host
// again). In one client: the engine-alone floor of the formula.
//
// apply-cli runs the same operations as the CLI's apply does, in two
// clients one after the other: the plan's (the license server's
// get_host_info and list_key_packs, one get_session_host per session
// host), then the apply's (the rest). Each pays its own shell and
// powershell.exe per host, as the CLI's two provider processes do.
//
// Session hosts are worked through by P workers, each host's operations
// in order: no barrier between the policy of all hosts and their
// diagnostics, which is why this is a floor.

// engineJob is what the parent sends the engine process on stdin (the
// password never goes on a command line).
type engineJob struct {
	Mode        string   `json:"mode"` // plan or apply
	Port        int      `json:"port"`
	CACert      string   `json:"ca_cert"`
	Password    string   `json:"password"`
	LS          string   `json:"ls"`
	Hosts       []string `json:"hosts"`
	Parallelism int      `json:"parallelism"`
}

const engineEnv = "BENCHFLEET_ENGINE"

// engineMain is the engine process: it runs the job on stdin and exits
// non-zero with the error on stderr.
func engineMain() {
	var job engineJob
	if err := json.NewDecoder(os.Stdin).Decode(&job); err != nil {
		fmt.Fprintln(os.Stderr, "engine:", err)
		os.Exit(1)
	}
	if err := runEngine(context.Background(), job); err != nil {
		fmt.Fprintln(os.Stderr, "engine:", err)
		os.Exit(1)
	}
}

// runEngine runs job's mode; apply-cli as the CLI's apply runs it, in two
// provider processes one after the other (a plan, then the apply that
// plans again): two clients, each deleting its shells when it ends.
func runEngine(ctx context.Context, job engineJob) error {
	if job.Mode != "apply-cli" {
		return runEngineClient(ctx, job, job.Mode)
	}
	if err := runEngineClient(ctx, job, "apply-plan"); err != nil {
		return err
	}
	return runEngineClient(ctx, job, "apply-after-plan")
}

// runEngineClient runs one mode with a client of its own: plan, apply (in
// one client, the session hosts' plan-time read twice), apply-plan (the
// plan of apply-cli's first process) or apply-after-plan (its second).
func runEngineClient(ctx context.Context, job engineJob, mode string) error {
	ca, err := os.ReadFile(job.CACert)
	if err != nil {
		return err
	}
	c, err := winrmclient.New(winrmclient.Config{
		Host: job.LS, Port: job.Port, HTTPS: true, CACert: ca,
		Username: "Administrator", Password: job.Password, Auth: winrmclient.AuthNTLM,
		Library: rds.Library,
	})
	if err != nil {
		return err
	}
	// Closing deletes the shells, as the provider does when it exits.
	defer func() { _ = c.Close() }()

	var inspectOnce sync.Once
	var inspectErr error
	inspect := func() error {
		inspectOnce.Do(func() {
			if _, err := rds.GetLicenseServer.Run(ctx, c, job.LS, rds.NoInput{}); err != nil {
				inspectErr = err
				return
			}
			_, inspectErr = rds.ListKeyPacks.Run(ctx, c, job.LS, rds.NoInput{})
		})
		return inspectErr
	}
	diagnostics := func(h string) error {
		if _, err := rds.GetSessionHost.Run(ctx, c, h, rds.SessionHostInput{CheckServers: []string{}, CheckSpecified: true}); err != nil {
			return err
		}
		return inspect()
	}
	lsPlan := func() error {
		if _, err := rds.GetRole.Run(ctx, c, job.LS, rds.NoInput{}); err != nil {
			return err
		}
		if _, err := rds.GetLicenseServer.Run(ctx, c, job.LS, rds.NoInput{}); err != nil {
			return err
		}
		for range 2 {
			if _, err := rds.ListKeyPacks.Run(ctx, c, job.LS, rds.NoInput{}); err != nil {
				return err
			}
		}
		return nil
	}
	planRead := func(h string) error {
		_, err := rds.GetSessionHost.Run(ctx, c, h, rds.SessionHostInput{})
		return err
	}
	applyHost := func(planReads int) func(string) error {
		return func(h string) error {
			for range planReads {
				if err := planRead(h); err != nil {
					return err
				}
			}
			in := rds.SessionHostLicensingInput{Method: "group_policy", LicensingMode: benchModePerUser, LicenseServers: []string{job.LS}, RestartService: true}
			if _, err := rds.SetSessionHostLicensing.Run(ctx, c, h, in); err != nil {
				return err
			}
			return diagnostics(h)
		}
	}
	var hostOps func(string) error
	var first func() error
	switch mode {
	case "plan":
		hostOps, first = diagnostics, lsPlan
	case "apply", "apply-after-plan":
		if err := engineApplyLS(ctx, c, job.LS, mode == "apply"); err != nil {
			return fmt.Errorf("license server %s: %w", job.LS, err)
		}
		if mode == "apply" {
			hostOps = applyHost(2)
		} else {
			hostOps = applyHost(1)
		}
	case "apply-plan":
		hostOps = planRead
		first = func() error { return engineLSPlanChecks(ctx, c, job.LS) }
	default:
		return fmt.Errorf("mode %q is not plan, apply, apply-plan or apply-after-plan", mode)
	}

	// P workers, as -parallelism=P lets the CLI run P operations at once;
	// in plan the license server's reads are one of the tasks.
	tasks := make(chan func() error)
	errs := make(chan error, job.Parallelism)
	var wg sync.WaitGroup
	for range max(job.Parallelism, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range tasks {
				if err := t(); err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		}()
	}
	if first != nil {
		tasks <- func() error {
			if err := first(); err != nil {
				return fmt.Errorf("license server %s: %w", job.LS, err)
			}
			return nil
		}
	}
	for _, h := range job.Hosts {
		tasks <- func() error {
			if err := hostOps(h); err != nil {
				return fmt.Errorf("session host %s: %w", h, err)
			}
			return nil
		}
	}
	close(tasks)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}

// engineApplyLS is the license server's module applied to a fresh server.
// With planChecks, the key pack's plan-time checks come first, as in one
// process; without, the plan of apply-cli's first process ran them.
func engineApplyLS(ctx context.Context, c *winrmclient.Client, ls string, planChecks bool) error {
	if planChecks {
		if err := engineLSPlanChecks(ctx, c, ls); err != nil {
			return err
		}
	}
	if _, err := rds.InstallRole.Run(ctx, c, ls, rds.RoleInput{IncludeManagementTools: true, WaitSeconds: 600}); err != nil {
		return err
	}
	contact := rds.Contact{FirstName: benchContact["first_name"], LastName: benchContact["last_name"], Company: benchContact["company"], CountryRegion: benchContact["country_region"]}
	if _, err := rds.SetContact.Run(ctx, c, ls, contact); err != nil {
		return err
	}
	if _, err := rds.ActivateLicenseServer.Run(ctx, c, ls, rds.ActivationInput{Method: "automatic"}); err != nil {
		return err
	}
	if _, err := rds.GetLicenseServer.Run(ctx, c, ls, rds.NoInput{}); err != nil {
		return err
	}
	if _, err := rds.GetHostInfo.Run(ctx, c, ls, rds.NoInput{}); err != nil {
		return err
	}
	for range 2 {
		if _, err := rds.ListKeyPacks.Run(ctx, c, ls, rds.NoInput{}); err != nil {
			return err
		}
	}
	kp := rds.InstallKeyPackInput{
		Program: "agreement", AgreementType: benchEnterprise, AgreementNumber: benchAgreement,
		ProductVersion: benchProductVerID, ProductType: benchCALTypePerUsr, LicenseCount: benchCALs,
		// The journal entry's names; any code tag of the right form will do.
		RequestID: rds.NewID(), Owner: rds.NewID(), CodeTag: "0123456789abcdef:0123",
	}
	if _, err := rds.InstallKeyPack.Run(ctx, c, ls, kp); err != nil {
		return err
	}
	_, err := rds.ListKeyPacks.Run(ctx, c, ls, rds.NoInput{})
	return err
}

// engineLSPlanChecks is what the key pack's ModifyPlan asks of a license
// server that is not activated yet.
func engineLSPlanChecks(ctx context.Context, c *winrmclient.Client, ls string) error {
	if _, err := rds.GetHostInfo.Run(ctx, c, ls, rds.NoInput{}); err != nil {
		return err
	}
	_, err := rds.ListKeyPacks.Run(ctx, c, ls, rds.NoInput{})
	return err
}

// startEngine runs the engine in a process of its own (this program again,
// told by the environment), so that its CPU time and peak RSS are its own.
func startEngine(job engineJob, logPath string) (usage, error) {
	self, err := os.Executable()
	if err != nil {
		return usage{}, err
	}
	in, err := json.Marshal(job)
	if err != nil {
		return usage{}, err
	}
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), engineEnv+"=1")
	cmd.Stdin = bytes.NewReader(in)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err = cmd.Run()
	u := usage{wall: time.Since(start), clients: 1}
	_ = os.WriteFile(logPath, out.Bytes(), 0o644)
	if cmd.ProcessState != nil {
		u.clientCPU, u.clientRSS = rusageCPU(cmd.ProcessState)
	}
	if err != nil {
		return u, fmt.Errorf("engine %s: %v: %s", job.Mode, err, bytes.TrimSpace(out.Bytes()))
	}
	return u, nil
}
