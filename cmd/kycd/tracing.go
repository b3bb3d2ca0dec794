package main

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"kycd/internal/app"
	"kycd/internal/tracing"
)

// traceFlushTimeout bounds how long a stopping kycd waits for its last spans to be exported.
const traceFlushTimeout = 5 * time.Second

// serveTraced runs the server with the tracing the standard OTEL_* variables ask for (off
// unless OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set), and exports
// the spans still buffered once it has stopped.
func serveTraced(ctx context.Context, cfg app.Config, log *slog.Logger) error {
	tp, err := tracing.FromEnv(ctx, cfg.Version)
	if err != nil {
		return err
	}
	if tp.Enabled() {
		log.Info("tracing: exporting spans over OTLP/HTTP")
	}
	cfg.Tracing = tp
	err = app.Run(ctx, cfg, log)
	fctx, cancel := context.WithTimeout(context.Background(), traceFlushTimeout)
	defer cancel()
	return errors.Join(err, tp.Shutdown(fctx))
}
