package tracing

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
)

// The attributes of a job's span.
const (
	attrJobKind    = attribute.Key("river.job.kind")
	attrJobID      = attribute.Key("river.job.id")
	attrJobQueue   = attribute.Key("river.job.queue")
	attrJobAttempt = attribute.Key("river.job.attempt")
	attrJobOutcome = attribute.Key("river.job.outcome")
)

// RiverMiddleware returns the River middleware of kycd's traces. On insert it writes the trace
// context of the inserting code's span (an HTTP request, or the job that enqueues another) into
// each job's metadata, under "traceparent" and "tracestate" (the keys River's own otelriver uses).
// On work it gives each job a consumer span named "river.work/<kind>", with the job's kind, id,
// queue and attempt, and how it ended (ok, error, cancel, snooze): the child of the span that
// enqueued it, so that a journey (the request, its verification, the webhook deliveries the
// decision makes) is one trace, however much later a retry runs. A job enqueued outside any span
// (periodic jobs) starts a trace of its own. Job arguments and error texts are never recorded.
func RiverMiddleware(tp trace.TracerProvider) rivertype.Middleware {
	return &riverMiddleware{tracer: tp.Tracer(scope)}
}

type riverMiddleware struct {
	river.MiddlewareDefaults
	tracer trace.Tracer
}

var (
	_ rivertype.JobInsertMiddleware = (*riverMiddleware)(nil)
	_ rivertype.WorkerMiddleware    = (*riverMiddleware)(nil)
)

// InsertMany writes the caller's trace context into the metadata of each job.
func (m *riverMiddleware) InsertMany(ctx context.Context, params []*rivertype.JobInsertParams,
	doInner func(context.Context) ([]*rivertype.JobInsertResult, error)) ([]*rivertype.JobInsertResult, error) {
	if trace.SpanContextFromContext(ctx).IsValid() {
		carrier := propagation.MapCarrier{}
		propagator.Inject(ctx, carrier)
		for _, p := range params {
			p.Metadata = withTraceContext(p.Metadata, carrier)
		}
	}
	return doInner(ctx)
}

// Work runs the job inside its span.
func (m *riverMiddleware) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) (err error) {
	if sc := enqueuedBy(job.Metadata); sc.IsValid() {
		ctx = trace.ContextWithRemoteSpanContext(ctx, sc)
	}
	ctx, span := m.tracer.Start(ctx, "river.work/"+job.Kind, trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(semconv.MessagingSystemKey.String("river"), attrJobKind.String(job.Kind), attrJobID.Int64(job.ID),
			attrJobQueue.String(job.Queue), attrJobAttempt.Int(job.Attempt)))
	panicked := true // until doInner returns; the panic goes on to River's recover untouched
	defer func() {
		outcome := "ok"
		var cancel *river.JobCancelError
		var snooze *river.JobSnoozeError
		switch {
		case panicked:
			outcome = "panic"
		case err == nil:
		case errors.As(err, &snooze):
			outcome = "snooze"
		case errors.As(err, &cancel):
			outcome = "cancel"
		default:
			outcome = "error"
		}
		span.SetAttributes(attrJobOutcome.String(outcome))
		if outcome != "ok" && outcome != "snooze" {
			span.SetStatus(codes.Error, outcome)
		}
		span.End()
	}()
	err = doInner(ctx)
	panicked = false
	return err
}

// withTraceContext sets carrier's keys in a job's metadata (a JSON object, or empty), keeping its
// other keys. Metadata that is not an object is left as it is.
func withTraceContext(metadata []byte, carrier propagation.MapCarrier) []byte {
	obj := map[string]json.RawMessage{}
	if len(metadata) > 0 {
		if err := json.Unmarshal(metadata, &obj); err != nil || obj == nil {
			return metadata
		}
	}
	for k, v := range carrier {
		b, err := json.Marshal(v)
		if err != nil {
			return metadata
		}
		obj[k] = b
	}
	out, err := json.Marshal(obj)
	if err != nil {
		return metadata
	}
	return out
}

// enqueuedBy reads the span context a job's metadata carries (invalid when none).
func enqueuedBy(metadata []byte) trace.SpanContext {
	var fields struct {
		TraceParent string `json:"traceparent"`
		TraceState  string `json:"tracestate"`
	}
	if len(metadata) == 0 || json.Unmarshal(metadata, &fields) != nil || fields.TraceParent == "" {
		return trace.SpanContext{}
	}
	carrier := propagation.MapCarrier{"traceparent": fields.TraceParent}
	if fields.TraceState != "" {
		carrier["tracestate"] = fields.TraceState
	}
	return trace.SpanContextFromContext(propagator.Extract(context.Background(), carrier))
}
