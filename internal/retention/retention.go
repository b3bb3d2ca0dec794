// Package retention applies kycd's retention periods: after an applicant's last activity (see
// package store: the latest update of the applicant, its documents, requests, screenings and
// shares, and its files' uploads) has been older than a period, the data of that class goes.
//
//   - Document images (Config.Images, KYCD_RETENTION_IMAGES): each file's bytes (blob) are deleted;
//     the file's metadata stays and its content answers 410.
//
//   - Personal data (Config.PersonalData, KYCD_RETENTION_PERSONAL_DATA): the applicant is erased
//     (package erasure, actor system:retention): data key destroyed, a signed receipt, the
//     applicant-erased event. An applicant under a legal hold is skipped and reported.
//
//   - Event payloads (Config.EventPayloads, KYCD_RETENTION_EVENTS): counted from each event's
//     own time, the payload (the resource's sealed copy) is removed; the event row stays.
//
//   - Audit trails (Config.Audit, KYCD_RETENTION_AUDIT, default 0: kept for ever): a resource's
//     whole trail once its newest entry is older than the period, recorded as a signed pruning
//     anchor (store.PruneAudit); never shorter than the personal data's period.
//
// The defaults, five years, come from Directive (EU) 2015/849 (the 4th AML directive), Article
// 40(1): records and supporting evidence are kept five years after the end of the business
// relationship.
package retention

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

// DefaultPeriod is every class's default retention period: five years (Directive (EU) 2015/849,
// Article 40(1)).
const DefaultPeriod = 5 * 365 * 24 * time.Hour

// DefaultBatch is how many items of each class one run takes at most.
const DefaultBatch = 500

// Actor is who retention's erasures and image deletions are by, in the audit log (and in the
// erasure receipts). Event payloads' removal is not audited one by one: it is a count in the log.
const Actor kyc.Actor = "system:retention"

// Config sets the retention periods; a zero period takes DefaultPeriod, except Audit, for which
// zero keeps the audit log for ever.
type Config struct {
	// Images is how long document images (file bytes) are kept after the applicant's last
	// activity.
	Images time.Duration
	// PersonalData is how long the applicant's personal data (everything an erasure removes) is
	// kept after its last activity; the applicant is then erased.
	PersonalData time.Duration
	// EventPayloads is how long an event keeps its payload after it was written.
	EventPayloads time.Duration
	// Audit is how long a resource's audit trail is kept after its newest entry; then the whole
	// trail goes, and the pruning is recorded, signed, in the log (store.PruneAudit). 0 keeps
	// audit entries for ever.
	Audit time.Duration
	// Batch bounds each class's work in one run. Default DefaultBatch.
	Batch int
	// Now is the clock (tests give a fake one). Default time.Now.
	Now func() time.Time
}

// WithDefaults fills the defaults.
func (c Config) WithDefaults() Config {
	for _, p := range []*time.Duration{&c.Images, &c.PersonalData, &c.EventPayloads} {
		if *p <= 0 {
			*p = DefaultPeriod
		}
	}
	if c.Batch <= 0 {
		c.Batch = DefaultBatch
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Validate refuses a negative audit retention, and one shorter than the personal data's: the
// trail of what was done with a person's data outlives the data.
func (c Config) Validate() error {
	if c.Audit < 0 {
		return errors.New("KYCD_RETENTION_AUDIT: a period of 0 (for ever) or more is required")
	}
	if personal := c.WithDefaults().PersonalData; c.Audit > 0 && c.Audit < personal {
		return fmt.Errorf("KYCD_RETENTION_AUDIT (%s) is shorter than KYCD_RETENTION_PERSONAL_DATA (%s): the audit trail must be kept at least as long as the data it is about", c.Audit, personal)
	}
	return nil
}

// Store is what retention needs of the database.
type Store interface {
	RetentionFiles(ctx context.Context, before time.Time, limit int) ([]store.RetentionTarget, error)
	RetentionApplicants(ctx context.Context, before time.Time, limit int) ([]store.RetentionTarget, error)
	RetentionHeld(ctx context.Context, before time.Time, limit int) ([]store.RetentionTarget, error)
	Record(ctx context.Context, env kyc.Env, fn func(tx *store.Tx) (store.Effects, error)) error
	RemoveEventPayloads(ctx context.Context, before time.Time, limit int) (int64, error)
	RetentionDue(ctx context.Context, imagesBefore, personalBefore, heldBefore, eventsBefore time.Time) (images, personal, held, events store.RetentionDue, err error)
	PruneAudit(ctx context.Context, env kyc.Env, before time.Time, limit int, actor kyc.Actor, after store.AuditCursor) (store.AuditPruned, error)
	AuditPruneDue(ctx context.Context, before time.Time) (store.RetentionDue, error)
}

var _ Store = (*store.Store)(nil)

// Blobs deletes file bytes.
type Blobs interface {
	Delete(ctx context.Context, key string) error
}

// Eraser erases an applicant as Actor (the composition root gives erasure.Service's Erase): it
// refuses an applicant under a legal hold.
type Eraser interface {
	EraseApplicant(ctx context.Context, env kyc.Env, applicantID string) error
}

// EraserFunc is an Eraser as a function.
type EraserFunc func(ctx context.Context, env kyc.Env, applicantID string) error

// EraseApplicant calls f.
func (f EraserFunc) EraseApplicant(ctx context.Context, env kyc.Env, applicantID string) error {
	return f(ctx, env, applicantID)
}

// Service applies the retention periods.
type Service struct {
	st     Store
	blobs  Blobs
	eraser Eraser
	cfg    Config
}

// NewService returns retention on st, deleting images from blobs and erasing through eraser.
func NewService(st Store, blobs Blobs, eraser Eraser, cfg Config) *Service {
	return &Service{st: st, blobs: blobs, eraser: eraser, cfg: cfg.WithDefaults()}
}

// Report is what one run did, by class; it names applicants by id only.
type Report struct {
	// ImagesDeleted is how many files' bytes were deleted.
	ImagesDeleted int
	// ApplicantsErased is how many applicants were erased (with KYCD_ERASURE_DELAY, scheduled for
	// erasure, cancellable like any other).
	ApplicantsErased int
	// Held are the applicants whose periods ran out but who are under a legal hold: skipped (at
	// most one batch of them is named).
	Held []store.RetentionTarget
	// EventPayloadsRemoved is how many events lost their payload.
	EventPayloadsRemoved int64
	// AuditChainsPruned and AuditEntriesRemoved are how many resources' audit trails were
	// removed, and how many entries they held.
	AuditChainsPruned   int
	AuditEntriesRemoved int64
	// Failed counts the items that failed (logged); they are tried again next run. For audit
	// trails it counts the pruning batches that kept a changed trail or failed, not the trails.
	Failed int
	// More says that a class filled its batch: there may be more due at once.
	More bool
}

// Run applies each class once, in batches of Config.Batch, and returns what it did. An item that
// fails is counted and its error returned joined with the others; the rest go on.
func (s *Service) Run(ctx context.Context) (Report, error) {
	var r Report
	var errs []error
	now := s.cfg.Now()
	// Images before personal data, so that a run takes what the plan counted: the images of an
	// applicant erased in the same run are deleted here first (the erasure job's deletes of the
	// same blobs then find nothing).
	files, err := s.st.RetentionFiles(ctx, now.Add(-s.cfg.Images), s.cfg.Batch)
	if err != nil {
		return r, err
	}
	r.More = len(files) == s.cfg.Batch
	for _, f := range files {
		// A hold placed since the batch was read keeps the images: asked again now, just before.
		if held, err := s.held(ctx, f); err != nil || held {
			if err != nil {
				r.Failed++
				errs = append(errs, err)
			}
			continue
		}
		// The bytes first, then the mark: a crash between leaves the file to the next run, whose
		// delete of the missing bytes succeeds.
		if err := s.blobs.Delete(ctx, f.BlobKey); err != nil {
			r.Failed++
			errs = append(errs, fmt.Errorf("delete the image of file %s: %w", f.FileID, err))
			continue
		}
		err := s.st.Record(ctx, f.Env, func(tx *store.Tx) (store.Effects, error) {
			marked, err := tx.MarkFileBlobDeleted(ctx, f.FileID, now)
			if err != nil || !marked {
				return store.Effects{}, err
			}
			return store.Effects{Audit: kyc.AuditEntry{Actor: Actor, Action: "file.image-delete", ResourceType: "file", ResourceID: f.FileID}}, nil
		})
		if err != nil {
			r.Failed++
			errs = append(errs, err)
			continue
		}
		r.ImagesDeleted++
	}
	due, err := s.st.RetentionApplicants(ctx, now.Add(-s.cfg.PersonalData), s.cfg.Batch)
	if err != nil {
		return r, errors.Join(append(errs, err)...)
	}
	r.More = r.More || len(due) == s.cfg.Batch
	for _, t := range due {
		if err := s.eraser.EraseApplicant(ctx, t.Env, t.ApplicantID); err != nil {
			r.Failed++
			errs = append(errs, fmt.Errorf("erase applicant %s: %w", t.ApplicantID, err))
			continue
		}
		r.ApplicantsErased++
	}
	if r.Held, err = s.st.RetentionHeld(ctx, s.heldBefore(now), s.cfg.Batch); err != nil {
		return r, errors.Join(append(errs, err)...)
	}
	n, err := s.st.RemoveEventPayloads(ctx, now.Add(-s.cfg.EventPayloads), s.cfg.Batch)
	if err != nil {
		return r, errors.Join(append(errs, err)...)
	}
	r.EventPayloadsRemoved = n
	r.More = r.More || n == int64(s.cfg.Batch)
	if s.cfg.Audit > 0 {
		for _, env := range []kyc.Env{kyc.EnvTest, kyc.EnvLive} {
			// Batch after batch (each its own transaction), past the chains a batch kept, until one
			// finds fewer than a batch due: kept chains never hold up the ones after them.
			var after store.AuditCursor
			for {
				p, err := s.st.PruneAudit(ctx, env, now.Add(-s.cfg.Audit), s.cfg.Batch, Actor, after)
				if err != nil {
					r.Failed++
					errs = append(errs, err) // a chain that does not verify is kept, and named
				}
				r.AuditChainsPruned += p.Chains
				r.AuditEntriesRemoved += p.Entries
				if p.Due < s.cfg.Batch || p.Next == after || ctx.Err() != nil {
					break
				}
				after = p.Next
			}
		}
	}
	return r, errors.Join(errs...)
}

// heldBefore is the cutoff of the held applicants reported: those whose images or personal data
// would go but for their hold.
func (s *Service) heldBefore(now time.Time) time.Time {
	return now.Add(-min(s.cfg.PersonalData, s.cfg.Images))
}

// Class is one retention class in a plan.
type Class struct {
	// Name is the class: document images, personal data, applicants under a legal hold (skipped),
	// event payloads, audit entries.
	Name string
	// Setting is the setting of its period.
	Setting string
	// Period is its retention period; 0 for kept for ever.
	Period time.Duration
	// Due is how many items would go now (for the held class: how many are skipped).
	Due int64
	// OldestAge is how long ago the oldest due item's clock started (its applicant's last
	// activity, or the event's time); 0 when none is due.
	OldestAge time.Duration
}

// Plan says, without changing anything, what a run with no batch limit would take now, by class.
func (s *Service) Plan(ctx context.Context) ([]Class, error) {
	now := s.cfg.Now()
	images, personal, held, events, err := s.st.RetentionDue(ctx, now.Add(-s.cfg.Images), now.Add(-s.cfg.PersonalData), s.heldBefore(now), now.Add(-s.cfg.EventPayloads))
	if err != nil {
		return nil, err
	}
	age := func(d store.RetentionDue) time.Duration {
		if d.Count == 0 {
			return 0
		}
		return now.Sub(d.Oldest)
	}
	audit := Class{"audit trails (kept for ever)", "KYCD_RETENTION_AUDIT", 0, 0, 0}
	if s.cfg.Audit > 0 {
		due, err := s.st.AuditPruneDue(ctx, now.Add(-s.cfg.Audit))
		if err != nil {
			return nil, err
		}
		audit = Class{"audit trails of resources (whole)", "KYCD_RETENTION_AUDIT", s.cfg.Audit, due.Count, age(due)}
	}
	return []Class{
		{"document images", "KYCD_RETENTION_IMAGES", s.cfg.Images, images.Count, age(images)},
		{"personal data (applicants erased)", "KYCD_RETENTION_PERSONAL_DATA", s.cfg.PersonalData, personal.Count, age(personal)},
		{"applicants under a legal hold (skipped)", "KYCD_RETENTION_PERSONAL_DATA, KYCD_RETENTION_IMAGES", min(s.cfg.PersonalData, s.cfg.Images), held.Count, age(held)},
		{"event payloads", "KYCD_RETENTION_EVENTS", s.cfg.EventPayloads, events.Count, age(events)},
		audit,
	}, nil
}

// JobArgs is the daily retention job.
type JobArgs struct{}

// Kind is the job's River kind.
func (JobArgs) Kind() string { return "retention" }

// JobInterval is how often the retention job runs.
const JobInterval = 24 * time.Hour

// JobInserter inserts the next run at once when a batch was full.
type JobInserter interface {
	InsertJob(ctx context.Context, job river.InsertManyParams) error
}

// Worker runs JobArgs jobs.
type Worker struct {
	river.WorkerDefaults[JobArgs]
	svc  *Service
	jobs JobInserter
	log  *slog.Logger
}

// NewWorker returns the retention job's worker.
func NewWorker(svc *Service, jobs JobInserter, log *slog.Logger) *Worker {
	return &Worker{svc: svc, jobs: jobs, log: log}
}

// Timeout bounds one run: a batch of each class (up to Config.Batch erasures and as many blob
// deletes, on S3 too) takes far longer than River's one-minute default.
func (w *Worker) Timeout(*river.Job[JobArgs]) time.Duration { return 30 * time.Minute }

// PeriodicJob is the retention job's schedule: daily, and at start, because River counts the
// interval from the start of the process that leads: a kycd restarted more often than daily would
// otherwise never run it. A run with nothing due is a few index look-ups.
func PeriodicJob() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(JobInterval), func() (river.JobArgs, *river.InsertOpts) {
		return JobArgs{}, nil
	}, &river.PeriodicJobOpts{RunOnStart: true})
}

// Work runs retention once and logs its counts per class (and the held applicants' ids); when a
// batch was full it inserts the next run at once. Failed items are logged, not retried by River:
// the next run finds them again.
func (w *Worker) Work(ctx context.Context, _ *river.Job[JobArgs]) error {
	r, err := w.svc.Run(ctx)
	held := make([]string, len(r.Held))
	for i, h := range r.Held {
		held[i] = string(h.Env) + "/" + h.ApplicantID
	}
	w.log.InfoContext(ctx, "retention run", "images_deleted", r.ImagesDeleted, "applicants_erased", r.ApplicantsErased,
		"event_payloads_removed", r.EventPayloadsRemoved, "audit_trails_pruned", r.AuditChainsPruned, "audit_entries_removed", r.AuditEntriesRemoved,
		"held_skipped", len(held), "held_applicants", held, "failed", r.Failed, "more", r.More)
	if err != nil {
		w.log.ErrorContext(ctx, "retention run", "err", err)
	}
	if r.More && r.Failed == 0 { // items that fail would come first again: they wait for tomorrow
		return w.jobs.InsertJob(ctx, river.InsertManyParams{Args: JobArgs{}})
	}
	return nil
}

// held reports whether the applicant of f is under a legal hold, or was erased, now.
func (s *Service) held(ctx context.Context, f store.RetentionTarget) (bool, error) {
	var held bool
	err := s.st.Record(ctx, f.Env, func(tx *store.Tx) (store.Effects, error) {
		state, err := tx.LockApplicantErasureState(ctx, f.ApplicantID)
		held = state.LegalHold != nil || state.ErasedTime != nil
		return store.Effects{}, err
	})
	if err != nil {
		return false, fmt.Errorf("the hold of applicant %s: %w", f.ApplicantID, err)
	}
	return held, nil
}
