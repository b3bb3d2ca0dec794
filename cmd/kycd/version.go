package main

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// Stamped by `make build` with -ldflags "-X main.version=... -X main.commit=... -X main.modified=true
// -X main.buildTime=...";
// empty otherwise, and then the Go toolchain's build information (module version, VCS revision
// and commit time, which go build records unless -buildvcs=false) is used.
var (
	// version is the release, such as v1.2.3 (git describe --tags).
	version = ""
	// commit is the full git commit the binary was built from.
	commit = ""
	// modified is "true" when the tree had uncommitted changes at the commit.
	modified = ""
	// buildTime is when the binary was built, RFC 3339 in UTC.
	buildTime = ""
)

// build is what kycd knows of the build it is: each field empty when unknown.
type build struct {
	// Version is the module version or the stamped release.
	Version string
	// Commit is the git commit; Modified says the tree had changes not committed.
	Commit   string
	Modified bool
	// Built is when the binary was built (stamped); Committed is when its commit was made (the
	// toolchain's vcs.time), the best there is without a stamp.
	Built, Committed string
}

// readBuild reads the stamped values, then the toolchain's build information for what is not
// stamped.
func readBuild() build {
	bi, _ := debug.ReadBuildInfo()
	return describe(build{Version: version, Commit: commit, Modified: modified == "true", Built: buildTime}, bi)
}

// describe completes the stamped values with bi's (nil when the binary has none).
func describe(b build, bi *debug.BuildInfo) build {
	if bi == nil {
		return b
	}
	if b.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		b.Version = bi.Main.Version
	}
	vcs := map[string]string{}
	for _, s := range bi.Settings {
		vcs[s.Key] = s.Value
	}
	if b.Commit == "" {
		b.Commit, b.Modified = vcs["vcs.revision"], vcs["vcs.modified"] == "true"
	}
	if b.Commit != "" && b.Commit == vcs["vcs.revision"] {
		b.Committed = vcs["vcs.time"]
	}
	return b
}

// buildVersion is the version kycd reports (OpenAPI document, exports): the release or module
// version, or "dev" when the build says none.
func buildVersion() string {
	if v := readBuild().Version; v != "" {
		return v
	}
	return "dev"
}

// String is what kycd version prints: the version, the commit and the build time, each saying
// so when unknown, never a made-up value.
func (b build) String() string {
	var s strings.Builder
	s.WriteString("kycd ")
	if b.Version != "" {
		s.WriteString(b.Version)
	} else {
		s.WriteString("(unknown version)")
	}
	switch {
	case b.Commit == "":
		s.WriteString(", unknown commit")
	case b.Modified:
		fmt.Fprintf(&s, ", commit %s with uncommitted changes", b.Commit)
	default:
		fmt.Fprintf(&s, ", commit %s", b.Commit)
	}
	switch {
	case b.Built != "":
		fmt.Fprintf(&s, ", built %s", b.Built)
	case b.Committed != "":
		fmt.Fprintf(&s, ", committed %s (build time unknown)", b.Committed)
	default:
		s.WriteString(", unknown build time")
	}
	return s.String()
}
