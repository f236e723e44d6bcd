package winsim

import (
	"fmt"
	"sync/atomic"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/rds"
)

// kpRequests numbers the request IDs of kpRequest.
var kpRequests atomic.Int64

// kpRequest gives an install a new request ID, an owner and a code tag,
// as the provider does; fields already set stay.
func kpRequest(in rds.InstallKeyPackInput) rds.InstallKeyPackInput {
	n := kpRequests.Add(1)
	if in.RequestID == "" {
		in.RequestID = fmt.Sprintf("%032x", 0xa000+n)
	}
	if in.Owner == "" {
		in.Owner = kpOwnerA
	}
	if in.CodeTag == "" {
		in.CodeTag = kpCodeTag
	}
	return in
}

// Owner tokens and a code tag of the tests.
const (
	kpOwnerA  = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	kpOwnerB  = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	kpCodeTag = "0123456789abcdef:1a2b"
)
