package store_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"kycd/internal/kyc"
	"kycd/internal/seal"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// openWith opens another store on the database dsn (migrated already) with sealer.
func openWith(t *testing.T, dsn string, sealer store.Sealer) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), dsn, sealer)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func newKey(t *testing.T) []byte {
	t.Helper()
	k := make([]byte, seal.KeySize)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return k
}

// rotationSealer is the sealer of an installation whose root is root, with master keys current and
// previous (nil: none).
func rotationSealer(t *testing.T, root, current, previous []byte) *seal.Sealer {
	t.Helper()
	keys, err := seal.NewMasterKeys(current, previous)
	if err != nil {
		t.Fatal(err)
	}
	s, err := keys.Sealer(root)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestRewrapDataKeys rotates the master key of a store in batches: keys written before key ids
// (format 0) and under the old key move under the new one, a run stopped midway goes on from the
// start, a key written under the old key between batches (by a replica that does not know the new
// one) is caught by the next run, an applicant erased meanwhile is skipped, and afterwards every
// applicant reads with the new key alone, as written.
func TestRewrapDataKeys(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			dsn := storetest.NewDatabase(t, d)
			first, next := newKey(t), newKey(t)
			old := openWith(t, dsn, rotationSealer(t, first, first, nil))
			if d == store.SQLite {
				if err := old.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
			}
			var written []kyc.Applicant
			for range 7 {
				written = append(written, newApplicant(t, old, kyc.EnvLive, ""))
			}
			// Two rows as the code before key ids wrote them: the same wrapping without its 9-byte
			// prefix (0x01 and the key id), as seal's TestDataKeyFormat shows.
			for _, a := range written[:2] {
				if err := old.Exec(ctx, `UPDATE applicants SET data_key = substr(data_key, 10) WHERE id = ?`, a.ID); err != nil {
					t.Fatal(err)
				}
				if got, err := old.Applicant(ctx, kyc.EnvLive, a.ID); err != nil || got.Profile.LastName != "Eriksson" {
					t.Fatalf("an applicant whose key has no id: %+v %v", got, err)
				}
			}
			duringSealer := rotationSealer(t, first, next, first)
			during := openWith(t, dsn, duringSealer)
			if n, err := during.DataKeysNotUnderCurrent(ctx); err != nil || n != 7 {
				t.Fatalf("keys to rewrap before: %d %v", n, err)
			}
			n, last, _, err := during.RewrapDataKeys(ctx, "", 3)
			if err != nil || n != 3 || last == "" {
				t.Fatalf("first batch: %d %q %v", n, last, err)
			}
			// Between batches: a replica with the old key alone writes an applicant, one with both
			// keys writes another (under the new key), and one applicant is erased (its key gone).
			written = append(written, newApplicant(t, old, kyc.EnvLive, ""))
			fresh := newApplicant(t, during, kyc.EnvLive, "")
			var erased string
			for _, a := range written[:7] {
				if a.ID > last {
					erased = a.ID
					break
				}
			}
			if erased != "" {
				if err := during.Exec(ctx, `UPDATE applicants SET data_key = NULL WHERE id = ?`, erased); err != nil {
					t.Fatal(err)
				}
			}
			// The run stops here (a crash); the next starts from the beginning and finishes.
			total := 3
			for after := ""; ; {
				n, last, _, err := during.RewrapDataKeys(ctx, after, 3)
				if err != nil {
					t.Fatal(err)
				}
				if last == "" {
					break
				}
				total += n
				after = last
			}
			want := 8
			if erased != "" {
				want = 7
			}
			if total != want {
				t.Fatalf("%d keys rewrapped, want %d", total, want)
			}
			if n, err := during.DataKeysNotUnderCurrent(ctx); err != nil || n != 0 {
				t.Fatalf("keys left under the old master key: %d %v", n, err)
			}
			if n, _, _, err := during.RewrapDataKeys(ctx, "", 3); err != nil || n != 0 {
				t.Fatalf("a run after the rotation rewrapped %d keys: %v", n, err)
			}
			counts, err := during.DataKeysByMasterKey(ctx, seal.WrappedKeyID)
			if err != nil || len(counts) != 1 || counts[duringSealer.MasterKeys().CurrentID()] != want+1 {
				t.Fatalf("keys by master key: %v %v", counts, err)
			}
			after := openWith(t, dsn, rotationSealer(t, first, next, nil))
			for _, a := range append(written, fresh) {
				got, err := after.Applicant(ctx, kyc.EnvLive, a.ID)
				if a.ID == erased {
					if !errors.Is(err, store.ErrDataKeyDestroyed) {
						t.Fatalf("the erased applicant: %v", err)
					}
					continue
				}
				if err != nil || got.Email != a.Email || got.Profile != a.Profile || len(got.Addresses) != 1 || got.Addresses[0] != a.Addresses[0] {
					t.Fatalf("applicant %s with the new key alone: %+v %v", a.ID, got, err)
				}
			}
			if _, err := old.Applicant(ctx, kyc.EnvLive, written[0].ID); !errors.Is(err, seal.ErrOpen) {
				t.Fatalf("the old key alone opened a rotated applicant: %v", err)
			}
		})
	}
}

// TestKeyring: an entry is written once (the first writer wins), read back, and rewrapped under a
// lock; a rewrap that changes nothing writes nothing.
func TestKeyring(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		if _, found, err := s.KeyringEntry(ctx, "root"); err != nil || found {
			t.Fatalf("a keyring entry before any: %v %v", found, err)
		}
		e, err := s.AddKeyringEntry(ctx, "root", "aaaa", []byte("first"))
		if err != nil || e.KEKID != "aaaa" || string(e.Wrapped) != "first" || e.Created.IsZero() || !e.Rotated.IsZero() {
			t.Fatalf("first entry: %+v %v", e, err)
		}
		if e, err := s.AddKeyringEntry(ctx, "root", "bbbb", []byte("second")); err != nil || string(e.Wrapped) != "first" {
			t.Fatalf("a second writer replaced the entry: %+v %v", e, err)
		}
		changed, err := s.RewrapKeyringEntry(ctx, "root", func(w []byte) (string, []byte, error) {
			return "bbbb", append([]byte("re-"), w...), nil
		})
		if err != nil || !changed {
			t.Fatalf("rewrap: %v %v", changed, err)
		}
		e, found, err := s.KeyringEntry(ctx, "root")
		if err != nil || !found || e.KEKID != "bbbb" || !bytes.Equal(e.Wrapped, []byte("re-first")) || e.Rotated.IsZero() {
			t.Fatalf("after the rewrap: %+v %v %v", e, found, err)
		}
		if changed, err := s.RewrapKeyringEntry(ctx, "root", func(w []byte) (string, []byte, error) { return "bbbb", w, nil }); err != nil || changed {
			t.Fatalf("an unchanged rewrap wrote: %v %v", changed, err)
		}
	})
}

// TestRewrapSkipsAKeyNeitherKeyOpens: a data key that neither master key opens (here, its
// wrapped bytes damaged) is left as it is and named, and the batch's other keys are rewrapped all
// the same: one bad key does not stop a rotation for good.
func TestRewrapSkipsAKeyNeitherKeyOpens(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			dsn := storetest.NewDatabase(t, d)
			first, next := newKey(t), newKey(t)
			old := openWith(t, dsn, rotationSealer(t, first, first, nil))
			if d == store.SQLite {
				if err := old.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
			}
			var ids []string
			for range 3 {
				ids = append(ids, newApplicant(t, old, kyc.EnvLive, "").ID)
			}
			var key []byte
			if err := old.QueryRow(ctx, `SELECT data_key FROM applicants WHERE id = ?`, ids[1]).Scan(&key); err != nil {
				t.Fatal(err)
			}
			key[len(key)-1] ^= 1
			if err := old.Exec(ctx, `UPDATE applicants SET data_key = ? WHERE id = ?`, key, ids[1]); err != nil {
				t.Fatal(err)
			}
			during := openWith(t, dsn, rotationSealer(t, first, next, first))
			n, last, skipped, err := during.RewrapDataKeys(ctx, "", 10)
			if err != nil || n != 2 || last == "" || len(skipped) != 1 || !strings.Contains(skipped[0].Error(), ids[1]) {
				t.Fatalf("a batch with a damaged key: rewrapped %d, last %q, skipped %v, %v", n, last, skipped, err)
			}
			if n, err := during.DataKeysNotUnderCurrent(ctx); err != nil || n != 1 {
				t.Fatalf("keys left under another key: %d %v, want the damaged one", n, err)
			}
		})
	}
}
