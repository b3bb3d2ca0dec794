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

		// Its use is recorded; the list shows it, never a secret.
		list, err := keys.List(ctx, "")
		if err != nil || len(list) != 1 || list[0].ID != k.ID || list[0].Hash != "" || list[0].LastUsedAt == nil || list[0].RevokedAt != nil {
			t.Fatalf("list: %+v %v", list, err)
		}
		// Revoked, it authenticates nothing at once; revoking again, or from another environment,
		// is refused.
		if err := keys.Revoke(ctx, kyc.EnvTest, k.ID, "cli:test"); !errors.Is(err, kyc.ErrNotFound) {
			t.Fatalf("revoke from another environment: %v", err)
		}
		if err := keys.Revoke(ctx, kyc.EnvLive, k.ID, "cli:test"); err != nil {
			t.Fatal(err)
		}
		if _, err := auth.VerifyAPIKey(ctx, keys, secret); !errors.Is(err, kyc.ErrUnauthenticated) {
			t.Fatalf("a revoked key: %v", err)
		}
		if err := keys.Revoke(ctx, kyc.EnvLive, k.ID, "cli:test"); !errors.Is(err, kyc.ErrConflict) {
			t.Fatalf("revoking twice: %v", err)
		}
		if list, _ := keys.List(ctx, ""); list[0].RevokedAt == nil {
			t.Fatal("the list does not show the revocation")
		}
		if trail, _ := st.AuditTrail(ctx, kyc.EnvLive, k.ID); len(trail) != 2 || trail[1].Action != "api-key.revoke" {
			t.Fatalf("audit: %+v", trail)
		}
	})
}
