package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winfacts"
)

// validateContact runs the validator of attr on v and returns the
// diagnostics' texts ("" when none).
func validateContact(attr, v string, required bool) (errs, warns string) {
	req := validator.StringRequest{Path: path.Root(attr), ConfigValue: types.StringValue(v)}
	var resp validator.StringResponse
	contactValidator{required: required, why: "test"}.ValidateString(context.Background(), req, &resp)
	var e, w []string
	for _, d := range resp.Diagnostics {
		if d.Severity().String() == "Error" {
			e = append(e, d.Summary()+": "+d.Detail())
		} else {
			w = append(w, d.Summary()+": "+d.Detail())
		}
	}
	return strings.Join(e, "\n"), strings.Join(w, "\n")
}

func TestContactValidator(t *testing.T) {
	huge := strings.Repeat("A", 100*1024)
	for _, tc := range []struct {
		attr, value string
		want        []string // in the error; none: accepted
	}{
		{"first_name", "Ada", nil},
		{"first_name", strings.Repeat("é", 64), nil},
		{"first_name", strings.Repeat("x", 65), []string{"Invalid first_name", "first_name is 65 characters long", "at most 64", "Shorten it"}},
		{"company", huge, []string{"company is 102400 characters long", "at most 64"}},
		// An emoji is two UTF-16 code units, as Windows counts.
		{"last_name", strings.Repeat("😀", 32), nil},
		{"last_name", strings.Repeat("😀", 33), []string{"last_name is 66 characters long"}},
		{"first_name", "Ada\x00Lovelace", []string{"first_name holds a NUL character (U+0000) at character 4", "Remove it"}},
		{"address", "1 Main St\n", []string{"address holds a line break (U+000A) at character 10", "trimspace()"}},
		{"city", "Lon\tdon", []string{"a tab (U+0009) at character 4"}},
		{"state", "Kent\u2028", []string{"a line break (U+2028)"}},
		{"org_unit", "IT\x1b[31m", []string{"the control character U+001B at character 3"}},
		{"postal_code", "SW1A 1AA", nil},
		{"postal_code", strings.Repeat("1", 17), []string{"postal_code is 17 characters long", "at most 16"}},
		{"email", "it@contoso.com", nil},
		{"email", "it.contoso.com", []string{`email "it.contoso.com" is not an e-mail address`, "name@example.com", "leave email out"}},
		{"email", "it@", []string{"is not an e-mail address"}},
		{"email", "a b@contoso.com", []string{"is not an e-mail address"}},
		{"email", "a@b@contoso.com", []string{"is not an e-mail address"}},
		{"email", strings.Repeat("a", 120) + "@contoso.com", []string{"email is 132 characters long", "at most 128"}},
		{"first_name", "   ", []string{"Empty first_name", "must not be empty"}},
	} {
		errs, _ := validateContact(tc.attr, tc.value, tc.attr == "first_name")
		if len(tc.want) == 0 {
			if errs != "" {
				t.Errorf("%s = %.40q: %s", tc.attr, tc.value, errs)
			}
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(errs, w) {
				t.Errorf("%s = %.40q: error does not say %q:\n%s", tc.attr, tc.value, w, errs)
			}
		}
		// Never the value whole: a long one is not quoted at all.
		if len(tc.value) > 200 && strings.Contains(errs, tc.value[:200]) {
			t.Errorf("%s: the error quotes the %d-byte value", tc.attr, len(tc.value))
		}
		if len(errs) > 600 {
			t.Errorf("%s: the error is %d bytes long", tc.attr, len(errs))
		}
	}
	// Optional attributes may be empty; unknown values wait for apply.
	if errs, _ := validateContact("email", "", false); errs != "" {
		t.Errorf(`email = "": %s`, errs)
	}
	var resp validator.StringResponse
	contactValidator{required: true}.ValidateString(context.Background(), validator.StringRequest{Path: path.Root("company"), ConfigValue: types.StringUnknown()}, &resp)
	if resp.Diagnostics.HasError() {
		t.Errorf("unknown company: %v", resp.Diagnostics)
	}
}

func TestCountryRegionValidator(t *testing.T) {
	for _, tc := range []struct {
		value string
		want  []string // in the error; none: no error
	}{
		{"United Kingdom", nil},
		{"united kingdom", nil},
		{"Côte d'Ivoire", nil},
		{"Atlantis", nil}, // not a code: only warned of, at plan
		{"UK", []string{"Invalid country_region", `"UK" is not a country/region name Windows knows; use "United Kingdom"`}},
		{" usa ", []string{`"usa" is not a country/region name Windows knows; use "United States"`}},
		{"U.S.", []string{`use "United States"`}},
		{"England", nil}, // a name, not a code: only warned of
		{"DEU", []string{`use "Germany"`}},
		{"QQ", []string{`"QQ" looks like a country code`, `"United States", "United Kingdom", "Germany"`}},
		{"", []string{"Empty country_region"}},
		{strings.Repeat("U", 100*1024), []string{"country_region is 102400 characters long"}},
	} {
		errs, warns := validateContact("country_region", tc.value, true)
		if warns != "" {
			t.Errorf("%.40q: validation warns (warnings belong to plan, when the value changes): %s", tc.value, warns)
		}
		if len(tc.want) == 0 && errs != "" {
			t.Errorf("%.40q: %s", tc.value, errs)
		}
		for _, w := range tc.want {
			if !strings.Contains(errs, w) {
				t.Errorf("%.40q: error does not say %q:\n%s", tc.value, w, errs)
			}
		}
	}
	// Every alias names a country on the list, and none is on it itself;
	// every code looks like one.
	for _, m := range []map[string]string{countryCodes, countryNameAliases} {
		for alias, name := range m {
			if !winfacts.IsCountry(name) {
				t.Errorf("alias %q names %q, which is not on the list", alias, name)
			}
			if winfacts.IsCountry(alias) {
				t.Errorf("alias %q is on the list", alias)
			}
		}
	}
	for code := range countryCodes {
		if !isCodeLike(code) {
			t.Errorf("%q is in countryCodes but does not look like a code", code)
		}
	}
	// No name on the list looks like a code.
	for _, n := range winfacts.CountryNames {
		if isCodeLike(n) {
			t.Errorf("%q is on the list but looks like a code", n)
		}
	}
}

func TestCountryNameWarning(t *testing.T) {
	for _, tc := range []struct {
		value string
		want  []string // none: no warning
	}{
		{"Germany", nil},
		{"GERMANY", nil},
		{"Untied Kingdom", []string{`"Untied Kingdom" is not on the country/region list`, `Did you mean "United Kingdom"?`, "another language"}},
		{"Atlantis", []string{`"Atlantis" is not on the country/region list`}},
		{"Deutschland", []string{"is not on the country/region list"}},
		{"England", []string{`On that list it is "United Kingdom".`}},
		{"holland", []string{`On that list it is "Netherlands".`}},
	} {
		w := countryNameWarning(tc.value)
		if len(tc.want) == 0 && w != "" {
			t.Errorf("%q: %s", tc.value, w)
		}
		for _, s := range tc.want {
			if !strings.Contains(w, s) {
				t.Errorf("%q: warning does not say %q:\n%s", tc.value, s, w)
			}
		}
	}
	if w := countryNameWarning("Atlantis"); strings.Contains(w, "Did you mean") {
		t.Errorf("Atlantis: a suggestion far from it: %s", w)
	}
}

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		max  int
		want int
	}{
		{"kitten", "sitting", 5, 3},
		{"", "abc", 5, 3},
		{"abc", "abc", 3, 0},
		{"abcdef", "a", 3, 3}, // capped
		{"côte", "cote", 3, 1},
	} {
		if got := editDistance(tc.a, tc.b, tc.max); got != tc.want {
			t.Errorf("editDistance(%q, %q, %d) = %d, want %d", tc.a, tc.b, tc.max, got, tc.want)
		}
	}
}
