package seal

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"io"
	"testing"
)

// TestDataKeyRoundTrip: a data key seals and opens values and streams; unwrapped again from its
// wrapped form it opens what it sealed; neither the master key's sealer nor another data key
// opens them, and the data key does not open the master key's values.
func TestDataKeyRoundTrip(t *testing.T) {
	t.Parallel()
	s := newSealer(t)
	aad := []byte("applicant_keys:live:apl_1")
	k, wrapped, err := s.NewDataKey(aad)
	if err != nil {
		t.Fatal(err)
	}
	if len(wrapped) != 69 {
		t.Fatalf("wrapped key of %d bytes, want 69", len(wrapped))
	}
	v, err := k.Seal([]byte("Anna Eriksson"), []byte("applicants:apl_1:profile"))
	if err != nil || v[0] != 0x02 || !SealedUnderDataKey(v) {
		t.Fatalf("sealed %x, %v", v, err)
	}
	again, err := s.OpenDataKey(wrapped, aad)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := again.Open(v, []byte("applicants:apl_1:profile")); err != nil || string(p) != "Anna Eriksson" {
		t.Fatalf("open with the unwrapped key: %q, %v", p, err)
	}
	if _, err := again.Open(v, []byte("applicants:apl_2:profile")); !errors.Is(err, ErrOpen) {
		t.Errorf("another aad opened: %v", err)
	}
	if _, err := s.Open(v, []byte("applicants:apl_1:profile")); !errors.Is(err, ErrOpen) {
		t.Errorf("the master key's sealer opened a data key's value: %v", err)
	}
	other, _, err := s.NewDataKey(aad)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Open(v, []byte("applicants:apl_1:profile")); !errors.Is(err, ErrOpen) {
		t.Errorf("another data key opened: %v", err)
	}
	mv, err := s.Seal([]byte("x"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.Open(mv, nil); !errors.Is(err, ErrOpen) || SealedUnderDataKey(mv) {
		t.Errorf("a data key opened the master key's value: %v", err)
	}

	// Streams.
	plain := bytes.Repeat([]byte("passport page "), 10000) // three segments
	var sealed bytes.Buffer
	w, err := k.NewWriter(&sealed, []byte("blob:fil_1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(plain); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if !SealedUnderDataKey(sealed.Bytes()) {
		t.Error("a data key's stream is not marked as one")
	}
	r, err := again.NewReader(bytes.NewReader(sealed.Bytes()), []byte("blob:fil_1"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(r); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("stream read back: %d bytes, %v", len(got), err)
	}
	if _, err := s.NewReader(bytes.NewReader(sealed.Bytes()), []byte("blob:fil_1")); !errors.Is(err, ErrOpen) {
		t.Errorf("the master key's sealer opened a data key's stream: %v", err)
	}
	if _, err := other.NewReader(bytes.NewReader(sealed.Bytes()), []byte("blob:fil_1")); !errors.Is(err, ErrOpen) {
		t.Errorf("another data key opened the stream: %v", err)
	}
}

// TestWrappedDataKeyRefused: a wrapped key opens only under its master key and aad, intact.
func TestWrappedDataKeyRefused(t *testing.T) {
	t.Parallel()
	s := newSealer(t)
	aad := []byte("applicant_keys:live:apl_1")
	_, wrapped, err := s.NewDataKey(aad)
	if err != nil {
		t.Fatal(err)
	}
	flipped := bytes.Clone(wrapped)
	flipped[20] ^= 1
	for name, c := range map[string]struct {
		s       *Sealer
		wrapped []byte
		aad     []byte
	}{
		"another master key": {newSealer(t), wrapped, aad},
		"another owner":      {s, wrapped, []byte("applicant_keys:live:apl_2")},
		"altered":            {s, flipped, aad},
		"cut short":          {s, wrapped[:59], aad},
		"destroyed":          {s, nil, aad},
	} {
		if _, err := c.s.OpenDataKey(c.wrapped, c.aad); !errors.Is(err, ErrOpen) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestDataKeyFormat: a known-answer check written from the package's documented derivations,
// with the standard library alone: the wrapped key is AES-GCM under HKDF(master, "kycd seal
// data-key-wrap v1") with its first 12 bytes as nonce, and a value is 0x02 | nonce | AES-GCM under
// HKDF(data key, "kycd seal data-key value v1").
func TestDataKeyFormat(t *testing.T) {
	t.Parallel()
	master := bytes.Repeat([]byte{7}, KeySize)
	s, err := New(master)
	if err != nil {
		t.Fatal(err)
	}
	aad := []byte("applicant_keys:test:apl_9")
	k, wrapped, err := s.NewDataKey(aad)
	if err != nil {
		t.Fatal(err)
	}
	gcm := func(key []byte) cipher.AEAD {
		b, err := aes.NewCipher(key)
		if err != nil {
			t.Fatal(err)
		}
		g, err := cipher.NewGCM(b)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	kdf := func(secret []byte, info string) []byte {
		out, err := hkdf.Key(sha256.New, secret, nil, info, 32)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	mac := hmac.New(sha256.New, master)
	mac.Write([]byte("kycd key id"))
	if wrapped[0] != 0x01 || !bytes.Equal(wrapped[1:9], mac.Sum(nil)[:8]) {
		t.Fatalf("the wrapped key does not start with 0x01 and the master key's id: %x", wrapped[:9])
	}
	raw, err := gcm(kdf(master, "kycd seal data-key-wrap v1")).Open(nil, wrapped[9:21], wrapped[21:], aad)
	if err != nil {
		t.Fatalf("the wrapped key does not open as documented: %v", err)
	}
	v, err := k.Seal([]byte("1974-08-12"), []byte("a"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := gcm(kdf(raw, "kycd seal data-key value v1")).Open(nil, v[1:13], v[13:], []byte("a"))
	if err != nil || string(p) != "1974-08-12" || v[0] != 0x02 {
		t.Fatalf("the value does not open as documented: %q %v", p, err)
	}
}
