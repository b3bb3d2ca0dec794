package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"kycd/internal/kyc"
	"kycd/internal/store"
	"kycd/internal/webhook"
)

// initJobs lets s insert jobs, with webhook's deliveries of events (no worker runs them here).
func initJobs(tb testing.TB, s *store.Store) {
	tb.Helper()
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(context.Context, *river.Job[webhook.DeliveryArgs]) error { return nil }))
	if err := s.InitJobs(store.JobsConfig{Workers: workers, Events: webhook.Deliveries{}}); err != nil {
		tb.Fatal(err)
	}
}

// newWebhook subscribes an enabled webhook of env to events (none: every event).
func newWebhook(tb testing.TB, s *store.Store, env kyc.Env, events ...string) webhook.Webhook {
	tb.Helper()
	w := webhook.Webhook{ID: kyc.NewID(kyc.PrefixWebhook), Env: env, URL: "https://example.com/hook", Events: events, Enabled: true,
		Secrets: []webhook.Secret{{Secret: "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0", Created: time.Now()}}}
	if err := webhook.NewRepository(s).Create(context.Background(), &w, audit("webhook.create", w.ID)); err != nil {
		tb.Fatal(err)
	}
	return w
}

// createApplicantWithEvent creates an applicant of env with its applicant-created event.
func createApplicantWithEvent(tb testing.TB, s *store.Store, env kyc.Env) kyc.Applicant {
	tb.Helper()
	a := kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), Env: env, Type: "individual", Status: "unverified", Level: "L0"}
	eff := audit("applicant.create", a.ID)
	eff.Events = []store.NewEvent{{Type: kyc.EventApplicantCreated, ResourceType: "applicant", ResourceID: a.ID}}
	if err := s.CreateApplicant(context.Background(), &a, eff); err != nil {
		tb.Fatal(err)
	}
	return a
}

// deliveries lists a webhook's deliveries.
func deliveries(tb testing.TB, s *store.Store, env kyc.Env, webhookID string) []webhook.Delivery {
	tb.Helper()
	p, err := webhook.NewRepository(s).ListDeliveries(context.Background(), env, webhookID, "", "", store.MaxPageSize)
	if err != nil {
		tb.Fatal(err)
	}
	return p.Items
}

// newCase gives applicant a a KYC request for an identity proof and one document of it, in status,
// with its file: what a decision transaction reads.
func newCase(tb testing.TB, s *store.Store, a kyc.Applicant, status string) (kyc.Request, kyc.Document) {
	tb.Helper()
	ctx := context.Background()
	f := kyc.File{ID: kyc.NewID(kyc.PrefixFile), Env: a.Env, ApplicantID: a.ID, Tag: "id-front", MIME: "image/png", Size: 10, SHA256: "ab", Width: 1, Height: 1, BlobKey: "k"}
	if err := s.CreateFile(ctx, &f, audit("file.create", f.ID)); err != nil {
		tb.Fatal(err)
	}
	r := kyc.Request{ID: kyc.NewID(kyc.PrefixRequest), Env: a.Env, ApplicantID: a.ID, Status: "gathering", MatchLevel: 2, Level: "L1",
		Documents: []kyc.RequestDocument{{Type: "identity-proof", MaxAttempts: 3}}, ExpirationTime: time.Now().Add(time.Hour)}
	if err := s.CreateRequest(ctx, &r, audit("kyc-request.create", r.ID)); err != nil {
		tb.Fatal(err)
	}
	doc := kyc.Document{ID: kyc.NewID(kyc.PrefixDocument), Env: a.Env, ApplicantID: a.ID, RequestID: r.ID, Type: "identity-proof",
		Subtype: "passport", FileIDs: []string{f.ID}, Status: status}
	if err := s.CreateDocument(ctx, &doc, audit("kyc-document.create", doc.ID), takesAny); err != nil {
		tb.Fatal(err)
	}
	return r, doc
}

// takesAny is a TakesDocument rule that lets every request take the document, for store tests
// that are not about the rule (package document's requestTakes is tested there).
func takesAny(kyc.Request, *kyc.Problems) {}
