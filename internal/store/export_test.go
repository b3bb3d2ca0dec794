package store

import (
	"context"
	"io/fs"
	"strings"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"kycd/internal/kyc"
)

// QueryPlan returns the database's plan for query (with ? placeholders) and args, as text, for
// tests that a query can use an index: SQLite's EXPLAIN QUERY PLAN; PostgreSQL's EXPLAIN with
// sequential scans turned off, so that a usable index is chosen even on a table of a few rows.
func (s *Store) QueryPlan(ctx context.Context, query string, args ...any) (string, error) {
	return s.QueryPlanWith(ctx, nil, query, args...)
}

// QueryPlanWith is QueryPlan with PostgreSQL planner settings of the caller's too (such as
// "enable_bitmapscan = off"), set for the EXPLAIN only; SQLite ignores them.
func (s *Store) QueryPlanWith(ctx context.Context, settings []string, query string, args ...any) (string, error) {
	var lines []string
	if s.dialect == Postgres {
		tx, err := s.pool.Begin(ctx)
		if err != nil {
			return "", err
		}
		defer func() { _ = tx.Rollback(ctx) }()
		for _, set := range append([]string{"enable_seqscan = off"}, settings...) {
			if _, err := tx.Exec(ctx, "SET LOCAL "+set); err != nil {
				return "", err
			}
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

// MigrateTo brings kycd's own schema up or down to version (goose), without River's tables:
// tests of a migration build the schema before it, write rows the old way, then call Migrate.
func (s *Store) MigrateTo(ctx context.Context, version int64) error {
	dir, dialect := "migrations/sqlite", goose.DialectSQLite3
	db := s.write
	if s.dialect == Postgres {
		dir, dialect = "migrations/postgres", goose.DialectPostgres
		db = stdlib.OpenDBFromPool(s.pool)
		defer db.Close()
	}
	sub, err := fs.Sub(migrations, dir)
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(dialect, db, sub)
	if err != nil {
		return err
	}
	current, err := p.GetDBVersion(ctx)
	if err != nil {
		return err
	}
	if version < current {
		_, err = p.DownTo(ctx, version)
	} else {
		_, err = p.UpTo(ctx, version)
	}
	return err
}

// AppendLegacyAudit appends entries the way kycd did before migration 00017 (one chain per
// environment, its head in audit_heads), on a schema migrated no further than 00015.
func (s *Store) AppendLegacyAudit(ctx context.Context, env kyc.Env, entries ...kyc.AuditEntry) error {
	return s.inTx(ctx, func(t *txn) error {
		for _, e := range entries {
			at := now()
			var seq int64
			var prev string
			if err := t.queryRow(ctx, `UPDATE audit_heads SET seq = seq + 1 WHERE env = ? RETURNING seq, hash`, string(env)).Scan(&seq, &prev); err != nil {
				return err
			}
			rec := AuditRecord{Seq: seq, Actor: e.Actor, Action: e.Action, ResourceType: e.ResourceType, ResourceID: e.ResourceID, Time: at, PrevHash: prev}
			rec.Hash = auditHash(rec)
			if _, err := t.exec(ctx, `INSERT INTO audit_log (env, seq, actor, action, resource_type, resource_id, created_at, prev_hash, hash)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				string(env), seq, string(e.Actor), e.Action, e.ResourceType, e.ResourceID, micros(at), prev, rec.Hash); err != nil {
				return err
			}
			if _, err := t.exec(ctx, `UPDATE audit_heads SET hash = ? WHERE env = ?`, rec.Hash, string(env)); err != nil {
				return err
			}
		}
		return nil
	})
}

// HoldAudited opens a write transaction, applies eff in it as a state change would, and returns
// without committing: end commits (or rolls back) it. Tests use it to hold an audited transaction
// open while another runs.
func (s *Store) HoldAudited(ctx context.Context, env kyc.Env, eff Effects) (end func(commit bool) error, err error) {
	var t *txn
	var commit, rollback func() error
	if s.dialect == Postgres {
		tx, err := s.pool.Begin(ctx)
		if err != nil {
			return nil, err
		}
		t = &txn{querier: pgxQuerier{tx}, pgTx: tx}
		commit, rollback = func() error { return tx.Commit(ctx) }, func() error { return tx.Rollback(ctx) }
	} else {
		tx, err := s.write.BeginTx(ctx, nil)
		if err != nil {
			return nil, err
		}
		t = &txn{querier: sqlQuerier{tx}, sqlTx: tx}
		commit, rollback = tx.Commit, tx.Rollback
	}
	if err := s.applyEffects(ctx, t, env, eff, now()); err != nil {
		_ = rollback()
		return nil, err
	}
	return func(c bool) error {
		if c {
			return commit()
		}
		return rollback()
	}, nil
}

// RawDraftData returns the data column of a draft as stored, for tests that it is sealed.
func (s *Store) RawDraftData(ctx context.Context, env kyc.Env, applicantID string) ([]byte, error) {
	var b []byte
	err := s.reader().queryRow(ctx, `SELECT data FROM drafts WHERE env = ? AND applicant_id = ?`, string(env), applicantID).Scan(&b)
	return b, err
}
