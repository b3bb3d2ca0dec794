package verify

import (
	"context"
	"errors"
	"runtime"
	"time"

	"github.com/riverqueue/river"

	"kycd/internal/kyc"
)

// Args is the job that verifies one KYC document.
type Args struct {
	Env        kyc.Env `json:"env"`
	DocumentID string  `json:"documentId"`
}

// Kind names the job for River.
func (Args) Kind() string { return "kyc_document_verify" }

// Queue is the River queue of verification jobs: its own, so that image checks, which are CPU and
// memory heavy, run a bounded number at a time (see Register).
const Queue = "verify"

// Job is the insert of a verification job, to put in the Effects of the change that creates the
// document.
func Job(env kyc.Env, documentID string) river.InsertManyParams {
	return river.InsertManyParams{Args: Args{Env: env, DocumentID: documentID}, InsertOpts: &river.InsertOpts{Queue: Queue, MaxAttempts: 10}}
}

// Worker runs Args jobs with an Engine.
type Worker struct {
	river.WorkerDefaults[Args]
	Engine *Engine
}

// Work verifies the document. An error another attempt would meet again (see Permanent) is not
// retried: the document is held for a person (Engine.Hold) and the job cancelled, so nothing
// stays undecided behind ten retries. When the document itself is gone, or its applicant was
// erased, there is nothing to hold.
func (w *Worker) Work(ctx context.Context, job *river.Job[Args]) error {
	err := w.Engine.Verify(ctx, job.Args.Env, job.Args.DocumentID)
	if errors.Is(err, kyc.ErrGone) {
		return river.JobCancel(err) // its applicant was erased meanwhile: nothing to verify or hold
	}
	if err == nil || !Permanent(err) {
		return err
	}
	if herr := w.Engine.Hold(ctx, job.Args.Env, job.Args.DocumentID); herr != nil && !errors.Is(herr, kyc.ErrNotFound) {
		return herr // the hold itself failed (the database): try again
	}
	return river.JobCancel(err)
}

// Timeout bounds one verification (image decoding is the slow part).
func (w *Worker) Timeout(*river.Job[Args]) time.Duration { return 2 * time.Minute }

// Register adds the worker to workers and returns the queue it needs with its concurrency
// (Concurrency).
func Register(workers *river.Workers, e *Engine) (queue string, concurrency int) {
	river.AddWorker(workers, &Worker{Engine: e})
	return Queue, Concurrency()
}

// Concurrency is how many verifications a process runs at once: one per CPU.
func Concurrency() int { return runtime.GOMAXPROCS(0) }
