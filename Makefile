# The two commands of the README: `make run` starts kycd with zero configuration (SQLite and a local
# folder under ./data); `make test` runs the whole test suite with its own PostgreSQL and S3 server.
.PHONY: run build test fuzz bench sanctions-snapshot mrz-weights face-weights

# A development server: its webhooks may reach a receiver on this machine (KYCD_WEBHOOK_ALLOW_PRIVATE).
run:
	KYCD_WEBHOOK_ALLOW_PRIVATE=$${KYCD_WEBHOOK_ALLOW_PRIVATE:-true} go run ./cmd/kycd serve

# Stamps what `kycd version` prints: the release (git describe --tags, when a tag is reachable),
# the commit (marked modified when the tree has uncommitted changes) and the build time. The Go
# toolchain records the commit itself only outside -buildvcs=false and git worktrees; these
# stamps come first. OUT names the binary.
OUT ?= kycd
build:
	go build -ldflags "-X main.version=$$(git describe --tags --dirty 2>/dev/null) \
	  -X main.commit=$$(git rev-parse HEAD 2>/dev/null) \
	  -X main.modified=$$(git status --porcelain 2>/dev/null | grep -q . && echo true) \
	  -X main.buildTime=$$(date -u +%Y-%m-%dT%H:%M:%SZ)" -o $(OUT) ./cmd/kycd

test:
	./scripts/test.sh

# Every fuzz target (found by grepping for func Fuzz) for FUZZTIME each; make test runs them 3 s each.
# FUZZMINIMIZETIME (default 5s) bounds the minimisation of each new input; see scripts/fuzz.sh.
FUZZTIME ?= 1m
fuzz:
	FUZZTIME=$(FUZZTIME) ./scripts/fuzz.sh

# Downloads the OFAC SDN and UN lists into internal/screening/snapshot/data (gitignored) for the
# next build to embed; needs a machine that reaches the publishers.
sanctions-snapshot:
	./scripts/sanctions-snapshot.sh

# Retrains the MRZ reader's OCR-B classifier (internal/mrz/mrzimage/internal/ocrb/weights.bin) and
# its tests' glyph masks from Debian's fonts-ocr-b, installed when missing; about 4 minutes.
mrz-weights:
	@[ -f /usr/share/fonts/opentype/ocr-b/OCRBS.otf ] || { [ "$$(id -u)" = 0 ] && S= || S=sudo; \
	  $$S apt-get update -qq && $$S env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-ocr-b; }
	cd internal/mrz/mrzimage && GOMAXPROCS=1 go generate

# Fetches the face models (internal/face/weights, committed) again from the npm registry's
# @vladmandic/face-api 1.7.15 tarball, refused unless its sha512 is the pinned one; see its README.
face-weights:
	./scripts/face-weights.sh

bench:
	go run ./bench/load -db sqlite
	go run ./bench/load -db postgres
	go run ./bench/writes
	go run ./bench/uploadrss
	go run ./bench/webhooks -db sqlite
	go run ./bench/webhooks -db postgres
	go run ./bench/verify -db sqlite
	go run ./bench/verify -db postgres
	go run ./bench/screening-eval
	go run ./bench/face
	go run ./bench/scale -config all
