package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/module"
	modzip "golang.org/x/mod/zip"
)

// `go install github.com/rdslicensing/terraform-provider-rdslicensing/cmd/winsim@VERSION`
// works: the committed tree, zipped as the module proxy would serve it,
// installs from a local proxy, and the installed winsim starts in a
// directory outside the repository (it needs no file of it).
func TestGoInstallAtVersion(t *testing.T) {
	if testing.Short() {
		t.Skip("builds winsim from a module zip")
	}
	const path = "github.com/rdslicensing/terraform-provider-rdslicensing"
	// A version of its own each run: the module cache never forgets one.
	version := fmt.Sprintf("v0.0.0-%s-000000000000", time.Now().UTC().Format("20060102150405"))
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if err := exec.Command("git", "-C", root, "rev-parse", "--verify", "HEAD").Run(); err != nil {
		t.Skip("zips the committed tree: needs a git checkout")
	}
	proxy := t.TempDir()
	dir := filepath.Join(proxy, path, "@v")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	zf, err := os.Create(filepath.Join(dir, version+".zip"))
	if err != nil {
		t.Fatal(err)
	}
	tree := t.TempDir()
	if out, err := exec.Command("bash", "-c", `git -C "$1" archive HEAD | tar -x -C "$2"`, "-", root, tree).CombinedOutput(); err != nil {
		t.Fatalf("git archive: %v\n%s", err, out)
	}
	if err := modzip.CreateFromDir(zf, module.Version{Path: path, Version: version}, tree); err != nil {
		t.Fatalf("zip the committed tree: %v", err)
	}
	if err := zf.Close(); err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join(tree, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{
		version + ".mod":  string(gomod),
		version + ".info": fmt.Sprintf(`{"Version":%q}`, version),
		"list":            version + "\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	modcache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	cache := strings.TrimSpace(string(modcache))
	gobin := t.TempDir()
	elsewhere := t.TempDir()
	install := exec.Command("go", "install", path+"/cmd/winsim@"+version)
	install.Dir = elsewhere
	// Dependencies come from the module cache (a proxy in its own right),
	// so that no network is needed; -modcacherw lets the cleanup remove
	// this version from the cache again.
	install.Env = append(os.Environ(), "GOBIN="+gobin, "GOFLAGS=-modcacherw", "GONOSUMDB="+path, "GOSUMDB=off",
		"GOPROXY=file://"+filepath.ToSlash(proxy)+",file://"+filepath.ToSlash(filepath.Join(cache, "cache", "download")))
	t.Cleanup(func() {
		_ = os.RemoveAll(filepath.Join(cache, path+"@"+version))
		dl := filepath.Join(cache, "cache", "download", path, "@v")
		matches, _ := filepath.Glob(filepath.Join(dl, version+".*"))
		for _, m := range append(matches, filepath.Join(dl, "list")) {
			_ = os.Remove(m)
		}
		// The directories, if nothing else is in them.
		for _, d := range []string{dl, filepath.Dir(dl), filepath.Dir(filepath.Dir(dl)), filepath.Join(cache, "github.com", "rdslicensing")} {
			_ = os.Remove(d)
		}
	})
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("go install cmd/winsim@%s: %v\n%s", version, err, out)
	}
	bin := filepath.Join(gobin, "winsim")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	help, _ := exec.Command(bin, "-help").CombinedOutput()
	if !strings.Contains(string(help), "go install "+path+"/cmd/winsim@") {
		t.Errorf("winsim -help does not say how to install it:\n%s", help)
	}
	// Started outside the repository, it serves a fleet.
	if ctl := startFleetIn(t, elsewhere, bin, "-hosts", "1", "-timing", "fast", "-http-port", "0", "-https-port", "0",
		"-control", "127.0.0.1:0", "-base-address", "127.0.123.1"); ctl == "" {
		t.Fatal("no control API")
	}
}
