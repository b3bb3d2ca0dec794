package tracing

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// Stage starts a span for one stage of the work of ctx's span (a verification's gathering, checks,
// decision), with the same provider; where ctx has no span it costs a no-op span. End it with
// EndStage.
func Stage(ctx context.Context, name string, attrs ...attribute.KeyValue) (context.Context, trace.Span) {
	return trace.SpanFromContext(ctx).TracerProvider().Tracer(scope).Start(ctx, name, trace.WithAttributes(attrs...))
}

// EndStage marks span failed when err is not nil (without err's text, which may name personal
// data) and ends it.
func EndStage(span trace.Span, err error) {
	if err != nil {
		span.SetStatus(codes.Error, "error")
	}
	span.End()
}
