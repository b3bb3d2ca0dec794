package screening

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"kycd/internal/kyc"
)

// Queue is the River queue of screening jobs.
const Queue = "screening"

// ApplicantArgs is the job that screens one applicant.
type ApplicantArgs struct {
	Env         kyc.Env `json:"env"`
	ApplicantID string  `json:"applicantId"`
	// Reason is applicant-created or applicant-updated.
	Reason string `json:"reason"`
}

// Kind names the job for River.
func (ApplicantArgs) Kind() string { return "screening_applicant" }

// ApplicantJob is the insert of a screening job, to put in the Effects of the change that causes
// it (an applicant created, or their name, date of birth or nationality changed).
func ApplicantJob(env kyc.Env, applicantID, reason string) river.InsertManyParams {
	return river.InsertManyParams{Args: ApplicantArgs{Env: env, ApplicantID: applicantID, Reason: reason},
		InsertOpts: &river.InsertOpts{Queue: Queue, MaxAttempts: 10}}
}

// ScreeningChanged reports whether a change from before to after needs a new screening: the
// names, date of birth, nationality or type changed.
func ScreeningChanged(before, after *kyc.Applicant) bool {
	b, a := &before.Profile, &after.Profile
	return before.Type != after.Type || b.FirstName != a.FirstName || b.MiddleName != a.MiddleName || b.LastName != a.LastName ||
		b.FirstNameLatin != a.FirstNameLatin || b.MiddleNameLatin != a.MiddleNameLatin || b.LastNameLatin != a.LastNameLatin ||
		b.DateOfBirth != a.DateOfBirth || b.Nationality != a.Nationality
}

// JobInserter inserts a follow-up job (the next monitoring batch).
type JobInserter interface {
	InsertJob(ctx context.Context, job river.InsertManyParams) error
}

type applicantWorker struct {
	river.WorkerDefaults[ApplicantArgs]
	svc *Service
}

// Work screens the applicant against the lists in use. A retry whose earlier attempt stored the
// screening (and failed after it, holding documents) finishes that attempt instead of screening
// twice.
func (w *applicantWorker) Work(ctx context.Context, job *river.Job[ApplicantArgs]) error {
	a := job.Args
	if job.Attempt > 1 {
		done, err := w.svc.finishEarlierAttempt(ctx, a.Env, a.ApplicantID, a.Reason, job.CreatedAt)
		if err != nil || done {
			return err
		}
	}
	err := w.svc.ScreenApplicant(ctx, a.Env, a.ApplicantID, a.Reason, nil)
	if errors.Is(err, kyc.ErrGone) {
		return river.JobCancel(err) // the applicant was erased meanwhile: nothing to screen, no retry
	}
	return err
}

// Timeout bounds one screening (a list reload included).
func (w *applicantWorker) Timeout(*river.Job[ApplicantArgs]) time.Duration { return time.Minute }

// Register adds the screening workers and returns their queue and its concurrency.
func Register(workers *river.Workers, svc *Service, jobs JobInserter) (queue string, concurrency int) {
	river.AddWorker(workers, &applicantWorker{svc: svc})
	river.AddWorker(workers, &monitorWorker{svc: svc, jobs: jobs})
	return Queue, 4
}

// timeNow is the service's clock.
func timeNow() time.Time { return time.Now().UTC() }
