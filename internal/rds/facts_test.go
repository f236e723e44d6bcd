package rds_test

// The scripts and winsim name only Windows facts of the catalog
// (internal/winfacts): registry keys and values, features, services and
// return codes here; WMI classes, methods, parameters and properties in
// TestScriptsNameOnlyRealWMI.

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winfacts"
)

// rawScriptTexts are the operation scripts and the library, by name, as written.
func rawScriptTexts(t *testing.T) map[string]string {
	t.Helper()
	texts := map[string]string{}
	for _, op := range rds.Operations() {
		texts["scripts/"+op.Name+".ps1"] = op.Script
	}
	libs, err := filepath.Glob("scripts/lib/*.ps1")
	if err != nil || len(libs) == 0 {
		t.Fatalf("no library files: %v", err)
	}
	for _, p := range libs {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		texts[p] = string(b)
	}
	return texts
}

// winsimSources are winsim's Go files other than tests, by name.
func winsimSources(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("../winsim/*.go")
	if err != nil || len(files) < 10 {
		t.Fatalf("winsim sources: %v", err)
	}
	out := map[string]string{}
	for _, p := range files {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[p] = string(b)
	}
	return out
}

// eachLine calls fn with every line that is not a comment.
func eachLine(text, comment string, fn func(line int, s string)) {
	for i, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), comment) {
			continue
		}
		fn(i+1, l)
	}
}

var (
	regKeyLiteral  = regexp.MustCompile(`'(HKLM:?\\[^']+|(?:SOFTWARE|SYSTEM)\\[^']+)'`)
	regValueLine   = regexp.MustCompile(`ItemProperty|Get-RdslRegistry(Entry|Dword)`)
	regValueName   = regexp.MustCompile(`-Name\s+'([^']+)'`)
	regGetValue    = regexp.MustCompile(`\.GetValue\('([^']+)'`)
	regNameLoop    = regexp.MustCompile(`foreach\s*\(\$name in @\(([^)]*)\)\)`)
	quoted         = regexp.MustCompile(`'([^']*)'`)
	featureName    = regexp.MustCompile(`\b(?:RDS|RSAT)-[A-Za-z-]*[A-Za-z]`)
	serviceLine    = regexp.MustCompile(`(?i)\b(get|set|start|stop|restart)-(rdsl)?service(state)?\b`)
	serviceName    = regexp.MustCompile(`-Name\s+'?([A-Za-z]\w*)`)
	scriptCode     = regexp.MustCompile(`(?i)\b(0x8004[0-9a-f]{4}|0x4001|2147749\d{3})L?\b`)
	goCode         = regexp.MustCompile(`(?i)\b(0x8004[0-9a-f]{4}|0x4001)\b`)
	goFeature      = regexp.MustCompile(`"((?:RDS|RSAT)-[A-Za-z-]*[A-Za-z])"`)
	goService      = regexp.MustCompile(`\bService\w*\s*=\s*"(\w+)"`)
	goRegistryPath = regexp.MustCompile("`(HKLM\\\\[^`]+)`")
)

// registryPath spells a script's key path as the catalog does.
func registryPath(s string) string {
	s = strings.Replace(s, "HKLM:", "HKLM", 1)
	if !strings.HasPrefix(s, `HKLM\`) {
		s = `HKLM\` + s
	}
	return s
}

// registryValueKnown: some registry value fact (not a key) has that name.
func registryValueKnown(name string) bool {
	for _, f := range winfacts.OfKind(winfacts.KindRegistry) {
		if f.Value != "key" && strings.HasSuffix(f.Subject(), `\`+name) {
			return true
		}
	}
	return false
}

func TestScriptsUseCatalogedRegistry(t *testing.T) {
	keys, values := 0, 0
	for name, text := range rawScriptTexts(t) {
		eachLine(text, "#", func(line int, s string) {
			for _, m := range regKeyLiteral.FindAllStringSubmatch(s, -1) {
				keys++
				if _, ok := winfacts.Lookup(winfacts.KindRegistry + ":" + registryPath(m[1])); !ok {
					t.Errorf("%s:%d: registry key %s is not in the facts catalog", name, line, registryPath(m[1]))
				}
			}
			var names []string
			if regValueLine.MatchString(s) {
				for _, m := range regValueName.FindAllStringSubmatch(s, -1) {
					names = append(names, m[1])
				}
			}
			for _, m := range regGetValue.FindAllStringSubmatch(s, -1) {
				names = append(names, m[1])
			}
			for _, m := range regNameLoop.FindAllStringSubmatch(s, -1) {
				for _, q := range quoted.FindAllStringSubmatch(m[1], -1) {
					names = append(names, q[1])
				}
			}
			for _, n := range names {
				values++
				if !registryValueKnown(n) {
					t.Errorf("%s:%d: registry value %q is not in the facts catalog", name, line, n)
				}
			}
		})
	}
	if keys < 8 || values < 15 {
		t.Fatalf("only %d registry keys and %d values checked: the scripts changed", keys, values)
	}
}

func TestScriptsUseCatalogedFeaturesAndServices(t *testing.T) {
	features, services := 0, 0
	for name, text := range rawScriptTexts(t) {
		eachLine(text, "#", func(line int, s string) {
			for _, f := range featureName.FindAllString(s, -1) {
				features++
				if _, ok := winfacts.Lookup(winfacts.KindFeature + ":" + f); !ok {
					t.Errorf("%s:%d: feature %s is not in the facts catalog", name, line, f)
				}
			}
			if !serviceLine.MatchString(s) {
				return
			}
			for _, m := range serviceName.FindAllStringSubmatch(s, -1) {
				services++
				if _, ok := winfacts.Lookup(winfacts.KindService + ":" + m[1]); !ok {
					t.Errorf("%s:%d: service %s is not in the facts catalog", name, line, m[1])
				}
			}
		})
	}
	if features < 10 || services < 4 {
		t.Fatalf("only %d feature and %d service names checked: the scripts changed", features, services)
	}
}

// Every WMI or licensing code a script names (in -Kinds tables, Fail
// -Code, comparisons, comments) is a return code of the catalog.
func TestScriptsUseCatalogedReturnCodes(t *testing.T) {
	checked := 0
	for name, text := range rawScriptTexts(t) {
		for i, l := range strings.Split(text, "\n") {
			for _, m := range scriptCode.FindAllStringSubmatch(l, -1) {
				checked++
				n, err := strconv.ParseInt(m[1], 0, 64)
				if err != nil {
					t.Fatal(err)
				}
				if !winfacts.HasReturnCode(n) {
					t.Errorf("%s:%d: code %s (0x%X) is not a return code of the facts catalog", name, i+1, m[0], n)
				}
			}
		}
	}
	if checked < 40 {
		t.Fatalf("only %d codes checked: the scripts changed", checked)
	}
}

// winsim's handlers name only cataloged codes, features, services and
// registry keys.
func TestWinsimUsesCatalogedFacts(t *testing.T) {
	codes, features, services, keys := 0, 0, 0, 0
	for name, text := range winsimSources(t) {
		eachLine(text, "//", func(line int, s string) {
			for _, m := range goCode.FindAllStringSubmatch(s, -1) {
				codes++
				n, _ := strconv.ParseInt(m[1], 0, 64)
				if !winfacts.HasReturnCode(n) {
					t.Errorf("%s:%d: code %s is not a return code of the facts catalog", name, line, m[1])
				}
			}
			for _, m := range goFeature.FindAllStringSubmatch(s, -1) {
				features++
				if _, ok := winfacts.Lookup(winfacts.KindFeature + ":" + m[1]); !ok {
					t.Errorf("%s:%d: feature %s is not in the facts catalog", name, line, m[1])
				}
			}
			for _, m := range goService.FindAllStringSubmatch(s, -1) {
				services++
				if _, ok := winfacts.Lookup(winfacts.KindService + ":" + m[1]); !ok {
					t.Errorf("%s:%d: service %s is not in the facts catalog", name, line, m[1])
				}
			}
			for _, m := range goRegistryPath.FindAllStringSubmatch(s, -1) {
				keys++
				if _, ok := winfacts.Lookup(winfacts.KindRegistry + ":" + m[1]); !ok {
					t.Errorf("%s:%d: registry key %s is not in the facts catalog", name, line, m[1])
				}
			}
		})
	}
	if codes < 13 || features < 5 || services < 2 || keys < 1 {
		t.Fatalf("checked only %d codes, %d features, %d services, %d registry keys: winsim changed", codes, features, services, keys)
	}
}

// install_key_pack.ps1 needs the CAL release table at run time; it must be
// the catalog's (winfacts), the table's one home: $releases (number to
// release), $lsMax (license server release to its newest number) and the
// numbers it accepts.
func TestInstallKeyPackTablesAreTheCatalogs(t *testing.T) {
	s, _, _ := parseAll(t)
	f := s.File("scripts/install_key_pack.ps1")
	hashAt := func(name string) map[string]string {
		for _, a := range f.Assignments {
			if a.Variable != name || a.Operator != "=" {
				continue
			}
			for _, h := range f.Hashtables {
				if h.Line == a.Line {
					m := map[string]string{}
					for _, e := range h.Entries {
						m[strings.TrimSpace(e.Key)] = e.Value.Value
					}
					return m
				}
			}
		}
		t.Fatalf("install_key_pack.ps1 assigns no hash literal to $%s", name)
		return nil
	}
	releases, lsMax := hashAt("releases"), hashAt("lsMax")
	want := []string{}
	for _, r := range winfacts.InstallableReleases {
		n, _ := winfacts.ProductVersion(r)
		want = append(want, strconv.Itoa(n))
		if releases[strconv.Itoa(n)] != r {
			t.Errorf("$releases[%d] = %q, the catalog says %q", n, releases[strconv.Itoa(n)], r)
		}
		if lsMax[r] != strconv.Itoa(n) {
			t.Errorf("$lsMax['%s'] = %q, the catalog says %d", r, lsMax[r], n)
		}
	}
	if len(releases) != len(want) || len(lsMax) != len(want) {
		t.Errorf("$releases %v and $lsMax %v, the catalog's installable releases are %v", releases, lsMax, winfacts.InstallableReleases)
	}
	accepted := "@(" + strings.Join(want, ", ") + ") -notcontains $version"
	if !strings.Contains(rds.InstallKeyPack.Script, accepted) {
		t.Errorf("install_key_pack.ps1 does not check the numbers the catalog has: want %q", accepted)
	}
}
