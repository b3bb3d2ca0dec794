package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"kycd/internal/seal"
)

// TestSQLiteSyncsEveryCommit: with synchronous=NORMAL in WAL mode a commit is not fsynced, so a
// power loss right after a 201 can lose the row. FULL (2) syncs the WAL at each commit, on both the
// write and the read handles.
func TestSQLiteSyncsEveryCommit(t *testing.T) {
	t.Parallel()
	sealer, err := seal.New(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "kycd.db"), sealer)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	for name, db := range map[string]interface {
		QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	}{"write": s.write, "read": s.read} {
		var mode int
		if err := db.QueryRowContext(t.Context(), "PRAGMA synchronous").Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if mode != 2 {
			t.Errorf("%s connection: synchronous = %d, want 2 (FULL)", name, mode)
		}
	}
}
