package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"kycd/internal/kyc"
)

// The store's core, for the repositories that the domains own. A domain whose records are its own
// (webhook subscriptions and deliveries, partner shares, sanctions lists, faces and fingerprints)
// keeps their type and their SQL in its package, and writes through Change: its statements run
// in one transaction that commits them together with the change's audit entry, its events (and
// what the EventSink makes of them) and its River jobs, or commits nothing. Query texts are
// written with ? placeholders, once for both databases; PostgreSQL's are rewritten once per
// process (rebind). Where the dialects differ, Tx.Dialect and Store.Dialect say which one runs.

// Rows is the result of a query, in either dialect.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// Row is the result of a query for one row. Its Scan answers ErrNoRows when there is none.
type Row interface{ Scan(dest ...any) error }

type (
	rows = Rows
	row  = Row
)

// ErrNoRows is what Row.Scan answers, in both dialects, when the query found nothing.
var ErrNoRows = errNoRows

// IsUniqueViolation reports whether err is a unique-constraint violation in either dialect.
func IsUniqueViolation(err error) bool { return isUniqueViolation(err) }

// Micros converts a time to the stored form, Unix microseconds.
func Micros(t time.Time) int64 { return micros(t) }

// FromMicros converts a stored time back, in UTC.
func FromMicros(us int64) time.Time { return fromMicros(us) }

// Now is the store's clock, truncated to what the database keeps.
func Now() time.Time { return now() }

// Tx is a change's open write transaction (see Change). It is valid only inside the func that
// Change gave it to.
type Tx struct {
	s   *Store
	t   *txn
	env kyc.Env
}

// Env is the environment of the change.
func (tx *Tx) Env() kyc.Env { return tx.env }

// Dialect says which database runs the transaction.
func (tx *Tx) Dialect() Dialect { return tx.s.dialect }

// Exec runs a statement and answers the number of rows it changed.
func (tx *Tx) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	return tx.t.exec(ctx, query, args...)
}

// Query runs a query.
func (tx *Tx) Query(ctx context.Context, query string, args ...any) (Rows, error) {
	return tx.t.query(ctx, query, args...)
}

// QueryRow runs a query for one row.
func (tx *Tx) QueryRow(ctx context.Context, query string, args ...any) Row {
	return tx.t.queryRow(ctx, query, args...)
}

// ForUpdate is the suffix of a SELECT that reads a row to change it (see Store.forUpdate).
func (tx *Tx) ForUpdate() string { return tx.s.forUpdate() }

// Param is a placeholder whose type PostgreSQL cannot infer (in a SELECT list) cast to typ, such
// as BIGINT or BYTEA; on SQLite it is a bare placeholder.
func (tx *Tx) Param(typ string) string { return tx.s.param(typ) }

// Serialize makes the transactions that name key wait for each other until they end, on
// PostgreSQL (an advisory transaction lock); SQLite write transactions are serial already. It is
// for a rule over several rows that no constraint states, such as a count bound.
func (tx *Tx) Serialize(ctx context.Context, key string) error {
	if tx.s.dialect != Postgres {
		return nil
	}
	if _, err := tx.t.exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended(?, 0))`, "kycd:"+key); err != nil {
		return fmt.Errorf("serialize %s: %w", key, err)
	}
	return nil
}

// InsertJobs inserts River jobs in the transaction; they run once it commits.
func (tx *Tx) InsertJobs(ctx context.Context, jobs []river.InsertManyParams) error {
	return tx.s.insertJobsTx(ctx, tx.t, jobs)
}

// Seal seals a personal value bound to aad, the name of its place (table, row, column), so that a
// value copied elsewhere fails to open.
func (tx *Tx) Seal(plaintext []byte, aad string) ([]byte, error) { return tx.s.Seal(plaintext, aad) }

// SealFor seals a personal value of the applicant applicantID of the change's environment under
// that applicant's data key (moving an applicant written before keys under one first), bound to
// aad as Seal binds it; "" seals under the master key, as Seal does. Store.OpenFor opens it.
func (tx *Tx) SealFor(ctx context.Context, applicantID string, plaintext []byte, aad string) ([]byte, error) {
	var key []byte
	if applicantID != "" {
		var err error
		if key, err = tx.s.keyFor(ctx, tx.t, tx.env, applicantID); err != nil {
			return nil, err
		}
	}
	return tx.s.sealBytesFor(key, tx.env, applicantID, plaintext, aad)
}

// ApplicantKeyColumn is an SQL expression, for the SELECT list of a query on table (a table or
// its alias) whose env and applicant_id columns name an applicant: that applicant's wrapped data
// key, NULL when there is none (no applicant, or its key destroyed). OpenFor takes what it reads,
// so that a list opens its rows without a query each.
func ApplicantKeyColumn(table string) string {
	return `(SELECT k.data_key FROM applicants k WHERE k.env = ` + table + `.env AND k.id = ` + table + `.applicant_id)`
}

// OpenFor opens a value that Tx.SealFor sealed for applicantID ("" for none) of env with the
// same aad, given the applicant's wrapped data key as ApplicantKeyColumn read it. A value sealed
// under the data key needs it: without it (the applicant was erased) the error wraps
// ErrDataKeyDestroyed. A value sealed under the master key (of no applicant, or written before
// migration 00031) opens without it.
func (s *Store) OpenFor(key []byte, env kyc.Env, applicantID string, sealed []byte, aad string) ([]byte, error) {
	return s.openBytesFor(key, env, applicantID, sealed, aad)
}

// Change runs fn in one write transaction of env. What fn writes commits together with the
// Effects it returns (its audit entry, required; its events; its jobs), or, when fn or any of
// them fails, nothing does.
func (s *Store) Change(ctx context.Context, env kyc.Env, fn func(tx *Tx) (Effects, error)) error {
	at := now()
	return s.inTx(ctx, func(t *txn) error {
		eff, err := fn(&Tx{s: s, t: t, env: env})
		if err != nil {
			return err
		}
		return s.applyEffects(ctx, t, env, eff, at)
	})
}

// Query runs a read outside a transaction.
func (s *Store) Query(ctx context.Context, query string, args ...any) (Rows, error) {
	return s.reader().query(ctx, query, args...)
}

// QueryRow runs a read of one row outside a transaction.
func (s *Store) QueryRow(ctx context.Context, query string, args ...any) Row {
	return s.reader().queryRow(ctx, query, args...)
}

// Seal seals a personal value bound to aad (see Tx.Seal).
func (s *Store) Seal(plaintext []byte, aad string) ([]byte, error) {
	return s.sealer.Seal(plaintext, []byte(aad))
}

// Open opens a value that Seal sealed with the same aad.
func (s *Store) Open(sealed []byte, aad string) ([]byte, error) {
	return s.sealer.Open(sealed, []byte(aad))
}

// Where is the conditions of a list query, always scoped to one environment.
type Where = where

// NewWhere starts the conditions of a list of env.
func NewWhere(env kyc.Env) *Where { return newWhere(env) }

// Eq adds column = value when value is not empty. column is never user input.
func (w *where) Eq(column, value string) *Where { return w.eq(column, value) }

// ListPage runs a list query (selectFrom, then the conditions of w, the cursor and the order by
// id, newest first unless oldestFirst) and cuts the result into a page of at most limit items
// (DefaultPageSize when 0, MaxPageSize at most). what names the list in errors. Every list of
// kycd in id order pages this way: the cursor is the last id of a page, opaque to clients (a list
// in another order pages with ListPageByKey).
func ListPage[T any](ctx context.Context, s *Store, what, selectFrom string, w *Where, oldestFirst bool, cursor string, limit int,
	scan func(Row) (T, error), id func(T) string) (kyc.Page[T], error) {
	return listPage(ctx, s, what, selectFrom, w, oldestFirst, cursor, limit, scan, id)
}

// EventSink is told, inside a change's transaction, of the events the change wrote (Data is the
// resource as JSON), so that what follows from them commits with the change: webhook deliveries
// (webhook.Deliveries). It is given at wiring time in JobsConfig.Events.
type EventSink interface {
	EventsWritten(ctx context.Context, tx *Tx, events []kyc.Event) error
}

// Querier runs reads: the Store itself (outside a transaction), a Tx, or the snapshot that Read
// gives.
type Querier interface {
	Query(ctx context.Context, query string, args ...any) (Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) Row
}

var (
	_ Querier = (*Store)(nil)
	_ Querier = (*Tx)(nil)
)

// snapshot is the Querier of Read's transaction.
type snapshot struct{ q querier }

func (r snapshot) Query(ctx context.Context, query string, args ...any) (Rows, error) {
	return r.q.query(ctx, query, args...)
}

func (r snapshot) QueryRow(ctx context.Context, query string, args ...any) Row {
	return r.q.queryRow(ctx, query, args...)
}

var pgxTxOptionsReadOnly = pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead}

// Read runs fn in a read-only snapshot, so that several reads agree with each other (the versions
// of the sanctions lists and their entries): a repeatable-read transaction on PostgreSQL, a read
// transaction on SQLite. It commits nothing.
func (s *Store) Read(ctx context.Context, fn func(q Querier) error) error {
	if s.dialect == Postgres {
		tx, err := s.pool.BeginTx(ctx, pgxTxOptionsReadOnly)
		if err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
		return fn(snapshot{s.traced(pgxQuerier{tx})})
	}
	tx, err := s.read.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	return fn(snapshot{s.traced(sqlQuerier{tx})})
}

// InsertJob inserts one River job on its own, outside a state change (the next batch of a job
// that works in batches).
func (s *Store) InsertJob(ctx context.Context, job river.InsertManyParams) error {
	var err error
	switch {
	case s.dialect == Postgres && s.pgJobs != nil:
		_, err = s.pgJobs.InsertMany(ctx, []river.InsertManyParams{job})
	case s.dialect == SQLite && s.sqliteJobs != nil:
		_, err = s.sqliteJobs.InsertMany(ctx, []river.InsertManyParams{job})
	default:
		return fmt.Errorf("store: a job to insert but InitJobs was not called")
	}
	if err != nil {
		return fmt.Errorf("insert job: %w", err)
	}
	return nil
}

// Record runs fn in one write transaction of env, as Change does, for a write that records facts
// rather than changes an audited resource (a webhook delivery's attempt, a retention delete): when
// fn returns zero Effects, what it wrote commits alone. Effects that are not zero commit as
// Change's do, their audit entry required. env may be empty for a write across environments
// without effects.
func (s *Store) Record(ctx context.Context, env kyc.Env, fn func(tx *Tx) (Effects, error)) error {
	at := now()
	return s.inTx(ctx, func(t *txn) error {
		eff, err := fn(&Tx{s: s, t: t, env: env})
		if err != nil {
			return err
		}
		if eff.Audit == (kyc.AuditEntry{}) && len(eff.MoreAudit) == 0 && len(eff.Events) == 0 && len(eff.Jobs) == 0 {
			return nil
		}
		return s.applyEffects(ctx, t, env, eff, at)
	})
}

// param is a placeholder whose type PostgreSQL cannot infer (in a SELECT list) cast to typ;
// SQLite needs no cast.
func (s *Store) param(typ string) string {
	if s.dialect == Postgres {
		return "CAST(? AS " + typ + ")"
	}
	return "?"
}

// insertJobsTx inserts River jobs in the transaction.
func (s *Store) insertJobsTx(ctx context.Context, t *txn, jobs []river.InsertManyParams) error {
	if len(jobs) == 0 {
		return nil
	}
	var err error
	switch {
	case s.dialect == Postgres && s.pgJobs != nil:
		_, err = s.pgJobs.InsertManyTx(ctx, t.pgTx, jobs)
	case s.dialect == SQLite && s.sqliteJobs != nil:
		_, err = s.sqliteJobs.InsertManyTx(ctx, t.sqlTx, jobs)
	default:
		return fmt.Errorf("store: jobs to insert but InitJobs was not called")
	}
	if err != nil {
		return fmt.Errorf("insert jobs: %w", err)
	}
	return nil
}

// NewWhereInstallation starts the conditions of a list of records that belong to the installation,
// not to an environment (the people of the console).
func NewWhereInstallation() *Where { return &where{conds: []string{"TRUE"}} }

// And adds a condition of its own with its arguments (an IS NULL, a comparison other than =).
// cond is never user input; its values are arguments.
func (w *where) And(cond string, args ...any) *Where {
	w.conds, w.args = append(w.conds, cond), append(w.args, args...)
	return w
}

// CommitObserver is told of a transaction's events after it committed, in the process that
// committed it, exactly once per commit: a change that rolled back (an error, a lost race, a
// retried job's failed attempt) is never told. It is for what counts events and must not double
// count them across replicas or retries (metrics, log lines); it cannot fail the change, and it is
// called on the committing goroutine, so it must be quick. Data is the resource as JSON
// (json.RawMessage), and holds personal data: an observer reads ids, statuses and names of checks
// from it, nothing else.
type CommitObserver interface {
	Committed(ctx context.Context, events []kyc.Event)
}

// EventSinks tells each of its sinks, in order, of a change's events.
type EventSinks []EventSink

// EventsWritten tells each sink.
func (ss EventSinks) EventsWritten(ctx context.Context, tx *Tx, events []kyc.Event) error {
	for _, s := range ss {
		if err := s.EventsWritten(ctx, tx, events); err != nil {
			return err
		}
	}
	return nil
}
