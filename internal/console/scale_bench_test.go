package console_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"kycd/internal/auth"
	"kycd/internal/console"
	"kycd/internal/export"
	"kycd/internal/kyc"
	"kycd/internal/people"
	"kycd/internal/report"
	"kycd/internal/review"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
	"kycd/internal/webhook"
)

// The scale of BenchmarkConsoleAt100k: applicants (each with a file, a KYC request, a document,
// a screening and two events) and the open cases among them, one in five applicants.
const (
	benchApplicants = 100_000
	benchOpen       = benchApplicants / 5
)

// BenchmarkConsoleAt100k measures the review console's queue and case pages, through the real
// handler stack served by an httptest.Server and a signed-in reviewer's cookie, on each database
// holding, in the live environment, 100,000 applicants with their files, KYC requests, documents,
// screenings and events, 20,000 open review cases (18,000 on documents in review: document,
// duplicate-face and duplicate; 2,000 sanctions holds on potential-match screenings; over three
// levels and a rare fourth, and 28 days of age; 20 held by the signed-in reviewer and one in seven
// by another, one in eleven snoozed), 40,000 decided cases, 60,000 notes and 2,000 proposals
// waiting for an approver. One case of each kind, its note and its proposal are made through the
// real code (the review queue's sink opens the cases); the rest are copies made in SQL (copier),
// their sealed columns copied with storetest.RowCopySealer. Each page's latency is reported as
// p50-ms and p95-ms besides ns/op; every answer is checked to be the page asked for. The queue's
// pages are measured again without migration 00029's and 00038's indexes ("-before"). Figures in
// bench/README.md ("Review console at 100k applicants").
func BenchmarkConsoleAt100k(b *testing.B) {
	for _, d := range storetest.Dialects {
		b.Run(string(d), func(b *testing.B) {
			ctx := b.Context()
			dsn := storetest.NewDatabase(b, d)
			st, err := store.Open(ctx, dsn, storetest.NewRowCopySealer(b))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = st.Close() })
			if d == store.SQLite {
				if err := st.Migrate(ctx); err != nil {
					b.Fatal(err)
				}
			}
			s := seedConsole(b, st)
			if d == store.Postgres {
				// Autovacuum would run soon after such a load; without it PostgreSQL cannot tell which
				// pages are all visible, and reads an index's rows from the table too.
				vacuum(b, dsn)
			}
			measureConsole(b, s, "")
			// The "before": without migration 00029's indexes (and 00038's, for the most urgent
			// first pages), in the same run.
			if err := st.Record(ctx, "", func(tx *store.Tx) (store.Effects, error) {
				for _, ix := range []string{"review_cases_counts", "review_cases_queue_level", "review_cases_queue_holder",
					"review_cases_queue_urgent", "review_cases_urgent_reason", "review_cases_urgent_level", "review_cases_urgent_holder"} {
					if _, err := tx.Exec(ctx, `DROP INDEX `+ix); err != nil {
						return store.Effects{}, err
					}
				}
				return store.Effects{}, nil
			}); err != nil {
				b.Fatal(err)
			}
			if d == store.Postgres {
				vacuum(b, dsn)
			}
			measureConsole(b, s, "-before")
		})
	}
}

// benchConsole is a seeded console: its server, a reviewer's signed-in client and the cases to open.
type benchConsole struct {
	srv    *httptest.Server
	client *http.Client
	// cases are open cases of every reason, some held, some with a proposal, to open in turn.
	cases []string
	// counts are the open cases per reason, as the queue's heading should show them.
	counts map[string]int
}

// measureConsole measures each page, named with suffix; the "-before" measure is of the queue's
// pages only, the ones the indexes it lacks serve.
func measureConsole(b *testing.B, s benchConsole, suffix string) {
	get := func(b *testing.B, path string) string {
		resp, err := s.client.Get(s.srv.URL + path)
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			b.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
		}
		return string(body)
	}
	queueRow := regexp.MustCompile(`<code>(rvc_[0-9A-Z]+)</code>`)
	nextPage := regexp.MustCompile(`<a href="/console/\?([^"]+)">Next page</a>`)
	wantQueue := func(b *testing.B, body string) {
		if n := len(queueRow.FindAllString(body, -1)); n != 50 {
			b.Fatalf("the queue page shows %d cases, want 50: %.2000s", n, body)
		}
		for reason, n := range s.counts {
			if want := fmt.Sprintf(`<span class="n">%d</span> %s`, n, reason); !strings.Contains(body, want) {
				b.Fatalf("the queue page lacks %q", want)
			}
		}
		if !nextPage.MatchString(body) {
			b.Fatal("the queue page has no link to its next page")
		}
		if strings.Contains(body, "snoozed until") {
			b.Fatal("the queue page shows snoozed cases")
		}
	}
	// wantRows checks that every row of a filtered page has cell, as the filter says.
	wantRows := func(b *testing.B, body, cell string) {
		if n := strings.Count(body, cell); n != 50 {
			b.Fatalf("%d rows of 50 have %q", n, cell)
		}
	}
	next := nextPage.FindStringSubmatch(get(b, "/console/"))
	if next == nil {
		b.Fatal("no second page")
	}
	second := "/console/?" + html.UnescapeString(next[1])
	next = nextPage.FindStringSubmatch(get(b, "/console/?order=urgent"))
	if next == nil {
		b.Fatal("no second page most urgent first")
	}
	urgentSecond := "/console/?" + html.UnescapeString(next[1])

	pages := []struct {
		name string
		path func(i int) string
		want func(b *testing.B, body string)
	}{
		{"queue", func(int) string { return "/console/" }, wantQueue},
		{"queue-second-page", func(int) string { return second }, wantQueue},
		{"queue-by-reason", func(int) string { return "/console/?reason=duplicate-face" }, func(b *testing.B, body string) {
			wantQueue(b, body)
			wantRows(b, body, "<td>duplicate-face<br>")
		}},
		{"queue-by-level", func(int) string { return "/console/?level=L3" }, func(b *testing.B, body string) {
			wantQueue(b, body)
			wantRows(b, body, "<td>L3</td>")
		}},
		{"queue-by-rare-level", func(int) string { return "/console/?level=L4" }, func(b *testing.B, body string) {
			// 50 cases of 20,000 have this level, 45 of them not snoozed: one page, every row of it.
			if n := len(queueRow.FindAllString(body, -1)); n != 45 || strings.Count(body, "<td>L4</td>") != n || nextPage.MatchString(body) {
				b.Fatalf("the queue of a rare level shows %d cases: %.300s", n, body)
			}
		}},
		{"queue-mine", func(int) string { return "/console/?assignee=me" }, func(b *testing.B, body string) {
			// rita holds 20 cases, one of them snoozed.
			if n := len(queueRow.FindAllString(body, -1)); n != 19 || strings.Count(body, `value="release"`) != n || nextPage.MatchString(body) {
				b.Fatalf("the queue of rita's cases shows %d cases: %.300s", n, body)
			}
		}},
		{"queue-unclaimed", func(int) string { return "/console/?assignee=none" }, func(b *testing.B, body string) {
			wantQueue(b, body)
			wantRows(b, body, `<td><span class="muted">nobody</span></td>`)
		}},
		{"queue-urgent", func(int) string { return "/console/?order=urgent" }, wantQueue},
		{"queue-urgent-second-page", func(int) string { return urgentSecond }, wantQueue},
		{"queue-urgent-by-reason", func(int) string { return "/console/?order=urgent&reason=document" }, func(b *testing.B, body string) {
			wantQueue(b, body)
			wantRows(b, body, "<td>document<br>")
		}},
		{"queue-urgent-by-rare-level", func(int) string { return "/console/?order=urgent&level=L4" }, func(b *testing.B, body string) {
			if n := len(queueRow.FindAllString(body, -1)); n != 45 || strings.Count(body, "<td>L4</td>") != n || nextPage.MatchString(body) {
				b.Fatalf("the queue of a rare level, most urgent first, shows %d cases: %.300s", n, body)
			}
		}},
		{"queue-urgent-mine", func(int) string { return "/console/?order=urgent&assignee=me" }, func(b *testing.B, body string) {
			if n := len(queueRow.FindAllString(body, -1)); n != 19 || strings.Count(body, `value="release"`) != n || nextPage.MatchString(body) {
				b.Fatalf("the queue of rita's cases, most urgent first, shows %d cases: %.300s", n, body)
			}
		}},
		{"case", func(i int) string { return "/console/cases/live/" + s.cases[i%len(s.cases)] }, nil},
	}
	for _, p := range pages {
		if suffix != "" && !strings.HasPrefix(p.name, "queue") {
			continue
		}
		b.Run(p.name+suffix, func(b *testing.B) {
			var lat []time.Duration
			i := 0
			for b.Loop() {
				path := p.path(i)
				t0 := time.Now()
				body := get(b, path)
				lat = append(lat, time.Since(t0))
				if p.want != nil {
					p.want(b, body)
				} else if id := path[strings.LastIndexByte(path, '/')+1:]; !strings.Contains(body, "Case "+id) || !strings.Contains(body, "<h2>Applicant</h2>") {
					b.Fatalf("%s is not its case page: %.2000s", path, body)
				}
				i++
			}
			slices.Sort(lat)
			b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
			b.ReportMetric(ms(lat[(len(lat)*95+99)/100-1]), "p95-ms")
		})
	}
}

// vacuum runs VACUUM ANALYZE on the PostgreSQL database dsn (outside a transaction, which the
// store's writes cannot be).
func vacuum(b *testing.B, dsn string) {
	conn, err := pgx.Connect(b.Context(), dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(b.Context())
	if _, err := conn.Exec(b.Context(), `VACUUM ANALYZE`); err != nil {
		b.Fatal(err)
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// seedConsole makes the console's people, one case of each kind through the real code, and the
// copies (see BenchmarkConsoleAt100k), and signs a reviewer in.
func seedConsole(b *testing.B, st *store.Store) benchConsole {
	ctx := b.Context()
	ps, err := people.NewService(st, people.Config{IndexKey: []byte("k"), Argon2: people.Argon2Params{Memory: 64, Time: 1, Threads: 1}})
	if err != nil {
		b.Fatal(err)
	}
	reviews := review.NewService(st, review.Config{FourEyes: map[string]bool{"*": true}})
	reviews.SetDecider(storeDecider{st})
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(context.Context, *river.Job[webhook.DeliveryArgs]) error { return nil }))
	if err := st.InitJobs(store.JobsConfig{Workers: workers, Events: store.EventSinks{webhook.Deliveries{}, reviews.Sink()}}); err != nil {
		b.Fatal(err)
	}
	var users []people.User
	for _, p := range []struct {
		email string
		role  people.Role
	}{{"rita@example.com", people.Reviewer}, {"rob@example.com", people.Reviewer}, {"amy@example.com", people.Approver}} {
		u, err := ps.CreateUser(ctx, "cli:test", p.email, p.role, password)
		if err != nil {
			b.Fatal(err)
		}
		users = append(users, u)
	}

	// The real ones: an applicant with a file, a KYC request and a document put in review (its
	// case opened by the sink), a note and a proposal on that case; a sanctions hold on another
	// applicant's screening.
	live := kyc.EnvLive
	a := kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), Env: live, Type: "individual", Status: "unverified", Level: "L1",
		Email: "anna@example.com", Profile: kyc.Profile{FirstName: "Anna", LastName: "Eriksson", DateOfBirth: "1974-08-12"}}
	created := audit("applicant.create", a.ID)
	created.Events = []store.NewEvent{{Type: kyc.EventApplicantCreated, ResourceType: "applicant", ResourceID: a.ID}}
	if err := st.CreateApplicant(ctx, &a, created); err != nil {
		b.Fatal(err)
	}
	f := kyc.File{ID: kyc.NewID(kyc.PrefixFile), Env: live, ApplicantID: a.ID, Tag: "id-front", MIME: "image/png", Size: 10, SHA256: "ab", Width: 1, Height: 1, BlobKey: "k"}
	if err := st.CreateFile(ctx, &f, audit("file.create", f.ID)); err != nil {
		b.Fatal(err)
	}
	r := kyc.Request{ID: kyc.NewID(kyc.PrefixRequest), Env: live, ApplicantID: a.ID, Status: "gathering", MatchLevel: 2, Level: "L1",
		Documents: []kyc.RequestDocument{{Type: "identity-proof", MaxAttempts: 3}}, ExpirationTime: time.Now().Add(30 * 24 * time.Hour)}
	if err := st.CreateRequest(ctx, &r, audit("kyc-request.create", r.ID)); err != nil {
		b.Fatal(err)
	}
	doc := kyc.Document{ID: kyc.NewID(kyc.PrefixDocument), Env: live, ApplicantID: a.ID, RequestID: r.ID, Type: "identity-proof", Subtype: "passport",
		FileIDs: []string{f.ID}, Status: "pending", Identification: &kyc.Identification{HolderName: "Anna Eriksson", Number: "X1234567", IssuingCountry: "SWE"}}
	if err := st.CreateDocument(ctx, &doc, audit("kyc-document.create", doc.ID), func(kyc.Request, *kyc.Problems) {}); err != nil {
		b.Fatal(err)
	}
	if _, err := st.DecideDocument(ctx, live, doc.ID, func(c *store.Case) (store.Effects, error) {
		c.Document.Status = "pending-review"
		c.Document.CheckList = []kyc.Check{{Name: "holder-name-match"}, {Name: "document-number-plausible"}, {Name: "face-match", Failed: true, Reason: "score 0.41"}}
		c.Document.Decision = &kyc.Decision{Level: "L1", Outcome: "pending-review"}
		eff := audit("kyc-document.decide", doc.ID)
		eff.Events = []store.NewEvent{{Type: kyc.EventDocumentPendingReview, ResourceType: "kyc-document", ResourceID: doc.ID}}
		return eff, nil
	}); err != nil {
		b.Fatal(err)
	}
	docCase := openCaseOf(b, st, doc.ID)
	note, err := reviews.AddNote(ctx, live, docCase, review.Person{ID: users[0].ID}, "The photo is dark; asked a colleague.")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := reviews.Decide(ctx, live, docCase, review.Person{ID: users[1].ID},
		review.Decision{Action: review.ActionReject, RejectionType: "document-unreadable", Message: "Please take the photo again in daylight."}); err != nil {
		b.Fatal(err)
	}
	var proposal string
	if err := st.QueryRow(ctx, `SELECT id FROM review_proposals WHERE case_id = ?`, docCase).Scan(&proposal); err != nil {
		b.Fatal(err)
	}
	sa := kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), Env: live, Type: "individual", Status: "unverified", Level: "L1"}
	if err := st.CreateApplicant(ctx, &sa, audit("applicant.create", sa.ID)); err != nil {
		b.Fatal(err)
	}
	if err := st.Record(ctx, "", func(tx *store.Tx) (store.Effects, error) {
		_, err := tx.Exec(ctx, `INSERT INTO sanctions_entries (list, entry_id, hash, data) VALUES ('un', 'QDi.999', 'h', ?)`,
			`{"list":"un","id":"QDi.999","type":"individual","name":"EXAMPLE, Ivan","aliases":["Ivan Ekzampl"],"remarks":"Listed for testing only."}`)
		return store.Effects{}, err
	}); err != nil {
		b.Fatal(err)
	}
	sc := kyc.Screening{ID: kyc.NewID(kyc.PrefixScreening), Env: live, ApplicantID: sa.ID, Reason: "applicant-created", Disposition: "potential-match",
		Hits:  []kyc.ScreeningHit{{List: "un", EntryID: "QDi.999", Type: "individual", Name: "EXAMPLE, Ivan", MatchedName: "Ivan Ekzampl", Alias: true, Score: 0.93}},
		Lists: []kyc.SanctionsList{}}
	eff := audit("screening.create", sc.ID)
	eff.Events = []store.NewEvent{{Type: kyc.EventScreeningPotentialMatch, ResourceType: "screening", ResourceID: sc.ID, Data: sc}}
	if err := st.CreateScreening(ctx, &sc, eff); err != nil {
		b.Fatal(err)
	}
	sanctionsCase := openCaseOf(b, st, sc.ID)
	var applicantEvent, documentEvent string
	for _, e := range []struct {
		resource string
		id       *string
	}{{a.ID, &applicantEvent}, {doc.ID, &documentEvent}} {
		if err := st.QueryRow(ctx, `SELECT id FROM events WHERE resource_id = ? ORDER BY id LIMIT 1`, e.resource).Scan(e.id); err != nil {
			b.Fatal(err)
		}
	}

	// The copies. Row i (1 to 100,000) of each table belongs to applicant i; the open cases are
	// those of applicants 5j (j 1 to 20,000), the decided ones those of applicants 5k+1 and 5k+2.
	c := copier{b: b, st: st}
	now := store.Micros(time.Now())
	const minute = 60_000_000
	i, j := "n.i", "n.i"
	aOf, docOf, caseOf := func(x string) string { return c.id(a.ID, x) }, func(x string) string { return c.id(doc.ID, x) }, func(x string) string { return c.id(docCase, x) }
	c.copy("applicants", a.ID, benchApplicants, "", map[string]string{"id": aOf(i),
		"status": "CASE n.i % 3 WHEN 0 THEN 'verified' WHEN 1 THEN 'unverified' ELSE 'rejected' END", "level": "'L' || CAST(n.i % 3 + 1 AS TEXT)",
		"created_at": fmt.Sprintf("%d - (%d - n.i) * %d", now, benchApplicants+1, minute/2)})
	c.copy("files", f.ID, benchApplicants, "", map[string]string{"id": c.id(f.ID, i), "applicant_id": aOf(i)})
	c.copy("kyc_requests", r.ID, benchApplicants, "", map[string]string{"id": c.id(r.ID, i), "applicant_id": aOf(i),
		"status": "CASE WHEN n.i % 5 = 0 THEN 'gathering' WHEN n.i % 5 < 3 THEN 'completed' ELSE 'expired' END", "level": "'L' || CAST(n.i % 3 + 1 AS TEXT)"})
	c.copy("kyc_documents", doc.ID, benchApplicants, "", map[string]string{"id": docOf(i), "applicant_id": aOf(i), "request_id": c.id(r.ID, i),
		"file_ids": `'["' || ` + c.id(f.ID, i) + ` || '"]'`,
		"status":   "CASE WHEN n.i % 5 = 0 AND (n.i / 5) % 10 <> 0 THEN 'pending-review' WHEN n.i % 5 = 1 THEN 'accepted' WHEN n.i % 5 = 2 THEN 'rejected' ELSE 'accepted' END"})
	c.copy("screenings", sc.ID, benchApplicants, "", map[string]string{"id": c.id(sc.ID, i), "applicant_id": aOf(i),
		"disposition": "CASE WHEN n.i % 50 = 0 THEN 'potential-match' ELSE 'clear' END", "hits": "CASE WHEN n.i % 50 = 0 THEN t.hits ELSE '[]' END"})
	c.copy("events", applicantEvent, benchApplicants, "", map[string]string{"id": c.id(applicantEvent, i), "resource_id": aOf(i)})
	c.copy("events", documentEvent, benchApplicants, "", map[string]string{"id": c.id(documentEvent, "200000 + n.i"), "resource_id": docOf(i)})

	// Open cases j: their age (oldest first, 2 minutes apart, the oldest 28 days), level (L1 to L3,
	// and L4 for 50 of them), claim (for the next hours: 20 by rita, who is signed in, and one in
	// seven by rob) and snooze (one in eleven).
	open := map[string]string{
		"level":            "CASE WHEN n.i % 400 = 7 THEN 'L4' ELSE 'L' || CAST(n.i % 3 + 1 AS TEXT) END",
		"created_at":       fmt.Sprintf("%d - (%d - n.i) * %d", now, benchOpen+1, 2*minute),
		"due_at":           fmt.Sprintf("%d - (%d - n.i) * %d + %d", now, benchOpen+1, 2*minute, 24*60*minute),
		"claimed_by":       fmt.Sprintf("CASE WHEN n.i %% 1000 = 0 THEN '%s' WHEN n.i %% 7 = 0 THEN '%s' ELSE NULL END", users[0].ID, users[1].ID),
		"claim_expires_at": fmt.Sprintf("CASE WHEN n.i %% 1000 = 0 OR n.i %% 7 = 0 THEN %d ELSE NULL END", now+6*60*minute),
		"snoozed_until":    fmt.Sprintf("CASE WHEN n.i %% 11 = 0 THEN %d ELSE NULL END", now+48*60*minute),
	}
	with := func(m map[string]string, more map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range m {
			out[k] = v
		}
		for k, v := range more {
			out[k] = v
		}
		return out
	}
	c.copy("review_cases", docCase, benchOpen, "n.i % 10 <> 0", with(open, map[string]string{"id": caseOf(j), "subject_id": docOf("5 * n.i"),
		"applicant_id": aOf("5 * n.i"),
		"reason":       "CASE n.i % 10 WHEN 1 THEN 'duplicate-face' WHEN 2 THEN 'duplicate-face' WHEN 3 THEN 'duplicate' ELSE 'document' END",
		"priority":     "CASE n.i % 10 WHEN 1 THEN 2 WHEN 2 THEN 2 WHEN 3 THEN 3 ELSE 4 END"}))
	c.copy("review_cases", sanctionsCase, benchOpen, "n.i % 10 = 0", with(open, map[string]string{"id": caseOf(j), "subject_id": c.id(sc.ID, "5 * n.i"),
		"applicant_id": aOf("5 * n.i")}))
	// Decided cases k (1 to 40,000) on the documents of applicants 5((k-1)/2) + 1 + (k-1)%2.
	decided := "(5 * ((n.i - 1) / 2) + 1 + (n.i - 1) % 2)"
	c.copy("review_cases", docCase, 2*benchOpen, "", map[string]string{"id": caseOf("100000 + n.i"), "subject_id": docOf(decided), "applicant_id": aOf(decided),
		"status": "'decided'", "created_at": fmt.Sprintf("%d - (%d - n.i) * %d", now, 2*benchOpen+1, minute),
		"decided_at": fmt.Sprintf("%d - (%d - n.i) * %d + %d", now, 2*benchOpen+1, minute, 60*minute)})
	c.copy("review_notes", note.ID, benchOpen, "", map[string]string{"id": c.id(note.ID, i), "case_id": caseOf(j), "applicant_id": aOf("5 * n.i")})
	c.copy("review_notes", note.ID, 2*benchOpen, "", map[string]string{"id": c.id(note.ID, "100000 + n.i"), "case_id": caseOf("100000 + n.i"), "applicant_id": aOf(decided)})
	c.copy("review_proposals", proposal, benchOpen, "n.i % 10 = 5", map[string]string{"id": c.id(proposal, j), "case_id": caseOf(j)})

	counts := map[string]int{}
	rs, err := st.Query(ctx, `SELECT reason, count(*) FROM review_cases WHERE env = 'live' AND status = 'open' GROUP BY reason`)
	if err != nil {
		b.Fatal(err)
	}
	total := 0
	for rs.Next() {
		var reason string
		var n int
		if err := rs.Scan(&reason, &n); err != nil {
			b.Fatal(err)
		}
		counts[reason], total = n, total+n
	}
	rs.Close()
	if total != benchOpen+2 {
		b.Fatalf("%d open cases, want %d: %v", total, benchOpen+2, counts)
	}

	deps := console.Deps{Log: slog.New(slog.DiscardHandler), People: ps, Reviews: reviews, Evidence: storeEvidence{st: st, reviews: reviews}, Audit: st,
		Exports: export.New(storeExportSource{st: st, reviews: reviews}, export.Config{}),
		Reports: report.New(st), Levels: builtinLevels(b), Policy: reviews, Webhooks: webhook.NewService(st, webhook.Config{}), APIKeys: auth.NewKeys(st),
		CSRFKey: []byte("csrf")}
	h, err := console.New(deps)
	if err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	h.Mount(mux)
	srv := httptest.NewServer(mux)
	b.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	signInForBench(b, srv, client, "rita@example.com")

	// Cases to open: the real two, and copies of every reason, claimed and not, with a proposal
	// (j = 5), spread over the queue.
	cases := []string{docCase, sanctionsCase}
	for _, j := range []int{1, 2, 3, 4, 5, 7, 10, 14, 15, 997, 2503, 5000, 7777, 9990, 12345, 15002, 17203, 19999} {
		cases = append(cases, docCase[:len(docCase)-6]+fmt.Sprintf("%06d", j))
	}
	return benchConsole{srv: srv, client: client, cases: cases, counts: counts}
}

// openCaseOf is the id of the open case the sink opened about subject.
func openCaseOf(b *testing.B, st *store.Store, subject string) string {
	var id string
	if err := st.QueryRow(b.Context(), `SELECT id FROM review_cases WHERE subject_id = ? AND status = 'open'`, subject).Scan(&id); err != nil {
		b.Fatalf("the case of %s: %v", subject, err)
	}
	return id
}

func signInForBench(b *testing.B, srv *httptest.Server, client *http.Client, email string) {
	resp, err := client.Get(srv.URL + "/console/login")
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfField.FindStringSubmatch(string(body))
	if m == nil {
		b.Fatalf("no CSRF token on the sign-in page: %s", body)
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/console/login",
		strings.NewReader(url.Values{"csrf": {m[1]}, "email": {email}, "password": {password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", srv.URL)
	resp, err = client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/" {
		b.Fatalf("sign-in: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// copier inserts copies of one row in SQL, as the store's own benchmarks do (Store.Copy, which
// only the store's tests reach): through Store.Record, a write of facts with no effects.
type copier struct {
	b  *testing.B
	st *store.Store
}

// id is the id of copy x (an SQL expression of n.i, at most 999,999): like's id with its last six
// characters replaced by x's six digits, so that it stays a valid id of the same kind and the
// copies sort by x.
func (c copier) id(like, x string) string {
	pad := "substr('000000' || CAST(" + x + " AS TEXT), -6)"
	if c.st.Dialect() == store.Postgres {
		pad = "right('000000' || CAST(" + x + " AS TEXT), 6)"
	}
	return "'" + like[:len(like)-6] + "' || " + pad
}

// copy inserts a copy of table's row id for each n.i from 1 to n for which where (an SQL
// condition of n.i, or "") holds; set gives columns an SQL expression of n.i and of the row's
// columns (t.<column>), every other column is copied as it is. On PostgreSQL the table is analysed
// after, as autovacuum would be soon after such a load.
func (c copier) copy(table, id string, n int, where string, set map[string]string) {
	c.b.Helper()
	ctx := c.b.Context()
	q := `SELECT name FROM pragma_table_info(?) ORDER BY cid`
	if c.st.Dialect() == store.Postgres {
		q = `SELECT column_name FROM information_schema.columns WHERE table_name = ? AND is_identity = 'NO' ORDER BY ordinal_position`
	}
	rs, err := c.st.Query(ctx, q, table)
	if err != nil {
		c.b.Fatal(err)
	}
	var cols, exprs []string
	for rs.Next() {
		var col string
		if err := rs.Scan(&col); err != nil {
			c.b.Fatal(err)
		}
		e := "t." + col
		if s, ok := set[col]; ok {
			e = s
		}
		cols, exprs = append(cols, col), append(exprs, e)
	}
	rs.Close()
	if where != "" {
		where = " AND " + where
	}
	err = c.st.Record(ctx, "", func(tx *store.Tx) (store.Effects, error) {
		_, err := tx.Exec(ctx, `INSERT INTO `+table+` (`+strings.Join(cols, ", ")+`)
			WITH RECURSIVE n(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < ?)
			SELECT `+strings.Join(exprs, ", ")+` FROM n, `+table+` t WHERE t.id = ?`+where, n, id)
		return store.Effects{}, err
	})
	if err != nil {
		c.b.Fatalf("copy %s: %v", table, err)
	}
	if c.st.Dialect() == store.Postgres {
		if err := c.st.Record(ctx, "", func(tx *store.Tx) (store.Effects, error) {
			_, err := tx.Exec(ctx, `ANALYZE `+table)
			return store.Effects{}, err
		}); err != nil {
			c.b.Fatal(err)
		}
	}
}
