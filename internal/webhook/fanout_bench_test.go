package webhook

import (
	"context"
	"fmt"
	"testing"

	"kycd/internal/kyc"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// BenchmarkFanOut is one applicant creation (its row, audit entry, event, and a delivery and job
// per subscription) with 0, 20 (the default most per environment) and 500 subscriptions that
// want every event, on each database. Each creation touches a new resource, so every delivery
// is pending and has a job, the costliest case; the numbers are in bench/README.md.
func BenchmarkFanOut(b *testing.B) {
	for _, d := range storetest.Dialects {
		for _, n := range []int{0, 20, 500} {
			b.Run(fmt.Sprintf("%s/webhooks=%d", d, n), func(b *testing.B) {
				s := storetest.New(b, d)
				initJobs(b, s)
				for range n {
					w := Webhook{ID: kyc.NewID(kyc.PrefixWebhook), Env: kyc.EnvTest, URL: "https://example.com/hook", Enabled: true,
						Secrets: []Secret{{Secret: "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"}}}
					if err := NewRepository(s).Create(context.Background(), &w, effects("webhook.create", w.ID)); err != nil {
						b.Fatal(err)
					}
				}
				b.ResetTimer()
				for b.Loop() {
					a := kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), Env: kyc.EnvTest, Type: "individual", Status: "unverified", Level: "L0"}
					eff := effects("applicant.create", a.ID)
					eff.Events = []store.NewEvent{{Type: kyc.EventApplicantCreated, ResourceType: "applicant", ResourceID: a.ID}}
					if err := s.CreateApplicant(context.Background(), &a, eff); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
