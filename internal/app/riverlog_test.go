package app

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
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
