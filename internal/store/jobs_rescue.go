package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivertype"
)

// RescueAfter is River's stuck-job rescuer setting (Config.RescueStuckJobsAfter): a job still
// running this long after its attempt started, and past its own timeout (River checks each kind's
// Timeout), is tried again. It is the backstop for a job that hangs in a live process, and sits a
// minute above the default job timeout (JobTimeout) so that a job is never rescued while it may
// still run. Jobs of a process that died are not left to it: RescueOrphanedJobs frees them within
// seconds.
const RescueAfter = JobTimeout + time.Minute

// JobTimeout bounds a job of a kind that sets no Timeout of its own. The kinds that do: webhook
// delivery (its HTTP timeout + 15 s), screening (1 min), verification (2 min), share submission
// (5 min), sanctions monitor and snapshot (10 min), list refresh (15 min).
const JobTimeout = 5 * time.Minute

// OrphanRescueInterval is how often a running kycd looks for the jobs of processes that died (on
// PostgreSQL, another replica's); a restarted kycd looks once as it starts its jobs.
const OrphanRescueInterval = 20 * time.Second

// rescueBatch is how many running jobs RescueOrphanedJobs reads at a time.
const rescueBatch = 500

// RescueOrphanedJobs makes the jobs that were running in a process that has died (kill -9, power
// loss) available again at once, instead of leaving them "running" until River's rescuer (see
// RescueAfter). A job's attempt still counts, so a job that kills its process every time is
// discarded after its last attempt rather than tried for ever. It answers how many jobs it freed.
func (s *Store) RescueOrphanedJobs(ctx context.Context) (int, error) {
	exec := s.jobExecutor()
	if exec == nil {
		return 0, fmt.Errorf("store: RescueOrphanedJobs before InitJobs")
	}
	alive := map[string]bool{}
	freed := 0
	var after int64
	for {
		jobs, err := exec.JobGetStuck(ctx, &riverdriver.JobGetStuckParams{AfterID: after, Max: rescueBatch, StuckHorizon: time.Now().Add(time.Second)})
		if err != nil {
			return freed, fmt.Errorf("store: running jobs: %w", err)
		}
		p := &riverdriver.JobSetStateIfRunningManyParams{}
		now := time.Now().UTC()
		for _, job := range jobs {
			after = job.ID
			if len(job.AttemptedBy) == 0 {
				continue
			}
			owner := job.AttemptedBy[len(job.AttemptedBy)-1]
			live, seen := alive[owner]
			if !seen {
				if live, err = s.processAlive(ctx, s.reader(), owner); err != nil {
					return freed, err
				}
				alive[owner] = live
			}
			if live {
				continue
			}
			addOrphan(p, job, now)
		}
		if len(p.ID) > 0 {
			p.Now = &now
			if _, err := exec.JobSetStateIfRunningMany(ctx, p); err != nil {
				return freed, fmt.Errorf("store: rescue jobs: %w", err)
			}
			freed += len(p.ID)
		}
		if len(jobs) < rescueBatch {
			return freed, nil
		}
	}
}

// addOrphan adds a dead process's job to p: available now, or discarded after its last attempt.
func addOrphan(p *riverdriver.JobSetStateIfRunningManyParams, job *rivertype.JobRow, now time.Time) {
	errData, _ := json.Marshal(rivertype.AttemptError{At: now, Attempt: max(job.Attempt, 0), Error: "the process running the job died"})
	state, finalized, scheduled := rivertype.JobStateAvailable, (*time.Time)(nil), &now
	if job.Attempt >= job.MaxAttempts {
		state, finalized, scheduled = rivertype.JobStateDiscarded, &now, nil
	}
	p.ID = append(p.ID, job.ID)
	p.Attempt = append(p.Attempt, nil)
	p.ErrData = append(p.ErrData, errData)
	p.FinalizedAt = append(p.FinalizedAt, finalized)
	p.MetadataDoMerge = append(p.MetadataDoMerge, false)
	p.MetadataUpdates = append(p.MetadataUpdates, []byte("{}"))
	p.ScheduledAt = append(p.ScheduledAt, scheduled)
	p.State = append(p.State, state)
}

// jobExecutor is the River driver's executor on the store's database, nil before InitJobs.
func (s *Store) jobExecutor() riverdriver.Executor {
	switch {
	case s.pgJobs != nil:
		return s.pgJobs.Driver().GetExecutor()
	case s.sqliteJobs != nil:
		return s.sqliteJobs.Driver().GetExecutor()
	}
	return nil
}
