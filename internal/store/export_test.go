package store

import (
	"context"
	"strings"

	"kycd/internal/kyc"
)

// QueryPlan returns the database's plan for query (with ? placeholders) and args, as text, for
// tests that a query can use an index: SQLite's EXPLAIN QUERY PLAN; PostgreSQL's EXPLAIN with
// sequential scans turned off, so that a usable index is chosen even on a table of a few rows.
func (s *Store) QueryPlan(ctx context.Context, query string, args ...any) (string, error) {
	var lines []string
	if s.dialect == Postgres {
		tx, err := s.pool.Begin(ctx)
		if err != nil {
			return "", err
		}
		defer func() { _ = tx.Rollback(ctx) }()
		if _, err := tx.Exec(ctx, "SET LOCAL enable_seqscan = off"); err != nil {
			return "", err
		}
		rows, err := tx.Query(ctx, "EXPLAIN "+rebind(query), args...)
		if err != nil {
			return "", err
		}
		defer rows.Close()
		for rows.Next() {
			var l string
			if err := rows.Scan(&l); err != nil {
				return "", err
			}
			lines = append(lines, l)
		}
		return strings.Join(lines, "\n"), rows.Err()
	}
	rows, err := s.read.QueryContext(ctx, "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return "", err
		}
		lines = append(lines, detail)
	}
	return strings.Join(lines, "\n"), rows.Err()
}

// Exec runs one statement (with ? placeholders) outside a transaction, for benchmarks that seed
// rows in bulk or drop an index to measure without it.
func (s *Store) Exec(ctx context.Context, query string, args ...any) error {
	_, err := s.writer().exec(ctx, query, args...)
	return err
}

// RawDraftData returns the data column of a draft as stored, for tests that it is sealed.
func (s *Store) RawDraftData(ctx context.Context, env kyc.Env, applicantID string) ([]byte, error) {
	var b []byte
	err := s.reader().queryRow(ctx, `SELECT data FROM drafts WHERE env = ? AND applicant_id = ?`, string(env), applicantID).Scan(&b)
	return b, err
}
