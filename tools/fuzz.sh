#!/usr/bin/env bash
# Runs every Go fuzz target (func FuzzX(f *testing.F)) in turn for
# FUZZTIME each: `go test -fuzz` takes one target per package at a time.
# New inputs go to Go's fuzz cache; a failing input is written to the
# package's testdata/fuzz/FuzzX, where it stays as a regression test.
#   FUZZTIME=20s            how long each target runs
#   FUZZMINIMIZETIME=5s     how long minimizing one input may take
#   FUZZPARALLEL=           fuzzing workers (default: GOMAXPROCS)
#   FUZZ=FuzzDecodeBody     run only the targets whose name matches (grep -E)
set -uo pipefail
cd "$(dirname "$0")/.."
fuzztime="${FUZZTIME:-20s}"
minimize="${FUZZMINIMIZETIME:-5s}"
parallel=()
if [ -n "${FUZZPARALLEL:-}" ]; then parallel=(-parallel "$FUZZPARALLEL"); fi

# package directory and target name, one pair a line
targets=$(git ls-files '*_test.go' | xargs grep -HoE '^func Fuzz[A-Za-z0-9_]+\(f \*testing\.F\)' |
	sed -E 's#^(.*)/[^/]+_test\.go:func (Fuzz[A-Za-z0-9_]+)\(.*#\1 \2#' | sort)
if [ -n "${FUZZ:-}" ]; then targets=$(grep -E " .*${FUZZ}" <<<"$targets" || true); fi
if [ -z "$targets" ]; then
	echo "fuzz: no fuzz targets" >&2
	exit 1
fi

failed=()
start=$SECONDS
while read -r dir name; do
	echo "== $name ($dir, $fuzztime)"
	log=$(mktemp)
	go test "./$dir" -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" -fuzzminimizetime "$minimize" "${parallel[@]}" >"$log" 2>&1
	rc=$?
	# The last progress line has the exec count; the rest only on failure.
	grep '^fuzz: elapsed' "$log" | tail -1
	if [ $rc -ne 0 ]; then
		grep -v '^fuzz: elapsed' "$log"
		failed+=("$name")
	fi
	rm -f "$log"
done <<<"$targets"
echo "fuzz: $(wc -l <<<"$targets") targets in $((SECONDS - start))s"
if [ ${#failed[@]} -gt 0 ]; then
	echo "fuzz: FAILED: ${failed[*]} (failing inputs are in testdata/fuzz; run them with go test -run=FuzzX/NAME)" >&2
	exit 1
fi
