package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

var repositories = []storetest.Repository{
	{
		Name: "applicants", Prefix: kyc.PrefixApplicant,
		Create: func(ctx context.Context, st *store.Store, _ storetest.Parents, env kyc.Env, id string, eff store.Effects) error {
			a := kyc.Applicant{ID: id, Env: env, Type: "individual", Status: "unverified", Level: "L0", Email: "anna@example.com"}
			return st.CreateApplicant(ctx, &a, eff)
		},
		Get: func(ctx context.Context, st *store.Store, env kyc.Env, id string) (int64, error) {
			a, err := st.Applicant(ctx, env, id)
			return a.Revision, err
		},
		Update: func(ctx context.Context, st *store.Store, env kyc.Env, id string, effects func() (store.Effects, error)) error {
			_, err := st.UpdateApplicant(ctx, env, id, func(a *kyc.Applicant) (store.Effects, error) {
				a.Email = "anna+" + strings.Repeat("x", int(a.Revision%5)) + "@example.com"
				return effects()
			})
			return err
		},
		List: func(ctx context.Context, st *store.Store, _ storetest.Parents, env kyc.Env, cursor string) ([]string, string, error) {
			p, err := st.ListApplicants(ctx, env, store.ApplicantFilter{ExternalID: ""}, cursor, 3)
			return storetest.PageIDs(p, err, func(a kyc.Applicant) string { return a.ID })
		},
	},
	{
		Name: "files", Prefix: kyc.PrefixFile,
		Create: func(ctx context.Context, st *store.Store, p storetest.Parents, env kyc.Env, id string, eff store.Effects) error {
			f := kyc.File{ID: id, Env: env, ApplicantID: p.Applicant[env], Tag: "id-front", MIME: "image/png", Size: 10, SHA256: "ab", Width: 1, Height: 1, BlobKey: "k/" + id}
			return st.CreateFile(ctx, &f, eff)
		},
		Get: func(ctx context.Context, st *store.Store, env kyc.Env, id string) (int64, error) {
			_, err := st.File(ctx, env, id)
			return 0, err
		},
	},
	{
		Name: "KYC requests", Prefix: kyc.PrefixRequest,
		Create: func(ctx context.Context, st *store.Store, p storetest.Parents, env kyc.Env, id string, eff store.Effects) error {
			r := kyc.Request{ID: id, Env: env, ApplicantID: p.Applicant[env], Status: "gathering", MatchLevel: 2, Level: "L1",
				Documents: []kyc.RequestDocument{{Type: "identity-proof", MaxAttempts: 3}}, ExpirationTime: time.Now().Add(time.Hour)}
			return st.CreateRequest(ctx, &r, eff)
		},
		Get: func(ctx context.Context, st *store.Store, env kyc.Env, id string) (int64, error) {
			r, err := st.Request(ctx, env, id)
			return r.Revision, err
		},
		Update: func(ctx context.Context, st *store.Store, env kyc.Env, id string, effects func() (store.Effects, error)) error {
			_, err := st.UpdateRequest(ctx, env, id, func(r *kyc.Request) (store.Effects, error) {
				r.ExpirationTime = r.ExpirationTime.Add(time.Second)
				return effects()
			})
			return err
		},
		List: func(ctx context.Context, st *store.Store, p storetest.Parents, env kyc.Env, cursor string) ([]string, string, error) {
			p2, err := st.ListRequests(ctx, env, store.RequestFilter{ApplicantID: p.Applicant[env]}, cursor, 3)
			return storetest.PageIDs(p2, err, func(r kyc.Request) string { return r.ID })
		},
	},
	{
		Name: "KYC documents", Prefix: kyc.PrefixDocument,
		Create: func(ctx context.Context, st *store.Store, p storetest.Parents, env kyc.Env, id string, eff store.Effects) error {
			d := kyc.Document{ID: id, Env: env, ApplicantID: p.Applicant[env], Type: "identity-proof", Subtype: "passport", FileIDs: []string{}, Status: "pending"}
			return st.CreateDocument(ctx, &d, eff, nil)
		},
		Get: func(ctx context.Context, st *store.Store, env kyc.Env, id string) (int64, error) {
			d, err := st.Document(ctx, env, id)
			return d.Revision, err
		},
		Update: func(ctx context.Context, st *store.Store, env kyc.Env, id string, effects func() (store.Effects, error)) error {
			_, err := st.UpdateDocument(ctx, env, id, func(d *kyc.Document) (store.Effects, error) {
				d.Status = map[string]string{"pending": "pending-review", "pending-review": "pending"}[d.Status]
				return effects()
			})
			return err
		},
		List: func(ctx context.Context, st *store.Store, p storetest.Parents, env kyc.Env, cursor string) ([]string, string, error) {
			p2, err := st.ListDocuments(ctx, env, p.Applicant[env], cursor, 3)
			return storetest.PageIDs(p2, err, func(d kyc.Document) string { return d.ID })
		},
	},
	{
		Name: "screenings", Prefix: kyc.PrefixScreening,
		Create: func(ctx context.Context, st *store.Store, p storetest.Parents, env kyc.Env, id string, eff store.Effects) error {
			sc := kyc.Screening{ID: id, Env: env, ApplicantID: p.Applicant[env], Reason: "manual", Disposition: "potential-match",
				Threshold: 0.9, Hits: []kyc.ScreeningHit{}, Lists: []kyc.SanctionsList{}}
			return st.CreateScreening(ctx, &sc, eff)
		},
		Get: func(ctx context.Context, st *store.Store, env kyc.Env, id string) (int64, error) {
			sc, err := st.Screening(ctx, env, id)
			return sc.Revision, err
		},
		Update: func(ctx context.Context, st *store.Store, env kyc.Env, id string, effects func() (store.Effects, error)) error {
			_, err := st.ReviewScreening(ctx, env, id, func(sc *kyc.Screening) (store.Effects, []kyc.ScreeningHit, error) {
				sc.Threshold = map[bool]float64{true: 0.8, false: 0.9}[sc.Threshold == 0.9]
				eff, err := effects()
				return eff, nil, err
			})
			return err
		},
		List: func(ctx context.Context, st *store.Store, p storetest.Parents, env kyc.Env, cursor string) ([]string, string, error) {
			p2, err := st.ListScreenings(ctx, env, store.ScreeningFilter{ApplicantID: p.Applicant[env]}, cursor, 3)
			return storetest.PageIDs(p2, err, func(sc kyc.Screening) string { return sc.ID })
		},
	},
}

// TestRepositoryConformance holds every repository of the store, on SQLite and PostgreSQL, to the
// contract of storetest.Conform. A domain that owns its repository runs Conform on it in its own
// tests.
func TestRepositoryConformance(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		initJobs(t, st)
		for _, r := range repositories {
			t.Run(strings.ReplaceAll(r.Name, " ", "-"), func(t *testing.T) { storetest.Conform(t, st, r) })
		}
	})
}
