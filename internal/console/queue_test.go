package console_test

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"kycd/internal/auth"
	"kycd/internal/kyc"
	"kycd/internal/people"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
	"kycd/internal/webhook"
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

// TestCasePage: a case page shows the document's checks explained, the face match and the
// fields beside the profile, serves the images decrypted and never cached, and writes every view
// in the audit log with the person; another environment's case is not found.
func TestCasePage(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, "")
		if _, err := e.people.CreateUser(t.Context(), "cli:test", "vic@example.com", people.Viewer, password); err != nil {
			t.Fatal(err)
		}
		w := webhook.Webhook{ID: kyc.NewID(kyc.PrefixWebhook), Env: kyc.EnvLive, URL: "https://example.com/hook", Enabled: true,
			Secrets: []webhook.Secret{{Secret: "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0", Created: time.Now()}}}
		if err := webhook.NewRepository(st).Create(t.Context(), &w, audit("webhook.create", w.ID)); err != nil {
			t.Fatal(err)
		}
		d := inReview(t, st, kyc.EnvLive, kyc.Check{Name: "duplicate-face", Failed: true, Score: -40, Reason: "document-duplicate"},
			kyc.Check{Name: "mrz-date-of-birth", Failed: false})
		if _, err := st.DecideDocument(t.Context(), kyc.EnvLive, d.ID, func(c *store.Case) (store.Effects, error) {
			c.Document.ParsedData = map[string]any{"mrzRead": map[string]any{"surname": "ERIKSSON", "givenNames": "ANNA", "dateOfBirth": "1974-08-12"},
				"faceMatch": map[string]any{"similarity": 0.41, "threshold": 0.95, "matched": false,
					"selfie":   map[string]any{"fileId": d.FileIDs[0], "box": []any{10.0, 20.0, 30.0, 40.0}},
					"portrait": map[string]any{"fileId": "fil_01JAAAAAAAAAAAAAAAAAAAAAAA", "box": []any{1.0, 2.0, 3.0, 4.0}}}}
			return audit("kyc-document.read", d.ID), nil
		}); err != nil {
			t.Fatal(err)
		}
		b := e.browser()
		wantRedirect(t, b.signIn("vic@example.com", password), "/console/")
		id := caseID.FindStringSubmatch(b.get("/console/").body)[1]

		pg := b.get("/console/cases/live/" + id)
		for _, want := range []string{d.ID, d.ApplicantID, "Failed: the face is not another applicant&#39;s under another identity (document-duplicate).",
			"-40", "✓ mrz-date-of-birth", "<td>ANNA ERIKSSON</td>", "<td>1974-08-12</td>", "similarity 0.41", "not matched", `class="face" width="180" height="180" data-src="/console/files/live/` + d.FileIDs[0] + `" data-box="10,20,30,40"`, "webhook <code>" + w.ID + "</code>: pending, 0 attempt(s)", "/console/files/live/" + d.FileIDs[0], "console-assets/case.js"} {
			if !strings.Contains(pg.body, want) {
				t.Errorf("the case page lacks %q", want)
			}
		}
		if pg.status != http.StatusOK || pg.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("case page: %d %v", pg.status, pg.header)
		}
		if strings.Contains(pg.body, `data-box="1,2,3,4"`) {
			t.Error("the case page cuts a face out of a file that is not the document's")
		}
		img := b.get("/console/files/live/" + d.FileIDs[0])
		if img.status != http.StatusOK || img.body != d.FileIDs[0] || img.header.Get("Cache-Control") != "no-store" || img.header.Get("Content-Type") != "image/png" {
			t.Fatalf("image: %d %q %v", img.status, img.body, img.header)
		}
		if a := b.get("/console/cases/test/" + id); a.status != http.StatusNotFound {
			t.Fatalf("a live case from test: %d", a.status)
		}
		if a := b.get("/console/files/test/" + d.FileIDs[0]); a.status != http.StatusNotFound {
			t.Fatalf("a live file from test: %d", a.status)
		}
		if a := e.browser().get("/console/files/live/" + d.FileIDs[0]); a.status != http.StatusSeeOther {
			t.Fatalf("an image without a session: %d", a.status)
		}
		for res, action := range map[string]string{d.ApplicantID: "console.view-case", d.FileIDs[0]: "console.view-file"} {
			trail, err := st.AuditTrail(t.Context(), kyc.EnvLive, res)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, a := range trail {
				found = found || a.Action == action && strings.HasPrefix(string(a.Actor), "user:usr_")
			}
			if !found {
				t.Errorf("no %s by a person in the trail of %s: %+v", action, res, trail)
			}
		}
	})
}

// TestDecisions: a reviewer's rejection is a proposal until an approver other than its author
// approves it on the case page; the author cannot; a plain acceptance is carried out at once; a
// rejection without a message for the end user is refused.
func TestDecisions(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, "")
		for _, p := range []struct {
			email string
			role  people.Role
		}{{"rita@example.com", people.Reviewer}, {"amy@example.com", people.Approver}} {
			if _, err := e.people.CreateUser(t.Context(), "cli:test", p.email, p.role, password); err != nil {
				t.Fatal(err)
			}
		}
		first := inReview(t, st, kyc.EnvLive)
		second := inReview(t, st, kyc.EnvLive)
		rita, amy := e.browser(), e.browser()
		wantRedirect(t, rita.signIn("rita@example.com", password), "/console/")
		wantRedirect(t, amy.signIn("amy@example.com", password), "/console/")
		ids := caseID.FindAllStringSubmatch(rita.get("/console/").body, -1)
		if len(ids) != 2 {
			t.Fatalf("cases: %v", ids)
		}
		c1, c2 := "/console/cases/live/"+ids[0][1], "/console/cases/live/"+ids[1][1]
		decide := func(b *browser, casePath string, form url.Values) answer {
			form.Set("csrf", b.csrf(casePath))
			return b.post(casePath+"/decide", form)
		}
		if a := decide(rita, c1, url.Values{"action": {"reject"}, "rejectionType": {"document-expired"}}); a.status != http.StatusUnprocessableEntity {
			t.Fatalf("a rejection without a message: %d", a.status)
		}
		a := decide(rita, c1, url.Values{"action": {"reject"}, "rejectionType": {"document-expired"}, "message": {"Your passport expired."}, "note": {"expiry read 2019"}})
		if a.status != http.StatusAccepted || !strings.Contains(a.body, "needs a second person") || !strings.Contains(a.body, "It waits for a person with the approver role other than its author.") {
			t.Fatalf("a rejection: %d %s", a.status, a.body)
		}
		prop := regexp.MustCompile(`action="/console/proposals/live/(rvp_[0-9A-Z]+)"`)
		if prop.MatchString(a.body) {
			t.Fatal("the author is offered to approve")
		}
		page := amy.get(c1)
		m := prop.FindStringSubmatch(page.body)
		if m == nil || !strings.Contains(page.body, "Proposed by rita@example.com") {
			t.Fatalf("the approver's case page: %s", page.body)
		}
		if a := rita.post("/console/proposals/live/"+m[1], url.Values{"csrf": {rita.csrf(c1)}, "action": {"approve"}}); a.status != http.StatusForbidden {
			t.Fatalf("a reviewer approves: %d", a.status)
		}
		if a := amy.post("/console/proposals/live/"+m[1], url.Values{"csrf": {amy.csrf(c1)}, "action": {"carry-out"}}); a.status != http.StatusBadRequest {
			t.Fatalf("an unknown action on a proposal: %d", a.status)
		}
		if a := amy.post("/console/proposals/live/rvp_01M98E8YNS7BB3MQVWZB88BJZ3", url.Values{"csrf": {amy.csrf(c1)}, "case": {ids[0][1]}, "action": {"approve"}}); a.status != http.StatusNotFound {
			t.Fatalf("approving no proposal: %d", a.status)
		}
		if doc, _ := st.Document(t.Context(), kyc.EnvLive, first.ID); doc.Status != "pending-review" {
			t.Fatalf("decided before approval: %s", doc.Status)
		}
		// The page answered is the proposal's case, whatever case a forged form names.
		a = amy.post("/console/proposals/live/"+m[1], url.Values{"csrf": {amy.csrf(c1)}, "case": {ids[1][1]}, "action": {"approve"}})
		if a.status != http.StatusOK || !strings.Contains(a.body, "Approved and carried out.") || !strings.Contains(a.body, ids[0][1]) || strings.Contains(a.body, ids[1][1]) {
			t.Fatalf("approve: %d %s", a.status, a.body)
		}
		if doc, _ := st.Document(t.Context(), kyc.EnvLive, first.ID); doc.Status != "rejected" || doc.Review.Reviewer == "" || !strings.HasPrefix(string(doc.Review.Reviewer), "user:") {
			t.Fatalf("after approval: %+v", doc.Review)
		}
		// Notes: anyone who reviews adds one; the case page shows it with its author.
		if a := rita.post(c2+"/notes", url.Values{"csrf": {rita.csrf(c2)}, "note": {"Called the bank: the account is hers."}}); a.status != http.StatusCreated ||
			!strings.Contains(a.body, "Called the bank: the account is hers.") || !strings.Contains(a.body, "rita@example.com ·") {
			t.Fatalf("a note: %d %s", a.status, a.body)
		}
		if a := rita.post(c2+"/notes", url.Values{"csrf": {rita.csrf(c2)}, "note": {"  "}}); a.status != http.StatusUnprocessableEntity {
			t.Fatalf("an empty note: %d", a.status)
		}
		// The case page's own actions answer with the case page, refusals included.
		wantRedirect(t, rita.post(c2, url.Values{"csrf": {rita.csrf(c2)}, "from": {"case"}, "action": {"claim"}}), c2)
		if a := amy.post(c2, url.Values{"csrf": {amy.csrf(c2)}, "from": {"case"}, "action": {"claim"}}); a.status != http.StatusConflict ||
			!strings.Contains(a.body, `action="`+c2+`"`) || !strings.Contains(a.body, "console-assets/case.js") || !strings.Contains(a.body, `class="alert"`) {
			t.Fatalf("claiming a case another holds, from its page: %d %s", a.status, a.body)
		}
		if a := rita.post(c2, url.Values{"csrf": {rita.csrf(c2)}, "from": {"case"}, "action": {"assign"}, "to": {"usr_x"}}); a.status != http.StatusForbidden ||
			!strings.Contains(a.body, "only approvers and admins assign cases") || !strings.Contains(a.body, `action="`+c2+`"`) || !strings.Contains(a.body, "console-assets/case.js") {
			t.Fatalf("a reviewer assigns from the case page: %d %s", a.status, a.body)
		}
		if a := rita.post("/console/cases/live/rvc_01M98E8YNS7BB3MQVWZB88BJZ3", url.Values{"csrf": {rita.csrf(c2)}, "from": {"case"}, "action": {"claim"}}); a.status != http.StatusNotFound {
			t.Fatalf("claiming no case from a case page: %d", a.status)
		}
		wantRedirect(t, rita.post(c2, url.Values{"csrf": {rita.csrf(c2)}, "from": {"case"}, "action": {"release"}}), c2)
		if a := decide(rita, c2, url.Values{"action": {"accept"}}); a.status != http.StatusOK || !strings.Contains(a.body, "Decided.") {
			t.Fatalf("a plain acceptance: %d %s", a.status, a.body)
		}
		if doc, _ := st.Document(t.Context(), kyc.EnvLive, second.ID); doc.Status != "accepted" {
			t.Fatalf("after acceptance: %s", doc.Status)
		}
	})
}

// admin signs a new admin in, with their second factor enrolled.
func (e *env) admin(email string) *browser {
	e.t.Helper()
	if _, err := e.people.CreateUser(e.t.Context(), "cli:test", email, people.Admin, password); err != nil {
		e.t.Fatal(err)
	}
	b := e.browser()
	wantRedirect(e.t, b.signIn(email, password), "/console/second-factor/enrol")
	enrol := b.get("/console/second-factor/enrol")
	secret := regexp.MustCompile(`id="secret">([A-Z2-7]+)<`).FindStringSubmatch(enrol.body)
	if secret == nil {
		e.t.Fatalf("no secret: %s", enrol.body)
	}
	wantRedirect(e.t, b.post("/console/second-factor/enrol", url.Values{"csrf": {csrfField.FindStringSubmatch(enrol.body)[1]}, "code": {e.code(secret[1])}}), "/console/")
	return b
}

// TestAuditPage: admins read the audit log by person and by applicant, and check the chain;
// others cannot.
func TestAuditPage(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, "")
		rita, err := e.people.CreateUser(t.Context(), "cli:test", "rita@example.com", people.Reviewer, password)
		if err != nil {
			t.Fatal(err)
		}
		d := inReview(t, st, kyc.EnvLive)
		rb := e.browser()
		wantRedirect(t, rb.signIn("rita@example.com", password), "/console/")
		id := caseID.FindStringSubmatch(rb.get("/console/").body)[1]
		rb.get("/console/cases/live/" + id)
		if a := rb.get("/console/audit"); a.status != http.StatusForbidden {
			t.Fatalf("a reviewer on the audit page: %d", a.status)
		}
		root := e.admin("root@example.com")
		byRita := root.get("/console/audit?person=" + rita.ID)
		if byRita.status != http.StatusOK || !strings.Contains(byRita.body, "console.view-case") || !strings.Contains(byRita.body, "rita@example.com") ||
			strings.Contains(byRita.body, "kyc-document.decide") {
			t.Fatalf("rita's entries: %d %s", byRita.status, byRita.body)
		}
		onDoc := root.get("/console/audit?subject=" + d.ID)
		if !strings.Contains(onDoc.body, "kyc-document.decide") || strings.Contains(onDoc.body, "console.view-case") {
			t.Fatalf("the document's entries: %s", onDoc.body)
		}
		if later := root.get("/console/audit?from=2999-01-01"); strings.Contains(later.body, "kyc-document.decide") {
			t.Fatal("a date filter in the future still lists entries")
		}
		v := root.post("/console/audit", url.Values{"csrf": {root.csrf("/console/audit")}, "env": {"live"}})
		if v.status != http.StatusOK || !strings.Contains(v.body, "Every chain of the live log verifies") {
			t.Fatalf("verify: %d %s", v.status, v.body)
		}
		// A rewritten entry breaks the chain, and the page says so.
		if err := st.Record(t.Context(), kyc.EnvLive, func(tx *store.Tx) (store.Effects, error) {
			_, err := tx.Exec(t.Context(), `UPDATE audit_log SET action = 'console.nothing' WHERE env = 'live' AND action = 'console.view-case'`)
			return store.Effects{}, err
		}); err != nil {
			t.Fatal(err)
		}
		if v := root.post("/console/audit", url.Values{"csrf": {root.csrf("/console/audit")}, "env": {"live"}}); !strings.Contains(v.body, `class="bad"`) {
			t.Fatalf("a tampered log verifies: %s", v.body)
		}
	})
}

// TestSanctionsCase: a potential match's case page sets each hit beside the list's entry
// (aliases, places of birth, documents, remarks); a hit whose entry the list no longer holds says
// so.
func TestSanctionsCase(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, "")
		ctx := t.Context()
		if _, err := e.people.CreateUser(ctx, "cli:test", "rita@example.com", people.Reviewer, password); err != nil {
			t.Fatal(err)
		}
		if err := st.Record(ctx, "", func(tx *store.Tx) (store.Effects, error) {
			_, err := tx.Exec(ctx, `INSERT INTO sanctions_entries (list, entry_id, hash, data) VALUES ('un', 'QDi.999', 'h', ?)`,
				`{"list":"un","id":"QDi.999","type":"individual","name":"EXAMPLE, Ivan","aliases":["Ivan Ekzampl","I. Example"],"placesOfBirth":["Nowhere"],"remarks":"Listed for testing only."}`)
			return store.Effects{}, err
		}); err != nil {
			t.Fatal(err)
		}
		a := kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), Env: kyc.EnvLive, Type: "individual", Status: "unverified", Level: "L1"}
		if err := st.CreateApplicant(ctx, &a, audit("applicant.create", a.ID)); err != nil {
			t.Fatal(err)
		}
		sc := kyc.Screening{ID: kyc.NewID(kyc.PrefixScreening), Env: kyc.EnvLive, ApplicantID: a.ID, Reason: "applicant-created", Disposition: "potential-match",
			Hits: []kyc.ScreeningHit{{List: "un", EntryID: "QDi.999", Type: "individual", Name: "EXAMPLE, Ivan", MatchedName: "Ivan Ekzampl", Alias: true, Score: 0.93},
				{List: "un", EntryID: "QDi.gone", Type: "individual", Name: "GONE, Someone", MatchedName: "Someone Gone", Score: 0.9}},
			Lists: []kyc.SanctionsList{}}
		eff := audit("screening.create", sc.ID)
		eff.Events = []store.NewEvent{{Type: kyc.EventScreeningPotentialMatch, ResourceType: "screening", ResourceID: sc.ID, Data: sc}}
		if err := st.CreateScreening(ctx, &sc, eff); err != nil {
			t.Fatal(err)
		}
		b := e.browser()
		wantRedirect(t, b.signIn("rita@example.com", password), "/console/")
		id := caseID.FindStringSubmatch(b.get("/console/?reason=sanctions").body)
		if id == nil {
			t.Fatal("no sanctions case in the queue")
		}
		pg := b.get("/console/cases/live/" + id[1])
		for _, want := range []string{"EXAMPLE, Ivan", "Ivan Ekzampl; I. Example", "Nowhere", "Listed for testing only.", "no longer holds this entry", "Confirm the match"} {
			if !strings.Contains(pg.body, want) {
				t.Errorf("the sanctions case page lacks %q", want)
			}
		}
	})
}

// TestDashboard: a viewer reads the dashboard: the funnel, decisions, rejection reasons and the
// queue, with the charts drawn as SVG on the server and no inline style (the console's CSP).
func TestDashboard(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, "")
		if _, err := e.people.CreateUser(t.Context(), "cli:test", "vic@example.com", people.Viewer, password); err != nil {
			t.Fatal(err)
		}
		inReview(t, st, kyc.EnvLive, kyc.Check{Name: "duplicate-face", Failed: true})
		inReview(t, st, kyc.EnvLive)
		b := e.browser()
		wantRedirect(t, b.signIn("vic@example.com", password), "/console/")
		pg := b.get("/console/dashboard")
		if pg.status != http.StatusOK {
			t.Fatalf("dashboard: %d", pg.status)
		}
		for _, want := range []string{`<svg class="chart"`, "<title id=\"apps-title\">", "2 in all", "Applied</th><td class=\"num\">2</td>",
			"Submitted a document</th><td class=\"num\">2</td>", "none decided yet", `<span class="n">1</span> duplicate-face`} {
			if !strings.Contains(pg.body, want) {
				t.Errorf("the dashboard lacks %q", want)
			}
		}
		if strings.Contains(pg.body, "style=") || strings.Contains(pg.body, "<script") {
			t.Error("the dashboard has an inline style or script")
		}
		if test := b.get("/console/dashboard?env=test"); !strings.Contains(test.body, "0 in all") {
			t.Errorf("the test dashboard counts live applicants")
		}
	})
}

// TestAdministration: admins see the levels in force with the queue's rules, and the webhooks
// with their delivery log, and send an event again to a subscription, audited with the person;
// a reviewer cannot.
func TestAdministration(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, "")
		w := webhook.Webhook{ID: kyc.NewID(kyc.PrefixWebhook), Env: kyc.EnvLive, URL: "https://example.com/hook", Enabled: true,
			Secrets: []webhook.Secret{{Secret: "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0", Created: time.Now()}}}
		if err := webhook.NewRepository(st).Create(t.Context(), &w, audit("webhook.create", w.ID)); err != nil {
			t.Fatal(err)
		}
		inReview(t, st, kyc.EnvLive) // its event is delivered to the webhook
		if _, err := e.people.CreateUser(t.Context(), "cli:test", "rita@example.com", people.Reviewer, password); err != nil {
			t.Fatal(err)
		}
		rb := e.browser()
		wantRedirect(t, rb.signIn("rita@example.com", password), "/console/")
		for _, path := range []string{"/console/levels", "/console/webhooks"} {
			if a := rb.get(path); a.status != http.StatusForbidden {
				t.Errorf("a reviewer on %s: %d", path, a.status)
			}
		}
		root := e.admin("root@example.com")
		lv := root.get("/console/levels")
		for _, want := range []string{"<strong>L1</strong>", "identity-proof", "profile.dateOfBirth", "80, 50", "<td>yes</td>", "<td>24.0 h</td>"} {
			if !strings.Contains(lv.body, want) {
				t.Errorf("the levels page lacks %q", want)
			}
		}
		hooks := root.get("/console/webhooks?env=live&webhook=" + w.ID)
		m := regexp.MustCompile(`name="event" value="(evt_[0-9A-Z]+)"`).FindAllStringSubmatch(hooks.body, -1)
		if hooks.status != http.StatusOK || !strings.Contains(hooks.body, "https://example.com/hook") || len(m) == 0 {
			t.Fatalf("the webhook's deliveries: %d %s", hooks.status, hooks.body)
		}
		before := strings.Count(hooks.body, `value="Send again"`) + strings.Count(hooks.body, ">Send again<")
		a := root.post("/console/webhooks/live/"+w.ID+"/replay", url.Values{"csrf": {root.csrf("/console/webhooks")}, "event": {m[0][1]}})
		if a.status != http.StatusOK || !strings.Contains(a.body, "queued again") || strings.Count(a.body, ">Send again<") != before+1 {
			t.Fatalf("replay: %d, %d deliveries before: %s", a.status, before, a.body)
		}
		trail, err := st.AuditTrail(t.Context(), kyc.EnvLive, m[0][1])
		if err != nil || len(trail) == 0 || trail[len(trail)-1].Action != "event.redeliver" || !strings.HasPrefix(string(trail[len(trail)-1].Actor), "user:") {
			t.Fatalf("the replay's audit: %+v %v", trail, err)
		}
	})
}

// TestAPIKeys: an admin creates a key (its secret shown once), sees it listed with its last use,
// and revokes it, after which it authenticates nothing.
func TestAPIKeys(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, "")
		root := e.admin("root@example.com")
		a := root.post("/console/api-keys", url.Values{"csrf": {root.csrf("/console/api-keys")}, "action": {"create"}, "name": {"backend"}, "env": {"live"}})
		m := regexp.MustCompile(`id="new-key">(kycd_live_[a-z0-9]+)<`).FindStringSubmatch(a.body)
		if a.status != http.StatusCreated || m == nil {
			t.Fatalf("create: %d %s", a.status, a.body)
		}
		keys := auth.NewKeys(st)
		if _, err := auth.VerifyAPIKey(t.Context(), keys, m[1]); err != nil {
			t.Fatalf("the new key: %v", err)
		}
		list := root.get("/console/api-keys")
		if strings.Contains(list.body, m[1]) || !strings.Contains(list.body, "backend") || strings.Contains(list.body, ">never<") {
			t.Fatalf("the list shows the secret, or not the key, or not its use: %s", list.body)
		}
		id := regexp.MustCompile(`name="id" value="(key_[0-9A-Z]+)"`).FindStringSubmatch(list.body)
		if id == nil {
			t.Fatal("no revoke form")
		}
		if a := root.post("/console/api-keys", url.Values{"csrf": {root.csrf("/console/api-keys")}, "action": {"revoke"}, "env": {"live"}, "id": {id[1]}}); a.status != http.StatusOK {
			t.Fatalf("revoke: %d", a.status)
		}
		if _, err := auth.VerifyAPIKey(t.Context(), keys, m[1]); !errors.Is(err, kyc.ErrUnauthenticated) {
			t.Fatalf("the revoked key: %v", err)
		}
		if a := root.post("/console/api-keys", url.Values{"csrf": {root.csrf("/console/api-keys")}, "action": {"create"}, "name": {""}, "env": {"live"}}); a.status != http.StatusUnprocessableEntity {
			t.Fatalf("a key without a name: %d", a.status)
		}
	})
}
