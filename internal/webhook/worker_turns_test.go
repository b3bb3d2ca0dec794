package webhook

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kycd/internal/kyc"
)

// busyStore is a DeliveryStore that counts the calls in progress and the most at once; each call
// waits until release is closed.
type busyStore struct {
	now, most atomic.Int64
	entered   chan struct{}
	release   chan struct{}
}

func (b *busyStore) call() {
	n := b.now.Add(1)
	for {
		m := b.most.Load()
		if n <= m || b.most.CompareAndSwap(m, n) {
			break
		}
	}
	b.entered <- struct{}{}
	<-b.release
	b.now.Add(-1)
}

func (b *busyStore) DeliveryWork(context.Context, kyc.Env, string) (DeliveryWork, error) {
	b.call()
	return DeliveryWork{}, nil
}

func (b *busyStore) FinishAttempt(context.Context, kyc.Env, string, Attempt, func(Webhook) Decision) (Finished, error) {
	b.call()
	return Finished{}, nil
}

func (b *busyStore) Abandon(context.Context, kyc.Env, string, string) (bool, error) {
	b.call()
	return false, nil
}

// TestWorkersTakeTurnsAtTheDatabase: however many delivery workers there are, at most StoreConns
// use the database at once, the pool's share that app.PoolSize counts for them; the others wait
// for a turn, and every call is made in the end. A call waiting for a turn ends with its context.
func TestWorkersTakeTurnsAtTheDatabase(t *testing.T) {
	t.Parallel()
	const calls = 3 * StoreConns
	st := &busyStore{entered: make(chan struct{}, calls+1), release: make(chan struct{})}
	w := NewWorker(st, Config{Workers: 100}, nil)
	var wg sync.WaitGroup
	var started atomic.Int64
	for i := range calls {
		wg.Go(func() {
			ctx := context.Background()
			started.Add(1)
			switch i % 3 {
			case 0:
				_, _ = w.store.DeliveryWork(ctx, kyc.EnvTest, "dlv")
			case 1:
				_, _ = w.store.FinishAttempt(ctx, kyc.EnvTest, "dlv", Attempt{}, nil)
			default:
				_, _ = w.store.Abandon(ctx, kyc.EnvTest, "dlv", "")
			}
		})
	}
	for range StoreConns {
		<-st.entered
	}
	for started.Load() < calls {
		runtime.Gosched()
	}
	// StoreConns calls are in the store, and every other call is made: none enters until one
	// leaves. (Watched for a while: without turns the others would be in within microseconds.)
	for watch := time.Now().Add(100 * time.Millisecond); time.Now().Before(watch); time.Sleep(time.Millisecond) {
		if n := st.now.Load(); n != StoreConns {
			t.Fatalf("%d calls in the store at once, want %d", n, StoreConns)
		}
	}
	close(st.release)
	wg.Wait()
	if m := st.most.Load(); m != StoreConns {
		t.Fatalf("at most %d calls at once, want %d", m, StoreConns)
	}
	if len(st.entered) != calls-StoreConns {
		t.Fatalf("%d more calls entered after the first turns, want %d", len(st.entered), calls-StoreConns)
	}

	// A call waiting for a turn ends with its context, without reaching the store.
	full := turns{next: st, slots: make(chan struct{}, 1)}
	full.slots <- struct{}{}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := full.FinishAttempt(ctx, kyc.EnvTest, "dlv", Attempt{}, nil); err == nil || len(st.entered) != calls-StoreConns {
		t.Fatalf("a call whose context ended while waiting for a turn: %v, %d calls entered", err, len(st.entered))
	}
}
