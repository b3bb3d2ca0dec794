package seal

import (
	"errors"
	"fmt"
	"io"
)

var errWriterClosed = errors.New("seal: write to a closed stream")

// NewWriter returns a writer that seals what is written to it into dst, binding aad (for example the
// blob key). It writes the header to dst at once. Close must be called to write the final segment;
// it does not close dst. Without Close the stream is incomplete and will not open. Memory use is
// about two segments, whatever the stream's length.
func (s *Sealer) NewWriter(dst io.Writer, aad []byte) (io.WriteCloser, error) {
	return s.newWriter(dst, aad)
}

func (k *keySet) newWriter(dst io.Writer, aad []byte) (io.WriteCloser, error) {
	keys, header, err := k.newHeader(aad)
	if err != nil {
		return nil, err
	}
	if _, err := dst.Write(header); err != nil {
		return nil, fmt.Errorf("seal: write header: %w", err)
	}
	return &streamWriter{
		keys: keys,
		dst:  dst,
		buf:  make([]byte, 0, SegmentSize),
		out:  make([]byte, 0, encSegmentSize),
	}, nil
}

type streamWriter struct {
	keys    *streamKeys
	dst     io.Writer
	buf     []byte // plaintext of the pending segment
	out     []byte // ciphertext of the segment being written
	counter uint64
	err     error // sticky: the first failure, or errWriterClosed after Close
}

// Write buffers p and seals every full segment once more plaintext follows it, so that the last
// segment, sealed by Close, is never empty unless the whole stream is.
func (w *streamWriter) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	n := 0
	for len(p) > 0 {
		if len(w.buf) == SegmentSize {
			if err := w.flush(false); err != nil {
				return n, err
			}
		}
		c := copy(w.buf[len(w.buf):SegmentSize], p)
		w.buf = w.buf[:len(w.buf)+c]
		p = p[c:]
		n += c
	}
	return n, nil
}

// Close seals and writes the final segment. Closing again returns nil.
func (w *streamWriter) Close() error {
	if w.err == errWriterClosed {
		return nil
	}
	if w.err != nil {
		return w.err
	}
	if err := w.flush(true); err != nil {
		return err
	}
	w.err = errWriterClosed
	return nil
}

// flush seals the pending segment and writes it to dst.
func (w *streamWriter) flush(final bool) error {
	if w.counter >= maxSegments {
		w.err = errors.New("seal: stream too long")
		return w.err
	}
	var nonce [nonceSize]byte
	w.keys.nonce(&nonce, w.counter, final)
	w.out = w.keys.aead.Seal(w.out[:0], nonce[:], w.buf, nil)
	if _, err := w.dst.Write(w.out); err != nil {
		w.err = fmt.Errorf("seal: write segment: %w", err)
		return w.err
	}
	w.counter++
	w.buf = w.buf[:0]
	return nil
}
