package auth_test

import (
	"errors"
	"testing"

	"kycd/internal/auth"
	"kycd/internal/kyc"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// TestKeys: a created key is found by its secret, with its audit entry, on both databases; a
// malformed or unknown secret is not.
func TestKeys(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		keys := auth.NewKeys(st)
		secret, k, err := auth.NewAPIKey(ctx, keys, kyc.EnvLive, " ops ", "cli:test")
		if err != nil {
			t.Fatal(err)
		}
		got, err := auth.VerifyAPIKey(ctx, keys, secret)
		if err != nil || got.ID != k.ID || got.Env != kyc.EnvLive || got.Name != "ops" || got.Hint != secret[len(secret)-4:] || got.CreatedAt.IsZero() {
			t.Fatalf("verify: %+v, %v; created %+v", got, err, k)
		}
		if trail, err := st.AuditTrail(ctx, kyc.EnvLive, k.ID); err != nil || len(trail) != 1 || trail[0].Action != "api-key.create" || trail[0].Actor != "cli:test" {
			t.Fatalf("audit trail: %+v, %v", trail, err)
		}
		for _, bad := range []string{"", "kycd_live_", secret + "x", "kycd_test_" + secret[len("kycd_live_"):], "Bearer " + secret} {
			if _, err := auth.VerifyAPIKey(ctx, keys, bad); !errors.Is(err, kyc.ErrUnauthenticated) {
				t.Fatalf("verify %q: %v, want unauthenticated", bad, err)
			}
		}
		if _, _, err := auth.NewAPIKey(ctx, keys, "prod", "x", "cli:test"); err == nil {
			t.Fatal("a key of an unknown environment was created")
		}
	})
}
