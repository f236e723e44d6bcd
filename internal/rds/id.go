package rds

import (
	"crypto/rand"
	"encoding/hex"
)

// NewID is a key pack install's request ID, a key pack resource's owner
// token or a reactivation's attempt ID: 32 lower-case hex digits, random.
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("rds: no randomness: " + err.Error())
	}
	return hex.EncodeToString(b[:])
}
