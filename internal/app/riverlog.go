package app

import (
	"context"
	"log/slog"
)

// quietCancel is the slog handler of River's logger. River logs a maintenance task whose context
// was cancelled while kycd stops ("Error starting transaction: context canceled") at ERROR; that
// is the stop working, not a fault, so such records are logged at DEBUG. Everything else passes.
type quietCancel struct{ slog.Handler }

func (h quietCancel) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelError && cancelled(r) {
		if !h.Handler.Enabled(ctx, slog.LevelDebug) {
			return nil
		}
		r = slog.NewRecord(r.Time, slog.LevelDebug, r.Message, r.PC)
	}
	return h.Handler.Handle(ctx, r)
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
