package blob

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strconv"
	"testing"
	"testing/iotest"

	"gocloud.dev/blob"

	"kycd/internal/kyc"
	"kycd/internal/seal"
)

// TestConformance runs every case against every backend.
func TestConformance(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			b.url(t) // skip the whole backend at once when it is absent
			for _, c := range conformance {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					s, prefix := openStore(t, b.url(t)), uniquePrefix()
					t.Cleanup(func() { deletePrefix(t, s, prefix) })
					c.run(t, s, prefix)
				})
			}
		})
	}
}

var conformance = []struct {
	name string
	run  func(t *testing.T, s *Store, prefix string)
}{
	{"round trip", testRoundTrip},
	{"overwrite", testOverwrite},
	{"get missing", testGetMissing},
	{"delete is idempotent", testDeleteIdempotent},
	{"stored bytes are sealed", testStoredBytesSealed},
	{"renamed object does not open", testRenamed},
	{"failed put leaves nothing", testFailedPut},
	{"canceled put leaves nothing", testCanceledPut},
	{"invalid keys", testInvalidKeys},
	{"ping", testPing},
	{"round trip under a data key", testRoundTripUnderDataKey},
	{"object under the master key reads under a data key", testMasterObjectReadsUnder},
	{"another owner's key does not open", testOtherOwnersKey},
	{"destroyed key gives no byte", testDestroyedKey},
}

func testRoundTrip(t *testing.T, s *Store, prefix string) {
	for _, size := range []int{0, 1, seal.SegmentSize, seal.SegmentSize + 1, 5 << 20} {
		key := prefix + "size-" + strconv.Itoa(size)
		want := randomBytes(t, size)
		n, err := s.Put(t.Context(), key, bytes.NewReader(want))
		if err != nil {
			t.Fatalf("Put %d bytes: %v", size, err)
		}
		if n != int64(size) {
			t.Fatalf("Put reported %d bytes, want %d", n, size)
		}
		if ok, err := s.Exists(t.Context(), key); err != nil || !ok {
			t.Fatalf("Exists = %v, %v after Put", ok, err)
		}
		if got := mustGet(t, s, key); !bytes.Equal(got, want) {
			t.Fatalf("Get of %d bytes returned other bytes (%d)", size, len(got))
		}
	}
}

func testOverwrite(t *testing.T, s *Store, prefix string) {
	key := prefix + "doc"
	mustPut(t, s, key, []byte("first"))
	mustPut(t, s, key, []byte("second"))
	if got := mustGet(t, s, key); string(got) != "second" {
		t.Fatalf("Get = %q, want the second Put", got)
	}
}

func testGetMissing(t *testing.T, s *Store, prefix string) {
	_, err := s.Get(t.Context(), prefix+"missing")
	if !errors.Is(err, kyc.ErrNotFound) {
		t.Fatalf("Get of a missing key: %v, want kyc.ErrNotFound", err)
	}
}

func testDeleteIdempotent(t *testing.T, s *Store, prefix string) {
	key := prefix + "doc"
	mustPut(t, s, key, []byte("passport scan"))
	for i := range 2 {
		if err := s.Delete(t.Context(), key); err != nil {
			t.Fatalf("Delete #%d: %v", i+1, err)
		}
	}
	if err := s.Delete(t.Context(), prefix+"never-stored"); err != nil {
		t.Fatalf("Delete of a key never stored: %v", err)
	}
	if ok, err := s.Exists(t.Context(), key); err != nil || ok {
		t.Fatalf("Exists = %v, %v after Delete", ok, err)
	}
	if _, err := s.Get(t.Context(), key); !errors.Is(err, kyc.ErrNotFound) {
		t.Fatalf("Get after Delete: %v, want kyc.ErrNotFound", err)
	}
}

func testStoredBytesSealed(t *testing.T, s *Store, prefix string) {
	key := prefix + "doc"
	plaintext := bytes.Repeat([]byte("PASSPORT P<UTOERIKSSON<<ANNA<MARIA "), 5000)
	mustPut(t, s, key, plaintext)
	raw, err := s.bucket.ReadAll(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("PASSPORT")) || !bytes.HasPrefix(raw, []byte("KYCD")) {
		t.Fatal("the bucket holds the plaintext, not a sealed stream")
	}
}

func testRenamed(t *testing.T, s *Store, prefix string) {
	src, dst := prefix+"applicant-a/doc", prefix+"applicant-b/doc"
	mustPut(t, s, src, []byte("passport scan of A"))
	if err := s.bucket.Copy(t.Context(), dst, src, nil); err != nil {
		t.Fatal(err)
	}
	r, err := s.Get(t.Context(), dst)
	if err == nil {
		_, err = io.ReadAll(r)
		r.Close()
	}
	if !errors.Is(err, seal.ErrOpen) {
		t.Fatalf("Get of an object copied to another key: %v, want seal.ErrOpen", err)
	}
	if got := mustGet(t, s, src); string(got) != "passport scan of A" {
		t.Fatalf("the original no longer opens: %q", got)
	}
}

func testFailedPut(t *testing.T, s *Store, prefix string) {
	boom := errors.New("client went away")
	// 9 MiB takes the multipart path of the S3 uploader (parts of 8 MiB).
	for _, size := range []int{200 << 10, 9 << 20} {
		key := prefix + "size-" + strconv.Itoa(size)
		r := io.MultiReader(bytes.NewReader(randomBytes(t, size)), iotest.ErrReader(boom))
		if _, err := s.Put(t.Context(), key, r); !errors.Is(err, boom) {
			t.Fatalf("Put from a failing reader: %v, want %v", err, boom)
		}
		if ok, err := s.Exists(t.Context(), key); err != nil || ok {
			t.Fatalf("Exists = %v, %v after a failed Put of %d bytes", ok, err, size)
		}
	}
	key := prefix + "kept"
	mustPut(t, s, key, []byte("first"))
	r := io.MultiReader(bytes.NewReader(randomBytes(t, 100<<10)), iotest.ErrReader(boom))
	if _, err := s.Put(t.Context(), key, r); !errors.Is(err, boom) {
		t.Fatalf("Put from a failing reader: %v, want %v", err, boom)
	}
	if got := mustGet(t, s, key); string(got) != "first" {
		t.Fatalf("a failed Put changed the previous object: %q", got)
	}
}

func testCanceledPut(t *testing.T, s *Store, prefix string) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	key := prefix + "doc"
	if _, err := s.Put(ctx, key, bytes.NewReader(randomBytes(t, 100<<10))); err == nil {
		t.Fatal("Put with a canceled context succeeded")
	}
	if ok, err := s.Exists(t.Context(), key); err != nil || ok {
		t.Fatalf("Exists = %v, %v after a canceled Put", ok, err)
	}
}

func testInvalidKeys(t *testing.T, s *Store, prefix string) {
	bad := []string{
		"", "/abs", prefix + "../escape", prefix + "a..b", prefix + "dir/", prefix + "a//b",
		prefix + "./a", prefix + "a/./b", prefix + "sp ace", prefix + "é", prefix + "new\nline",
		prefix + "x.attrs", prefix + string(bytes.Repeat([]byte("k"), maxKeyLen)),
	}
	ctx, o := t.Context(), newOwner(t, s, "apl_a")
	for _, key := range bad {
		if _, err := s.Put(ctx, key, bytes.NewReader(nil)); err == nil {
			t.Errorf("Put accepted key %q", key)
		}
		if _, err := s.Get(ctx, key); err == nil || errors.Is(err, kyc.ErrNotFound) {
			t.Errorf("Get of key %q: %v, want an invalid key error", key, err)
		}
		if err := s.Delete(ctx, key); err == nil {
			t.Errorf("Delete accepted key %q", key)
		}
		if _, err := s.Exists(ctx, key); err == nil {
			t.Errorf("Exists accepted key %q", key)
		}
		if _, err := s.PutUnder(ctx, key, o.wrapped, o.aad, bytes.NewReader(nil)); err == nil {
			t.Errorf("PutUnder accepted key %q", key)
		}
		if _, err := s.GetUnder(ctx, key, o.key); err == nil || errors.Is(err, kyc.ErrNotFound) {
			t.Errorf("GetUnder of key %q: %v, want an invalid key error", key, err)
		}
	}
	mustPut(t, s, prefix+"files/fil_01J0-x.v2/front_0.jpg", []byte("ok"))
}

func testPing(t *testing.T, s *Store, _ string) {
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

// deletePrefix removes what a test left in a shared bucket.
func deletePrefix(t *testing.T, s *Store, prefix string) {
	ctx := context.Background() // t.Context is canceled before cleanups run
	it := s.bucket.List(&blob.ListOptions{Prefix: prefix})
	for {
		obj, err := it.Next(ctx)
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Errorf("list %s: %v", prefix, err)
			return
		}
		if err := s.bucket.Delete(ctx, obj.Key); err != nil {
			t.Errorf("delete %s: %v", obj.Key, err)
		}
	}
}

func mustPut(t *testing.T, s *Store, key string, data []byte) {
	t.Helper()
	if _, err := s.Put(t.Context(), key, bytes.NewReader(data)); err != nil {
		t.Fatalf("Put %s: %v", key, err)
	}
}

func mustGet(t *testing.T, s *Store, key string) []byte {
	t.Helper()
	r, err := s.Get(t.Context(), key)
	if err != nil {
		t.Fatalf("Get %s: %v", key, err)
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	return data
}
