package console_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kycd/internal/kyc"
	"kycd/internal/mrz/mrztest"
	"kycd/internal/people"
	"kycd/internal/review"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// totpCode is the RFC 6238 code of key at t, as an authenticator app computes it: the HOTP (RFC
// 4226) of the 30-second step, HMAC-SHA1, six digits. The test computes it itself, so that a
// mistake in package people's TOTP cannot hide behind the same mistake here.
func totpCode(key []byte, t time.Time) string {
	var step [8]byte
	binary.BigEndian.PutUint64(step[:], uint64(t.Unix()/30))
	m := hmac.New(sha1.New, key)
	m.Write(step[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	return fmt.Sprintf("%06d", (binary.BigEndian.Uint32(sum[off:off+4])&0x7fffffff)%1_000_000)
}

// TestTOTPCode checks totpCode against RFC 6238's test vectors (appendix B, SHA-1, the last six
// of their eight digits).
func TestTOTPCode(t *testing.T) {
	t.Parallel()
	key := []byte("12345678901234567890")
	for unix, want := range map[int64]string{59: "287082", 1111111109: "081804", 1111111111: "050471", 1234567890: "005924", 2000000000: "279037", 20000000000: "353130"} {
		if got := totpCode(key, time.Unix(unix, 0)); got != want {
			t.Errorf("at %d: %s, want %s", unix, got, want)
		}
	}
}

// clock is people's clock in these tests (sessions, second-factor codes), moved by hand.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(time.Now().UnixNano())
	return c
}

func (c *clock) now() time.Time      { return time.Unix(0, c.ns.Load()) }
func (c *clock) add(d time.Duration) { c.ns.Add(int64(d)) }

// passportPNG is a rendered passport page with a portrait and a valid zone, so the case page's
// screenshot shows a document.
func passportPNG(t *testing.T) []byte {
	t.Helper()
	lines := mrztest.TD3(mrztest.Holder{DocumentCode: "P", IssuingState: "UTO", Nationality: "UTO", Surname: "COLLINS", GivenNames: "EILEEN<MARIE",
		Number: "P1234567", DateOfBirth: "561119", Expiry: "311231", Sex: "F"})
	img := mrztest.Render(rand.New(rand.NewPCG(7, 12)), mrztest.Card{Format: mrztest.FormatOf("TD3"), Lines: lines, Width: 700, Portrait: mrztest.Portrait()})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// holder is an applicant of the seeded queue.
type holder struct {
	first, last, born, sex, number string
	// duplicateFace makes the duplicate-face check fail: the case's reason is then duplicate-face.
	duplicateFace bool
}

var holders = []holder{
	{"Eileen Marie", "Collins", "1956-11-19", "female", "P1234567", false},
	{"Anna", "Eriksson", "1974-08-12", "female", "P7711804", true},
	{"Chidi", "Okafor", "1988-03-02", "male", "P5520193", false},
	{"Kenji", "Tanaka", "1991-12-24", "male", "P3308847", false},
	{"Lucia", "Silva", "1969-05-30", "female", "P9012276", false},
}

// seedQueue puts a passport of a new applicant of the live environment in review for each age,
// oldest first, and makes its case that old (see backdate). Its checks passed, except the
// duplicate-face check of holders whose duplicateFace is set.
func seedQueue(t *testing.T, st *store.Store, ages ...time.Duration) []kyc.Document {
	t.Helper()
	ctx := t.Context()
	var out []kyc.Document
	for i, age := range ages {
		if i > 0 && age >= ages[i-1] {
			t.Fatal("seedQueue: ages must be oldest first, as the cases' ids are")
		}
		h := holders[i%len(holders)]
		a := kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), Env: kyc.EnvLive, Type: "individual", Status: "unverified", Level: "L1",
			Profile: kyc.Profile{FirstName: h.first, LastName: h.last, DateOfBirth: h.born, Gender: h.sex, Nationality: "UT"}}
		if err := st.CreateApplicant(ctx, &a, audit("applicant.create", a.ID)); err != nil {
			t.Fatal(err)
		}
		f := kyc.File{ID: kyc.NewID(kyc.PrefixFile), Env: kyc.EnvLive, ApplicantID: a.ID, Tag: "id-front", MIME: "image/png", Size: 10, SHA256: "ab", Width: 1, Height: 1, BlobKey: "k"}
		if err := st.CreateFile(ctx, &f, audit("file.create", f.ID)); err != nil {
			t.Fatal(err)
		}
		d := kyc.Document{ID: kyc.NewID(kyc.PrefixDocument), Env: kyc.EnvLive, ApplicantID: a.ID, Type: "identity-proof", Subtype: "passport", FileIDs: []string{f.ID}, Status: "pending",
			Identification: &kyc.Identification{Number: h.number, IssuingCountry: "UT", ExpiryDate: "2031-12-31", HolderName: h.first + " " + h.last}}
		if err := st.CreateDocument(ctx, &d, audit("kyc-document.create", d.ID), nil); err != nil {
			t.Fatal(err)
		}
		checks := []kyc.Check{{Name: "mrz-read-from-image", Score: 20}, {Name: "mrz-checksum", Score: 20}, {Name: "mrz-surname", Score: 10},
			{Name: "mrz-date-of-birth", Score: 10}, {Name: "mrz-sex", Score: 2}, {Name: "mrz-nationality", Score: 2}, {Name: "mrz-document-number", Score: 5},
			{Name: "mrz-issuing-country", Score: 2}, {Name: "mrz-expiry-date", Score: 5}, {Name: "image-sharp", Score: 5}}
		if h.duplicateFace {
			checks = append(checks, kyc.Check{Name: "duplicate-face", Failed: true, Score: -40, Reason: "document-duplicate"})
		}
		d, err := st.DecideDocument(ctx, kyc.EnvLive, d.ID, func(c *store.Case) (store.Effects, error) {
			score := 62
			c.Document.Status, c.Document.CheckList, c.Document.Score = "pending-review", checks, &score
			c.Document.Decision = &kyc.Decision{Level: "L1", AcceptAbove: 80, RejectBelow: 40, Score: 62, Outcome: "pending-review"}
			last, given, _ := strings.Cut(strings.ToUpper(h.last+"|"+h.first), "|")
			c.Document.ParsedData = map[string]any{"mrzRead": map[string]any{"surname": last, "givenNames": given, "dateOfBirth": h.born,
				"sex": strings.ToUpper(h.sex[:1]), "documentNumber": h.number, "issuingState": "UTO", "nationality": "UTO", "expiryDate": "2031-12-31"},
				"faceMatch": map[string]any{"similarity": 0.97, "threshold": 0.95, "matched": true,
					"selfie": map[string]any{"fileId": f.ID, "box": []any{40.0, 60.0, 80.0, 80.0}}, "portrait": map[string]any{"fileId": f.ID, "box": []any{30.0, 50.0, 90.0, 90.0}}}}
			eff := audit("kyc-document.decide", d.ID)
			eff.Events = []store.NewEvent{{Type: kyc.EventDocumentPendingReview, ResourceType: "kyc-document", ResourceID: d.ID}}
			return eff, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		backdate(t, st, d.ID, age)
		out = append(out, d)
	}
	return out
}

// backdate makes the open case of document id as old as age, due a day after it opened (the
// default service level). The store stamps a case with the wall clock, which no test can move;
// a queue of one morning's cases would all be a minute old.
func backdate(t *testing.T, st *store.Store, id string, age time.Duration) {
	t.Helper()
	opened := time.Now().Add(-age)
	err := st.Change(t.Context(), kyc.EnvLive, func(tx *store.Tx) (store.Effects, error) {
		_, err := tx.Exec(t.Context(), `UPDATE review_cases SET created_at = ?, due_at = ? WHERE env = ? AND subject_id = ? AND status = 'open'`,
			store.Micros(opened), store.Micros(opened.Add(24*time.Hour)), string(kyc.EnvLive), id)
		return audit("test.backdate", id), err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// seedHistory fills the live environment's last two weeks as the dashboard reads them: each day
// a few applicants, each with a passport the checks decided some minutes after it was sent, most
// accepted (their applicant approved), every fourth rejected with a type. Rows are backdated like
// backdate's cases. It returns how many applicants it made and how many of their documents were
// rejected for each type.
func seedHistory(t *testing.T, st *store.Store) (int, map[string]int) {
	t.Helper()
	ctx := t.Context()
	types := []string{"document-expired", "document-unreadable", "name-mismatch"}
	rejected := map[string]int{}
	n := 0
	for day := 13; day >= 1; day-- {
		for range 2 + day*5%4 {
			sent := time.Now().AddDate(0, 0, -day).Add(time.Duration(n*37%600) * time.Minute)
			a := kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), Env: kyc.EnvLive, Type: "individual", Status: "approved", Level: "L1"}
			d := kyc.Document{ID: kyc.NewID(kyc.PrefixDocument), Env: kyc.EnvLive, ApplicantID: a.ID, Type: "identity-proof", Subtype: "passport", Status: "accepted"}
			if n%4 == 3 {
				rt := types[n/4%len(types)]
				a.Status, d.Status, d.RejectionReason = "unverified", "rejected", &kyc.RejectionReason{Type: rt, Message: "Please send it again."}
				rejected[rt]++
			}
			if err := st.CreateApplicant(ctx, &a, audit("applicant.create", a.ID)); err != nil {
				t.Fatal(err)
			}
			if err := st.CreateDocument(ctx, &d, audit("kyc-document.create", d.ID), nil); err != nil {
				t.Fatal(err)
			}
			err := st.Change(ctx, kyc.EnvLive, func(tx *store.Tx) (store.Effects, error) {
				if _, err := tx.Exec(ctx, `UPDATE applicants SET created_at = ? WHERE env = ? AND id = ?`, store.Micros(sent), string(kyc.EnvLive), a.ID); err != nil {
					return store.Effects{}, err
				}
				_, err := tx.Exec(ctx, `UPDATE kyc_documents SET created_at = ?, updated_at = ? WHERE env = ? AND id = ?`,
					store.Micros(sent), store.Micros(sent.Add(time.Duration(2+n%9)*time.Minute)), string(kyc.EnvLive), d.ID)
				return audit("test.backdate", d.ID), err
			})
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
	}
	return n, rejected
}

// caseOf returns the open case of document id.
func caseOf(t *testing.T, reviews *review.Service, id string) review.Case {
	t.Helper()
	page, err := reviews.Queue(t.Context(), kyc.EnvLive, review.Filter{Snoozed: true}, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range page.Items {
		if c.SubjectID == id {
			return c
		}
	}
	t.Fatalf("no open case for %s", id)
	return review.Case{}
}

// submit clicks sel, a form's button, and waits for the page the form leads to to show want,
// which the page of the form must not show (so the wait cannot end on the page left behind).
func (tb *tab) submit(what, sel, want string) {
	tb.t.Helper()
	if eval[bool](tb, `!!document.querySelector(`+jsString(want)+`)`) {
		tb.t.Fatalf("%s: the page shows %s already", what, want)
	}
	tb.do(what, chromedp.Click(chromedp.CSS(sel)), chromedp.WaitVisible(chromedp.CSS(want)))
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// forge adds to the page a form the console did not offer it, posting fields to action with the
// page's own CSRF token (the sign-out form's): what a person who knows the routes sends, from
// their own signed-in browser. It returns the selector of the form's button.
func (tb *tab) forge(action string, fields map[string]string) string {
	tb.t.Helper()
	raw, _ := json.Marshal(fields)
	eval[bool](tb, `(() => {
		const f = document.createElement("form");
		f.method = "post";
		f.action = `+jsString(action)+`;
		f.id = "forged";
		const add = (n, v) => { const i = document.createElement("input"); i.type = "hidden"; i.name = n; i.value = v; f.append(i); };
		add("csrf", document.querySelector("form.signout input[name=csrf]").value);
		for (const [n, v] of Object.entries(`+string(raw)+`)) add(n, v);
		const b = document.createElement("button");
		b.type = "submit";
		b.textContent = "Send";
		f.append(b);
		document.querySelector("main").append(f);
		return true;
	})()`)
	return "#forged button"
}

// signInWithCode signs in through the password page, then the second-factor page with the code
// of key at now.
func (tb *tab) signInWithCode(base, email string, key []byte, now time.Time) {
	tb.t.Helper()
	tb.do("open the console", chromedp.Navigate(base+"/console/"), chromedp.WaitVisible(chromedp.CSS("#email")))
	tb.do("give the password of "+email, chromedp.SendKeys(chromedp.CSS("#email"), email), chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS(`form[action="/console/login"] button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(`form[action="/console/second-factor"] #code`)))
	if loc := eval[string](tb, `location.pathname`); loc != "/console/second-factor" {
		tb.t.Fatalf("after the password of a person with a second factor the console shows %s", loc)
	}
	tb.clean("second-factor page")
	tb.do("give the code", chromedp.SendKeys(chromedp.CSS("#code"), totpCode(key, now)),
		chromedp.Click(chromedp.CSS(`form[action="/console/second-factor"] button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS("span.who")))
	if who := tb.text("span.who"); !strings.HasPrefix(who, email) {
		tb.t.Fatalf("signed in as %q, want %s", who, email)
	}
}

// enrolKey reads the secret the enrolment page shows, as a person types it into their app.
func (tb *tab) enrolKey() []byte {
	tb.t.Helper()
	secret := tb.text("#secret")
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.TrimRight(secret, "="))
	if err != nil || len(key) < 10 {
		tb.t.Fatalf("the enrolment page's secret %q: %v", secret, err)
	}
	return key
}

// screenshot saves the tab's viewport as name.png in the test's artifact folder (kept with go
// test -artifacts); with KYCD_UPDATE_SCREENSHOTS=1 it is also written to docs/screenshots, which
// the README shows.
func (tb *tab) screenshot(name string) {
	tb.t.Helper()
	shot, err := chromedp.Run(tb.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		tb.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(tb.t.ArtifactDir(), name+".png"), shot, 0o644); err != nil {
		tb.t.Fatal(err)
	}
	if os.Getenv("KYCD_UPDATE_SCREENSHOTS") == "1" {
		if err := os.WriteFile(filepath.Join("..", "..", "docs", "screenshots", name+".png"), shot, 0o644); err != nil {
			tb.t.Fatal(err)
		}
	}
}

// refused checks that the page shown was sent with the HTTP status code, as Chromium logs a
// page that comes with an error status, and takes that message off the ones clean looks at.
func (tb *tab) refused(code int) {
	tb.t.Helper()
	want := fmt.Sprintf("Failed to load resource: the server responded with a status of %d", code)
	for range 100 {
		tb.mu.Lock()
		for i := tb.seen; i < len(tb.msgs); i++ {
			if m := tb.msgs[i]; m.Type == chromedp.ConsoleError && strings.Contains(m.String(), want) {
				tb.msgs = append(tb.msgs[:i], tb.msgs[i+1:]...)
				tb.mu.Unlock()
				return
			}
		}
		tb.mu.Unlock()
		time.Sleep(50 * time.Millisecond)
	}
	tb.t.Fatalf("the page was not sent with status %d", code)
}

// status is a document's status in the store.
func status(t *testing.T, st *store.Store, id string) string {
	t.Helper()
	d, err := st.Document(t.Context(), kyc.EnvLive, id)
	if err != nil {
		t.Fatal(err)
	}
	return d.Status
}

// TestReviewerDayInChromium walks a reviewer's day in headless Chromium: she enrols a second
// factor from the menu and signs in the next morning with her password and a code; the queue
// lists the open cases oldest first, the overdue ones marked; she claims the oldest, which a
// second reviewer, on a page loaded before, then cannot claim nor decide (each told why); she
// zooms its image and accepts it, which needs no second person, and the document is accepted and
// its case closed. Idle past the session's timeout, her next click lands on the sign-in page and
// claims nothing; signed in again, she goes on. Screenshots of the queue and the case page.
func TestReviewerDayInChromium(t *testing.T) {
	st := storetest.New(t, store.SQLite)
	clk := newClock()
	srv, ps, reviews := browserEnvWith(t, st, browserOptions{Now: clk.now, PNG: passportPNG(t)})
	ctx := t.Context()
	users := map[string]people.User{}
	for _, email := range []string{"rita@example.com", "rob@example.com"} {
		u, err := ps.CreateUser(ctx, "cli:test", email, people.Reviewer, password)
		if err != nil {
			t.Fatal(err)
		}
		users[email] = u
	}
	// Each age is half an hour past what the queue shows, so a slow run shows the same.
	docs := seedQueue(t, st, 3*24*time.Hour+2*time.Hour, 30*time.Hour+30*time.Minute, 5*time.Hour+30*time.Minute, 2*time.Hour+30*time.Minute)
	axeJS := axeSource(t)
	b := newBrowser(t)

	// Rita enrols a second factor from the menu, with the secret the page shows.
	rita := openTab(t, b)
	rita.signIn(srv.URL, "rita@example.com")
	rita.do("open the enrolment page", chromedp.Click(chromedp.CSS(`nav a[href="/console/second-factor/enrol"]`)), chromedp.WaitVisible(chromedp.CSS("#secret")))
	key := rita.enrolKey()
	rita.clean("enrolment page")
	rita.axe(axeJS, "enrolment page")
	rita.do("type the code", chromedp.SendKeys(chromedp.CSS("#code"), totpCode(key, clk.now())))
	rita.submit("turn the second factor on", `form[action="/console/second-factor/enrol"] button[type=submit]`, "table.queue")
	if eval[bool](rita, `!!document.querySelector('nav a[href="/console/second-factor/enrol"]')`) {
		t.Error("the menu offers a second factor to a person who has one")
	}
	rita.submit("sign out", "form.signout button", "#email")

	// The next morning she signs in with her password and a code.
	clk.add(9 * time.Hour)
	rita.signInWithCode(srv.URL, "rita@example.com", key, clk.now())
	rita.do("the queue", chromedp.WaitVisible(chromedp.CSS("table.queue")))

	// Rob opens the queue too, in his own browser.
	rob := openTab(t, b)
	rob.signIn(srv.URL, "rob@example.com")
	rob.do("rob's queue", chromedp.WaitVisible(chromedp.CSS("table.queue")))

	// The queue: oldest first, with how long each waits, the overdue marked.
	type row struct {
		Subject, Waiting, Holder string
		Overdue                  bool
	}
	rows := func(tb *tab) []row {
		t.Helper()
		raw := eval[string](tb, `JSON.stringify([...document.querySelectorAll("table.queue tbody tr")].map((r) => ({
			Subject: r.querySelector("td:nth-child(1) .muted").textContent.split(" ")[1],
			Waiting: r.querySelector("td:nth-child(5)").textContent.trim(),
			Holder: r.querySelector("td:nth-child(7)").textContent.trim(),
			Overdue: r.classList.contains("overdue") && !!r.querySelector("td:nth-child(6) .badge"),
		})))`)
		var out []row
		if err := json.Unmarshal([]byte(raw), &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	want := []row{{docs[0].ID, "3 days", "nobody", true}, {docs[1].ID, "30 h", "nobody", true}, {docs[2].ID, "5 h", "nobody", false}, {docs[3].ID, "2 h", "nobody", false}}
	if got := rows(rita); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("the queue:\n got %v\nwant %v", got, want)
	}
	rita.clean("queue")

	// Rita claims the oldest.
	oldest := caseOf(t, reviews, docs[0].ID)
	rita.submit("claim the oldest", "table.queue tbody tr:first-child button[name=action][value=claim]", "p.notice")
	if n := rita.text("p.notice"); !strings.Contains(n, "The case is yours") {
		t.Fatalf("after the claim the queue says %q", n)
	}
	if r := rows(rita); r[0].Subject != docs[0].ID || r[0].Holder != "you" {
		t.Fatalf("the claimed case on the queue: %+v", r[0])
	}
	if c := caseOf(t, reviews, docs[0].ID); c.ClaimedBy != users["rita@example.com"].ID {
		t.Fatalf("the oldest case is held by %q", c.ClaimedBy)
	}

	// Rob, on the page he loaded before, claims it too: refused, with why; his queue then shows
	// who holds it and offers no claim.
	rob.submit("rob claims rita's case", "table.queue tbody tr:first-child button[name=action][value=claim]", "p.alert")
	rob.refused(409)
	if a := rob.text("p.alert"); !strings.Contains(a, "someone else is working on this case until") {
		t.Fatalf("rob's refused claim says %q", a)
	}
	if r := rows(rob); r[0].Subject != docs[0].ID || r[0].Holder != "rita@example.com" {
		t.Fatalf("rob's queue after the refusal: %+v", r[0])
	}
	if eval[bool](rob, `!!document.querySelector("table.queue tbody tr:first-child button[value=claim]")`) {
		t.Error("rob is offered to claim rita's case")
	}
	if c := caseOf(t, reviews, docs[0].ID); c.ClaimedBy != users["rita@example.com"].ID {
		t.Fatalf("after rob's claim the oldest case is held by %q", c.ClaimedBy)
	}
	rob.clean("refused claim")
	// He takes the next one instead.
	rob.submit("rob claims the next", "table.queue tbody tr:nth-child(2) button[name=action][value=claim]", "p.notice")

	// On the case page he sees who holds it; a decision he tries anyway is refused.
	casePath := "/console/cases/live/" + oldest.ID
	rob.do("rob opens rita's case", chromedp.Click(chromedp.CSS(`table.queue a[href="`+casePath+`"]`)), chromedp.WaitVisible(chromedp.CSS("section.case-head")))
	if h := rob.text("section.case-head"); !strings.Contains(h, "held by rita@example.com") {
		t.Fatalf("rob's case page: %q", h)
	}
	if eval[bool](rob, `!!document.querySelector("section.case-head button[value=claim]")`) {
		t.Error("rob is offered to claim rita's case on its page")
	}
	rob.submit("rob accepts rita's case", `button[name=action][value=accept]`, "p.alert")
	rob.refused(409)
	if a := rob.text("p.alert"); !strings.Contains(a, "someone else is working on this case") {
		t.Fatalf("rob's refused decision says %q", a)
	}
	if s := status(t, st, docs[0].ID); s != "pending-review" {
		t.Fatalf("rob's refused decision left the document %s", s)
	}
	rob.clean("refused decision")

	// The queue as Rita sees it now: hers, Rob's, the overdue.
	rita.do("back to the queue", chromedp.Navigate(srv.URL+"/console/"), chromedp.WaitVisible(chromedp.CSS("table.queue")))
	if r := rows(rita); r[0].Holder != "you" || r[1].Holder != "rob@example.com" {
		t.Fatalf("the queue: %+v", r)
	}
	rita.screenshot("console-queue")

	// She opens the oldest, zooms its image and accepts it: no second person needed.
	rita.do("open the case", chromedp.Click(chromedp.CSS(`table.queue a[href="`+casePath+`"]`)), chromedp.WaitVisible(chromedp.CSS("figure.zoomable img")))
	loaded := chromedp.Poll[bool](`(() => { const i = document.querySelector("figure.zoomable img"); return i.complete && i.naturalWidth > 0; })()`,
		chromedp.WithPollingTimeout(10*time.Second))
	rita.do("the image loads", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error { _, err := loaded(ctx, tg); return err }))
	if h := rita.text("section.case-head"); !strings.Contains(h, "held by you") || !strings.Contains(h, "overdue") {
		t.Fatalf("the case's head: %q", h)
	}
	// The selfie's face and the portrait, cut out of their images where the face match found them.
	drawn := chromedp.Poll[bool](`document.querySelectorAll("canvas.face[data-drawn='1']").length === 2`, chromedp.WithPollingTimeout(10*time.Second))
	rita.do("the faces are drawn", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error { _, err := drawn(ctx, tg); return err }))
	if a := eval[int](rita, `document.querySelector("canvas.face").getContext("2d").getImageData(90, 90, 1, 1).data[3]`); a != 255 {
		t.Fatalf("the selfie's face canvas is empty at its centre (alpha %d)", a)
	}
	// The screenshot is of a taller window, to show the case's head, the decision, the applicant
	// and the document's image at once.
	rita.do("a taller window", chromedp.EmulateViewport(1280, 1560, chromedp.EmulateScale(1)))
	eval[bool](rita, `window.scrollTo(0, 0), true`)
	rita.screenshot("console-case")
	rita.do("the usual window", chromedp.EmulateViewport(1280, 900, chromedp.EmulateScale(1)))
	rita.do("zoom in", chromedp.Click(chromedp.CSS(`figure.zoomable button[data-act="zoom-in"]`)))
	if z := eval[string](rita, `document.querySelector("figure.zoomable img").style.transform`); z != "scale(1.5) rotate(0deg)" {
		t.Fatalf("after zooming in the image's transform is %q", z)
	}
	rita.clean("case page")
	rita.submit("accept", `button[name=action][value=accept]`, "p.notice")
	if n := rita.text("p.notice"); n != "Decided." {
		t.Fatalf("after accepting the page says %q", n)
	}
	if s := status(t, st, docs[0].ID); s != "accepted" {
		t.Fatalf("the accepted document is %s", s)
	}
	if c, err := reviews.Case(ctx, kyc.EnvLive, oldest.ID); err != nil || c.Open {
		t.Fatalf("the case after acceptance: open %v, %v", c.Open, err)
	}
	rita.clean("accepted")

	// She opens the next free case and leaves her desk past the idle timeout: her click on Claim
	// lands on the sign-in page, and claims nothing.
	third := caseOf(t, reviews, docs[2].ID)
	rita.do("open the third case", chromedp.Navigate(srv.URL+"/console/cases/live/"+third.ID), chromedp.WaitVisible(chromedp.CSS("section.case-head button[value=claim]")))
	clk.add(31 * time.Minute)
	rita.submit("claim after the idle timeout", "section.case-head button[value=claim]", "#email")
	if loc := eval[string](rita, `location.pathname`); loc != "/console/login" {
		t.Fatalf("a click after the idle timeout shows %s", loc)
	}
	if c := caseOf(t, reviews, docs[2].ID); c.ClaimedBy != "" {
		t.Fatalf("a click after the idle timeout claimed the case for %q", c.ClaimedBy)
	}
	rita.clean("sign-in page after the timeout")

	// Signed in again, she goes on from the queue.
	rita.signInWithCode(srv.URL, "rita@example.com", key, clk.now())
	rita.submit("open the third case", `table.queue a[href="/console/cases/live/`+third.ID+`"]`, "section.case-head")
	rita.submit("claim on the case page", "section.case-head button[value=claim]", "section.case-head button[value=release]")
	if c := caseOf(t, reviews, docs[2].ID); c.ClaimedBy != users["rita@example.com"].ID {
		t.Fatalf("after signing in again the case is held by %q", c.ClaimedBy)
	}
	rita.clean("the end")
	rob.clean("the end")
}

// TestRefusalsInChromium: in headless Chromium, what the console does not offer a person it also
// refuses when they post it anyway, from their own signed-in browser with the page's CSRF token:
// an admin (who enrols a second factor at sign-in, as admins must) proposes a rejection, is not
// offered to approve it, and is refused when they post the approval; so is a reviewer; an approver
// approves it. A viewer sees no decision form and is refused a decision. A form whose CSRF token
// was altered, or removed, is refused and changes nothing. The dashboard counts these decisions
// with two weeks of earlier ones, and axe-core finds nothing serious on it; no page logs a console
// error (but the refused pages' statuses) or a CSP violation. A screenshot of the dashboard.
func TestRefusalsInChromium(t *testing.T) {
	st := storetest.New(t, store.SQLite)
	clk := newClock()
	srv, ps, reviews := browserEnvWith(t, st, browserOptions{Now: clk.now, PNG: passportPNG(t)})
	ctx := t.Context()
	for _, p := range []struct {
		email string
		role  people.Role
	}{{"ada@example.com", people.Admin}, {"amy@example.com", people.Approver}, {"rita@example.com", people.Reviewer}, {"vic@example.com", people.Viewer}} {
		if _, err := ps.CreateUser(ctx, "cli:test", p.email, p.role, password); err != nil {
			t.Fatal(err)
		}
	}
	history, rejected := seedHistory(t, st)
	docs := seedQueue(t, st, 2*24*time.Hour, 26*time.Hour, 3*time.Hour)
	axeJS := axeSource(t)
	b := newBrowser(t)

	// The admin must enrol a second factor before any other page.
	ada := openTab(t, b)
	ada.do("open the console", chromedp.Navigate(srv.URL+"/console/"), chromedp.WaitVisible(chromedp.CSS("#email")))
	ada.do("sign in as the admin", chromedp.SendKeys(chromedp.CSS("#email"), "ada@example.com"), chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS(`form[action="/console/login"] button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS("#secret")))
	if loc := eval[string](ada, `location.pathname`); loc != "/console/second-factor/enrol" {
		t.Fatalf("an admin without a second factor is sent to %s", loc)
	}
	if p := ada.text("main"); !strings.Contains(p, "Admins must use a second factor") {
		t.Fatalf("the admin's enrolment page: %q", p)
	}
	ada.do("type the code", chromedp.SendKeys(chromedp.CSS("#code"), totpCode(ada.enrolKey(), clk.now())))
	ada.submit("turn the second factor on", `form[action="/console/second-factor/enrol"] button[type=submit]`, "table.queue")

	// The admin rejects the oldest document: a proposal, which they are not offered to approve.
	first := caseOf(t, reviews, docs[0].ID)
	firstPath := "/console/cases/live/" + first.ID
	ada.do("open the oldest case", chromedp.Click(chromedp.CSS(`table.queue a[href="`+firstPath+`"]`)), chromedp.WaitVisible(chromedp.CSS("#rtype")))
	ada.do("fill the rejection", chromedp.SetValue(chromedp.CSS("#rtype"), "document-unreadable"),
		chromedp.SendKeys(chromedp.CSS("#msg"), "The photo is blurred; please take it again in good light."))
	ada.submit("reject", `button[name=action][value=reject]`, "p.notice")
	if p := ada.text("section.decide"); !strings.Contains(p, "It waits for a person with the approver role other than its author") {
		t.Fatalf("the author's case page after the proposal: %q", p)
	}
	if eval[bool](ada, `!!document.querySelector("button[name=action][value=approve]")`) {
		t.Fatal("the author is offered to approve their own proposal")
	}
	prop, ok, err := reviews.Pending(ctx, kyc.EnvLive, first.ID)
	if err != nil || !ok {
		t.Fatalf("no proposal waits: %v", err)
	}
	approve := map[string]string{"action": "approve"}
	ada.submit("the author posts the approval", ada.forge("/console/proposals/live/"+prop.ID, approve), "p.alert")
	ada.refused(403)
	if a := ada.text("p.alert"); !strings.Contains(a, "nobody approves or refuses their own proposal") {
		t.Fatalf("the author's approval says %q", a)
	}
	if s := status(t, st, docs[0].ID); s != "pending-review" {
		t.Fatalf("the author's approval left the document %s", s)
	}

	// A reviewer posting the approval is refused for their role.
	rita := openTab(t, b)
	rita.signIn(srv.URL, "rita@example.com")
	rita.do("open the proposal's case", chromedp.Navigate(srv.URL+firstPath), chromedp.WaitVisible(chromedp.CSS("section.decide")))
	rita.submit("a reviewer posts the approval", rita.forge("/console/proposals/live/"+prop.ID, approve), "p.alert")
	rita.refused(403)
	if a := rita.text("p.alert"); a != "This page needs the approver role; you are a reviewer." {
		t.Fatalf("a reviewer's approval says %q", a)
	}
	if s := status(t, st, docs[0].ID); s != "pending-review" {
		t.Fatalf("a reviewer's approval left the document %s", s)
	}

	// An approver approves it.
	amy := openTab(t, b)
	amy.signIn(srv.URL, "amy@example.com")
	amy.do("open the proposal's case", chromedp.Navigate(srv.URL+firstPath), chromedp.WaitVisible(chromedp.CSS("section.decide")))
	if p := amy.text("section.decide"); !strings.Contains(p, "Proposed by ada@example.com: reject (document-unreadable)") {
		t.Fatalf("the approver's case page: %q", p)
	}
	amy.submit("approve", `button[name=action][value=approve]`, "p.notice")
	if n := amy.text("p.notice"); n != "Approved and carried out." {
		t.Fatalf("after approving the page says %q", n)
	}
	if s := status(t, st, docs[0].ID); s != "rejected" {
		t.Fatalf("the approved rejection left the document %s", s)
	}

	// A viewer sees the case but no form to act on it, and a decision they post is refused.
	second := caseOf(t, reviews, docs[1].ID)
	secondPath := "/console/cases/live/" + second.ID
	vic := openTab(t, b)
	vic.signIn(srv.URL, "vic@example.com")
	if eval[bool](vic, `!!document.querySelector("table.queue button")`) {
		t.Error("the queue offers a viewer to act")
	}
	vic.do("open a case", chromedp.Click(chromedp.CSS(`table.queue a[href="`+secondPath+`"]`)), chromedp.WaitVisible(chromedp.CSS("section.decide")))
	if n := eval[int](vic, `document.querySelectorAll("main form").length`); n != 0 {
		t.Errorf("a viewer's case page has %d forms", n)
	}
	vic.clean("a viewer's case page")
	vic.submit("a viewer posts an acceptance", vic.forge(secondPath+"/decide", map[string]string{"action": "accept"}), "p.alert")
	vic.refused(403)
	if a := vic.text("p.alert"); a != "This page needs the reviewer role; you are a viewer." {
		t.Fatalf("a viewer's decision says %q", a)
	}
	if s := status(t, st, docs[1].ID); s != "pending-review" {
		t.Fatalf("a viewer's decision left the document %s", s)
	}

	// A form whose CSRF token was altered, or removed, is refused and changes nothing.
	rita.do("open a case", chromedp.Navigate(srv.URL+secondPath), chromedp.WaitVisible(chromedp.CSS("section.case-head button[value=claim]")))
	eval[bool](rita, `(() => { document.querySelector("section.case-head input[name=csrf]").remove(); return true; })()`)
	rita.submit("claim without the token", "section.case-head button[value=claim]", "p.alert")
	rita.refused(403)
	if h, a := rita.text("h1"), rita.text("p.alert"); h != "Form expired" || !strings.Contains(a, "did not come from the console") {
		t.Fatalf("a claim without the token: %q, %q", h, a)
	}
	if c := caseOf(t, reviews, docs[1].ID); c.ClaimedBy != "" {
		t.Fatalf("a claim without the token gave the case to %q", c.ClaimedBy)
	}
	rita.do("open the case again", chromedp.Navigate(srv.URL+secondPath), chromedp.WaitVisible(chromedp.CSS("#note-a")))
	eval[bool](rita, `(() => { document.querySelector("#note-a").form.querySelector("input[name=csrf]").value = "forged"; return true; })()`)
	rita.do("write a note", chromedp.SendKeys(chromedp.CSS("#note-a"), "Looks fine."))
	rita.submit("accept with a forged token", `button[name=action][value=accept]`, "p.alert")
	rita.refused(403)
	if h := rita.text("h1"); h != "Form expired" {
		t.Fatalf("an acceptance with a forged token: %q", h)
	}
	if s := status(t, st, docs[1].ID); s != "pending-review" {
		t.Fatalf("an acceptance with a forged token left the document %s", s)
	}
	// From the page as the console sent it, the same acceptance is an override of the failed
	// duplicate-face check: a proposal, which the approver approves.
	rita.do("open the case again", chromedp.Navigate(srv.URL+secondPath), chromedp.WaitVisible(chromedp.CSS("#note-a")))
	rita.do("write a note", chromedp.SendKeys(chromedp.CSS("#note-a"), "Twins: the other applicant is her sister, same address."))
	rita.submit("accept", `button[name=action][value=accept]`, "p.notice")
	amy.do("open the override", chromedp.Navigate(srv.URL+secondPath), chromedp.WaitVisible(chromedp.CSS(`button[name=action][value=approve]`)))
	amy.submit("approve the override", `button[name=action][value=approve]`, "p.notice")
	if s := status(t, st, docs[1].ID); s != "accepted" {
		t.Fatalf("the approved override left the document %s", s)
	}

	// The dashboard shows the decisions.
	amy.do("open the dashboard", chromedp.Click(chromedp.CSS(`nav a[href="/console/dashboard"]`)), chromedp.WaitVisible(chromedp.CSS("svg.chart")))
	d := amy.text("main")
	for _, want := range []string{fmt.Sprintf("Applied\t%d", history+3), fmt.Sprintf("By the checks\t%d", history), "By a person\t2",
		fmt.Sprintf("over %d decided documents", history+2), fmt.Sprintf("document-unreadable\t%d", rejected["document-unreadable"]+1)} {
		if !strings.Contains(d, want) {
			t.Errorf("the dashboard lacks %q: %s", want, d)
		}
	}
	amy.clean("dashboard")
	amy.axe(axeJS, "dashboard")
	amy.do("a taller window", chromedp.EmulateViewport(1280, 1120, chromedp.EmulateScale(1)))
	amy.screenshot("console-dashboard")
	for _, tb := range []*tab{ada, rita, amy, vic} {
		tb.clean("the end")
	}
}
