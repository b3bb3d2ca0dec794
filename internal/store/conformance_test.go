package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// repository is one aggregate's part of the store, seen through what every repository promises,
// so that TestRepositoryConformance holds each of them, on each database, to the same contract
// (as River's riverdrivertest holds each driver). Nil functions are operations the aggregate does
// not have.
type repository struct {
	name string
	// create stores a new, valid aggregate of env under the parents p, with eff as its effects
	// (the test fills in the audit entry, or leaves it out), and returns its id.
	create func(ctx context.Context, st *store.Store, p parents, env kyc.Env, id string, eff store.Effects) error
	// prefix is the aggregate's id prefix.
	prefix string
	// get returns the aggregate's revision (0 for aggregates that have none).
	get func(ctx context.Context, st *store.Store, env kyc.Env, id string) (int64, error)
	// update makes a harmless change under eff, the effects that effects returns (or its error).
	update func(ctx context.Context, st *store.Store, env kyc.Env, id string, effects func() (store.Effects, error)) error
	// list returns one page of env's aggregates under p (newest first), up to three.
	list func(ctx context.Context, st *store.Store, p parents, env kyc.Env, cursor string) (ids []string, next string, err error)
}

// parents are the aggregates others hang from, one per environment.
type parents struct{ applicant map[kyc.Env]string }

func pageIDs[T any](p kyc.Page[T], err error, id func(T) string) ([]string, string, error) {
	var ids []string
	for _, it := range p.Items {
		ids = append(ids, id(it))
	}
	return ids, p.NextCursor, err
}

var repositories = []repository{
	{
		name: "applicants", prefix: kyc.PrefixApplicant,
		create: func(ctx context.Context, st *store.Store, _ parents, env kyc.Env, id string, eff store.Effects) error {
			a := kyc.Applicant{ID: id, Env: env, Type: "individual", Status: "unverified", Level: "L0", Email: "anna@example.com"}
			return st.CreateApplicant(ctx, &a, eff)
		},
		get: func(ctx context.Context, st *store.Store, env kyc.Env, id string) (int64, error) {
			a, err := st.Applicant(ctx, env, id)
			return a.Revision, err
		},
		update: func(ctx context.Context, st *store.Store, env kyc.Env, id string, effects func() (store.Effects, error)) error {
			_, err := st.UpdateApplicant(ctx, env, id, func(a *kyc.Applicant) (store.Effects, error) {
				a.Email = "anna+" + strings.Repeat("x", int(a.Revision%5)) + "@example.com"
				return effects()
			})
			return err
		},
		list: func(ctx context.Context, st *store.Store, _ parents, env kyc.Env, cursor string) ([]string, string, error) {
			p, err := st.ListApplicants(ctx, env, store.ApplicantFilter{ExternalID: ""}, cursor, 3)
			return pageIDs(p, err, func(a kyc.Applicant) string { return a.ID })
		},
	},
	{
		name: "files", prefix: kyc.PrefixFile,
		create: func(ctx context.Context, st *store.Store, p parents, env kyc.Env, id string, eff store.Effects) error {
			f := kyc.File{ID: id, Env: env, ApplicantID: p.applicant[env], Tag: "id-front", MIME: "image/png", Size: 10, SHA256: "ab", Width: 1, Height: 1, BlobKey: "k/" + id}
			return st.CreateFile(ctx, &f, eff)
		},
		get: func(ctx context.Context, st *store.Store, env kyc.Env, id string) (int64, error) {
			_, err := st.File(ctx, env, id)
			return 0, err
		},
	},
	{
		name: "KYC requests", prefix: kyc.PrefixRequest,
		create: func(ctx context.Context, st *store.Store, p parents, env kyc.Env, id string, eff store.Effects) error {
			r := kyc.Request{ID: id, Env: env, ApplicantID: p.applicant[env], Status: "gathering", MatchLevel: 2, Level: "L1",
				Documents: []kyc.RequestDocument{{Type: "identity-proof", MaxAttempts: 3}}, ExpirationTime: time.Now().Add(time.Hour)}
			return st.CreateRequest(ctx, &r, eff)
		},
		get: func(ctx context.Context, st *store.Store, env kyc.Env, id string) (int64, error) {
			r, err := st.Request(ctx, env, id)
			return r.Revision, err
		},
		update: func(ctx context.Context, st *store.Store, env kyc.Env, id string, effects func() (store.Effects, error)) error {
			_, err := st.UpdateRequest(ctx, env, id, func(r *kyc.Request) (store.Effects, error) {
				r.ExpirationTime = r.ExpirationTime.Add(time.Second)
				return effects()
			})
			return err
		},
		list: func(ctx context.Context, st *store.Store, p parents, env kyc.Env, cursor string) ([]string, string, error) {
			p2, err := st.ListRequests(ctx, env, store.RequestFilter{ApplicantID: p.applicant[env]}, cursor, 3)
			return pageIDs(p2, err, func(r kyc.Request) string { return r.ID })
		},
	},
	{
		name: "KYC documents", prefix: kyc.PrefixDocument,
		create: func(ctx context.Context, st *store.Store, p parents, env kyc.Env, id string, eff store.Effects) error {
			d := kyc.Document{ID: id, Env: env, ApplicantID: p.applicant[env], Type: "identity-proof", Subtype: "passport", FileIDs: []string{}, Status: "pending"}
			return st.CreateDocument(ctx, &d, eff, nil)
		},
		get: func(ctx context.Context, st *store.Store, env kyc.Env, id string) (int64, error) {
			d, err := st.Document(ctx, env, id)
			return d.Revision, err
		},
		update: func(ctx context.Context, st *store.Store, env kyc.Env, id string, effects func() (store.Effects, error)) error {
			_, err := st.UpdateDocument(ctx, env, id, func(d *kyc.Document) (store.Effects, error) {
				d.Status = map[string]string{"pending": "pending-review", "pending-review": "pending"}[d.Status]
				return effects()
			})
			return err
		},
		list: func(ctx context.Context, st *store.Store, p parents, env kyc.Env, cursor string) ([]string, string, error) {
			p2, err := st.ListDocuments(ctx, env, p.applicant[env], cursor, 3)
			return pageIDs(p2, err, func(d kyc.Document) string { return d.ID })
		},
	},
	{
		name: "screenings", prefix: kyc.PrefixScreening,
		create: func(ctx context.Context, st *store.Store, p parents, env kyc.Env, id string, eff store.Effects) error {
			sc := kyc.Screening{ID: id, Env: env, ApplicantID: p.applicant[env], Reason: "manual", Disposition: "potential-match",
				Threshold: 0.9, Hits: []kyc.ScreeningHit{}, Lists: []kyc.SanctionsList{}}
			return st.CreateScreening(ctx, &sc, eff)
		},
		get: func(ctx context.Context, st *store.Store, env kyc.Env, id string) (int64, error) {
			sc, err := st.Screening(ctx, env, id)
			return sc.Revision, err
		},
		update: func(ctx context.Context, st *store.Store, env kyc.Env, id string, effects func() (store.Effects, error)) error {
			_, err := st.ReviewScreening(ctx, env, id, func(sc *kyc.Screening) (store.Effects, []kyc.ScreeningHit, error) {
				sc.Threshold = map[bool]float64{true: 0.8, false: 0.9}[sc.Threshold == 0.9]
				eff, err := effects()
				return eff, nil, err
			})
			return err
		},
		list: func(ctx context.Context, st *store.Store, p parents, env kyc.Env, cursor string) ([]string, string, error) {
			p2, err := st.ListScreenings(ctx, env, store.ScreeningFilter{ApplicantID: p.applicant[env]}, cursor, 3)
			return pageIDs(p2, err, func(sc kyc.Screening) string { return sc.ID })
		},
	},
	{
		name: "shares", prefix: kyc.PrefixShare,
		create: func(ctx context.Context, st *store.Store, p parents, env kyc.Env, id string, eff store.Effects) error {
			sh := kyc.Share{ID: id, Env: env, ApplicantID: p.applicant[env], Partner: "alchemypay", Status: "queued", Mode: "new", RequestNo: id}
			return st.CreateShare(ctx, &sh, eff)
		},
		get: func(ctx context.Context, st *store.Store, env kyc.Env, id string) (int64, error) {
			sh, err := st.Share(ctx, env, id)
			return sh.Revision, err
		},
		update: func(ctx context.Context, st *store.Store, env kyc.Env, id string, effects func() (store.Effects, error)) error {
			_, err := st.UpdateShare(ctx, env, id, func(r *store.ShareRecord) (store.Effects, error) {
				r.Attempts++
				return effects()
			})
			return err
		},
		list: func(ctx context.Context, st *store.Store, p parents, env kyc.Env, cursor string) ([]string, string, error) {
			p2, err := st.ListShares(ctx, env, p.applicant[env], cursor, 3)
			return pageIDs(p2, err, func(sh kyc.Share) string { return sh.ID })
		},
	},
	{
		name: "webhooks", prefix: kyc.PrefixWebhook,
		create: func(ctx context.Context, st *store.Store, _ parents, env kyc.Env, id string, eff store.Effects) error {
			w := store.Webhook{ID: id, Env: env, URL: "https://example.com/hook", Enabled: true,
				Secrets: []store.WebhookSecret{{Secret: "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0", Created: time.Now()}}}
			return st.CreateWebhook(ctx, &w, eff)
		},
		get: func(ctx context.Context, st *store.Store, env kyc.Env, id string) (int64, error) {
			w, err := st.Webhook(ctx, env, id)
			return w.Revision, err
		},
		update: func(ctx context.Context, st *store.Store, env kyc.Env, id string, effects func() (store.Effects, error)) error {
			_, err := st.UpdateWebhook(ctx, env, id, func(w *store.Webhook) (store.Effects, error) {
				w.Description += "x"
				return effects()
			})
			return err
		},
		list: func(ctx context.Context, st *store.Store, _ parents, env kyc.Env, cursor string) ([]string, string, error) {
			p, err := st.ListWebhooks(ctx, env, cursor, 3)
			return pageIDs(p, err, func(w store.Webhook) string { return w.ID })
		},
	},
}

// TestRepositoryConformance holds every repository of the store, on SQLite and PostgreSQL, to what
// the API above it relies on: a change and its audit entry and events commit together or not at
// all; a change without an audit entry, a refused change, a duplicate id or a write across
// environments stores nothing; an id of another environment is not found; every change moves the
// revision by one, and concurrent changes of one aggregate are all kept, one after the other;
// lists are confined to their environment and page through every item exactly once, newest first.
func TestRepositoryConformance(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		initJobs(t, st)
		ctx := t.Context()
		p := parents{applicant: map[kyc.Env]string{}}
		for _, env := range []kyc.Env{kyc.EnvTest, kyc.EnvLive} {
			p.applicant[env] = newApplicant(t, st, env, "").ID
		}
		for _, r := range repositories {
			t.Run(strings.ReplaceAll(r.name, " ", "-"), func(t *testing.T) { conform(ctx, t, st, p, r) })
		}
	})
}

// state is what a change may move: the audit log's length and the events about one resource.
func state(ctx context.Context, t *testing.T, st *store.Store, env kyc.Env, id string) (audit int64, events int) {
	t.Helper()
	n, err := st.AuditLength(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := st.ListEvents(ctx, env, store.EventFilter{ResourceID: id}, "", store.MaxPageSize)
	if err != nil {
		t.Fatal(err)
	}
	return n, len(evs.Items)
}

func conform(ctx context.Context, t *testing.T, st *store.Store, p parents, r repository) {
	env, other := kyc.EnvTest, kyc.EnvLive
	effects := func(id string) store.Effects {
		eff := audit(r.name+".change", id)
		eff.Events = []store.NewEvent{{Type: kyc.EventApplicantUpdated, ResourceType: r.name, ResourceID: id, Data: map[string]string{"id": id}}}
		return eff
	}

	// A change without an audit entry is refused and stores nothing.
	id := kyc.NewID(r.prefix)
	a0, e0 := state(ctx, t, st, env, id)
	noAudit := effects(id)
	noAudit.Audit = kyc.AuditEntry{}
	if err := r.create(ctx, st, p, env, id, noAudit); err == nil {
		t.Fatal("created without an audit entry")
	}
	if _, err := r.get(ctx, st, env, id); !errors.Is(err, kyc.ErrNotFound) {
		t.Fatalf("after a refused create, get: %v, want not found", err)
	}
	if a, e := state(ctx, t, st, env, id); a != a0 || e != e0 {
		t.Fatalf("a refused create wrote %d audit entries and %d events", a-a0, e-e0)
	}

	// A create commits the aggregate with its audit entry and its events.
	if err := r.create(ctx, st, p, env, id, effects(id)); err != nil {
		t.Fatal(err)
	}
	rev, err := r.get(ctx, st, env, id)
	if err != nil {
		t.Fatal(err)
	}
	if a, e := state(ctx, t, st, env, id); a != a0+1 || e != e0+1 {
		t.Fatalf("a create wrote %d audit entries and %d events, want 1 and 1", a-a0, e-e0)
	}
	if trail, err := st.AuditTrail(ctx, env, id); err != nil || len(trail) != 1 {
		t.Fatalf("audit trail of the created %s: %v, %v", r.name, trail, err)
	}

	// The same id again is refused and changes nothing.
	a1, e1 := state(ctx, t, st, env, id)
	if err := r.create(ctx, st, p, env, id, effects(id)); err == nil {
		t.Fatal("the same id was created twice")
	}
	if a, e := state(ctx, t, st, env, id); a != a1 || e != e1 {
		t.Fatalf("a duplicate create wrote %d audit entries and %d events", a-a1, e-e1)
	}

	// Another environment does not see it, nor can change it.
	if _, err := r.get(ctx, st, other, id); !errors.Is(err, kyc.ErrNotFound) {
		t.Fatalf("get from the other environment: %v, want not found", err)
	}
	if _, err := r.get(ctx, st, env, kyc.NewID(r.prefix)); !errors.Is(err, kyc.ErrNotFound) {
		t.Fatalf("get of an unknown id: %v, want not found", err)
	}

	if r.update != nil {
		if err := r.update(ctx, st, other, id, func() (store.Effects, error) { return effects(id), nil }); !errors.Is(err, kyc.ErrNotFound) {
			t.Fatalf("update from the other environment: %v, want not found", err)
		}
		// A refused change stores nothing.
		refused := errors.New("refused")
		if err := r.update(ctx, st, env, id, func() (store.Effects, error) { return store.Effects{}, refused }); !errors.Is(err, refused) {
			t.Fatalf("a refused update answered %v", err)
		}
		if got, err := r.get(ctx, st, env, id); err != nil || got != rev {
			t.Fatalf("after a refused update: revision %d (%v), want %d", got, err, rev)
		}
		if a, e := state(ctx, t, st, env, id); a != a1 || e != e1 {
			t.Fatalf("a refused update wrote %d audit entries and %d events", a-a1, e-e1)
		}
		// Concurrent changes are all kept, each with its audit entry and event.
		const n = 8
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for range n {
			wg.Go(func() {
				errs <- r.update(ctx, st, env, id, func() (store.Effects, error) { return effects(id), nil })
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("concurrent update: %v", err)
			}
		}
		if got, err := r.get(ctx, st, env, id); err != nil || got != rev+n {
			t.Fatalf("after %d concurrent updates: revision %d (%v), want %d", n, got, err, rev+n)
		}
		if a, e := state(ctx, t, st, env, id); a != a1+n || e != e1+n {
			t.Fatalf("%d updates wrote %d audit entries and %d events", n, a-a1, e-e1)
		}
	}

	if r.list != nil {
		// Lists hold exactly the environment's items, each once, newest first, across pages.
		want := []string{id}
		for range 6 {
			more := kyc.NewID(r.prefix)
			if err := r.create(ctx, st, p, env, more, effects(more)); err != nil {
				t.Fatal(err)
			}
			want = append(want, more)
		}
		elsewhere := kyc.NewID(r.prefix)
		if err := r.create(ctx, st, p, other, elsewhere, effects(elsewhere)); err != nil {
			t.Fatal(err)
		}
		var got []string
		cursor := ""
		for pages := 0; ; pages++ {
			ids, next, err := r.list(ctx, st, p, env, cursor)
			if err != nil {
				t.Fatal(err)
			}
			if len(ids) > 3 || pages > 10 {
				t.Fatalf("page of %d items, or %d pages", len(ids), pages)
			}
			got = append(got, ids...)
			if next == "" {
				break
			}
			cursor = next
		}
		if r.name == "applicants" { // the parents are applicants too
			want = append(want, p.applicant[env])
		}
		slices.Sort(want)
		slices.Reverse(want)
		if !slices.Equal(got, want) {
			t.Fatalf("listed %v, want %v", got, want)
		}
	}
}
