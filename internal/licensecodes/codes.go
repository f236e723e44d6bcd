// Package licensecodes knows the license codes and numbers users type from
// a purchase confirmation (with hyphens, spaces, lower case): it
// normalises them to what the install methods take and checks them
// offline, so that a typo fails at plan time, not at the Clearinghouse.
// Messages name a position and a character, never the code.
package licensecodes

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Format is the format of one kind of code.
type Format struct {
	What       string // plural, for messages: "license codes"
	Length     int
	MaxLength  int // 0: exactly length
	DigitsOnly bool
	From       string // where users copy it from; "" for the purchase confirmation
}

// size says how many characters the format takes: "7" or "7 or 8".
func (f Format) Size() string {
	if f.MaxLength > f.Length {
		return fmt.Sprintf("%d to %d", f.Length, f.MaxLength)
	}
	return fmt.Sprint(f.Length)
}

// Formats are the formats of the install methods' inputs (the
// reference, 2.2), by attribute; the _wo twins share them.
var Formats = map[string]Format{
	"license_code":         {What: "license codes", Length: 25},
	"license_number":       {What: "Open License numbers", Length: 8, DigitsOnly: true},
	"authorization_number": {What: "authorization numbers", Length: 15},
	// 7 digits for Select, Enterprise, Campus and School (the enrollment
	// number, "seven numeric digits" in InstallAgreementLicenseKeyPack's
	// documentation); SPLA numbers of 8 digits have been installed by a
	// public provisioning script, and other agreements take "the agreement
	// number provided with your program information". AgreementNumberDigits
	// narrows this by agreement type.
	"agreement_number":    {What: "agreement numbers", Length: 7, MaxLength: 8, DigitsOnly: true},
	"license_key_pack_id": {What: "license key pack IDs", Length: 35},
	"license_server_id":   {What: "license server IDs", Length: 35, From: "the Microsoft Clearinghouse web site or the telephone activation"},
}

// isSeparator: the hyphens and spaces users copy along with a code
// (any dash, as PDFs turn hyphens into en dashes).
func isSeparator(r rune) bool {
	return unicode.IsSpace(r) || unicode.Is(unicode.Pd, r) || r == '\u2212'
}

// Normalize removes separators and upper-cases ASCII letters only:
// strings.ToUpper would turn a dotless "ı" into "I" and hide a typo.
func Normalize(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case isSeparator(r):
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// digitLookalikes are letters (and a bar) people type for a digit.
var digitLookalikes = map[rune]struct{ desc, digit string }{
	'O': {"the letter O", "0"}, 'o': {"the letter o", "0"},
	'I': {"a capital i", "1"}, 'l': {"a lower-case L", "1"}, '|': {"a vertical bar", "1"},
	'S': {"the letter S", "5"}, 's': {"the letter s", "5"},
	'B': {"the letter B", "8"},
	'Z': {"the letter Z", "2"}, 'z': {"the letter z", "2"},
}

// foreignLookalikes are non-ASCII characters that look like the ASCII
// letters and digits codes use (Cyrillic and Greek capitals, the Kelvin
// sign): they come from copying codes out of documents or web pages.
var foreignLookalikes = map[rune]string{
	'А': "A", 'В': "B", 'С': "C", 'Е': "E", 'Н': "H", 'І': "I", 'Ј': "J", 'К': "K", 'М': "M", 'О': "O", 'Р': "P", 'Ѕ': "S", 'Т': "T", 'Х': "X", 'У': "Y",
	'а': "A", 'с': "C", 'е': "E", 'і': "I", 'о': "O", 'р': "P", 'ѕ': "S", 'х': "X", 'у': "Y",
	'Α': "A", 'Β': "B", 'Ε': "E", 'Ζ': "Z", 'Η': "H", 'Ι': "I", 'Κ': "K", 'Μ': "M", 'Ν': "N", 'Ο': "O", 'Ρ': "P", 'Τ': "T", 'Υ': "Y", 'Χ': "X", 'ο': "O",
	'\u212A': "K", '\u0131': "I", '\u2113': "L", // Kelvin sign, dotless i, script l
}

// lookalikeHint says which character c may have been meant to be.
func lookalikeHint(c string) string {
	switch c {
	case "0", "O":
		return `a zero "0" or the letter "O"`
	case "1", "I", "L":
		return `a one "1", the letter "I" or the letter "L"`
	case "5", "S":
		return `a five "5" or the letter "S"`
	case "8", "B":
		return `an eight "8" or the letter "B"`
	}
	return fmt.Sprintf("%q", c)
}

// Problems checks a code as the user typed it against the format of
// attr and returns what is wrong, each naming attr, or nothing. name is
// how messages call the attribute (the attribute's own name, or its _wo
// twin's).
func Problems(attr, name, raw string) []string {
	f, ok := Formats[attr]
	if !ok {
		return nil
	}
	kind := "digits and letters"
	if f.DigitsOnly {
		kind = "digits"
	}
	var problems []string
	bad, pos := 0, 0
	group, inGroup := 1, 0
	prevSep := false
	for _, r := range raw {
		if isSeparator(r) {
			if inGroup > 0 && !prevSep {
				group++
				inGroup = 0
			}
			prevSep = true
			continue
		}
		prevSep = false
		pos++
		inGroup++
		if r < utf8.RuneSelf && (r >= '0' && r <= '9' || !f.DigitsOnly && (r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z')) {
			continue
		}
		bad++
		if bad > 3 {
			continue
		}
		where := fmt.Sprintf("character %d", pos)
		if group > 1 || strings.ContainsFunc(raw, isSeparator) {
			where += fmt.Sprintf(" (group %d, character %d)", group, inGroup)
		}
		problems = append(problems, fmt.Sprintf("%s: %s %s", name, where, describeBadRune(r, f)))
	}
	if bad > 3 {
		problems = append(problems, fmt.Sprintf("%s: and %d more characters that are not %s", name, bad-3, kind))
	}
	if pos < f.Length || pos > max(f.Length, f.MaxLength) {
		problems = append(problems, fmt.Sprintf("%s must be %s %s (hyphens and spaces are ignored); it has %d", name, f.Size(), kind, pos))
	}
	return problems
}

// describeBadRune explains a character a code cannot hold.
func describeBadRune(r rune, f Format) string {
	if l, ok := digitLookalikes[r]; ok && f.DigitsOnly {
		return fmt.Sprintf("is %q (%s); %s are digits only, check whether it is %s %q", string(r), l.desc, f.What, article(l.digit), l.digit)
	}
	if c, ok := foreignLookalikes[r]; ok {
		if f.DigitsOnly {
			return fmt.Sprintf("is %q (U+%04X, a letter that looks like the Latin %q); %s are digits only", string(r), r, c, f.What)
		}
		return fmt.Sprintf("is %q (U+%04X, not a Latin letter, though it looks like %q); %s use the digits 0-9 and the Latin letters A-Z, check whether it is %s", string(r), r, c, f.What, lookalikeHint(c))
	}
	if r >= '\uFF10' && r <= '\uFF19' || r >= '\uFF21' && r <= '\uFF3A' || r >= '\uFF41' && r <= '\uFF5A' {
		plain := string(r - 0xFEE0)
		return fmt.Sprintf("is %q (U+%04X, a full-width character); type the plain %q", string(r), r, plain)
	}
	kind := "digits and letters"
	if f.DigitsOnly {
		kind = "digits"
	}
	if r < ' ' || r == 0x7F || !unicode.IsPrint(r) {
		return fmt.Sprintf("is an invisible character (U+%04X); %s hold only %s", r, f.What, kind)
	}
	if r >= utf8.RuneSelf {
		return fmt.Sprintf("is %q (U+%04X); %s hold only %s", string(r), r, f.What, kind)
	}
	return fmt.Sprintf("is %q; %s hold only %s", string(r), f.What, kind)
}

func article(digit string) string {
	switch digit {
	case "0":
		return "a zero"
	case "1":
		return "a one"
	case "2":
		return "a two"
	case "5":
		return "a five"
	case "8":
		return "an eight"
	}
	return ""
}

// AgreementNumberDigits is how many digits an agreement number of an
// agreement type (keypacks.AgreementTypes) may have: the enrollment numbers
// of select, enterprise, campus and school are seven digits; service_provider
// and other take 7 or 8 (see Formats).
func AgreementNumberDigits(agreementType string) (low, high int) {
	f := Formats["agreement_number"]
	switch agreementType {
	case "service_provider", "other":
		return f.Length, f.MaxLength
	}
	return f.Length, f.Length
}

// Retail license codes look like Windows product keys (5 groups of 5),
// whose 24 characters leave out letters and digits that look alike
// (value:ProductKeyAlphabet). Whether retail codes use the same alphabet
// is not documented (value:RetailCode.alphabet), so a code with such a
// character is warned of, never refused. Messages name the position and
// the shape, never the code or its other characters.
const ProductKeyAlphabet = "BCDFGHJKMPQRTVWXY2346789"

// lookalikeShapes are the characters product keys leave out because they
// look like others, by shape, with the product key characters a reader
// may have mistaken for them.
var lookalikeShapes = []struct{ chars, name, likely string }{
	{"O0", "an O or a zero", `a "D" or a "Q"`},
	{"IL1", "an I, an L or a one", `a "7", a "J" or a "T"`},
	{"S5", "an S or a five", `a "6" or an "8"`},
}

// retailSuspects lists the positions of a well-formed retail code
// (as typed) that hold a look-alike product keys leave out, as
// "group 2, character 4 is an O or a zero, probably a "D" or a "Q"";
// nothing for a malformed code, which the validator reports.
func retailSuspects(raw string) []string {
	if len(Problems("license_code", "license_code", raw)) > 0 {
		return nil
	}
	const shown = 3
	var out []string
	more := 0
	for i, r := range Normalize(raw) {
		for _, s := range lookalikeShapes {
			if !strings.ContainsRune(s.chars, r) {
				continue
			}
			if len(out) == shown {
				more++
				continue
			}
			out = append(out, fmt.Sprintf("group %d, character %d is %s, probably %s", i/5+1, i%5+1, s.name, s.likely))
		}
	}
	if more > 0 {
		out = append(out, fmt.Sprintf("and %d more such characters", more))
	}
	return out
}

// RetailWarning is the plan's warning for a retail code with
// look-alikes; "" when it has none.
func RetailWarning(attr, raw string) (summary, detail string) {
	suspects := retailSuspects(raw)
	if len(suspects) == 0 {
		return "", ""
	}
	return attr + " may be mistyped",
		fmt.Sprintf("%s: %s. Retail license codes look like Windows product keys, whose characters (%s) leave out the letters and digits that look alike: O and 0, I, L and 1, S and 5. "+
			"Check these characters on the purchase confirmation. Microsoft does not document the characters of retail license codes, so the provider installs the code as typed: "+
			"if it is right, ignore this warning; if not, the Microsoft Clearinghouse refuses it at apply.", attr, strings.Join(suspects, "; "), ProductKeyAlphabet)
}

// RetailHint adds the suspect positions to an install the
// Clearinghouse refused; "" when the code has none.
func RetailHint(code string) string {
	suspects := retailSuspects(code)
	if len(suspects) == 0 {
		return ""
	}
	return "The license code has characters Windows product keys do not use, likely typos: " + strings.Join(suspects, "; ") + "."
}
