package winfacts_test

import (
	"flag"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winfacts"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

var update = flag.Bool("update", false, "rewrite docs/design/windows-facts.md")

const docPath = "../../docs/design/windows-facts.md"

func TestFactsAreWellFormed(t *testing.T) {
	kinds := map[string]bool{}
	for _, k := range []string{winfacts.KindWMIClass, winfacts.KindWMIMethod, winfacts.KindWMIProperty, winfacts.KindReturnCode,
		winfacts.KindValue, winfacts.KindRegistry, winfacts.KindFeature, winfacts.KindService, winfacts.KindWSManFault, winfacts.KindProtocol} {
		kinds[k] = true
	}
	seen := map[string]bool{}
	for _, f := range winfacts.Facts {
		switch {
		case !kinds[f.Kind]:
			t.Errorf("%s: kind %q", f.ID, f.Kind)
		case !strings.HasPrefix(f.ID, f.Kind+":") || f.Subject() == "":
			t.Errorf("%s: the ID is not %s:<subject>", f.ID, f.Kind)
		case seen[f.ID]:
			t.Errorf("%s: twice", f.ID)
		case f.Statement == "":
			t.Errorf("%s: no statement", f.ID)
		case f.Source == "" && !f.Unverified:
			t.Errorf("%s: neither a source nor unverified", f.ID)
		case f.Source != "" && f.Unverified:
			t.Errorf("%s: unverified, yet sourced to %s", f.ID, f.Source)
		case f.Quirk != "" && !f.Unverified:
			t.Errorf("%s: a quirk on a verified fact", f.ID)
		case f.Source != "" && !strings.HasPrefix(f.Source, "https://") && len(strings.Fields(f.Source)) != 2:
			t.Errorf("%s: source %q is neither a URL nor \"owner/repo path\"", f.ID, f.Source)
		}
		seen[f.ID] = true
	}
	if _, err := winfacts.WMI(); err != nil {
		t.Error(err)
	}
}

// quirkFields are the JSON names of winsim's Quirks fields.
func quirkFields() []string {
	var out []string
	q := reflect.TypeOf(winsim.Quirks{})
	for i := 0; i < q.NumField(); i++ {
		out = append(out, strings.Split(q.Field(i).Tag.Get("json"), ",")[0])
	}
	return out
}

// Every quirk flips an unverified fact, and every fact's quirk exists.
func TestQuirksAreFacts(t *testing.T) {
	fields := quirkFields()
	if len(fields) < 10 {
		t.Fatalf("Quirks has %d fields", len(fields))
	}
	named := map[string]bool{}
	for _, f := range winfacts.Facts {
		if f.Quirk == "" {
			continue
		}
		named[f.Quirk] = true
		if !contains(fields, f.Quirk) {
			t.Errorf("%s: quirk %q is not a JSON field of winsim.Quirks (%v)", f.ID, f.Quirk, fields)
		}
	}
	for _, q := range fields {
		if !named[q] {
			t.Errorf("winsim quirk %q flips no unverified fact of the catalog", q)
		}
	}
}

// winsim's defaults are the catalog's values.
func TestWinsimDefaultsAreTheFacts(t *testing.T) {
	want := func(id, got string) {
		t.Helper()
		f, ok := winfacts.Lookup(id)
		if !ok {
			t.Errorf("winsim models %s = %s, which the catalog lacks", id, got)
		} else if f.Value != got {
			t.Errorf("%s: winsim %s, catalog %s", id, got, f.Value)
		}
	}
	h := winsim.HostState{Quirks: winsim.DefaultQuirks}
	for release, build := range winsim.OSBuilds {
		want("value:OSBuild."+release, build)
		want("value:ProductVersionID."+release, strconv.Itoa(h.ProductVersionID(release)))
	}
	codes := map[string]int64{
		"policy_write_code": winsim.DefaultQuirks.PolicyWriteCode, "clearinghouse_unreachable_code": winsim.DefaultQuirks.ClearinghouseUnreachableCode,
		"invalid_code_code": winsim.DefaultQuirks.InvalidCodeCode, "code_already_used_code": winsim.DefaultQuirks.CodeAlreadyUsedCode,
		"not_activated_code": winsim.DefaultQuirks.NotActivatedCode, "version_too_new_code": winsim.DefaultQuirks.VersionTooNewCode,
	}
	for quirk, c := range codes {
		found := false
		for _, f := range winfacts.OfKind(winfacts.KindReturnCode) {
			if f.Quirk == quirk {
				found = true
				if n, _ := f.ReturnCode(); n != c {
					t.Errorf("%s: catalog 0x%X, winsim's default 0x%X", f.ID, n, c)
				}
			}
		}
		if !found {
			t.Errorf("no return code fact for quirk %s", quirk)
		}
	}
	want("value:BuiltInKeyPack.TotalLicenses", strconv.FormatInt(winsim.BuiltInKeyPackLicense, 10))
	for _, s := range []string{winsim.StateAvailable, winsim.StateInstalled, winsim.StateInstallPending, winsim.StateUninstallPending, winsim.StateRemoved} {
		if f, _ := winfacts.Lookup("value:InstallState"); !contains(strings.Split(f.Value, ", "), s) {
			t.Errorf("winsim's install state %q is not in value:InstallState", s)
		}
	}
}

func TestDocIsRendered(t *testing.T) {
	got := winfacts.Render()
	if *update {
		if err := os.WriteFile(docPath, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatalf("%v (go test ./internal/winfacts -update writes it)", err)
	}
	if string(b) != got {
		t.Errorf("%s is stale: go test ./internal/winfacts -update", docPath)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
