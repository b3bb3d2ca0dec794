package tracing

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
)

// scope is the instrumentation scope of kycd's spans.
const scope = "kycd"

// propagator reads and writes W3C trace context (traceparent, tracestate); kycd sets no global
// propagator, so that tests with providers of their own run side by side.
var propagator = propagation.TraceContext{}

// ServerSpan starts the span of one HTTP request the server answers, as the child of the
// traceparent the caller sent, if any. It is named by the method until EndServerSpan names it by
// the route. It records nothing of the URL but the route, nor any header.
func ServerSpan(tp trace.TracerProvider, r *http.Request) (context.Context, trace.Span) {
	ctx := propagator.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
	return tp.Tracer(scope).Start(ctx, r.Method, trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(semconv.HTTPRequestMethodKey.String(r.Method)))
}

// EndServerSpan names the span by route (the mux pattern, such as "GET /v1/applicants/{id}", with
// its wildcards, never the path with its ids; "" for a request no route matched), records the
// status (an error from 500 up) and ends it.
func EndServerSpan(span trace.Span, method, route string, status int) {
	name := method
	if route != "" {
		span.SetAttributes(semconv.HTTPRoute(route))
		name = route
		if !strings.HasPrefix(route, method+" ") && !strings.Contains(route, " ") {
			name = method + " " + route
		}
	}
	span.SetName(name)
	span.SetAttributes(semconv.HTTPResponseStatusCode(status))
	if status >= 500 {
		span.SetStatus(codes.Error, strconv.Itoa(status))
	}
	span.End()
}

// Transport wraps rt (nil: http.DefaultTransport) so that each request made in a traced context
// gets a client span, a child of that context's span, and carries its W3C trace context
// (traceparent) to the server. The span records the method, the server's host and port and the
// answer's status: never the path or query (a webhook URL may hold a secret), headers or bodies.
// Outside a recording span it only passes the request on.
func Transport(rt http.RoundTripper) http.RoundTripper {
	if rt == nil {
		rt = http.DefaultTransport
	}
	return transport{next: rt, propagate: true}
}

// ExternalTransport is Transport for calls to third parties (the sanctions lists' publishers, the
// partners): the same client span, but no traceparent is sent, so kycd's trace ids stay kycd's.
func ExternalTransport(rt http.RoundTripper) http.RoundTripper {
	if rt == nil {
		rt = http.DefaultTransport
	}
	return transport{next: rt}
}

type transport struct {
	next      http.RoundTripper
	propagate bool
}

func (t transport) RoundTrip(req *http.Request) (*http.Response, error) {
	parent := trace.SpanFromContext(req.Context())
	if !parent.IsRecording() {
		return t.next.RoundTrip(req)
	}
	attrs := []attribute.KeyValue{semconv.HTTPRequestMethodKey.String(req.Method), semconv.ServerAddress(req.URL.Hostname())}
	if p, err := strconv.Atoi(req.URL.Port()); err == nil {
		attrs = append(attrs, semconv.ServerPort(p))
	}
	ctx, span := parent.TracerProvider().Tracer(scope).Start(req.Context(), req.Method, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attrs...))
	defer span.End()
	out := req.WithContext(ctx)
	if t.propagate {
		out = req.Clone(ctx) // a RoundTripper must not change its caller's request
		propagator.Inject(ctx, propagation.HeaderCarrier(out.Header))
	}
	resp, err := t.next.RoundTrip(out)
	if err != nil {
		span.SetStatus(codes.Error, failure(err))
		return nil, err
	}
	span.SetAttributes(semconv.HTTPResponseStatusCode(resp.StatusCode))
	if resp.StatusCode >= 400 {
		span.SetStatus(codes.Error, strconv.Itoa(resp.StatusCode))
	}
	return resp, nil
}

// failure names what kind of network failure err is, without its text (which holds the URL).
func failure(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	}
	return "network error"
}
