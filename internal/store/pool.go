package store

import (
	"context"
	"fmt"
)

// Sizing the PostgreSQL pool. River's documentation (riverqueue.com/docs/pgbouncer) says that a
// client that works jobs takes "roughly two to five connections" of its own to fetch jobs, elect
// a leader and do maintenance, and that the workers it runs "may need connections of their own".
// So one process's pool is
//
//	HTTP handlers' connections + connections its job workers may hold at once + RiverConns
//
// and every replica sharing the database has such a pool, plus the connection that holds its
// liveness lock (process.go). Together, with room for administration (AdminConns), they must fit
// in what PostgreSQL lets ordinary users open: max_connections minus
// superuser_reserved_connections (and reserved_connections, PostgreSQL 16 and later).

// RiverConns is what River's own machinery (producers, leader elector, maintenance services) takes
// in one process at most, on top of the connections of the workers it runs.
const RiverConns = 5

// AdminConns is the room kept for connections that are no replica's: kycd migrate or another kycd
// command, psql, pg_dump.
const AdminConns = 5

// PoolSize is River's rule: the connections one process's pool needs for handlerConns
// connections held by HTTP handlers at once, the connections each job queue's workers may hold
// at once (workerConns), and RiverConns.
func PoolSize(handlerConns int, workerConns ...int) int {
	n := handlerConns + RiverConns
	for _, w := range workerConns {
		n += w
	}
	return n
}

// ConnLimits is what a PostgreSQL server allows and has in use, read by ReadConnLimits.
type ConnLimits struct {
	// MaxConnections is the server's max_connections.
	MaxConnections int
	// SuperuserReserved is superuser_reserved_connections: slots only superusers may take.
	SuperuserReserved int
	// Reserved is reserved_connections (PostgreSQL 16 and later; 0 before): slots for roles with
	// pg_use_reserved_connections.
	Reserved int
	// InUse is the client connections open now (pg_stat_activity), this process's included.
	InUse int
}

// Usable is how many connections ordinary roles may open in all.
func (l ConnLimits) Usable() int { return l.MaxConnections - l.SuperuserReserved - l.Reserved }

// Fit checks that replicas processes with pools of poolMax connections each (and one more each
// for its liveness lock), plus AdminConns, fit in Usable: its error names the settings and the
// numbers. When they fit but this process, which has own connections open already, could not open
// the rest of its pool beside the InUse connections now, it answers a warning instead: a pool
// opens connections as they are needed, and the others in use may close (the replica a rolling
// update replaces, a finished pg_dump), so that is no reason to refuse to start.
func (l ConnLimits) Fit(poolMax, replicas, own int) (warning string, err error) {
	perProcess := poolMax + 1
	limit := fmt.Sprintf("max_connections %d - superuser_reserved_connections %d", l.MaxConnections, l.SuperuserReserved)
	if l.Reserved > 0 {
		limit += fmt.Sprintf(" - reserved_connections %d", l.Reserved)
	}
	limit += fmt.Sprintf(" = %d", l.Usable())
	if total := replicas*perProcess + AdminConns; total > l.Usable() {
		return "", fmt.Errorf("store: postgres connections: KYCD_REPLICAS=%d x %d connections (a pool of %d, pool_max_conns, and 1 for the liveness lock) + %d for administration = %d, more than PostgreSQL allows: %s; %s",
			replicas, perProcess, poolMax, AdminConns, total, limit, poolAdvice)
	}
	if need, free := perProcess-own, l.Usable()-l.InUse; need > free {
		return fmt.Sprintf("this process's pool of %d connections (pool_max_conns, and 1 for the liveness lock) may need %d more, but %d are in use of %s, so %d are free now: "+
			"past them a request or a job fails to connect until others close theirs; if more processes than KYCD_REPLICAS=%d share the database, count them in it, or %s",
			poolMax, need, l.InUse, limit, max(free, 0), replicas, poolAdvice), nil
	}
	return "", nil
}

// poolAdvice is what an operator does about a pool that does not fit.
const poolAdvice = "raise max_connections, or run fewer workers (KYCD_JOB_WORKERS, the share and webhook workers) so that the pool is smaller (README: Running in production, Pool sizing)"

// ReadConnLimits reads the server's connection settings and the client connections open now. It
// is for PostgreSQL only.
func (s *Store) ReadConnLimits(ctx context.Context) (ConnLimits, error) {
	if s.dialect != Postgres {
		return ConnLimits{}, fmt.Errorf("store: connection limits are PostgreSQL's")
	}
	var l ConnLimits
	err := s.pool.QueryRow(ctx, `SELECT current_setting('max_connections')::int,
		current_setting('superuser_reserved_connections')::int,
		coalesce(current_setting('reserved_connections', true), '0')::int,
		(SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int`).
		Scan(&l.MaxConnections, &l.SuperuserReserved, &l.Reserved, &l.InUse)
	if err != nil {
		return l, fmt.Errorf("store: postgres connection settings: %w", err)
	}
	return l, nil
}

// CheckConnections refuses a pool that PostgreSQL cannot serve, this process's and replicas of
// them, and warns when this process's pool cannot all be opened beside the connections in use now
// (see ConnLimits.Fit). On SQLite it checks nothing.
func (s *Store) CheckConnections(ctx context.Context, replicas int) (warning string, err error) {
	if s.dialect != Postgres {
		return "", nil
	}
	l, err := s.ReadConnLimits(ctx)
	if err != nil {
		return "", err
	}
	own := int(s.pool.Stat().TotalConns()) + 1 // the pool's open connections and the lock's
	return l.Fit(s.MaxConns(), max(replicas, 1), own)
}

// MaxConns is the PostgreSQL pool's size (0 on SQLite).
func (s *Store) MaxConns() int {
	if s.dialect != Postgres {
		return 0
	}
	return int(s.pool.Config().MaxConns)
}
