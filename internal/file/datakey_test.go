package file_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"kycd/internal/file"
	"kycd/internal/kyc"
	"kycd/internal/seal"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// TestFileBytesUnderTheApplicantsKey: a file's bytes are sealed under its applicant's data key,
// not the master key; they do not open under another applicant's key; once the applicant's key is
// destroyed, Open refuses them (store.ErrDataKeyDestroyed) and gives no byte, while another
// applicant's files still open.
func TestFileBytesUnderTheApplicantsKey(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st, file.Config{}, nil)
		ctx := context.Background()
		other := newApplicant(t, st, kyc.EnvLive)
		data, otherData := pngOf(t, 20, 20), pngOf(t, 30, 20)
		f, err := b.upload(t, kyc.EnvLive, b.live.ID, "id-front", data)
		if err != nil {
			t.Fatal(err)
		}
		g, err := b.upload(t, kyc.EnvLive, other.ID, "id-front", otherData)
		if err != nil {
			t.Fatal(err)
		}
		if rc, err := b.blobs.Get(ctx, f.BlobKey); !errors.Is(err, seal.ErrOpen) {
			if rc != nil {
				_ = rc.Close()
			}
			t.Fatalf("the master key alone opened the file's bytes: %v", err)
		}
		if got, err := readFile(b, kyc.EnvLive, f.ID); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("Open under the applicant's key: %d bytes, %v", len(got), err)
		}

		// The other applicant's key in this applicant's row opens nothing.
		execSQL(t, st, `UPDATE applicants SET data_key = (SELECT data_key FROM applicants WHERE id = ?) WHERE id = ?`, other.ID, b.live.ID)
		if got, err := readFile(b, kyc.EnvLive, f.ID); !errors.Is(err, seal.ErrOpen) || got != nil {
			t.Fatalf("Open under another applicant's key: %d bytes, %v, want seal.ErrOpen and no byte", len(got), err)
		}
		// Destroyed: refused, and said so.
		execSQL(t, st, `UPDATE applicants SET data_key = NULL WHERE id = ?`, b.live.ID)
		if got, err := readFile(b, kyc.EnvLive, f.ID); !errors.Is(err, store.ErrDataKeyDestroyed) || got != nil {
			t.Fatalf("Open with the applicant's key destroyed: %d bytes, %v, want store.ErrDataKeyDestroyed and no byte", len(got), err)
		}
		if got, err := readFile(b, kyc.EnvLive, g.ID); err != nil || !bytes.Equal(got, otherData) {
			t.Fatalf("the other applicant's file: %d bytes, %v", len(got), err)
		}
	})
}

// TestFilesSealedBeforeKeysStillOpen: bytes stored under the master key, before applicants had
// data keys, still open; a new file of an applicant written before keys moves the applicant under
// a key of its own and is sealed under it, and the applicant's older file still opens beside it.
func TestFilesSealedBeforeKeysStillOpen(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st, file.Config{}, nil)
		ctx := context.Background()
		a := b.live
		// The applicant, and a file of it, written the way kycd did before data keys: the data and
		// the bytes under the master key, no data key.
		master := storetest.Sealer(t)
		plain, _ := json.Marshal(map[string]any{"profile": a.Profile})
		sealed, err := master.Seal(plain, []byte("applicant:"+a.ID))
		if err != nil {
			t.Fatal(err)
		}
		execSQL(t, st, `UPDATE applicants SET data = ?, data_key = NULL WHERE id = ?`, sealed, a.ID)
		oldData := pngOf(t, 20, 20)
		old := kyc.File{ID: kyc.NewID(kyc.PrefixFile), Env: kyc.EnvLive, ApplicantID: a.ID, Tag: "id-front", MIME: "image/png",
			Size: int64(len(oldData)), SHA256: "x", Width: 20, Height: 20}
		old.BlobKey = "live/" + a.ID + "/" + old.ID
		if _, err := b.blobs.Put(ctx, old.BlobKey, bytes.NewReader(oldData)); err != nil {
			t.Fatal(err)
		}
		if err := st.CreateFile(ctx, &old, store.Effects{Audit: kyc.AuditEntry{Actor: "test", Action: "file.create", ResourceType: "file", ResourceID: old.ID}}); err != nil {
			t.Fatal(err)
		}
		if got, err := readFile(b, kyc.EnvLive, old.ID); err != nil || !bytes.Equal(got, oldData) {
			t.Fatalf("a file stored before keys, applicant without a key: %d bytes, %v", len(got), err)
		}

		newData := pngOf(t, 30, 30)
		f, err := b.upload(t, kyc.EnvLive, a.ID, "id-back", newData)
		if err != nil {
			t.Fatal(err)
		}
		if k, err := st.ApplicantKey(ctx, kyc.EnvLive, a.ID); err != nil || k.Key == nil {
			t.Fatalf("the applicant did not move under a key: %v", err)
		}
		if rc, err := b.blobs.Get(ctx, f.BlobKey); !errors.Is(err, seal.ErrOpen) {
			if rc != nil {
				_ = rc.Close()
			}
			t.Fatalf("the new file's bytes open under the master key alone: %v", err)
		}
		for _, c := range []struct {
			id   string
			want []byte
		}{{old.ID, oldData}, {f.ID, newData}} {
			if got, err := readFile(b, kyc.EnvLive, c.id); err != nil || !bytes.Equal(got, c.want) {
				t.Fatalf("file %s after the move: %d bytes, %v", c.id, len(got), err)
			}
		}
	})
}

// readFile opens a file through the service and reads all of it; on any error it returns no bytes.
func readFile(b *bundle, env kyc.Env, id string) ([]byte, error) {
	_, rc, err := b.svc.Open(context.Background(), env, id)
	if err != nil {
		if rc != nil {
			_ = rc.Close()
			return []byte("a reader beside an error"), err
		}
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		return nil, err
	}
	return data, nil
}

func newApplicant(t *testing.T, st *store.Store, env kyc.Env) kyc.Applicant {
	t.Helper()
	a := kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), Env: env, Type: "individual", Status: "unverified", Level: "L0"}
	if err := st.CreateApplicant(context.Background(), &a, store.Effects{Audit: kyc.AuditEntry{Actor: "test", Action: "create", ResourceType: "applicant", ResourceID: a.ID}}); err != nil {
		t.Fatal(err)
	}
	return a
}

// execSQL runs one statement that changes rows the way no kycd operation does (to stand for data
// written before, or a key destroyed).
func execSQL(t *testing.T, st *store.Store, query string, args ...any) {
	t.Helper()
	err := st.Change(context.Background(), kyc.EnvLive, func(tx *store.Tx) (store.Effects, error) {
		_, err := tx.Exec(context.Background(), query, args...)
		return store.Effects{Audit: kyc.AuditEntry{Actor: "test", Action: "test.sql", ResourceType: "test", ResourceID: "sql"}}, err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestMoveBytesUnderTheirKeys: a file's bytes stored under the master key (before files had data
// keys) are moved under the applicant's key by MoveUnderKeys: afterwards the master key alone no
// longer opens them, the service reads the same bytes, and a second run finds nothing. Bytes that
// do not match the file's SHA-256 are left as they are, with an error.
func TestMoveBytesUnderTheirKeys(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st, file.Config{}, nil)
		ctx := context.Background()
		a := b.live
		data := pngOf(t, 24, 24)
		sum := sha256.Sum256(data)
		old := kyc.File{ID: kyc.NewID(kyc.PrefixFile), Env: kyc.EnvLive, ApplicantID: a.ID, Tag: "id-front", MIME: "image/png",
			Size: int64(len(data)), SHA256: "not-its-digest", Width: 24, Height: 24}
		old.BlobKey = "live/" + a.ID + "/" + old.ID
		if _, err := b.blobs.Put(ctx, old.BlobKey, bytes.NewReader(data)); err != nil {
			t.Fatal(err)
		}
		if err := st.CreateFile(ctx, &old, store.Effects{Audit: kyc.AuditEntry{Actor: "test", Action: "file.create", ResourceType: "file", ResourceID: old.ID}}); err != nil {
			t.Fatal(err)
		}
		execSQL(t, st, `UPDATE files SET under_data_key = FALSE WHERE id = ?`, old.ID) // as migration 00035 leaves it

		if n, err := b.svc.MoveUnderKeys(ctx, st, kyc.EnvLive, 10); n != 0 || err == nil || !strings.Contains(err.Error(), "SHA-256") {
			t.Fatalf("bytes that do not match: %d %v", n, err)
		}
		execSQL(t, st, `UPDATE files SET sha256 = ? WHERE id = ?`, hex.EncodeToString(sum[:]), old.ID)
		if n, err := b.svc.MoveUnderKeys(ctx, st, kyc.EnvLive, 10); n != 1 || err != nil {
			t.Fatalf("move: %d %v", n, err)
		}
		if rc, err := b.blobs.Get(ctx, old.BlobKey); !errors.Is(err, seal.ErrOpen) {
			if rc != nil {
				_ = rc.Close()
			}
			t.Fatalf("the moved bytes still open under the master key alone: %v", err)
		}
		if got, err := readFile(b, kyc.EnvLive, old.ID); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("the moved file: %d bytes, %v", len(got), err)
		}
		if n, err := b.svc.MoveUnderKeys(ctx, st, kyc.EnvLive, 10); n != 0 || err != nil {
			t.Fatalf("nothing left: %d %v", n, err)
		}
	})
}
