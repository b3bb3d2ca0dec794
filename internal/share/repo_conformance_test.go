package share_test

import (
	"context"
	"testing"

	"kycd/internal/kyc"
	"kycd/internal/share"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// shares is the share repository seen through storetest.Repository.
var shares = storetest.Repository{
	Name: "shares", Prefix: kyc.PrefixShare,
	Create: func(ctx context.Context, st *store.Store, p storetest.Parents, env kyc.Env, id string, eff store.Effects) error {
		sh := kyc.Share{ID: id, Env: env, ApplicantID: p.Applicant[env], Partner: "alchemypay", Status: "queued", Mode: "new", RequestNo: id}
		return share.NewRepo(st).Create(ctx, &sh, eff)
	},
	Get: func(ctx context.Context, st *store.Store, env kyc.Env, id string) (int64, error) {
		sh, err := share.NewRepo(st).Get(ctx, env, id)
		return sh.Revision, err
	},
	Update: func(ctx context.Context, st *store.Store, env kyc.Env, id string, effects func() (store.Effects, error)) error {
		_, err := share.NewRepo(st).Update(ctx, env, id, func(r *share.Record) (store.Effects, error) {
			r.Attempts++
			return effects()
		})
		return err
	},
	List: func(ctx context.Context, st *store.Store, p storetest.Parents, env kyc.Env, cursor string) ([]string, string, error) {
		p2, err := share.NewRepo(st).List(ctx, env, p.Applicant[env], cursor, 3)
		return storetest.PageIDs(p2, err, func(sh kyc.Share) string { return sh.ID })
	},
}

// TestRepoConformance holds the share repository, on SQLite and PostgreSQL, to the contract every
// repository keeps (storetest.Conform).
func TestRepoConformance(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) { storetest.Conform(t, st, shares) })
}
