package store_test

import (
	"context"
	"testing"

	"kycd/internal/kyc"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// forEachDatabaseDSN runs fn on a fresh, migrated database of each dialect, named by its DSN, so
// that the test can open it as several processes in turn.
func forEachDatabaseDSN(t *testing.T, fn func(t *testing.T, d store.Dialect, open func() *store.Store)) {
	t.Helper()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			dsn := storetest.NewDatabase(t, d)
			open := func() *store.Store {
				s, err := store.Open(context.Background(), dsn, storetest.Sealer(t))
				if err != nil {
					t.Fatal(err)
				}
				if err := s.Migrate(context.Background()); err != nil {
					t.Fatal(err)
				}
				return s
			}
			fn(t, d, open)
		})
	}
}

// TestIdempotencyClaimSurvivesCrash: a process that claimed a key and died before completing it
// (kill -9 between the two transactions) left the key "in progress" for 24 hours. The next process
// takes it over: with the resource the first committed, or with nothing to answer but a clean run.
func TestIdempotencyClaimSurvivesCrash(t *testing.T) {
	t.Parallel()
	forEachDatabaseDSN(t, func(t *testing.T, d store.Dialect, open func() *store.Store) {
		ctx := context.Background()
		first := open()
		if prev, err := first.ClaimIdempotencyKey(ctx, kyc.EnvTest, "committed", "POST", "/v1/applicants", ""); err != nil || prev != nil {
			t.Fatalf("first claim: %+v, %v", prev, err)
		}
		a := kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), Env: kyc.EnvTest, ExternalID: "u1", Type: "individual", Status: "unverified", Level: "L0"}
		eff := store.Effects{Audit: kyc.AuditEntry{Actor: "key_test", Action: "applicant.create", ResourceType: "applicant", ResourceID: a.ID}}
		if err := first.CreateApplicant(store.WithIdempotencyKey(ctx, kyc.EnvTest, "committed"), &a, eff); err != nil {
			t.Fatal(err)
		}
		if prev, err := first.ClaimIdempotencyKey(ctx, kyc.EnvTest, "lost", "POST", "/v1/applicants", ""); err != nil || prev != nil {
			t.Fatalf("first claim: %+v, %v", prev, err)
		}
		// A live owner keeps its claim, also against another process on PostgreSQL.
		if d == store.Postgres {
			other := open()
			prev, err := other.ClaimIdempotencyKey(ctx, kyc.EnvTest, "committed", "POST", "/v1/applicants", "")
			if err != nil || prev == nil || prev.TakenOver || prev.StatusCode != 0 {
				t.Fatalf("claim of a live process's key: %+v, %v; want in progress", prev, err)
			}
			_ = other.Close()
		}
		_ = first.Close() // the crash: the claims are never completed

		next := open()
		defer next.Close()
		prev, err := next.ClaimIdempotencyKey(ctx, kyc.EnvTest, "committed", "POST", "/v1/applicants", "")
		if err != nil || prev == nil || !prev.TakenOver || prev.ResourceType != "applicant" || prev.ResourceID != a.ID {
			t.Fatalf("claim after the crash: %+v, %v; want taken over with applicant %s", prev, err, a.ID)
		}
		prev, err = next.ClaimIdempotencyKey(ctx, kyc.EnvTest, "lost", "POST", "/v1/applicants", "")
		if err != nil || prev == nil || !prev.TakenOver || prev.ResourceID != "" {
			t.Fatalf("claim after the crash of a key that committed nothing: %+v, %v; want taken over, no resource", prev, err)
		}
		// Taken over, the key belongs to this process: a concurrent retry waits for it.
		prev, err = next.ClaimIdempotencyKey(ctx, kyc.EnvTest, "lost", "POST", "/v1/applicants", "")
		if err != nil || prev == nil || prev.TakenOver || prev.StatusCode != 0 {
			t.Fatalf("second claim after the takeover: %+v, %v; want in progress", prev, err)
		}
		// Another path with the same key is not a retry of the first request: no takeover.
		prev, err = next.ClaimIdempotencyKey(ctx, kyc.EnvTest, "committed", "POST", "/v1/files", "")
		if err != nil || prev == nil || prev.TakenOver {
			t.Fatalf("claim on another path: %+v, %v", prev, err)
		}
	})
}
