package endpointservers

import (
	"fmt"
	"strings"
	"testing"
)

func TestAccount(t *testing.T) {
	for in, want := range map[string]string{
		"RDSH01":             "RDSH01$",
		"rdsh01":             "RDSH01$",
		"rdsh01.contoso.com": "RDSH01$",
		"RDSH01$":            "RDSH01$",
		`CONTOSO\RDSH01$`:    `CONTOSO\RDSH01$`,
		`CONTOSO\RDS Hosts`:  `CONTOSO\RDS Hosts`,
	} {
		if got := Account(in); got != want {
			t.Errorf("Account(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMemberProblem(t *testing.T) {
	for in, want := range map[string]string{
		"RDSH01":                 "",
		"rdsh01.contoso.com":     "",
		`CONTOSO\RDSH01$`:        "",
		"":                       "an empty name",
		" RDSH01":                "spaces around it",
		`A\B\C`:                  "more than one backslash",
		`\RDSH01`:                "lacks its domain or its name",
		"ABCDEFGHIJKLMNOPQ":      "longer than the 15 characters",
		"RD*SH":                  "a character computer names cannot have",
		".contoso.com":           "no computer name before its first dot",
		"sixteen-chars-xx.a.com": "longer than the 15 characters",
	} {
		got := MemberProblem(in)
		if (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("MemberProblem(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMatches(t *testing.T) {
	for _, c := range []struct {
		account, current string
		want             bool
	}{
		{"RDSH01$", `CONTOSO\RDSH01$`, true},
		{"RDSH01$", `contoso\rdsh01$`, true},
		{"RDSH01$", `CONTOSO\RDSH02$`, false},
		{`CONTOSO\RDSH01$`, `CONTOSO\RDSH01$`, true},
		{`CONTOSO\RDSH01$`, `FABRIKAM\RDSH01$`, false},
		{"RDSH01$", `RDSH01$`, true},
	} {
		if got := Matches(c.account, c.current); got != c.want {
			t.Errorf("Matches(%q, %q) = %v", c.account, c.current, got)
		}
	}
}

func TestPlan(t *testing.T) {
	current := []string{`CONTOSO\RDSH01$`, `CONTOSO\RDSH02$`, `CONTOSO\HANDMADE$`}
	for _, c := range []struct {
		name            string
		want, dropped   []string
		exclusive       bool
		add, remove     string
		others, missing string
	}{
		{"nothing to do", []string{"rdsh01", "RDSH02.contoso.com"}, nil, false, "[]", "[]", "[CONTOSO\\HANDMADE$]", "[]"},
		{"a new member", []string{"RDSH01", "RDSH03"}, nil, false, "[RDSH03$]", "[]", "[CONTOSO\\RDSH02$ CONTOSO\\HANDMADE$]", "[RDSH03]"},
		{"one the configuration dropped goes, others stay", []string{"RDSH01"}, []string{"RDSH02"}, false, "[]", "[CONTOSO\\RDSH02$]", "[CONTOSO\\RDSH02$ CONTOSO\\HANDMADE$]", "[]"},
		{"exclusive: every other member goes", []string{"RDSH01"}, nil, true, "[]", "[CONTOSO\\RDSH02$ CONTOSO\\HANDMADE$]", "[CONTOSO\\RDSH02$ CONTOSO\\HANDMADE$]", "[]"},
		{"dropped and named again stays", []string{"RDSH02"}, []string{"rdsh02.contoso.com"}, false, "[]", "[]", "[CONTOSO\\RDSH01$ CONTOSO\\HANDMADE$]", "[]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ch := Plan(c.want, c.dropped, current, c.exclusive)
			if got := fmt.Sprint(nilEmpty(ch.Add)); got != c.add {
				t.Errorf("add %s, want %s", got, c.add)
			}
			if got := fmt.Sprint(nilEmpty(ch.Remove)); got != c.remove {
				t.Errorf("remove %s, want %s", got, c.remove)
			}
			if got := fmt.Sprint(Others(c.want, current)); got != c.others {
				t.Errorf("others %s, want %s", got, c.others)
			}
			if got := fmt.Sprint(nilEmpty(Missing(c.want, current))); got != c.missing {
				t.Errorf("missing %s, want %s", got, c.missing)
			}
		})
	}
}

func nilEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
