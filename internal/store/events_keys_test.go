package store_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"kycd/internal/kyc"
	"kycd/internal/seal"
	"kycd/internal/share"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
	"kycd/internal/webhook"
)

// writeEvent writes one event of typ about resource (of resourceType) in a change of env, with
// data as its payload, and returns its id.
func writeEvent(t *testing.T, s *store.Store, env kyc.Env, typ, resourceType, resource string, data any) string {
	t.Helper()
	eff := audit("test.event", resource)
	eff.Events = []store.NewEvent{{Type: typ, ResourceType: resourceType, ResourceID: resource, Data: data}}
	if err := s.Change(t.Context(), env, func(*store.Tx) (store.Effects, error) { return eff, nil }); err != nil {
		t.Fatalf("event about %s %s: %v", resourceType, resource, err)
	}
	p, err := s.ListEvents(t.Context(), env, store.EventFilter{ResourceID: resource, Type: typ}, "", 1)
	if err != nil || len(p.Items) != 1 {
		t.Fatalf("the event about %s: %v %v", resource, p.Items, err)
	}
	return p.Items[0].ID
}

// sealedRows returns the payload and applicant of an event, and the body and applicant of its
// delivery to webhookID, as stored.
func sealedRows(t *testing.T, s *store.Store, eventID, webhookID string) (payload []byte, applicant *string, body []byte, deliveryApplicant *string) {
	t.Helper()
	ctx := t.Context()
	if err := s.QueryRow(ctx, `SELECT payload, applicant_id FROM events WHERE id = ?`, eventID).Scan(&payload, &applicant); err != nil {
		t.Fatal(err)
	}
	if err := s.QueryRow(ctx, `SELECT body, applicant_id FROM webhook_deliveries WHERE event_id = ? AND webhook_id = ?`, eventID, webhookID).
		Scan(&body, &deliveryApplicant); err != nil {
		t.Fatal(err)
	}
	return payload, applicant, body, deliveryApplicant
}

func deliveryOf(t *testing.T, s *store.Store, env kyc.Env, eventID, webhookID string) string {
	t.Helper()
	var id string
	if err := s.QueryRow(t.Context(), `SELECT id FROM webhook_deliveries WHERE env = ? AND event_id = ? AND webhook_id = ?`, string(env), eventID, webhookID).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestEventsAndDeliveriesUnderTheApplicantsKey: an applicant's event payload and webhook body are
// sealed under that applicant's data key, and each row names the applicant: the master key alone
// does not open them, nor another applicant's key; they open with theirs. Events of no applicant
// stay under the master key; rows written before (under the master key) still read; with the key
// destroyed the event reads without its data, flagged, and the delivery's body not at all.
func TestEventsAndDeliveriesUnderTheApplicantsKey(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		initJobs(t, s)
		env := kyc.EnvLive
		hook, other := newWebhook(t, s, env), newWebhook(t, s, env)
		deliveries := webhook.NewRepository(s)
		master := storetest.Sealer(t)
		a, b := newApplicant(t, s, env, ""), newApplicant(t, s, env, "")
		f := kyc.File{ID: kyc.NewID(kyc.PrefixFile), Env: env, ApplicantID: a.ID, Tag: "selfie", MIME: "image/png", Size: 10, SHA256: "ab", Width: 1, Height: 1, BlobKey: "k"}
		if err := s.CreateFile(ctx, &f, audit("file.create", f.ID)); err != nil {
			t.Fatal(err)
		}
		secret := map[string]string{"email": "anna@example.com"}
		for _, ev := range []struct{ typ, resourceType, id string }{{kyc.EventApplicantUpdated, "applicant", a.ID}, {kyc.EventFileStored, "file", f.ID}} {
			id := writeEvent(t, s, env, ev.typ, ev.resourceType, ev.id, secret)
			payload, applicant, body, deliveryApplicant := sealedRows(t, s, id, hook.ID)
			if applicant == nil || *applicant != a.ID || deliveryApplicant == nil || *deliveryApplicant != a.ID {
				t.Fatalf("%s: the rows name applicants %v and %v, want %s", ev.resourceType, applicant, deliveryApplicant, a.ID)
			}
			if !seal.SealedUnderDataKey(payload) || !seal.SealedUnderDataKey(body) {
				t.Fatalf("%s: the payload or the body is not under a data key", ev.resourceType)
			}
			if _, err := master.Open(payload, []byte("event:"+id)); !errors.Is(err, seal.ErrOpen) {
				t.Fatalf("%s: the master key alone opened the payload: %v", ev.resourceType, err)
			}
			if _, err := master.Open(body, []byte("webhook-body:"+id)); !errors.Is(err, seal.ErrOpen) {
				t.Fatalf("%s: the master key alone opened the body: %v", ev.resourceType, err)
			}
			got, err := s.Event(ctx, env, id)
			if err != nil || got.DataErased || got.ApplicantID != a.ID || !strings.Contains(string(got.Data.(json.RawMessage)), "anna@example.com") {
				t.Fatalf("%s: the event with its applicant's key: %+v %v", ev.resourceType, got, err)
			}
			work, err := deliveries.DeliveryWork(ctx, env, deliveryOf(t, s, env, id, hook.ID))
			if err != nil || !strings.Contains(string(work.Body), "anna@example.com") || !strings.Contains(string(work.Body), id) {
				t.Fatalf("%s: the delivery with its applicant's key: %s %v", ev.resourceType, work.Body, err)
			}
		}
		aEvent := writeEvent(t, s, env, kyc.EventApplicantUpdated, "applicant", a.ID, secret)
		aDelivery := deliveryOf(t, s, env, aEvent, hook.ID)

		// b's key in a's row opens nothing of a's.
		var aKey []byte
		if err := s.QueryRow(ctx, `SELECT data_key FROM applicants WHERE id = ?`, a.ID).Scan(&aKey); err != nil {
			t.Fatal(err)
		}
		if err := s.Exec(ctx, `UPDATE applicants SET data_key = (SELECT data_key FROM applicants WHERE id = ?) WHERE id = ?`, b.ID, a.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Event(ctx, env, aEvent); !errors.Is(err, seal.ErrOpen) {
			t.Fatalf("a's event with b's key: %v", err)
		}
		if _, err := deliveries.DeliveryWork(ctx, env, aDelivery); !errors.Is(err, seal.ErrOpen) {
			t.Fatalf("a's delivery with b's key: %v", err)
		}
		if err := s.Exec(ctx, `UPDATE applicants SET data_key = ? WHERE id = ?`, aKey, a.ID); err != nil {
			t.Fatal(err)
		}

		// An event of no applicant (about a webhook, delivered to the other one) stays under the
		// master key, and its rows name no applicant.
		none := writeEvent(t, s, env, kyc.EventWebhookDisabled, "webhook", hook.ID, map[string]string{"id": hook.ID})
		payload, applicant, body, deliveryApplicant := sealedRows(t, s, none, other.ID)
		if applicant != nil || deliveryApplicant != nil || seal.SealedUnderDataKey(payload) || seal.SealedUnderDataKey(body) {
			t.Fatalf("an event of no applicant: applicants %v %v, under data keys %v %v", applicant, deliveryApplicant,
				seal.SealedUnderDataKey(payload), seal.SealedUnderDataKey(body))
		}
		if got, err := s.Event(ctx, env, none); err != nil || got.ApplicantID != "" || got.Data == nil {
			t.Fatalf("an event of no applicant: %+v %v", got, err)
		}
		if work, err := deliveries.DeliveryWork(ctx, env, deliveryOf(t, s, env, none, other.ID)); err != nil || !strings.Contains(string(work.Body), hook.ID) {
			t.Fatalf("a delivery of no applicant: %s %v", work.Body, err)
		}

		// Rows written before migration 00031: under the master key, backfilled with the applicant.
		oldEvent := writeEvent(t, s, env, kyc.EventApplicantUpdated, "applicant", b.ID, secret)
		oldDelivery := deliveryOf(t, s, env, oldEvent, hook.ID)
		plain := []byte(`{"email":"old@example.com"}`)
		oldPayload, err := master.Seal(plain, []byte("event:"+oldEvent))
		if err != nil {
			t.Fatal(err)
		}
		oldBody, err := master.Seal(plain, []byte("webhook-body:"+oldEvent))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Exec(ctx, `UPDATE events SET payload = ? WHERE id = ?`, oldPayload, oldEvent); err != nil {
			t.Fatal(err)
		}
		if err := s.Exec(ctx, `UPDATE webhook_deliveries SET body = ? WHERE id = ?`, oldBody, oldDelivery); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Event(ctx, env, oldEvent); err != nil || string(got.Data.(json.RawMessage)) != string(plain) {
			t.Fatalf("an event written before: %+v %v", got, err)
		}
		if work, err := deliveries.DeliveryWork(ctx, env, oldDelivery); err != nil || string(work.Body) != string(plain) {
			t.Fatalf("a delivery written before: %s %v", work.Body, err)
		}

		// a's key destroyed: its events read without their data, flagged, in a list too; its
		// deliveries have no body; b's are untouched.
		if err := s.Exec(ctx, `UPDATE applicants SET data_key = NULL WHERE id = ?`, a.ID); err != nil {
			t.Fatal(err)
		}
		got, err := s.Event(ctx, env, aEvent)
		if err != nil || !got.DataErased || got.Data != nil || got.ID != aEvent || got.ResourceID != a.ID {
			t.Fatalf("an event of an erased applicant: %+v %v", got, err)
		}
		p, err := s.ListEvents(ctx, env, store.EventFilter{ResourceID: a.ID}, "", 10)
		if err != nil || len(p.Items) != 2 || !p.Items[0].DataErased || !p.Items[1].DataErased {
			t.Fatalf("the events of an erased applicant: %+v %v", p.Items, err)
		}
		if work, err := deliveries.DeliveryWork(ctx, env, aDelivery); !errors.Is(err, store.ErrDataKeyDestroyed) || work.Body != nil {
			t.Fatalf("a delivery of an erased applicant: %q %v", work.Body, err)
		}
		if _, err := deliveries.Redeliver(ctx, env, aEvent, "", audit("event.redeliver", aEvent)); !errors.Is(err, kyc.ErrConflict) {
			t.Fatalf("a redelivery of an erased applicant's event: %v", err)
		}
		if got, err := s.Event(ctx, env, oldEvent); err != nil || got.DataErased {
			t.Fatalf("b's event: %+v %v", got, err)
		}
		if _, err := deliveries.ListDeliveries(ctx, env, hook.ID, "", "", 50); err != nil {
			t.Fatalf("the delivery log with an erased applicant's deliveries: %v", err)
		}
	})
}

// TestEventApplicantsBackfill: migration 00031 gives the events and deliveries written before it
// the applicant of their resource, for each type of resource that has one, and none to the others;
// it goes down and up again.
func TestEventApplicantsBackfill(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		initJobs(t, s)
		env := kyc.EnvTest
		hook := newWebhook(t, s, env)
		a := newApplicant(t, s, env, "")
		r, doc := newCase(t, s, a, "pending")
		var fileID string
		if err := s.QueryRow(ctx, `SELECT id FROM files WHERE applicant_id = ?`, a.ID).Scan(&fileID); err != nil {
			t.Fatal(err)
		}
		sc := kyc.Screening{ID: kyc.NewID(kyc.PrefixScreening), Env: env, ApplicantID: a.ID, Reason: "manual", Disposition: "clear",
			Hits: []kyc.ScreeningHit{}, Lists: []kyc.SanctionsList{}}
		if err := s.CreateScreening(ctx, &sc, audit("screening.create", sc.ID)); err != nil {
			t.Fatal(err)
		}
		sh := kyc.Share{ID: kyc.NewID(kyc.PrefixShare), Env: env, ApplicantID: a.ID, Partner: "alchemypay", Status: "queued", Mode: "new", RequestNo: "r1"}
		if err := share.NewRepo(s).Create(ctx, &sh, audit("share.create", sh.ID)); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{} // event id: its applicant ("" for none)
		for _, ev := range []struct{ resourceType, id string }{
			{"applicant", a.ID}, {"file", fileID}, {"kyc-document", doc.ID}, {"kyc-request", r.ID}, {"screening", sc.ID}, {"share", sh.ID},
		} {
			want[writeEvent(t, s, env, kyc.EventApplicantUpdated, ev.resourceType, ev.id, map[string]string{"id": ev.id})] = a.ID
		}
		newWebhook(t, s, env) // gets the event about hook
		want[writeEvent(t, s, env, kyc.EventWebhookDisabled, "webhook", hook.ID, map[string]string{"id": hook.ID})] = ""
		if err := s.MigrateTo(ctx, 30); err != nil {
			t.Fatal(err)
		}
		for range 2 { // up, down, up
			if err := s.MigrateTo(ctx, 31); err != nil {
				t.Fatal(err)
			}
			for id, applicant := range want {
				var got *string
				if err := s.QueryRow(ctx, `SELECT applicant_id FROM events WHERE id = ?`, id).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if (got == nil) != (applicant == "") || (got != nil && *got != applicant) {
					t.Errorf("event %s: applicant %v, want %q", id, got, applicant)
				}
				rs, err := s.Query(ctx, `SELECT applicant_id FROM webhook_deliveries WHERE event_id = ?`, id)
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for rs.Next() {
					n++
					if err := rs.Scan(&got); err != nil {
						t.Fatal(err)
					}
					if (got == nil) != (applicant == "") || (got != nil && *got != applicant) {
						t.Errorf("a delivery of event %s: applicant %v, want %q", id, got, applicant)
					}
				}
				rs.Close()
				if n == 0 {
					t.Errorf("event %s has no delivery to check", id)
				}
			}
			if err := s.MigrateTo(ctx, 30); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.MigrateTo(ctx, 31); err != nil {
			t.Fatal(err)
		}
		// What was written before reads as it did.
		for id := range want {
			if _, err := s.Event(ctx, env, id); err != nil {
				t.Fatal(err)
			}
		}
	})
}
