#!/usr/bin/env bash
# Runs every fuzz target of the module for FUZZTIME each (default 3s). The targets are found by
# grepping for `func Fuzz` in *_test.go, so a new target is never forgotten. make test runs it with
# the default; make fuzz with FUZZTIME=1m.
#
# go test -fuzz takes one target per run and links the instrumented test binary again every time:
# 15 s for internal/httpapi (a 110 MB binary, most of it the app server its other tests start) on a
# 2-CPU machine. Instead each package's binary is built once with `go test -c -fuzz` into
# .bin/fuzz/ (about 220 MB in all), where go skips the link when nothing it depends on changed, and
# each of the package's targets runs from it with the flags go test would pass: in the package's
# folder, with the fuzz cache under $GOCACHE/fuzz, so the corpus it grows is the one
# `go test -fuzz` uses. DWARF and the symbol table are left out (-s -w): that cuts the link time by
# about 40%, and stack traces do not need them.
#
# FUZZMINIMIZETIME (default 5s) bounds how long a new input is minimised: go's default, 60 s, spends
# most of a short run shrinking the first large input that finds new coverage. A crasher is written
# to the package's testdata/fuzz/FuzzXxx/: commit it with the fix.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
FUZZTIME="${FUZZTIME:-3s}"
FUZZMINIMIZETIME="${FUZZMINIMIZETIME:-5s}"
bin="$root/.bin/fuzz"
mkdir -p "$bin"
cache="$(go env GOCACHE)/fuzz/$(go list -m)"

declare -A targets
while IFS=: read -r file _ line; do
  name=$(sed -E 's/^func (Fuzz[A-Za-z0-9_]*)\(.*/\1/' <<<"$line")
  dir=$(dirname "$file")
  targets[$dir]+="$name "
done < <(grep -rn --include='*_test.go' -E '^func Fuzz[A-Za-z0-9_]*\(' internal cmd scripts 2>/dev/null | sort)

# run_target runs one target from its package's binary. Go 1.26's fuzzing coordinator can report
# "context deadline exceeded" when -fuzztime ends while a worker is busy, most often on a loaded
# machine (go.dev/issue/75804, fixed in Go 1.27): a failure that wrote no crasher and says only
# that is run once more; anything else, or the same twice, fails.
run_target() {
  local dir=$1 exe=$2 name=$3 out status before
  out=$(mktemp)
  for attempt in 1 2; do
    before=$(ls "$dir/testdata/fuzz/$name" 2>/dev/null || true)
    set +e
    (cd "$dir" && "$exe" -test.paniconexit0 -test.run='^$' -test.fuzz="^${name}\$" -test.fuzztime="$FUZZTIME" \
      -test.fuzzminimizetime="$FUZZMINIMIZETIME" -test.fuzzcachedir="$cache/$dir") 2>&1 | tee "$out"
    status=${PIPESTATUS[0]}
    set -e
    if [ "$status" = 0 ]; then
      rm -f "$out"
      return 0
    fi
    if [ "$attempt" = 1 ] && [ "$(ls "$dir/testdata/fuzz/$name" 2>/dev/null || true)" = "$before" ] &&
      grep -q '^    context deadline exceeded$' "$out" && ! grep -q -e '^panic: ' -e 'Failing input written' "$out"; then
      printf 'fuzz.sh: %s stopped with "context deadline exceeded" and no crasher (go.dev/issue/75804); once more\n' "$name" >&2
      continue
    fi
    rm -f "$out"
    return "$status"
  done
}

n=0
for dir in $(printf '%s\n' "${!targets[@]}" | sort); do
  exe="$bin/${dir//\//_}.test"
  go test -c -fuzz=. -ldflags='-s -w' -o "$exe" "./$dir"
  for name in ${targets[$dir]}; do
    printf 'fuzz.sh: ./%s %s for %s\n' "$dir" "$name" "$FUZZTIME" >&2
    run_target "$dir" "$exe" "$name"
    n=$((n + 1))
  done
done
printf 'fuzz.sh: %d targets, %s each\n' "$n" "$FUZZTIME" >&2
