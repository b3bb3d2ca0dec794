package main

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

// TestVersionOfBuilds builds kycd three ways and runs kycd version: stamped with -ldflags it
// prints the stamps; stamped by make build it prints the checkout's commit and a build time of
// this test's run; with nothing (-buildvcs=false, as scripts/test.sh builds) it says what it does
// not know rather than inventing it.
func TestVersionOfBuilds(t *testing.T) {
	t.Parallel()
	const sha = "0123456789abcdef0123456789abcdef01234567"
	t.Run("ldflags", func(t *testing.T) {
		t.Parallel()
		bin := buildKycd(t, "-buildvcs=false", "-ldflags", "-X main.version=v9.8.7 -X main.commit="+sha+" -X main.buildTime=2026-12-07T10:11:12Z")
		if got, want := kycdVersion(t, bin), "kycd v9.8.7, commit "+sha+", built 2026-12-07T10:11:12Z"; got != want {
			t.Fatalf("version: %q, want %q", got, want)
		}
	})
	t.Run("nothing", func(t *testing.T) {
		t.Parallel()
		bin := buildKycd(t, "-buildvcs=false")
		if got, want := kycdVersion(t, bin), "kycd (unknown version), unknown commit, unknown build time"; got != want {
			t.Fatalf("version: %q, want %q", got, want)
		}
	})
	t.Run("make build", func(t *testing.T) {
		t.Parallel()
		// In a git checkout make build stamps its commit; outside one (a source tarball) it has
		// none to stamp, and kycd must say so.
		want := "unknown commit"
		if head, err := exec.Command("git", "rev-parse", "HEAD").Output(); err == nil {
			want = strings.TrimSpace(string(head))
		} else {
			t.Logf("not a git checkout (%v): make build stamps no commit", err)
		}
		before := time.Now().UTC().Truncate(time.Second)
		bin := filepath.Join(t.TempDir(), "kycd")
		if out, err := exec.Command("make", "-C", "../..", "build", "OUT="+bin).CombinedOutput(); err != nil {
			t.Fatalf("make build: %v\n%s", err, out)
		}
		after := time.Now().UTC()
		got := kycdVersion(t, bin)
		m := regexp.MustCompile(`^kycd .+, (?:commit ([0-9a-f]{40})(?: with uncommitted changes)?|(unknown commit)), built (\S+)$`).FindStringSubmatch(got)
		if m == nil || m[1]+m[2] != want {
			t.Fatalf("version: %q, want %s", got, want)
		}
		built, err := time.Parse(time.RFC3339, m[3])
		if err != nil || built.Before(before) || built.After(after) {
			t.Fatalf("built %q, not between %s and %s: %v", m[3], before, after, err)
		}
	})
}

// TestDescribeBuildInfo: without stamps, the toolchain's module version and VCS settings are
// used, its commit time said to be one; stamps win over them.
func TestDescribeBuildInfo(t *testing.T) {
	t.Parallel()
	bi := &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.time", Value: "2026-11-01T09:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	for _, c := range []struct {
		name    string
		stamped build
		bi      *debug.BuildInfo
		want    string
	}{
		{"toolchain", build{}, bi, "kycd v1.4.0, commit abc123 with uncommitted changes, committed 2026-11-01T09:00:00Z (build time unknown)"},
		{"devel", build{}, &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "kycd (unknown version), unknown commit, unknown build time"},
		{"no build info", build{}, nil, "kycd (unknown version), unknown commit, unknown build time"},
		{"stamped", build{Version: "v2.0.0", Commit: "def456", Built: "2026-12-01T00:00:00Z"}, bi, "kycd v2.0.0, commit def456, built 2026-12-01T00:00:00Z"},
		{"stamped commit, toolchain's time", build{Commit: "abc123"}, bi, "kycd v1.4.0, commit abc123, committed 2026-11-01T09:00:00Z (build time unknown)"},
	} {
		if got := describe(c.stamped, c.bi).String(); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// buildKycd builds this package into a temporary folder with the go build flags given.
func buildKycd(t *testing.T, flags ...string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "kycd")
	args := append(append([]string{"build"}, flags...), "-o", bin, ".")
	if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// kycdVersion runs bin version.
func kycdVersion(t *testing.T, bin string) string {
	t.Helper()
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatalf("kycd version: %v", err)
	}
	return strings.TrimSpace(string(out))
}
