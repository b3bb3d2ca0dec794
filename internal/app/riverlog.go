package app

import (
	"context"
	"log/slog"
	"strings"
)

// quietCancel is the slog handler of River's logger. River logs a maintenance task whose context
// was cancelled while kycd stops ("Error starting transaction: context canceled") at ERROR; that
// is the stop working, not a fault, so such records are logged at DEBUG. Its routine INFO chatter
// (routine: a producer's job counts every few seconds, a maintenance service's "Ran successfully")
// is logged at DEBUG too: it made most of an operator's log and said nothing they act on.
// Everything else passes.
type quietCancel struct{ slog.Handler }

func (h quietCancel) Handle(ctx context.Context, r slog.Record) error {
	level := r.Level
	if (r.Level >= slog.LevelError && cancelled(r)) || (r.Level == slog.LevelInfo && routine(r.Message)) {
		if !h.Handler.Enabled(ctx, slog.LevelDebug) {
			return nil
		}
		level = slog.LevelDebug
	}
	// River logs durations as Go durations ("duration=44.5ms"); kycd's lines say milliseconds with
	// the unit in the key, so the record is rewritten: duration_ms=44.5.
	out := slog.NewRecord(r.Time, level, r.Message, r.PC)
	r.Attrs(func(a slog.Attr) bool { out.AddAttrs(inMilliseconds(a)); return true })
	return h.Handler.Handle(ctx, out)
}

// inMilliseconds is a with a duration value as milliseconds under key a.Key+"_ms".
func inMilliseconds(a slog.Attr) slog.Attr {
	if a.Value.Kind() != slog.KindDuration {
		return a
	}
	return slog.Float64(a.Key+"_ms", float64(a.Value.Duration().Microseconds())/1000)
}

func (h quietCancel) WithAttrs(as []slog.Attr) slog.Handler {
	return quietCancel{h.Handler.WithAttrs(as)}
}
func (h quietCancel) WithGroup(name string) slog.Handler {
	return quietCancel{h.Handler.WithGroup(name)}
}

// cancelled reports whether a record's error attribute is a cancelled context.
func cancelled(r slog.Record) bool {
	found := false
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "error" || a.Key == "err" {
			found = a.Value.String() == context.Canceled.Error()
		}
		return !found
	})
	return found
}

// routineSuffixes end the messages of River's routine INFO records (River names each service
// before them: "producer: Producer job counts", "JobCleaner: Ran successfully").
var routineSuffixes = []string{"Producer job counts", ": Ran successfully"}

// routine reports whether msg is one of River's routine INFO messages.
func routine(msg string) bool {
	for _, s := range routineSuffixes {
		if strings.HasSuffix(msg, s) {
			return true
		}
	}
	return false
}
