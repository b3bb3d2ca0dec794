package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"kycd/internal/kyc"
)

// The process: every opened Store is one running kycd process with a random id. Work that spans
// more than one transaction (an idempotency claim) names the process that does it, so another one
// can tell whether that work still runs or died with its process (kill -9, power loss).
//
// On SQLite, which one process serves, every other id is a dead process: the one before a restart.
// On PostgreSQL a process holds a session advisory lock named after its id on a connection of its
// own for as long as it lives; the server drops the lock as soon as that connection dies, so
// "alive" is exact and immediate after a crash, without heartbeats or leases.

// newProcessID makes the id of this process.
func newProcessID() string { return kyc.NewID("prc_") }

// ProcessID is this process's id (also its River client id).
func (s *Store) ProcessID() string { return s.process }

// processLockKey names the advisory lock that a live process holds.
func processLockKey(id string) string { return "kycd-process:" + id }

// holdProcessLock opens the connection that holds this process's lock until Close.
func (s *Store) holdProcessLock(ctx context.Context, cfg *pgx.ConnConfig) error {
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("store: process lock: %w", err)
	}
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(hashtextextended($1, 0))`, processLockKey(s.process)); err != nil {
		_ = conn.Close(ctx)
		return fmt.Errorf("store: process lock: %w", err)
	}
	s.processConn = conn
	return nil
}

// processAlive reports whether the process with id still runs.
func (s *Store) processAlive(ctx context.Context, q querier, id string) (bool, error) {
	if id == s.process {
		return true, nil
	}
	if s.dialect != Postgres || id == "" {
		return false, nil
	}
	// Taking the lock proves that nobody holds it; it is given back at once.
	var alive bool
	err := q.queryRow(ctx, `SELECT CASE WHEN pg_try_advisory_lock(hashtextextended(?, 0))
		THEN NOT pg_advisory_unlock(hashtextextended(?, 0)) ELSE true END`, processLockKey(id), processLockKey(id)).Scan(&alive)
	if err != nil {
		return false, fmt.Errorf("process alive: %w", err)
	}
	return alive, nil
}
