package store_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// TestLockKeyAcrossStores: two stores on one PostgreSQL database (two replicas) take turns on a
// key; other keys do not wait.
func TestLockKeyAcrossStores(t *testing.T) {
	t.Parallel()
	dsn := storetest.NewDatabase(t, store.Postgres)
	ctx := context.Background()
	open := func() *store.Store {
		s, err := store.Open(ctx, dsn, storetest.Sealer(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
	a, b := open(), open()
	var inside, most atomic.Int32
	var wg sync.WaitGroup
	for i := range 8 {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Go(func() {
			unlock, err := s.LockKey(ctx, "draft:apl_1")
			if err != nil {
				t.Error(err)
				return
			}
			n := inside.Add(1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			time.Sleep(5 * time.Millisecond)
			inside.Add(-1)
			unlock()
		})
	}
	wg.Wait()
	if most.Load() != 1 {
		t.Fatalf("%d holders of one key at once", most.Load())
	}
	unlock, err := a.LockKey(ctx, "draft:apl_1")
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	other, err := b.LockKey(ctx, "draft:apl_2")
	if err != nil {
		t.Fatal(err)
	}
	other()
}
