package app

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestRiverLoggerQuietsCancelledContexts(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	log := slog.New(quietCancel{slog.NewTextHandler(&b, &slog.HandlerOptions{Level: slog.LevelInfo})}).With("component", "river")
	log.Error("maintenance.PeriodicJobEnqueuer: Error starting transaction", "error", context.Canceled)
	if b.Len() != 0 {
		t.Fatalf("a cancelled context at stop was logged at ERROR: %s", b.String())
	}
	log.Error("job failed", "error", errors.New("boom"))
	if !strings.Contains(b.String(), "level=ERROR") || !strings.Contains(b.String(), "component=river") {
		t.Fatalf("a real error was lost: %q", b.String())
	}
}

// TestRiverLoggerQuietsRoutineChatter: River's job counts and maintenance successes go to DEBUG
// with their attributes; its other INFO lines stay at INFO; durations become milliseconds.
func TestRiverLoggerQuietsRoutineChatter(t *testing.T) {
	t.Parallel()
	var info, debug bytes.Buffer
	atInfo := slog.New(quietCancel{slog.NewTextHandler(&info, &slog.HandlerOptions{Level: slog.LevelInfo})})
	atDebug := slog.New(quietCancel{slog.NewTextHandler(&debug, &slog.HandlerOptions{Level: slog.LevelDebug})})
	for _, log := range []*slog.Logger{atInfo, atDebug} {
		log.Info("producer: Producer job counts", "num_completed_jobs", 3)
		log.Debug("jobcompleter.BatchCompleter: Completed sub-batch of job(s)", "duration", 44500*time.Microsecond, "num_jobs", 4)
		log.Info("JobCleaner: Ran successfully", "num_jobs_deleted", 0)
		log.Info("River client started", "client_id", "p1")
	}
	if s := info.String(); strings.Contains(s, "job counts") || strings.Contains(s, "Ran successfully") || !strings.Contains(s, "level=INFO msg=\"River client started\"") {
		t.Fatalf("at INFO: %q", s)
	}
	if s := debug.String(); !strings.Contains(s, "level=DEBUG msg=\"producer: Producer job counts\" num_completed_jobs=3") ||
		!strings.Contains(s, "level=DEBUG msg=\"JobCleaner: Ran successfully\" num_jobs_deleted=0") ||
		!strings.Contains(s, "duration_ms=44.5 num_jobs=4") {
		t.Fatalf("at DEBUG: %q", s)
	}
}
