package conformance

import "testing"

// Output holding letters whose lower case has another length ("Ⱥ" grows,
// "İ" shrinks) or invalid UTF-8 used to keep the host's name: replaceFold
// gave up when the lengths differed, and cut at shifted offsets when they
// happened to match.
func TestReplaceFoldNonASCII(t *testing.T) {
	for _, tc := range []struct{ s, want string }{
		{"Ⱥ LS01 İ", "Ⱥ HOST İ"},
		{"ȺȺ ls01.contoso.com İİ", "ȺȺ HOST.contoso.com İİ"},
		{"\xff ls01 \xfe", "\xff HOST \xfe"},
		{"Windows Server LS01X", "Windows Server LS01X"},
	} {
		if got := replaceFold(tc.s, "LS01", "HOST"); got != tc.want {
			t.Errorf("replaceFold(%q) = %q, want %q", tc.s, got, tc.want)
		}
	}
}
