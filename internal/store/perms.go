package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// privateDBFiles makes the SQLite database readable by its owner only before SQLite opens it: it
// creates a missing file with mode 0600, and takes group and other permissions away from an
// existing database and its -wal and -shm files. SQLite creates the -wal and -shm files with the
// database file's mode, so they follow. The database holds personal data (sealed columns aside,
// names of tables and ids, hashes and the audit trail), which other local users have no business
// reading.
func privateDBFiles(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("store: sqlite %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("store: sqlite %s: %w", path, err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		st, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("store: sqlite %s: %w", p, err)
		}
		if st.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(p, st.Mode().Perm()&0o700); err != nil {
				return fmt.Errorf("store: sqlite %s: %w", p, err)
			}
		}
	}
	return nil
}
