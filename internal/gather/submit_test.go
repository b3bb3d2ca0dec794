package gather_test

import (
	"slices"
	"testing"

	"kycd/internal/gather"
	"kycd/internal/kyc"
	"kycd/internal/request"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// TestSubmitIdentityWaitsForTheSelfie: with a request that asks for a face proof, the identity
// claim is staged until the selfie is uploaded; then one identity-proof document is created for the
// request with the front, the back and the selfie, in that order, and the claim; the draft moves
// the three slots from staged to submitted, naming the document.
func TestSubmitIdentityWaitsForTheSelfie(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st)
		svc := b.service(b.st, b.st)
		w := b.newRequest(t, request.DocumentInput{Type: "identity-proof", FaceProofRequired: true})
		front := upload(t, svc, w, gather.SlotFront, 1)
		back := upload(t, svc, w, gather.SlotBack, 2)
		d, doc, err := svc.SubmitIdentity(t.Context(), w, passport())
		if err != nil {
			t.Fatal(err)
		}
		if doc != nil || d.Identity == nil {
			t.Fatalf("submitted without the selfie: document %v, staged claim %v", doc, d.Identity)
		}
		if _, _, err := svc.SubmitSelfie(t.Context(), w); invalidField(t, err) != "body.fileData" {
			t.Fatalf("selfie submitted before its upload: %v", err)
		}
		selfie := upload(t, svc, w, gather.SlotSelfie, 3)
		_, doc, err = svc.SubmitSelfie(t.Context(), w)
		if err != nil {
			t.Fatal(err)
		}
		if doc == nil {
			t.Fatal("no document once the selfie is there")
		}
		stored, err := b.st.Document(t.Context(), kyc.EnvTest, doc.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{front.ID, back.ID, selfie.ID}
		if stored.Type != "identity-proof" || stored.Subtype != "passport" || stored.RequestID != w.RequestID ||
			stored.ApplicantID != b.applicant.ID || !slices.Equal(stored.FileIDs, want) {
			t.Fatalf("stored document %+v, want an identity-proof passport of %s with files %v", stored, w.RequestID, want)
		}
		if id := stored.Identification; id == nil || id.Number != "L898902C3" || id.IssuingCountry != "SE" {
			t.Fatalf("stored identification %+v, want the claim's, country as alpha-2", id)
		}
		if docs := b.documents(t); len(docs) != 1 {
			t.Fatalf("%d documents, want 1", len(docs))
		}
		d, err = svc.Draft(t.Context(), w)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Uploads) != 0 || d.Identity != nil {
			t.Fatalf("draft still stages %+v, claim %v", d.Uploads, d.Identity)
		}
		for slot, f := range map[gather.Slot]string{gather.SlotFront: front.ID, gather.SlotBack: back.ID, gather.SlotSelfie: selfie.ID} {
			if sub := d.Submitted[slot]; sub.DocumentID != doc.ID || sub.FileID != f {
				t.Errorf("draft's submitted %s is %+v, want file %s in %s", slot, sub, f, doc.ID)
			}
		}
		if d.Submitted[gather.SlotFront].Claim == nil {
			t.Error("the submitted front lost its claim")
		}
	})
}

// TestSubmitIdentityWithoutFaceProof: a request that asks for no face proof takes the identity
// document with the front alone, at once.
func TestSubmitIdentityWithoutFaceProof(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st)
		svc := b.service(b.st, b.st)
		w := b.newRequest(t, request.DocumentInput{Type: "identity-proof"})
		front := upload(t, svc, w, gather.SlotFront, 1)
		_, doc, err := svc.SubmitIdentity(t.Context(), w, passport())
		if err != nil {
			t.Fatal(err)
		}
		if doc == nil || !slices.Equal(doc.FileIDs, []string{front.ID}) {
			t.Fatalf("document %+v, want one of the front %s alone", doc, front.ID)
		}
	})
}

// TestSubmitAddress: the staged proof of address becomes an address-proof document with the
// claim's subtype, and the address given becomes the applicant's residential address (its country
// taken from the nationality), in the same step.
func TestSubmitAddress(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st)
		svc := b.service(b.st, b.st)
		w := b.who()
		bill := upload(t, svc, w, gather.SlotAddress, 1)
		addr := kyc.Address{Line1: "Storgatan 1", City: "Stockholm", PostalCode: "111 22"}
		_, doc, err := svc.SubmitAddress(t.Context(), w, gather.Claim{Subtype: "utility-bill"}, &addr)
		if err != nil {
			t.Fatal(err)
		}
		if doc == nil || doc.Type != "address-proof" || doc.Subtype != "utility-bill" || !slices.Equal(doc.FileIDs, []string{bill.ID}) {
			t.Fatalf("document %+v, want an address-proof utility bill of %s", doc, bill.ID)
		}
		a, err := b.st.Applicant(t.Context(), kyc.EnvTest, b.applicant.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Addresses) != 1 || a.Addresses[0].Line1 != addr.Line1 || a.Addresses[0].Type != "residential" || a.Addresses[0].Country != "SE" {
			t.Fatalf("applicant's addresses %+v, want the residential address given, in SE", a.Addresses)
		}
	})
}

// TestSubmitRefusals: a submission the request does not take is refused before anything is
// written: no document, and the draft keeps its staged files for a later attempt.
func TestSubmitRefusals(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st)
		svc := b.service(b.st, b.st)
		tests := []struct {
			name  string
			who   func() gather.Who
			claim gather.Claim
			field string
		}{
			{"request abandoned", func() gather.Who {
				w := b.newRequest(t, request.DocumentInput{Type: "identity-proof"})
				if _, err := b.requests.Abandon(t.Context(), "test", kyc.EnvTest, w.RequestID); err != nil {
					t.Fatal(err)
				}
				return w
			}, passport(), "body.requestId"},
			{"request asks for another document", func() gather.Who {
				return b.newRequest(t, request.DocumentInput{Type: "address-proof"})
			}, passport(), "body.type"},
			{"claim expires before it was issued", func() gather.Who {
				return b.newRequest(t, request.DocumentInput{Type: "identity-proof"})
			}, gather.Claim{Subtype: "passport", Identification: kyc.Identification{IssueDate: "2030-01-01", ExpiryDate: "2020-01-01"}},
				"body.identification.expiryDate"},
		}
		front := upload(t, svc, b.who(), gather.SlotFront, 1)
		for _, tt := range tests {
			w := tt.who()
			if _, _, err := svc.SubmitIdentity(t.Context(), w, tt.claim); invalidField(t, err) != tt.field {
				t.Errorf("%s: %v, want refused on %s", tt.name, err, tt.field)
			}
		}
		if docs := b.documents(t); len(docs) != 0 {
			t.Fatalf("refused submissions created %d documents", len(docs))
		}
		d, err := svc.Draft(t.Context(), b.who())
		if err != nil {
			t.Fatal(err)
		}
		if d.Uploads[gather.SlotFront].FileID != front.ID || d.Identity != nil || len(d.Submitted) != 0 {
			t.Fatalf("draft after refusals: %+v, want the front %s still staged and nothing else", d, front.ID)
		}
	})
}
