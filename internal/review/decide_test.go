package review_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"kycd/internal/kyc"
	"kycd/internal/review"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// carried is a Decider that decides documents as the real one does in effect (their event closes
// the case) and records what it was asked.
type carried struct {
	f *fixture
	// retry is what CanRetry answers.
	retry bool
	mu    sync.Mutex
	// calls are "action by approvedBy".
	calls []string
}

func (c *carried) Override(ctx context.Context, rc review.Case, d review.Decision) (bool, error) {
	if rc.Kind != review.KindDocument || d.Action != review.ActionAccept {
		return false, nil
	}
	doc, err := c.f.st.Document(ctx, rc.Env, rc.SubjectID)
	for _, ck := range doc.CheckList {
		if ck.Failed {
			return true, err
		}
	}
	return false, err
}

func (c *carried) CanRetry(context.Context, review.Case) (bool, error) { return c.retry, nil }

func (c *carried) Carry(ctx context.Context, rc review.Case, d review.Decision, by, approvedBy kyc.Actor) error {
	c.mu.Lock()
	c.calls = append(c.calls, d.Action+" by "+string(by)+" approved by "+string(approvedBy))
	c.mu.Unlock()
	if rc.Kind == review.KindDocument {
		doc, err := c.f.st.Document(ctx, rc.Env, rc.SubjectID)
		if err != nil {
			return err
		}
		c.f.decide(doc, rc.Level, map[string]string{review.ActionAccept: "accepted", review.ActionReject: "rejected", review.ActionNewAttempt: "rejected"}[d.Action])
	}
	return nil
}

// TestFourEyes: on a level that needs four eyes, a rejection, an override and a confirmed match
// wait for a second person with the approver role who is not their author, not even an admin
// approving their own; a plain acceptance and a false positive are carried out at once; an
// override needs a note; one proposal waits per case; an approval carries the author's decision
// out naming the approver; a refusal lets the case wait again. A level without four eyes decides
// at once.
func TestFourEyes(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		f.svc = review.NewService(st, review.Config{FourEyes: map[string]bool{"L2": true}, Now: f.now})
		dec := &carried{f: f}
		f.svc.SetDecider(dec)
		ctx := f.ctx
		caseOf := func(d kyc.Document) review.Case {
			t.Helper()
			for _, c := range f.queue(kyc.EnvLive, review.Filter{Snoozed: true}) {
				if c.SubjectID == d.ID {
					return c
				}
			}
			t.Fatalf("no open case for %s", d.ID)
			return review.Case{}
		}
		ana, bob := review.Person{ID: "usr_ana", Approver: true}, review.Person{ID: "usr_bob", Approver: true}
		rita := review.Person{ID: "usr_rita"}
		a := f.applicant(kyc.EnvLive)
		reject := review.Decision{Action: review.ActionReject, RejectionType: "document-expired", Message: "Your passport has expired; send a valid one."}

		// Bad decisions are refused, whatever the level.
		doc := f.document(a, "L2", "pending-review", kyc.Check{Name: "mrz-checksum", Failed: true})
		c := caseOf(doc)
		for _, bad := range []review.Decision{{Action: "approve"}, {Action: review.ActionReject, RejectionType: "bogus", Message: "x"},
			{Action: review.ActionReject, RejectionType: "document-expired"}, {Action: review.ActionConfirm}} {
			if _, err := f.svc.Decide(ctx, kyc.EnvLive, c.ID, rita, bad); !errors.As(err, new(*kyc.ValidationError)) {
				t.Errorf("decision %+v: %v, want a validation error", bad, err)
			}
		}
		// Accepting against a failed check is an override: it needs a note, then four eyes.
		if _, err := f.svc.Decide(ctx, kyc.EnvLive, c.ID, rita, review.Decision{Action: review.ActionAccept}); !errors.As(err, new(*kyc.ValidationError)) {
			t.Fatalf("an override without a note: %v", err)
		}
		out, err := f.svc.Decide(ctx, kyc.EnvLive, c.ID, rita, review.Decision{Action: review.ActionAccept, Note: "the checksum misread a smudged digit"})
		if err != nil || out.Done || out.Proposal.ID == "" {
			t.Fatalf("an override on an L2 case: %+v %v, want a proposal", out, err)
		}
		if _, err := f.svc.Decide(ctx, kyc.EnvLive, c.ID, ana, reject); !errors.Is(err, kyc.ErrConflict) {
			t.Fatalf("a second proposal: %v", err)
		}
		if len(dec.calls) != 0 {
			t.Fatalf("carried out before approval: %v", dec.calls)
		}
		// The author cannot approve, even as an approver; nor can a reviewer.
		if _, err := f.svc.Approve(ctx, kyc.EnvLive, out.Proposal.ID, review.Person{ID: "usr_rita", Approver: true}); !errors.Is(err, kyc.ErrForbidden) {
			t.Fatalf("the author approves: %v", err)
		}
		if _, err := f.svc.Approve(ctx, kyc.EnvLive, out.Proposal.ID, review.Person{ID: "usr_other"}); !errors.Is(err, kyc.ErrForbidden) {
			t.Fatalf("a reviewer approves: %v", err)
		}
		// Two approvers at once: the decision is carried out once.
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, p := range []review.Person{ana, bob} {
			wg.Go(func() { _, errs[i] = f.svc.Approve(ctx, kyc.EnvLive, out.Proposal.ID, p) })
		}
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) || !errors.Is(errors.Join(errs...), kyc.ErrConflict) {
			t.Fatalf("two approvals at once: %v, want one to win and one conflict", errs)
		}
		if len(dec.calls) != 1 || dec.calls[0] != "accept by user:usr_rita approved by user:usr_ana" && dec.calls[0] != "accept by user:usr_rita approved by user:usr_bob" {
			t.Fatalf("carried: %v", dec.calls)
		}
		if got, _ := f.svc.Case(ctx, kyc.EnvLive, c.ID); got.Open {
			t.Fatal("the case is open after its approved decision")
		}
		if _, ok, _ := f.svc.Pending(ctx, kyc.EnvLive, c.ID); ok {
			t.Fatal("a proposal still waits on the decided case")
		}

		// A rejection waits; a refusal lets the case wait again, and a new proposal may come.
		doc = f.document(a, "L2", "pending-review")
		c = caseOf(doc)
		out, err = f.svc.Decide(ctx, kyc.EnvLive, c.ID, ana, reject)
		if err != nil || out.Done {
			t.Fatalf("a rejection on L2: %+v %v", out, err)
		}
		if _, err := f.svc.Refuse(ctx, kyc.EnvLive, out.Proposal.ID, ana); !errors.Is(err, kyc.ErrForbidden) {
			t.Fatalf("the author refuses: %v", err)
		}
		// While it waits, nobody decides past it: not an acceptance that would close the case.
		n0 := len(dec.calls)
		if _, err := f.svc.Decide(ctx, kyc.EnvLive, c.ID, rita, review.Decision{Action: review.ActionAccept}); !errors.Is(err, kyc.ErrConflict) || len(dec.calls) != n0 {
			t.Fatalf("an acceptance past a waiting proposal: %v, %d decisions carried out", err, len(dec.calls)-n0)
		}
		if _, err := f.svc.Refuse(ctx, kyc.EnvLive, out.Proposal.ID, bob); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Approve(ctx, kyc.EnvLive, out.Proposal.ID, bob); !errors.Is(err, kyc.ErrConflict) {
			t.Fatalf("approving a refused proposal: %v", err)
		}
		if got, _ := f.svc.Case(ctx, kyc.EnvLive, c.ID); !got.Open {
			t.Fatal("the case closed on a refusal")
		}
		// A plain acceptance is carried out at once, even on L2.
		n := len(dec.calls)
		if out, err := f.svc.Decide(ctx, kyc.EnvLive, c.ID, rita, review.Decision{Action: review.ActionAccept}); err != nil || !out.Done || len(dec.calls) != n+1 {
			t.Fatalf("a plain acceptance: %+v %v %v", out, err, dec.calls)
		}

		// A new attempt is asked only of a request with an attempt left, and at once: it is not a
		// final rejection.
		doc = f.document(a, "L2", "pending-review")
		retry := reject
		retry.Action = review.ActionNewAttempt
		if _, err := f.svc.Decide(ctx, kyc.EnvLive, caseOf(doc).ID, rita, retry); !errors.Is(err, kyc.ErrConflict) {
			t.Fatalf("a new attempt without attempts left: %v", err)
		}
		dec.retry = true
		if out, err := f.svc.Decide(ctx, kyc.EnvLive, caseOf(doc).ID, rita, retry); err != nil || !out.Done {
			t.Fatalf("a new attempt: %+v %v", out, err)
		}

		// A level without four eyes: a rejection is carried out at once.
		doc = f.document(a, "L1", "pending-review")
		if out, err := f.svc.Decide(ctx, kyc.EnvLive, caseOf(doc).ID, rita, reject); err != nil || !out.Done {
			t.Fatalf("a rejection on L1: %+v %v", out, err)
		}
		// A case someone else holds cannot be decided by another.
		doc = f.document(a, "L1", "pending-review")
		held := caseOf(doc)
		if _, err := f.svc.Claim(ctx, kyc.EnvLive, held.ID, "usr_bob"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Decide(ctx, kyc.EnvLive, held.ID, rita, reject); !errors.Is(err, kyc.ErrConflict) {
			t.Fatalf("deciding a case another holds: %v", err)
		}

		// The audit log names each person: the proposal's author, the approver, the refuser.
		trail, err := st.AuditTrail(ctx, kyc.EnvLive, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		var acts []string
		for _, e := range trail {
			acts = append(acts, e.Action+" "+string(e.Actor))
		}
		if len(acts) != 2 || acts[0] != "review-case.propose user:usr_ana" || acts[1] != "review-case.refuse user:usr_bob" {
			t.Fatalf("audit trail of the refused case: %v", acts)
		}
	})
}
