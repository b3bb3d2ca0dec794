package store

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"
)

// JobsConfig configures the River client that runs kycd's background jobs on the store's database.
type JobsConfig struct {
	// Workers are the job kinds this process can run; every kind that is inserted must be here.
	Workers *river.Workers
	// MaxWorkers is how many jobs of the default queue run at once in this process. Default 10.
	MaxWorkers int
	// Queues are further queues and how many of their jobs run at once, for work that must be
	// bounded apart from the rest (image checks are CPU and memory heavy). Their jobs are picked
	// up eagerly: a fetch follows an insert within a few milliseconds (River's default cooldown is
	// 100 ms), because an end user waits for these (a document's decision, a webhook).
	Queues map[string]int
	// PeriodicJobs run on a schedule (for example, sweeping expired KYC requests).
	PeriodicJobs []*river.PeriodicJob
	// Logger receives River's own logs; they carry job kinds and ids, never job results.
	Logger *slog.Logger
	// FetchPollInterval is how often idle workers look for jobs. Default River's (1 s); tests
	// shorten it.
	FetchPollInterval time.Duration
	// Events, when set, is told of every change's events inside its transaction (EventSink): kycd
	// gives webhook.Deliveries, without which events make no webhook deliveries.
	Events EventSink
	// Committed, when set, is told of every change's events after its transaction committed, once
	// per commit (CommitObserver): kycd gives its business metrics and decision log, which must
	// count what happened, not what was tried and rolled back.
	Committed CommitObserver
	// Middleware wraps River's job inserts and work, in order (kycd gives its tracing middleware,
	// which carries a request's trace context into the jobs it enqueues). Optional.
	Middleware []rivertype.Middleware
}

// InitJobs creates the River client on the store's database. After it, state changes can insert
// jobs; StartJobs makes this process work them too.
func (s *Store) InitJobs(cfg JobsConfig) error {
	if cfg.MaxWorkers <= 0 {
		cfg.MaxWorkers = 10
	}
	queues := map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.MaxWorkers}}
	for name, n := range cfg.Queues {
		queues[name] = river.QueueConfig{MaxWorkers: max(n, 1), FetchCooldown: 5 * time.Millisecond, FetchPollInterval: 50 * time.Millisecond}
	}
	rc := &river.Config{
		Queues:            queues,
		Workers:           cfg.Workers,
		PeriodicJobs:      cfg.PeriodicJobs,
		Logger:            cfg.Logger,
		FetchPollInterval: cfg.FetchPollInterval,
		FetchCooldown:     20 * time.Millisecond,
		JobTimeout:        JobTimeout,
		// River's default is an hour: after a crash documents stayed pending and webhooks waited
		// that long. A dead process's jobs are freed sooner still (RescueOrphanedJobs).
		RescueStuckJobsAfter: RescueAfter,
		// The client id is the process id, which River records in each job's attempted_by: that is
		// how RescueOrphanedJobs knows whose jobs died with their process.
		ID:         s.process,
		Middleware: cfg.Middleware,
	}
	if rc.FetchPollInterval > 0 && rc.FetchPollInterval < 50*time.Millisecond {
		rc.FetchPollInterval = 50 * time.Millisecond
	}
	s.events, s.committed = cfg.Events, cfg.Committed
	var err error
	if s.dialect == Postgres {
		s.pgJobs, err = river.NewClient(riverpgxv5.New(s.pool), rc)
	} else {
		s.sqliteJobs, err = river.NewClient(riversqlite.New(s.write), rc)
	}
	if err != nil {
		return fmt.Errorf("store: river client: %w", err)
	}
	return nil
}

// StartJobs starts working jobs in this process. Several processes on one PostgreSQL share the
// work: River locks each job for one of them. It first frees the jobs that a process that died
// left running (RescueOrphanedJobs), so a restarted kycd resumes them at once.
func (s *Store) StartJobs(ctx context.Context) error {
	if s.jobExecutor() == nil {
		return fmt.Errorf("store: StartJobs before InitJobs")
	}
	if err := s.rescueAtStart(ctx); err != nil {
		return err
	}
	if s.pgJobs != nil {
		return s.pgJobs.Start(ctx)
	}
	if s.sqliteJobs != nil {
		return s.sqliteJobs.Start(ctx)
	}
	return fmt.Errorf("store: StartJobs before InitJobs")
}

// StopJobs waits for running jobs to finish (until ctx ends, then cancels them).
func (s *Store) StopJobs(ctx context.Context) error {
	var err error
	if s.pgJobs != nil {
		err = s.pgJobs.Stop(ctx)
	}
	if s.sqliteJobs != nil {
		err = s.sqliteJobs.Stop(ctx)
	}
	if err != nil && ctx.Err() != nil {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if s.pgJobs != nil {
			return s.pgJobs.StopAndCancel(cctx)
		}
		return s.sqliteJobs.StopAndCancel(cctx)
	}
	return err
}

// rescueAtStart frees the jobs of dead processes before this one starts working.
func (s *Store) rescueAtStart(ctx context.Context) error {
	_, err := s.RescueOrphanedJobs(ctx)
	return err
}
