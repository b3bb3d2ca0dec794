package httpapi

import (
	"net/http"

	"go.opentelemetry.io/otel/trace"

	"kycd/internal/tracing"
)

// traceRequests makes one server span per request, named by its route pattern ("GET
// /v1/applicants/{id}"), with its method, route and status, and puts it in the request's context
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
			tracing.EndServerSpan(span, r.Method, route, status)
		}()
		next.ServeHTTP(rec, r.WithContext(ctx))
	})
}
