package app

import (
	"context"
	"testing"

	"kycd/internal/kyc"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// TestAnchorAuditWorker: the periodic job anchors the audit chains that moved, in both
// environments, and the log verifies after it.
func TestAnchorAuditWorker(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		for _, env := range []kyc.Env{kyc.EnvTest, kyc.EnvLive} {
			a := kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), Env: env, Type: "individual", Status: "unverified", Level: "L0"}
			if err := st.CreateApplicant(ctx, &a, store.Effects{Audit: kyc.AuditEntry{Actor: "key_test", Action: "applicant.create", ResourceType: "applicant", ResourceID: a.ID}}); err != nil {
				t.Fatal(err)
			}
		}
		if err := (&anchorAuditWorker{store: st}).Work(ctx, nil); err != nil {
			t.Fatal(err)
		}
		for _, env := range []kyc.Env{kyc.EnvTest, kyc.EnvLive} {
			// Nothing is left to anchor: the worker covered this environment's head.
			if n, err := st.AnchorAudit(ctx, env); err != nil || n != 0 {
				t.Fatalf("%s: %d heads left unanchored (%v)", env, n, err)
			}
			if err := st.VerifyAuditChain(ctx, env); err != nil {
				t.Fatal(err)
			}
		}
	})
}
