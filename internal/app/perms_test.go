package app

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestDataFolderIsPrivate: a fresh data folder, its SQLite database (with -wal and -shm), key file,
// blob and upload folders are the owner's only, even under the usual umask 022, and a database
// left world-readable by an older kycd is tightened when it opens.
func TestDataFolderIsPrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "data")
	a, err := New(context.Background(), Config{DataDir: dir}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	// A write makes SQLite create the -wal and -shm files if migrations did not.
	if err := a.Store.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := map[string]os.FileMode{
		dir: 0o700, filepath.Join(dir, "kycd.db"): 0o600, filepath.Join(dir, "kycd.db-wal"): 0o600, filepath.Join(dir, "kycd.db-shm"): 0o600,
		filepath.Join(dir, "master.key"): 0o600, filepath.Join(dir, "tmp"): 0o700, filepath.Join(dir, "blobs"): 0o700,
	}
	check := func() {
		t.Helper()
		for p, m := range want {
			st, err := os.Stat(p)
			if err != nil {
				t.Errorf("%s: %v", filepath.Base(p), err)
				continue
			}
			if got := st.Mode().Perm(); got != m {
				t.Errorf("%s has mode %o, want %o", filepath.Base(p), got, m)
			}
		}
	}
	check()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}

	db := filepath.Join(dir, "kycd.db")
	if err := os.Chmod(db, 0o644); err != nil {
		t.Fatal(err)
	}
	a, err = New(context.Background(), Config{DataDir: dir}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	check()
}
