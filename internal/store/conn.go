package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// errNoRows is what row.Scan answers, in both dialects, when the query found nothing.
var errNoRows = errors.New("no rows")

// querier runs one query text (written with ? placeholders) on either database, inside or outside
// a transaction. sqlQuerier serves SQLite through database/sql, pgxQuerier PostgreSQL through pgx.
type querier interface {
	exec(ctx context.Context, q string, args ...any) (int64, error)
	query(ctx context.Context, q string, args ...any) (rows, error)
	queryRow(ctx context.Context, q string, args ...any) row
}

// sqlExecer is what *sql.DB and *sql.Tx share.
type sqlExecer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

type sqlQuerier struct{ db sqlExecer }

func (q sqlQuerier) exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := q.db.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (q sqlQuerier) query(ctx context.Context, query string, args ...any) (rows, error) {
	r, err := q.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{r}, nil
}

func (q sqlQuerier) queryRow(ctx context.Context, query string, args ...any) row {
	return sqlRow{q.db.QueryRowContext(ctx, query, args...)}
}

type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { _ = r.Rows.Close() }

type sqlRow struct{ r *sql.Row }

func (r sqlRow) Scan(dest ...any) error {
	err := r.r.Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return errNoRows
	}
	return err
}

// tracingQuerier shows each statement to a test hook before running it.
type tracingQuerier struct {
	q     querier
	trace func(query string, args []any)
}

func (q tracingQuerier) exec(ctx context.Context, query string, args ...any) (int64, error) {
	q.trace(query, args)
	return q.q.exec(ctx, query, args...)
}

func (q tracingQuerier) query(ctx context.Context, query string, args ...any) (rows, error) {
	q.trace(query, args)
	return q.q.query(ctx, query, args...)
}

func (q tracingQuerier) queryRow(ctx context.Context, query string, args ...any) row {
	q.trace(query, args)
	return q.q.queryRow(ctx, query, args...)
}

// pgxExecer is what *pgxpool.Pool and pgx.Tx share.
type pgxExecer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

var _ pgxExecer = (*pgxpool.Pool)(nil)

type pgxQuerier struct{ db pgxExecer }

func (q pgxQuerier) exec(ctx context.Context, query string, args ...any) (int64, error) {
	tag, err := q.db.Exec(ctx, rebind(query), args...)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

func (q pgxQuerier) query(ctx context.Context, query string, args ...any) (rows, error) {
	r, err := q.db.Query(ctx, rebind(query), args...)
	if err != nil {
		return nil, err
	}
	return r, nil
}

func (q pgxQuerier) queryRow(ctx context.Context, query string, args ...any) row {
	return pgxRow{q.db.QueryRow(ctx, rebind(query), args...)}
}

type pgxRow struct{ r pgx.Row }

func (r pgxRow) Scan(dest ...any) error {
	err := r.r.Scan(dest...)
	if errors.Is(err, pgx.ErrNoRows) {
		return errNoRows
	}
	return err
}

// rebound remembers rebind's answers: the store's query texts are its constants and their filter
// combinations (values are always arguments), a few hundred, so each is rewritten once per process
// instead of on every call (2 µs for a list query, measured by BenchmarkRebind). It is a pure
// cache of a function of its key, bounded by maxRebound.
var (
	rebound     sync.Map
	reboundSize atomic.Int64
)

const maxRebound = 4096

// rebind turns ? placeholders into PostgreSQL's $1, $2, ... Query texts never hold a literal "?".
func rebind(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	if r, ok := rebound.Load(q); ok {
		return r.(string)
	}
	r := rewritePlaceholders(q)
	if reboundSize.Load() < maxRebound {
		if _, loaded := rebound.LoadOrStore(q, r); !loaded {
			reboundSize.Add(1)
		}
	}
	return r
}

// rewritePlaceholders numbers q's ? placeholders.
func rewritePlaceholders(q string) string {
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// IsDeadlock reports whether err is PostgreSQL's answer to a deadlock (40P01): the transaction was
// rolled back and can be run again as a whole.
func IsDeadlock(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "40P01"
}

// RetryDeadlock runs fn, a whole transaction, and runs it again, up to retries more times, while
// PostgreSQL rolls it back to end a deadlock (IsDeadlock). fn's out-values must be set again by
// each run. For writes whose locks can meet another writer's in the other order.
func RetryDeadlock(retries int, fn func() error) error {
	for attempt := 0; ; attempt++ {
		err := fn()
		if !IsDeadlock(err) || attempt == retries {
			return err
		}
	}
}

// isUniqueViolation reports whether err is a unique-constraint violation in either dialect.
func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}
