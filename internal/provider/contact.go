package provider

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf16"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winfacts"
)

// The contact details of rdslicensing_server_activation, checked at plan
// time. Microsoft documents no length or character limits for the
// Win32_TSLicenseServer properties nor for the Activate Server Wizard's
// fields, so the limits here are the provider's own, chosen conservatively
// (64, as Active Directory's givenName): see docs/design/contact-fields.md.
// Messages quote a value only once it is known to be short.

// quoteLimit is the longest value (in bytes) whose configuration line an
// error may make the CLI print.
const quoteLimit = 1024

// contactLimits are the longest values taken, in UTF-16 code units as
// Windows counts string lengths, by attribute.
var contactLimits = map[string]int{
	"first_name":     64,
	"last_name":      64,
	"company":        64,
	"country_region": 64,
	"email":          128,
	"org_unit":       64,
	"address":        128,
	"city":           64,
	"state":          64,
	"postal_code":    16,
}

// contactLimitNote is what the attribute descriptions say of the limit.
func contactLimitNote(attr string) string {
	return fmt.Sprintf(" At most %d characters on one line (no control characters); Microsoft documents no limit, so this one is the provider's, chosen conservatively.", contactLimits[attr])
}

// utf16Len is the length of s as Windows counts it.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// controlChar finds the first control character (or line or paragraph
// separator) of s: its 1-based position in characters and its name.
func controlChar(s string) (pos int, name string, found bool) {
	i := 0
	for _, r := range s {
		i++
		if !unicode.IsControl(r) && r != '\u2028' && r != '\u2029' {
			continue
		}
		switch r {
		case 0:
			name = "a NUL character (U+0000)"
		case '\n', '\r', '\u2028', '\u2029', '\u0085':
			name = fmt.Sprintf("a line break (U+%04X)", r)
		case '\t':
			name = "a tab (U+0009)"
		default:
			name = fmt.Sprintf("the control character U+%04X", r)
		}
		return i, name, true
	}
	return 0, "", false
}

// contactProblem says what is wrong with a contact value for attr, with
// the fix; "" when nothing is.
func contactProblem(attr, v string) string {
	limit := contactLimits[attr]
	if n := utf16Len(v); n > limit {
		return fmt.Sprintf("%s is %d characters long, and the provider takes at most %d: the Microsoft Clearinghouse only needs a contact it can reach. Shorten it to %d characters or fewer.", attr, n, limit, limit)
	}
	if pos, name, ok := controlChar(v); ok {
		return fmt.Sprintf("%s holds %s at character %d: RD Licensing Manager takes each contact detail as one line of text. Remove it (in HCL, look for \\n, \\t or \\u escapes, or a heredoc's trailing newline: trimspace() removes that).", attr, name, pos)
	}
	if attr == "email" && v != "" {
		local, domain, ok := strings.Cut(v, "@")
		if !ok || local == "" || domain == "" || strings.Contains(domain, "@") || strings.ContainsFunc(v, unicode.IsSpace) {
			return fmt.Sprintf("email %q is not an e-mail address: write it as name@example.com, or leave email out (it is optional).", v)
		}
	}
	return ""
}

// contactValidator checks one contact attribute: required ones must not
// be blank, and every one must fit contactProblem.
type contactValidator struct {
	required bool
	why      string // why a required value matters
}

func (v contactValidator) Description(context.Context) string {
	return "a short line of text"
}

func (v contactValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v contactValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	attr, s := req.Path.String(), req.ConfigValue.ValueString()
	if v.required && strings.TrimSpace(s) == "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Empty "+attr,
			fmt.Sprintf("%s must not be empty: %s. Set it to a real value.", attr, v.why))
		return
	}
	if p := contactProblem(attr, s); p != "" {
		if len(s) > quoteLimit {
			// The CLI quotes the configuration line of an attribute's
			// error: not one of this size.
			resp.Diagnostics.AddError("Invalid "+attr, p)
		} else {
			resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+attr, p)
		}
		return
	}
	if attr == "country_region" {
		if p := countryCodeProblem(s); p != "" {
			resp.Diagnostics.AddAttributeError(req.Path, "Invalid country_region", p)
		}
	}
}

// countryCodes are codes and abbreviations people write for a country
// whose name on the list is another: a code is a name on no country list
// Windows shows, in any language.
var countryCodes = map[string]string{
	"uk": "United Kingdom", "u.k.": "United Kingdom", "gb": "United Kingdom", "gbr": "United Kingdom",
	"us": "United States", "u.s.": "United States", "usa": "United States", "u.s.a.": "United States",
	"uae": "United Arab Emirates", "ae": "United Arab Emirates",
	"de": "Germany", "deu": "Germany", "fr": "France", "fra": "France", "nl": "Netherlands", "nld": "Netherlands",
	"ch": "Switzerland", "che": "Switzerland", "at": "Austria", "aut": "Austria", "be": "Belgium", "es": "Spain", "esp": "Spain",
	"it": "Italy", "ita": "Italy", "ie": "Ireland", "irl": "Ireland", "se": "Sweden", "no": "Norway", "dk": "Denmark", "fi": "Finland",
	"pl": "Poland", "pt": "Portugal", "ca": "Canada", "can": "Canada", "au": "Australia", "aus": "Australia", "nz": "New Zealand",
	"jp": "Japan", "jpn": "Japan", "cn": "China", "chn": "China", "in": "India", "ind": "India", "br": "Brazil", "mx": "Mexico",
	"za": "South Africa", "sg": "Singapore", "hk": "Hong Kong SAR", "kr": "Korea",
}

// countryNameAliases are other names people write for a country on the
// list. They only warn (countryNameWarning): the list is not verified,
// and a server in another language lists other names.
var countryNameAliases = map[string]string{
	"great britain": "United Kingdom", "britain": "United Kingdom", "england": "United Kingdom",
	"scotland": "United Kingdom", "wales": "United Kingdom", "northern ireland": "United Kingdom",
	"america": "United States", "holland": "Netherlands", "south korea": "Korea", "republic of korea": "Korea",
	"ivory coast": "Côte d'Ivoire", "burma": "Myanmar", "macedonia": "North Macedonia", "vatican": "Vatican City", "czech": "Czechia",
}

// countryCodeProblem refuses codes and abbreviations, with the name to
// use when known; "" for anything else. Names that are not on the list
// the provider knows only warn, at plan (countryNameWarning).
func countryCodeProblem(v string) string {
	if winfacts.IsCountry(v) {
		return ""
	}
	t := strings.TrimSpace(v)
	if name, ok := countryCodes[strings.ToLower(t)]; ok {
		return fmt.Sprintf("%q is not a country/region name Windows knows; use %q. country_region takes the name as RD Licensing Manager's Activate Server Wizard lists it (on English systems the English name), not a code or an abbreviation: the license server refuses other values when apply sets it.", t, name)
	}
	if isCodeLike(t) {
		return fmt.Sprintf("%q looks like a country code, and country_region takes the country's name as RD Licensing Manager's Activate Server Wizard lists it (on English systems the English name, e.g. \"United States\", \"United Kingdom\", \"Germany\"), not a code: the license server refuses other values when apply sets it.", t)
	}
	return ""
}

// isCodeLike: two or three letters, with or without dots (no name on the
// list is that short).
func isCodeLike(s string) bool {
	letters := 0
	for _, r := range s {
		switch {
		case r == '.':
		case r < unicode.MaxASCII && unicode.IsLetter(r):
			letters++
		default:
			return false
		}
	}
	return letters == 2 || letters == 3
}

// countryNameWarning warns of a country_region that is not on the list
// the provider knows (English, as en-US systems show it), suggesting the
// nearest name; "" when it is on it. It is a warning, not an error: the
// list is not verified against Windows, and a server in another language
// may list other names.
func countryNameWarning(v string) string {
	if winfacts.IsCountry(v) {
		return ""
	}
	hint := ""
	if n, ok := countryNameAliases[strings.ToLower(strings.TrimSpace(v))]; ok {
		hint = fmt.Sprintf(" On that list it is %q.", n)
	} else if n := nearestCountry(v); n != "" {
		hint = fmt.Sprintf(" Did you mean %q?", n)
	}
	return fmt.Sprintf("%q is not on the country/region list the provider knows: the English names RD Licensing Manager's Activate Server Wizard lists on English (en-US) systems.%s "+
		"If the license server refuses it, apply fails before changing any contact detail: then use the name as the wizard on that server lists it. A server in another language may list the name in its language, which this warning cannot check.",
		strings.TrimSpace(v), hint)
}

// nearestCountry is the name on the list within two edits of v (case
// ignored), or "" when none is that near.
func nearestCountry(v string) string {
	v = strings.ToLower(strings.TrimSpace(v))
	if len([]rune(v)) < 4 {
		return ""
	}
	best, bestD := "", 3
	for _, n := range winfacts.CountryNames {
		if d := editDistance(v, strings.ToLower(n), bestD); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance of a and b, or limit when it
// is limit or more.
func editDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d >= limit || -d >= limit {
		return limit
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return min(prev[len(rb)], limit)
}
