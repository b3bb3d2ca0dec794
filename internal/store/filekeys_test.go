package store_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"kycd/internal/kyc"
	"kycd/internal/seal"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// TestApplicantKeyForFiles: the wrapped data key given out to seal and open an applicant's files
// is the one in the applicant's row, bound to that applicant (another applicant's binding does not
// unwrap it); an applicant written before applicants had keys moves under one before its key is
// given out to seal, and reads as before; an unknown applicant is not found.
func TestApplicantKeyForFiles(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		master := storetest.Sealer(t)
		a, b := newApplicant(t, s, kyc.EnvLive, ""), newApplicant(t, s, kyc.EnvLive, "")
		rowKey := func(id string) []byte {
			t.Helper()
			var key []byte
			if err := s.QueryRow(ctx, `SELECT data_key FROM applicants WHERE id = ?`, id).Scan(&key); err != nil {
				t.Fatal(err)
			}
			return key
		}
		ka, err := s.ApplicantKey(ctx, kyc.EnvLive, a.ID)
		if err != nil || ka.Key == nil || !bytes.Equal(ka.Key, rowKey(a.ID)) {
			t.Fatalf("ApplicantKey of a: %x, %v; the row holds %x", ka.Key, err, rowKey(a.ID))
		}
		if _, err := master.OpenDataKey(ka.Key, ka.AAD); err != nil {
			t.Fatalf("a's key does not unwrap with its own binding: %v", err)
		}
		kb, err := s.ApplicantKeyToSeal(ctx, kyc.EnvLive, b.ID)
		if err != nil || !bytes.Equal(kb.Key, rowKey(b.ID)) {
			t.Fatalf("ApplicantKeyToSeal of b, which has a key: %x, %v", kb.Key, err)
		}
		if _, err := master.OpenDataKey(ka.Key, kb.AAD); !errors.Is(err, seal.ErrOpen) {
			t.Fatalf("a's key unwrapped with b's binding: %v", err)
		}

		// An applicant written the way kycd did before keys.
		plain, _ := json.Marshal(map[string]any{"email": a.Email, "profile": a.Profile, "addresses": a.Addresses})
		old, err := master.Seal(plain, []byte("applicant:"+a.ID))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Exec(ctx, `UPDATE applicants SET data = ?, data_key = NULL WHERE id = ?`, old, a.ID); err != nil {
			t.Fatal(err)
		}
		if k, err := s.ApplicantKey(ctx, kyc.EnvLive, a.ID); err != nil || k.Key != nil {
			t.Fatalf("ApplicantKey of a keyless applicant: %x, %v, want no key", k.Key, err)
		}
		k, err := s.ApplicantKeyToSeal(ctx, kyc.EnvLive, a.ID)
		if err != nil || k.Key == nil || !bytes.Equal(k.Key, rowKey(a.ID)) || bytes.Equal(k.Key, ka.Key) {
			t.Fatalf("ApplicantKeyToSeal of a keyless applicant: %x, %v; the row holds %x", k.Key, err, rowKey(a.ID))
		}
		var data []byte
		if err := s.QueryRow(ctx, `SELECT data FROM applicants WHERE id = ?`, a.ID).Scan(&data); err != nil {
			t.Fatal(err)
		}
		if !seal.SealedUnderDataKey(data) {
			t.Fatal("the applicant's data did not move under its new key")
		}
		if got, err := s.Applicant(ctx, kyc.EnvLive, a.ID); err != nil || got.Profile.LastName != "Eriksson" || got.Email != a.Email {
			t.Fatalf("a after moving: %+v, %v", got, err)
		}

		for _, env := range []kyc.Env{kyc.EnvLive, kyc.EnvTest} {
			id := kyc.NewID(kyc.PrefixApplicant)
			if env == kyc.EnvTest {
				id = a.ID // a, seen from the other environment
			}
			if _, err := s.ApplicantKey(ctx, env, id); !errors.Is(err, kyc.ErrNotFound) {
				t.Errorf("ApplicantKey of %s in %s: %v, want kyc.ErrNotFound", id, env, err)
			}
			if _, err := s.ApplicantKeyToSeal(ctx, env, id); !errors.Is(err, kyc.ErrNotFound) {
				t.Errorf("ApplicantKeyToSeal of %s in %s: %v, want kyc.ErrNotFound", id, env, err)
			}
		}
	})
}
