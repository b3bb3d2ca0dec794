package share_test

import (
	"context"
	"testing"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/share"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// TestShareByReferenceStaysInItsEnvironment: a test share that names a live share's partner
// reference (an Interlace accountId) never takes the live share's callbacks, and the other way
// round, even when the test share is the newer one.
func TestShareByReferenceStaysInItsEnvironment(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		shares := share.NewRepo(s)
		const account = "3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
		ids := map[kyc.Env]string{}
		for _, env := range []kyc.Env{kyc.EnvLive, kyc.EnvTest} { // the test share is the newer
			a := newApplicant(t, s, env, "user-"+string(env))
			id := kyc.NewID(kyc.PrefixShare)
			sh := kyc.Share{ID: id, Env: env, ApplicantID: a.ID, Partner: "interlace", Status: "submitted", Mode: "new", RequestNo: id,
				Reference: account, Options: map[string]string{"accountId": account}}
			if err := shares.Create(ctx, &sh, audit("share.create", id)); err != nil {
				t.Fatal(err)
			}
			ids[env] = id
		}
		for env, id := range ids {
			got, err := shares.ByReference(ctx, env, "interlace", account)
			if err != nil || got.ID != id || got.Env != env {
				t.Fatalf("%s callback found %s (%s), want %s: %v", env, got.ID, got.Env, id, err)
			}
		}
	})
}

// TestShareCallbackBookkeeping: the callbacks a share has taken and the time of its last
// confirming query round-trip, sealed, without a new revision.
func TestShareCallbackBookkeeping(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		shares := share.NewRepo(s)
		a := newApplicant(t, s, kyc.EnvLive, "user-1")
		id := kyc.NewID(kyc.PrefixShare)
		sh := kyc.Share{ID: id, Env: kyc.EnvLive, ApplicantID: a.ID, Partner: "alchemypay", Status: "submitted", Mode: "new", RequestNo: id}
		if err := shares.Create(ctx, &sh, audit("share.create", id)); err != nil {
			t.Fatal(err)
		}
		at := time.Now().UTC().Truncate(time.Microsecond)
		if _, err := shares.Update(ctx, kyc.EnvLive, id, func(r *share.Record) (store.Effects, error) {
			if len(r.Callbacks) != 0 || !r.ConfirmedAt.IsZero() {
				t.Errorf("a new share has callbacks %v, confirmed %v", r.Callbacks, r.ConfirmedAt)
			}
			r.Callbacks["k1"], r.ConfirmedAt = at, at
			return store.Effects{}, nil
		}); err != nil {
			t.Fatal(err)
		}
		got, err := shares.Get(ctx, kyc.EnvLive, id)
		if err != nil || !got.Callbacks["k1"].Equal(at) || !got.ConfirmedAt.Equal(at) || got.Revision != 0 {
			t.Fatalf("%+v %v", got, err)
		}
	})
}
