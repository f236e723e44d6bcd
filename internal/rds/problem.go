package rds

// Problem is what a domain decision tells the user, as an error or a
// warning (the caller decides which): Summary and Detail, on the
// attribute Attr ("" for the whole resource). Every domain package speaks
// in it, so the provider has one way to show them (addErrors,
// addWarnings).
type Problem struct{ Attr, Summary, Detail string }

// Failure is a step that failed, as the user sees it: Summary (on Attr,
// "" for the whole resource), then as paragraphs Detail, the operation
// error Err explained with what to do about it (Hints), and Note. Spent:
// the step may have run although it failed (its answer was lost), so the
// caller must record what asked for it.
type Failure struct {
	Attr, Summary, Detail string
	Err                   error
	Hints                 []string
	Note                  string
	Spent                 bool
}

func (f *Failure) Error() string {
	if f.Err != nil {
		return f.Summary + ": " + f.Err.Error()
	}
	return f.Summary + ": " + f.Detail
}

func (f *Failure) Unwrap() error { return f.Err }
