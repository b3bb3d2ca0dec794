// Package report reads how KYC is going, for the review console's dashboard: applications per
// day, the funnel from application to approval, automatic and manual decisions, rejection
// reasons and the time decisions take. It only reads, with its own queries over the store's core.
package report

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/store"
)

// Dashboard is the state of one environment over a window of days.
type Dashboard struct {
	From, To time.Time
	// Days are the applicants created each day of the window (UTC), oldest first.
	Days []Day
	// Funnel counts the applicants created in the window, those who submitted a document, those
	// with a decided document, and those approved.
	Funnel Funnel
	// Automatic and Manual count the documents decided in the window by the checks alone and by a
	// person.
	Automatic, Manual int
	// Rejections count the documents rejected in the window, by rejection type, most first.
	Rejections []Count
	// Decided counts the decided documents the times below come from: from a document's
	// submission to its decision (its last change), the median and the 90th percentile.
	Decided     int
	Median, P90 time.Duration
}

// Day is one day's count.
type Day struct {
	Date  time.Time
	Count int
}

// Funnel is the way from application to approval.
type Funnel struct {
	Created, Submitted, Decided, Approved int
}

// Count is a count of one name.
type Count struct {
	Name  string
	Count int
}

// Reader reads the dashboard from the store.
type Reader struct{ st store.Querier }

// New returns a reader over st.
func New(st store.Querier) *Reader { return &Reader{st: st} }

// maxRows bounds the rows one window reads for the per-day counts and the decision times.
const maxRows = 200_000

// Dashboard reads env's dashboard for the days days up to now.
func (r *Reader) Dashboard(ctx context.Context, env kyc.Env, now time.Time, days int) (Dashboard, error) {
	to := now.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	from := to.AddDate(0, 0, -days)
	d := Dashboard{From: from, To: to}
	e, f := string(env), store.Micros(from)

	rs, err := r.st.Query(ctx, `SELECT created_at FROM applicants WHERE env = ? AND created_at >= ? LIMIT ?`, e, f, maxRows)
	if err != nil {
		return d, fmt.Errorf("applications: %w", err)
	}
	perDay := make([]int, days)
	for rs.Next() {
		var at int64
		if err := rs.Scan(&at); err != nil {
			rs.Close()
			return d, fmt.Errorf("applications: %w", err)
		}
		if i := int(store.FromMicros(at).Sub(from) / (24 * time.Hour)); i >= 0 && i < days {
			perDay[i]++
		}
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return d, fmt.Errorf("applications: %w", err)
	}
	for i, n := range perDay {
		d.Days = append(d.Days, Day{Date: from.AddDate(0, 0, i), Count: n})
		d.Funnel.Created += n
	}

	funnel := []struct {
		into  *int
		query string
	}{
		{&d.Funnel.Submitted, `SELECT count(DISTINCT d.applicant_id) FROM kyc_documents d JOIN applicants a ON a.env = d.env AND a.id = d.applicant_id
			WHERE a.env = ? AND a.created_at >= ?`},
		{&d.Funnel.Decided, `SELECT count(DISTINCT d.applicant_id) FROM kyc_documents d JOIN applicants a ON a.env = d.env AND a.id = d.applicant_id
			WHERE a.env = ? AND a.created_at >= ? AND d.status IN ('accepted', 'rejected')`},
		{&d.Funnel.Approved, `SELECT count(*) FROM applicants WHERE env = ? AND created_at >= ? AND status = 'approved'`},
	}
	for _, q := range funnel {
		if err := r.st.QueryRow(ctx, q.query, e, f).Scan(q.into); err != nil {
			return d, fmt.Errorf("funnel: %w", err)
		}
	}

	if err := r.st.QueryRow(ctx, `SELECT COALESCE(SUM(CASE WHEN review IS NULL THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN review IS NULL THEN 0 ELSE 1 END), 0)
		FROM kyc_documents WHERE env = ? AND updated_at >= ? AND status IN ('accepted', 'rejected')`, e, f).Scan(&d.Automatic, &d.Manual); err != nil {
		return d, fmt.Errorf("decisions: %w", err)
	}

	rs, err = r.st.Query(ctx, `SELECT rejection_type, count(*) FROM kyc_documents WHERE env = ? AND updated_at >= ? AND status = 'rejected'
		GROUP BY rejection_type`, e, f)
	if err != nil {
		return d, fmt.Errorf("rejections: %w", err)
	}
	for rs.Next() {
		var c Count
		if err := rs.Scan(&c.Name, &c.Count); err != nil {
			rs.Close()
			return d, fmt.Errorf("rejections: %w", err)
		}
		if c.Name == "" {
			c.Name = "(none given)"
		}
		d.Rejections = append(d.Rejections, c)
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return d, fmt.Errorf("rejections: %w", err)
	}
	slices.SortFunc(d.Rejections, func(a, b Count) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Name, b.Name)
	})

	rs, err = r.st.Query(ctx, `SELECT updated_at - created_at FROM kyc_documents WHERE env = ? AND updated_at >= ? AND status IN ('accepted', 'rejected') LIMIT ?`,
		e, f, maxRows)
	if err != nil {
		return d, fmt.Errorf("decision times: %w", err)
	}
	var times []int64
	for rs.Next() {
		var us int64
		if err := rs.Scan(&us); err != nil {
			rs.Close()
			return d, fmt.Errorf("decision times: %w", err)
		}
		times = append(times, us)
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return d, fmt.Errorf("decision times: %w", err)
	}
	d.Decided = len(times)
	if len(times) > 0 {
		slices.Sort(times)
		d.Median = time.Duration(percentile(times, 50)) * time.Microsecond
		d.P90 = time.Duration(percentile(times, 90)) * time.Microsecond
	}
	return d, nil
}

// percentile is the nearest-rank percentile p of sorted values.
func percentile(sorted []int64, p int) int64 {
	rank := (p*len(sorted) + 99) / 100
	return sorted[max(rank, 1)-1]
}
