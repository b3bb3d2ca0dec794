package app

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"kycd/internal/store"
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

// rescueOrphansArgs is the job that frees the jobs of processes that died (another replica's, on
// PostgreSQL); each process frees those of its predecessors as it starts.
type rescueOrphansArgs struct{}

func (rescueOrphansArgs) Kind() string { return "jobs_rescue_orphans" }

type orphanRescuer interface {
	RescueOrphanedJobs(ctx context.Context) (int, error)
}

type rescueOrphansWorker struct {
	river.WorkerDefaults[rescueOrphansArgs]
	store orphanRescuer
}

func (w *rescueOrphansWorker) Work(ctx context.Context, _ *river.Job[rescueOrphansArgs]) error {
	_, err := w.store.RescueOrphanedJobs(ctx)
	return err
}

// Timeout: a sweep of the running jobs, well within the interval.
func (w *rescueOrphansWorker) Timeout(*river.Job[rescueOrphansArgs]) time.Duration {
	return store.OrphanRescueInterval
}

type maintainer interface {
	idempotencyForgetter
	orphanRescuer
}

// registerMaintenance adds the housekeeping workers and returns their schedules.
func registerMaintenance(workers *river.Workers, st maintainer) []*river.PeriodicJob {
	river.AddWorker(workers, &forgetIdempotencyWorker{store: st})
	river.AddWorker(workers, &rescueOrphansWorker{store: st})
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return forgetIdempotencyArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(store.OrphanRescueInterval),
			func() (river.JobArgs, *river.InsertOpts) {
				return rescueOrphansArgs{}, &river.InsertOpts{MaxAttempts: 1}
			}, nil),
	}
}
