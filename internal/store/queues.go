package store

import (
	"context"
	"fmt"
	"strings"

	"kycd/internal/kyc"
)

// The lists across applicants that a review console works from: KYC requests, KYC documents and
// screenings of one environment, narrowed by filters, newest first or oldest first (a work queue).
// They page by id like every list: the cursor is the last id of a page, and the next page starts
// after it in the list's own order.

// RequestFilter narrows ListRequests; empty fields match everything.
type RequestFilter struct {
	ApplicantID string
	Status      string
	Level       string
	// OldestFirst lists the oldest first; the default is newest first.
	OldestFirst bool
}

// DocumentFilter narrows FindDocuments; empty fields match everything.
type DocumentFilter struct {
	ApplicantID string
	Status      string
	// OldestFirst lists the oldest first (a review queue); the default is newest first.
	OldestFirst bool
}

// ScreeningFilter narrows ListScreenings; empty fields match everything.
type ScreeningFilter struct {
	ApplicantID string
	Disposition string
	// OldestFirst lists the oldest first (a review queue); the default is newest first.
	OldestFirst bool
}

// ListRequests returns one page of env's KYC requests that match f.
func (s *Store) ListRequests(ctx context.Context, env kyc.Env, f RequestFilter, cursor string, limit int) (kyc.Page[kyc.Request], error) {
	w := newWhere(env).eq("applicant_id", f.ApplicantID).eq("status", f.Status).eq("level", f.Level)
	return listPage(ctx, s, "kyc requests", `SELECT `+requestColumns+` FROM kyc_requests`, w, f.OldestFirst, cursor, limit, scanRequest,
		func(r kyc.Request) string { return r.ID })
}

// FindDocuments returns one page of env's KYC documents that match f, across applicants unless f
// names one.
func (s *Store) FindDocuments(ctx context.Context, env kyc.Env, f DocumentFilter, cursor string, limit int) (kyc.Page[kyc.Document], error) {
	w := newWhere(env).eq("applicant_id", f.ApplicantID).eq("status", f.Status)
	return listPage(ctx, s, "kyc documents", `SELECT `+documentReadColumns+` FROM kyc_documents`, w, f.OldestFirst, cursor, limit, s.scanDocument,
		func(d kyc.Document) string { return d.ID })
}

// ListScreenings returns one page of env's screenings that match f, across applicants unless f
// names one.
func (s *Store) ListScreenings(ctx context.Context, env kyc.Env, f ScreeningFilter, cursor string, limit int) (kyc.Page[kyc.Screening], error) {
	w := newWhere(env).eq("applicant_id", f.ApplicantID).eq("disposition", f.Disposition)
	return listPage(ctx, s, "screenings", `SELECT `+screeningColumns+` FROM screenings`, w, f.OldestFirst, cursor, limit, s.scanScreening,
		func(sc kyc.Screening) string { return sc.ID })
}

// where is the conditions of a list query, always scoped to one environment.
type where struct {
	conds []string
	args  []any
}

func newWhere(env kyc.Env) *where {
	return &where{conds: []string{"env = ?"}, args: []any{string(env)}}
}

// eq adds column = value when value is not empty. column is never user input.
func (w *where) eq(column, value string) *where {
	if value != "" {
		w.conds, w.args = append(w.conds, column+" = ?"), append(w.args, value)
	}
	return w
}

// listPage runs a list query (selectFrom, then the conditions of w, the cursor and the order) and
// cuts the result into a page.
func listPage[T any](ctx context.Context, s *Store, what, selectFrom string, w *where, oldestFirst bool, cursor string, limit int,
	scan func(row) (T, error), id func(T) string) (kyc.Page[T], error) {
	after, err := decodeCursor(cursor)
	if err != nil {
		return kyc.Page[T]{}, err
	}
	cmp, dir := "<", "DESC"
	if oldestFirst {
		cmp, dir = ">", "ASC"
	}
	if after != "" {
		w.conds, w.args = append(w.conds, "id "+cmp+" ?"), append(w.args, after)
	}
	n := pageLimit(limit)
	rs, err := s.reader().query(ctx, selectFrom+` WHERE `+strings.Join(w.conds, " AND ")+` ORDER BY id `+dir+` LIMIT ?`, append(w.args, n+1)...)
	if err != nil {
		return kyc.Page[T]{}, fmt.Errorf("list %s: %w", what, err)
	}
	defer rs.Close()
	var items []T
	for rs.Next() {
		it, err := scan(rs)
		if err != nil {
			return kyc.Page[T]{}, err
		}
		items = append(items, it)
	}
	if err := rs.Err(); err != nil {
		return kyc.Page[T]{}, fmt.Errorf("list %s: %w", what, err)
	}
	return page(items, n, id), nil
}
