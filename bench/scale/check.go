package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"kycd/bench/internal/client"
	_ "modernc.org/sqlite" // reads the SQLite configuration's River jobs
)

// event is the part of GET /v1/events the checks read.
type event struct {
	ID         string    `json:"id"`
	Type       string    `json:"type"`
	ResourceID string    `json:"resourceId"`
	CreatedAt  time.Time `json:"createdAt"`
}

// document is the part of a KYC document the checks read.
type document struct {
	ID          string   `json:"id"`
	ApplicantID string   `json:"applicantId"`
	Status      string   `json:"status"`
	FileIDs     []string `json:"fileIds"`
}

// pages reads every item of a /v1 list, newest first.
func pages[T any](ctx context.Context, a *api, path string) ([]T, error) {
	var all []T
	cursor := ""
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	for {
		var page struct {
			Items      []T    `json:"items"`
			NextCursor string `json:"nextCursor"`
		}
		p := path + sep + "limit=100"
		if cursor != "" {
			p += "&cursor=" + url.QueryEscape(cursor)
		}
		if err := a.get(ctx, p, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Items...)
		if page.NextCursor == "" || len(page.Items) == 0 {
			return all, nil
		}
		cursor = page.NextCursor
	}
}

// settle works the review queue as a reviewer would and waits, up to o.settle, until every
// document is decided, every event has reached every subscription and no job is left
// unfinished. It reports whether that happened.
func (cl *cluster) settle(ctx context.Context, o options, rep *report) bool {
	deadline := time.Now().Add(o.settle)
	reviewer := &api{base: cl.api.base, key: cl.api.key, http: cl.api.http, rec: &recorder{}}
	for {
		queue, err := pages[document](ctx, cl.api, "/v1/kyc-documents?status=pending-review")
		for _, d := range queue {
			if reviewer.json(ctx, "review decision", http.MethodPost, "/v1/kyc-documents/"+d.ID+"/acceptance", "", map[string]any{"notes": "bench/scale reviewer, after the load"}, nil) == nil {
				rep.reviewedAfter++
			}
		}
		done := err == nil && len(queue) == 0
		if done {
			docs, err := pages[document](ctx, cl.api, "/v1/kyc-documents")
			done = err == nil && undecided(docs) == 0
		}
		if done {
			events, err := pages[event](ctx, cl.api, "/v1/events")
			arrivals, _ := cl.receiver.snapshot()
			done = err == nil && len(missing(events, arrivals)) == 0
		}
		if done {
			stuck, err := cl.stuckJobs(ctx, rep.loadEnd)
			done = err == nil && len(stuck) == 0
		}
		if done {
			rep.settleTime = o.settle - time.Until(deadline)
			return true
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			rep.settleTime = o.settle
			return false
		}
		sleepUntil(ctx, time.Now().Add(2*time.Second))
	}
}

func undecided(docs []document) int {
	n := 0
	for _, d := range docs {
		if d.Status != "accepted" && d.Status != "rejected" {
			n++
		}
	}
	return n
}

// missing lists "subscription/event" pairs not delivered.
func missing(events []event, arrivals map[string]map[string][]time.Time) []string {
	var out []string
	for sub, got := range arrivals {
		for _, e := range events {
			if len(got[e.ID]) == 0 {
				out = append(out, sub+"/"+e.ID+" ("+e.Type+")")
			}
		}
	}
	sort.Strings(out)
	return out
}

// check asserts the invariants after the settle and fills the report's counts.
func (cl *cluster) check(ctx context.Context, rep *report) []error {
	var fails []error
	fail := func(format string, args ...any) { fails = append(fails, fmt.Errorf(format, args...)) }

	// 1. Every resource a 2xx answer named exists; files byte for byte.
	byApplicant := map[string]*journey{}
	for _, j := range rep.journeys {
		if j.applicantID != "" {
			byApplicant[j.applicantID] = j
		}
		for path, id := range map[string]string{"/v1/applicants/": j.applicantID, "/v1/kyc-requests/": j.requestID, "/v1/kyc-documents/": j.documentID} {
			if id == "" {
				continue
			}
			var v struct {
				ID string `json:"id"`
			}
			rep.resourcesChecked++
			if err := cl.api.get(ctx, path+id, &v); err != nil || v.ID != id {
				fail("lost write: %s%s answered 2xx at creation, now: %v", path, id, err)
			}
		}
		for id, sum := range j.apiFiles {
			rep.filesChecked++
			if got, err := cl.content(ctx, id); err != nil || got != sum {
				fail("lost write: file %s: content SHA-256 %s, uploaded %s (%v)", id, got, sum, err)
			}
		}
	}

	// 2. Every document decided, exactly once (one accepted or rejected event), with files the
	// journey sent.
	docs, err := pages[document](ctx, cl.api, "/v1/kyc-documents")
	if err != nil {
		return append(fails, fmt.Errorf("list documents: %w", err))
	}
	events, err := pages[event](ctx, cl.api, "/v1/events")
	if err != nil {
		return append(fails, fmt.Errorf("list events: %w", err))
	}
	decisions := map[string]int{}
	for _, e := range events {
		if e.Type == "kyc-document-accepted" || e.Type == "kyc-document-rejected" {
			decisions[e.ResourceID]++
		}
	}
	rep.documents, rep.events = len(docs), len(events)
	for _, d := range docs {
		rep.outcomes[d.Status]++
		if d.Status != "accepted" && d.Status != "rejected" {
			fail("undecided document %s: status %s", d.ID, d.Status)
		}
		if n := decisions[d.ID]; n != 1 {
			fail("document %s decided %d times (accepted/rejected events), want once", d.ID, n)
		}
		j := byApplicant[d.ApplicantID]
		for _, f := range d.FileIDs {
			rep.filesChecked++
			sum, err := cl.content(ctx, f)
			if err != nil || j == nil || !j.sent[sum] {
				fail("document %s: file %s is not one of the images its journey sent (SHA-256 %s, %v)", d.ID, f, sum, err)
			}
		}
	}

	// 3. Every event reached every subscription; duplicates only as at-least-once allows.
	arrivals, badSig := cl.receiver.snapshot()
	if badSig > 0 {
		fail("%d deliveries failed the receiver's signature check", badSig)
	}
	if m := missing(events, arrivals); len(m) > 0 {
		fail("%d deliveries never arrived, first: %s", len(m), strings.Join(m[:min(5, len(m))], ", "))
	}
	known := map[string]bool{}
	for _, e := range events {
		known[e.ID] = true
	}
	for sub, got := range arrivals {
		for id, times := range got {
			rep.deliveries += len(times)
			if !known[id] {
				fail("subscription %s received event %s that GET /v1/events does not list", sub, id)
			}
			if len(times) > 1 {
				rep.duplicates += len(times) - 1
				if !rep.killedAt.IsZero() {
					rep.dupBefore = append(rep.dupBefore, rep.killedAt.Sub(times[0]))
				}
				// At least once: a delivery is sent again only when the process that sent it died
				// between the receiver's answer and its recording, so the first arrival must be
				// just before the kill.
				if rep.killedAt.IsZero() || times[0].After(rep.killedAt) || times[0].Before(rep.killedAt.Add(-dupWindow)) {
					fail("event %s reached subscription %s %d times, first at %s, not just before a kill", id, sub, len(times), times[0].Format(time.RFC3339Nano))
				}
			}
		}
	}

	// 4. No River job left running, retryable or available from before the end of the load.
	stuck, err := cl.stuckJobs(ctx, rep.loadEnd)
	if err != nil {
		fail("river jobs: %v", err)
	}
	for _, s := range stuck {
		fail("job stuck after %s of settling: %s", rep.settleTime.Round(time.Second), s)
	}

	// 5. Errors only around the kill.
	for _, c := range rep.calls {
		if c.err != "" && !rep.aroundKill(c) {
			fail("%s at %.1f s: %s, not around the kill", c.kind, c.start.Sub(rep.start).Seconds(), c.err)
		}
	}
	for _, j := range rep.journeys {
		var he *client.StatusError
		var ue *url.Error
		if j.err != nil && !errors.As(j.err, &he) && !errors.As(j.err, &ue) { // a failed call is judged above
			fail("journey %d (%s): %v", j.n, j.way, j.err)
		}
	}
	return fails
}

// dupWindow is how long before the kill a delivery that arrives twice may first have arrived: a
// webhook attempt's timeout (15 s) and a margin.
const dupWindow = 20 * time.Second

// content returns the SHA-256 of a file's bytes as kycd serves them.
func (cl *cluster) content(ctx context.Context, id string) (string, error) {
	var b []byte
	if err := cl.api.get(ctx, "/v1/files/"+id+"/content", &b); err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// stuckJobs lists the River jobs created before t that are still running, retryable or available.
func (cl *cluster) stuckJobs(ctx context.Context, t time.Time) ([]string, error) {
	if cl.db != nil {
		conn, err := pgx.Connect(ctx, cl.db.URL)
		if err != nil {
			return nil, err
		}
		defer conn.Close(context.WithoutCancel(ctx))
		rows, err := conn.Query(ctx, `SELECT id, kind, state::text, attempt FROM river_job
			WHERE state IN ('running', 'retryable', 'available') AND created_at < $1 ORDER BY id`, t)
		if err != nil {
			return nil, err
		}
		return scanJobs(rows.Next, rows.Scan, rows.Err)
	}
	path := filepath.Join(filepath.Dir(cl.servers[0].LogPath), "data", "kycd.db")
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT id, kind, state, attempt FROM river_job
		WHERE state IN ('running', 'retryable', 'available') AND (julianday(created_at) - 2440587.5) * 86400.0 < ? ORDER BY id`,
		float64(t.UnixNano())/1e9)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return scanJobs(rows.Next, func(d ...any) error { return rows.Scan(d...) }, rows.Err)
}

func scanJobs(next func() bool, scan func(...any) error, errf func() error) ([]string, error) {
	var out []string
	for next() {
		var id int64
		var kind, state string
		var attempt int
		if err := scan(&id, &kind, &state, &attempt); err != nil {
			return out, err
		}
		out = append(out, fmt.Sprintf("job %d %s %s (attempt %d)", id, kind, state, attempt))
	}
	return out, errf()
}
