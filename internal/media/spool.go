package media

import (
	"bufio"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"

	"kycd/internal/kyc"
)

// headSize is how many leading bytes of an upload Spooled.Head keeps: enough to sniff every
// accepted type.
const headSize = 512

// Spooled is an upload copied to a temp file. The caller owns the file and must call Remove when
// done with it, whatever happened.
//
// The file never holds the upload's plaintext: it is encrypted with AES-256-CTR under a random key
// that lives only in this value's memory, so a crash (kill -9, power loss) mid-upload leaves bytes
// that nobody can read, and the next start deletes them (RemoveLeftovers). Open decrypts.
type Spooled struct {
	// Path is the temp file, created with mode 0600. It holds ciphertext only.
	Path string
	// Size is the file's length in bytes.
	Size int64
	// SHA256 is the lowercase hex SHA-256 of the file's bytes.
	SHA256 string
	// Head holds the first 512 bytes of the upload, or all of them when it is shorter.
	Head []byte

	key *spoolKey
}

// Spool copies r into a new temp file in dir ("" means os.TempDir), computing the SHA-256 and the
// size on the way. It reads at most limit+1 bytes from r: a body longer than limit bytes is refused
// with an error wrapping kyc.ErrTooLarge, and the rest of r is left unread. On any error the temp
// file is removed.
func Spool(r io.Reader, dir string, limit int64) (*Spooled, error) {
	if limit < 0 {
		return nil, fmt.Errorf("media: spool: negative limit %d", limit)
	}
	key, err := newSpoolKey()
	if err != nil {
		return nil, fmt.Errorf("media: spool: %w", err)
	}
	f, err := os.CreateTemp(dir, spoolPattern)
	if err != nil {
		return nil, fmt.Errorf("media: spool: %w", err)
	}
	s := &Spooled{Path: f.Name(), key: key}
	if err := s.fill(f, r, limit); err != nil {
		_ = f.Close()
		_ = s.Remove()
		return nil, err
	}
	if err := f.Close(); err != nil {
		_ = s.Remove()
		return nil, fmt.Errorf("media: spool: %w", err)
	}
	return s, nil
}

// fill copies up to limit+1 bytes of r into f and records the size, hash and head in s.
func (s *Spooled) fill(f *os.File, r io.Reader, limit int64) error {
	readMax := limit
	if readMax < math.MaxInt64 {
		readMax++
	}
	hash := sha256.New()
	head := &headWriter{buf: make([]byte, 0, headSize)}
	// Write the file in 64 KiB pieces: a multipart reader hands out 4 KiB at a time. Bytes are
	// encrypted on their way to the buffer, so no plaintext reaches the file.
	bw := bufio.NewWriterSize(f, 64<<10)
	enc := &cipher.StreamWriter{S: s.key.stream(0), W: bw}
	n, err := io.CopyBuffer(io.MultiWriter(enc, hash, head), io.LimitReader(r, readMax), make([]byte, 64<<10))
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return fmt.Errorf("media: spool: %w", err)
	}
	if n > limit {
		return fmt.Errorf("media: upload is over the limit of %d bytes: %w", limit, kyc.ErrTooLarge)
	}
	s.Size = n
	s.SHA256 = hex.EncodeToString(hash.Sum(nil))
	s.Head = head.buf
	return nil
}

// Open opens the spooled file for reading the upload's bytes (decrypted).
func (s *Spooled) Open() (*SpoolReader, error) {
	f, err := os.Open(s.Path)
	if err != nil {
		return nil, fmt.Errorf("media: open spooled file: %w", err)
	}
	return &SpoolReader{f: f, key: s.key}, nil
}

// Remove deletes the spooled file. It may be called more than once: a file already gone is not an
// error.
func (s *Spooled) Remove() error {
	if err := os.Remove(s.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("media: remove spooled file: %w", err)
	}
	return nil
}

// headWriter keeps the first cap(buf) bytes written to it and accepts the rest silently.
type headWriter struct {
	buf []byte
}

func (w *headWriter) Write(p []byte) (int, error) {
	if room := cap(w.buf) - len(w.buf); room > 0 {
		w.buf = append(w.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}
