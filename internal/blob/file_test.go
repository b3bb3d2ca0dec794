package blob

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
)

func TestFileStoreKeepsOnlySealedObjects(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "blobs")
	s := openStore(t, FileURL(dir))
	ctx := t.Context()
	mustPut(t, s, "files/fil_1/front.jpg", []byte("passport scan"))
	r := io.MultiReader(bytes.NewReader(randomBytes(t, 300<<10)), iotest.ErrReader(errors.New("cut")))
	if _, err := s.Put(ctx, "files/fil_2/front.jpg", r); err == nil {
		t.Fatal("Put from a failing reader succeeded")
	}
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		want := os.FileMode(0o600)
		if d.IsDir() {
			want = 0o700 | os.ModeDir
		} else {
			rel, _ := filepath.Rel(dir, path)
			files = append(files, filepath.ToSlash(rel))
		}
		if got := info.Mode() & (os.ModeDir | os.ModePerm); got != want {
			t.Errorf("%s has mode %v, want %v", path, got, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(files, ",") != "files/fil_1/front.jpg" {
		t.Fatalf("folder holds %q, want only the object (no metadata or temporary files)", files)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "files", "fil_1", "front.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("passport")) {
		t.Fatal("the file on disk holds the plaintext")
	}
}

func TestFileStorePingFailsWithoutFolder(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "blobs")
	s := openStore(t, FileURL(dir))
	if err := os.Remove(dir); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(t.Context()); err == nil {
		t.Fatal("Ping succeeded although the folder is gone")
	}
}

func TestFileURL(t *testing.T) {
	t.Parallel()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ dir, want string }{
		{"/var/lib/kycd/blobs", "file:///var/lib/kycd/blobs"},
		{"/var/lib/kycd/blobs/", "file:///var/lib/kycd/blobs"},
		{"data/blobs", "file://" + filepath.ToSlash(filepath.Join(wd, "data", "blobs"))},
		{"/tmp/with space", "file:///tmp/with%20space"},
	}
	for _, tt := range tests {
		if got := FileURL(tt.dir); got != tt.want {
			t.Errorf("FileURL(%q) = %q, want %q", tt.dir, got, tt.want)
		}
	}
}

func TestOpenRejects(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, url string }{
		{"unknown scheme", "gs://bucket"},
		{"no scheme", "/var/lib/kycd"},
		{"relative file URL", "file://./blobs"},
		{"unknown file option", FileURL(t.TempDir()) + "?colour=blue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if s, err := Open(t.Context(), tt.url, newSealer(t)); err == nil {
				s.Close()
				t.Fatalf("Open(%q) succeeded", tt.url)
			}
		})
	}
	if _, err := Open(t.Context(), "mem://", nil); err == nil {
		t.Fatal("Open without a sealer succeeded")
	}
}
