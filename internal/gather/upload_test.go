package gather_test

import (
	"errors"
	"slices"
	"testing"

	"kycd/internal/gather"
	"kycd/internal/kyc"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// TestUploadStagesEachSlot: an upload is stored as a file of the applicant under its slot's tag and
// staged in the draft under its slot, beside the other slots' uploads; nothing is submitted.
func TestUploadStagesEachSlot(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st)
		svc := b.service(b.st, b.st)
		w := b.who()
		want := map[gather.Slot]string{}
		for i, slot := range gather.Slots {
			f := upload(t, svc, w, slot, i)
			if f.Tag != slot.Tag() || f.ApplicantID != b.applicant.ID || f.Env != kyc.EnvTest {
				t.Fatalf("%s: file %+v, want tag %s of applicant %s", slot, f, slot.Tag(), b.applicant.ID)
			}
			want[slot] = f.ID
		}
		d, err := svc.Draft(t.Context(), w)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Uploads) != len(want) {
			t.Fatalf("draft stages %d uploads, want %d: %+v", len(d.Uploads), len(want), d.Uploads)
		}
		for slot, id := range want {
			if got := d.Uploads[slot].FileID; got != id {
				t.Errorf("draft's %s is %q, want %q", slot, got, id)
			}
		}
		if d.Identity != nil || len(d.Submitted) != 0 {
			t.Errorf("uploads alone submitted something: %+v", d)
		}
		if docs := b.documents(t); len(docs) != 0 {
			t.Errorf("uploads alone created %d documents", len(docs))
		}
	})
}

// TestUploadReplacesTheStagedFile: a second upload to a slot replaces the staged one, and the
// document submitted afterwards holds the second file, not the first (which stays stored, in no
// document).
func TestUploadReplacesTheStagedFile(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st)
		svc := b.service(b.st, b.st)
		w := b.who()
		first := upload(t, svc, w, gather.SlotFront, 1)
		second := upload(t, svc, w, gather.SlotFront, 2)
		selfie := upload(t, svc, w, gather.SlotSelfie, 3)
		d, err := svc.Draft(t.Context(), w)
		if err != nil {
			t.Fatal(err)
		}
		if got := d.Uploads[gather.SlotFront].FileID; got != second.ID {
			t.Fatalf("staged front is %s, want the second upload %s (first %s)", got, second.ID, first.ID)
		}
		_, doc, err := svc.SubmitIdentity(t.Context(), w, passport())
		if err != nil {
			t.Fatal(err)
		}
		if doc == nil {
			t.Fatal("no document submitted with the front and the selfie staged")
		}
		if want := []string{second.ID, selfie.ID}; !slices.Equal(doc.FileIDs, want) {
			t.Fatalf("document files %v, want %v", doc.FileIDs, want)
		}
		if _, err := b.files.Get(t.Context(), kyc.EnvTest, first.ID); err != nil {
			t.Fatalf("the replaced file: %v", err)
		}
	})
}

// TestUploadRefusals: an upload to no slot, a file that is not an accepted image, and an applicant
// of another environment are refused, and nothing is staged in either environment's draft.
func TestUploadRefusals(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st)
		svc := b.service(b.st, b.st)
		live := gather.Who{Env: kyc.EnvLive, ApplicantID: b.applicant.ID}
		tests := []struct {
			name string
			who  gather.Who
			slot gather.Slot
			body []byte
			// field is the field a validation error names; without one, want is the error.
			field string
			want  error
		}{
			{"a slot that is not one", b.who(), "passport", pngBytes(t, 1), "body.fileData.type", nil},
			{"not an image", b.who(), gather.SlotFront, []byte("%%% this is not an image, only text %%%\n"), "", kyc.ErrUnsupportedMedia},
			{"applicant of another environment", live, gather.SlotFront, pngBytes(t, 2), "body.applicantId", nil},
		}
		for _, tt := range tests {
			_, err := svc.Upload(t.Context(), tt.who, tt.slot, spool(t, tt.body))
			if tt.field == "" {
				if !errors.Is(err, tt.want) {
					t.Errorf("%s: got %v, want %v", tt.name, err, tt.want)
				}
			} else if got := invalidField(t, err); got != tt.field {
				t.Errorf("%s: refused on %s, want %s (%v)", tt.name, got, tt.field, err)
			}
		}
		for _, w := range []gather.Who{b.who(), live} {
			d, err := svc.Draft(t.Context(), w)
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Uploads) != 0 {
				t.Errorf("%s draft stages a refused upload: %+v", w.Env, d.Uploads)
			}
		}
	})
}
