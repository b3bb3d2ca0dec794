package store_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"kycd/internal/kyc"
	"kycd/internal/store"
)

type crashJobArgs struct{}

func (crashJobArgs) Kind() string { return "test_crash_job" }

// crashWorker signals each start of the job, then blocks until its context ends (hang) or returns.
type crashWorker struct {
	river.WorkerDefaults[crashJobArgs]
	started chan struct{}
	hang    bool
}

func (w *crashWorker) Work(ctx context.Context, _ *river.Job[crashJobArgs]) error {
	w.started <- struct{}{}
	if w.hang {
		<-ctx.Done()
	}
	return nil
}

func startJobs(t *testing.T, s *store.Store, w *crashWorker) {
	t.Helper()
	workers := river.NewWorkers()
	river.AddWorker(workers, w)
	if err := s.InitJobs(store.JobsConfig{Workers: workers, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), FetchPollInterval: 50 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	if err := s.StartJobs(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestJobsOfADeadProcessResume: a job running when its process was killed stayed "running" until
// River's rescuer ran, an hour later by default. The next process frees it as it starts.
func TestJobsOfADeadProcessResume(t *testing.T) {
	t.Parallel()
	forEachDatabaseDSN(t, func(t *testing.T, d store.Dialect, open func() *store.Store) {
		ctx := context.Background()
		dead := open()
		first := &crashWorker{started: make(chan struct{}, 1), hang: true}
		startJobs(t, dead, first)
		t.Cleanup(func() {
			sctx, cancel := context.WithTimeout(ctx, time.Second)
			defer cancel()
			_ = dead.StopJobs(sctx)
		})
		a := kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), Env: kyc.EnvTest, ExternalID: "u1", Type: "individual", Status: "unverified", Level: "L0"}
		eff := store.Effects{Audit: kyc.AuditEntry{Actor: "key_test", Action: "applicant.create", ResourceType: "applicant", ResourceID: a.ID},
			Jobs: []river.InsertManyParams{{Args: crashJobArgs{}}}}
		if err := dead.CreateApplicant(ctx, &a, eff); err != nil {
			t.Fatal(err)
		}
		select {
		case <-first.started:
		case <-time.After(10 * time.Second):
			t.Fatal("the job never started")
		}
		// The crash: the database loses the process (its connections, on PostgreSQL its lock) while
		// the job runs; nothing tells River.
		_ = dead.Close()

		next := open()
		defer next.Close()
		second := &crashWorker{started: make(chan struct{}, 1)}
		startJobs(t, next, second)
		defer func() { _ = next.StopJobs(ctx) }()
		select {
		case <-second.started:
		case <-time.After(15 * time.Second):
			t.Fatal("the job of the dead process was not run again within 15 s of the restart")
		}
	})
}
