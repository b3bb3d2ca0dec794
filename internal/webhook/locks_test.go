package webhook

import (
	"context"
	"testing"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// TestAttemptHoldsItsApplicantFirst: on PostgreSQL, recording an attempt (whose answer is sealed
// under the event's applicant's key) takes the applicant's row before its delivery's, the order an
// erasure takes them in. While an erasure holds the applicant, the attempt waits holding nothing
// the erasure needs: the erasure locks the delivery at once (NOWAIT), where the other order was a
// deadlock PostgreSQL took a second to find. Then the attempt is recorded. (SQLite runs one write
// at a time: there is no order to get wrong.)
func TestAttemptHoldsItsApplicantFirst(t *testing.T) {
	t.Parallel()
	s := storetest.New(t, store.Postgres)
	ctx := context.Background()
	initJobs(t, s)
	env := kyc.EnvTest
	hook := newWebhook(t, s, env, true)
	a := createApplicantWithEvent(t, s, env)
	d := deliveries(t, s, env, hook.ID)[0]

	held, release := make(chan struct{}), make(chan struct{})
	erasure := make(chan error, 1)
	go func() {
		erasure <- s.Record(ctx, env, func(tx *store.Tx) (store.Effects, error) {
			var id string
			if err := tx.QueryRow(ctx, `SELECT id FROM applicants WHERE id = ? FOR UPDATE`, a.ID).Scan(&id); err != nil {
				return store.Effects{}, err
			}
			close(held)
			<-release
			err := tx.QueryRow(ctx, `SELECT id FROM webhook_deliveries WHERE id = ? FOR UPDATE NOWAIT`, d.ID).Scan(&id)
			return store.Effects{}, err
		})
	}()
	<-held
	type finished struct {
		fin Finished
		err error
	}
	attempt := make(chan finished, 1)
	go func() {
		now := time.Now()
		fin, err := NewRepository(s).FinishAttempt(ctx, env, d.ID, Attempt{At: now, StatusCode: 200, ResponseBody: []byte("thanks")},
			verdict{outcome: Succeeded, at: now}.decide)
		attempt <- finished{fin, err}
	}()
	// Wait until the attempt waits on a lock.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var waiting int
		if err := s.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the attempt never waited for the erasure's lock")
		}
	}
	close(release)
	if err := <-erasure; err != nil {
		t.Fatalf("the erasure could not lock the delivery the attempt waits to record: %v", err)
	}
	got := <-attempt
	if got.err != nil || !got.fin.Recorded || got.fin.Decision.Status != DeliverySucceeded {
		t.Fatalf("the attempt after the erasure let go: %+v %v", got.fin, got.err)
	}
}
