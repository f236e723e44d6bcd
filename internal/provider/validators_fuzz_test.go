package provider

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/licensecodes"
	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/servernames"
)

// Fuzz targets for the validators that read what users type. Each
// validator must accept exactly what the remote script accepts later
// (else a typo fails at apply, or a good value is refused at plan), and
// a licence code's messages must never hold the code.

// codeAttrs are the code attributes, in a fixed order for the fuzzer.
func codeAttrs() []string {
	attrs := make([]string, 0, len(licensecodes.Formats))
	for a := range licensecodes.Formats {
		attrs = append(attrs, a)
	}
	slices.Sort(attrs)
	return attrs
}

// scriptAcceptsCode mirrors Assert-CodeFormat of install_key_pack.ps1:
// .NET's String.Length (UTF-16 code units) within the format's length,
// and -cmatch '^[A-Za-z0-9]+\z' (or '^[0-9]+\z').
func scriptAcceptsCode(f licensecodes.Format, v string) bool {
	n := len(utf16.Encode([]rune(v)))
	if n < f.Length || n > max(f.Length, f.MaxLength) {
		return false
	}
	for _, r := range v {
		digit := r >= '0' && r <= '9'
		letter := r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z'
		if !digit && (f.DigitsOnly || !letter) {
			return false
		}
	}
	return v != ""
}

// codeDetail is the validator's message for raw, "" when it accepts it.
func codeDetail(attr, raw string) string {
	resp := &validator.StringResponse{}
	codeValidator{attr}.ValidateString(context.Background(), validator.StringRequest{Path: path.Root(attr), ConfigValue: types.StringValue(raw)}, resp)
	var details []string
	for _, d := range resp.Diagnostics.Errors() {
		details = append(details, d.Summary()+": "+d.Detail())
	}
	return strings.Join(details, "\n")
}

// shiftValid replaces each character a code may hold with another one
// (0 by 1, A by B, ..., z by a): a message that does not change under it
// holds none of the code's characters.
func shiftValid(f licensecodes.Format, s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '0' && r <= '9':
			return '0' + (r-'0'+1)%10
		case f.DigitsOnly:
			return r
		case r >= 'A' && r <= 'Z':
			return 'A' + (r-'A'+1)%26
		case r >= 'a' && r <= 'z':
			return 'a' + (r-'a'+1)%26
		}
		return r
	}, s)
}

func FuzzLicenseCode(f *testing.F) {
	attrs := codeAttrs()
	index := map[string]uint8{}
	for i, a := range attrs {
		index[a] = uint8(i)
	}
	for _, seed := range []struct{ attr, raw string }{
		{"license_code", "BCDFG-HJKMP-QRTVW-XY234-6789B"},
		{"license_code", "bcdfg hjkmp\u2013qrtvw xy234 6789b"},
		{"license_code", "BCDFG-HJKMP-QRTVW-XY234-6789\u0412"}, // Cyrillic Ve
		{"license_number", "1234567O"},
		{"license_number", "１２３４５６７８"},
		{"authorization_number", "ABCDE-12345-FGHIJ"},
		{"agreement_number", "4680246"},
		{"agreement_number", "46802461\u200b"},
		{"license_key_pack_id", "BCDFG-HJKMP-QRTVW-XY234-6789B-CDFGH-JKMPQ"},
		{"license_server_id", "BCDFG-HJKMP-QRTVW-XY234-6789B-CDFGH-JKMP!"},
	} {
		f.Add(index[seed.attr], seed.raw)
	}
	f.Fuzz(func(t *testing.T, which uint8, raw string) {
		attr := attrs[int(which)%len(attrs)]
		format := licensecodes.Formats[attr]
		detail := codeDetail(attr, raw)
		// The validator accepts what the install script accepts once the
		// provider has removed separators and upper-cased letters, and
		// nothing else.
		if accepted, script := detail == "", scriptAcceptsCode(format, licensecodes.Normalize(raw)); accepted != script {
			t.Fatalf("%s %q: validator accepts %v, script accepts %q: %v\n%s", attr, raw, accepted, licensecodes.Normalize(raw), script, detail)
		}
		// The message names positions and bad characters, never the
		// code's own letters and digits.
		if detail != "" {
			if other := codeDetail(attr, shiftValid(format, raw)); other != detail {
				t.Fatalf("%s: the message depends on the code's characters:\n%s\n%s", attr, detail, other)
			}
			if len(detail) > 2000 {
				t.Fatalf("%s: message of %d bytes", attr, len(detail))
			}
		}
	})
}

// scriptServerName mirrors Test-RdslServerName of lib/sessionhost.ps1.
var scriptServerName = regexp.MustCompile(`^[A-Za-z0-9._:-]+\z`)

func FuzzServerNames(f *testing.F) {
	for _, seed := range [][2]string{
		{"LS01", "ls01.contoso.com"},
		{"ls02.contoso.com", "10.0.0.5"},
		{"fe80::1", "::ffff:10.0.0.5"},
		{"ls01.", "LS01"},
		{"ls 02", `\\ls01`},
		{"https://ls01", "ls01:443"},
		{"fe80::1%eth0", "300.1.1.1"},
		{"-ls01", "ls_01"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		// The same server whichever way round.
		if servernames.Same(a, b) != servernames.Same(b, a) {
			t.Fatalf("servernames.Same(%q, %q) is not symmetric", a, b)
		}
		if a == "?" || b == "?" {
			return // shpValidateNames's mark for an unknown value
		}
		errs := shpValidateNames(t, &a, &b)
		for _, e := range errs {
			if len(e) > 1000 {
				t.Fatalf("message of %d bytes: %.200q...", len(e), e)
			}
		}
		if len(errs) > 0 {
			return
		}
		// An accepted list is one the script accepts, and reads back the
		// same from the policy value's comma-separated list.
		for _, n := range []string{a, b} {
			if len(n) > 255 || !scriptServerName.MatchString(n) {
				t.Fatalf("validator accepts %q, Test-RdslServerName refuses it", n)
			}
			if !servernames.Same(n, n) || !servernames.Same(n, strings.ToUpper(n)) {
				t.Fatalf("%q is not the same server as itself", n)
			}
		}
		if strings.EqualFold(a, b) {
			t.Fatalf("validator accepts %q and %q, which Assert-RdslServerNames calls the same", a, b)
		}
		if got := strings.Split(a+","+b, ","); len(got) != 2 || got[0] != a || got[1] != b {
			t.Fatalf("the policy value %q reads back as %q", a+","+b, got)
		}
	})
}
