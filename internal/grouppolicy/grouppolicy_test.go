package grouppolicy

import (
	"reflect"
	"strings"
	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
)

func TestTargetProblems(t *testing.T) {
	got := TargetProblems([]string{"OU=RDSH,DC=contoso,DC=com", "dc=contoso,dc=com", "RDSH", "CN=Computers,DC=contoso,DC=com"})
	if len(got) != 2 || !strings.Contains(got[0].Detail, `"RDSH"`) || !strings.Contains(got[1].Detail, "CN=Computers") || got[0].Attr != "links" {
		t.Errorf("TargetProblems = %+v", got)
	}
}

func TestUnlinked(t *testing.T) {
	got := Unlinked([]string{"OU=A,DC=contoso,DC=com", "OU=B,DC=contoso,DC=com"}, []string{"ou=a,dc=contoso,dc=com"})
	if !reflect.DeepEqual(got, []string{"OU=B,DC=contoso,DC=com"}) {
		t.Errorf("Unlinked = %v", got)
	}
}

func TestDestroyWarningAndHint(t *testing.T) {
	if w := DestroyWarning("RDS", true, []string{"OU=A,DC=c"}); !strings.Contains(w.Detail, "deletes the GPO RDS") || !strings.Contains(w.Detail, "OU=A,DC=c") {
		t.Errorf("DestroyWarning(delete) = %q", w.Detail)
	}
	if w := DestroyWarning("RDS", false, nil); !strings.Contains(w.Detail, "takes the licensing settings out") || !strings.Contains(w.Detail, "the GPO applies to") {
		t.Errorf("DestroyWarning(keep) = %q", w.Detail)
	}
	if Hint(&winrmclient.Error{Kind: winrmclient.KindNotSupported}) == "" || Hint(&winrmclient.Error{Kind: winrmclient.KindTransport}) != "" {
		t.Error("Hint: wrong kinds")
	}
}
