package conformance

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winfacts"
)

// Statuses of a fact in the report.
const (
	Matches     = "matches"
	Differs     = "differs"
	NowObserved = "unverified, now observed"
	NotObserved = "not observed"
)

// Finding is one catalog fact against what the server showed.
type Finding struct {
	Fact     winfacts.Fact
	Status   string
	Observed string
}

// Report is every fact with a Probe key, and the observations no fact
// explains (for the catalog to grow).
type Report struct {
	Findings []Finding
	Unknown  []string
}

// Compare holds each fact with a Probe key to the observations (see
// same). An unverified fact observed with its
// modelled value is "unverified, now observed"; with another value it
// differs, and the report names the quirk that models the other answer.
func Compare(facts []winfacts.Fact, obs map[string]string) Report {
	var r Report
	used := map[string]bool{}
	for _, f := range facts {
		if f.Probe == "" {
			continue
		}
		used[f.Probe] = true
		v, ok := obs[f.Probe]
		fd := Finding{Fact: f, Observed: v}
		switch {
		case !ok:
			fd.Status = NotObserved
		case same(f, v):
			fd.Status = Matches
			if f.Unverified {
				fd.Status = NowObserved
			}
		default:
			fd.Status = Differs
		}
		r.Findings = append(r.Findings, fd)
	}
	sort.SliceStable(r.Findings, func(i, j int) bool { return r.Findings[i].Fact.ID < r.Findings[j].Fact.ID })
	for k := range obs {
		if !used[k] {
			r.Unknown = append(r.Unknown, k)
		}
	}
	sort.Strings(r.Unknown)
	return r
}

// same: a feature fact is a name, and observing its key confirms it; a
// method's parameters are compared as sets; other facts exactly.
func same(f winfacts.Fact, observed string) bool {
	switch f.Kind {
	case winfacts.KindFeature:
		return true
	case winfacts.KindWMIMethod:
		return winfacts.SameMethod(f.Value, observed)
	}
	return observed == f.Value
}

// Count is how many findings have the status.
func (r Report) Count(status string) int {
	n := 0
	for _, f := range r.Findings {
		if f.Status == status {
			n++
		}
	}
	return n
}

// Find returns the finding of the fact with this ID.
func (r Report) Find(id string) (Finding, bool) {
	for _, f := range r.Findings {
		if f.Fact.ID == id {
			return f, true
		}
	}
	return Finding{}, false
}

// Write prints the report: differences first, then the newly observed,
// the matches and what was not observed, and a summary.
func (r Report) Write(w io.Writer) error {
	var b strings.Builder
	for _, status := range []string{Differs, NowObserved, Matches, NotObserved} {
		for _, f := range r.Findings {
			if f.Status != status {
				continue
			}
			switch status {
			case Differs:
				note := ""
				if f.Fact.Unverified {
					note = " (was unverified"
					if f.Fact.Quirk != "" {
						note += "; winsim quirk " + f.Fact.Quirk + " models the other answer"
					}
					note += ")"
				}
				fmt.Fprintf(&b, "differs      %s: catalog %q, observed %q%s\n", f.Fact.ID, f.Fact.Value, f.Observed, note)
			case NowObserved:
				fmt.Fprintf(&b, "unverified, now observed: %s: %q\n", f.Fact.ID, f.Observed)
			case Matches:
				fmt.Fprintf(&b, "matches      %s\n", f.Fact.ID)
			case NotObserved:
				fmt.Fprintf(&b, "not observed %s (probe key %s)\n", f.Fact.ID, f.Fact.Probe)
			}
		}
	}
	fmt.Fprintf(&b, "\n%d match, %d differ, %d unverified now observed, %d not observed; %d observations no fact explains\n",
		r.Count(Matches), r.Count(Differs), r.Count(NowObserved), r.Count(NotObserved), len(r.Unknown))
	_, err := io.WriteString(w, b.String())
	return err
}

// Catalog is the facts the probe compares with: the catalog's facts with a
// probe key.
func Catalog() []winfacts.Fact { return winfacts.Facts }
