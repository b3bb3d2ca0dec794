package blob

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"gocloud.dev/blob"
	_ "gocloud.dev/blob/fileblob" // file:// URLs
	_ "gocloud.dev/blob/memblob"  // mem:// URLs
	_ "gocloud.dev/blob/s3blob"   // s3:// URLs

	"kycd/internal/seal"
)

// Store keeps sealed objects in one bucket or folder. It is safe for concurrent use.
type Store struct {
	bucket *blob.Bucket
	sealer *seal.Sealer
	dir    string // the folder of a file:// store, checked by Ping; empty for other stores
	// sync makes a file or folder of a file:// store durable (fsync); nil for other stores.
	sync func(path string) error
}

// Open opens the store at rawURL (file://, s3:// or mem://; see the package documentation), sealing
// with s. It does not contact the bucket; Ping does. A file:// folder is created with mode 0700 when
// missing, and holds one file per object: no metadata files, and temporary files inside the folder.
func Open(ctx context.Context, rawURL string, s *seal.Sealer) (*Store, error) {
	if s == nil {
		return nil, errors.New("blob: open: no sealer")
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("blob: open: %w", err)
	}
	var dir string
	switch u.Scheme {
	case "file":
		if u.Host == "." || !strings.HasPrefix(u.Path, "/") {
			return nil, fmt.Errorf("blob: open %s: a file URL needs an absolute path (file:///path)", rawURL)
		}
		setFileDefaults(u)
		dir = filepath.FromSlash(u.Path)
	case "s3", "mem":
	default:
		return nil, fmt.Errorf("blob: open: unsupported URL scheme %q (want file, s3 or mem)", u.Scheme)
	}
	bucket, err := blob.OpenBucket(ctx, u.String())
	if err != nil {
		return nil, fmt.Errorf("blob: open: %w", err)
	}
	st := &Store{bucket: bucket, sealer: s, dir: dir}
	if dir != "" {
		st.sync = syncPath
	}
	return st, nil
}

// setFileDefaults sets fileblob's options, unless the URL sets them: create the folder with mode 0700,
// write no metadata sidecar files (objects are sealed octet streams, nothing else is stored), and
// create temporary files next to their object, so they are renamed within one file system.
func setFileDefaults(u *url.URL) {
	q := u.Query()
	for name, value := range map[string]string{
		"create_dir":    "true",
		"dir_file_mode": "0700",
		"metadata":      "skip",
		"no_tmp_dir":    "true",
	} {
		if !q.Has(name) {
			q.Set(name, value)
		}
	}
	u.RawQuery = q.Encode()
}

// FileURL returns the file:// URL of the local folder dir, made absolute.
func FileURL(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = filepath.Clean(dir)
	}
	path := filepath.ToSlash(abs)
	if !strings.HasPrefix(path, "/") {
		path = "/" + path // a Windows drive letter
	}
	return (&url.URL{Scheme: "file", Path: path}).String()
}

// Ping reports whether the bucket or folder can be reached, for readiness checks.
func (s *Store) Ping(ctx context.Context) error {
	if s.dir != "" {
		// fileblob lists a missing folder as an empty one.
		if info, err := os.Stat(s.dir); err != nil || !info.IsDir() {
			return fmt.Errorf("blob: ping: folder %s is missing or not a folder", s.dir)
		}
	}
	ok, err := s.bucket.IsAccessible(ctx)
	if err != nil {
		return fmt.Errorf("blob: ping: %w", err)
	}
	if !ok {
		return errors.New("blob: ping: bucket or folder does not exist")
	}
	return nil
}

// Close releases the store's resources. Readers returned by Get must be closed first.
func (s *Store) Close() error {
	if err := s.bucket.Close(); err != nil {
		return fmt.Errorf("blob: close: %w", err)
	}
	return nil
}
