package store_test

import (
	"testing"

	"kycd/internal/kyc"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// TestReviewCasesBackfill: what is in review when migration 00020 runs (a document in
// pending-review, a potential sanctions match) becomes an open case of the review queue, and
// nothing else does; the migration goes down and up again.
func TestReviewCasesBackfill(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		// The rows are written with today's code and schema, then the schema goes back to before
		// 00020 (the review tables go, the rows stay), as if they had been written then.
		a := newApplicant(t, s, kyc.EnvLive, "")
		_, inReview := newCase(t, s, a, "pending-review")
		newCase(t, s, a, "accepted")
		match := kyc.Screening{ID: kyc.NewID(kyc.PrefixScreening), Env: kyc.EnvLive, ApplicantID: a.ID, Reason: "applicant-created", Disposition: "potential-match",
			Hits: []kyc.ScreeningHit{}, Lists: []kyc.SanctionsList{}}
		clear := match
		clear.ID, clear.Disposition = kyc.NewID(kyc.PrefixScreening), "clear"
		for _, sc := range []*kyc.Screening{&match, &clear} {
			if err := s.CreateScreening(ctx, sc, audit("screening.create", sc.ID)); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.MigrateTo(ctx, 19); err != nil {
			t.Fatal(err)
		}
		for range 2 { // up, down, up
			if err := s.MigrateTo(ctx, 20); err != nil {
				t.Fatal(err)
			}
			rs, err := s.Query(ctx, `SELECT id, kind, subject_id, reason, status FROM review_cases WHERE env = 'live' ORDER BY id`)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for rs.Next() {
				var id, kind, subject, reason, status string
				if err := rs.Scan(&id, &kind, &subject, &reason, &status); err != nil {
					t.Fatal(err)
				}
				if !kyc.ValidID("rvc", id) {
					t.Errorf("case id %q is not a review case id", id)
				}
				got = append(got, kind+":"+subject+":"+reason+":"+status)
			}
			rs.Close()
			want := map[string]bool{"document:" + inReview.ID + ":document:open": true, "screening:" + match.ID + ":sanctions:open": true}
			if len(got) != 2 || !want[got[0]] || !want[got[1]] {
				t.Fatalf("cases after the migration: %v", got)
			}
			if err := s.MigrateTo(ctx, 19); err != nil {
				t.Fatal(err)
			}
		}
	})
}
