#!/usr/bin/env bash
# The whole test suite, as `make test` and CI run it. On a fresh Debian machine with Go it installs
# what is missing (PostgreSQL, chromium and systemd-analyze from Debian's packages, versitygw with a pinned `go install` cached in
# .bin/, staticcheck the same way, and axe-core with a pinned `npm install` into .bin/axe), starts a throwaway PostgreSQL and S3-compatible server on 127.0.0.1, runs every Go test with
# those services required (a missing one fails, it never skips), and stops them again.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

VERSITYGW_VERSION=v1.8.0
STATICCHECK_VERSION=v0.8.2
AXE_VERSION=4.14.1
BIN="$root/.bin"
mkdir -p "$BIN"
export GOFLAGS="${GOFLAGS:--buildvcs=false}"

log() { printf 'test.sh: %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

ensure_postgres() {
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    log "installing PostgreSQL from Debian's packages"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
}

ensure_chromium() {
  # The hosted flow's browser test drives Debian's chromium; a CJK font lets its Chinese pages render.
  if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "wenquanyi\|noto sans cjk"; then
    log "installing chromium and a CJK font from Debian's packages"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null
  fi
}

ensure_systemd_analyze() {
  # The systemd unit in deploy/ is checked with systemd-analyze verify (cmd/kycd's TestSystemdUnit).
  if ! command -v systemd-analyze >/dev/null 2>&1; then
    log "installing systemd (for systemd-analyze) from Debian's packages"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq systemd >/dev/null
  fi
}

ensure_versitygw() {
  if [ ! -x "$BIN/versitygw" ] || [ "$(cat "$BIN/versitygw.version" 2>/dev/null)" != "$VERSITYGW_VERSION" ]; then
    log "building versitygw $VERSITYGW_VERSION into .bin/ (about 80 s, once)"
    GOBIN="$BIN" go install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION"
    echo "$VERSITYGW_VERSION" > "$BIN/versitygw.version"
  fi
}

ensure_staticcheck() {
  if [ ! -x "$BIN/staticcheck" ] || [ "$(cat "$BIN/staticcheck.version" 2>/dev/null)" != "$STATICCHECK_VERSION" ]; then
    log "building staticcheck $STATICCHECK_VERSION into .bin/ (once)"
    GOBIN="$BIN" go install "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION"
    echo "$STATICCHECK_VERSION" > "$BIN/staticcheck.version"
  fi
}

ensure_axe() {
  # The console's browser test runs axe-core in its pages; npm installs the pinned version into .bin/axe.
  if [ "$(cat "$BIN/axe.version" 2>/dev/null)" != "$AXE_VERSION" ] || [ ! -f "$BIN/axe/node_modules/axe-core/axe.min.js" ]; then
    if ! command -v npm >/dev/null 2>&1; then
      log "installing npm from Debian's packages"
      as_root apt-get update -qq
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
    fi
    log "installing axe-core $AXE_VERSION into .bin/axe (once)"
    rm -rf "$BIN/axe"
    npm install --prefix "$BIN/axe" --no-audit --no-fund --save-exact "axe-core@$AXE_VERSION" >/dev/null
    echo "$AXE_VERSION" > "$BIN/axe.version"
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null ||
    echo $((20000 + RANDOM % 20000))
}

work=$(mktemp -d /tmp/kycd-test.XXXXXX)
PGBIN=""
PGDATA=""
S3PID=""
cleanup() {
  set +e
  [ -n "$S3PID" ] && kill "$S3PID" 2>/dev/null && wait "$S3PID" 2>/dev/null
  [ -n "$PGDATA" ] && as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" -m immediate stop >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_postgres() {
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  PGDATA="$work/pg"
  mkdir -p "$PGDATA"
  [ "$(id -u)" = 0 ] && chown postgres: "$PGDATA" "$work"
  local port; port=$(free_port)
  as_postgres "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --no-locale --no-sync >/dev/null
  as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $PGDATA -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" start >/dev/null
  export KYCD_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
  log "PostgreSQL on 127.0.0.1:$port"
}

start_s3() {
  local port; port=$(free_port)
  mkdir -p "$work/s3/kycd"
  ROOT_ACCESS_KEY_ID=kycdtest ROOT_SECRET_ACCESS_KEY=kycdtestsecret \
    "$BIN/versitygw" --port "127.0.0.1:$port" posix "$work/s3" >"$work/s3.log" 2>&1 &
  S3PID=$!
  for _ in $(seq 1 100); do
    (echo >/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break
    sleep 0.1
  done
  export KYCD_TEST_S3_URL="s3://kycd?endpoint=http://127.0.0.1:$port&use_path_style=true&disable_https=true&region=us-east-1"
  export AWS_ACCESS_KEY_ID=kycdtest AWS_SECRET_ACCESS_KEY=kycdtestsecret AWS_EC2_METADATA_DISABLED=true
  log "versitygw (S3) on 127.0.0.1:$port"
}

ensure_postgres
ensure_chromium
ensure_systemd_analyze
ensure_versitygw
ensure_staticcheck
ensure_axe
start_postgres
start_s3
export KYCD_TEST_REQUIRE_SERVICES=1

log "gofmt, go vet and staticcheck"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.bin/*'))
if [ -n "$unformatted" ]; then log "gofmt would change: $unformatted"; exit 1; fi
go vet ./...
"$BIN/staticcheck" ./...

log "go test"
go test -count=1 -timeout 30m "$@" ./...

# The face nets' Go-only build (no assembly kernel: other CPUs, or -tags purego) is tested too.
log "go test -tags purego (the face nets without their assembly kernel)"
go vet -tags purego ./internal/face/...
go test -count=1 -tags purego "$@" ./internal/face/nn ./internal/face/embedding ./internal/face/landmarks

log "fuzz targets, 3 s each"
FUZZTIME="${FUZZTIME:-3s}" ./scripts/fuzz.sh
