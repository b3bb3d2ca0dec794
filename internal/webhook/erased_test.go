package webhook

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"kycd/internal/kyc"
	"kycd/internal/seal"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// TestErasedApplicantsDeliveriesAreNotSent: the worker sends an applicant's delivery, whose body
// is under the applicant's data key, and keeps the receiver's answer under that key too; once the
// key is destroyed (the applicant erased), the deliveries still due fail, one after the other in
// their chain, with "the applicant was erased", and the receiver gets nothing more: no empty body,
// no garbled one. The subscription is not counted as failing.
func TestErasedApplicantsDeliveriesAreNotSent(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		initJobs(t, s)
		var mu sync.Mutex
		var got []string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			got = append(got, string(b))
			mu.Unlock()
			_, _ = w.Write([]byte("thanks"))
		}))
		defer srv.Close()
		env := kyc.EnvTest
		hook := newWebhook(t, s, env, true)
		if _, err := NewRepository(s).Update(ctx, env, hook.ID, func(w *Webhook) (store.Effects, error) {
			w.URL = srv.URL
			return effects("webhook.update", hook.ID), nil
		}); err != nil {
			t.Fatal(err)
		}
		worker := NewWorker(NewRepository(s), Config{AllowPrivate: true}, slog.New(slog.DiscardHandler))
		worker.internal = func(netip.Addr) bool { return false } // keep the answer, as from a public receiver
		work := func(id string) {
			t.Helper()
			if err := worker.Work(ctx, &river.Job[DeliveryArgs]{JobRow: &rivertype.JobRow{Attempt: 1}, Args: DeliveryArgs{Env: env, DeliveryID: id}}); err != nil {
				t.Fatalf("work %s: %v", id, err)
			}
		}

		a := createApplicantWithEvent(t, s, env)
		first := deliveries(t, s, env, hook.ID)[0]
		work(first.ID)
		if len(got) != 1 || !strings.Contains(got[0], a.ID) {
			t.Fatalf("the receiver got %q", got)
		}
		var response []byte
		if err := s.QueryRow(ctx, `SELECT last_response FROM webhook_deliveries WHERE id = ?`, first.ID).Scan(&response); err != nil {
			t.Fatal(err)
		}
		if !seal.SealedUnderDataKey(response) {
			t.Fatal("the receiver's answer to an applicant's delivery is not under the applicant's key")
		}
		if d := deliveries(t, s, env, hook.ID)[0]; d.Status != DeliverySucceeded || d.LastResponseBody != "thanks" {
			t.Fatalf("the first delivery: %+v", d)
		}

		updateApplicant(t, s, env, a.ID)
		updateApplicant(t, s, env, a.ID)
		if err := s.Record(ctx, "", func(tx *store.Tx) (store.Effects, error) {
			_, err := tx.Exec(ctx, `UPDATE applicants SET data_key = NULL WHERE id = ?`, a.ID)
			return store.Effects{}, err
		}); err != nil {
			t.Fatal(err)
		}
		ds := deliveries(t, s, env, hook.ID)
		if !equal(statuses(ds), []string{DeliverySucceeded, DeliveryPending, DeliveryWaiting}) {
			t.Fatalf("before: %v", statuses(ds))
		}
		work(ds[1].ID)
		ds = deliveries(t, s, env, hook.ID)
		if !equal(statuses(ds), []string{DeliverySucceeded, DeliveryFailed, DeliveryPending}) || ds[1].LastError != ErasedApplicant || ds[1].Attempts != 0 {
			t.Fatalf("after the first erased one: %v %+v", statuses(ds), ds[1])
		}
		work(ds[2].ID)
		ds = deliveries(t, s, env, hook.ID)
		if !equal(statuses(ds), []string{DeliverySucceeded, DeliveryFailed, DeliveryFailed}) || ds[2].LastError != ErasedApplicant {
			t.Fatalf("after the second: %v %+v", statuses(ds), ds[2])
		}
		if ds[0].LastResponseBody != "" {
			t.Fatalf("the answer kept under the destroyed key still reads: %q", ds[0].LastResponseBody)
		}
		if len(got) != 1 {
			t.Fatalf("the receiver got %d requests, want the first only: %q", len(got), got)
		}
		w, err := NewRepository(s).Get(ctx, env, hook.ID)
		if err != nil || !w.Enabled || w.FailingSince != nil {
			t.Fatalf("the subscription after erased deliveries: %+v %v", w, err)
		}
	})
}
