package store_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/riverqueue/river"

	"kycd/internal/kyc"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// told records what a CommitObserver is told.
type told struct {
	mu     sync.Mutex
	events []string
}

func (o *told) Committed(_ context.Context, events []kyc.Event) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, ev := range events {
		o.events = append(o.events, ev.Type+" "+ev.ResourceID)
	}
}

// TestCommitObserverIsToldOfCommitsOnly: the observer hears a committed change's events once,
// after the commit; a change that fails (here after its events were written, in its EventSink)
// rolls back and is never told; a write without events tells nothing.
func TestCommitObserverIsToldOfCommitsOnly(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		obs := &told{}
		refuse := errors.New("refused by the sink")
		workers := river.NewWorkers()
		if err := st.InitJobs(store.JobsConfig{Workers: workers, Committed: obs, Events: sinkFunc(func(events []kyc.Event) error {
			if events[0].Type == kyc.EventApplicantUpdated {
				return refuse
			}
			return nil
		})}); err != nil {
			t.Fatal(err)
		}
		a := newApplicant(t, st, kyc.EnvTest, "")
		change := func(typ string) error {
			return st.Change(ctx, kyc.EnvTest, func(tx *store.Tx) (store.Effects, error) {
				eff := audit("applicant.update", a.ID)
				eff.Events = []store.NewEvent{{Type: typ, ResourceType: "applicant", ResourceID: a.ID, Data: a}}
				return eff, nil
			})
		}
		if err := change(kyc.EventApplicantUpdated); !errors.Is(err, refuse) {
			t.Fatalf("a refused change: %v", err)
		}
		if err := change(kyc.EventApplicantCreated); err != nil {
			t.Fatal(err)
		}
		if err := st.Record(ctx, kyc.EnvTest, func(tx *store.Tx) (store.Effects, error) { return store.Effects{}, nil }); err != nil {
			t.Fatal(err)
		}
		obs.mu.Lock()
		defer obs.mu.Unlock()
		var mine []string
		for _, e := range obs.events {
			if e == kyc.EventApplicantCreated+" "+a.ID || e == kyc.EventApplicantUpdated+" "+a.ID {
				mine = append(mine, e)
			}
		}
		if want := []string{kyc.EventApplicantCreated + " " + a.ID}; !slices.Equal(mine, want) {
			t.Fatalf("told %v, want %v", mine, want)
		}
	})
}

// sinkFunc is an EventSink of a func.
type sinkFunc func(events []kyc.Event) error

func (f sinkFunc) EventsWritten(_ context.Context, _ *store.Tx, events []kyc.Event) error {
	return f(events)
}
