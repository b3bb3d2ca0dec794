package store_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/report"
	"kycd/internal/review"
	"kycd/internal/share"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
	"kycd/internal/webhook"
)

// statement is one query a store method ran, with its arguments.
type statement struct {
	query string
	args  []any
}

// traceOf runs call with the store's trace on and returns the statements it ran.
func traceOf(t *testing.T, st *store.Store, call func() error) []statement {
	t.Helper()
	var got []statement
	st.Trace(func(q string, args []any) { got = append(got, statement{q, append([]any(nil), args...)}) })
	err := call()
	st.Trace(nil)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

var (
	// sqliteFullScan is a step of SQLite's plan that reads a whole table or a whole index: "SCAN t"
	// or "SCAN t USING INDEX i" (a SEARCH is bounded by the index's leading columns).
	sqliteFullScan = regexp.MustCompile(`(?m)^SCAN \w+`)
	// byID is a point lookup by primary key, which needs no bound by the environment.
	byID        = regexp.MustCompile(`\bid = \?`)
	pgIndexCond = regexp.MustCompile(`(?m)Index Cond: .*\benv = `)
)

// planProblem explains what is wrong with plan for a statement on table rows of one environment,
// or returns "" when the plan reads through an index bounded by the environment. sortOK allows the
// rows found to be sorted afterwards (a filter that is narrow by nature, such as one resource's
// events); otherwise the index must give the rows in the list's order, so a page costs the same at
// any depth.
// keys are further columns of an equality filter that the index must bound too, so that a narrow
// filter (a rare event type) does not walk the environment's rows to find a page.
func planProblem(d store.Dialect, plan string, sortOK, pointLookup bool, keys []string) string {
	if d == store.SQLite {
		switch {
		case sqliteFullScan.MatchString(plan):
			return "reads a whole table or index"
		case !sortOK && strings.Contains(plan, "TEMP B-TREE"):
			return "sorts the rows it found"
		}
		for _, k := range keys {
			if !regexp.MustCompile(`(?m)^SEARCH .*USING .*INDEX .*\b` + k + `=\?`).MatchString(plan) {
				return "its index is not bounded by " + k
			}
		}
		return ""
	}
	switch {
	case strings.Contains(plan, "Seq Scan"):
		return "scans the table"
	case !pointLookup && !pgIndexCond.MatchString(plan):
		return "its index is not bounded by the environment"
	case !sortOK && strings.Contains(plan, "Sort"):
		return "sorts the rows it found"
	}
	for _, k := range keys {
		if !regexp.MustCompile(`(?m)Index Cond: .*\b` + k + ` = `).MatchString(plan) {
			return "its index is not bounded by " + k
		}
	}
	return ""
}

// checkPlans EXPLAINs every reading statement of a method (SELECT, and UPDATE or DELETE with a
// WHERE) and reports the ones that would read an environment's rows without an index.
func checkPlans(t *testing.T, st *store.Store, name string, stmts []statement, sortOK bool, keys ...string) {
	t.Helper()
	if len(stmts) == 0 {
		t.Fatalf("%s ran no statement", name)
	}
	for _, s := range stmts {
		q := strings.TrimSpace(s.query)
		verb := strings.ToUpper(strings.Fields(q)[0])
		if verb == "INSERT" {
			continue // an insert reads nothing
		}
		if !strings.Contains(q, "WHERE") {
			t.Errorf("%s: %q has no WHERE", name, q)
			continue
		}
		plan, err := st.QueryPlan(t.Context(), q, s.args...)
		if err != nil {
			t.Fatalf("%s: explain %q: %v", name, q, err)
		}
		if !strings.Contains(q, "env = ?") {
			// Not scoped to an environment: it reads by a key of its own (the audit head of a
			// resource, a delivery by id), which must still be an index, never a scan.
			if sqliteFullScan.MatchString(plan) || strings.Contains(plan, "Seq Scan") {
				t.Errorf("%s: scans a table:\n%s\n%s", name, q, plan)
			}
			continue
		}
		var bound []string
		for _, k := range keys {
			if strings.Contains(q, k+" = ?") {
				bound = append(bound, k)
			}
		}
		if p := planProblem(st.Dialect(), plan, sortOK, byID.MatchString(q), bound); p != "" {
			t.Errorf("%s: %s:\n%s\n%s", name, p, q, plan)
		}
	}
}

// TestListsAndTheDecisionUseIndexes: every list endpoint's query, with each of its filters and in
// both orders, and every statement of a decision transaction, read through an index bounded by the
// environment on both databases, and the lists get their rows in page order from the index (no
// sort), so a page costs the same at 100 rows as at 100,000 (BenchmarkAt100k... measures it). The
// statements are the ones the methods really run (Store.Trace), not copies of their text.
//
// It seeds 2,000 rows a table, not 100,000: at 100,000 rows, nine in ten of them in one environment,
// PostgreSQL rightly walks a table's primary key backwards and filters the environment for the
// unfiltered lists (a page reads about 56 rows), which this rule would call unbounded; the 100,000
// case is measured instead, by BenchmarkAt100kRows, before and after the indexes.
func TestListsAndTheDecisionUseIndexes(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			listsAndDecisionUseIndexes(t, storetest.NewWithSealer(t, d, storetest.NewRowCopySealer(t)))
		})
	}
}

func listsAndDecisionUseIndexes(t *testing.T, st *store.Store) {
	ctx := t.Context()
	initJobs(t, st)
	env := kyc.EnvTest
	a := newApplicant(t, st, env, "ext-plans")
	wh := newWebhook(t, st, env)
	r, doc := newCase(t, st, a, "pending")
	sc := kyc.Screening{ID: kyc.NewID(kyc.PrefixScreening), Env: env, ApplicantID: a.ID, Reason: "manual", Disposition: "clear",
		Threshold: 0.9, Hits: []kyc.ScreeningHit{}, Lists: []kyc.SanctionsList{}}
	if err := st.CreateScreening(ctx, &sc, audit("screening.create", sc.ID)); err != nil {
		t.Fatal(err)
	}
	ev := createApplicantWithEvent(t, st, env) // an event, and a delivery of it to wh
	events, err := st.ListEvents(ctx, env, store.EventFilter{ResourceID: ev.ID}, "", 1)
	if err != nil || len(events.Items) != 1 {
		t.Fatalf("events %v, %v", events, err)
	}
	dels := deliveries(t, st, env, wh.ID)
	if len(dels) != 1 {
		t.Fatalf("%d deliveries", len(dels))
	}
	// Enough rows that each database plans as it would in service: 2,000 of each kind in the
	// environment, spread over 200 applicants, several statuses, levels and event types, and a
	// tenth of them in the other environment. (PostgreSQL's statistics are gathered after each
	// copy, as autovacuum does; SQLite plans without statistics, as kycd runs it.)
	const copies, spread = 2000, 200
	num := "CAST(n.i AS TEXT)"
	envOf := "CASE WHEN n.i % 10 = 0 THEN 'live' ELSE 'test' END"
	of := func(n int) string { return "CAST(n.i % " + strconv.Itoa(n) + " + 1 AS TEXT)" }
	seeds := []struct {
		table, id string
		set       map[string]string
	}{
		{"applicants", a.ID, map[string]string{"id": "t.id || '-' || " + num, "env": envOf, "external_id": "'ext-' || " + num,
			"status": "CASE n.i % 3 WHEN 0 THEN 'verified' WHEN 1 THEN 'unverified' ELSE 'rejected' END"}},
		{"kyc_requests", r.ID, map[string]string{"id": "t.id || '-' || " + num, "env": envOf, "applicant_id": "t.applicant_id || '-' || " + of(spread) + " || '0'",
			"status": "CASE n.i % 3 WHEN 0 THEN 'completed' WHEN 1 THEN 'gathering' ELSE 'expired' END", "level": "'L' || " + of(3)}},
		{"kyc_documents", doc.ID, map[string]string{"id": "t.id || '-' || " + num, "env": envOf, "applicant_id": "t.applicant_id || '-' || " + of(spread) + " || '0'",
			"request_id": "NULL", "status": "CASE n.i % 3 WHEN 0 THEN 'accepted' WHEN 1 THEN 'pending-review' ELSE 'rejected' END"}},
		{"screenings", sc.ID, map[string]string{"id": "t.id || '-' || " + num, "env": envOf, "applicant_id": "t.applicant_id || '-' || " + of(spread) + " || '0'",
			"disposition": "CASE n.i % 3 WHEN 0 THEN 'clear' WHEN 1 THEN 'potential-match' ELSE 'false-positive' END"}},
		{"events", events.Items[0].ID, map[string]string{"id": "t.id || '-' || " + num, "env": envOf, "resource_id": "t.resource_id || '-' || " + of(spread),
			"type": "'type-' || " + of(12)}},
		{"webhook_deliveries", dels[0].ID, map[string]string{"seq": "-", "id": "t.id || '-' || " + num, "event_id": "t.event_id || '-' || " + num,
			"resource_id": "t.resource_id || '-' || " + of(spread), "status": "CASE n.i % 2 WHEN 0 THEN 'succeeded' ELSE 'failed' END"}},
	}
	// The review queue's cases and notes, one of each to copy.
	rvc, rvn := kyc.NewID(review.PrefixCase), kyc.NewID(review.PrefixNote)
	if err := st.Record(ctx, env, func(tx *store.Tx) (store.Effects, error) {
		if _, err := tx.Exec(ctx, `INSERT INTO review_cases (id, env, kind, subject_id, applicant_id, reason, level, priority, status, revision, created_at, due_at)
			VALUES (?, ?, 'document', ?, ?, 'document', 'L1', 4, 'open', 1, 1, 2)`, rvc, string(env), doc.ID, a.ID); err != nil {
			return store.Effects{}, err
		}
		body, err := tx.Seal([]byte("a note"), "review_notes:"+rvn)
		if err != nil {
			return store.Effects{}, err
		}
		_, err = tx.Exec(ctx, `INSERT INTO review_notes (id, env, case_id, applicant_id, author, body, created_at) VALUES (?, ?, ?, ?, 'usr_x', ?, 1)`,
			rvn, string(env), rvc, a.ID, body)
		return store.Effects{}, err
	}); err != nil {
		t.Fatal(err)
	}
	seeds = append(seeds,
		struct {
			table, id string
			set       map[string]string
		}{"review_cases", rvc, map[string]string{"id": "t.id || '-' || " + num, "env": envOf, "subject_id": "t.subject_id || '-' || " + num,
			"status": "CASE n.i % 4 WHEN 0 THEN 'open' ELSE 'decided' END", "reason": "CASE n.i % 3 WHEN 0 THEN 'sanctions' WHEN 1 THEN 'document' ELSE 'duplicate' END",
			"priority": "n.i % 4 + 1", "due_at": "t.due_at + (n.i * 7919) % 2000"}},
		struct {
			table, id string
			set       map[string]string
		}{"review_notes", rvn, map[string]string{"id": "t.id || '-' || " + num, "env": envOf, "applicant_id": "t.applicant_id || '-' || " + of(spread) + " || '0'"}})
	for _, c := range seeds {
		if err := st.Copy(ctx, c.table, c.id, copies, c.set); err != nil {
			t.Fatalf("seed %s: %v", c.table, err)
		}
	}
	// The most urgent first order's second page, whose cursor is a row value (priority, due_at, id).
	urgent, err := review.NewService(st, review.Config{}).Queue(ctx, env, review.Filter{Order: review.OrderUrgent}, "", 50)
	if err != nil || urgent.NextCursor == "" {
		t.Fatalf("the urgent queue's first page: %d cases, next %q, %v", len(urgent.Items), urgent.NextCursor, err)
	}
	lists := []struct {
		name   string
		sortOK bool
		call   func() error
		keys   []string
	}{
		{"applicants", false, func() error { _, err := st.ListApplicants(ctx, env, store.ApplicantFilter{}, "", 50); return err }, nil},
		{"applicants by status", false, func() error {
			_, err := st.ListApplicants(ctx, env, store.ApplicantFilter{Status: "unverified"}, "", 50)
			return err
		}, []string{"status"}},
		{"applicants by external id", true, func() error {
			_, err := st.ListApplicants(ctx, env, store.ApplicantFilter{ExternalID: "ext-plans"}, "", 50)
			return err
		}, []string{"external_id"}},
		{"requests", false, func() error { _, err := st.ListRequests(ctx, env, store.RequestFilter{}, "", 50); return err }, nil},
		{"requests oldest first", false, func() error {
			_, err := st.ListRequests(ctx, env, store.RequestFilter{OldestFirst: true}, "", 50)
			return err
		}, nil},
		{"requests by status", false, func() error {
			_, err := st.ListRequests(ctx, env, store.RequestFilter{Status: "gathering", OldestFirst: true}, "", 50)
			return err
		}, []string{"status"}},
		{"requests by level", false, func() error {
			_, err := st.ListRequests(ctx, env, store.RequestFilter{Level: "L1"}, "", 50)
			return err
		}, []string{"level"}},
		{"requests of an applicant", false, func() error {
			_, err := st.ListRequests(ctx, env, store.RequestFilter{ApplicantID: a.ID}, "", 50)
			return err
		}, []string{"applicant_id"}},
		{"documents", false, func() error { _, err := st.FindDocuments(ctx, env, store.DocumentFilter{}, "", 50); return err }, nil},
		{"review queue", false, func() error {
			_, err := st.FindDocuments(ctx, env, store.DocumentFilter{Status: "pending-review", OldestFirst: true}, "", 50)
			return err
		}, []string{"status"}},
		{"documents of an applicant", false, func() error { _, err := st.ListDocuments(ctx, env, a.ID, "", 50); return err }, []string{"applicant_id"}},
		{"files of an applicant", false, func() error { _, err := st.ListFiles(ctx, env, a.ID, "", 50); return err }, []string{"applicant_id"}},
		{"screenings", false, func() error { _, err := st.ListScreenings(ctx, env, store.ScreeningFilter{}, "", 50); return err }, nil},
		{"screenings by disposition", false, func() error {
			_, err := st.ListScreenings(ctx, env, store.ScreeningFilter{Disposition: "potential-match", OldestFirst: true}, "", 50)
			return err
		}, []string{"disposition"}},
		{"screenings of an applicant", false, func() error {
			_, err := st.ListScreenings(ctx, env, store.ScreeningFilter{ApplicantID: a.ID}, "", 50)
			return err
		}, []string{"applicant_id"}},
		{"events", false, func() error { _, err := st.ListEvents(ctx, env, store.EventFilter{}, "", 50); return err }, nil},
		{"events by type", false, func() error {
			_, err := st.ListEvents(ctx, env, store.EventFilter{Type: kyc.EventApplicantCreated}, "", 50)
			return err
		}, []string{"type"}},
		{"events of a resource", true, func() error {
			_, err := st.ListEvents(ctx, env, store.EventFilter{ResourceID: a.ID}, "", 50)
			return err
		}, []string{"resource_id"}},
		{"webhooks", false, func() error { _, err := webhook.NewRepository(st).List(ctx, env, "", 50); return err }, nil},
		{"deliveries of a webhook", false, func() error {
			_, err := webhook.NewRepository(st).ListDeliveries(ctx, env, wh.ID, "", "", 50)
			return err
		}, []string{"webhook_id"}},
		{"shares of an applicant", false, func() error { _, err := share.NewRepo(st).List(ctx, env, a.ID, "", 50); return err }, []string{"applicant_id"}},
		{"webhook deliveries of events", true, func() error {
			_, err := webhook.NewRepository(st).DeliveriesOfEvents(ctx, env, []string{dels[0].EventID, "evt_x"})
			return err
		}, []string{"event_id"}},
		{"audit log of a person", false, func() error {
			_, err := st.ListAudit(ctx, env, store.AuditFilter{Actor: "user:usr_x"}, 0, 50)
			return err
		}, []string{"actor"}},
		{"audit log of a resource", false, func() error { _, err := st.ListAudit(ctx, env, store.AuditFilter{ResourceID: a.ID}, 0, 50); return err }, []string{"resource_id"}},
		{"review queue of the console", false, func() error {
			_, err := review.NewService(st, review.Config{}).Queue(ctx, env, review.Filter{}, "", 50)
			return err
		}, []string{"status"}},
		{"dashboard", true, func() error {
			_, err := report.New(st).Dashboard(ctx, env, time.Now(), 30)
			return err
		}, nil},
		{"notes of an applicant", false, func() error {
			_, err := review.NewService(st, review.Config{}).Notes(ctx, env, a.ID)
			return err
		}, []string{"applicant_id"}},
		{"review queue by reason", false, func() error {
			_, err := review.NewService(st, review.Config{}).Queue(ctx, env, review.Filter{Reason: review.ReasonSanctions}, "", 50)
			return err
		}, []string{"status", "reason"}},
		{"open review cases of an applicant's documents", true, func() error {
			_, err := review.NewService(st, review.Config{}).OpenCases(ctx, env, []string{doc.ID, "doc_x"})
			return err
		}, []string{"subject_id"}},
		{"review queue by level", false, func() error {
			_, err := review.NewService(st, review.Config{}).Queue(ctx, env, review.Filter{Level: "L3"}, "", 50) // a level no copied case has
			return err
		}, []string{"status", "level"}},
		{"review queue of a person", false, func() error {
			_, err := review.NewService(st, review.Config{}).Queue(ctx, env, review.Filter{Assignee: "usr_x"}, "", 50)
			return err
		}, []string{"status", "claimed_by"}},
		{"review queue most urgent first", false, func() error {
			_, err := review.NewService(st, review.Config{}).Queue(ctx, env, review.Filter{Order: review.OrderUrgent}, "", 50)
			return err
		}, []string{"status"}},
		{"review queue most urgent first, page 2", false, func() error {
			_, err := review.NewService(st, review.Config{}).Queue(ctx, env, review.Filter{Order: review.OrderUrgent}, urgent.NextCursor, 50)
			return err
		}, []string{"status"}},
		// By level, reason or holder, the most urgent first order has indexes of its own: a rare
		// level, a person's few cases or the least urgent reason would otherwise walk the open cases
		// in review_cases_queue_urgent until a page was full.
		{"review queue most urgent first, by level", false, func() error {
			_, err := review.NewService(st, review.Config{}).Queue(ctx, env, review.Filter{Order: review.OrderUrgent, Level: "L3"}, "", 50)
			return err
		}, []string{"status", "level"}},
		{"review queue most urgent first, of a person", false, func() error {
			_, err := review.NewService(st, review.Config{}).Queue(ctx, env, review.Filter{Order: review.OrderUrgent, Assignee: "usr_x"}, "", 50)
			return err
		}, []string{"status", "claimed_by"}},
		{"review queue most urgent first, by reason, page 2", false, func() error {
			_, err := review.NewService(st, review.Config{}).Queue(ctx, env, review.Filter{Order: review.OrderUrgent, Reason: review.ReasonDocument}, urgent.NextCursor, 50)
			return err
		}, []string{"status", "reason"}},
	}
	for _, l := range lists {
		checkPlans(t, st, l.name, traceOf(t, st, l.call), l.sortOK, l.keys...)
	}
	// The console's queue page heads every page with the open cases per reason and the oldest's
	// age: that read must be answered from an index alone (migration 00029), since it counts every
	// open case; reading each case's row for its age cost 50 ms a page at 20,000 open cases on
	// SQLite (bench/README.md, "Review console at 100k applicants").
	// Whether PostgreSQL then reads the index alone depends on its visibility map (pages marked
	// all-visible by a vacuum that no concurrent snapshot held back, which the suite's parallel
	// tests on one server do) and on its estimate at 2,000 rows; so on PostgreSQL the plan is
	// asked with bitmap scans off, which leaves an index-only scan when the index covers the
	// query and a plain index scan when it does not.
	counts := traceOf(t, st, func() error { _, _, err := review.NewService(st, review.Config{}).Counts(ctx, env); return err })
	checkPlans(t, st, "review counts", counts, true, "status")
	for _, s := range counts {
		plan, err := st.QueryPlanWith(ctx, []string{"enable_bitmapscan = off"}, s.query, s.args...)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(plan, "COVERING INDEX review_cases_counts") && !strings.Contains(plan, "Index Only Scan using review_cases_counts") {
			t.Errorf("review counts: read the cases' rows, not an index alone:\n%s\n%s", s.query, plan)
		}
	}

	// The most urgent first order's later pages start where the cursor left off in its index
	// (migration 00038), rather than reading the pages before and filtering them out: the row
	// value bounds the index's range on both databases.
	page2 := traceOf(t, st, func() error {
		_, err := review.NewService(st, review.Config{}).Queue(ctx, env, review.Filter{Order: review.OrderUrgent}, urgent.NextCursor, 50)
		return err
	})
	bound := regexp.MustCompile(`(?m)^SEARCH review_cases USING INDEX review_cases_queue_urgent \(env=\? AND status=\? AND \(priority,due_at,id\)>\(\?,\?,\?\)\)`)
	if st.Dialect() == store.Postgres {
		bound = regexp.MustCompile(`Index Scan using review_cases_queue_urgent on review_cases[^\n]*\n[^\n]*Index Cond: .*ROW\(priority, due_at, id\) > ROW\(`)
	}
	for _, s := range page2 {
		plan, err := st.QueryPlan(ctx, s.query, s.args...)
		if err != nil {
			t.Fatal(err)
		}
		if !bound.MatchString(plan) {
			t.Errorf("the urgent queue's page 2 does not start at its cursor in review_cases_queue_urgent:\n%s\n%s", s.query, plan)
		}
	}

	decision := traceOf(t, st, func() error {
		_, err := st.DecideDocument(ctx, env, doc.ID, func(c *store.Case) (store.Effects, error) {
			c.Document.Status = "accepted"
			eff := audit("kyc-document.decide", doc.ID)
			eff.Events = []store.NewEvent{{Type: kyc.EventDocumentAccepted, ResourceType: "kyc-document", ResourceID: doc.ID}}
			return eff, nil
		})
		return err
	})
	checkPlans(t, st, "decision", decision, true, "request_id", "applicant_id", "resource_id", "webhook_id")
}
