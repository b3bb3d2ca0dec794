package console_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"kycd/internal/kyc"
	"kycd/internal/people"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

func audit(action, id string) store.Effects {
	return store.Effects{Audit: kyc.AuditEntry{Actor: "key_test", Action: action, ResourceType: "test", ResourceID: id}}
}

// inReview puts a new document of a new applicant of env in pending-review, as a decision does,
// with checks; the review queue opens its case in that transaction.
func inReview(t *testing.T, st *store.Store, env kyc.Env, checks ...kyc.Check) kyc.Document {
	t.Helper()
	ctx := t.Context()
	a := kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), Env: env, Type: "individual", Status: "unverified", Level: "L1"}
	if err := st.CreateApplicant(ctx, &a, audit("applicant.create", a.ID)); err != nil {
		t.Fatal(err)
	}
	f := kyc.File{ID: kyc.NewID(kyc.PrefixFile), Env: env, ApplicantID: a.ID, Tag: "id-front", MIME: "image/png", Size: 10, SHA256: "ab", Width: 1, Height: 1, BlobKey: "k"}
	if err := st.CreateFile(ctx, &f, audit("file.create", f.ID)); err != nil {
		t.Fatal(err)
	}
	d := kyc.Document{ID: kyc.NewID(kyc.PrefixDocument), Env: env, ApplicantID: a.ID, Type: "identity-proof", Subtype: "passport", FileIDs: []string{f.ID}, Status: "pending"}
	if err := st.CreateDocument(ctx, &d, audit("kyc-document.create", d.ID), nil); err != nil {
		t.Fatal(err)
	}
	d, err := st.DecideDocument(ctx, env, d.ID, func(c *store.Case) (store.Effects, error) {
		c.Document.Status, c.Document.CheckList = "pending-review", checks
		c.Document.Decision = &kyc.Decision{Level: "L1", Outcome: "pending-review"}
		eff := audit("kyc-document.decide", d.ID)
		eff.Events = []store.NewEvent{{Type: kyc.EventDocumentPendingReview, ResourceType: "kyc-document", ResourceID: d.ID}}
		return eff, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

var caseID = regexp.MustCompile(`<code>(rvc_[0-9A-Z]+)</code>`)

// TestQueue: the queue shows each environment's open cases with counts per reason; a viewer sees
// but cannot act; a reviewer claims a case, which another then cannot take; an approver assigns;
// a snoozed case leaves the queue; filters narrow it.
func TestQueue(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, "")
		ctx := t.Context()
		for _, p := range []struct {
			email string
			role  people.Role
		}{{"vic@example.com", people.Viewer}, {"rita@example.com", people.Reviewer}, {"rob@example.com", people.Reviewer}, {"amy@example.com", people.Approver}} {
			if _, err := e.people.CreateUser(ctx, "cli:test", p.email, p.role, password); err != nil {
				t.Fatal(err)
			}
		}
		first := inReview(t, st, kyc.EnvLive)
		second := inReview(t, st, kyc.EnvLive, kyc.Check{Name: "duplicate-face", Failed: true})
		testOnly := inReview(t, st, kyc.EnvTest)

		signedIn := func(email string) *browser {
			b := e.browser()
			wantRedirect(t, b.signIn(email, password), "/console/")
			return b
		}
		vic := signedIn("vic@example.com")
		q := vic.get("/console/")
		if q.status != http.StatusOK || !strings.Contains(q.body, first.ID) || !strings.Contains(q.body, second.ID) || strings.Contains(q.body, testOnly.ID) {
			t.Fatalf("the live queue: %d %s", q.status, q.body)
		}
		if strings.Index(q.body, first.ID) > strings.Index(q.body, second.ID) {
			t.Error("the queue is not oldest first")
		}
		if !strings.Contains(q.body, `<span class="n">1</span> duplicate-face`) || !strings.Contains(q.body, `<span class="n">1</span> document`) {
			t.Errorf("counts per reason missing: %s", q.body)
		}
		if strings.Contains(q.body, `value="claim"`) {
			t.Error("a viewer is offered to claim")
		}
		if tq := vic.get("/console/?env=test"); !strings.Contains(tq.body, testOnly.ID) || strings.Contains(tq.body, first.ID) {
			t.Fatalf("the test queue: %s", tq.body)
		}
		ids := caseID.FindAllStringSubmatch(q.body, -1)
		if len(ids) != 2 {
			t.Fatalf("case ids on the page: %v", ids)
		}
		firstCase := ids[0][1]
		act := func(b *browser, id string, form url.Values) answer {
			form.Set("csrf", b.csrf("/console/"))
			return b.post("/console/cases/live/"+id, form)
		}
		if a := act(vic, firstCase, url.Values{"action": {"claim"}}); a.status != http.StatusForbidden {
			t.Fatalf("a viewer claims: %d", a.status)
		}

		rita, rob := signedIn("rita@example.com"), signedIn("rob@example.com")
		if a := act(rita, firstCase, url.Values{"action": {"claim"}}); a.status != http.StatusOK || !strings.Contains(a.body, "The case is yours") {
			t.Fatalf("rita claims: %d %s", a.status, a.body)
		}
		if a := act(rob, firstCase, url.Values{"action": {"claim"}}); a.status != http.StatusConflict || !strings.Contains(a.body, "someone else is working on this case") {
			t.Fatalf("rob claims rita's case: %d %s", a.status, a.body)
		}
		if page := rob.get("/console/"); !strings.Contains(page.body, "rita@example.com") {
			t.Fatal("the queue does not say who holds the case")
		}
		if mine := rita.get("/console/?assignee=me"); !strings.Contains(mine.body, firstCase) || strings.Contains(mine.body, second.ID) {
			t.Fatalf("rita's cases: %s", mine.body)
		}
		if a := act(rob, firstCase, url.Values{"action": {"assign"}, "to": {"x"}}); a.status != http.StatusForbidden {
			t.Fatalf("a reviewer assigns: %d", a.status)
		}
		// An approver assigns the case to rob.
		amy := signedIn("amy@example.com")
		robID := regexp.MustCompile(`<option value="(usr_[0-9A-Z]+)">rob@example.com</option>`).FindStringSubmatch(amy.get("/console/").body)
		if robID == nil {
			t.Fatal("no one to assign to on the approver's queue")
		}
		if a := act(amy, firstCase, url.Values{"action": {"assign"}, "to": {robID[1]}}); a.status != http.StatusOK || !strings.Contains(a.body, "Assigned to rob@example.com.") {
			t.Fatalf("assign: %d %s", a.status, a.body)
		}
		// Rob snoozes it: it leaves the queue, and comes back with "show snoozed".
		if a := act(rob, firstCase, url.Values{"action": {"snooze"}, "hours": {"4"}}); a.status != http.StatusOK {
			t.Fatalf("snooze: %d %s", a.status, a.body)
		}
		if page := vic.get("/console/"); strings.Contains(page.body, firstCase) {
			t.Fatal("a snoozed case is in the queue")
		}
		if page := vic.get("/console/?snoozed=1"); !strings.Contains(page.body, firstCase) || !strings.Contains(page.body, "snoozed until") {
			t.Fatal("a snoozed case is not shown with snoozed cases")
		}
		// Filters.
		if page := vic.get("/console/?reason=duplicate-face"); !strings.Contains(page.body, second.ID) || strings.Contains(page.body, first.ID) {
			t.Fatalf("reason filter: %s", page.body)
		}
		if page := vic.get("/console/?reason=bogus"); page.status != http.StatusOK || !strings.Contains(page.body, "was cleared") {
			t.Fatalf("an unknown reason: %d", page.status)
		}
		if a := act(rita, firstCase, url.Values{"action": {"claim"}}); a.status != http.StatusConflict {
			t.Fatalf("rita claims the case assigned to rob: %d", a.status)
		}
		if a := rita.post("/console/cases/prod/"+firstCase, url.Values{"csrf": {rita.csrf("/console/")}, "action": {"claim"}}); a.status != http.StatusNotFound {
			t.Fatalf("an unknown environment: %d", a.status)
		}
	})
}
