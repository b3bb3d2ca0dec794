package share

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"kycd/internal/kyc"
)

// AutoArgs is the periodic River job of automatic sharing: it shares every approved applicant
// that has no share with a partner of Config.Auto yet, and, for Saintpay, shares again (update, or
// reNew after a rejection) every approved applicant that changed since its last share.
type AutoArgs struct{}

// Kind names the job for River.
func (AutoArgs) Kind() string { return "share_auto" }

// autoInterval is how often automatic sharing looks for newly approved applicants.
const autoInterval = 30 * time.Second

// PeriodicJobs is the automatic sharing sweep when Config.Auto names partners, else nothing.
func (s *Service) PeriodicJobs() []*river.PeriodicJob {
	if len(s.cfg.Auto) == 0 {
		return nil
	}
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(s.cfg.AutoInterval),
		func() (river.JobArgs, *river.InsertOpts) {
			// One sweep at a time: a sweep slower than the interval must not run beside the next
			// one, or both would share the same changed applicant.
			return AutoArgs{}, &river.InsertOpts{Queue: Queue, UniqueOpts: river.UniqueOpts{ByState: []rivertype.JobState{
				rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable, rivertype.JobStateRunning, rivertype.JobStateScheduled}}}
		},
		&river.PeriodicJobOpts{RunOnStart: true})}
}

// shareable are the statuses of the applicants automatic sharing sends to a partner: approved
// ones, never shared with it (Repo.NeverShared), and, for Saintpay, those that changed since their
// last share with it (Repo.ChangedSinceShared). Never empty.
var shareable = []string{"approved"}

// underWay are the statuses of a share still under way: an applicant with one is not shared again
// for a change (Repo.ChangedSinceShared). Never empty.
var underWay = []string{"queued"}

type autoWorker struct {
	river.WorkerDefaults[AutoArgs]
	s *Service
}

// Work shares up to 100 applicants per partner and environment per run.
func (w *autoWorker) Work(ctx context.Context, _ *river.Job[AutoArgs]) error {
	s := w.s
	envs := []kyc.Env{kyc.EnvLive}
	if s.cfg.AutoTest {
		envs = append(envs, kyc.EnvTest)
	}
	var errs []error
	for _, env := range envs {
		for _, partner := range s.cfg.Auto {
			c, ok := s.connector(env, partner)
			if !ok { // a test applicant goes to the partner's sandbox settings or nowhere
				continue
			}
			ids, err := s.shares.NeverShared(ctx, env, partner, 100)
			if err != nil {
				return err
			}
			if partner == "saintpay" { // Saintpay keeps its copy current: update or reNew on change
				changed, err := s.shares.ChangedSinceShared(ctx, env, partner, 100)
				if err != nil {
					return err
				}
				ids = append(ids, changed...)
			}
			for _, id := range ids {
				a, err := s.store.Applicant(ctx, env, id)
				if err == nil {
					_, err = s.create(ctx, "system:share-auto", c, a, Input{Partner: partner}, true)
				}
				if err != nil {
					errs = append(errs, err)
					continue
				}
				s.log.InfoContext(ctx, "shared automatically", "applicant_id", id, "partner", partner)
			}
		}
	}
	return errors.Join(errs...)
}
