package gather_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"kycd/internal/gather"
	"kycd/internal/kyc"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// TestApplyIsAllOrNothing: an update whose second step is refused keeps neither its profile change
// nor its first step's document, answers a *gather.StepError naming the step, and leaves the draft
// as it was.
func TestApplyIsAllOrNothing(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st)
		svc := b.service(b.st, b.st)
		w := b.who()
		bill := upload(t, svc, w, gather.SlotAddress, 1)
		front := upload(t, svc, w, gather.SlotFront, 2)
		bad := gather.Claim{Subtype: "passport", Identification: kyc.Identification{IssueDate: "2030-01-01", ExpiryDate: "2020-01-01"}}
		_, _, err := svc.Apply(t.Context(), w, gather.Update{Profile: &kyc.Profile{FirstName: "Bo"},
			Steps: []gather.Step{{Slot: gather.SlotAddress, Claim: gather.Claim{Subtype: "utility-bill"}}, {Slot: gather.SlotFront, Claim: bad}}})
		var se *gather.StepError
		if !errors.As(err, &se) || se.Index != 1 || invalidField(t, se.Err) != "body.identification.expiryDate" {
			t.Fatalf("got %v, want step 1 refused on its expiry date", err)
		}
		if docs := b.documents(t); len(docs) != 0 {
			t.Fatalf("a refused update created %d documents", len(docs))
		}
		if a, err := b.st.Applicant(t.Context(), kyc.EnvTest, b.applicant.ID); err != nil || a.Profile.FirstName != "Anna" {
			t.Fatalf("a refused update changed the profile: %q, %v", a.Profile.FirstName, err)
		}
		d, err := svc.Draft(t.Context(), w)
		if err != nil {
			t.Fatal(err)
		}
		if d.Uploads[gather.SlotAddress].FileID != bill.ID || d.Uploads[gather.SlotFront].FileID != front.ID || d.Identity != nil || len(d.Submitted) != 0 {
			t.Fatalf("a refused update changed the draft: %+v", d)
		}
	})
}

// failingChanger is the store whose commits fail while failing is set.
type failingChanger struct {
	*store.Store
	failing bool
}

func (f *failingChanger) ChangeApplicant(ctx context.Context, env kyc.Env, id string, mutate func(a *kyc.Applicant) (store.Effects, error), docs []store.NewDocument, draft *store.Draft) (kyc.Applicant, error) {
	if f.failing {
		return kyc.Applicant{}, errors.New("database unavailable")
	}
	return f.Store.ChangeApplicant(ctx, env, id, mutate, docs, draft)
}

// TestSubmitFailingToCommitKeepsTheDraft: a submit whose transaction fails writes neither document
// nor draft, so the retry submits the staged files once (the counterpart of
// TestSubmitFailingInItsTransactionStoresNothing, where the failure comes inside the transaction).
func TestSubmitFailingToCommitKeepsTheDraft(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st)
		changer := &failingChanger{Store: st, failing: true}
		svc := b.service(b.st, changer)
		w := b.who()
		front := upload(t, svc, w, gather.SlotFront, 1)
		selfie := upload(t, svc, w, gather.SlotSelfie, 2)
		if _, doc, err := svc.SubmitIdentity(t.Context(), w, passport()); err == nil || doc != nil {
			t.Fatalf("submit with the database down: document %v, error %v", doc, err)
		}
		d, err := svc.Draft(t.Context(), w)
		if err != nil {
			t.Fatal(err)
		}
		if d.Uploads[gather.SlotFront].FileID != front.ID || d.Uploads[gather.SlotSelfie].FileID != selfie.ID || d.Identity != nil || len(d.Submitted) != 0 {
			t.Fatalf("a failed commit changed the draft: %+v", d)
		}
		changer.failing = false
		_, doc, err := svc.SubmitIdentity(t.Context(), w, passport())
		if err != nil {
			t.Fatal(err)
		}
		if docs := b.documents(t); doc == nil || len(docs) != 1 || docs[0].ID != doc.ID || !slices.Equal(doc.FileIDs, []string{front.ID, selfie.ID}) {
			t.Fatalf("retry: document %v, documents %+v; want one, of the staged files", doc, docs)
		}
	})
}
