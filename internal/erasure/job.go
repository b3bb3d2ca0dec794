package erasure

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"kycd/internal/kyc"
	"kycd/internal/store"
)

// JobArgs is the erasure job: it carries out the scheduled erasures whose time has come and
// deletes the file blobs of erased applicants. It runs every minute, and at once after an
// erasure; runs that overlap do the same work twice, harmlessly.
type JobArgs struct{}

// Kind is the job's River kind.
func (JobArgs) Kind() string { return "applicant_erasures" }

// JobInterval is how often the erasure job runs.
const JobInterval = time.Minute

// jobBatch bounds the erasures one run takes up: the next run goes on.
const jobBatch = 100

// Blobs is what the job needs of the blob store.
type Blobs interface {
	Delete(ctx context.Context, key string) error
	Walk(ctx context.Context, prefix string, before time.Time, fn func(key string) error) error
}

// JobStore is what the job needs of the database.
type JobStore interface {
	ErasuresDue(ctx context.Context, now time.Time, limit int) ([]store.ErasureTarget, error)
	ErasuresUnpurged(ctx context.Context, limit int) ([]store.ErasureTarget, error)
	FileBlobKeys(ctx context.Context, env kyc.Env, applicantID string) ([]string, error)
	MarkBlobsPurged(ctx context.Context, env kyc.Env, applicantID string, at time.Time) error
}

var _ JobStore = (*store.Store)(nil)

// Worker runs JobArgs jobs.
type Worker struct {
	river.WorkerDefaults[JobArgs]
	svc   *Service
	st    JobStore
	blobs Blobs
	log   *slog.Logger
}

// NewWorker returns the erasure job's worker.
func NewWorker(svc *Service, st JobStore, blobs Blobs, log *slog.Logger) *Worker {
	return &Worker{svc: svc, st: st, blobs: blobs, log: log}
}

// PeriodicJob is the erasure job's schedule.
func PeriodicJob() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(JobInterval), func() (river.JobArgs, *river.InsertOpts) {
		return JobArgs{}, nil
	}, &river.PeriodicJobOpts{RunOnStart: true})
}

// Work carries out the due erasures, then deletes the blobs of the erased applicants. An
// applicant that fails is logged and left for the next run; the others go on.
func (w *Worker) Work(ctx context.Context, _ *river.Job[JobArgs]) error {
	var errs []error
	due, err := w.st.ErasuresDue(ctx, store.Now(), jobBatch)
	if err != nil {
		return err
	}
	for _, t := range due {
		if erased, err := w.svc.EraseDue(ctx, t.Env, t.ApplicantID); err != nil {
			errs = append(errs, fmt.Errorf("erase applicant %s: %w", t.ApplicantID, err))
		} else if erased {
			w.log.InfoContext(ctx, "applicant erased", "env", t.Env, "applicant_id", t.ApplicantID, "scheduled", true)
		}
	}
	unpurged, err := w.st.ErasuresUnpurged(ctx, jobBatch)
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	for _, t := range unpurged {
		n, err := w.purge(ctx, t)
		if err != nil {
			errs = append(errs, fmt.Errorf("delete the blobs of erased applicant %s: %w", t.ApplicantID, err))
			continue
		}
		w.log.InfoContext(ctx, "erased applicant's blobs deleted", "env", t.Env, "applicant_id", t.ApplicantID, "blobs", n)
	}
	if len(errs) > 0 {
		w.log.ErrorContext(ctx, "erasure job", "err", errors.Join(errs...))
	}
	return nil
}

// purge deletes every blob of an erased applicant: those its files name, its draft as an earlier
// kycd kept it (drafts/<env>/<applicant id>), and anything else under its prefix
// (<env>/<applicant id>/: a blob whose row never committed), then records it.
func (w *Worker) purge(ctx context.Context, t store.ErasureTarget) (int, error) {
	keys, err := w.st.FileBlobKeys(ctx, t.Env, t.ApplicantID)
	if err != nil {
		return 0, err
	}
	// The end user's draft as an earlier kycd kept it, in the blob store (package gather's
	// legacyKey), if it is still there.
	keys = append(keys, "drafts/"+string(t.Env)+"/"+t.ApplicantID)
	n := 0
	for _, k := range keys {
		if err := w.blobs.Delete(ctx, k); err != nil {
			return n, err
		}
		n++
	}
	err = w.blobs.Walk(ctx, string(t.Env)+"/"+t.ApplicantID+"/", time.Now().Add(time.Hour), func(key string) error {
		n++
		return w.blobs.Delete(ctx, key)
	})
	if err != nil {
		return n, err
	}
	return n, w.st.MarkBlobsPurged(ctx, t.Env, t.ApplicantID, store.Now())
}
