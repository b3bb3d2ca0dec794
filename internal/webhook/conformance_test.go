package webhook

import (
	"context"
	"testing"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// TestRepositoryConformance holds the subscriptions' Repository, on SQLite and PostgreSQL, to the
// contract every repository keeps (storetest.Conform).
func TestRepositoryConformance(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		initJobs(t, st)
		storetest.Conform(t, st, storetest.Repository{
			Name: "webhooks", Prefix: kyc.PrefixWebhook,
			Create: func(ctx context.Context, st *store.Store, _ storetest.Parents, env kyc.Env, id string, eff store.Effects) error {
				w := Webhook{ID: id, Env: env, URL: "https://example.com/hook", Enabled: true,
					Secrets: []Secret{{Secret: "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0", Created: time.Now()}}}
				return NewRepository(st).Create(ctx, &w, eff)
			},
			Get: func(ctx context.Context, st *store.Store, env kyc.Env, id string) (int64, error) {
				w, err := NewRepository(st).Get(ctx, env, id)
				return w.Revision, err
			},
			Update: func(ctx context.Context, st *store.Store, env kyc.Env, id string, effects func() (store.Effects, error)) error {
				_, err := NewRepository(st).Update(ctx, env, id, func(w *Webhook) (store.Effects, error) {
					w.Description += "x"
					return effects()
				})
				return err
			},
			List: func(ctx context.Context, st *store.Store, _ storetest.Parents, env kyc.Env, cursor string) ([]string, string, error) {
				p, err := NewRepository(st).List(ctx, env, cursor, 3)
				return storetest.PageIDs(p, err, func(w Webhook) string { return w.ID })
			},
		})
	})
}
