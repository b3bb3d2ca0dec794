package share_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"kycd/internal/share"
)

// TestPartnerCallsCarryNoTraceContext: a partner call made in a traced job gets its client span,
// but the partner, a third party, receives no traceparent.
func TestPartnerCallsCarryNoTraceContext(t *testing.T) {
	t.Parallel()
	var traceparent []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		traceparent = append(traceparent, r.Header.Get("Traceparent"))
		_, _ = io.WriteString(w, `{"code":"0"}`)
	}))
	defer srv.Close()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	ctx, job := tp.Tracer("test").Start(context.Background(), "share job")
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/kyc", nil)
	c := share.Client{Partner: "test", Log: slog.New(slog.DiscardHandler)}
	if _, err := c.Do(req, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	job.End()
	if len(traceparent) != 1 || traceparent[0] != "" {
		t.Fatalf("the partner received traceparent %q", traceparent)
	}
	if spans := rec.Ended(); len(spans) != 2 {
		t.Fatalf("%d spans, want the job's and its call's", len(spans))
	}
}
