package console_test

import (
	"crypto/ed25519"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"kycd/internal/erasure"
	"kycd/internal/kyc"
	"kycd/internal/people"
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

// TestConsoleErasure: an admin erases an applicant from its page, after typing its id; a wrong
// id, a legal hold (named), a missing CSRF token and a reviewer are refused with nothing erased;
// the erasure is audited with the admin as actor, and the page then shows the erased applicant.
func TestConsoleErasure(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, "")
		ctx := t.Context()
		d := inReview(t, st, kyc.EnvLive, kyc.Check{Name: "duplicate-face", Failed: true, Score: -40, Reason: "document-duplicate"})
		apl := d.ApplicantID
		page, action := "/console/applicants/live/"+apl, "/console/applicants/live/"+apl+"/erase"
		erased := func() bool {
			t.Helper()
			a, err := st.Applicant(ctx, kyc.EnvLive, apl)
			if err != nil {
				t.Fatal(err)
			}
			return a.ErasedTime != nil
		}
		root := e.admin("root@example.com")
		if pg := root.get(page); !strings.Contains(pg.body, `action="`+action+`"`) {
			t.Fatalf("the admin's applicant page has no erasure form: %s", pg.body)
		}
		if _, err := e.people.CreateUser(ctx, "cli:test", "rita@example.com", people.Reviewer, password); err != nil {
			t.Fatal(err)
		}
		rita := e.browser()
		wantRedirect(t, rita.signIn("rita@example.com", password), "/console/")
		if pg := rita.get(page); strings.Contains(pg.body, action) {
			t.Fatal("a reviewer is offered the erasure")
		}
		if a := rita.post(action, url.Values{"csrf": {rita.csrf(page)}, "confirm": {apl}}); a.status != http.StatusForbidden || erased() {
			t.Fatalf("a reviewer's erasure: %d, erased %v", a.status, erased())
		}
		if a := root.post(action, url.Values{"csrf": {root.csrf(page)}, "confirm": {"apl_wrong"}}); a.status != http.StatusUnprocessableEntity ||
			!strings.Contains(a.body, "Nothing was erased") || erased() {
			t.Fatalf("a wrong confirmation: %d, erased %v: %s", a.status, erased(), a.body)
		}
		svc := erasure.NewService(st, erasure.Config{SigningKey: ed25519.NewKeyFromSeed(make([]byte, 32))})
		if _, err := svc.PlaceHold(ctx, "test", kyc.EnvLive, apl, "ticket 9"); err != nil {
			t.Fatal(err)
		}
		if pg := root.get(page); strings.Contains(pg.body, `action="`+action+`"`) || !strings.Contains(pg.body, "refused while the legal hold") {
			t.Fatalf("the page under a hold: %s", pg.body)
		}
		if a := root.post(action, url.Values{"csrf": {root.csrf(page)}, "confirm": {apl}}); a.status != http.StatusConflict || !strings.Contains(a.body, "ticket 9") || erased() {
			t.Fatalf("an erasure under a hold: %d, erased %v: %s", a.status, erased(), a.body)
		}
		if err := svc.LiftHold(ctx, "test", kyc.EnvLive, apl); err != nil {
			t.Fatal(err)
		}
		if a := root.post(action, url.Values{"confirm": {apl}}); a.status/100 == 2 || erased() {
			t.Fatalf("an erasure without a CSRF token: %d, erased %v", a.status, erased())
		}
		a := root.post(action, url.Values{"csrf": {root.csrf(page)}, "confirm": {apl}})
		if a.status != http.StatusOK || !strings.Contains(a.body, "Erased:") || !strings.Contains(a.body, "Erased ") || !erased() {
			t.Fatalf("the erasure: %d, erased %v: %s", a.status, erased(), a.body)
		}
		trail, err := st.AuditTrail(ctx, kyc.EnvLive, apl)
		if err != nil {
			t.Fatal(err)
		}
		var by kyc.Actor
		for _, r := range trail {
			if r.Action == "applicant.erase" {
				by = r.Actor
			}
		}
		if by == "" || !strings.Contains(string(by), "user:") {
			t.Fatalf("the erasure's audit entry: actor %q in %+v", by, trail)
		}
	})
}

// TestConsoleShowsAScheduledErasure: an erasure scheduled with KYCD_ERASURE_DELAY shows on the
// applicant's page with when it is due and how to cancel it, and the erasure form is no longer
// offered; once cancelled, the page offers the form again.
func TestConsoleShowsAScheduledErasure(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, "")
		ctx := t.Context()
		apl := inReview(t, st, kyc.EnvLive).ApplicantID
		page, action := "/console/applicants/live/"+apl, "/console/applicants/live/"+apl+"/erase"
		root := e.admin("root@example.com")
		delayed := erasure.NewService(st, erasure.Config{SigningKey: ed25519.NewKeyFromSeed(make([]byte, 32)), Delay: 48 * time.Hour})
		er, err := delayed.Erase(ctx, "test", kyc.EnvLive, apl)
		if err != nil || er.Status != "scheduled" {
			t.Fatalf("a delayed erasure: %+v %v", er, err)
		}
		pg := root.get(page)
		due := er.DueTime.UTC().Format("2006-01-02 15:04")
		if pg.status != http.StatusOK || !strings.Contains(pg.body, "Erasure scheduled</strong> for "+due+" UTC") ||
			!strings.Contains(pg.body, "/v1/applicants/"+apl+"/erasure/cancel") || strings.Contains(pg.body, `action="`+action+`"`) {
			t.Fatalf("the page of an applicant whose erasure is scheduled for %s: %d %s", due, pg.status, pg.body)
		}
		if _, err := delayed.Cancel(ctx, "test", kyc.EnvLive, apl); err != nil {
			t.Fatal(err)
		}
		if pg := root.get(page); strings.Contains(pg.body, "Erasure scheduled") || !strings.Contains(pg.body, `action="`+action+`"`) {
			t.Fatalf("the page after the erasure was cancelled: %s", pg.body)
		}
	})
}
