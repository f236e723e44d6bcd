package provider

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// Contact details are checked at plan, through the real CLI: a code for a
// country and a 100 KB or multi-line value fail before anything runs on
// the host, without the value echoed; a country name that is not on the
// provider's list warns at plan (and the host refuses it at apply, with
// nothing changed); a good name plans quietly.
func TestAccServerActivationContactCheckedAtPlan(t *testing.T) {
	e := newAccEnv(t, winsim.NewLicenseServerHost("LS01", "2022", ""))
	r := newCLIRun(t, e, "", nil)
	write := func(contact string) {
		t.Helper()
		cfg := strings.Replace(e.Config(`resource "rdslicensing_server_activation" "ls" {`+contact+"}\n"),
			"registry.terraform.io/rdslicensing/rdslicensing", "rdslicensing/rdslicensing", 1)
		if err := os.WriteFile(filepath.Join(r.dir, "main.tf"), []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	contact := func(first, country string) string {
		return "\n  first_name = " + first + "\n  last_name = \"Lovelace\"\n  company = \"Contoso\"\n  country_region = " + country + "\n"
	}
	ops := func() int {
		n := 0
		for _, l := range e.Host("LS01").Log(0) {
			if l.Event == "operation" {
				n++
			}
		}
		return n
	}
	flat := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	huge := strings.Repeat("A", 100*1024)

	for _, tc := range []struct {
		name, contact string
		want          []string
	}{
		{"UK", contact(`"Ada"`, `"UK"`), []string{"Error: Invalid country_region", `"UK" is not a country/region name Windows knows; use "United Kingdom"`, "country_region"}},
		{"a code", contact(`"Ada"`, `"XY"`), []string{"Error: Invalid country_region", `"XY" looks like a country code`}},
		{"100 KB", contact(`"`+huge+`"`, `"United Kingdom"`), []string{"Error: Invalid first_name", "first_name is 102400 characters long, and the provider takes at most 64", "Shorten it"}},
		{"NUL", contact(`"Ada\u0000"`, `"United Kingdom"`), []string{"Error: Invalid first_name", "first_name holds a NUL character (U+0000) at character 4"}},
		{"heredoc", contact("<<-EOT\n    Ada\n  EOT", `"United Kingdom"`), []string{"Error: Invalid first_name", "a line break (U+000A) at character 4", "trimspace()"}},
	} {
		write(tc.contact)
		out, err := r.try("plan")
		if err == nil {
			t.Fatalf("%s: plan succeeded:\n%.2000s", tc.name, out)
		}
		for _, w := range tc.want {
			if !strings.Contains(flat(out), w) {
				t.Errorf("%s: plan does not say %q:\n%.3000s", tc.name, w, out)
			}
		}
		if strings.Contains(out, huge[:1000]) {
			t.Errorf("%s: the plan's output echoes the 100 KB value (%d bytes of output)", tc.name, len(out))
		}
	}
	if n := ops(); n != 0 {
		t.Fatalf("%d operations ran on the host for plans refused at validation", n)
	}

	// Not on the list: a warning with the nearest name; the host refuses it
	// at apply and keeps its contact.
	write(contact(`"Ada"`, `"Untied Kingdom"`))
	plan := flat(r.run("plan"))
	for _, w := range []string{"Warning: country_region is not on the country list the provider knows", `"Untied Kingdom" is not on the country/region list the provider knows`, `Did you mean "United Kingdom"?`} {
		if !strings.Contains(plan, w) {
			t.Errorf("plan does not say %q:\n%s", w, plan)
		}
	}
	out, err := r.try("apply", "-auto-approve")
	if err == nil || !strings.Contains(flat(out), "CountryRegion 'Untied Kingdom' is not a country/region name the license server on LS01 accepts") {
		t.Fatalf("apply with a country the host refuses: err %v\n%s", err, out)
	}
	if ls := e.Host("LS01").State().LicenseServer; ls.FirstName != "" || ls.CountryRegion != "" || ls.Activated {
		t.Fatalf("the refused apply changed the license server: %q %q activated %v", ls.FirstName, ls.CountryRegion, ls.Activated)
	}

	// A name on the list: no warning, then and once applied.
	write(contact(`"Ada"`, `"United Kingdom"`))
	if out := r.run("apply", "-auto-approve"); strings.Contains(out, "not on the country list the provider knows") {
		t.Errorf("apply with United Kingdom mentions country_region:\n%s", out)
	}
	if out := r.run("plan", "-detailed-exitcode"); !strings.Contains(out, "No changes") || strings.Contains(out, "country_region") {
		t.Errorf("second plan:\n%s", out)
	}
}

// A country the server holds that is not on the provider's list (a server
// in another language, or Windows accepting more than the list) is not
// warned of again on every plan: only when apply would write it.
func TestAccServerActivationCountryWarnsOnlyOnChange(t *testing.T) {
	ls := winsim.NewLicenseServerHost("LS01", "2022", "")
	ls.Quirks.AcceptAnyCountry = true
	e := newAccEnv(t, ls)
	r := newCLIRun(t, e, "", nil)
	cfg := strings.Replace(e.Config(`resource "rdslicensing_server_activation" "ls" {
  first_name     = "Ada"
  last_name      = "Lovelace"
  company        = "Contoso"
  country_region = "Vereinigtes Königreich"
}
`), "registry.terraform.io/rdslicensing/rdslicensing", "rdslicensing/rdslicensing", 1)
	if err := os.WriteFile(filepath.Join(r.dir, "main.tf"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	if out := r.run("apply", "-auto-approve"); !strings.Contains(out, "Warning: country_region is not on the country list the provider knows") {
		t.Errorf("apply writing a country off the list does not warn:\n%s", out)
	}
	if got := e.Host("LS01").State().LicenseServer.CountryRegion; got != "Vereinigtes Königreich" {
		t.Fatalf("CountryRegion = %q", got)
	}
	if out := r.run("plan", "-detailed-exitcode"); !strings.Contains(out, "No changes") || strings.Contains(out, "country_region") {
		t.Errorf("a plan with nothing to write warns or changes:\n%s", out)
	}
}
