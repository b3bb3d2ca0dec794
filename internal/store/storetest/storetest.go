// Package storetest gives every test a fresh, migrated database of each dialect, so one test body
// runs on SQLite and on PostgreSQL. PostgreSQL comes from KYCD_TEST_POSTGRES_URL (the test script
// starts a throwaway server and sets it); with KYCD_TEST_REQUIRE_SERVICES=1 a missing server fails
// the test instead of skipping it, so `make test` can never pass without PostgreSQL.
package storetest

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"kycd/internal/seal"
	"kycd/internal/store"
)

// Dialects lists the databases every store test runs on.
var Dialects = []store.Dialect{store.SQLite, store.Postgres}

// TestKey is the fixed master key of test stores.
var TestKey = []byte("kycd-test-master-key-32-bytes!!!")

// Sealer returns a sealer with TestKey.
func Sealer(t testing.TB) *seal.Sealer {
	s, err := seal.New(TestKey)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// RowCopySealer seals like the store's sealer but binds every value to one fixed context instead
// of the row's, so that a sealed column copied to another row in SQL (Store.Copy, for plan tests and
// benchmarks at 100,000 rows) still opens. It costs what sealing costs; it is for tests only, since
// it gives up the protection against moving a value between rows.
type RowCopySealer struct{ *seal.Sealer }

// NewRowCopySealer returns a RowCopySealer with TestKey.
func NewRowCopySealer(t testing.TB) RowCopySealer { return RowCopySealer{Sealer(t)} }

var rowCopyAAD = []byte("kycd-test-row-copy")

// Seal seals plaintext, ignoring aad.
func (s RowCopySealer) Seal(plaintext, _ []byte) ([]byte, error) {
	return s.Sealer.Seal(plaintext, rowCopyAAD)
}

// Open opens what Seal sealed, ignoring aad.
func (s RowCopySealer) Open(sealed, _ []byte) ([]byte, error) {
	return s.Sealer.Open(sealed, rowCopyAAD)
}

// NewWrappedKey draws a data key bound to the fixed context, ignoring keyAAD.
func (s RowCopySealer) NewWrappedKey(_ []byte) ([]byte, error) {
	return s.Sealer.NewWrappedKey(rowCopyAAD)
}

// SealUnder seals under a data key, ignoring both contexts.
func (s RowCopySealer) SealUnder(wrapped, _, plaintext, _ []byte) ([]byte, error) {
	return s.Sealer.SealUnder(wrapped, rowCopyAAD, plaintext, rowCopyAAD)
}

// OpenUnder opens what SealUnder sealed, ignoring both contexts.
func (s RowCopySealer) OpenUnder(wrapped, _, sealed, _ []byte) ([]byte, error) {
	return s.Sealer.OpenUnder(wrapped, rowCopyAAD, sealed, rowCopyAAD)
}

// ForEachDatabase runs fn as a subtest on a fresh, migrated store of each dialect.
func ForEachDatabase(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, d := range Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			fn(t, New(t, d))
		})
	}
}

// New opens a fresh, migrated store of dialect d, closed when the test ends.
func New(t testing.TB, d store.Dialect) *store.Store {
	t.Helper()
	return NewWithSealer(t, d, Sealer(t))
}

// NewWithSealer is New with a sealer of the caller's (RowCopySealer for tests that copy rows in SQL).
func NewWithSealer(t testing.TB, d store.Dialect, sealer store.Sealer) *store.Store {
	t.Helper()
	dsn := NewDatabase(t, d)
	s, err := store.Open(context.Background(), dsn, sealer)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if d == store.SQLite {
		// Template databases are a PostgreSQL feature: SQLite files are migrated here.
		if err := s.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// NewDatabase returns the DSN of a fresh database of dialect d, dropped when the test ends. A
// PostgreSQL database is cloned from a migrated template, so it needs no migration.
func NewDatabase(t testing.TB, d store.Dialect) string {
	t.Helper()
	if d == store.SQLite {
		return filepath.Join(t.TempDir(), "kycd.db")
	}
	base := PostgresURL(t)
	return createDatabase(t, base, "kycd_t_", " TEMPLATE "+template(t, base))
}

// createDatabase creates a database named prefix and a random suffix on the server base, with
// the CREATE DATABASE options given, drops it when the test ends, and returns its DSN.
func createDatabase(t testing.TB, base, prefix, options string) string {
	t.Helper()
	name := prefix + strings.ToLower(rand.Text()[:16])
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("storetest: postgres: %v", err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %s%s`, name, options)); err != nil {
		t.Fatalf("storetest: create database: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			return
		}
		defer c.Close(ctx)
		_, _ = c.Exec(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name))
	})
	return withDatabase(base, name)
}

// PostgresURL returns KYCD_TEST_POSTGRES_URL, or skips (fails when services are required).
func PostgresURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("KYCD_TEST_POSTGRES_URL")
	if u == "" {
		if os.Getenv("KYCD_TEST_REQUIRE_SERVICES") == "1" {
			t.Fatal("KYCD_TEST_POSTGRES_URL is not set but KYCD_TEST_REQUIRE_SERVICES=1: run `make test`")
		}
		t.Skip("skipped: KYCD_TEST_POSTGRES_URL not set (run `make test` to start PostgreSQL)")
	}
	return u
}

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

// template creates, once per test binary and across parallel test binaries (an advisory lock),
// a database migrated to the current migrations, named by their hash.
func template(t testing.TB, base string) string {
	templateOnce.Do(func() { templateName, templateErr = makeTemplate(base) })
	if templateErr != nil {
		t.Fatalf("storetest: template database: %v", templateErr)
	}
	return templateName
}

func makeTemplate(base string) (string, error) {
	ctx := context.Background()
	// River's migrations come from its module, pinned in go.mod; a River upgrade should bump this name.
	name := "kycd_tmpl_" + store.SchemaVersion() + "_river047"
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", err
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, `SELECT pg_advisory_lock(424242)`); err != nil {
		return "", err
	}
	defer admin.Exec(ctx, `SELECT pg_advisory_unlock(424242)`) //nolint:errcheck
	var exists bool
	if err := admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	building := name + "_build"
	_, _ = admin.Exec(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, building))
	if _, err := admin.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %s`, building)); err != nil {
		return "", err
	}
	sealer, err := seal.New(TestKey)
	if err != nil {
		return "", err
	}
	s, err := store.Open(ctx, withDatabase(base, building), sealer)
	if err != nil {
		return "", err
	}
	err = s.Migrate(ctx)
	_ = s.Close()
	if err != nil {
		return "", err
	}
	if _, err := admin.Exec(ctx, fmt.Sprintf(`ALTER DATABASE %s RENAME TO %s`, building, name)); err != nil {
		return "", err
	}
	return name, nil
}

// NewEmptyDatabase returns the DSN of a fresh database of dialect d with no schema at all, dropped
// when the test ends: for tests of a migration, which build an older schema first.
func NewEmptyDatabase(t testing.TB, d store.Dialect) string {
	t.Helper()
	if d == store.SQLite {
		return filepath.Join(t.TempDir(), "kycd.db")
	}
	return createDatabase(t, PostgresURL(t), "kycd_e_", "")
}

func withDatabase(base, name string) string {
	u, q, _ := strings.Cut(base, "?")
	i := strings.LastIndex(u, "/")
	if i > len("postgres://") {
		u = u[:i]
	}
	out := u + "/" + name
	if q != "" {
		out += "?" + q
	}
	return out
}
