package seal

import (
	"bytes"
	"io"
	"testing"
)

// BenchmarkStreamSeal measures sealing throughput (MB/s) of an 8 MiB object.
func BenchmarkStreamSeal(b *testing.B) {
	s := newSealer(b)
	plaintext := randomBytes(b, 8<<20)
	b.SetBytes(int64(len(plaintext)))
	for b.Loop() {
		w, err := s.NewWriter(io.Discard, []byte("files/fil_1"))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := w.Write(plaintext); err != nil {
			b.Fatal(err)
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStreamOpen measures opening throughput (MB/s) of an 8 MiB object.
func BenchmarkStreamOpen(b *testing.B) {
	s := newSealer(b)
	plaintext := randomBytes(b, 8<<20)
	sealed := sealStream(b, s, plaintext, []byte("files/fil_1"))
	b.SetBytes(int64(len(plaintext)))
	for b.Loop() {
		r, err := s.NewReader(bytes.NewReader(sealed), []byte("files/fil_1"))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}
