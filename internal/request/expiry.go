package request

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/riverqueue/river"

	"kycd/internal/kyc"
	"kycd/internal/store"
)

// ExpireArgs is the job that expires one KYC request at its expirationTime.
type ExpireArgs struct {
	Env       kyc.Env `json:"env"`
	RequestID string  `json:"requestId"`
}

// Kind names the job for River.
func (ExpireArgs) Kind() string { return "kyc_request_expire" }

func expiryJob(r kyc.Request) river.InsertManyParams {
	return river.InsertManyParams{Args: ExpireArgs{Env: r.Env, RequestID: r.ID}, InsertOpts: &river.InsertOpts{ScheduledAt: r.ExpirationTime, MaxAttempts: 10}}
}

// Expirer is what expiry needs from the database.
type Expirer interface {
	UpdateRequest(ctx context.Context, env kyc.Env, id string, mutate func(r *kyc.Request) (store.Effects, error)) (kyc.Request, error)
	OverdueRequests(ctx context.Context, statuses []string, at time.Time, limit int) ([]store.OverdueRequest, error)
}

var _ Expirer = (*store.Store)(nil)

// expiring are the request statuses that wait for the end user (kyc.AwaitingEndUser), in which a
// request expires when its expirationTime passes: those the sweep looks for.
var expiring = slices.DeleteFunc(slices.Clone(kyc.RequestStatuses), func(s string) bool { return !kyc.AwaitingEndUser(s) })

const expiryActor kyc.Actor = "system:kyc-request-expiry"

// errNotDue aborts an expiry that finds the request not due: nothing is written.
var errNotDue = errors.New("kyc request not due to expire")

// Expire moves a KYC request to expired when it still waits for the end user (gathering,
// attempted or partial) and its expirationTime has passed at the time given, with its audit entry
// and request-expired event. It answers whether it changed the request; running it again changes
// nothing (idempotent).
func Expire(ctx context.Context, st Expirer, env kyc.Env, id string, at time.Time, actor kyc.Actor) (bool, error) {
	_, err := st.UpdateRequest(ctx, env, id, func(r *kyc.Request) (store.Effects, error) {
		if !kyc.AwaitingEndUser(r.Status) || r.ExpirationTime.After(at) {
			return store.Effects{}, errNotDue
		}
		r.Status = "expired"
		return store.Effects{
			Audit:  kyc.AuditEntry{Actor: actor, Action: "kyc-request.expire", ResourceType: "kyc-request", ResourceID: id},
			Events: []store.NewEvent{{Type: kyc.EventRequestExpired, ResourceType: "kyc-request", ResourceID: id}},
		}, nil
	})
	if errors.Is(err, errNotDue) {
		return false, nil
	}
	return err == nil, err
}

// ExpireWorker runs ExpireArgs jobs. A request whose expirationTime moved later, or that is no
// longer waiting for the end user, is left alone: running the job twice changes nothing.
type ExpireWorker struct {
	river.WorkerDefaults[ExpireArgs]
	Store Expirer
}

// Work expires the request if it is due.
func (w *ExpireWorker) Work(ctx context.Context, job *river.Job[ExpireArgs]) error {
	_, err := Expire(ctx, w.Store, job.Args.Env, job.Args.RequestID, time.Now(), expiryActor)
	return err
}

// SweepArgs is the periodic job that expires every overdue request, in case a request's own job
// was lost (for example, rows restored from a backup without River's tables).
type SweepArgs struct{}

// Kind names the job for River.
func (SweepArgs) Kind() string { return "kyc_request_expiry_sweep" }

// SweepWorker runs SweepArgs jobs.
type SweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	Store Expirer
}

// Work expires up to 1000 overdue requests.
func (w *SweepWorker) Work(ctx context.Context, _ *river.Job[SweepArgs]) error {
	now := time.Now()
	due, err := w.Store.OverdueRequests(ctx, expiring, now, 1000)
	if err != nil {
		return err
	}
	for _, o := range due {
		if _, err := Expire(ctx, w.Store, o.Env, o.ID, now, expiryActor); err != nil {
			return fmt.Errorf("expire %s: %w", o.ID, err)
		}
	}
	return nil
}

// Register adds the expiry workers to workers and returns the periodic sweep, every minute.
func Register(workers *river.Workers, st Expirer) []*river.PeriodicJob {
	river.AddWorker(workers, &ExpireWorker{Store: st})
	river.AddWorker(workers, &SweepWorker{Store: st})
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(time.Minute),
		func() (river.JobArgs, *river.InsertOpts) { return SweepArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true})}
}
