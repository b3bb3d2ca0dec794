package webhook

import (
	"context"
	"time"

	"github.com/riverqueue/river"
)

// RetentionArgs is the hourly job that deletes finished deliveries older than Config.Retention, so
// that the sealed bodies (personal data) and the receivers' answers are not kept for ever.
type RetentionArgs struct{}

// Kind names the job for River.
func (RetentionArgs) Kind() string { return "webhook_deliveries_forget" }

// RetentionStore is what the retention job needs from the database (a Repository).
type RetentionStore interface {
	ForgetDeliveries(ctx context.Context, finishedBefore time.Time) (int64, error)
}

var _ RetentionStore = (*Repository)(nil)

// RetentionWorker runs RetentionArgs jobs.
type RetentionWorker struct {
	river.WorkerDefaults[RetentionArgs]
	store     RetentionStore
	retention time.Duration
}

// Work deletes the deliveries that finished more than the retention ago.
func (w *RetentionWorker) Work(ctx context.Context, _ *river.Job[RetentionArgs]) error {
	_, err := w.store.ForgetDeliveries(ctx, time.Now().Add(-w.retention))
	return err
}

// RegisterRetention adds the retention worker to workers and returns its hourly schedule.
func RegisterRetention(workers *river.Workers, st RetentionStore, cfg Config) []*river.PeriodicJob {
	cfg = cfg.WithDefaults()
	river.AddWorker(workers, &RetentionWorker{store: st, retention: cfg.Retention})
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
		func() (river.JobArgs, *river.InsertOpts) { return RetentionArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true})}
}
