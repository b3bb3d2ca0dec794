package request

import (
	"context"
	"testing"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// TestExpire: a request that waits for the end user past its expirationTime expires once, with
// its audit entry and event; running the expiry again, or before the time, changes nothing.
func TestExpire(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), Env: kyc.EnvTest, Type: "individual", Status: "unverified", Level: "L0"}
		eff := func(action, id string) store.Effects {
			return store.Effects{Audit: kyc.AuditEntry{Actor: "key_test", Action: action, ResourceType: "test", ResourceID: id}}
		}
		if err := s.CreateApplicant(ctx, &a, eff("applicant.create", a.ID)); err != nil {
			t.Fatal(err)
		}
		due := time.Now().Add(time.Hour)
		r := kyc.Request{ID: kyc.NewID(kyc.PrefixRequest), Env: kyc.EnvTest, ApplicantID: a.ID, Status: "gathering", MatchLevel: 2, Level: "L1",
			Documents: []kyc.RequestDocument{{Type: "identity-proof", MaxAttempts: 3}}, ExpirationTime: due}
		if err := s.CreateRequest(ctx, &r, eff("kyc-request.create", r.ID)); err != nil {
			t.Fatal(err)
		}
		if changed, err := Expire(ctx, s, kyc.EnvTest, r.ID, due.Add(-time.Minute), "system:test"); err != nil || changed {
			t.Fatalf("expire before the time: %v %v", changed, err)
		}
		if changed, err := Expire(ctx, s, kyc.EnvTest, r.ID, due, "system:test"); err != nil || !changed {
			t.Fatalf("expire: %v %v", changed, err)
		}
		if changed, err := Expire(ctx, s, kyc.EnvTest, r.ID, due, "system:test"); err != nil || changed {
			t.Fatalf("expire twice changed it again: %v %v", changed, err)
		}
		got, err := s.Request(ctx, kyc.EnvTest, r.ID)
		if err != nil || got.Status != "expired" || got.Revision != 1 {
			t.Fatalf("request after expiry: %v %+v", err, got)
		}
		evs, err := s.ListEvents(ctx, kyc.EnvTest, store.EventFilter{Type: kyc.EventRequestExpired, ResourceID: r.ID}, "", 10)
		if err != nil || len(evs.Items) != 1 || evs.Items[0].Revision != 1 {
			t.Fatalf("request-expired events: %v %+v", err, evs.Items)
		}
	})
}
