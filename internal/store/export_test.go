package store

import (
	"context"
	"strings"
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

// Trace makes the store show every statement it runs through its own queries (in and outside
// transactions) to fn, until Trace(nil). Set it while no other goroutine uses the store.
func (s *Store) Trace(fn func(query string, args []any)) { s.trace = fn }

// Copy inserts n copies of table's row whose id is id, in one statement, for plan tests and
// benchmarks at scale. set gives columns an SQL expression of the copy's number n.i (1 to n) and of
// the row's columns (t.<column>), or "-" to leave the column to the database (a sequence); every
// other column is copied as it is. set must change id. On PostgreSQL the table is analysed after.
func (s *Store) Copy(ctx context.Context, table, id string, n int, set map[string]string) error {
	var cols []string
	q := `SELECT name FROM pragma_table_info(?) ORDER BY cid`
	if s.dialect == Postgres {
		q = `SELECT column_name FROM information_schema.columns WHERE table_name = ? AND is_identity = 'NO' ORDER BY ordinal_position`
	}
	rs, err := s.reader().query(ctx, q, table)
	if err != nil {
		return err
	}
	for rs.Next() {
		var c string
		if err := rs.Scan(&c); err != nil {
			rs.Close()
			return err
		}
		cols = append(cols, c)
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return err
	}
	exprs := make([]string, len(cols))
	for i, c := range cols {
		exprs[i] = "t." + c
		if e, ok := set[c]; ok {
			exprs[i] = e
		}
	}
	for i := len(cols) - 1; i >= 0; i-- {
		if exprs[i] == "-" { // a key the database assigns
			cols, exprs = append(cols[:i], cols[i+1:]...), append(exprs[:i], exprs[i+1:]...)
		}
	}
	_, err = s.writer().exec(ctx, `INSERT INTO `+table+` (`+strings.Join(cols, ", ")+`)
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
		SELECT `+strings.Join(exprs, ", ")+` FROM n, `+table+` t WHERE t.id = ?`, n, id)
	if err != nil {
		return err
	}
	if s.dialect == Postgres {
		_, err = s.writer().exec(ctx, `ANALYZE `+table)
	}
	return err
}
