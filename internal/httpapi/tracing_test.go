package httpapi_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"kycd/internal/app"
	"kycd/internal/store/storetest"
	"kycd/internal/webhook"
)

// TestTracingOneJourney runs one journey through the real API, River and a webhook receiver with
// an in-memory span recorder, on each database, and checks that its spans link up: a server span
// per request named by its route with its status; the verification job's span a child of the
// request that created the document (same trace), with its stages and their statements under it;
// statement spans under the requests; the webhook delivery job in the same trace, with a client
// span for its POST whose trace context reached the receiver. No attribute, name or status of any
// span holds a personal value of the journey, the API key, or the webhook URL's path and query.
func TestTracingOneJourney(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			rec := tracetest.NewSpanRecorder()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
			e := newEnvWith(t, d, func(c *app.Config) {
				c.Webhooks = webhook.Config{Retries: fastRetries, AllowPrivate: true}
				c.Tracing = tp
			})
			hooks := newReceiver(t, nil)
			e.mustWebhook(e.testKey, hooks.srv.URL+"/hook/pathsecret-4711?token=querysecret-4712", "kyc-document-accepted")

			personal := []string{"Zebulon", "Quixotebury", "1961-02-03", "zebulon.q@example.org", "Vientiane Lane 9", "TEST-ACCEPT",
				e.testKey, "pathsecret-4711", "querysecret-4712"}
			r := e.json("POST", "/v1/applicants", e.testKey, `{"email":"zebulon.q@example.org","profile":{"firstName":"Zebulon",
				"lastName":"Quixotebury","dateOfBirth":"1961-02-03","nationality":"TH"},"addresses":[{"type":"residential","line1":"Vientiane Lane 9","country":"TH"}]}`)
			if r.Status != http.StatusCreated {
				t.Fatalf("applicant: %d %s", r.Status, r.Raw)
			}
			apl := r.str("id")
			file := e.mustFile(e.testKey, apl)
			body, _ := json.Marshal(map[string]any{"applicantId": apl, "type": "identity-proof", "subtype": "passport", "fileIds": []string{file},
				"identification": map[string]string{"number": "TEST-ACCEPT", "holderName": "Zebulon Quixotebury"}})
			r = e.json("POST", "/v1/kyc-documents", e.testKey, string(body))
			if r.Status != http.StatusCreated {
				t.Fatalf("document: %d %s", r.Status, r.Raw)
			}
			doc := r.str("id")
			e.waitStatus("/v1/kyc-documents/"+doc, "accepted")
			// A query string with a personal value: never in a span.
			e.json("GET", "/v1/applicants?email=zebulon.q@example.org", e.testKey, "")
			arrived := hooks.delivered(e.eventOf(e.testKey, "kyc-document-accepted", doc))

			// The delivery job's span ends after the receiver answered: wait for it.
			waitFor(t, "the webhook delivery job's span", func() bool {
				return len(named(rec.Ended(), "river.work/webhook_delivery")) > 0
			})
			spans := rec.Ended()

			byID := map[trace.SpanID]sdktrace.ReadOnlySpan{}
			for _, s := range spans {
				byID[s.SpanContext().SpanID()] = s
			}
			// under reports whether s descends from ancestor.
			under := func(s, ancestor sdktrace.ReadOnlySpan) bool {
				for p, ok := s, true; ok; p, ok = byID[p.Parent().SpanID()] {
					if p.Parent().SpanID() == ancestor.SpanContext().SpanID() {
						return true
					}
				}
				return false
			}
			dbUnder := func(ancestor sdktrace.ReadOnlySpan) int {
				n := 0
				for _, s := range spans {
					if _, ok := attr(s, "db.system.name"); ok && under(s, ancestor) {
						n++
					}
				}
				return n
			}

			// Server spans: named by route, with route and status.
			createApplicant := one(t, spans, "POST /v1/applicants")
			if v, _ := attr(createApplicant, "http.response.status_code"); v.AsInt64() != 201 || createApplicant.SpanKind() != trace.SpanKindServer {
				t.Errorf("POST /v1/applicants span: status %v kind %v", v, createApplicant.SpanKind())
			}
			if v, _ := attr(createApplicant, "http.route"); v.AsString() != "POST /v1/applicants" {
				t.Errorf("POST /v1/applicants http.route = %q", v.AsString())
			}
			if v, _ := attr(createApplicant, "kycd.request_id"); len(v.AsString()) != 16 {
				t.Errorf("POST /v1/applicants kycd.request_id = %q", v.AsString())
			}
			if n := dbUnder(createApplicant); n == 0 {
				t.Errorf("no database span under POST /v1/applicants")
			}
			one(t, spans, "POST /v1/files")
			if gets := named(spans, "GET /v1/kyc-documents/{id}"); len(gets) == 0 {
				t.Errorf("no span named by the route GET /v1/kyc-documents/{id}; span names: %v", names(spans))
			}
			createDoc := one(t, spans, "POST /v1/kyc-documents")

			// The verification job: a child of the request that enqueued it, with its stages.
			verify := one(t, spans, "river.work/kyc_document_verify")
			if verify.Parent().SpanID() != createDoc.SpanContext().SpanID() || verify.SpanContext().TraceID() != createDoc.SpanContext().TraceID() {
				t.Errorf("verification job span's parent %v, want the request's span %v", verify.Parent(), createDoc.SpanContext())
			}
			for k, want := range map[string]string{"river.job.kind": "kyc_document_verify", "river.job.queue": "verify", "river.job.outcome": "ok"} {
				if v, _ := attr(verify, attribute.Key(k)); v.AsString() != want {
					t.Errorf("verification job %s = %q, want %q", k, v.AsString(), want)
				}
			}
			for _, k := range []attribute.Key{"river.job.id", "river.job.attempt"} {
				if v, ok := attr(verify, k); !ok || v.AsInt64() <= 0 {
					t.Errorf("verification job %s = %v", k, v)
				}
			}
			for _, stage := range []string{"verify.gather", "verify.checks", "verify.decide"} {
				s := one(t, spans, stage)
				if s.Parent().SpanID() != verify.SpanContext().SpanID() {
					t.Errorf("%s is not a child of the verification job's span", stage)
				}
			}
			if v, _ := attr(one(t, spans, "verify.decide"), "kycd.document.outcome"); v.AsString() != "accepted" {
				t.Errorf("verify.decide outcome %q", v.AsString())
			}
			if n := dbUnder(verify); n == 0 {
				t.Errorf("no database span under the verification job")
			}

			// The webhook delivery: same trace, a client span for the POST, whose traceparent
			// reached the receiver.
			var delivery sdktrace.ReadOnlySpan
			for _, s := range named(spans, "river.work/webhook_delivery") {
				if s.SpanContext().TraceID() == createDoc.SpanContext().TraceID() {
					delivery = s
				}
			}
			if delivery == nil {
				t.Fatalf("no webhook delivery span in the request's trace %v", createDoc.SpanContext().TraceID())
			}
			if !under(delivery, verify) {
				t.Errorf("the webhook delivery job does not descend from the verification that enqueued it")
			}
			var post sdktrace.ReadOnlySpan
			for _, s := range named(spans, "POST") {
				if s.SpanKind() == trace.SpanKindClient && s.Parent().SpanID() == delivery.SpanContext().SpanID() {
					post = s
				}
			}
			if post == nil {
				t.Fatalf("no client span under the delivery job")
			}
			if v, _ := attr(post, "http.response.status_code"); v.AsInt64() != 200 {
				t.Errorf("delivery POST span status %v", v)
			}
			if tp := arrived[len(arrived)-1].Header.Get("Traceparent"); !strings.Contains(tp, createDoc.SpanContext().TraceID().String()) {
				t.Errorf("receiver got traceparent %q, want the journey's trace %s", tp, createDoc.SpanContext().TraceID())
			}

			// Nothing personal anywhere.
			for _, s := range spans {
				for _, text := range spanTexts(s) {
					for _, p := range personal {
						if strings.Contains(strings.ToLower(text), strings.ToLower(p)) {
							t.Errorf("span %q holds %q: %s", s.Name(), p, text)
						}
					}
				}
			}
		})
	}
}

// spanTexts is everything a span would export as text: name, status, attributes, events, links.
func spanTexts(s sdktrace.ReadOnlySpan) []string {
	out := []string{s.Name(), s.Status().Description}
	add := func(kvs []attribute.KeyValue) {
		for _, kv := range kvs {
			out = append(out, string(kv.Key)+"="+kv.Value.String())
		}
	}
	add(s.Attributes())
	for _, ev := range s.Events() {
		out = append(out, ev.Name)
		add(ev.Attributes)
	}
	for _, l := range s.Links() {
		add(l.Attributes)
	}
	return out
}

func named(spans []sdktrace.ReadOnlySpan, name string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range spans {
		if s.Name() == name {
			out = append(out, s)
		}
	}
	return out
}

func names(spans []sdktrace.ReadOnlySpan) []string {
	var out []string
	for _, s := range spans {
		if !slices.Contains(out, s.Name()) {
			out = append(out, s.Name())
		}
	}
	return out
}

// one is the only span named name.
func one(t *testing.T, spans []sdktrace.ReadOnlySpan, name string) sdktrace.ReadOnlySpan {
	t.Helper()
	got := named(spans, name)
	if len(got) != 1 {
		t.Fatalf("%d spans named %q, want 1; span names: %v", len(got), name, names(spans))
	}
	return got[0]
}

func attr(s sdktrace.ReadOnlySpan, k attribute.Key) (attribute.Value, bool) {
	for _, kv := range s.Attributes() {
		if kv.Key == k {
			return kv.Value, true
		}
	}
	return attribute.Value{}, false
}
