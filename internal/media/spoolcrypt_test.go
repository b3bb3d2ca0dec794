package media_test

import (
	"bytes"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"kycd/internal/media"
)

// TestSpoolHoldsNoPlaintext: uploads were spooled as they came, so a crash mid-upload left
// complete document images in <data-dir>/tmp for good. The spool file now holds only ciphertext,
// and reads (sequential and at any offset) give the upload back.
func TestSpoolHoldsNoPlaintext(t *testing.T) {
	t.Parallel()
	data := make([]byte, 200<<10)
	if _, err := rand.Read(data); err != nil {
		t.Fatal(err)
	}
	copy(data, "\xff\xd8\xff\xe0passport of Anna Eriksson")
	dir := t.TempDir()
	s, err := media.Spool(bytes.NewReader(data), dir, int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Remove()
	raw, err := os.ReadFile(s.Path)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) != len(data) || bytes.Contains(raw, []byte("passport")) || bytes.HasPrefix(raw, []byte("\xff\xd8\xff")) ||
		bytes.Contains(raw, data[1000:1032]) {
		t.Fatal("the spool file holds the upload's plaintext")
	}
	r, err := s.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes (err %v), not the upload", len(got), err)
	}
	for _, off := range []int64{0, 1, 15, 16, 17, 4095, 65536, 70001, int64(len(data)) - 3} {
		p := make([]byte, 100)
		n, err := r.ReadAt(p, off)
		want := data[off:min(off+100, int64(len(data)))]
		if !bytes.Equal(p[:n], want) || (n < 100) != (err == io.EOF) {
			t.Fatalf("ReadAt(%d) = %d bytes, %v; not the upload's", off, n, err)
		}
	}
}

// TestRemoveLeftovers: a crash leaves the spool files of the uploads it interrupted; the next start
// deletes those old enough not to belong to a live upload, and nothing else.
func TestRemoveLeftovers(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	old := filepath.Join(dir, "kycd-upload-123")
	fresh := filepath.Join(dir, "kycd-upload-456")
	other := filepath.Join(dir, "keep.txt")
	for _, p := range []string{old, fresh, other} {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	past := time.Now().Add(-time.Hour)
	for _, p := range []string{old, other} {
		if err := os.Chtimes(p, past, past); err != nil {
			t.Fatal(err)
		}
	}
	n, err := media.RemoveLeftovers(dir, 10*time.Minute)
	if err != nil || n != 1 {
		t.Fatalf("RemoveLeftovers = %d, %v; want 1", n, err)
	}
	for p, want := range map[string]bool{old: false, fresh: true, other: true} {
		if _, err := os.Stat(p); (err == nil) != want {
			t.Errorf("%s exists = %v, want %v", filepath.Base(p), err == nil, want)
		}
	}
}
