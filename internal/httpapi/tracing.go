package httpapi

import (
	"net/http"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"kycd/internal/tracing"
)

// attrRequestID is the request id (X-Request-Id) of a request's span.
const attrRequestID = attribute.Key("kycd.request_id")

// traceRequests makes one server span per request, named by its route pattern ("GET
// /v1/applicants/{id}"), with its method, route, status and request id (X-Request-Id), and puts it in the request's context
// so that the statements, jobs and outgoing calls it causes are its children. The path, query,
// headers and bodies are never recorded: the route has wildcards where the path has ids. tp nil
// makes no span.
func traceRequests(next http.Handler, mux *http.ServeMux, tp trace.TracerProvider) http.Handler {
	if tp == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, span := tracing.ServerSpan(tp, r)
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			_, route := mux.Handler(r)
			status := rec.status
			if status == 0 {
				status = http.StatusOK
			}
			// The id observe gave the request (its log line's request_id), to go from a trace to the log.
			if id := w.Header().Get("X-Request-Id"); id != "" {
				span.SetAttributes(attrRequestID.String(id))
			}
			tracing.EndServerSpan(span, r.Method, route, status)
		}()
		next.ServeHTTP(rec, r.WithContext(ctx))
	})
}
