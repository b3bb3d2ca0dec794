package storetest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"kycd/internal/kyc"
	"kycd/internal/store"
)

// Repository is one aggregate's persistence (in the store, or in the domain that owns it over the
// store's core), seen through what every repository promises, so that Conform holds each of them,
// on each database, to the same contract (as River's riverdrivertest holds each driver). Nil
// functions are operations the aggregate does not have.
type Repository struct {
	// Name names the aggregate in failures.
	Name string
	// Create stores a new, valid aggregate of env under the parents p, with eff as its effects
	// (the test fills in the audit entry, or leaves it out), and returns its id.
	Create func(ctx context.Context, st *store.Store, p Parents, env kyc.Env, id string, eff store.Effects) error
	// Prefix is the aggregate's id prefix.
	Prefix string
	// Get returns the aggregate's revision (0 for aggregates that have none).
	Get func(ctx context.Context, st *store.Store, env kyc.Env, id string) (int64, error)
	// Update makes a harmless change under eff, the effects that its effects func returns (or its error).
	Update func(ctx context.Context, st *store.Store, env kyc.Env, id string, effects func() (store.Effects, error)) error
	// List returns one page of env's aggregates under p (newest first), up to three.
	List func(ctx context.Context, st *store.Store, p Parents, env kyc.Env, cursor string) (ids []string, next string, err error)
}

// Parents are the aggregates others hang from, one per environment.
type Parents struct{ Applicant map[kyc.Env]string }

// PageIDs gives a List func the ids of a page, its next cursor and its error.
func PageIDs[T any](p kyc.Page[T], err error, id func(T) string) ([]string, string, error) {
	var ids []string
	for _, it := range p.Items {
		ids = append(ids, id(it))
	}
	return ids, p.NextCursor, err
}

// state is what a change may move: the audit log's length and the events about one resource.
func state(ctx context.Context, t testing.TB, st *store.Store, env kyc.Env, id string) (audit int64, events int) {
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

// Conform holds r to the contract every repository keeps, on st: a change and its audit entry and
// events commit together or not at all; a change without an audit entry, a refused change, a
// duplicate id or a write across environments stores nothing; an id of another environment is not
// found; every change moves the revision by one, and concurrent changes of one aggregate are all
// kept, one after the other; lists are confined to their environment and page through every item
// exactly once, newest first. st needs its jobs initialised (InitJobs) when r's changes queue
// jobs. It creates the parents it hangs r's aggregates from.
func Conform(t *testing.T, st *store.Store, r Repository) {
	t.Helper()
	ctx := t.Context()
	p := Parents{Applicant: map[kyc.Env]string{}}
	for _, env := range []kyc.Env{kyc.EnvTest, kyc.EnvLive} {
		a := kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), Env: env, Type: "individual", Status: "unverified", Level: "L0", Email: "parent@example.com"}
		if err := st.CreateApplicant(ctx, &a, audit("applicant.create", a.ID)); err != nil {
			t.Fatal(err)
		}
		p.Applicant[env] = a.ID
	}
	conform(ctx, t, st, p, r)
}

// audit is the effects of a test change: its audit entry.
func audit(action, id string) store.Effects {
	return store.Effects{Audit: kyc.AuditEntry{Actor: "key_test", Action: action, ResourceType: "test", ResourceID: id}}
}

func conform(ctx context.Context, t *testing.T, st *store.Store, p Parents, r Repository) {
	env, other := kyc.EnvTest, kyc.EnvLive
	effects := func(id string) store.Effects {
		eff := audit(r.Name+".change", id)
		eff.Events = []store.NewEvent{{Type: kyc.EventApplicantUpdated, ResourceType: r.Name, ResourceID: id, Data: map[string]string{"id": id}}}
		return eff
	}

	// A change without an audit entry is refused and stores nothing.
	id := kyc.NewID(r.Prefix)
	a0, e0 := state(ctx, t, st, env, id)
	noAudit := effects(id)
	noAudit.Audit = kyc.AuditEntry{}
	if err := r.Create(ctx, st, p, env, id, noAudit); err == nil {
		t.Fatal("created without an audit entry")
	}
	if _, err := r.Get(ctx, st, env, id); !errors.Is(err, kyc.ErrNotFound) {
		t.Fatalf("after a refused create, get: %v, want not found", err)
	}
	if a, e := state(ctx, t, st, env, id); a != a0 || e != e0 {
		t.Fatalf("a refused create wrote %d audit entries and %d events", a-a0, e-e0)
	}

	// A create commits the aggregate with its audit entry and its events.
	if err := r.Create(ctx, st, p, env, id, effects(id)); err != nil {
		t.Fatal(err)
	}
	rev, err := r.Get(ctx, st, env, id)
	if err != nil {
		t.Fatal(err)
	}
	if a, e := state(ctx, t, st, env, id); a != a0+1 || e != e0+1 {
		t.Fatalf("a create wrote %d audit entries and %d events, want 1 and 1", a-a0, e-e0)
	}
	if trail, err := st.AuditTrail(ctx, env, id); err != nil || len(trail) != 1 {
		t.Fatalf("audit trail of the created %s: %v, %v", r.Name, trail, err)
	}

	// The same id again is refused and changes nothing.
	a1, e1 := state(ctx, t, st, env, id)
	if err := r.Create(ctx, st, p, env, id, effects(id)); err == nil {
		t.Fatal("the same id was created twice")
	}
	if a, e := state(ctx, t, st, env, id); a != a1 || e != e1 {
		t.Fatalf("a duplicate create wrote %d audit entries and %d events", a-a1, e-e1)
	}

	// Another environment does not see it, nor can change it.
	if _, err := r.Get(ctx, st, other, id); !errors.Is(err, kyc.ErrNotFound) {
		t.Fatalf("get from the other environment: %v, want not found", err)
	}
	if _, err := r.Get(ctx, st, env, kyc.NewID(r.Prefix)); !errors.Is(err, kyc.ErrNotFound) {
		t.Fatalf("get of an unknown id: %v, want not found", err)
	}

	if r.Update != nil {
		if err := r.Update(ctx, st, other, id, func() (store.Effects, error) { return effects(id), nil }); !errors.Is(err, kyc.ErrNotFound) {
			t.Fatalf("update from the other environment: %v, want not found", err)
		}
		// A refused change stores nothing.
		refused := errors.New("refused")
		if err := r.Update(ctx, st, env, id, func() (store.Effects, error) { return store.Effects{}, refused }); !errors.Is(err, refused) {
			t.Fatalf("a refused update answered %v", err)
		}
		if got, err := r.Get(ctx, st, env, id); err != nil || got != rev {
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
				errs <- r.Update(ctx, st, env, id, func() (store.Effects, error) { return effects(id), nil })
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("concurrent update: %v", err)
			}
		}
		if got, err := r.Get(ctx, st, env, id); err != nil || got != rev+n {
			t.Fatalf("after %d concurrent updates: revision %d (%v), want %d", n, got, err, rev+n)
		}
		if a, e := state(ctx, t, st, env, id); a != a1+n || e != e1+n {
			t.Fatalf("%d updates wrote %d audit entries and %d events", n, a-a1, e-e1)
		}
	}

	if r.List != nil {
		// Lists hold exactly the environment's items, each once, newest first, across pages.
		want := []string{id}
		for range 6 {
			more := kyc.NewID(r.Prefix)
			if err := r.Create(ctx, st, p, env, more, effects(more)); err != nil {
				t.Fatal(err)
			}
			want = append(want, more)
		}
		elsewhere := kyc.NewID(r.Prefix)
		if err := r.Create(ctx, st, p, other, elsewhere, effects(elsewhere)); err != nil {
			t.Fatal(err)
		}
		var got []string
		cursor := ""
		for pages := 0; ; pages++ {
			ids, next, err := r.List(ctx, st, p, env, cursor)
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
		if r.Name == "applicants" { // the parents are applicants too
			want = append(want, p.Applicant[env])
		}
		slices.Sort(want)
		slices.Reverse(want)
		if !slices.Equal(got, want) {
			t.Fatalf("listed %v, want %v", got, want)
		}
	}
}
