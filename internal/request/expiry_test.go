package request

import (
	"context"
	"slices"
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
		if found, err := s.OverdueRequests(ctx, expiring, due, 1000); err != nil || !slices.ContainsFunc(found, func(o store.OverdueRequest) bool { return o.ID == r.ID }) {
			t.Fatalf("the sweep does not find the gathering request due: %v %v", found, err)
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
		// The sweep's query finds a request only while it waits for the end user.
		for _, tt := range []struct {
			statuses []string
			at       time.Time
			want     int
		}{{expiring, due, 0}, {[]string{"expired"}, due, 1}, {[]string{"expired"}, due.Add(-time.Minute), 0}, {nil, due, 0}} {
			found, err := s.OverdueRequests(ctx, tt.statuses, tt.at, 10)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, o := range found {
				if o.ID == r.ID {
					n++
				}
			}
			if n != tt.want {
				t.Errorf("OverdueRequests(%v, %v) found the request %d times, want %d", tt.statuses, tt.at, n, tt.want)
			}
		}
		evs, err := s.ListEvents(ctx, kyc.EnvTest, store.EventFilter{Type: kyc.EventRequestExpired, ResourceID: r.ID}, "", 10)
		if err != nil || len(evs.Items) != 1 || evs.Items[0].Revision != 1 {
			t.Fatalf("request-expired events: %v %+v", err, evs.Items)
		}
	})
}

// TestSweepLooksForEveryExpiringStatus: the sweep asks the store for exactly the statuses in
// which Expire expires a request.
func TestSweepLooksForEveryExpiringStatus(t *testing.T) {
	t.Parallel()
	if want := []string{"gathering", "attempted", "partial"}; !slices.Equal(expiring, want) {
		t.Fatalf("expiring = %v, want %v", expiring, want)
	}
}
