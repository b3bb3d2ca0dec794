package blob

import (
	"path/filepath"
	"slices"
	"sync"
	"testing"
)

// TestFilePutSyncsObjectAndFolders: a Put that returns must have fsynced the object and the folders
// that name it, or a power loss after the row commits can lose the bytes (fileblob renames its
// temporary file without syncing).
func TestFilePutSyncsObjectAndFolders(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "blobs")
	s := openStore(t, FileURL(dir))
	var mu sync.Mutex
	var synced []string
	real := s.sync
	if real == nil {
		t.Fatal("a file store has no sync")
	}
	s.sync = func(path string) error {
		mu.Lock()
		synced = append(synced, path)
		mu.Unlock()
		return real(path)
	}
	mustPut(t, s, "test/apl_1/fil_1", []byte("passport scan"))
	want := []string{
		filepath.Join(dir, "test", "apl_1", "fil_1"),
		filepath.Join(dir, "test", "apl_1"),
		filepath.Join(dir, "test"),
		dir,
	}
	if !slices.Equal(synced, want) {
		t.Fatalf("synced %q, want %q", synced, want)
	}
}

// TestMemPutDoesNotSync: only a local folder needs fsync.
func TestMemPutDoesNotSync(t *testing.T) {
	t.Parallel()
	s := openStore(t, "mem://")
	if s.sync != nil {
		t.Fatal("a mem store syncs")
	}
	mustPut(t, s, "test/apl_1/fil_1", []byte("x"))
}
