package seal

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"runtime"
	"strconv"
	"testing"
	"testing/iotest"
)

// sealStream seals plaintext, written in uneven chunks, and returns the stream.
func sealStream(t testing.TB, s *Sealer, plaintext, aad []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := s.NewWriter(&buf, aad)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := 0, plaintext; len(p) > 0; i++ {
		n := min(len(p), []int{1000, 70_000, 1, SegmentSize}[i%4])
		if _, err := w.Write(p[:n]); err != nil {
			t.Fatal(err)
		}
		p = p[n:]
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// openStream returns the plaintext read before the first error, and that error.
func openStream(s *Sealer, sealed, aad []byte) ([]byte, error) {
	r, err := s.NewReader(bytes.NewReader(sealed), aad)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

func randomBytes(t testing.TB, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestStreamRoundTrip(t *testing.T) {
	t.Parallel()
	s := newSealer(t)
	for _, size := range []int{0, 1, 65535, 65536, 65537, 3 * 65536, 5 << 20} {
		t.Run(sizeName(size), func(t *testing.T) {
			t.Parallel()
			plaintext := randomBytes(t, size)
			aad := []byte("files/fil_1")
			sealed := sealStream(t, s, plaintext, aad)
			segments := max(1, (size+SegmentSize-1)/SegmentSize)
			if want := headerSize + segments*tagSize + size; len(sealed) != want {
				t.Fatalf("sealed stream is %d bytes, want %d", len(sealed), want)
			}
			got, err := openStream(s, sealed, aad)
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			if !bytes.Equal(got, plaintext) {
				t.Fatal("opened plaintext differs")
			}
			r, err := s.NewReader(iotest.HalfReader(bytes.NewReader(sealed)), aad)
			if err != nil {
				t.Fatal(err)
			}
			if err := iotest.TestReader(r, plaintext); err != nil {
				t.Fatalf("reader misbehaves with a slow source: %v", err)
			}
		})
	}
}

func TestStreamRejectsTampering(t *testing.T) {
	t.Parallel()
	s := newSealer(t)
	aad := []byte("files/fil_1")
	const S = SegmentSize
	seg := func(i int) int { return headerSize + i*encSegmentSize }
	pt4 := randomBytes(t, 3*S+100) // segments 0, 1, 2 full; 3 final with 100 bytes
	st4 := sealStream(t, s, pt4, aad)
	other := sealStream(t, s, pt4, aad) // same plaintext and aad, another data key
	pt2 := randomBytes(t, 2*S)          // segment 0 full; 1 final and full
	st2 := sealStream(t, s, pt2, aad)

	flip := func(b []byte, i int) []byte {
		b = bytes.Clone(b)
		b[i] ^= 0x80
		return b
	}
	join := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	tests := []struct {
		name      string
		plaintext []byte
		sealed    []byte
		opener    *Sealer
		aad       []byte
		released  int // plaintext bytes of the authentic segments before the bad one
	}{
		{"magic", pt4, flip(st4, 0), s, aad, 0},
		{"version", pt4, flip(st4, len(streamMagic)), s, aad, 0},
		{"nonce prefix", pt4, flip(st4, boundSize-1), s, aad, 0},
		{"wrap nonce", pt4, flip(st4, boundSize), s, aad, 0},
		{"wrapped key", pt4, flip(st4, headerSize-1), s, aad, 0},
		{"wrong aad", pt4, st4, s, []byte("files/fil_2"), 0},
		{"empty aad", pt4, st4, s, nil, 0},
		{"wrong key", pt4, st4, newSealer(t), aad, 0},
		{"empty stream", pt4, nil, s, aad, 0},
		{"cut in header", pt4, st4[:headerSize-1], s, aad, 0},
		{"header only", pt4, st4[:headerSize], s, aad, 0},
		{"segment 0 body", pt4, flip(st4, seg(0)+10), s, aad, 0},
		{"segment 1 tag", pt4, flip(st4, seg(2)-1), s, aad, S},
		{"final segment", pt4, flip(st4, len(st4)-1), s, aad, 3 * S},
		{"final segment dropped", pt4, st4[:seg(3)], s, aad, 2 * S},
		{"cut in final segment", pt4, st4[:len(st4)-5], s, aad, 3 * S},
		{"cut under a tag", pt4, st4[:seg(3)+tagSize-1], s, aad, 3 * S},
		{"cut in segment 1", pt4, st4[:seg(1)+1000], s, aad, S},
		{"segment 1 dropped", pt4, join(st4[:seg(1)], st4[seg(2):]), s, aad, S},
		{"segments 0 and 1 swapped", pt4, join(st4[:seg(0)], st4[seg(1):seg(2)], st4[seg(0):seg(1)], st4[seg(2):]), s, aad, 0},
		{"segment 0 repeated", pt4, join(st4[:seg(1)], st4[seg(0):]), s, aad, S},
		{"trailing byte", pt4, join(st4, []byte{0}), s, aad, 3 * S},
		{"final segment repeated", pt4, join(st4, st4[seg(3):]), s, aad, 3 * S},
		{"segment from another stream", pt4, join(st4[:seg(1)], other[seg(1):seg(2)], st4[seg(2):]), s, aad, S},
		{"header from another stream", pt4, join(other[:headerSize], st4[headerSize:]), s, aad, 0},
		{"full final segment dropped", pt2, st2[:seg(1)], s, aad, 0},
		{"full final segment cut", pt2, st2[:len(st2)-1], s, aad, S},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := openStream(tt.opener, tt.sealed, tt.aad)
			if !errors.Is(err, ErrOpen) {
				t.Fatalf("error = %v, want ErrOpen", err)
			}
			if len(got) != tt.released || !bytes.Equal(got, tt.plaintext[:len(got)]) {
				t.Fatalf("released %d bytes before the error, want the %d bytes of the authentic segments",
					len(got), tt.released)
			}
		})
	}
}

// closeRecorder is a destination that records whether it was closed.
type closeRecorder struct {
	bytes.Buffer
	closed bool
}

func (c *closeRecorder) Close() error { c.closed = true; return nil }

func TestWriterClose(t *testing.T) {
	t.Parallel()
	s := newSealer(t)
	var dst closeRecorder
	w, err := s.NewWriter(&dst, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if dst.closed {
		t.Fatal("Close closed the destination")
	}
	if err := w.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := w.Write([]byte("more")); err == nil {
		t.Fatal("Write after Close succeeded")
	}
	if got, err := openStream(s, dst.Bytes(), nil); err != nil || string(got) != "hello" {
		t.Fatalf("open = %q, %v", got, err)
	}
}

func TestWriterReportsDestinationErrors(t *testing.T) {
	t.Parallel()
	s := newSealer(t)
	boom := errors.New("disk full")
	if _, err := s.NewWriter(failingWriter{boom}, nil); !errors.Is(err, boom) {
		t.Fatalf("NewWriter error = %v, want %v", err, boom)
	}
}

type failingWriter struct{ err error }

func (f failingWriter) Write([]byte) (int, error) { return 0, f.err }

func TestReaderReportsSourceErrors(t *testing.T) {
	t.Parallel()
	s := newSealer(t)
	boom := errors.New("connection reset")
	sealed := sealStream(t, s, randomBytes(t, 3*SegmentSize), nil)
	if _, err := s.NewReader(iotest.ErrReader(boom), nil); !errors.Is(err, boom) || errors.Is(err, ErrOpen) {
		t.Fatalf("NewReader error = %v, want %v", err, boom)
	}
	r, err := s.NewReader(io.MultiReader(bytes.NewReader(sealed[:headerSize+100]), iotest.ErrReader(boom)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(r); !errors.Is(err, boom) || errors.Is(err, ErrOpen) {
		t.Fatalf("Read error = %v, want %v", err, boom)
	}
}

// TestStreamConstantMemory seals and opens 64 MiB and checks that memory use does not grow with the
// stream. It does not call t.Parallel, so no other test allocates while it measures.
func TestStreamConstantMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 64 MiB")
	}
	s := newSealer(t)
	const size = 64 << 20
	allocated := allocatedDuring(func() {
		pr, pw := io.Pipe()
		go func() {
			w, err := s.NewWriter(pw, nil)
			if err == nil {
				_, err = io.Copy(w, io.LimitReader(zeros{}, size))
			}
			if err == nil {
				err = w.Close()
			}
			pw.CloseWithError(err)
		}()
		r, err := s.NewReader(pr, nil)
		if err != nil {
			t.Fatal(err)
		}
		n, err := io.Copy(io.Discard, r)
		if err != nil || n != size {
			t.Fatalf("copied %d bytes, %v", n, err)
		}
	})
	// About five segments' worth of buffers; the limit leaves room for the runtime's own allocations.
	if limit := uint64(1 << 20); allocated > limit {
		t.Fatalf("a %d MiB stream allocated %d bytes, want at most %d", size>>20, allocated, limit)
	}
}

// allocatedDuring returns the bytes allocated on the heap while f runs.
func allocatedDuring(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// zeros is an endless source of zero bytes that allocates nothing.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func sizeName(n int) string {
	return strconv.Itoa(n) + "B"
}
