package blob

import (
	"context"
	"fmt"
	"io"
	"os"

	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"

	"kycd/internal/kyc"
)

// Put seals what r yields and stores it under key, replacing any object there, and returns the
// number of plaintext bytes stored. When it returns nil the object is durable: a file:// store
// fsyncs the object and the folders that name it (an S3 store answers once it has stored it), so a
// row that names the key, committed after Put, never outlives its object in a power loss. It
// streams: memory use does not grow with the object. When r, the context or the bucket fails, the
// upload is aborted and neither a partial object nor a temporary file is left; any previous object
// under key stays as it was. Put seals under the master key; PutUnder seals under an owner's key.
func (s *Store) Put(ctx context.Context, key string, r io.Reader) (int64, error) {
	return s.put(ctx, key, s.sealer.NewWriter, r)
}

// newSealWriter is the sealing writer of one key: the master key's or a data key's NewWriter.
type newSealWriter func(dst io.Writer, aad []byte) (io.WriteCloser, error)

// put stores what r yields under key, sealed by the writers that seal makes.
func (s *Store) put(ctx context.Context, key string, seal newSealWriter, r io.Reader) (int64, error) {
	if err := checkKey(key); err != nil {
		return 0, err
	}
	// Canceling the writer's context is how gocloud aborts an upload.
	ctx, abort := context.WithCancel(ctx)
	defer abort()
	w, err := s.bucket.NewWriter(ctx, key, &blob.WriterOptions{
		ContentType: "application/octet-stream",
		BeforeWrite: restrictFile,
		// S3 uploads buffer whole parts: 5 MiB (S3's smallest part) and two in flight keep an
		// upload's memory near 10 MiB instead of the SDK's default 5 x 8 MiB.
		BufferSize:     5 << 20,
		MaxConcurrency: 2,
	})
	if err != nil {
		return 0, fmt.Errorf("blob: put %s: %w", key, err)
	}
	n, err := sealTo(w, seal, key, r)
	if err != nil {
		abort()
		_ = w.Close() // reports the cancellation; the abort is what matters
		return 0, fmt.Errorf("blob: put %s: %w", key, err)
	}
	if err := w.Close(); err != nil {
		return 0, fmt.Errorf("blob: put %s: %w", key, err)
	}
	if err := s.makeDurable(key); err != nil {
		return 0, fmt.Errorf("blob: put %s: %w", key, err)
	}
	return n, nil
}

// sealTo copies r into w through a sealing writer of seal bound to key.
func sealTo(w io.Writer, seal newSealWriter, key string, r io.Reader) (int64, error) {
	sw, err := seal(w, []byte(key))
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(sw, r)
	if err != nil {
		return n, err
	}
	return n, sw.Close()
}

// restrictFile makes a file backend's object readable by its owner only. Other backends ignore it.
func restrictFile(as func(any) bool) error {
	var f *os.File
	if as(&f) {
		return f.Chmod(0o600)
	}
	return nil
}

// Get returns a reader of the plaintext stored under key; the caller must close it. A missing key
// gives an error wrapping kyc.ErrNotFound. An object that was altered, or copied from another key,
// gives an error wrapping seal.ErrOpen, here or from Read; no unauthenticated byte is ever returned.
// Get opens objects sealed under the master key only (Put); GetUnder opens those of PutUnder too.
func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	br, err := s.object(ctx, key)
	if err != nil {
		return nil, err
	}
	sr, err := s.sealer.NewReader(br, []byte(key))
	if err != nil {
		_ = br.Close()
		return nil, fmt.Errorf("blob: get %s: %w", key, err)
	}
	return &objectReader{Reader: sr, Closer: br}, nil
}

// object returns the bucket's reader of the sealed object under key; the caller must close it.
func (s *Store) object(ctx context.Context, key string) (*blob.Reader, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	br, err := s.bucket.NewReader(ctx, key, nil)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return nil, fmt.Errorf("blob: get %s: %w", key, kyc.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("blob: get %s: %w", key, err)
	}
	return br, nil
}

// objectReader reads the plaintext of an object and closes the bucket's reader.
type objectReader struct {
	io.Reader
	io.Closer
}

// Delete removes the object under key. A missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	err := s.bucket.Delete(ctx, key)
	if err != nil && gcerrors.Code(err) != gcerrors.NotFound {
		return fmt.Errorf("blob: delete %s: %w", key, err)
	}
	return nil
}

// Exists reports whether an object is stored under key.
func (s *Store) Exists(ctx context.Context, key string) (bool, error) {
	if err := checkKey(key); err != nil {
		return false, err
	}
	ok, err := s.bucket.Exists(ctx, key)
	if err != nil {
		return false, fmt.Errorf("blob: exists %s: %w", key, err)
	}
	return ok, nil
}
