package media_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"kycd/internal/kyc"
	"kycd/internal/media"
)

func TestSpool(t *testing.T) {
	t.Parallel()
	const limit = 4096
	tests := []struct {
		name string
		size int
	}{
		{"empty", 0},
		{"shorter than the head", 100},
		{"exactly the head", 512},
		{"one byte past the head", 513},
		{"exactly the limit", limit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data := garbage(tt.size, uint64(tt.size))
			dir := t.TempDir()
			s, err := media.Spool(bytes.NewReader(data), dir, limit)
			if err != nil {
				t.Fatalf("Spool: %v", err)
			}
			defer s.Remove()

			sum := sha256.Sum256(data)
			if s.Size != int64(tt.size) || s.SHA256 != hex.EncodeToString(sum[:]) {
				t.Errorf("Size, SHA256 = %d, %s; want %d, %x", s.Size, s.SHA256, tt.size, sum)
			}
			if want := data[:min(len(data), 512)]; !bytes.Equal(s.Head, want) {
				t.Errorf("Head has %d bytes, want the first %d", len(s.Head), len(want))
			}
			if filepath.Dir(s.Path) != dir {
				t.Errorf("Path %s is not in %s", s.Path, dir)
			}
			fi, err := os.Stat(s.Path)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("mode %v, want 0600", fi.Mode().Perm())
			}
			f, err := s.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			got, err := io.ReadAll(f)
			if err != nil || !bytes.Equal(got, data) {
				t.Errorf("the spooled file does not hold the bytes read (err %v)", err)
			}
		})
	}
}

// countingReader counts the bytes it hands out.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// patternReader yields an endless stream of non-zero bytes.
type patternReader struct{}

func (patternReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(i%251 + 1)
	}
	return len(p), nil
}

func TestSpoolOverLimit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		limit int64
	}{
		{"1 MB limit", 1 << 20},
		{"odd limit", 1<<20 + 7},
		{"zero limit", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := &countingReader{r: io.LimitReader(patternReader{}, 100<<20)}
			dir := t.TempDir()
			s, err := media.Spool(body, dir, tt.limit)
			if !errors.Is(err, kyc.ErrTooLarge) {
				t.Fatalf("Spool = %v, %v; want kyc.ErrTooLarge", s, err)
			}
			if body.n > tt.limit+1 {
				t.Errorf("read %d bytes of the 100 MB body, want at most limit+1 = %d", body.n, tt.limit+1)
			}
			assertEmptyDir(t, dir)
		})
	}
}

// failingReader returns some bytes, then an error, as a client that disconnects.
type failingReader struct{ sent bool }

var errDisconnected = errors.New("client disconnected")

func (f *failingReader) Read(p []byte) (int, error) {
	if f.sent {
		return 0, errDisconnected
	}
	f.sent = true
	return copy(p, "\xFF\xD8\xFF partial upload"), nil
}

func TestSpoolReadErrorRemovesTheFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, err := media.Spool(&failingReader{}, dir, 1<<20)
	if !errors.Is(err, errDisconnected) {
		t.Fatalf("Spool error = %v, want it to wrap the reader's error", err)
	}
	assertEmptyDir(t, dir)
}

func TestSpoolRemoveIsIdempotent(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s, err := media.Spool(bytes.NewReader([]byte("%PDF-1.4")), dir, 100)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if err := s.Remove(); err != nil {
			t.Fatalf("Remove #%d: %v", i+1, err)
		}
	}
	assertEmptyDir(t, dir)
}

func TestSpoolRefusesANegativeLimit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, err := media.Spool(bytes.NewReader(nil), dir, -1); err == nil {
		t.Fatal("Spool accepted a negative limit")
	}
	assertEmptyDir(t, dir)
}

func assertEmptyDir(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("%s holds %d files, want none", dir, len(entries))
	}
}
