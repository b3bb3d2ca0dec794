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
	items, err := listRows(ctx, s, what, selectFrom, w, "id "+dir, n, scan)
	if err != nil {
		return kyc.Page[T]{}, err
	}
	return page(items, n, func(it T) string { return encodeCursor(id(it)) }), nil
}

// KeyColumn is one column of a keyset order (ListPageByKey): its name, never user input, and
// whether its values are integers (those of the others are ids, see cursorID).
type KeyColumn struct {
	Name string
	Int  bool
}

// ListPageByKey is ListPage for a list in an order of several columns, ascending, the last of
// them unique (the id): the review queue's most urgent first, by priority, due time and id. Its
// cursor holds the last item's values of those columns (key gives them: an int64 for an Int
// column, a string for the others) with their names, opaque to clients, and the next page starts
// after them; a cursor that this order did not return (forged, or another order's) is refused
// with a kyc.ValidationError of query.cursor, as ListPage refuses one. For a page to cost the
// same at any depth, an index must hold w's equality columns and then order's, in that order.
func ListPageByKey[T any](ctx context.Context, s *Store, what, selectFrom string, w *Where, order []KeyColumn, cursor string, limit int,
	scan func(Row) (T, error), key func(T) []any) (kyc.Page[T], error) {
	after, err := decodeKeyset(order, cursor)
	if err != nil {
		return kyc.Page[T]{}, err
	}
	columns := strings.Join(keyNames(order), ", ")
	if after != nil {
		// A row value comparison: both databases bound an index's range by it.
		w.conds = append(w.conds, "("+columns+") > (?"+strings.Repeat(", ?", len(order)-1)+")")
		w.args = append(w.args, after...)
	}
	n := pageLimit(limit)
	items, err := listRows(ctx, s, what, selectFrom, w, columns, n, scan)
	if err != nil {
		return kyc.Page[T]{}, err
	}
	return page(items, n, func(it T) string { return encodeKeyset(order, key(it)) }), nil
}

// listRows runs selectFrom with the conditions of w in orderBy and reads up to n+1 rows, one more
// than a page, to know whether another follows.
func listRows[T any](ctx context.Context, s *Store, what, selectFrom string, w *where, orderBy string, n int, scan func(row) (T, error)) ([]T, error) {
	rs, err := s.reader().query(ctx, selectFrom+` WHERE `+strings.Join(w.conds, " AND ")+` ORDER BY `+orderBy+` LIMIT ?`, append(w.args, n+1)...)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", what, err)
	}
	defer rs.Close()
	var items []T
	for rs.Next() {
		it, err := scan(rs)
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("list %s: %w", what, err)
	}
	return items, nil
}
