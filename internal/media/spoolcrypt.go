package media

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// spoolPattern names spool files (os.CreateTemp); RemoveLeftovers deletes only these.
const spoolPattern = "kycd-upload-*"

// spoolKey encrypts one spool file: AES-256-CTR with a random key and starting counter, held only
// in memory. CTR lets a reader decrypt at any offset (the format readers seek). Integrity comes
// from the upload's SHA-256, computed on the plaintext as it arrived, and the sealed copy that the
// blob store keeps; the spool file lives for the length of one request.
type spoolKey struct {
	block cipher.Block
	iv    [aes.BlockSize]byte
}

func newSpoolKey() (*spoolKey, error) {
	var key [32]byte
	k := &spoolKey{}
	if _, err := rand.Read(key[:]); err != nil {
		return nil, err
	}
	if _, err := rand.Read(k.iv[:]); err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, err
	}
	k.block = block
	return k, nil
}

// stream returns the key stream positioned at byte offset off.
func (k *spoolKey) stream(off int64) cipher.Stream {
	ctr := k.iv
	// Add off/16 to the 128-bit big-endian counter.
	carry := uint64(off / aes.BlockSize)
	for i := len(ctr) - 1; i >= 0 && carry > 0; i-- {
		sum := uint64(ctr[i]) + carry&0xff
		ctr[i] = byte(sum)
		carry = carry>>8 + sum>>8
	}
	s := cipher.NewCTR(k.block, ctr[:])
	if skip := int(off % aes.BlockSize); skip > 0 {
		var pad [aes.BlockSize]byte
		s.XORKeyStream(pad[:skip], pad[:skip])
	}
	return s
}

// SpoolReader reads a spooled upload's bytes, decrypting them; it reads sequentially (Read) or at
// any offset (ReadAt). Close it when done.
type SpoolReader struct {
	f   *os.File
	key *spoolKey
	off int64

	mu   sync.Mutex
	st   cipher.Stream // the key stream at byte next, reused by reads that follow on
	next int64
}

// ReadAt reads len(p) bytes of the upload from offset off.
func (r *SpoolReader) ReadAt(p []byte, off int64) (int, error) {
	n, err := r.f.ReadAt(p, off)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.st == nil || r.next != off {
		r.st = r.key.stream(off)
	}
	r.st.XORKeyStream(p[:n], p[:n])
	r.next = off + int64(n)
	return n, err
}

// Read reads the upload's next bytes.
func (r *SpoolReader) Read(p []byte) (int, error) {
	n, err := r.ReadAt(p, r.off)
	r.off += int64(n)
	if err == io.EOF && n > 0 {
		err = nil
	}
	return n, err
}

// Close closes the spool file.
func (r *SpoolReader) Close() error { return r.f.Close() }

// RemoveLeftovers deletes the spool files in dir older than minAge: what a process that died
// mid-upload left behind (unreadable ciphertext, whose key died with it). minAge keeps the files of
// uploads that another process sharing the folder is still receiving. It answers how many it
// deleted.
func RemoveLeftovers(dir string, minAge time.Duration) (int, error) {
	paths, err := filepath.Glob(filepath.Join(dir, spoolPattern))
	if err != nil {
		return 0, fmt.Errorf("media: leftovers: %w", err)
	}
	n := 0
	var errs []error
	for _, p := range paths {
		info, err := os.Lstat(p)
		if err != nil || !info.Mode().IsRegular() || time.Since(info.ModTime()) < minAge {
			continue
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}
