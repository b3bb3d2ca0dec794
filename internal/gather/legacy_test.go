package gather_test

import (
	"bytes"
	"errors"
	"testing"

	"kycd/internal/gather"
	"kycd/internal/kyc"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// TestDraftInTheBlobStoreMoves: a draft that an earlier kycd left in the blob store
// (drafts/<env>/<applicant id>) is read while the applicant has no draft in the database, and moved
// there by its first change: the blob is deleted, the staged files are kept.
func TestDraftInTheBlobStoreMoves(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st)
		svc := b.service(b.st, b.st)
		w := b.who()
		key := "drafts/test/" + w.ApplicantID
		old := []byte(`{"uploads":{"id_proof_front":{"fileId":"fil_01J9Z3K6Q5W8C2B7X4N0M1R2S3","time":"2026-11-30T10:00:00Z"}}}`)
		if _, err := b.blobs.Put(t.Context(), key, bytes.NewReader(old)); err != nil {
			t.Fatal(err)
		}
		d, err := svc.Draft(t.Context(), w)
		if err != nil || d.Uploads[gather.SlotFront].FileID != "fil_01J9Z3K6Q5W8C2B7X4N0M1R2S3" {
			t.Fatalf("draft read from the blob store: %+v, %v", d, err)
		}
		if _, err := st.Draft(t.Context(), w.Env, w.ApplicantID); !errors.Is(err, kyc.ErrNotFound) {
			t.Fatalf("a read wrote the draft to the database: %v", err)
		}

		selfie := upload(t, svc, w, gather.SlotSelfie, 1)
		if ok, err := b.blobs.Exists(t.Context(), key); err != nil || ok {
			t.Fatalf("the moved draft's blob is still there (%v, %v)", ok, err)
		}
		d, err = svc.Draft(t.Context(), w)
		if err != nil || d.Uploads[gather.SlotFront].FileID != "fil_01J9Z3K6Q5W8C2B7X4N0M1R2S3" || d.Uploads[gather.SlotSelfie].FileID != selfie.ID {
			t.Fatalf("draft after the move: %+v, %v; want the old front and the new selfie", d, err)
		}
		if row, err := st.Draft(t.Context(), w.Env, w.ApplicantID); err != nil || row.Version != 1 {
			t.Fatalf("draft in the database: version %d, %v", row.Version, err)
		}
	})
}
