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

// initJobs lets s insert jobs, with webhook's delivery rules (no worker runs them here).
func initJobs(tb testing.TB, s *store.Store) {
	tb.Helper()
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(context.Context, *river.Job[webhook.DeliveryArgs]) error { return nil }))
	if err := s.InitJobs(store.JobsConfig{Workers: workers, Webhooks: webhook.Rules{}}); err != nil {
		tb.Fatal(err)
	}
}

// newWebhook subscribes an enabled webhook of env to events (none: every event).
func newWebhook(tb testing.TB, s *store.Store, env kyc.Env, events ...string) store.Webhook {
	tb.Helper()
	w := store.Webhook{ID: kyc.NewID(kyc.PrefixWebhook), Env: env, URL: "https://example.com/hook", Events: events, Enabled: true,
		Secrets: []store.WebhookSecret{{Secret: "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0", Created: time.Now()}}}
	if err := s.CreateWebhook(context.Background(), &w, audit("webhook.create", w.ID)); err != nil {
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
func deliveries(tb testing.TB, s *store.Store, env kyc.Env, webhookID string) []store.WebhookDelivery {
	tb.Helper()
	p, err := s.ListWebhookDeliveries(context.Background(), env, webhookID, "", "", store.MaxPageSize)
	if err != nil {
		tb.Fatal(err)
	}
	return p.Items
}
