package console_test

import (
	"crypto/ed25519"
	"net/http"
	"strings"
	"testing"

	"kycd/internal/erasure"
	"kycd/internal/kyc"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// TestErasedApplicantPage: the applicant page says when an applicant is under a legal hold, and
// once it is erased shows that, with neither its name nor any image of its documents.
func TestErasedApplicantPage(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, "")
		ctx := t.Context()
		d := inReview(t, st, kyc.EnvLive, kyc.Check{Name: "duplicate-face", Failed: true, Score: -40, Reason: "document-duplicate"})
		a, err := st.UpdateApplicant(ctx, kyc.EnvLive, d.ApplicantID, func(a *kyc.Applicant) (store.Effects, error) {
			a.Profile.FirstName, a.Profile.LastName = "Quentin", "Zyxwvutsson"
			return audit("applicant.update", a.ID), nil
		})
		if err != nil {
			t.Fatal(err)
		}
		page := "/console/applicants/live/" + d.ApplicantID
		root := e.admin("root@example.com")
		if pg := root.get(page); pg.status != http.StatusOK || !strings.Contains(pg.body, a.Profile.LastName) || !strings.Contains(pg.body, "<img") {
			t.Fatalf("the applicant page before: %d %s", pg.status, pg.body)
		}

		svc := erasure.NewService(st, erasure.Config{SigningKey: ed25519.NewKeyFromSeed(make([]byte, 32))})
		if _, err := svc.PlaceHold(ctx, "test", kyc.EnvLive, d.ApplicantID, "ticket 7"); err != nil {
			t.Fatal(err)
		}
		if pg := root.get(page); !strings.Contains(pg.body, "Legal hold") || !strings.Contains(pg.body, "ticket 7") {
			t.Errorf("the page does not show the hold: %s", pg.body)
		}
		if err := svc.LiftHold(ctx, "test", kyc.EnvLive, d.ApplicantID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Erase(ctx, "test", kyc.EnvLive, d.ApplicantID); err != nil {
			t.Fatal(err)
		}
		pg := root.get(page)
		if pg.status != http.StatusOK || !strings.Contains(pg.body, "Erased ") || strings.Contains(pg.body, a.Profile.LastName) || strings.Contains(pg.body, "<img") ||
			strings.Contains(pg.body, "Legal hold") {
			t.Errorf("the erased applicant's page: %d %s", pg.status, pg.body)
		}
	})
}
