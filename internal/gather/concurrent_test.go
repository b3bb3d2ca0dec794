package gather_test

import (
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"kycd/internal/gather"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// gatedDraftBlobs are blobs whose reads of a draft are held at a gate that opens when n reads have
// come or a while after the first: uploads whose read-change-write of the draft are not serialised
// all read the same draft and then write over one another. Serialised, the first read waits out the
// while and the others find the gate open.
type gatedDraftBlobs struct {
	gather.Blobs
	n     int
	mu    sync.Mutex
	seen  int
	open  chan struct{}
	close sync.Once
}

func newGatedDraftBlobs(b gather.Blobs, n int) *gatedDraftBlobs {
	return &gatedDraftBlobs{Blobs: b, n: n, open: make(chan struct{})}
}

func (g *gatedDraftBlobs) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if strings.HasPrefix(key, "drafts/") {
		g.mu.Lock()
		g.seen++
		if g.seen == 1 {
			time.AfterFunc(300*time.Millisecond, g.openGate)
		}
		if g.seen == g.n {
			g.openGate()
		}
		g.mu.Unlock()
		<-g.open
	}
	return g.Blobs.Get(ctx, key)
}

func (g *gatedDraftBlobs) openGate() { g.close.Do(func() { close(g.open) }) }

// TestConcurrentUploadsLoseNothing: uploads to every slot of one draft at once all stay staged.
// On PostgreSQL they go through two services on the same database and blobs, as two replicas do,
// so it is the database lock (not only the in-process one) that keeps them apart; SQLite is served
// by one process.
func TestConcurrentUploadsLoseNothing(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st)
		blobs := newGatedDraftBlobs(b.blobs, len(gather.Slots))
		replicas := []*gather.Service{b.service(blobs, b.st)}
		if st.Dialect() == store.Postgres {
			replicas = append(replicas, b.service(blobs, b.st))
		}
		w := b.who()
		var wg sync.WaitGroup
		ids := make([]string, len(gather.Slots))
		errs := make([]error, len(gather.Slots))
		for i, slot := range gather.Slots {
			sp := spool(t, pngBytes(t, i))
			wg.Go(func() {
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
		d, err := replicas[0].Draft(t.Context(), w)
		if err != nil {
			t.Fatal(err)
		}
		for i, slot := range gather.Slots {
			if got := d.Uploads[slot].FileID; got != ids[i] {
				t.Errorf("draft's %s is %q, want %q: an update was lost", slot, got, ids[i])
			}
		}
	})
}
