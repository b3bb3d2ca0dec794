#!/usr/bin/env bash
# Runs every fuzz target of the module for FUZZTIME each (default 3s), one target per invocation as
# `go test -fuzz` requires. The targets are found by grepping for `func Fuzz` in *_test.go, so a new
# target is never forgotten. make test runs it with the default; make fuzz with FUZZTIME=1m. A
# crasher is written to the package's testdata/fuzz/FuzzXxx/ by go test: commit it with the fix.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME="${FUZZTIME:-3s}"
n=0
while IFS=: read -r file _ line; do
  name=$(sed -E 's/^func (Fuzz[A-Za-z0-9_]*)\(.*/\1/' <<<"$line")
  pkg="./$(dirname "$file")"
  printf 'fuzz.sh: %s %s for %s\n' "$pkg" "$name" "$FUZZTIME" >&2
  go test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" "$pkg"
  n=$((n + 1))
done < <(grep -rn --include='*_test.go' -E '^func Fuzz[A-Za-z0-9_]*\(' internal cmd 2>/dev/null | sort)
printf 'fuzz.sh: %d targets, %s each\n' "$n" "$FUZZTIME" >&2
