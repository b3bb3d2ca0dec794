package screening

import (
	"context"
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

// MonitorArgs is one batch of ongoing monitoring: the approved applicants of Env after After,
// re-screened against the Changed entries ("list:id") of an import, or all entries (All, after a
// list's first import).
type MonitorArgs struct {
	Env     kyc.Env  `json:"env"`
	Changed []string `json:"changed,omitempty"`
	All     bool     `json:"all,omitempty"`
	After   string   `json:"after,omitempty"`
}

// Kind names the job for River.
func (MonitorArgs) Kind() string { return "screening_monitor" }

// MonitorJob is the insert of a monitoring batch.
func MonitorJob(env kyc.Env, mon Monitor, after string) river.InsertManyParams {
	return river.InsertManyParams{Args: MonitorArgs{Env: env, Changed: mon.Changed, All: mon.All, After: after},
		InsertOpts: &river.InsertOpts{Queue: Queue, MaxAttempts: 10}}
}

// monitorBatch is how many applicants one monitoring job re-screens before it queues the next.
const monitorBatch = 500

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
	return w.svc.ScreenApplicant(ctx, a.Env, a.ApplicantID, a.Reason, nil)
}

// Timeout bounds one screening (a list reload included).
func (w *applicantWorker) Timeout(*river.Job[ApplicantArgs]) time.Duration { return time.Minute }

type monitorWorker struct {
	river.WorkerDefaults[MonitorArgs]
	svc  *Service
	jobs JobInserter
}

// Work re-screens one batch of approved applicants and queues the next batch. A batch that fails
// half way is retried whole; a potential match it already stored is not stored twice, since the
// screening of an applicant with an open potential match is skipped.
func (w *monitorWorker) Work(ctx context.Context, job *river.Job[MonitorArgs]) error {
	a := job.Args
	ids, err := w.svc.store.ApplicantIDsByStatus(ctx, a.Env, "approved", a.After, monitorBatch)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := w.svc.ScreenApplicant(ctx, a.Env, id, "list-updated", &Monitor{Changed: a.Changed, All: a.All}); err != nil {
			return err
		}
	}
	if len(ids) == monitorBatch {
		return w.jobs.InsertJob(ctx, MonitorJob(a.Env, Monitor{Changed: a.Changed, All: a.All}, ids[len(ids)-1]))
	}
	return nil
}

// Timeout bounds one batch of monitoring.
func (w *monitorWorker) Timeout(*river.Job[MonitorArgs]) time.Duration { return 10 * time.Minute }

// Register adds the screening workers and returns their queue and its concurrency.
func Register(workers *river.Workers, svc *Service, jobs JobInserter) (queue string, concurrency int) {
	river.AddWorker(workers, &applicantWorker{svc: svc})
	river.AddWorker(workers, &monitorWorker{svc: svc, jobs: jobs})
	return Queue, 4
}

// timeNow is the service's clock.
func timeNow() time.Time { return time.Now().UTC() }
