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
