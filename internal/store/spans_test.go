package store_test

import (
	"context"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"kycd/internal/kyc"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// TestStatementSpans: a store call inside a recording span makes one child span per statement,
// named by its operation, with the database system and operation only (no statement text, no
// argument, although the arguments here are personal data); the same call outside any span makes
// none.
func TestStatementSpans(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
		rec := tracetest.NewSpanRecorder()
		tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
		ctx := context.Background()
		a := createApplicantWithEvent(t, s, kyc.EnvTest)
		if _, err := s.Applicant(ctx, kyc.EnvTest, a.ID); err != nil { // no span: no statement span
			t.Fatal(err)
		}
		if n := len(rec.Ended()); n != 0 {
			t.Fatalf("%d spans without a parent span", n)
		}

		ctx, parent := tp.Tracer("test").Start(ctx, "request")
		secret := "Quixotebury-1961"
		if _, err := s.Applicant(ctx, kyc.EnvTest, secret); err == nil {
			t.Fatal("an applicant with a made-up id was found")
		}
		if _, err := s.Applicant(ctx, kyc.EnvTest, a.ID); err != nil {
			t.Fatal(err)
		}
		parent.End()

		system := map[store.Dialect]string{store.SQLite: "sqlite", store.Postgres: "postgresql"}[s.Dialect()]
		statements := 0
		for _, sp := range rec.Ended() {
			if sp.Name() == "request" {
				continue
			}
			statements++
			if sp.Parent().SpanID() != parent.SpanContext().SpanID() {
				t.Errorf("statement span %q is not a child of the caller's span", sp.Name())
			}
			keys := map[string]string{}
			for _, kv := range sp.Attributes() {
				keys[string(kv.Key)] = kv.Value.String()
				if strings.Contains(kv.Value.String(), secret) || strings.Contains(kv.Value.String(), a.ID) {
					t.Errorf("span %q attribute %s holds an argument: %s", sp.Name(), kv.Key, kv.Value.String())
				}
			}
			if len(keys) != 2 || keys["db.system.name"] != system || keys["db.operation.name"] != sp.Name() {
				t.Errorf("span %q attributes %v, want db.system.name %s and db.operation.name only", sp.Name(), keys, system)
			}
		}
		if statements < 2 {
			t.Errorf("%d statement spans for two reads", statements)
		}
	})
}
