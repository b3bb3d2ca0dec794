// Package tracing owns kycd's OpenTelemetry traces: the tracer provider built from the standard
// OTEL_* environment variables (an OTLP/HTTP exporter when an endpoint is set, a no-op provider
// otherwise), the span of each HTTP request the server answers, the client span and W3C trace
// context of each outgoing call (webhook deliveries, partner calls), and the River middleware that
// carries a request's trace context into the jobs it enqueues and gives each job a span.
//
// What is never put in a span: request or response bodies, query strings, URL paths of outgoing
// calls, headers, job arguments, error texts and SQL arguments. Spans carry route patterns, ids,
// statuses, job kinds and queues, outcomes, and the host of an outgoing call. The database spans
// are the store's own (package store, which may import no other package of kycd).
package tracing
