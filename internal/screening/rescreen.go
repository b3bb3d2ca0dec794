package screening

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"kycd/internal/kyc"
)

// MonitorArgs is one batch of the re-screening that follows a list import: the applicants of Env
// after After (any status), each re-screened when their latest screening did not use Version of
// List. An applicant never screened (no list was loaded when they came, or no name) gets a full
// screening, stored clear or not, unless created after the import (their own screening job,
// queued with their creation, runs against this version or a later one). One already screened is screened again in monitoring mode: only
// hits on the Changed entries ("list:id"; all entries when All, after a list's first import)
// count, a clear result is not stored, and an open potential match is left alone. The next batch
// is inserted by the job when this one is full.
type MonitorArgs struct {
	Env     kyc.Env  `json:"env"`
	Changed []string `json:"changed,omitempty"`
	All     bool     `json:"all,omitempty"`
	After   string   `json:"after,omitempty"`
	// List and Version name the import; jobs queued before they existed leave them empty and
	// re-screen every applicant.
	List    string `json:"list,omitempty"`
	Version string `json:"version,omitempty"`
	// Import is when the import was stored (Unix microseconds): it tells two imports of the same
	// version apart, so that the batches of each are unique jobs.
	Import int64 `json:"import,omitempty"`
}

// Kind names the job for River.
func (MonitorArgs) Kind() string { return "screening_monitor" }

// MonitorJob is the insert of a monitoring batch.
func MonitorJob(args MonitorArgs) river.InsertManyParams {
	return river.InsertManyParams{Args: args, InsertOpts: &river.InsertOpts{Queue: Queue, MaxAttempts: 10}}
}

// monitorBatch is how many applicants one monitoring job looks at before it queues the next.
const monitorBatch = 500

// rescreenJobs are the first monitoring batches of an import that changed a list, one per
// environment, inserted in the import's transaction.
func rescreenJobs(v kyc.SanctionsList, ch ListChange, at time.Time) []river.InsertManyParams {
	if len(ch.Changed) == 0 {
		return nil
	}
	// A first import changed every entry: applicants are screened against all of it.
	args := MonitorArgs{All: ch.Previous == "", List: v.List, Version: v.Version, Import: at.UnixMicro()}
	if !args.All {
		for _, id := range ch.Changed {
			args.Changed = append(args.Changed, v.List+":"+id)
		}
	}
	live, test := args, args
	live.Env, test.Env = kyc.EnvLive, kyc.EnvTest
	return []river.InsertManyParams{MonitorJob(live), MonitorJob(test)}
}

type monitorWorker struct {
	river.WorkerDefaults[MonitorArgs]
	svc  *Service
	jobs JobInserter
}

// Work re-screens one batch and queues the next. A batch that fails half way is retried whole:
// an applicant screened by the first attempt now has a screening with the new version (first
// screening) or an open potential match (monitoring), and is skipped; a clear monitoring result
// is not stored, so screening it again changes nothing. The next batch is a unique job, so a
// retry after its insert does not start a second chain.
func (w *monitorWorker) Work(ctx context.Context, job *river.Job[MonitorArgs]) error {
	a := job.Args
	if err := w.svc.lists.atLeast(ctx, a.List, a.Version); err != nil {
		return err
	}
	cands, err := w.svc.repo.RescreenCandidates(ctx, a.Env, a.After, monitorBatch)
	if err != nil {
		return err
	}
	mon := &Monitor{Changed: a.Changed, All: a.All}
	for _, c := range cands {
		switch {
		case !c.Screened && a.Import != 0 && c.CreatedAt.UnixMicro() > a.Import:
			continue // created after the import: their own screening job uses this version or a later one
		case !c.Screened:
			err = w.svc.ScreenApplicant(ctx, a.Env, c.ApplicantID, "list-updated", nil)
		case a.Version != "" && usedVersion(c.Lists, a.List, a.Version):
			continue
		default:
			err = w.svc.ScreenApplicant(ctx, a.Env, c.ApplicantID, "list-updated", mon)
		}
		if err != nil && !errors.Is(err, kyc.ErrGone) { // one erased meanwhile is skipped
			return err
		}
	}
	if len(cands) < monitorBatch {
		return nil
	}
	next := a
	next.After = cands[len(cands)-1].ApplicantID
	p := MonitorJob(next)
	p.InsertOpts.UniqueOpts = river.UniqueOpts{ByArgs: true}
	return w.jobs.InsertJob(ctx, p)
}

// Timeout bounds one batch of monitoring.
func (w *monitorWorker) Timeout(*river.Job[MonitorArgs]) time.Duration { return 10 * time.Minute }

// usedVersion reports whether a screening's lists hold version of list.
func usedVersion(vs []kyc.SanctionsList, list, version string) bool {
	for _, v := range vs {
		if v.List == list && v.Version == version {
			return true
		}
	}
	return false
}
