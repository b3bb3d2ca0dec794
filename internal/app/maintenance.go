package app

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"kycd/internal/kyc"
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

// anchorAuditArgs is the periodic job that anchors the audit chains that moved since the last
// anchor, in every environment (see store.AnchorAudit): a resource's chain deleted whole is
// detected once an anchor has covered it.
type anchorAuditArgs struct{}

func (anchorAuditArgs) Kind() string { return "audit_anchor" }

type auditAnchorer interface {
	AnchorAudit(ctx context.Context, env kyc.Env) (int, error)
}

type anchorAuditWorker struct {
	river.WorkerDefaults[anchorAuditArgs]
	store auditAnchorer
}

func (w *anchorAuditWorker) Work(ctx context.Context, _ *river.Job[anchorAuditArgs]) error {
	for _, env := range []kyc.Env{kyc.EnvTest, kyc.EnvLive} {
		if _, err := w.store.AnchorAudit(ctx, env); err != nil {
			return err
		}
	}
	return nil
}

// moveApplicantsArgs is the periodic job that moves applicants written before applicants had data
// keys under keys of their own (store.MoveApplicantsUnderTheirKeys), then their documents and
// events (store.MoveDocumentsUnderTheirKeys, MoveEventsUnderTheirKeys), a batch at a time, until none is left; then each run is one
// query that finds nothing.
type moveApplicantsArgs struct{}

func (moveApplicantsArgs) Kind() string { return "applicants_move_under_keys" }

type applicantMover interface {
	MoveApplicantsUnderTheirKeys(ctx context.Context, env kyc.Env, limit int) (int, error)
	MoveDocumentsUnderTheirKeys(ctx context.Context, env kyc.Env, limit int) (int, error)
	MoveEventsUnderTheirKeys(ctx context.Context, env kyc.Env, limit int) (int, error)
}

type moveApplicantsWorker struct {
	river.WorkerDefaults[moveApplicantsArgs]
	store applicantMover
}

// moveBatch is how many applicants a run moves per environment: about a second's work.
const moveBatch = 500

func (w *moveApplicantsWorker) Work(ctx context.Context, _ *river.Job[moveApplicantsArgs]) error {
	for _, env := range []kyc.Env{kyc.EnvTest, kyc.EnvLive} {
		if _, err := w.store.MoveApplicantsUnderTheirKeys(ctx, env, moveBatch); err != nil {
			return err
		}
		if _, err := w.store.MoveDocumentsUnderTheirKeys(ctx, env, moveBatch); err != nil {
			return err
		}
		if _, err := w.store.MoveEventsUnderTheirKeys(ctx, env, moveBatch); err != nil {
			return err
		}
	}
	return nil
}

type maintainer interface {
	idempotencyForgetter
	orphanRescuer
	auditAnchorer
	applicantMover
}

// registerMaintenance adds the housekeeping workers and returns their schedules.
func registerMaintenance(workers *river.Workers, st maintainer) []*river.PeriodicJob {
	river.AddWorker(workers, &forgetIdempotencyWorker{store: st})
	river.AddWorker(workers, &rescueOrphansWorker{store: st})
	river.AddWorker(workers, &anchorAuditWorker{store: st})
	river.AddWorker(workers, &moveApplicantsWorker{store: st})
	return []*river.PeriodicJob{
		// One attempt: the next run, a minute later, takes up where this one stopped.
		river.NewPeriodicJob(river.PeriodicInterval(time.Minute),
			func() (river.JobArgs, *river.InsertOpts) {
				return moveApplicantsArgs{}, &river.InsertOpts{MaxAttempts: 1}
			}, &river.PeriodicJobOpts{RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return forgetIdempotencyArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(store.OrphanRescueInterval),
			func() (river.JobArgs, *river.InsertOpts) {
				return rescueOrphansArgs{}, &river.InsertOpts{MaxAttempts: 1}
			}, nil),
		// One attempt: the next run, an interval later, anchors whatever this one did not.
		river.NewPeriodicJob(river.PeriodicInterval(store.AuditAnchorInterval),
			func() (river.JobArgs, *river.InsertOpts) {
				return anchorAuditArgs{}, &river.InsertOpts{MaxAttempts: 1}
			}, &river.PeriodicJobOpts{RunOnStart: true}),
	}
}
