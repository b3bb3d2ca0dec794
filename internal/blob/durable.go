package blob

import (
	"os"
	"path/filepath"
	"strings"
)

// makeDurable fsyncs the object under key of a file:// store and every folder from the object's up
// to the store's own: fileblob writes a temporary file and renames it without syncing either, so
// after a power loss the object, or its name, could be gone although Put had returned. Other stores
// need nothing.
func (s *Store) makeDurable(key string) error {
	if s.sync == nil {
		return nil
	}
	path := filepath.Join(s.dir, filepath.FromSlash(key))
	if err := s.sync(path); err != nil {
		return err
	}
	// fileblob may have created the key's folders: each new name lives in its parent folder.
	for dir := filepath.Dir(path); ; dir = filepath.Dir(dir) {
		if err := s.sync(dir); err != nil {
			return err
		}
		if dir == s.dir || !strings.HasPrefix(dir, s.dir) {
			return nil
		}
	}
}

// syncPath fsyncs a file or a folder.
func syncPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
