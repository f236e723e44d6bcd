package keypacks

import (
	"fmt"
	"testing"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

func TestPlanRemoval(t *testing.T) {
	pack := func(id, total, issued int64) rds.KeyPack {
		return rds.KeyPack{KeyPackID: id, TotalLicenses: total, IssuedLicenses: issued, AvailableLicenses: total - issued}
	}
	tests := []struct {
		name   string
		own    []rds.KeyPack
		remove int64
		want   string
		ok     bool
	}{
		{"from the one pack", []rds.KeyPack{pack(2, 10, 0)}, 4, "[{2 4 false}]", true},
		{"the first pack never goes whole", []rds.KeyPack{pack(2, 10, 0)}, 10, "[{2 10 false}]", true},
		{"newest first, whole", []rds.KeyPack{pack(2, 10, 0), pack(3, 5, 0)}, 7, "[{3 5 true} {2 2 false}]", true},
		{"issued CALs stay", []rds.KeyPack{pack(2, 10, 0), pack(3, 5, 4)}, 3, "[{3 1 false} {2 2 false}]", true},
		{"all issued in the newest", []rds.KeyPack{pack(2, 10, 0), pack(3, 5, 5)}, 3, "[{2 3 false}]", true},
		{"too many issued", []rds.KeyPack{pack(2, 10, 8), pack(3, 5, 5)}, 3, "[{2 2 false}]", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			steps, ok := PlanRemoval(tc.own, tc.remove)
			if got := fmt.Sprint(steps); got != tc.want || ok != tc.ok {
				t.Fatalf("PlanRemoval = %s, %v; want %s, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}
