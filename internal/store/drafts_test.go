package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"

	"kycd/internal/kyc"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// TestDrafts: a draft round-trips, belongs to its environment, is written only over the version
// it was read at, and is sealed at rest.
func TestDrafts(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := newApplicant(t, s, kyc.EnvTest, "")
		if _, err := s.Draft(ctx, kyc.EnvTest, a.ID); !errors.Is(err, kyc.ErrNotFound) {
			t.Fatalf("draft of an applicant who has none: %v, want not found", err)
		}
		const secret = "L898902C3-distinctive-passport-number"
		d := store.Draft{Env: kyc.EnvTest, ApplicantID: a.ID, Data: json.RawMessage(`{"identity":{"identification":{"number":"` + secret + `"}}}`)}
		if err := s.SaveDraft(ctx, &d); err != nil || d.Version != 1 || d.UpdatedTime.IsZero() {
			t.Fatalf("first save: version %d at %v, %v; want version 1", d.Version, d.UpdatedTime, err)
		}
		got, err := s.Draft(ctx, kyc.EnvTest, a.ID)
		if err != nil || got.Version != 1 || !bytes.Equal(got.Data, d.Data) || !got.UpdatedTime.Equal(d.UpdatedTime) || got.Env != kyc.EnvTest || got.ApplicantID != a.ID {
			t.Fatalf("round trip: %+v, %v; want %+v", got, err, d)
		}

		raw, err := s.RawDraftData(ctx, kyc.EnvTest, a.ID)
		if err != nil || len(raw) == 0 || bytes.Contains(raw, []byte(secret)) || bytes.Contains(raw, []byte("identification")) {
			t.Fatalf("the stored draft is not sealed: %q, %v", raw, err)
		}

		// Another environment sees no draft, and cannot write over this one.
		if _, err := s.Draft(ctx, kyc.EnvLive, a.ID); !errors.Is(err, kyc.ErrNotFound) {
			t.Fatalf("the test draft read in live: %v, want not found", err)
		}
		live := store.Draft{Env: kyc.EnvLive, ApplicantID: a.ID, Version: 1, Data: json.RawMessage(`{}`)}
		if err := s.SaveDraft(ctx, &live); !errors.Is(err, store.ErrDraftChanged) {
			t.Fatalf("a live write over the test draft: %v, want refused", err)
		}

		// Two writers read version 1: the first write wins, the second is refused and changes nothing.
		first, second := got, got
		first.Data = json.RawMessage(`{"uploads":{"id_proof_front":{"fileId":"fil_1"}}}`)
		second.Data = json.RawMessage(`{"uploads":{"id_proof_back":{"fileId":"fil_2"}}}`)
		if err := s.SaveDraft(ctx, &first); err != nil || first.Version != 2 {
			t.Fatalf("first writer: version %d, %v", first.Version, err)
		}
		err = s.SaveDraft(ctx, &second)
		if !errors.Is(err, store.ErrDraftChanged) || !errors.Is(err, kyc.ErrConflict) || second.Version != 1 {
			t.Fatalf("second writer: version %d, %v; want ErrDraftChanged (a conflict), version unchanged", second.Version, err)
		}
		// A second first draft is refused the same way.
		again := store.Draft{Env: kyc.EnvTest, ApplicantID: a.ID, Data: json.RawMessage(`{}`)}
		if err := s.SaveDraft(ctx, &again); !errors.Is(err, store.ErrDraftChanged) {
			t.Fatalf("a second first draft: %v, want ErrDraftChanged", err)
		}
		if got, err := s.Draft(ctx, kyc.EnvTest, a.ID); err != nil || got.Version != 2 || !bytes.Equal(got.Data, first.Data) {
			t.Fatalf("after the conflict: %+v, %v; want the first writer's draft", got, err)
		}
	})
}

// TestChangeApplicantWritesTheDraft: the documents of a submit and the draft they come from commit
// together; a draft written in between (ErrDraftChanged) keeps the documents out too.
func TestChangeApplicantWritesTheDraft(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := newApplicant(t, s, kyc.EnvTest, "")
		f := kyc.File{ID: kyc.NewID(kyc.PrefixFile), Env: kyc.EnvTest, ApplicantID: a.ID, Tag: "id-front", MIME: "image/png", Size: 10, SHA256: "ab", Width: 1, Height: 1, BlobKey: "k"}
		if err := s.CreateFile(ctx, &f, audit("file.create", f.ID)); err != nil {
			t.Fatal(err)
		}
		staged := store.Draft{Env: kyc.EnvTest, ApplicantID: a.ID, Data: json.RawMessage(`{"uploads":{"id_proof_front":{"fileId":"` + f.ID + `"}}}`)}
		if err := s.SaveDraft(ctx, &staged); err != nil {
			t.Fatal(err)
		}
		newDoc := func() store.NewDocument {
			d := &kyc.Document{ID: kyc.NewID(kyc.PrefixDocument), Env: kyc.EnvTest, ApplicantID: a.ID, Type: "identity-proof", Subtype: "passport",
				FileIDs: []string{f.ID}, Status: "pending"}
			return store.NewDocument{Document: d, Effects: audit("kyc-document.create", d.ID)}
		}

		// Another write of the draft comes between the read and the submit: nothing is stored.
		other := staged
		other.Data = json.RawMessage(`{"uploads":{"id_proof_front":{"fileId":"` + f.ID + `"},"id_proof_back":{"fileId":"fil_x"}}}`)
		if err := s.SaveDraft(ctx, &other); err != nil {
			t.Fatal(err)
		}
		stale := staged
		stale.Data = json.RawMessage(`{"submitted":{}}`)
		lost := newDoc()
		if _, err := s.ChangeApplicant(ctx, kyc.EnvTest, a.ID, nil, []store.NewDocument{lost}, &stale); !errors.Is(err, store.ErrDraftChanged) {
			t.Fatalf("submit over a changed draft: %v, want ErrDraftChanged", err)
		}
		if stale.Version != staged.Version {
			t.Fatalf("a refused submit moved the caller's draft to version %d", stale.Version)
		}
		if _, err := s.Document(ctx, kyc.EnvTest, lost.Document.ID); !errors.Is(err, kyc.ErrNotFound) {
			t.Fatalf("the document of a refused submit was stored: %v", err)
		}

		// Read again, the submit commits both.
		cur, err := s.Draft(ctx, kyc.EnvTest, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		cur.Data = json.RawMessage(`{"submitted":{"id_proof_front":{"documentId":"x"}}}`)
		kept := newDoc()
		if _, err := s.ChangeApplicant(ctx, kyc.EnvTest, a.ID, nil, []store.NewDocument{kept}, &cur); err != nil || cur.Version != 3 {
			t.Fatalf("submit: version %d, %v; want version 3", cur.Version, err)
		}
		if _, err := s.Document(ctx, kyc.EnvTest, kept.Document.ID); err != nil {
			t.Fatalf("the submitted document: %v", err)
		}
		if got, err := s.Draft(ctx, kyc.EnvTest, a.ID); err != nil || got.Version != 3 || !bytes.Equal(got.Data, cur.Data) {
			t.Fatalf("draft after the submit: %+v, %v", got, err)
		}
	})
}
