package verify

import (
	"testing"
	"time"

	"kycd/internal/level"
	"kycd/internal/verify/check"
)

func TestDecisionScoresAndThresholds(t *testing.T) {
	t.Parallel()
	l := level.Builtin()["L1"] // accept at 80, reject below 50
	now := time.Now()
	f := func(name string, failed bool, w int, decisive bool, reason string) finding {
		return finding{Name: name, Failed: failed, Weight: w, Decisive: decisive, Reason: reason}
	}
	tests := []struct {
		name    string
		fs      []finding
		outcome string
		score   int
		reason  string
	}{
		{"clean", []finding{f("a", false, 30, false, ""), f("b", false, 30, false, "")}, "accepted", 100, ""},
		{"small failure", []finding{f("a", true, 15, false, "document-unreadable")}, "accepted", 85, ""},
		{"review band", []finding{f("a", true, 30, false, "name-mismatch")}, "pending-review", 70, ""},
		{"rejected by score", []finding{f("a", true, 30, false, "name-mismatch"), f("b", true, 40, false, "dob-mismatch")}, "rejected", 30, "dob-mismatch"},
		{"decisive whatever the score", []finding{f("expired", true, 1, true, "document-expired")}, "rejected", 99, "document-expired"},
		{"score never below 0", []finding{f("a", true, 80, false, "x"), f("b", true, 80, false, "y")}, "rejected", 0, "x"},
	}
	for _, tt := range tests {
		d, checks, reason := decision(tt.fs, l, now)
		if d.Outcome != tt.outcome || d.Score != tt.score || len(checks) != len(tt.fs) || d.LevelVersion != l.Version {
			t.Errorf("%s: %+v", tt.name, d)
		}
		if (reason == nil) != (tt.reason == "") || (reason != nil && reason.Type != tt.reason) {
			t.Errorf("%s: reason %+v, want %q", tt.name, reason, tt.reason)
		}
	}
}

func TestBuiltinLevelsNameKnownFields(t *testing.T) {
	t.Parallel()
	for name, l := range level.Builtin() {
		if err := check.ValidateFieldPaths(l.RequiredFields); err != nil {
			t.Errorf("level %s: %v", name, err)
		}
	}
	if _, err := level.Load("", level.Known{Checks: CheckNames(), FieldPaths: check.ValidateFieldPaths}); err != nil {
		t.Fatal(err)
	}
}
