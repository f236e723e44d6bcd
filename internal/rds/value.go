package rds

import "strconv"

// Value is one configuration, plan or state value as the domain decisions
// see it, free of the framework's types: Set when not null (an unknown
// value counts as set), Text when also known (numbers in decimal).
type Value struct {
	Set, Known bool
	Text       string
}

// Known is a known value.
func Known(s string) Value { return Value{Set: true, Known: true, Text: s} }

// Unknown is a value known only at apply.
var Unknown = Value{Set: true}

// Int is a known number's value (0 otherwise).
func (v Value) Int() int64 {
	n, _ := strconv.ParseInt(v.Text, 10, 64)
	return n
}

// Same: both known with the same text, or both null.
func (v Value) Same(o Value) bool { return v == o && (v.Known || !v.Set) }
