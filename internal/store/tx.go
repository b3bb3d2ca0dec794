package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"kycd/internal/kyc"
)

type pgxTx = pgx.Tx

// Effects are what a state change causes besides itself. They commit in the same transaction as
// the change, so a crash can never keep one without the other.
type Effects struct {
	// Audit records who did what; required for every state change.
	Audit kyc.AuditEntry
	// MoreAudit records further resources the same change moved (a request and an applicant
	// following a document's decision).
	MoreAudit []kyc.AuditEntry
	// Events say what happened, for webhook subscribers.
	Events []NewEvent
	// Jobs are River jobs to insert (InsertManyTx), such as the expiry of a KYC request.
	Jobs []river.InsertManyParams
}

// txn is one open transaction in either dialect.
type txn struct {
	querier
	sqlTx *sql.Tx
	pgTx  pgx.Tx
	// keys are the applicants' wrapped data keys this transaction sealed under (keyFor), by id.
	keys map[string][]byte
	// written are the events the transaction wrote, for the Committed observer once it commits.
	written []kyc.Event
}

// inTx runs fn in a write transaction and commits when it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(t *txn) error) (err error) {
	if s.dialect == Postgres {
		tx, err := s.pool.Begin(ctx)
		if err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
		t := &txn{querier: s.traced(pgxQuerier{tx}), pgTx: tx}
		if err := fn(t); err != nil {
			return err
		}
		if err := tx.Commit(ctx); err != nil {
			return err
		}
		s.tellCommitted(ctx, t.written)
		return nil
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	t := &txn{querier: s.traced(sqlQuerier{tx}), sqlTx: tx}
	if err := fn(t); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	s.tellCommitted(ctx, t.written)
	return nil
}

// tellCommitted tells the Committed observer (JobsConfig.Committed) of the events of a
// transaction that has just committed.
func (s *Store) tellCommitted(ctx context.Context, events []kyc.Event) {
	if s.committed != nil && len(events) > 0 {
		s.committed.Committed(ctx, events)
	}
}

// applyEffects writes the audit entry and inserts the jobs of a change inside its transaction.
func (s *Store) applyEffects(ctx context.Context, t *txn, env kyc.Env, eff Effects, now time.Time) error {
	if eff.Audit.Action == "" {
		return errors.New("store: a state change needs an audit entry")
	}
	if err := s.appendAudit(ctx, t, env, append([]kyc.AuditEntry{eff.Audit}, eff.MoreAudit...), now); err != nil {
		return err
	}
	if err := stampIdempotencyKey(ctx, t, eff.Audit); err != nil {
		return err
	}
	if err := s.insertEvents(ctx, t, env, eff.Events, now); err != nil {
		return err
	}
	if len(eff.Jobs) == 0 {
		return nil
	}
	var err error
	switch {
	case s.dialect == Postgres && s.pgJobs != nil:
		_, err = s.pgJobs.InsertManyTx(ctx, t.pgTx, eff.Jobs)
	case s.dialect == SQLite && s.sqliteJobs != nil:
		_, err = s.sqliteJobs.InsertManyTx(ctx, t.sqlTx, eff.Jobs)
	default:
		return errors.New("store: jobs to insert but InitJobs was not called")
	}
	if err != nil {
		return fmt.Errorf("insert jobs: %w", err)
	}
	return nil
}

// micros converts a time to the stored form, Unix microseconds.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros converts a stored time back, in UTC.
func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// now is the store's clock, truncated to what the database keeps.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

type sqlTx = *sql.Tx
