package console_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/people"
	"kycd/internal/review"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

var nextPage = regexp.MustCompile(`<a href="/console/\?([^"]+)">Next page</a>`)

// subjectsOn are the subjects of the cases a queue page lists, in its order.
func subjectsOn(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<span class="muted">(?:document|screening) ((?:doc|scr)_[0-9A-Za-z]+)</span>`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestQueueMostUrgentFirst: with "most urgent first" chosen, the queue lists a sanctions match
// (priority 1) before an older document in review (priority 4), which oldest first lists first;
// its next page, and the page a claim from it comes back to, keep that order.
func TestQueueMostUrgentFirst(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, "")
		ctx := t.Context()
		if _, err := e.people.CreateUser(ctx, "cli:test", "rita@example.com", people.Reviewer, password); err != nil {
			t.Fatal(err)
		}
		older := inReview(t, st, kyc.EnvLive) // reason document: priority 4, due in 24 h
		sc := kyc.Screening{ID: kyc.NewID(kyc.PrefixScreening), Env: kyc.EnvLive, ApplicantID: older.ApplicantID, Reason: "applicant-created",
			Disposition: "potential-match", Hits: []kyc.ScreeningHit{}, Lists: []kyc.SanctionsList{}}
		eff := audit("screening.create", sc.ID)
		eff.Events = []store.NewEvent{{Type: kyc.EventScreeningPotentialMatch, ResourceType: "screening", ResourceID: sc.ID, Data: sc}}
		if err := st.CreateScreening(ctx, &sc, eff); err != nil {
			t.Fatal(err)
		}
		// 50 more documents of priority 4, due after the older one, the later made the sooner due:
		// most urgent first lists them in the reverse of their age, over two pages of 50.
		var pads []string
		now := time.Now()
		if err := st.Record(ctx, kyc.EnvLive, func(tx *store.Tx) (store.Effects, error) {
			for i := range 50 {
				id := kyc.NewID(review.PrefixCase)
				pads = append(pads, "doc_pad"+id[4:])
				if _, err := tx.Exec(ctx, `INSERT INTO review_cases (id, env, kind, subject_id, applicant_id, reason, level, priority, status, revision, created_at, due_at)
					VALUES (?, 'live', 'document', ?, ?, 'document', 'L1', 4, 'open', 1, ?, ?)`, id, pads[i], older.ApplicantID,
					store.Micros(now), store.Micros(now.Add(48*time.Hour-time.Duration(i)*time.Minute))); err != nil {
					return store.Effects{}, err
				}
			}
			return store.Effects{}, nil
		}); err != nil {
			t.Fatal(err)
		}
		rita := e.browser()
		wantRedirect(t, rita.signIn("rita@example.com", password), "/console/")

		if got := subjectsOn(rita.get("/console/").body); len(got) != 50 || got[0] != older.ID || got[1] != sc.ID {
			t.Fatalf("oldest first: %v, want %s then %s", got, older.ID, sc.ID)
		}
		urgent := rita.get("/console/?env=live&order=urgent")
		got := subjectsOn(urgent.body)
		if urgent.status != http.StatusOK || len(got) != 50 || got[0] != sc.ID || got[1] != older.ID || got[2] != pads[49] || got[49] != pads[2] {
			t.Fatalf("most urgent first: %d %v, want %s (priority 1), %s (priority 4, due first), then the others by due time", urgent.status, got, sc.ID, older.ID)
		}
		if !strings.Contains(urgent.body, `<label for="f-order">Order</label>`) || !strings.Contains(urgent.body, `<option value="urgent" selected>most urgent first</option>`) {
			t.Error("the queue does not show the order chosen in a labelled select")
		}

		// The environment, reason-count and "every case" links keep the order too.
		for _, link := range []string{`href="/console/?env=test&amp;order=urgent"`, `href="/console/?env=live&amp;reason=sanctions&amp;order=urgent"`} {
			if !strings.Contains(urgent.body, link) {
				t.Errorf("the queue lacks the link %s", link)
			}
		}
		if empty := rita.get("/console/?env=live&order=urgent&reason=duplicate"); !strings.Contains(empty.body, `href="/console/?env=live&amp;order=urgent">Show every case`) {
			t.Errorf("an empty filtered queue's way back loses the order: %s", empty.body)
		}

		// The next page keeps the order: the two cases left, the least urgent.
		m := nextPage.FindStringSubmatch(urgent.body)
		if m == nil {
			t.Fatal("no link to the next page")
		}
		link, err := url.ParseQuery(html.UnescapeString(m[1]))
		if err != nil || link.Get("order") != review.OrderUrgent || link.Get("env") != "live" || link.Get("cursor") == "" {
			t.Fatalf("the next page's link %q: %v", m[1], err)
		}
		second := rita.get("/console/?" + html.UnescapeString(m[1]))
		if got := subjectsOn(second.body); second.status != http.StatusOK || !slices.Equal(got, []string{pads[1], pads[0]}) || strings.Contains(second.body, "was cleared") {
			t.Fatalf("the next page: %d %v, want %v", second.status, got, []string{pads[1], pads[0]})
		}

		// A claim from the page comes back to it in its order.
		back := regexp.MustCompile(`name="back" value="([^"]*)"`).FindStringSubmatch(urgent.body)
		if back == nil || !strings.Contains(html.UnescapeString(back[1]), "order=urgent") {
			t.Fatalf("the forms' way back: %v", back)
		}
		ids := caseID.FindAllStringSubmatch(urgent.body, -1)
		claimed := rita.post("/console/cases/live/"+ids[0][1], url.Values{"csrf": {rita.csrf("/console/")}, "action": {"claim"}, "back": {html.UnescapeString(back[1])}})
		if got := subjectsOn(claimed.body); claimed.status != http.StatusOK || !strings.Contains(claimed.body, "The case is yours") || len(got) < 2 || got[0] != sc.ID || got[1] != older.ID {
			t.Fatalf("after a claim: %d %v, want most urgent first", claimed.status, got)
		}
		if !strings.Contains(claimed.body, `<option value="urgent" selected>`) {
			t.Error("after a claim, the order shown is not the one chosen")
		}
	})
}
