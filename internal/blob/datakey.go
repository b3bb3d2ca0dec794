package blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"kycd/internal/seal"
)

// PutUnder stores what r yields under key as Put does, but sealed under the data key of the
// object's owner instead of the master key: wrapped is that key as the owner's store keeps it,
// wrapped by the master key and bound to keyAAD (seal.Sealer.NewDataKey). Destroying the wrapped
// key makes the object unreadable wherever its copies are. The stream stays bound to key, so an
// object copied to another key does not open either.
func (s *Store) PutUnder(ctx context.Context, key string, wrapped, keyAAD []byte, r io.Reader) (int64, error) {
	if err := checkKey(key); err != nil {
		return 0, err
	}
	if wrapped == nil {
		return 0, fmt.Errorf("blob: put %s: no data key to seal it under", key)
	}
	dk, err := s.sealer.OpenDataKey(wrapped, keyAAD)
	if err != nil {
		return 0, fmt.Errorf("blob: put %s: %w", key, err)
	}
	return s.put(ctx, key, dk.NewWriter, r)
}

// GetUnder returns a reader of the plaintext stored under key, as Get does, for an object of
// either kind: one sealed under its owner's data key (PutUnder), or one sealed under the master key
// (Put), which is how objects were sealed before owners had keys. The object's header tells which.
// dataKey is called only for an object under a data key, and gives the owner's key as PutUnder took
// it; when it fails (the owner's key is destroyed), GetUnder returns its error, wrapped, and no byte.
// A key other than the one the object was sealed under fails with seal.ErrOpen.
func (s *Store) GetUnder(ctx context.Context, key string, dataKey func() (wrapped, keyAAD []byte, err error)) (io.ReadCloser, error) {
	br, err := s.object(ctx, key)
	if err != nil {
		return nil, err
	}
	sr, err := s.openUnder(br, key, dataKey)
	if err != nil {
		_ = br.Close()
		return nil, fmt.Errorf("blob: get %s: %w", key, err)
	}
	return &objectReader{Reader: sr, Closer: br}, nil
}

// streamHead is how every sealed stream starts; the byte after it is the stream's version, which
// tells the key it was sealed under.
const streamHead = "KYCD"

// openUnder reads the start of a sealed object from src and opens it under the master key or under
// the data key that dataKey gives, as its version says.
func (s *Store) openUnder(src io.Reader, key string, dataKey func() ([]byte, []byte, error)) (io.Reader, error) {
	head := make([]byte, len(streamHead)+1)
	n, err := io.ReadFull(src, head)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, err
	}
	head = head[:n]
	stream := io.MultiReader(bytes.NewReader(head), src)
	if !bytes.HasPrefix(head, []byte(streamHead)) || !seal.SealedUnderDataKey(head) {
		return s.sealer.NewReader(stream, []byte(key)) // a short or foreign stream fails here with ErrOpen
	}
	wrapped, keyAAD, err := dataKey()
	if err != nil {
		return nil, err
	}
	if wrapped == nil {
		return nil, errors.New("sealed under a data key, and none was given")
	}
	dk, err := s.sealer.OpenDataKey(wrapped, keyAAD)
	if err != nil {
		return nil, err
	}
	return dk.NewReader(stream, []byte(key))
}
