package seal

import (
	"bytes"
	"crypto/rand"
	"errors"
	"testing"
)

// newSealer returns a Sealer under a fresh random master key.
func newSealer(t testing.TB) *Sealer {
	t.Helper()
	key := make([]byte, KeySize)
	rand.Read(key)
	s, err := New(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestNewRejectsBadKeySize(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 16, 31, 33, 64} {
		if _, err := New(make([]byte, n)); err == nil {
			t.Errorf("New accepted a %d-byte key", n)
		}
	}
}

func TestSealOpenRoundTrip(t *testing.T) {
	t.Parallel()
	s := newSealer(t)
	tests := []struct {
		name           string
		plaintext, aad []byte
	}{
		{"empty", nil, nil},
		{"empty with aad", []byte{}, []byte("applicants.tax_id/apl_1")},
		{"short", []byte("123-45-6789"), []byte("applicants.tax_id/apl_1")},
		{"long", bytes.Repeat([]byte("x"), 100_000), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sealed, err := s.Seal(tt.plaintext, tt.aad)
			if err != nil {
				t.Fatal(err)
			}
			if len(tt.plaintext) > 0 && bytes.Contains(sealed, tt.plaintext) {
				t.Fatal("sealed value contains the plaintext")
			}
			again, _ := s.Seal(tt.plaintext, tt.aad)
			if bytes.Equal(sealed, again) {
				t.Fatal("two seals of one value are equal: the nonce is not random")
			}
			got, err := s.Open(sealed, tt.aad)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if !bytes.Equal(got, tt.plaintext) {
				t.Fatalf("Open = %q, want %q", got, tt.plaintext)
			}
		})
	}
}

func TestOpenRejects(t *testing.T) {
	t.Parallel()
	s := newSealer(t)
	aad := []byte("applicants.tax_id/apl_1")
	sealed, err := s.Seal([]byte("123-45-6789"), aad)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) []byte {
		b := bytes.Clone(sealed)
		b[i] ^= 0x01
		return b
	}
	tests := []struct {
		name   string
		opener *Sealer
		sealed []byte
		aad    []byte
	}{
		{"nil", s, nil, aad},
		{"too short", s, sealed[:1+nonceSize+tagSize-1], aad},
		{"truncated", s, sealed[:len(sealed)-1], aad},
		{"extended", s, append(bytes.Clone(sealed), 0), aad},
		{"version", s, flip(0), aad},
		{"nonce", s, flip(1), aad},
		{"ciphertext", s, flip(1 + nonceSize), aad},
		{"tag", s, flip(len(sealed) - 1), aad},
		{"wrong aad", s, sealed, []byte("applicants.tax_id/apl_2")},
		{"missing aad", s, sealed, nil},
		{"wrong key", newSealer(t), sealed, aad},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.opener.Open(tt.sealed, tt.aad)
			if !errors.Is(err, ErrOpen) {
				t.Fatalf("Open error = %v, want ErrOpen", err)
			}
			if got != nil {
				t.Fatalf("Open returned %q with its error", got)
			}
		})
	}
}

func TestDerive(t *testing.T) {
	t.Parallel()
	key := bytes.Repeat([]byte{7}, KeySize)
	s1, err := New(key)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := New(bytes.Clone(key))
	if err != nil {
		t.Fatal(err)
	}
	purposes := []string{"applicant-token", "webhook", "", "applicant-token2"}
	seen := map[string]string{string(key): "master key"}
	for _, p := range purposes {
		k := s1.Derive(p)
		if len(k) != KeySize {
			t.Fatalf("Derive(%q) is %d bytes", p, len(k))
		}
		if !bytes.Equal(k, s2.Derive(p)) || !bytes.Equal(k, s1.Derive(p)) {
			t.Fatalf("Derive(%q) is not stable", p)
		}
		if other, ok := seen[string(k)]; ok {
			t.Fatalf("Derive(%q) equals the key of %s", p, other)
		}
		seen[string(k)] = p
	}
	for _, info := range []string{infoValue, infoWrap} {
		if _, ok := seen[string(derive(key, info))]; ok {
			t.Fatalf("an internal key (%s) is reachable through Derive", info)
		}
	}
	if bytes.Equal(newSealer(t).Derive("webhook"), s1.Derive("webhook")) {
		t.Fatal("two master keys derive the same subkey")
	}
}
