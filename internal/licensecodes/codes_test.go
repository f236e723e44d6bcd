package licensecodes

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
		got := retailSuspects(tc.code)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
		_, detail := RetailWarning("license_code", tc.code)
		hint := RetailHint(Normalize(tc.code))
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
	if f, _ := winfacts.Lookup("value:ProductKeyAlphabet"); f.Value != ProductKeyAlphabet {
		t.Errorf("ProductKeyAlphabet %q, catalog %q", ProductKeyAlphabet, f.Value)
	}
	// Every look-alike is outside the alphabet, and every likely character in it.
	for _, s := range lookalikeShapes {
		if strings.ContainsAny(s.chars, ProductKeyAlphabet) {
			t.Errorf("%s: product keys use one of %q", s.name, s.chars)
		}
		for _, c := range strings.Split(s.likely, `"`)[1:] {
			if len(c) == 1 && !strings.Contains(ProductKeyAlphabet, c) {
				t.Errorf("%s: likely %q is not a product key character", s.name, c)
			}
		}
	}
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"abcde-12345-fghij":       "ABCDE12345FGHIJ",
		" ABCDE 12345\tFGHIJ ":    "ABCDE12345FGHIJ",
		"abcde\u201312345\u2014x": "ABCDE12345X", // en and em dashes from documents
		"\u0131bc":                "\u0131BC",    // a dotless i stays, to be reported
		"":                        "",
	} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestProblems(t *testing.T) {
	retail := strings.Repeat("BCDFG", 5)
	tests := []struct {
		name, attr, raw string
		want            []string // substrings, one per problem, in order
	}{
		{"valid retail", "license_code", retail, nil},
		{"valid typed", "license_code", "bcdfg-bcdfg-bcdfg-bcdfg-bcdfg", nil},
		{"valid lower case", "authorization_number", "abcde12345fghij", nil},
		{"valid digits", "license_number", "1234-5678", nil},
		{"valid key pack ID", "license_key_pack_id", strings.Repeat("7", 35), nil},
		{"too short", "license_code", retail[:24], []string{"license_code must be 25 digits and letters (hyphens and spaces are ignored); it has 24"}},
		{"valid 8-digit agreement number", "agreement_number", "1234-5678", nil},
		{"too long", "agreement_number", "123456789", []string{"agreement_number must be 7 to 8 digits (hyphens and spaces are ignored); it has 9"}},
		{"too long, fixed length", "license_number", "123456789", []string{"license_number must be 8 digits (hyphens and spaces are ignored); it has 9"}},
		{"empty", "license_number", "", []string{"it has 0"}},
		{"letter O for zero", "license_number", "1234O678", []string{`license_number: character 5 is "O" (the letter O); Open License numbers are digits only, check whether it is a zero "0"`}},
		{"lower-case l for one", "agreement_number", "12l4567", []string{`character 3 is "l" (a lower-case L); agreement numbers are digits only, check whether it is a one "1"`}},
		{"S for five", "agreement_number", "123S567", []string{`is "S" (the letter S); agreement numbers are digits only, check whether it is a five "5"`}},
		{"B for eight", "license_number", "1234567B", []string{`is "B" (the letter B); Open License numbers are digits only, check whether it is an eight "8"`}},
		{"other letter in digits", "license_number", "1234X678", []string{`character 5 is "X"; Open License numbers hold only digits`}},
		{"punctuation with group", "license_code", "BCDFG-BC*FG-BCDFG-BCDFG-BCDFG", []string{`license_code: character 8 (group 2, character 3) is "*"; license codes hold only digits and letters`}},
		{"Cyrillic O", "license_code", "BCDFG" + "\u041e" + retail[6:], []string{`character 6 is "О" (U+041E, not a Latin letter, though it looks like "O"); license codes use the digits 0-9 and the Latin letters A-Z, check whether it is a zero "0" or the letter "O"`}},
		{"Greek letter in digits", "license_number", "1234\u039f678", []string{`(U+039F, a letter that looks like the Latin "O"); Open License numbers are digits only`}},
		{"full-width digit", "license_number", "1234\uff15678", []string{`is "５" (U+FF15, a full-width character); type the plain "5"`}},
		{"invisible character", "license_code", retail[:24] + "\u200b", []string{"character 25 is an invisible character (U+200B)"}},
		{"many bad characters", "license_number", "ABCDEFGH", []string{`character 1 is "A"`, `character 2 is "B" (the letter B)`, `character 3 is "C"`, "and 5 more characters that are not digits"}},
		{"bad characters and length", "license_number", "12O4", []string{`character 3 is "O"`, "it has 4"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Problems(tc.attr, tc.attr, tc.raw)
			if len(got) != len(tc.want) {
				t.Fatalf("problems = %q, want %d like %q", got, len(tc.want), tc.want)
			}
			for i, w := range tc.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("problem %d = %q, want it to contain %q", i, got[i], w)
				}
			}
			for _, p := range got {
				if len(tc.raw) >= 7 && strings.Contains(p, Normalize(tc.raw)) {
					t.Errorf("problem %q echoes the code", p)
				}
			}
		})
	}
}
