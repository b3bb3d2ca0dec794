package share_test

import (
	"context"
	"errors"
	"testing"

	"kycd/internal/kyc"
	"kycd/internal/share"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// TestShares: a share round-trips with its sealed data, is found by the partner's reference in
// its own environment only, bumps its revision only on a state change, and stays in its environment.
func TestShares(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		shares := share.NewRepo(s)
		a := newApplicant(t, s, kyc.EnvTest, "user-1")
		id := kyc.NewID(kyc.PrefixShare)
		sh := kyc.Share{ID: id, Env: kyc.EnvTest, ApplicantID: a.ID, Partner: "alchemypay", Status: "queued", Mode: "new",
			RequestNo: id, Options: map[string]string{"kycPlatform": "kycd"}}
		if err := shares.Create(ctx, &sh, audit("share.create", id)); err != nil {
			t.Fatal(err)
		}
		dup := sh
		dup.ID = kyc.NewID(kyc.PrefixShare)
		if err := shares.Create(ctx, &dup, audit("share.create", dup.ID)); !errors.Is(err, kyc.ErrConflict) {
			t.Fatalf("same request number twice: %v", err)
		}
		bad := kyc.Share{ID: kyc.NewID(kyc.PrefixShare), Env: kyc.EnvLive, ApplicantID: a.ID, Partner: "interlace", Status: "queued", Mode: "new", RequestNo: "x"}
		if err := shares.Create(ctx, &bad, audit("share.create", bad.ID)); err == nil {
			t.Fatal("a share for another environment's applicant was stored")
		}
		// Bookkeeping without an audit entry keeps the revision.
		r, err := shares.Update(ctx, kyc.EnvTest, id, func(r *share.Record) (store.Effects, error) {
			r.Steps["file:idFront"] = "F1"
			r.Attempts++
			return store.Effects{}, nil
		})
		if err != nil || r.Revision != 0 || r.Attempts != 1 {
			t.Fatalf("bookkeeping: %+v %v", r, err)
		}
		r, err = shares.Update(ctx, kyc.EnvTest, id, func(r *share.Record) (store.Effects, error) {
			r.Status, r.Reference, r.Message = "rejected", "REF-9", "blurred photo"
			return store.Effects{Audit: kyc.AuditEntry{Actor: "system:share", Action: "share.rejected", ResourceType: "share", ResourceID: id},
				Events: []store.NewEvent{{Type: kyc.EventShareRejected, ResourceType: "share", ResourceID: id}}}, nil
		})
		if err != nil || r.Revision != 1 {
			t.Fatalf("state change: %+v %v", r, err)
		}
		got, err := shares.ByReference(ctx, kyc.EnvTest, "alchemypay", "REF-9")
		if err != nil || got.Status != "rejected" || got.Message != "blurred photo" || got.Steps["file:idFront"] != "F1" || got.Options["kycPlatform"] != "kycd" {
			t.Fatalf("by reference: %+v %v", got, err)
		}
		if _, err := shares.ByReference(ctx, kyc.EnvTest, "interlace", "REF-9"); !errors.Is(err, kyc.ErrNotFound) {
			t.Fatalf("another partner's reference: %v", err)
		}
		if _, err := shares.ByReference(ctx, kyc.EnvLive, "alchemypay", "REF-9"); !errors.Is(err, kyc.ErrNotFound) {
			t.Fatalf("a live callback found a test share: %v", err)
		}
		if _, err := shares.Get(ctx, kyc.EnvLive, id); !errors.Is(err, kyc.ErrNotFound) {
			t.Fatalf("live sees a test share: %v", err)
		}
		pg, err := shares.List(ctx, kyc.EnvTest, a.ID, "", 10)
		if err != nil || len(pg.Items) != 1 || pg.Items[0].ID != id {
			t.Fatalf("list: %+v %v", pg, err)
		}
		evs, err := s.ListEvents(ctx, kyc.EnvTest, store.EventFilter{ResourceID: id}, "", 10)
		if err != nil || len(evs.Items) != 1 || evs.Items[0].Type != kyc.EventShareRejected || evs.Items[0].Revision != 1 {
			t.Fatalf("events: %+v %v", evs, err)
		}
	})
}

// TestNeverSharedAndChangedSinceShared: approved applicants without a share are found; once
// shared, only a change to the applicant lists them again (for Saintpay's update).
func TestNeverSharedAndChangedSinceShared(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		shares := share.NewRepo(s)
		a := newApplicant(t, s, kyc.EnvLive, "")
		list := func(changed bool) []string {
			find := shares.NeverShared
			if changed {
				find = shares.ChangedSinceShared
			}
			ids, err := find(ctx, kyc.EnvLive, "saintpay", 10)
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
		if err := shares.Create(ctx, &sh, audit("share.create", id)); err != nil {
			t.Fatal(err)
		}
		if len(list(false)) != 0 || len(list(true)) != 0 {
			t.Fatal("a shared, unchanged applicant is listed")
		}
		sharedAt := a.Revision
		_, _ = s.UpdateApplicant(ctx, kyc.EnvLive, a.ID, func(a *kyc.Applicant) (store.Effects, error) {
			a.Profile.Occupation = "15-1252"
			return audit("update", a.ID), nil
		})
		if ids := list(true); len(ids) != 1 || ids[0] != a.ID {
			t.Fatalf("changed since its share: %v", ids)
		}
		// A share still under way (queued) holds the changed applicant back.
		id = kyc.NewID(kyc.PrefixShare)
		sh = kyc.Share{ID: id, Env: kyc.EnvLive, ApplicantID: a.ID, Partner: "saintpay", Status: "queued", Mode: "update", RequestNo: id, ApplicantRevision: sharedAt}
		if err := shares.Create(ctx, &sh, audit("share.create", id)); err != nil {
			t.Fatal(err)
		}
		if ids := list(true); len(ids) != 0 {
			t.Fatalf("changed, with a share under way: %v", ids)
		}
	})
}

// audit is the effects of a test change: its audit entry.
func audit(action, id string) store.Effects {
	return store.Effects{Audit: kyc.AuditEntry{Actor: "key_test", Action: action, ResourceType: "test", ResourceID: id}}
}

// newApplicant creates an unverified applicant of env.
func newApplicant(t *testing.T, s *store.Store, env kyc.Env, ext string) kyc.Applicant {
	t.Helper()
	a := kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), Env: env, ExternalID: ext, Type: "individual", Status: "unverified", Level: "L0",
		Email: "anna@example.com", Profile: kyc.Profile{FirstName: "Anna", LastName: "Eriksson", DateOfBirth: "1974-08-12"},
		Addresses: []kyc.Address{{Type: "residential", City: "Tokyo", Country: "JP"}}}
	if err := s.CreateApplicant(context.Background(), &a, audit("applicant.create", a.ID)); err != nil {
		t.Fatal(err)
	}
	return a
}
