package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// The fleet every run applies: the license server gets one enterprise
// agreement of per-user CALs (the Clearinghouse of winsim knows its
// number), and every session host points at it in per-user mode. The
// engine writes the same values.
const (
	benchAgreement     = "4680246"
	benchCALs          = 100
	benchDomain        = "contoso.com"
	benchProductVer    = "2022"
	benchProductVerID  = 7 // internal/provider productVersions["2022"]
	benchCALTypePerUsr = 1 // calTypeNumber["per_user"]
	benchEnterprise    = 1 // index of "enterprise" in keyPackAgreementTypes
	benchModePerUser   = 4 // LicensingMode of per_user
)

var benchContact = map[string]string{
	"first_name": "Ada", "last_name": "Lovelace", "company": "Contoso Ltd", "country_region": "United Kingdom",
}

// workspace is the benchmark's directory: binaries, the two copies of
// the examples (as shipped, and mirrored for the core floor), CLI
// configurations and logs.
type workspace struct {
	dir         string
	provider    string // the provider binary the CLI runs
	winsim      string
	cli         string
	cliVersion  string
	provRoot    string // the root module run with the provider
	coreRoot    string // its mirror on terraform_data
	devConfig   string // CLI configuration: dev_overrides to provider
	coreConfig  string // CLI configuration: nothing
	rootVarType map[string]string
}

// prepare builds the provider and winsim, copies the examples twice and
// mirrors one copy.
func prepare(o *options, logf func(string, ...any)) (*workspace, error) {
	w := &workspace{dir: o.work, cli: o.cli}
	w.provider = filepath.Join(w.dir, "plugins", "terraform-provider-rdslicensing")
	w.winsim = filepath.Join(w.dir, "bin", "winsim")
	logf("building the provider and winsim")
	for _, b := range [][]string{{"-o", w.provider, "."}, {"-o", w.winsim, "./cmd/winsim"}} {
		cmd := exec.Command("go", append([]string{"build"}, b...)...)
		cmd.Dir = o.repo
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("go build %s: %v\n%s", b[2], err, out)
		}
	}
	w.devConfig = filepath.Join(w.dir, "dev.tfrc")
	dev := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"rdslicensing/rdslicensing\" = %q\n  }\n  direct {}\n}\n", filepath.Dir(w.provider))
	w.coreConfig = filepath.Join(w.dir, "core.tfrc")
	if err := os.WriteFile(w.devConfig, []byte(dev), 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(w.coreConfig, []byte("# the core floor needs no provider\n"), 0o644); err != nil {
		return nil, err
	}
	cmd := exec.Command(w.cli, "version")
	cmd.Env = append(cliEnv(), "TF_CLI_CONFIG_FILE="+w.coreConfig)
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s version: %w", w.cli, exitDetail(err))
	}
	w.cliVersion = strings.SplitN(strings.TrimSpace(string(out)), "\n", 2)[0]
	examples := filepath.Join(o.repo, "examples")
	rel, err := rootUnderExamples(o.repo, o.root)
	if err != nil {
		return nil, err
	}
	provCopy, coreCopy := filepath.Join(w.dir, "provider"), filepath.Join(w.dir, "core")
	for _, d := range []string{provCopy, coreCopy} {
		if err := copyTree(examples, d); err != nil {
			return nil, err
		}
	}
	w.provRoot, w.coreRoot = filepath.Join(provCopy, rel), filepath.Join(coreCopy, rel)
	w.rootVarType, err = rootVariables(w.provRoot)
	if err != nil {
		return nil, err
	}
	return w, nil
}

// rootUnderExamples is the root module's path under examples/, which is
// copied whole so that its modules' relative paths hold.
func rootUnderExamples(repo, root string) (string, error) {
	rel, err := filepath.Rel(filepath.Join(repo, "examples"), filepath.Join(repo, root))
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
		return "", fmt.Errorf("-root %s must be a directory under examples/ (copied whole, so that its modules' relative paths hold)", root)
	}
	if st, err := os.Stat(filepath.Join(repo, root)); err != nil || !st.IsDir() {
		return "", fmt.Errorf("-root %s: no such directory in %s", root, repo)
	}
	return rel, nil
}

// mirror writes the core floor's configuration, with placeholders from
// the provider's schema (the CLI reads it through the dev override).
func (w *workspace) mirror(env []string) error {
	cmd := exec.Command(w.cli, "providers", "schema", "-json")
	cmd.Dir = w.provRoot
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("%s providers schema -json: %w", w.cli, exitDetail(err))
	}
	ph, err := schemaPlaceholders(out)
	if err != nil {
		return err
	}
	return mirrorTree(w.coreRoot, ph)
}

func exitDetail(err error) error {
	if ee, ok := err.(*exec.ExitError); ok && len(ee.Stderr) > 0 {
		return fmt.Errorf("%w: %s", err, strings.TrimSpace(string(ee.Stderr)))
	}
	return err
}

// writeVars writes terraform.tfvars.json for the fleet into both roots,
// giving only the variables the root declares; session_hosts is a list,
// or a map from each host to itself when the root declares a map.
func (w *workspace) writeVars(ls string, hosts []string) error {
	vars := map[string]any{}
	set := func(name string, v any) {
		if _, ok := w.rootVarType[name]; ok {
			vars[name] = v
		}
	}
	set("license_server", ls)
	if t := w.rootVarType["session_hosts"]; strings.HasPrefix(strings.ReplaceAll(t, " ", ""), "map(") {
		m := map[string]string{}
		for _, h := range hosts {
			m[h] = h
		}
		set("session_hosts", m)
	} else {
		set("session_hosts", hosts)
	}
	set("contact", benchContact)
	set("licensing_mode", "per_user")
	set("key_packs", map[string]any{"users": map[string]any{
		"program": "agreement", "agreement_type": "enterprise", "product_version": benchProductVer, "cal_type": "per_user", "quantity": benchCALs,
	}})
	set("key_pack_codes", map[string]any{"users": map[string]any{"agreement_number": benchAgreement}})
	b, err := json.MarshalIndent(vars, "", "  ")
	if err != nil {
		return err
	}
	for _, root := range []string{w.provRoot, w.coreRoot} {
		if err := os.WriteFile(filepath.Join(root, "terraform.tfvars.json"), b, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// rootVariables reads the variables a module declares, with their type
// expressions as written.
func rootVariables(dir string) (map[string]string, error) {
	paths, files, err := parseTFFiles(dir)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, p := range paths {
		for _, b := range files[p].Body().Blocks() {
			if b.Type() != "variable" || len(b.Labels()) != 1 {
				continue
			}
			t := ""
			if a := b.Body().GetAttribute("type"); a != nil {
				t = strings.TrimSpace(string(a.Expr().BuildTokens(nil).Bytes()))
			}
			out[b.Labels()[0]] = t
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s declares no variables: is it a root module?", dir)
	}
	return out, nil
}

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		// Local state and provider caches of someone's own runs stay out.
		if d.IsDir() && d.Name() == ".terraform" || strings.HasSuffix(d.Name(), ".tfstate") || strings.HasSuffix(d.Name(), ".tfstate.backup") || d.Name() == ".terraform.lock.hcl" {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
}
