package seal

import (
	"errors"
	"fmt"
	"io"
)

// NewReader returns a reader of the plaintext of a stream made by NewWriter with the same aad. It
// reads and checks the header at once: a stream that is not one, or that was sealed under another
// key or aad, fails here with ErrOpen. A later failing segment, truncation or trailing data makes
// Read return an error wrapping ErrOpen, and no plaintext of that segment. Memory use is about two
// segments, whatever the stream's length.
func (s *Sealer) NewReader(src io.Reader, aad []byte) (io.Reader, error) {
	return s.newReader(src, aad)
}

func (k *keySet) newReader(src io.Reader, aad []byte) (io.Reader, error) {
	header := make([]byte, headerSize)
	if _, err := io.ReadFull(src, header); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("%w: stream shorter than its header", ErrOpen)
		}
		return nil, fmt.Errorf("seal: read header: %w", err)
	}
	keys, err := k.openHeader(header, aad)
	if err != nil {
		return nil, err
	}
	return &streamReader{
		keys:  keys,
		src:   src,
		in:    make([]byte, 0, encSegmentSize+1),
		plain: make([]byte, 0, SegmentSize),
	}, nil
}

type streamReader struct {
	keys    *streamKeys
	src     io.Reader
	in      []byte // ciphertext read ahead: at most one segment and one byte of the next
	plain   []byte // buffer of the plaintext of the current segment
	out     []byte // the part of plain not yet returned
	counter uint64
	err     error // sticky: io.EOF after the final segment, or the first failure
}

// Read returns authenticated plaintext, one segment at a time.
func (r *streamReader) Read(p []byte) (int, error) {
	for len(r.out) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		if len(p) == 0 {
			return 0, nil
		}
		r.err = r.next()
	}
	n := copy(p, r.out)
	r.out = r.out[n:]
	return n, nil
}

// next reads and opens one segment into out. It returns io.EOF after the final segment.
func (r *streamReader) next() error {
	// Read one byte past a full segment: the segment is the last one exactly when that byte is absent.
	n, err := io.ReadFull(r.src, r.in[len(r.in):cap(r.in)])
	r.in = r.in[:len(r.in)+n]
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("seal: read segment: %w", err)
	}
	final := len(r.in) <= encSegmentSize
	segment := r.in[:min(len(r.in), encSegmentSize)]
	switch {
	case len(segment) < tagSize:
		return fmt.Errorf("%w: stream truncated", ErrOpen)
	case final && len(segment) == tagSize && r.counter > 0:
		return fmt.Errorf("%w: empty final segment after data", ErrOpen)
	case r.counter >= maxSegments:
		return fmt.Errorf("%w: stream too long", ErrOpen)
	}
	var nonce [nonceSize]byte
	r.keys.nonce(&nonce, r.counter, final)
	out, err := r.keys.aead.Open(r.plain[:0], nonce[:], segment, nil)
	if err != nil {
		return fmt.Errorf("%w: segment %d fails authentication (altered, reordered or truncated)",
			ErrOpen, r.counter)
	}
	r.out = out
	r.counter++
	if final {
		r.in = r.in[:0]
		return io.EOF
	}
	r.in = r.in[:copy(r.in, r.in[encSegmentSize:])]
	return nil
}
