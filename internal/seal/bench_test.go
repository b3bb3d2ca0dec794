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

// BenchmarkOpenValue measures opening a 300-byte value (an applicant's profile) under the master
// key's value key ("master") and under a data key given wrapped, as the store opens an applicant's
// values ("data-key": the key unwrapped and its subkeys derived at each open), in the same run:
// the difference is what a data key costs per value read.
func BenchmarkOpenValue(b *testing.B) {
	s := newSealer(b)
	plain := bytes.Repeat([]byte("p"), 300)
	aad, keyAAD := []byte("applicant:apl_1"), []byte("applicant-key:live:apl_1")
	sealed, err := s.Seal(plain, aad)
	if err != nil {
		b.Fatal(err)
	}
	wrapped, err := s.NewWrappedKey(keyAAD)
	if err != nil {
		b.Fatal(err)
	}
	underKey, err := s.SealUnder(wrapped, keyAAD, plain, aad)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("master", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.Open(sealed, aad); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("data-key", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.OpenUnder(wrapped, keyAAD, underKey, aad); err != nil {
				b.Fatal(err)
			}
		}
	})
}
