package app

import (
	"context"
	"time"

	"github.com/riverqueue/river"
)

// IdempotencyRetention is how long an Idempotency-Key's answer is remembered.
const IdempotencyRetention = 24 * time.Hour

// forgetIdempotencyArgs is the hourly job that deletes Idempotency-Keys older than the retention.
type forgetIdempotencyArgs struct{}

func (forgetIdempotencyArgs) Kind() string { return "idempotency_keys_forget" }

type idempotencyForgetter interface {
	ForgetIdempotencyKeys(ctx context.Context, before time.Time) (int64, error)
}

type forgetIdempotencyWorker struct {
	river.WorkerDefaults[forgetIdempotencyArgs]
	store idempotencyForgetter
}

func (w *forgetIdempotencyWorker) Work(ctx context.Context, _ *river.Job[forgetIdempotencyArgs]) error {
	_, err := w.store.ForgetIdempotencyKeys(ctx, time.Now().Add(-IdempotencyRetention))
	return err
}

// registerMaintenance adds the housekeeping workers and returns their schedules.
func registerMaintenance(workers *river.Workers, st idempotencyForgetter) []*river.PeriodicJob {
	river.AddWorker(workers, &forgetIdempotencyWorker{store: st})
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
		func() (river.JobArgs, *river.InsertOpts) { return forgetIdempotencyArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true})}
}
