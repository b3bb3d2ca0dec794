package document_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"kycd/internal/document"
	"kycd/internal/kyc"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// TestReviewFollowsTheDocumentsState: a person decides a document only in pending-review, or
// changes a decided one only with override; an archived document or one still being checked is a
// conflict, as is archiving twice; a rejection needs a known reason type (body.type). A refused
// review changes nothing; an accepted one records the reviewer, the outcome, the reason with its
// message trimmed, one revision and one audit entry.
func TestReviewFollowsTheDocumentsState(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st)
		ctx := context.Background()
		id := b.create(t, kyc.EnvTest, b.anna)
		accept := func(override bool) func() (kyc.Document, error) {
			return func() (kyc.Document, error) {
				return b.svc.Accept(ctx, "key_1", kyc.EnvTest, id, document.ReviewInput{Notes: "  looks fine ", Override: override})
			}
		}
		reject := func(typ string, override bool) func() (kyc.Document, error) {
			return func() (kyc.Document, error) {
				return b.svc.Reject(ctx, "key_2", kyc.EnvTest, id, document.Rejection{Type: typ, Message: " expired in 2019 ", Notes: "old", Override: override})
			}
		}
		archive := func() (kyc.Document, error) { return b.svc.Archive(ctx, "key_3", kyc.EnvTest, id) }
		steps := []struct {
			name   string
			before string // the status the document is moved to first, if any
			do     func() (kyc.Document, error)
			is     error    // the sentinel a refusal wraps
			fields []string // or the fields its validation error names
			status string   // the status after an accepted step
		}{
			{"accept while pending", "", accept(false), kyc.ErrConflict, nil, ""},
			{"reject while in progress", "in-progress", reject("document-expired", true), kyc.ErrConflict, nil, ""},
			{"reject with an unknown reason", "pending-review", reject("looks-odd", false), nil, []string{"body.type"}, ""},
			{"reject with no reason", "", reject("", false), nil, []string{"body.type"}, ""},
			{"accept in pending-review", "", accept(false), nil, nil, "accepted"},
			{"accept again", "", accept(false), kyc.ErrConflict, nil, ""},
			{"reject an accepted one", "", reject("document-expired", false), kyc.ErrConflict, nil, ""},
			{"reject an accepted one with override", "", reject("document-expired", true), nil, nil, "rejected"},
			{"accept a rejected one", "", accept(false), kyc.ErrConflict, nil, ""},
			{"archive", "", archive, nil, nil, "archived"},
			{"archive again", "", archive, kyc.ErrConflict, nil, ""},
			{"accept an archived one with override", "", accept(true), kyc.ErrConflict, nil, ""},
			{"reject an archived one with override", "", reject("other", true), kyc.ErrConflict, nil, ""},
		}
		for _, s := range steps {
			if s.before != "" {
				b.setStatus(t, kyc.EnvTest, id, s.before)
			}
			prev, err := b.svc.Get(ctx, kyc.EnvTest, id)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.do()
			now, _ := b.svc.Get(ctx, kyc.EnvTest, id)
			if s.status == "" {
				switch {
				case err == nil:
					t.Errorf("%s: accepted: %s", s.name, got.Status)
				case s.is != nil && !errors.Is(err, s.is):
					t.Errorf("%s: %v, want %v", s.name, err, s.is)
				case s.is == nil && !slices.Equal(fields(err), s.fields):
					t.Errorf("%s: %v: names %v, want %v", s.name, err, fields(err), s.fields)
				}
				if now.Revision != prev.Revision || now.Status != prev.Status {
					t.Errorf("%s: refused but changed the document: %s r%d -> %s r%d", s.name, prev.Status, prev.Revision, now.Status, now.Revision)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s: %v", s.name, err)
				continue
			}
			if got.Status != s.status || now.Status != s.status || now.Revision != prev.Revision+1 {
				t.Errorf("%s: returned %s, stored %s at r%d (was r%d); want %s", s.name, got.Status, now.Status, now.Revision, prev.Revision, s.status)
			}
		}

		d, _ := b.svc.Get(ctx, kyc.EnvTest, id)
		if r := d.Review; r == nil || r.Reviewer != "key_2" || r.Outcome != "rejected" || r.Reason != "document-expired" || !r.Override ||
			r.Notes != "old" || time.Since(r.ReviewedTime) > time.Minute {
			t.Errorf("the last review %+v", d.Review)
		}
		if rr := d.RejectionReason; rr == nil || rr.Type != "document-expired" || rr.Message != "expired in 2019" {
			t.Errorf("rejection reason %+v", d.RejectionReason)
		}
		var actions []string
		trail, _ := st.AuditTrail(ctx, kyc.EnvTest, id)
		for _, e := range trail {
			if e.Actor != "test" {
				actions = append(actions, string(e.Actor)+" "+e.Action)
			}
		}
		want := []string{"key_1 kyc-document.review", "key_2 kyc-document.review", "key_3 kyc-document.archive"}
		if !slices.Equal(actions, want) {
			t.Errorf("audit trail %v, want %v", actions, want)
		}
	})
}

// TestAcceptRecordsTrimmedNotes: an acceptance records the reviewer, the outcome and the notes
// without surrounding spaces, and no rejection reason.
func TestAcceptRecordsTrimmedNotes(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st)
		ctx := context.Background()
		id := b.create(t, kyc.EnvTest, b.anna)
		b.setStatus(t, kyc.EnvTest, id, "pending-review")
		d, err := b.svc.Accept(ctx, "key_1", kyc.EnvTest, id, document.ReviewInput{Notes: "  looks fine \n"})
		if err != nil {
			t.Fatal(err)
		}
		if r := d.Review; r == nil || r.Reviewer != "key_1" || r.Outcome != "accepted" || r.Notes != "looks fine" || r.Override || r.Reason != "" ||
			d.RejectionReason != nil {
			t.Errorf("review %+v, rejection %+v", d.Review, d.RejectionReason)
		}
	})
}

// TestReviewOfAFinishedRequestNeedsOverride: a document whose KYC request is already final
// (here failed) is decided by a person only with override.
func TestReviewOfAFinishedRequestNeedsOverride(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st)
		ctx := context.Background()
		rid := b.request(t, b.anna, "gathering", "identity-proof")
		in := b.passport(b.anna)
		in.RequestID = rid
		d, err := b.svc.Create(ctx, "test", kyc.EnvTest, in)
		if err != nil {
			t.Fatal(err)
		}
		b.setStatus(t, kyc.EnvTest, d.ID, "pending-review")
		if _, err := st.UpdateRequest(ctx, kyc.EnvTest, rid, func(r *kyc.Request) (store.Effects, error) {
			r.Status = "failed"
			return audit(r.ID), nil
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := b.svc.Accept(ctx, "key_1", kyc.EnvTest, d.ID, document.ReviewInput{}); !errors.Is(err, kyc.ErrConflict) {
			t.Errorf("accept without override: %v, want ErrConflict", err)
		}
		if got, err := b.svc.Accept(ctx, "key_1", kyc.EnvTest, d.ID, document.ReviewInput{Override: true}); err != nil || got.Status != "accepted" {
			t.Errorf("accept with override: %s, %v", got.Status, err)
		}
	})
}

// TestOtherEnvironmentIsNotFound: a document is invisible from the other environment: reading,
// accepting, rejecting or archiving it is ErrNotFound, as is an id that is not a document id,
// and it is left as it was.
func TestOtherEnvironmentIsNotFound(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st)
		ctx := context.Background()
		id := b.create(t, kyc.EnvLive, b.live)
		b.setStatus(t, kyc.EnvLive, id, "pending-review")
		for _, c := range []struct {
			env kyc.Env
			id  string
		}{{kyc.EnvTest, id}, {kyc.EnvLive, ""}, {kyc.EnvLive, b.live.ID}, {kyc.EnvLive, "doc_"}} {
			calls := map[string]func() error{
				"Get": func() error { _, err := b.svc.Get(ctx, c.env, c.id); return err },
				"Accept": func() error {
					_, err := b.svc.Accept(ctx, "k", c.env, c.id, document.ReviewInput{Override: true})
					return err
				},
				"Reject": func() error {
					_, err := b.svc.Reject(ctx, "k", c.env, c.id, document.Rejection{Type: "other", Override: true})
					return err
				},
				"Archive": func() error { _, err := b.svc.Archive(ctx, "k", c.env, c.id); return err },
			}
			for name, call := range calls {
				if err := call(); !errors.Is(err, kyc.ErrNotFound) {
					t.Errorf("%s %q in %s: %v, want ErrNotFound", name, c.id, c.env, err)
				}
			}
		}
		d, err := b.svc.Get(ctx, kyc.EnvLive, id)
		if err != nil || d.Status != "pending-review" || d.Revision != 1 {
			t.Errorf("in its own environment: %s r%d, %v", d.Status, d.Revision, err)
		}
	})
}
