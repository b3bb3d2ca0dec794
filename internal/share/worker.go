package share

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/riverqueue/river"

	"kycd/internal/kyc"
	"kycd/internal/store"
)

// SubmitArgs is the River job that sends one share to its partner.
type SubmitArgs struct {
	Env     kyc.Env `json:"env"`
	ShareID string  `json:"shareId"`
}

// Kind names the job for River.
func (SubmitArgs) Kind() string { return "share_submit" }

// PollArgs is the River job that asks the partner where a submitted share stands, until it is
// decided or Config.PollFor has passed (it snoozes between questions).
type PollArgs struct {
	Env     kyc.Env `json:"env"`
	ShareID string  `json:"shareId"`
}

// Kind names the job for River.
func (PollArgs) Kind() string { return "share_poll" }

func (s *Service) submitJob(env kyc.Env, id string) river.InsertManyParams {
	return river.InsertManyParams{Args: SubmitArgs{Env: env, ShareID: id},
		InsertOpts: &river.InsertOpts{Queue: Queue, MaxAttempts: len(s.cfg.Retries) + 1}}
}

func (s *Service) pollJob(env kyc.Env, id string) river.InsertManyParams {
	return river.InsertManyParams{Args: PollArgs{Env: env, ShareID: id},
		InsertOpts: &river.InsertOpts{Queue: Queue, MaxAttempts: 25, ScheduledAt: time.Now().Add(s.cfg.PollInterval)}}
}

// Register adds the submission and poll workers to workers and returns their queue and its
// concurrency.
func Register(workers *river.Workers, s *Service) (queue string, concurrency int) {
	river.AddWorker(workers, &submitWorker{s: s})
	river.AddWorker(workers, &pollWorker{s: s})
	river.AddWorker(workers, &autoWorker{s: s})
	return Queue, s.cfg.Workers
}

// submitWorker sends a share. A temporary failure is retried on Config.Retries (a rate limit's
// Retry-After snoozes the job instead); a refusal or a failed pre-validation fails the share at
// once. The share's request number and journal make every retry the same submission.
type submitWorker struct {
	river.WorkerDefaults[SubmitArgs]
	s *Service
}

// NextRetry is Config.Retries[attempt-1] after now.
func (w *submitWorker) NextRetry(job *river.Job[SubmitArgs]) time.Time {
	r := w.s.cfg.Retries
	return time.Now().Add(r[min(max(job.Attempt, 1), len(r))-1])
}

// Timeout bounds one attempt: several partner calls with file uploads.
func (w *submitWorker) Timeout(*river.Job[SubmitArgs]) time.Duration { return 5 * time.Minute }

// Work makes one submission attempt.
func (w *submitWorker) Work(ctx context.Context, job *river.Job[SubmitArgs]) error {
	s, env, id := w.s, job.Args.Env, job.Args.ShareID
	rec, err := s.shares.Get(ctx, env, id)
	if errors.Is(err, kyc.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if rec.Status != "queued" {
		return nil // submitted already: a job that ran twice changes nothing
	}
	c, ok := s.connector(env, rec.Partner)
	if !ok { // never sent with another environment's settings
		return s.fail(ctx, env, id, job.Attempt, "partner "+rec.Partner+" is not configured for the "+string(env)+" environment")
	}
	k, err := s.gather(ctx, rec.Share)
	if err != nil {
		return err
	}
	if err := c.Validate(k); err != nil {
		return s.fail(ctx, env, id, job.Attempt, err.Error())
	}
	out, err := c.Submit(ctx, k, &journal{s: s, env: env, id: id, steps: rec.Steps, attempt: job.Attempt})
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		te, temporary := asTemporary(err)
		if !temporary || job.Attempt >= job.MaxAttempts {
			return s.fail(ctx, env, id, job.Attempt, err.Error())
		}
		if _, rerr := s.shares.Update(ctx, env, id, func(r *Record) (store.Effects, error) {
			r.Attempts, r.LastError = job.Attempt, err.Error()
			return store.Effects{}, nil
		}); rerr != nil {
			return rerr
		}
		s.log.WarnContext(ctx, "share submission failed, will retry", "share_id", id, "partner", rec.Partner, "attempt", job.Attempt, "err", err)
		if te.RetryAfter > 0 {
			return river.JobSnooze(te.RetryAfter)
		}
		return err
	}
	if out.Status == "" || out.Status == "queued" {
		out.Status = "submitted"
	}
	_, err = s.shares.Update(ctx, env, id, func(r *Record) (store.Effects, error) {
		r.Attempts, r.LastError = job.Attempt, ""
		if r.Status != "queued" {
			// The partner's callback came before this answer was recorded: keep what it said.
			if r.Reference == "" {
				r.Reference = out.Reference
			}
			return store.Effects{}, nil
		}
		r.Status = out.Status
		setOutcome(r, out)
		eff := store.Effects{
			Audit:  kyc.AuditEntry{Actor: "system:share", Action: "share." + out.Status, ResourceType: "share", ResourceID: id},
			Events: []store.NewEvent{{Type: kyc.ShareEvents[out.Status], ResourceType: "share", ResourceID: id}},
		}
		if !kyc.FinalShareStatus(out.Status) {
			eff.Jobs = []river.InsertManyParams{s.pollJob(env, id)}
		}
		return eff, nil
	})
	if err == nil {
		s.log.InfoContext(ctx, "share submitted", "share_id", id, "partner", rec.Partner, "attempt", job.Attempt, "status", out.Status)
	}
	return err
}

func setOutcome(r *Record, out Outcome) {
	if out.Reference != "" {
		r.Reference = out.Reference
	}
	if out.PartnerStatus != "" {
		r.PartnerStatus = out.PartnerStatus
	}
	if out.Message != "" {
		r.Message = out.Message
	}
}

// fail moves a share to failed for good with why.
func (s *Service) fail(ctx context.Context, env kyc.Env, id string, attempt int, why string) error {
	_, err := s.shares.Update(ctx, env, id, func(r *Record) (store.Effects, error) {
		r.Status, r.Attempts, r.LastError = "failed", attempt, why
		return store.Effects{
			Audit:  kyc.AuditEntry{Actor: "system:share", Action: "share.failed", ResourceType: "share", ResourceID: id},
			Events: []store.NewEvent{{Type: kyc.EventShareFailed, ResourceType: "share", ResourceID: id}},
		}, nil
	})
	if err == nil {
		s.log.WarnContext(ctx, "share failed", "share_id", id, "attempt", attempt)
	}
	return err
}

// pollWorker asks the partner about a submitted share, so that a status that never arrives by
// callback is still picked up.
type pollWorker struct {
	river.WorkerDefaults[PollArgs]
	s *Service
}

// Work asks once, applies the answer, and snoozes until the next question while the share is
// undecided.
func (w *pollWorker) Work(ctx context.Context, job *river.Job[PollArgs]) error {
	s, env, id := w.s, job.Args.Env, job.Args.ShareID
	rec, err := s.shares.Get(ctx, env, id)
	if errors.Is(err, kyc.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if rec.Status != "submitted" && rec.Status != "needs-info" || time.Since(rec.CreatedTime) > s.cfg.PollFor {
		return nil
	}
	c, ok := s.connector(env, rec.Partner)
	if !ok {
		return nil
	}
	out, err := c.Status(ctx, rec.Share)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		s.log.WarnContext(ctx, "share status query failed", "share_id", id, "partner", rec.Partner, "err", err)
		return river.JobSnooze(s.cfg.PollInterval)
	}
	after, err := s.apply(ctx, env, id, out, "system:share-poll")
	if err != nil {
		return err
	}
	if kyc.FinalShareStatus(after.Status) {
		return nil
	}
	return river.JobSnooze(s.cfg.PollInterval)
}

// journal keeps the steps of one submission in the share's sealed data.
type journal struct {
	s       *Service
	env     kyc.Env
	id      string
	steps   map[string]string
	attempt int
}

func (j *journal) Attempt() int { return j.attempt }

func (j *journal) Step(ctx context.Context, name string, do func() (string, error)) (string, error) {
	if v, ok := j.steps[name]; ok {
		return v, nil
	}
	v, err := do()
	if err != nil {
		return "", err
	}
	if _, err := j.s.shares.Update(ctx, j.env, j.id, func(r *Record) (store.Effects, error) {
		r.Steps[name] = v
		return store.Effects{}, nil
	}); err != nil {
		return "", fmt.Errorf("remember step %s: %w", name, err)
	}
	j.steps[name] = v
	return v, nil
}

// OpenLink serves a signed file link: the file's metadata and bytes, when the link holds.
func (s *Service) OpenLink(ctx context.Context, token string) (kyc.File, io.ReadCloser, error) {
	env, id, err := s.links.Verify(token)
	if err != nil {
		return kyc.File{}, nil, err
	}
	return s.files.Open(ctx, env, id)
}
