package store_test

import (
	"strings"
	"testing"

	"kycd/internal/kyc"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// TestDecisionAuditsWhatItChanged: a decision that moves the request or the applicant must name
// them in its audit entries (request.Decided does); one that does not is refused whole.
func TestDecisionAuditsWhatItChanged(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		initJobs(t, st)
		a := newApplicant(t, st, kyc.EnvTest, "")
		r, doc := newCase(t, st, a, "pending")
		before, err := st.AuditLength(ctx, kyc.EnvTest)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name   string
			change func(c *store.Case)
		}{
			{"request", func(c *store.Case) { c.Request.Status = "pending-review" }},
			{"applicant", func(c *store.Case) { c.Applicant.Status = "pending-review" }},
		} {
			_, err := st.DecideDocument(ctx, kyc.EnvTest, doc.ID, func(k *store.Case) (store.Effects, error) {
				k.Document.Status = "pending-review"
				c.change(k)
				return audit("kyc-document.review", doc.ID), nil
			})
			if err == nil || !strings.Contains(err.Error(), "without an audit entry") {
				t.Fatalf("%s changed without its audit entry: %v", c.name, err)
			}
		}
		if d, err := st.Document(ctx, kyc.EnvTest, doc.ID); err != nil || d.Status != "pending" {
			t.Fatalf("document after the refused decisions: %+v %v", d, err)
		}
		if got, err := st.Request(ctx, kyc.EnvTest, r.ID); err != nil || got.Status != "gathering" {
			t.Fatalf("request after the refused decisions: %+v %v", got, err)
		}
		if n, err := st.AuditLength(ctx, kyc.EnvTest); err != nil || n != before {
			t.Fatalf("audit entries %d, want %d (%v)", n, before, err)
		}
		// Named, the same change is written.
		if _, err := st.DecideDocument(ctx, kyc.EnvTest, doc.ID, func(k *store.Case) (store.Effects, error) {
			k.Document.Status, k.Request.Status = "pending-review", "pending-review"
			eff := audit("kyc-document.review", doc.ID)
			eff.MoreAudit = []kyc.AuditEntry{{Actor: "key_test", Action: "kyc-request.advance", ResourceType: "kyc-request", ResourceID: r.ID}}
			return eff, nil
		}); err != nil {
			t.Fatal(err)
		}
	})
}
