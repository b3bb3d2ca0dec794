package blob

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"testing"

	"kycd/internal/seal"
)

// owner is the data key of one owner of objects, as its store keeps it: wrapped, bound to aad.
type owner struct{ wrapped, aad []byte }

func newOwner(t *testing.T, s *Store, id string) owner {
	t.Helper()
	aad := []byte("applicant-key:test:" + id)
	_, wrapped, err := s.sealer.NewDataKey(aad)
	if err != nil {
		t.Fatal(err)
	}
	return owner{wrapped, aad}
}

// key is the dataKey argument of GetUnder that gives o's key.
func (o owner) key() ([]byte, []byte, error) { return o.wrapped, o.aad, nil }

func putUnder(t *testing.T, s *Store, o owner, key string, data []byte) {
	t.Helper()
	if _, err := s.PutUnder(t.Context(), key, o.wrapped, o.aad, bytes.NewReader(data)); err != nil {
		t.Fatalf("PutUnder %s: %v", key, err)
	}
}

// getUnder reads all of key under dataKey; any error, from GetUnder or from reading, is returned
// with the bytes read.
func getUnder(t *testing.T, s *Store, key string, dataKey func() ([]byte, []byte, error)) ([]byte, error) {
	t.Helper()
	r, err := s.GetUnder(t.Context(), key, dataKey)
	if err != nil {
		if r != nil {
			t.Errorf("GetUnder failed (%v) and returned a reader", err)
		}
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// testRoundTripUnderDataKey: an object sealed under its owner's data key reads back whole under
// that key, is marked as sealed under a data key, and the master key alone does not open it.
func testRoundTripUnderDataKey(t *testing.T, s *Store, prefix string) {
	o := newOwner(t, s, "apl_a")
	for _, size := range []int{0, 1, seal.SegmentSize + 1, 3 << 20} {
		key := prefix + "size-" + strconv.Itoa(size)
		want := randomBytes(t, size)
		n, err := s.PutUnder(t.Context(), key, o.wrapped, o.aad, bytes.NewReader(want))
		if err != nil || n != int64(size) {
			t.Fatalf("PutUnder %d bytes: %d, %v", size, n, err)
		}
		got, err := getUnder(t, s, key, o.key)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("GetUnder of %d bytes: %d bytes, %v", size, len(got), err)
		}
		raw, err := s.bucket.ReadAll(t.Context(), key)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(raw, []byte("KYCD")) || !seal.SealedUnderDataKey(raw) {
			t.Fatalf("the object of %d bytes is not a stream sealed under a data key: % x", size, raw[:min(len(raw), 5)])
		}
		if _, err := s.Get(t.Context(), key); !errors.Is(err, seal.ErrOpen) {
			t.Fatalf("Get under the master key alone: %v, want seal.ErrOpen", err)
		}
	}
	if _, err := s.PutUnder(t.Context(), prefix+"nokey", nil, o.aad, bytes.NewReader([]byte("x"))); err == nil {
		t.Fatal("PutUnder without a key succeeded")
	}
}

// testMasterObjectReadsUnder: an object sealed under the master key (before owners had keys)
// still reads through GetUnder, which then needs no data key.
func testMasterObjectReadsUnder(t *testing.T, s *Store, prefix string) {
	key := prefix + "old"
	want := randomBytes(t, seal.SegmentSize+7)
	mustPut(t, s, key, want)
	got, err := getUnder(t, s, key, func() ([]byte, []byte, error) {
		t.Error("GetUnder asked for a data key to open an object sealed under the master key")
		return nil, nil, errors.New("no key here")
	})
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("GetUnder of an object under the master key: %d bytes, %v", len(got), err)
	}
}

// testOtherOwnersKey: an object under one owner's key does not open under another owner's key,
// nor under its own key bound to another owner, nor once copied to another key; no byte is read.
func testOtherOwnersKey(t *testing.T, s *Store, prefix string) {
	a, b := newOwner(t, s, "apl_a"), newOwner(t, s, "apl_b")
	key := prefix + "apl_a/doc"
	putUnder(t, s, a, key, []byte("passport scan of A"))
	for name, o := range map[string]owner{"b's key": b, "a's key bound to b": {a.wrapped, b.aad}} {
		if got, err := getUnder(t, s, key, o.key); !errors.Is(err, seal.ErrOpen) || len(got) > 0 {
			t.Errorf("GetUnder with %s: %q, %v, want seal.ErrOpen and no byte", name, got, err)
		}
	}
	dst := prefix + "apl_b/doc"
	if err := s.bucket.Copy(t.Context(), dst, key, nil); err != nil {
		t.Fatal(err)
	}
	if got, err := getUnder(t, s, dst, a.key); !errors.Is(err, seal.ErrOpen) || len(got) > 0 {
		t.Errorf("GetUnder of a's object copied to another key: %q, %v, want seal.ErrOpen", got, err)
	}
	if got, err := getUnder(t, s, key, a.key); err != nil || string(got) != "passport scan of A" {
		t.Errorf("a's object under a's key: %q, %v", got, err)
	}
}

// testDestroyedKey: when the owner's key cannot be given (destroyed), GetUnder fails with the
// error dataKey gave, and returns no reader; a key given as nil fails too.
func testDestroyedKey(t *testing.T, s *Store, prefix string) {
	o := newOwner(t, s, "apl_a")
	key := prefix + "doc"
	putUnder(t, s, o, key, []byte("passport scan"))
	destroyed := errors.New("the key is destroyed")
	if got, err := getUnder(t, s, key, func() ([]byte, []byte, error) { return nil, nil, destroyed }); !errors.Is(err, destroyed) || got != nil {
		t.Errorf("GetUnder with the key destroyed: %q, %v, want %v", got, err, destroyed)
	}
	if got, err := getUnder(t, s, key, func() ([]byte, []byte, error) { return nil, o.aad, nil }); err == nil || got != nil {
		t.Errorf("GetUnder given no key: %q, %v, want an error", got, err)
	}
}
