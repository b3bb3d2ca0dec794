package gather_test

import (
	"context"
	"sync"
	"testing"

	"kycd/internal/file"
	"kycd/internal/gather"
	"kycd/internal/kyc"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// gate holds reads of a draft, once done, until n reads have come: the uploads held there all read
// the same version of the draft, so that all but one of their writes collide with another and must be
// redone. It counts the reads. An upload that ends without reading (it failed before) lowers n
// (finished), so the others are not held forever; no timer opens it early, which on a loaded
// machine once let the uploads through one by one and nothing collided.
type gate struct {
	n     int
	mu    sync.Mutex
	seen  int
	open  chan struct{}
	close sync.Once
}

func newGate(n int) *gate { return &gate{n: n, open: make(chan struct{})} }

func (g *gate) wait() {
	g.mu.Lock()
	g.seen++
	if g.seen >= g.n {
		g.openGate()
	}
	g.mu.Unlock()
	<-g.open
}

// finished is called by each upload when it returns: one that returns while the gate is still
// shut never read, and is no longer waited for.
func (g *gate) finished() {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.open:
	default:
		g.n--
		if g.seen >= g.n {
			g.openGate()
		}
	}
}

func (g *gate) openGate() { g.close.Do(func() { close(g.open) }) }

func (g *gate) reads() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.seen
}

// gatedDrafts are drafts whose reads wait at a gate.
type gatedDrafts struct {
	gather.Drafts
	gate *gate
}

// Draft reads the draft, then waits at the gate before handing it over: every upload's first read
// is done before any upload can write, so they all hold the same version. (Waiting before the read
// instead let a loaded machine run one upload's read and write before another's read, and nothing
// collided.)
func (d gatedDrafts) Draft(ctx context.Context, env kyc.Env, applicantID string) (store.Draft, error) {
	dr, err := d.Drafts.Draft(ctx, env, applicantID)
	d.gate.wait()
	return dr, err
}

// TestConcurrentUploadsLoseNothing: uploads to every slot of one draft at once all stay staged,
// without any lock. They go through two services, as two replicas do; on PostgreSQL each replica
// has a store (a connection pool) of its own on the same database, and on SQLite, which one
// process serves, they share it. Every upload reads the same version of the draft first (the gate),
// so all writes but one collide and are redone on the draft as the others left it.
func TestConcurrentUploadsLoseNothing(t *testing.T) {
	t.Parallel()
	for _, dialect := range storetest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			dsn := storetest.NewDatabase(t, dialect)
			open := func() *store.Store {
				st, err := store.Open(t.Context(), dsn, storetest.Sealer(t))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = st.Close() })
				if err := st.Migrate(t.Context()); err != nil {
					t.Fatal(err)
				}
				return st
			}
			st := open()
			b := setup(t, st)
			other := st
			if dialect == store.Postgres {
				other = open()
			}
			g := newGate(len(gather.Slots))
			replicas := []*gather.Service{
				b.service(gatedDrafts{st, g}, st),
				gather.NewService(file.NewService(other, b.blobs, file.Config{TempDir: t.TempDir()}), b.requests, b.blobs, gatedDrafts{other, g}, other),
			}
			w := b.who()
			var wg sync.WaitGroup
			ids := make([]string, len(gather.Slots))
			errs := make([]error, len(gather.Slots))
			for i, slot := range gather.Slots {
				sp := spool(t, pngBytes(t, i))
				wg.Go(func() {
					defer g.finished()
					f, err := replicas[i%len(replicas)].Upload(t.Context(), w, slot, sp)
					ids[i], errs[i] = f.ID, err
				})
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("%s: %v", gather.Slots[i], err)
				}
			}
			if n := g.reads(); n <= len(gather.Slots) {
				t.Errorf("%d reads of the draft for %d uploads: no write collided, the test proves nothing", n, len(gather.Slots))
			}
			d, err := replicas[1].Draft(t.Context(), w)
			if err != nil {
				t.Fatal(err)
			}
			for i, slot := range gather.Slots {
				if got := d.Uploads[slot].FileID; got != ids[i] {
					t.Errorf("draft's %s is %q, want %q: an update was lost", slot, got, ids[i])
				}
			}
			row, err := st.Draft(t.Context(), w.Env, w.ApplicantID)
			if err != nil || row.Version != int64(len(gather.Slots)) {
				t.Errorf("draft at version %d (%v), want %d: one write per upload", row.Version, err, len(gather.Slots))
			}
		})
	}
}
