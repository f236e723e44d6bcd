package servernames

import (
	"strings"
	"testing"
)

func TestSame(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"LS01", "LS01", true},
		{"LS01", "ls01", true},
		{"LS01", "ls01.contoso.com", true},
		{"ls01.contoso.com", "LS01", true},
		{"LS01.CONTOSO.COM", "ls01.contoso.com", true},
		{"ls01.contoso.com.", "ls01.contoso.com", true},
		{"ls01", "ls01.contoso.com.", true},
		{"ls01.contoso.com", "ls01.fabrikam.com", false},
		{"ls01.contoso.com", "ls01.contoso", false},
		{"ls01", "ls02", false},
		{"ls01", "ls011.contoso.com", false},
		{"ls0", "ls01.contoso.com", false},
		{"contoso", "ls01.contoso.com", false},
		{"10.0.0.5", "10.0.0.5", true},
		{"10.0.0.5", "10.0.0.6", false},
		{"10", "10.0.0.5", false},
		{"::ffff:10.0.0.5", "10.0.0.5", true},
		{"FE80::1", "fe80:0:0::1", true},
		{"10.0.0.5", "ls01", false},
		{"", "", true},
		{"", "ls01", false},
	} {
		if got := Same(c.a, c.b); got != c.want {
			t.Errorf("Same(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
		if got := Same(c.b, c.a); got != c.want {
			t.Errorf("Same(%q, %q) = %v, want %v (not symmetric)", c.b, c.a, got, c.want)
		}
	}
}

func TestSameLists(t *testing.T) {
	a := []string{"LS01", "ls02.contoso.com"}
	if !SameLists(a, []string{"ls01.contoso.com", "LS02"}) {
		t.Error("equivalent lists differ")
	}
	if SameLists(a, []string{"ls02.contoso.com", "LS01"}) {
		t.Error("another order is the same list: order is a preference and must count")
	}
	if SameLists(a, a[:1]) || SameLists(nil, a) {
		t.Error("lists of different lengths are the same")
	}
	if !SameLists(nil, []string{}) {
		t.Error("two empty lists differ")
	}
}

func TestProblem(t *testing.T) {
	for _, ok := range []string{"ls01", "LS01", "ls01.contoso.com", "ls01.contoso.com.", "ls_01", "ls-01", "10.0.0.5", "fe80::1", "::1", "a.b.c"} {
		if p := Problem(ok); p != "" {
			t.Errorf("%q: unexpected problem %q", ok, p)
		}
	}
	for _, c := range []struct{ name, want string }{
		{"", "is empty"},
		{" ls01", "leading or trailing spaces"},
		{"ls01 ", "leading or trailing spaces"},
		{"ls01,ls02", "more than one name"},
		{"ls01;ls02", "more than one name"},
		{"ls01 ls02", "more than one name"},
		{`\\ls01`, "UNC path"},
		{"https://ls01", "is a URL"},
		{"ls01:443", "takes no port"},
		{"fe80::1%eth0", "with a zone"},
		{"10.0.0.256", "not a valid one"},
		{"ls01..contoso.com", "empty label"},
		{".ls01", "empty label"},
		{"-ls01", "starts or ends with a hyphen"},
		{"ls01-.contoso.com", `label "ls01-"`},
		{"ls01$", `contains '$'`},
		{"lsé01", `contains 'é'`},
		{strings.Repeat("a", 64) + ".contoso.com", "at most 63"},
		{strings.Repeat("a.", 127) + "ab", "at most 253"},
	} {
		p := Problem(c.name)
		if !strings.Contains(p, c.want) {
			t.Errorf("Problem(%q) = %q, want it to contain %q", c.name, p, c.want)
		}
	}
}
