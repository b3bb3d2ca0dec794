package tracing

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// TestFromEnv: tracing is on only with an OTLP endpoint, and OTEL_SDK_DISABLED turns it off.
func TestFromEnv(t *testing.T) {
	for _, c := range []struct {
		endpoint, traces, disabled string
		on                         bool
	}{
		{on: false},
		{endpoint: "http://127.0.0.1:4318", on: true},
		{traces: "http://127.0.0.1:4318/v1/traces", on: true},
		{endpoint: "http://127.0.0.1:4318", disabled: "true", on: false},
	} {
		t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", c.endpoint)
		t.Setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", c.traces)
		t.Setenv("OTEL_SDK_DISABLED", c.disabled)
		p, err := FromEnv(context.Background(), "test")
		if err != nil {
			t.Fatal(err)
		}
		_, span := p.Tracer("t").Start(context.Background(), "s")
		if p.Enabled() != c.on || span.IsRecording() != c.on {
			t.Errorf("%+v: enabled %v, recording %v", c, p.Enabled(), span.IsRecording())
		}
		// The span is not ended, so the shutdown has nothing to send to the address (where no
		// collector listens).
		if err := p.Shutdown(context.Background()); err != nil {
			t.Errorf("%+v: shutdown: %v", c, err)
		}
	}
}

// recorder returns a provider whose ended spans rec holds.
func recorder() (*sdktrace.TracerProvider, *tracetest.SpanRecorder) {
	rec := tracetest.NewSpanRecorder()
	return sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)), rec
}

// TestRiverMiddleware: a job inserted under a span carries its trace context in its metadata,
// beside the metadata it had, and its work span is that span's child, with the job's kind, id,
// queue, attempt and outcome; an error's text stays out of the span.
func TestRiverMiddleware(t *testing.T) {
	t.Parallel()
	tp, rec := recorder()
	m := RiverMiddleware(tp).(*riverMiddleware)
	ctx, parent := tp.Tracer("t").Start(context.Background(), "request")
	params := []*rivertype.JobInsertParams{{Kind: "a", Metadata: []byte(`{"keep":1}`)}, {Kind: "b"}}
	if _, err := m.InsertMany(ctx, params, func(context.Context) ([]*rivertype.JobInsertResult, error) { return nil, nil }); err != nil {
		t.Fatal(err)
	}
	parent.End()
	var meta map[string]any
	if err := json.Unmarshal(params[0].Metadata, &meta); err != nil || meta["keep"] != float64(1) ||
		!strings.Contains(meta["traceparent"].(string), parent.SpanContext().TraceID().String()) {
		t.Fatalf("metadata %s (%v)", params[0].Metadata, err)
	}

	job := &rivertype.JobRow{ID: 42, Kind: "b", Queue: "q", Attempt: 2, Metadata: params[1].Metadata}
	err := m.Work(context.Background(), job, func(ctx context.Context) error {
		return river.JobCancel(errors.New("Anna Eriksson is gone"))
	})
	if err == nil {
		t.Fatal("the job's error was lost")
	}
	var work sdktrace.ReadOnlySpan
	for _, s := range rec.Ended() {
		if s.Name() == "river.work/b" {
			work = s
		}
	}
	if work == nil || work.Parent().SpanID() != parent.SpanContext().SpanID() || work.SpanContext().TraceID() != parent.SpanContext().TraceID() {
		t.Fatalf("work span %v is not the child of the inserting span", work)
	}
	got := map[string]string{}
	for _, kv := range work.Attributes() {
		got[string(kv.Key)] = kv.Value.String()
	}
	want := map[string]string{"messaging.system": "river", "river.job.kind": "b", "river.job.id": "42", "river.job.queue": "q",
		"river.job.attempt": "2", "river.job.outcome": "cancel"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if strings.Contains(work.Status().Description, "Anna") {
		t.Errorf("the error's text is in the span: %q", work.Status().Description)
	}

	// A panic goes on, its span ended and marked.
	func() {
		defer func() {
			if p := recover(); p != "boom" {
				t.Errorf("recovered %v, want the job's panic", p)
			}
		}()
		_ = m.Work(context.Background(), &rivertype.JobRow{ID: 43, Kind: "p"}, func(context.Context) error { panic("boom") })
	}()
	panicked := 0
	for _, s := range rec.Ended() {
		if s.Name() == "river.work/p" {
			panicked++
			if outcome, _ := attrOf(s, "river.job.outcome"); outcome != "panic" {
				t.Errorf("panicking job's outcome %q", outcome)
			}
		}
	}
	if panicked != 1 {
		t.Errorf("%d spans for the panicking job", panicked)
	}

	// Metadata that is not an object is left alone, and a traceparent that does not parse links
	// the job to no trace.
	if got := withTraceContext([]byte(`[1]`), map[string]string{"traceparent": "x"}); string(got) != `[1]` {
		t.Errorf("non-object metadata became %s", got)
	}
	if sc := enqueuedBy([]byte(`{"traceparent":"garbage"}`)); sc.IsValid() {
		t.Errorf("a garbage traceparent gave %v", sc)
	}
}

// TestTransport: a call made under a span gets a client span with the method, host, port and
// status, never the path or query, and carries traceparent; a call outside any span carries none.
func TestTransport(t *testing.T) {
	t.Parallel()
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Header.Get("Traceparent"))
		w.WriteHeader(http.StatusTeapot)
	}))
	defer srv.Close()
	tp, rec := recorder()
	hc := &http.Client{Transport: Transport(nil)}
	call := func(ctx context.Context) {
		req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL+"/hook/secret-path?token=secret-query", nil)
		res, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if req.Header.Get("Traceparent") != "" {
			t.Error("the caller's request was changed")
		}
	}
	call(context.Background())
	ctx, parent := tp.Tracer("t").Start(context.Background(), "job")
	call(ctx)
	parent.End()
	if len(got) != 2 || got[0] != "" || !strings.Contains(got[1], parent.SpanContext().TraceID().String()) {
		t.Fatalf("traceparents sent: %q", got)
	}
	spans := rec.Ended()
	if len(spans) != 2 {
		t.Fatalf("%d spans, want the job's and its call's", len(spans))
	}
	client := spans[0]
	if client.SpanKind() != trace.SpanKindClient || client.Parent().SpanID() != parent.SpanContext().SpanID() {
		t.Fatalf("client span %q kind %v parent %v", client.Name(), client.SpanKind(), client.Parent())
	}
	attrs := map[string]string{}
	for _, kv := range client.Attributes() {
		if strings.Contains(kv.Value.String(), "secret") {
			t.Errorf("%s = %s", kv.Key, kv.Value.String())
		}
		attrs[string(kv.Key)] = kv.Value.String()
	}
	u, _ := url.Parse(srv.URL)
	for key, want := range map[string]string{"http.request.method": "POST", "server.address": u.Hostname(), "server.port": u.Port(),
		"http.response.status_code": strconv.Itoa(http.StatusTeapot)} {
		if got, ok := attrs[key]; !ok || got != want {
			t.Errorf("client span %s = %q (present %v), want %q", key, got, ok, want)
		}
	}
}

// TestExternalTransport: a call to a third party under a span gets its client span but sends no
// traceparent.
func TestExternalTransport(t *testing.T) {
	t.Parallel()
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Header.Get("Traceparent")+r.Header.Get("Tracestate"))
	}))
	defer srv.Close()
	tp, rec := recorder()
	ctx, parent := tp.Tracer("t").Start(context.Background(), "job")
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/list.xml", nil)
	res, err := (&http.Client{Transport: ExternalTransport(nil)}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	parent.End()
	if len(got) != 1 || got[0] != "" {
		t.Fatalf("trace context sent to a third party: %q", got)
	}
	spans := rec.Ended()
	if len(spans) != 2 || spans[0].SpanKind() != trace.SpanKindClient || spans[0].Parent().SpanID() != parent.SpanContext().SpanID() {
		t.Fatalf("spans: %d, the first %v", len(spans), spans)
	}
}

// TestEnabled: kycd installs its middleware only for a provider that may record.
func TestEnabled(t *testing.T) {
	t.Parallel()
	sdk, _ := recorder()
	for _, c := range []struct {
		tp   trace.TracerProvider
		want bool
	}{{nil, false}, {noop.NewTracerProvider(), false}, {Off(), false}, {&Provider{TracerProvider: sdk, sdk: sdk}, true}, {sdk, true}} {
		if got := Enabled(c.tp); got != c.want {
			t.Errorf("Enabled(%T) = %v, want %v", c.tp, got, c.want)
		}
	}
}

func attrOf(s sdktrace.ReadOnlySpan, k string) (string, bool) {
	for _, kv := range s.Attributes() {
		if string(kv.Key) == k {
			return kv.Value.String(), true
		}
	}
	return "", false
}
