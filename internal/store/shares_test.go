package store_test

import (
	"context"
	"errors"
	"testing"

	"kycd/internal/kyc"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// TestShares: a share round-trips with its sealed data, is found by the partner's reference in
// its own environment only, bumps its revision only on a state change, and stays in its environment.
func TestShares(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := newApplicant(t, s, kyc.EnvTest, "user-1")
		id := kyc.NewID(kyc.PrefixShare)
		sh := kyc.Share{ID: id, Env: kyc.EnvTest, ApplicantID: a.ID, Partner: "alchemypay", Status: "queued", Mode: "new",
			RequestNo: id, Options: map[string]string{"kycPlatform": "kycd"}}
		if err := s.CreateShare(ctx, &sh, audit("share.create", id)); err != nil {
			t.Fatal(err)
		}
		dup := sh
		dup.ID = kyc.NewID(kyc.PrefixShare)
		if err := s.CreateShare(ctx, &dup, audit("share.create", dup.ID)); !errors.Is(err, kyc.ErrConflict) {
			t.Fatalf("same request number twice: %v", err)
		}
		bad := kyc.Share{ID: kyc.NewID(kyc.PrefixShare), Env: kyc.EnvLive, ApplicantID: a.ID, Partner: "interlace", Status: "queued", Mode: "new", RequestNo: "x"}
		if err := s.CreateShare(ctx, &bad, audit("share.create", bad.ID)); err == nil {
			t.Fatal("a share for another environment's applicant was stored")
		}
		// Bookkeeping without an audit entry keeps the revision.
		r, err := s.UpdateShare(ctx, kyc.EnvTest, id, func(r *store.ShareRecord) (store.Effects, error) {
			r.Steps["file:idFront"] = "F1"
			r.Attempts++
			return store.Effects{}, nil
		})
		if err != nil || r.Revision != 0 || r.Attempts != 1 {
			t.Fatalf("bookkeeping: %+v %v", r, err)
		}
		r, err = s.UpdateShare(ctx, kyc.EnvTest, id, func(r *store.ShareRecord) (store.Effects, error) {
			r.Status, r.Reference, r.Message = "rejected", "REF-9", "blurred photo"
			return store.Effects{Audit: kyc.AuditEntry{Actor: "system:share", Action: "share.rejected", ResourceType: "share", ResourceID: id},
				Events: []store.NewEvent{{Type: kyc.EventShareRejected, ResourceType: "share", ResourceID: id}}}, nil
		})
		if err != nil || r.Revision != 1 {
			t.Fatalf("state change: %+v %v", r, err)
		}
		got, err := s.ShareByReference(ctx, kyc.EnvTest, "alchemypay", "REF-9")
		if err != nil || got.Status != "rejected" || got.Message != "blurred photo" || got.Steps["file:idFront"] != "F1" || got.Options["kycPlatform"] != "kycd" {
			t.Fatalf("by reference: %+v %v", got, err)
		}
		if _, err := s.ShareByReference(ctx, kyc.EnvTest, "interlace", "REF-9"); !errors.Is(err, kyc.ErrNotFound) {
			t.Fatalf("another partner's reference: %v", err)
		}
		if _, err := s.ShareByReference(ctx, kyc.EnvLive, "alchemypay", "REF-9"); !errors.Is(err, kyc.ErrNotFound) {
			t.Fatalf("a live callback found a test share: %v", err)
		}
		if _, err := s.Share(ctx, kyc.EnvLive, id); !errors.Is(err, kyc.ErrNotFound) {
			t.Fatalf("live sees a test share: %v", err)
		}
		pg, err := s.ListShares(ctx, kyc.EnvTest, a.ID, "", 10)
		if err != nil || len(pg.Items) != 1 || pg.Items[0].ID != id {
			t.Fatalf("list: %+v %v", pg, err)
		}
		evs, err := s.ListEvents(ctx, kyc.EnvTest, store.EventFilter{ResourceID: id}, "", 10)
		if err != nil || len(evs.Items) != 1 || evs.Items[0].Type != kyc.EventShareRejected || evs.Items[0].Revision != 1 {
			t.Fatalf("events: %+v %v", evs, err)
		}
	})
}

// TestApplicantsToShare: approved applicants without a share are found; once shared, only a
// change to the applicant lists them again (for Saintpay's update).
func TestApplicantsToShare(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := newApplicant(t, s, kyc.EnvLive, "")
		list := func(changed bool) []string {
			ids, err := s.ApplicantsToShare(ctx, kyc.EnvLive, "saintpay", store.ShareCandidates{Statuses: []string{"approved"}, Changed: changed, Open: []string{"queued"}}, 10)
			if err != nil {
				t.Fatal(err)
			}
			return ids
		}
		if len(list(false)) != 0 {
			t.Fatal("an unverified applicant is listed")
		}
		a, _ = s.UpdateApplicant(ctx, kyc.EnvLive, a.ID, func(a *kyc.Applicant) (store.Effects, error) {
			a.Status = "approved"
			return audit("approve", a.ID), nil
		})
		if ids := list(false); len(ids) != 1 || ids[0] != a.ID || len(list(true)) != 0 {
			t.Fatalf("approved, never shared: %v %v", ids, list(true))
		}
		id := kyc.NewID(kyc.PrefixShare)
		sh := kyc.Share{ID: id, Env: kyc.EnvLive, ApplicantID: a.ID, Partner: "saintpay", Status: "approved", Mode: "new", RequestNo: id, ApplicantRevision: a.Revision}
		if err := s.CreateShare(ctx, &sh, audit("share.create", id)); err != nil {
			t.Fatal(err)
		}
		if len(list(false)) != 0 || len(list(true)) != 0 {
			t.Fatal("a shared, unchanged applicant is listed")
		}
		_, _ = s.UpdateApplicant(ctx, kyc.EnvLive, a.ID, func(a *kyc.Applicant) (store.Effects, error) {
			a.Profile.Occupation = "15-1252"
			return audit("update", a.ID), nil
		})
		if ids := list(true); len(ids) != 1 || ids[0] != a.ID {
			t.Fatalf("changed since its share: %v", ids)
		}
	})
}
