package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// Sealer seals and opens small values (personal data columns). aad binds a sealed value to its
// row, so a value copied to another row fails to open. *seal.Sealer satisfies it.
type Sealer interface {
	Seal(plaintext, aad []byte) ([]byte, error)
	Open(sealed, aad []byte) ([]byte, error)
}

// DefaultMaxConns is the PostgreSQL pool size of Open when the URL sets no pool_max_conns: enough
// for a command or a test. kycd serve sizes its pool from its workers instead (OpenSized,
// PoolSize).
const DefaultMaxConns = 25

// Dialect names the database behind a Store.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Store is kycd's database. Its methods are safe for concurrent use.
type Store struct {
	dialect Dialect
	sealer  Sealer

	// SQLite: one write connection (SQLite has one writer; a single connection avoids "database is
	// locked") shared with River, and a pool of read-only connections.
	write *sql.DB
	read  *sql.DB
	// PostgreSQL: one pool for everything.
	pool *pgxpool.Pool

	sqliteJobs *river.Client[*sql.Tx]
	pgJobs     *river.Client[pgxTx]
	// events is told of every change's events in its transaction (JobsConfig.Events).
	events EventSink
	// committed is told of every change's events once its transaction committed
	// (JobsConfig.Committed).
	committed CommitObserver

	// process is this process's id; on PostgreSQL processConn holds its liveness lock (process.go).
	process     string
	processConn *pgx.Conn

	// audit keys the audit log's hashes and signs its anchors (audit.go); zero when the sealer
	// derives no keys.
	audit auditKeys
	// auditUnkeyed holds the environments whose log KeyAuditLogs found changed before it could be
	// keyed: their log is written and checked unkeyed (kyc.Env → true).
	auditUnkeyed sync.Map
	// keys seals applicants' personal data under their own data keys (datakeys.go); nil when the
	// sealer makes none.
	keys DataKeySealer
	// documentsMoved holds the environments where MoveDocumentsUnderTheirKeys found no document
	// left under the master key (kyc.Env → true).
	documentsMoved sync.Map
	// eventsMoved, likewise for MoveEventsUnderTheirKeys.
	eventsMoved sync.Map

	// trace, when set (only by tests, through export_test.go), sees every statement the store runs
	// through its own queries, in and outside transactions, so a test can EXPLAIN what a method
	// really runs.
	trace func(query string, args []any)
}

// Open connects to the database named by dsn: a postgres:// or postgresql:// URL for PostgreSQL,
// otherwise a SQLite file path (optionally sqlite:// or file: prefixed). The SQLite file's folder is
// created when missing. Open does not migrate; call Migrate.
func Open(ctx context.Context, dsn string, sealer Sealer) (*Store, error) {
	return OpenSized(ctx, dsn, sealer, DefaultMaxConns)
}

// OpenSized is Open with maxConns the PostgreSQL pool's size when the URL sets no pool_max_conns
// (PoolSize says how many a process needs); the URL's pool_max_conns wins.
func OpenSized(ctx context.Context, dsn string, sealer Sealer, maxConns int) (*Store, error) {
	if sealer == nil {
		return nil, fmt.Errorf("store: a sealer is required")
	}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		cfg, err := pgxpool.ParseConfig(dsn)
		if err != nil {
			return nil, fmt.Errorf("store: postgres: %w", err)
		}
		if !strings.Contains(dsn, "pool_max_conns") && maxConns > 0 {
			// pgx's default (4 on two cores) is too few for the job queues, whose workers each
			// need a connection now and then; the URL's pool_max_conns wins.
			cfg.MaxConns = int32(min(maxConns, 1<<30))
		}
		// Statement spans (spans.go): a child of the caller's span, when it has one.
		cfg.ConnConfig.Tracer = pgxSpans{}
		pool, err := pgxpool.NewWithConfig(ctx, cfg)
		if err != nil {
			return nil, fmt.Errorf("store: postgres: %w", err)
		}
		if err := pool.Ping(ctx); err != nil {
			pool.Close()
			return nil, fmt.Errorf("store: postgres: %w", err)
		}
		st := &Store{dialect: Postgres, sealer: sealer, pool: pool, process: newProcessID(), audit: newAuditKeys(sealer), keys: dataKeysOf(sealer)}
		if err := st.holdProcessLock(ctx, cfg.ConnConfig.Copy()); err != nil {
			pool.Close()
			return nil, err
		}
		return st, nil
	}
	path, err := sqlitePath(dsn)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("store: sqlite folder: %w", err)
	}
	if err := privateDBFiles(path); err != nil {
		return nil, err
	}
	pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)"
	write, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("store: sqlite: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	if err := write.PingContext(ctx); err != nil {
		_ = write.Close()
		return nil, fmt.Errorf("store: sqlite %s: %w", path, err)
	}
	read, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		_ = write.Close()
		return nil, fmt.Errorf("store: sqlite: %w", err)
	}
	read.SetMaxOpenConns(8)
	return &Store{dialect: SQLite, sealer: sealer, write: write, read: read, process: newProcessID(), audit: newAuditKeys(sealer), keys: dataKeysOf(sealer)}, nil
}

// sqlitePath turns a SQLite DSN into a file path; the default is ./data/kycd.db.
func sqlitePath(dsn string) (string, error) {
	switch {
	case dsn == "":
		return filepath.Join("data", "kycd.db"), nil
	case strings.HasPrefix(dsn, "sqlite://"), strings.HasPrefix(dsn, "file:"):
		u, err := url.Parse(dsn)
		if err != nil {
			return "", fmt.Errorf("store: database URL: %w", err)
		}
		p := u.Path
		if p == "" {
			p = u.Opaque
		}
		if u.Host != "" {
			p = filepath.Join(u.Host, p)
		}
		if p == "" {
			return "", fmt.Errorf("store: database URL %q names no file", dsn)
		}
		return p, nil
	case strings.Contains(dsn, "://"):
		return "", fmt.Errorf("store: unsupported database URL scheme in %q: use postgres:// or a SQLite path", redactURL(dsn))
	}
	return dsn, nil
}

// redactURL hides a password in a database URL for error messages.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}

// Dialect reports which database the store uses.
func (s *Store) Dialect() Dialect { return s.dialect }

// Ping checks that the database answers (readiness).
func (s *Store) Ping(ctx context.Context) error {
	if s.dialect == Postgres {
		return s.pool.Ping(ctx)
	}
	return s.read.PingContext(ctx)
}

// Close stops the job client if it runs and closes the connections.
func (s *Store) Close() error {
	if s.dialect == Postgres {
		s.pool.Close()
		return s.processConn.Close(context.Background())
	}
	err := s.read.Close()
	if werr := s.write.Close(); err == nil {
		err = werr
	}
	return err
}

// reader answers queries outside a transaction.
func (s *Store) reader() querier {
	if s.dialect == Postgres {
		return s.traced(pgxQuerier{s.pool})
	}
	return s.traced(sqlQuerier{s.read})
}

// inSnapshot runs fn's reads in one snapshot of the database: a REPEATABLE READ READ ONLY
// transaction on PostgreSQL, a read transaction on SQLite's read connections (in WAL mode it sees
// the database as of its first read). For reads that must agree with each other while writers
// commit (the audit log's verification beside a pruning).
func (s *Store) inSnapshot(ctx context.Context, fn func(q querier) error) error {
	if s.dialect == Postgres {
		tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
		if err != nil {
			return fmt.Errorf("begin snapshot: %w", err)
		}
		defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
		return fn(s.traced(pgxQuerier{tx}))
	}
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin snapshot: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	return fn(s.traced(sqlQuerier{tx}))
}

// traced wraps q so that the test hook s.trace sees its statements; without the hook it is q. On
// SQLite it also makes the statements' spans (spans.go); pgx makes PostgreSQL's.
func (s *Store) traced(q querier) querier {
	if s.dialect == SQLite {
		q = spanQuerier{q}
	}
	if s.trace == nil {
		return q
	}
	return tracingQuerier{q, s.trace}
}

// forUpdate is the locking suffix for a read-modify-write SELECT. On PostgreSQL it is FOR NO KEY
// UPDATE: no change here rewrites a key, and the weaker lock does not conflict with the KEY SHARE
// lock that inserting a row referencing this one takes (FOR UPDATE would, and a transaction that
// locks a webhook while another inserts its delivery would deadlock). SQLite transactions here
// take the write lock at BEGIN (_txlock=immediate), so they need none.
func (s *Store) forUpdate() string {
	if s.dialect == Postgres {
		return " FOR NO KEY UPDATE"
	}
	return ""
}

// forKeyShare is the lock a write of an applicant's data takes on the applicant's row on
// PostgreSQL: FOR KEY SHARE, which other writes (FOR NO KEY UPDATE, plain updates) pass, so
// writers of one applicant never wait for each other on it, but an erasure's FOR UPDATE
// (forErasure) waits for every such writer and every later writer waits for the erasure, then
// sees it. Nothing on SQLite, whose transactions run one at a time.
func (s *Store) forKeyShare() string {
	if s.dialect == Postgres {
		return " FOR KEY SHARE"
	}
	return ""
}

// forErasure is the lock an erasure takes on the applicant's row on PostgreSQL, first in its
// transaction: FOR UPDATE, the one mode that excludes forKeyShare's writers.
func (s *Store) forErasure() string {
	if s.dialect == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// writer runs single statements outside a transaction on the write connection.
func (s *Store) writer() querier {
	if s.dialect == Postgres {
		return s.traced(pgxQuerier{s.pool})
	}
	return s.traced(sqlQuerier{s.write})
}
