package verify

import "context"

// catchUpMargin is how far back, in seq, each catch-up of an in-memory index reads again: on
// PostgreSQL a row's seq is taken when its transaction inserts it, and a transaction that took a
// lower seq can commit after one that took a higher; reading the last catchUpMargin again finds
// those (the indexes ignore or replace a row they hold already).
const catchUpMargin = 256

// catchUpBatch is how many rows one read of a catch-up takes.
const catchUpBatch = 5000

// catchUp reads, in batches, the rows stored since *last (less catchUpMargin) and gives each to
// add in seq order, moving *last to the highest seq seen: how the face and perceptual-hash
// indexes follow what this and other replicas store.
func catchUp[T any](ctx context.Context, last *int64, read func(ctx context.Context, after int64, limit int) ([]T, error),
	seq func(T) int64, add func(T) error) error {
	after := max(0, *last-catchUpMargin)
	for {
		batch, err := read(ctx, after, catchUpBatch)
		if err != nil {
			return err
		}
		for _, r := range batch {
			if err := add(r); err != nil {
				return err
			}
			after = seq(r)
			*last = max(*last, after)
		}
		if len(batch) < catchUpBatch {
			return nil
		}
	}
}
