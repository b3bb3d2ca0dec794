package seal

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"testing"
)

func randomKey(t *testing.T) []byte {
	t.Helper()
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return k
}

// legacyWrap wraps a data key as the code before key ids did (format 0): nonce | key | tag under
// HKDF(master, "kycd seal data-key-wrap v1").
func legacyWrap(t *testing.T, master, raw, aad []byte) []byte {
	t.Helper()
	g, err := newGCM(derive(master, infoDataKeys))
	if err != nil {
		t.Fatal(err)
	}
	nonce := make([]byte, nonceSize)
	if _, err := rand.Read(nonce); err != nil {
		t.Fatal(err)
	}
	return g.Seal(nonce, nonce, raw, aad)
}

func TestKeyIDNamesTheKey(t *testing.T) {
	a, b := randomKey(t), randomKey(t)
	if len(KeyID(a)) != 8 || !bytes.Equal(KeyID(a), KeyID(append([]byte(nil), a...))) || bytes.Equal(KeyID(a), KeyID(b)) {
		t.Fatalf("key ids: %x %x", KeyID(a), KeyID(b))
	}
	m, err := NewMasterKeys(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if m.CurrentID() != hex.EncodeToString(KeyID(a)) || m.PreviousID() != hex.EncodeToString(KeyID(b)) {
		t.Fatalf("ids %s %s", m.CurrentID(), m.PreviousID())
	}
	if _, err := NewMasterKeys(a, a); err == nil {
		t.Fatal("the same key as current and previous was accepted")
	}
}

// A data key wrapped by the code before key ids (60 bytes, no id) still opens, under the first key
// given as current or as previous, and a rotation moves it under the new key.
func TestLegacyWrappedKeyOpensAndRewraps(t *testing.T) {
	first, next := randomKey(t), randomKey(t)
	aad := []byte("applicant-key:live:apl_1")
	old, err := New(first)
	if err != nil {
		t.Fatal(err)
	}
	raw := randomKey(t)
	legacy := legacyWrap(t, first, raw, aad)
	if len(legacy) != 60 || WrappedKeyID(legacy) != "" {
		t.Fatalf("legacy wrapped key: %d bytes, id %q", len(legacy), WrappedKeyID(legacy))
	}
	for _, tc := range []struct {
		name              string
		current, previous []byte
	}{{"first as current", first, nil}, {"first as previous", next, first}} {
		m, err := NewMasterKeys(tc.current, tc.previous)
		if err != nil {
			t.Fatal(err)
		}
		got, err := m.unwrap(legacy, aad)
		if err != nil || !bytes.Equal(got, raw) {
			t.Fatalf("%s: legacy key: %v", tc.name, err)
		}
		if m.UnderCurrent(legacy) {
			t.Fatalf("%s: a legacy key counts as under the current key", tc.name)
		}
		re, err := m.Rewrap(legacy, aad)
		if err != nil || !m.UnderCurrent(re) || WrappedKeyID(re) != m.CurrentID() {
			t.Fatalf("%s: rewrap: %v %x", tc.name, err, re)
		}
		if got, err := m.unwrap(re, aad); err != nil || !bytes.Equal(got, raw) {
			t.Fatalf("%s: rewrapped key: %v", tc.name, err)
		}
	}
	if _, err := old.OpenDataKey(legacyWrap(t, first, raw, aad), []byte("other")); !errors.Is(err, ErrOpen) {
		t.Fatalf("a legacy key opened with another aad: %v", err)
	}
}

// New keys are wrapped under the current key only; keys under the previous one open and move under
// the current one, keeping what they sealed readable; a key under neither does not open.
func TestRotationKeepsDataKeys(t *testing.T) {
	first, next, stranger := randomKey(t), randomKey(t), randomKey(t)
	aad := []byte("applicant-key:live:apl_2")
	before, err := New(first)
	if err != nil {
		t.Fatal(err)
	}
	k, wrapped, err := before.NewDataKey(aad)
	if err != nil {
		t.Fatal(err)
	}
	if WrappedKeyID(wrapped) != before.MasterKeys().CurrentID() {
		t.Fatalf("new key under %q, not the current key", WrappedKeyID(wrapped))
	}
	sealed, err := k.Seal([]byte("secret"), []byte("v"))
	if err != nil {
		t.Fatal(err)
	}
	during, err := NewMasterKeys(next, first)
	if err != nil {
		t.Fatal(err)
	}
	s, err := during.Sealer(first) // the root stays the first key
	if err != nil {
		t.Fatal(err)
	}
	if _, w, err := s.NewDataKey(aad); err != nil || WrappedKeyID(w) != during.CurrentID() {
		t.Fatalf("new key during the rotation under %q, want %s (%v)", WrappedKeyID(w), during.CurrentID(), err)
	}
	opened, err := s.OpenDataKey(wrapped, aad)
	if err != nil {
		t.Fatalf("a key under the previous master key: %v", err)
	}
	if p, err := opened.Open(sealed, []byte("v")); err != nil || string(p) != "secret" {
		t.Fatalf("a value under a key under the previous master key: %q %v", p, err)
	}
	re, err := s.RewrapKey(wrapped, aad)
	if err != nil || !s.KeyUnderCurrent(re) || s.KeyUnderCurrent(wrapped) {
		t.Fatalf("rewrap: %v", err)
	}
	if again, err := s.RewrapKey(re, aad); err != nil || !bytes.Equal(again, re) {
		t.Fatalf("a key under the current master key was wrapped again: %v", err)
	}
	after, err := NewMasterKeys(next, nil)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := after.Sealer(first)
	if err != nil {
		t.Fatal(err)
	}
	opened, err = s2.OpenDataKey(re, aad)
	if err != nil {
		t.Fatalf("the rewrapped key with only the new master key: %v", err)
	}
	if p, err := opened.Open(sealed, []byte("v")); err != nil || string(p) != "secret" {
		t.Fatalf("the value after rotation: %q %v", p, err)
	}
	if _, err := s2.OpenDataKey(wrapped, aad); !errors.Is(err, ErrOpen) {
		t.Fatalf("a key under the removed previous master key opened: %v", err)
	}
	wrong, err := NewMasterKeys(stranger, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wrong.unwrap(re, aad); !errors.Is(err, ErrOpen) {
		t.Fatalf("another master key opened the key: %v", err)
	}
	// Values and derived keys come from the root, which the rotation does not change.
	if !bytes.Equal(s2.Derive("audit-chain"), before.Derive("audit-chain")) {
		t.Fatal("a derived key changed with the master key")
	}
	v, err := before.Seal([]byte("x"), []byte("r"))
	if err != nil {
		t.Fatal(err)
	}
	if p, err := s2.Open(v, []byte("r")); err != nil || string(p) != "x" {
		t.Fatalf("a value under the root after rotation: %v", err)
	}
}

// The root key wraps under the current key and opens under either; a wrong key set is refused.
func TestRootKey(t *testing.T) {
	first, next, stranger := randomKey(t), randomKey(t), randomKey(t)
	m1, _ := NewMasterKeys(first, nil)
	w, err := m1.WrapRoot(first)
	if err != nil {
		t.Fatal(err)
	}
	m2, _ := NewMasterKeys(next, first)
	if r, err := m2.OpenRoot(w); err != nil || !bytes.Equal(r, first) {
		t.Fatalf("root under the previous key: %v", err)
	}
	w2, err := m2.RewrapRoot(w)
	if err != nil || WrappedKeyID(w2) != m2.CurrentID() {
		t.Fatalf("rewrap root: %v", err)
	}
	m3, _ := NewMasterKeys(next, nil)
	if r, err := m3.OpenRoot(w2); err != nil || !bytes.Equal(r, first) {
		t.Fatalf("root under the new key: %v", err)
	}
	m4, _ := NewMasterKeys(stranger, nil)
	if _, err := m4.OpenRoot(w2); !errors.Is(err, ErrOpen) {
		t.Fatalf("a wrong master key opened the root: %v", err)
	}
	// A data key's wrapping does not open as the root (aads differ).
	if _, err := m3.OpenRoot(mustWrap(t, m3, first, []byte("applicant-key:live:x"))); !errors.Is(err, ErrOpen) {
		t.Fatalf("a data key opened as the root: %v", err)
	}
}

func mustWrap(t *testing.T, m *MasterKeys, raw, aad []byte) []byte {
	t.Helper()
	w, err := m.wrap(raw, aad)
	if err != nil {
		t.Fatal(err)
	}
	return w
}
