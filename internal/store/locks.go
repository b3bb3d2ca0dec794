package store

import (
	"context"
	"fmt"
)

// LockKey holds a lock named key across every process on this database until unlock is called:
// a PostgreSQL session advisory lock on a connection of its own. It serialises work that spans
// more than one transaction (an end user's draft, kept in the blob store) between replicas. On
// SQLite, which one process serves, it returns at once: the caller's in-process lock suffices.
// At most half the connection pool holds locks at once (later callers wait), so the work done
// under the locks always finds a connection.
func (s *Store) LockKey(ctx context.Context, key string) (unlock func(), err error) {
	if s.dialect != Postgres {
		return func() {}, nil
	}
	select {
	case s.lockSlots <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("lock %s: %w", key, ctx.Err())
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		<-s.lockSlots
		return nil, fmt.Errorf("lock %s: %w", key, err)
	}
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(hashtextextended($1, 0))`, key); err != nil {
		conn.Release()
		<-s.lockSlots
		return nil, fmt.Errorf("lock %s: %w", key, err)
	}
	return func() {
		ctx := context.WithoutCancel(ctx)
		if _, err := conn.Exec(ctx, `SELECT pg_advisory_unlock(hashtextextended($1, 0))`, key); err != nil {
			// The lock dies with the session: close the connection rather than return it held.
			_ = conn.Conn().Close(ctx)
		}
		conn.Release()
		<-s.lockSlots
	}, nil
}
