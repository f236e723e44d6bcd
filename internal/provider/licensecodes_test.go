package provider

import (
	"slices"
	"strings"
	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winfacts"
)

// A retail code with characters product keys leave out: each position
// named by group and character with its shape and the likely characters;
// the code, its groups and the characters themselves never.
func TestRetailCodeSuspects(t *testing.T) {
	const good = "KXB7M-Q9TRD-4HWC2-JPY8F-3G6VK"
	for _, tc := range []struct {
		name, code string
		want       []string
	}{
		{"none", good, nil},
		{"none, typed in lower case without hyphens", strings.ToLower(strings.ReplaceAll(good, "-", "")), nil},
		{"zero", "KXB7M-Q9T0D-4HWC2-JPY8F-3G6VK", []string{`group 2, character 4 is an O or a zero, probably a "D" or a "Q"`}},
		{"letter o, lower case", "KXB7M-Q9TRD-4HWC2-JPY8F-3G6Vo", []string{`group 5, character 5 is an O or a zero, probably a "D" or a "Q"`}},
		{"one, I and lower-case l", "1XB7M-Q9TRD-4HWI2-JPY8F-3Gl6V", []string{
			`group 1, character 1 is an I, an L or a one, probably a "7", a "J" or a "T"`,
			`group 3, character 4 is an I, an L or a one, probably a "7", a "J" or a "T"`,
			`group 5, character 3 is an I, an L or a one, probably a "7", a "J" or a "T"`}},
		{"five and s", "KXB7M-Q5TRD-4HWC2-JPY8F-3G6Vs", []string{
			`group 2, character 2 is an S or a five, probably a "6" or an "8"`,
			`group 5, character 5 is an S or a five, probably a "6" or an "8"`}},
		// Position by the code's 5 groups of 5, however it was typed.
		{"no hyphens", "KXB7MQ9TRD4HWC2JPY8F3G6VO", []string{`group 5, character 5 is an O or a zero, probably a "D" or a "Q"`}},
		{"more than three", "00000-Q9TRD-4HWC2-JPY8F-3G6VK", []string{
			`group 1, character 1 is an O or a zero, probably a "D" or a "Q"`,
			`group 1, character 2 is an O or a zero, probably a "D" or a "Q"`,
			`group 1, character 3 is an O or a zero, probably a "D" or a "Q"`,
			"and 2 more such characters"}},
		// The validator reports a malformed code.
		{"too short", "BCDF0", nil},
	} {
		got := retailCodeSuspects(tc.code)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
		_, detail := retailCodeWarning("license_code", tc.code)
		hint := retailCodeHint(normalizeCode(tc.code))
		for _, group := range strings.Split(strings.ToUpper(tc.code), "-") {
			if len(group) == 5 && (strings.Contains(detail, group) || strings.Contains(hint, group)) {
				t.Errorf("%s: the message holds the group %q of the code:\n%s\n%s", tc.name, group, detail, hint)
			}
		}
		if (detail == "") != (len(tc.want) == 0) || (hint == "") != (len(tc.want) == 0) {
			t.Errorf("%s: warning %q, hint %q for suspects %q", tc.name, detail, hint, tc.want)
		}
	}
}

func TestProductKeyAlphabetIsTheFact(t *testing.T) {
	if f, _ := winfacts.Lookup("value:ProductKeyAlphabet"); f.Value != productKeyAlphabet {
		t.Errorf("productKeyAlphabet %q, catalog %q", productKeyAlphabet, f.Value)
	}
	// Every look-alike is outside the alphabet, and every likely character in it.
	for _, s := range lookalikeShapes {
		if strings.ContainsAny(s.chars, productKeyAlphabet) {
			t.Errorf("%s: product keys use one of %q", s.name, s.chars)
		}
		for _, c := range strings.Split(s.likely, `"`)[1:] {
			if len(c) == 1 && !strings.Contains(productKeyAlphabet, c) {
				t.Errorf("%s: likely %q is not a product key character", s.name, c)
			}
		}
	}
}
