package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"kycd/internal/kyc"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// These tests run the delivery state machine (Deliveries and verdict.decide) on a real store of each
// database, driving attempts by hand.

// initJobs gives s a River client that can insert delivery jobs, and the delivery rules (it is
// never started: these tests drive deliveries by hand).
func initJobs(tb testing.TB, s *store.Store) {
	tb.Helper()
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(context.Context, *river.Job[DeliveryArgs]) error { return nil }))
	if err := s.InitJobs(store.JobsConfig{Workers: workers, Events: Deliveries{}}); err != nil {
		tb.Fatal(err)
	}
}

// effects is a change's effects with an audit entry by a test key.
func effects(action, id string) store.Effects {
	return store.Effects{Audit: kyc.AuditEntry{Actor: "key_test", Action: action, ResourceType: "test", ResourceID: id}}
}

func newWebhook(t *testing.T, s *store.Store, env kyc.Env, enabled bool, events ...string) Webhook {
	t.Helper()
	w := Webhook{ID: kyc.NewID(kyc.PrefixWebhook), Env: env, URL: "https://example.com/hook", Events: events, Enabled: enabled,
		Secrets: []Secret{{Secret: "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0", Created: time.Now()}}}
	if err := NewRepository(s).Create(context.Background(), &w, effects("webhook.create", w.ID)); err != nil {
		t.Fatal(err)
	}
	return w
}

// deliveries lists a webhook's deliveries, oldest first.
func deliveries(t *testing.T, s *store.Store, env kyc.Env, webhookID string) []Delivery {
	t.Helper()
	p, err := NewRepository(s).ListDeliveries(context.Background(), env, webhookID, "", "", 100)
	if err != nil {
		t.Fatal(err)
	}
	out := p.Items
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

func statuses(ds []Delivery) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Status)
	}
	return out
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func updateApplicant(t *testing.T, s *store.Store, env kyc.Env, id string) {
	t.Helper()
	_, err := s.UpdateApplicant(context.Background(), env, id, func(a *kyc.Applicant) (store.Effects, error) {
		a.Profile.MiddleName += "x"
		eff := effects("applicant.update", id)
		eff.Events = []store.NewEvent{{Type: kyc.EventApplicantUpdated, ResourceType: "applicant", ResourceID: id}}
		return eff, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func createApplicantWithEvent(t *testing.T, s *store.Store, env kyc.Env) kyc.Applicant {
	t.Helper()
	a := kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), Env: env, Type: "individual", Status: "unverified", Level: "L0"}
	eff := effects("applicant.create", a.ID)
	eff.Events = []store.NewEvent{{Type: kyc.EventApplicantCreated, ResourceType: "applicant", ResourceID: a.ID}}
	if err := s.CreateApplicant(context.Background(), &a, eff); err != nil {
		t.Fatal(err)
	}
	return a
}

// finish records an attempt with outcome o (due again at a.next when it is retried) and what
// the state machine makes of it.
func finish(t *testing.T, s *store.Store, env kyc.Env, id string, o verdict, facts Attempt) bool {
	t.Helper()
	if facts.At.IsZero() {
		facts.At = time.Now()
	}
	o.at = facts.At
	fin, err := NewRepository(s).FinishAttempt(context.Background(), env, id, facts, o.decide)
	if err != nil {
		t.Fatal(err)
	}
	return fin.Disabled
}

// TestWebhookFanOutAndChains: an event becomes one delivery per enabled subscription of its
// environment that wants its type; per subscription and resource only the oldest unfinished
// delivery is pending, and finishing it (success or final failure) makes the next one pending.
func TestWebhookFanOutAndChains(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		initJobs(t, s)
		all := newWebhook(t, s, kyc.EnvTest, true)
		updates := newWebhook(t, s, kyc.EnvTest, true, kyc.EventApplicantUpdated)
		off := newWebhook(t, s, kyc.EnvTest, false)
		live := newWebhook(t, s, kyc.EnvLive, true)

		a := createApplicantWithEvent(t, s, kyc.EnvTest)
		updateApplicant(t, s, kyc.EnvTest, a.ID)
		updateApplicant(t, s, kyc.EnvTest, a.ID)
		b := createApplicantWithEvent(t, s, kyc.EnvTest)

		ds := deliveries(t, s, kyc.EnvTest, all.ID)
		if got := statuses(ds); !equal(got, []string{"pending", "waiting", "waiting", "pending"}) {
			t.Fatalf("all-events webhook: %v", got)
		}
		for i, want := range []int64{0, 1, 2, 0} {
			if ds[i].Revision != want {
				t.Fatalf("delivery %d revision %d, want %d", i, ds[i].Revision, want)
			}
		}
		if ds[3].ResourceID != b.ID {
			t.Fatalf("another applicant's delivery waits on this one: %+v", ds[3])
		}
		if got := statuses(deliveries(t, s, kyc.EnvTest, updates.ID)); !equal(got, []string{"pending", "waiting"}) {
			t.Fatalf("updates-only webhook: %v", got)
		}
		if n := len(deliveries(t, s, kyc.EnvTest, off.ID)); n != 0 {
			t.Fatalf("a disabled webhook got %d deliveries", n)
		}
		if n := len(deliveries(t, s, kyc.EnvLive, live.ID)); n != 0 {
			t.Fatalf("a live webhook got %d test deliveries", n)
		}

		// The body is the event envelope, and the secrets are the webhook's.
		work, err := NewRepository(s).DeliveryWork(ctx, kyc.EnvTest, ds[1].ID)
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			ID, Type, CreatedAt string
			Revision            int64
			Data                map[string]any
		}
		if err := json.Unmarshal(work.Body, &body); err != nil || body.ID != ds[1].EventID || body.Type != "applicant-updated" ||
			body.Revision != 1 || body.Data["id"] != a.ID || body.CreatedAt == "" {
			t.Fatalf("body: %v %s", err, work.Body)
		}
		if work.URL != all.URL || len(work.Secrets) != 1 || !work.Enabled {
			t.Fatalf("work: %+v", work)
		}
		if _, err := NewRepository(s).DeliveryWork(ctx, kyc.EnvLive, ds[1].ID); !errors.Is(err, kyc.ErrNotFound) {
			t.Fatalf("a test delivery read as live: %v", err)
		}

		// A retry keeps the chain; success wakes the next; a final failure wakes the next too.
		finish(t, s, kyc.EnvTest, ds[0].ID, verdict{outcome: Retry, next: time.Now().Add(time.Minute)}, Attempt{StatusCode: 500, Error: "500", ResponseBody: bytes.Repeat([]byte("e"), 3000), Duration: 3 * time.Millisecond})
		ds = deliveries(t, s, kyc.EnvTest, all.ID)
		if got := statuses(ds); !equal(got, []string{"pending", "waiting", "waiting", "pending"}) {
			t.Fatalf("after a retry: %v", got)
		}
		if d := ds[0]; d.Attempts != 1 || d.LastResponseCode != 500 || len(d.LastResponseBody) != MaxResponseBody ||
			d.NextAttemptTime == nil || d.LastAttemptTime == nil || d.LastDurationMs != 3 {
			t.Fatalf("attempt not recorded: %+v", d)
		}
		finish(t, s, kyc.EnvTest, ds[0].ID, verdict{outcome: Succeeded}, Attempt{StatusCode: 200})
		if got := statuses(deliveries(t, s, kyc.EnvTest, all.ID)); !equal(got, []string{"succeeded", "pending", "waiting", "pending"}) {
			t.Fatalf("after a success: %v", got)
		}
		finish(t, s, kyc.EnvTest, ds[1].ID, verdict{outcome: Failed}, Attempt{Error: "connection refused"})
		if got := statuses(deliveries(t, s, kyc.EnvTest, all.ID)); !equal(got, []string{"succeeded", "failed", "pending", "pending"}) {
			t.Fatalf("after a final failure: %v", got)
		}
		// Recording an attempt at a finished delivery changes nothing.
		finish(t, s, kyc.EnvTest, ds[1].ID, verdict{outcome: Succeeded}, Attempt{StatusCode: 200})
		if got := deliveries(t, s, kyc.EnvTest, all.ID)[1]; got.Status != "failed" || got.Attempts != 1 {
			t.Fatalf("a finished delivery changed: %+v", got)
		}

		// A new event behind a finished chain is pending at once.
		finish(t, s, kyc.EnvTest, ds[2].ID, verdict{outcome: Succeeded}, Attempt{StatusCode: 204})
		updateApplicant(t, s, kyc.EnvTest, a.ID)
		if got := statuses(deliveries(t, s, kyc.EnvTest, all.ID)); !equal(got, []string{"succeeded", "failed", "succeeded", "pending", "pending"}) {
			t.Fatalf("a new event after the chain finished: %v", got)
		}

		// Retention forgets finished deliveries only, and only those finished before the cut.
		if n, err := NewRepository(s).ForgetDeliveries(ctx, time.Now().Add(-time.Hour)); err != nil || n != 0 {
			t.Fatalf("forgetting recent deliveries: %d %v", n, err)
		}
		if n, err := NewRepository(s).ForgetDeliveries(ctx, time.Now().Add(time.Second)); err != nil || n != 3 {
			t.Fatalf("forgetting finished deliveries: %d %v", n, err)
		}
		if got := statuses(deliveries(t, s, kyc.EnvTest, all.ID)); !equal(got, []string{"pending", "pending"}) {
			t.Fatalf("after retention: %v", got)
		}
	})
}

// TestWebhookDisabling: a 410 and failures for DisableAfter disable the subscription, fail its
// unfinished deliveries and write a webhook-disabled event for the other subscriptions; disabling
// through an update fails them too; enabling again clears the reason.
func TestWebhookDisabling(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		initJobs(t, s)
		gone := newWebhook(t, s, kyc.EnvTest, true, kyc.EventApplicantCreated, kyc.EventApplicantUpdated)
		watcher := newWebhook(t, s, kyc.EnvTest, true, kyc.EventWebhookDisabled)
		a := createApplicantWithEvent(t, s, kyc.EnvTest)
		updateApplicant(t, s, kyc.EnvTest, a.ID)
		ds := deliveries(t, s, kyc.EnvTest, gone.ID)
		if !finish(t, s, kyc.EnvTest, ds[0].ID, verdict{outcome: Gone}, Attempt{StatusCode: 410, Error: "410"}) {
			t.Fatal("a 410 did not disable the webhook")
		}
		w, err := NewRepository(s).Get(ctx, kyc.EnvTest, gone.ID)
		if err != nil || w.Enabled || w.DisabledReason != "the receiver answered 410 Gone" || w.Revision != 1 {
			t.Fatalf("after 410: %v %+v", err, w)
		}
		ds = deliveries(t, s, kyc.EnvTest, gone.ID)
		if got := statuses(ds); !equal(got, []string{"failed", "failed"}) || ds[0].LastResponseCode != 410 || ds[1].LastError == "" {
			t.Fatalf("deliveries after 410: %+v", ds)
		}
		evs, err := s.ListEvents(ctx, kyc.EnvTest, store.EventFilter{Type: kyc.EventWebhookDisabled}, "", 10)
		if err != nil || len(evs.Items) != 1 || evs.Items[0].ResourceID != gone.ID {
			t.Fatalf("webhook-disabled event: %v %+v", err, evs.Items)
		}
		if got := deliveries(t, s, kyc.EnvTest, watcher.ID); len(got) != 1 || got[0].EventType != kyc.EventWebhookDisabled || got[0].Status != "pending" {
			t.Fatalf("the other webhook was not told: %+v", got)
		}

		// Failures for DisableAfter disable it: the first failure starts the clock.
		slow := newWebhook(t, s, kyc.EnvTest, true, kyc.EventApplicantUpdated)
		updateApplicant(t, s, kyc.EnvTest, a.ID)
		d := deliveries(t, s, kyc.EnvTest, slow.ID)[0]
		t0 := time.Now()
		if finish(t, s, kyc.EnvTest, d.ID, verdict{outcome: Retry, disableAfter: time.Hour}, Attempt{At: t0, Error: "500"}) {
			t.Fatal("disabled at the first failure")
		}
		if w, _ := NewRepository(s).Get(ctx, kyc.EnvTest, slow.ID); w.FailingSince == nil || !w.FailingSince.Equal(t0.UTC().Truncate(time.Microsecond)) {
			t.Fatalf("failing since: %v", w.FailingSince)
		}
		if !finish(t, s, kyc.EnvTest, d.ID, verdict{outcome: Retry, disableAfter: time.Hour}, Attempt{At: t0.Add(time.Hour), Error: "500"}) {
			t.Fatal("not disabled after failing for DisableAfter")
		}
		if w, _ := NewRepository(s).Get(ctx, kyc.EnvTest, slow.ID); w.Enabled || w.DisabledReason != "every delivery failed for 1h0m0s" {
			t.Fatalf("after failing an hour: %+v", w)
		}

		// A success resets the clock.
		ok := newWebhook(t, s, kyc.EnvTest, true, kyc.EventApplicantUpdated)
		updateApplicant(t, s, kyc.EnvTest, a.ID)
		updateApplicant(t, s, kyc.EnvTest, a.ID)
		ds = deliveries(t, s, kyc.EnvTest, ok.ID)
		finish(t, s, kyc.EnvTest, ds[0].ID, verdict{outcome: Retry, disableAfter: time.Hour}, Attempt{At: t0, Error: "500"})
		finish(t, s, kyc.EnvTest, ds[0].ID, verdict{outcome: Succeeded, disableAfter: time.Hour}, Attempt{At: t0.Add(time.Minute)})
		if disabled := finish(t, s, kyc.EnvTest, ds[1].ID, verdict{outcome: Retry, disableAfter: time.Hour}, Attempt{At: t0.Add(2 * time.Hour), Error: "500"}); disabled {
			t.Fatal("a success did not reset the failing clock")
		}

		// Disabling through an update fails the unfinished deliveries; enabling clears the reason.
		w, err = NewRepository(s).Update(ctx, kyc.EnvTest, ok.ID, func(w *Webhook) (store.Effects, error) {
			w.Enabled, w.DisabledReason = false, "by hand"
			return effects("webhook.update", w.ID), nil
		})
		if err != nil || w.Enabled {
			t.Fatal(err)
		}
		if got := statuses(deliveries(t, s, kyc.EnvTest, ok.ID)); !equal(got, []string{"succeeded", "failed"}) {
			t.Fatalf("after disabling: %v", got)
		}
		w, err = NewRepository(s).Update(ctx, kyc.EnvTest, ok.ID, func(w *Webhook) (store.Effects, error) {
			setEnabled(w, true)
			return effects("webhook.update", w.ID), nil
		})
		if err != nil || !w.Enabled || w.DisabledReason != "" || w.FailingSince != nil {
			t.Fatalf("after enabling: %v %+v", err, w)
		}
	})
}

// TestWebhookPingRedeliveryAndDelete: a ping goes to its webhook alone; a redelivery repeats the
// event's body byte for byte and joins the end of its chain; deleting a webhook removes its log.
func TestWebhookPingRedeliveryAndDelete(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		initJobs(t, s)
		one := newWebhook(t, s, kyc.EnvTest, true)
		two := newWebhook(t, s, kyc.EnvTest, true, kyc.EventPing)
		d, err := NewRepository(s).Ping(ctx, kyc.EnvTest, one.ID, pingEffects("key_test", one.ID))
		if err != nil || d.EventType != kyc.EventPing || d.WebhookID != one.ID || d.Status != "pending" || d.ResourceID != one.ID {
			t.Fatalf("ping: %v %+v", err, d)
		}
		if n := len(deliveries(t, s, kyc.EnvTest, two.ID)); n != 0 {
			t.Fatalf("another webhook got the ping: %d", n)
		}
		off := newWebhook(t, s, kyc.EnvTest, false)
		if _, err := NewRepository(s).Ping(ctx, kyc.EnvTest, off.ID, pingEffects("key_test", off.ID)); !errors.Is(err, kyc.ErrConflict) {
			t.Fatalf("ping of a disabled webhook: %v", err)
		}

		a := createApplicantWithEvent(t, s, kyc.EnvTest)
		first := deliveries(t, s, kyc.EnvTest, one.ID)[1]
		firstWork, _ := NewRepository(s).DeliveryWork(ctx, kyc.EnvTest, first.ID)
		again, err := NewRepository(s).Redeliver(ctx, kyc.EnvTest, first.EventID, one.ID, effects("event.redeliver", first.EventID))
		if err != nil || len(again) != 1 || again[0].Status != "waiting" || again[0].EventID != first.EventID {
			t.Fatalf("redelivery behind a pending delivery: %v %+v", err, again)
		}
		againWork, _ := NewRepository(s).DeliveryWork(ctx, kyc.EnvTest, again[0].ID)
		if !bytes.Equal(firstWork.Body, againWork.Body) {
			t.Fatalf("a redelivery's body differs:\n%s\n%s", firstWork.Body, againWork.Body)
		}
		all, err := NewRepository(s).Redeliver(ctx, kyc.EnvTest, first.EventID, "", effects("event.redeliver", first.EventID))
		if err != nil || len(all) != 1 || all[0].WebhookID != one.ID {
			t.Fatalf("redelivery to all (two wants pings only): %v %+v", err, all)
		}
		if _, err := NewRepository(s).Redeliver(ctx, kyc.EnvTest, first.EventID, off.ID, effects("event.redeliver", first.EventID)); !errors.Is(err, kyc.ErrConflict) {
			t.Fatalf("redelivery to a disabled webhook: %v", err)
		}
		if _, err := NewRepository(s).Redeliver(ctx, kyc.EnvLive, first.EventID, "", effects("event.redeliver", first.EventID)); !errors.Is(err, kyc.ErrNotFound) {
			t.Fatalf("redelivery of a test event with a live key: %v", err)
		}
		_ = a

		if err := NewRepository(s).Delete(ctx, kyc.EnvTest, one.ID, effects("webhook.delete", one.ID)); err != nil {
			t.Fatal(err)
		}
		if _, err := NewRepository(s).DeliveryWork(ctx, kyc.EnvTest, first.ID); !errors.Is(err, kyc.ErrNotFound) {
			t.Fatalf("a deleted webhook's delivery: %v", err)
		}
		if _, err := NewRepository(s).ListDeliveries(ctx, kyc.EnvTest, one.ID, "", "", 10); !errors.Is(err, kyc.ErrNotFound) {
			t.Fatalf("a deleted webhook's log: %v", err)
		}
		if fin, err := NewRepository(s).FinishAttempt(ctx, kyc.EnvTest, first.ID, Attempt{At: time.Now()}, verdict{outcome: Succeeded, at: time.Now()}.decide); err != nil || fin.Recorded {
			t.Fatalf("finishing a deleted delivery: %v", err)
		}
		if err := NewRepository(s).Delete(ctx, kyc.EnvTest, one.ID, effects("webhook.delete", one.ID)); !errors.Is(err, kyc.ErrNotFound) {
			t.Fatalf("delete twice: %v", err)
		}
	})
}
