package webhook

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/riverqueue/river"

	"kycd/internal/kyc"
	"kycd/internal/store"
)

// The delivery state machine. Deliveries of one subscription about one resource form a chain in
// revision order (deliveries.go keeps the chains: only the oldest unfinished delivery is pending
// and has a job, younger ones wait). The rules here decide which subscription receives which
// event (wants), the bytes it is sent (body), the job that sends it (deliveryJob), and what each
// attempt does to its delivery and subscription (decide, as a Decision).

// wants reports whether the enabled subscription webhookID, subscribed to events (empty: all),
// receives ev: a ping goes only to the subscription it tests; an event about a subscription never
// goes to that subscription; otherwise its event types decide (none means every type).
func wants(webhookID string, events []string, ev kyc.Event) bool {
	if ev.ResourceType == "webhook" {
		if ev.Type == kyc.EventPing || ev.ResourceID == webhookID {
			return ev.Type == kyc.EventPing && ev.ResourceID == webhookID
		}
	}
	return len(events) == 0 || slices.Contains(events, ev.Type)
}

// body is the JSON body of every delivery of an event: {id, type, createdAt, revision, data}. It
// is built once per event and stored with each delivery, so every attempt sends the same bytes; a
// replay rebuilds it from the stored event, to the same bytes. ev.Data is the resource snapshot
// as JSON (json.RawMessage or []byte).
func body(ev kyc.Event) ([]byte, error) {
	var data json.RawMessage
	switch d := ev.Data.(type) {
	case json.RawMessage:
		data = d
	case []byte:
		data = d
	default:
		return nil, fmt.Errorf("webhook body of %s: data is %T, not JSON", ev.ID, ev.Data)
	}
	return json.Marshal(struct {
		ID        string          `json:"id"`
		Type      string          `json:"type"`
		CreatedAt string          `json:"createdAt"`
		Revision  int64           `json:"revision"`
		Data      json.RawMessage `json:"data"`
	}{ev.ID, ev.Type, ev.CreatedTime.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano), ev.Revision, data})
}

// deliveryJob is the River job that sends env's delivery id, on Queue, with River's cap on its
// attempts at JobMaxAttempts.
func deliveryJob(env kyc.Env, deliveryID string) river.InsertManyParams {
	return river.InsertManyParams{Args: DeliveryArgs{Env: env, DeliveryID: deliveryID},
		InsertOpts: &river.InsertOpts{Queue: Queue, MaxAttempts: JobMaxAttempts}}
}

// Outcome is what one delivery attempt led to.
type Outcome int

// The outcomes of an attempt.
const (
	// Succeeded: the receiver answered 2xx; the delivery is done.
	Succeeded Outcome = iota + 1
	// Retry: it failed and will be tried again.
	Retry
	// Failed: it failed and it was the last attempt.
	Failed
	// Gone: the receiver answered 410 Gone: the delivery fails and the subscription is disabled.
	Gone
)

// systemActor is who acts when kycd itself disables a subscription.
const systemActor kyc.Actor = "system:webhook-delivery"

// verdict is the worker's verdict on one attempt, before it meets the subscription's state.
type verdict struct {
	outcome Outcome
	at      time.Time
	// next is when a retried delivery is due.
	next time.Time
	// disableAfter: a subscription whose every attempt has failed for this long is disabled by
	// this failed attempt. Zero never disables.
	disableAfter time.Duration
}

// Decision is what an attempt does to its delivery and subscription, as the delivery state
// machine decides it (verdict.decide); FinishAttempt writes it.
type Decision struct {
	// Status is the delivery's status after the attempt: DeliveryPending to try it again at
	// NextAttempt, DeliverySucceeded or DeliveryFailed when it is finished.
	Status      string
	NextAttempt time.Time
	// WakeNext makes the next delivery of the chain (same subscription and resource) pending and
	// queues its job.
	WakeNext bool
	// Failing starts the subscription's failing time (an earlier one is kept); false clears it.
	Failing bool
	// Disable, when not empty, is why the subscription is disabled now: FinishAttempt disables it
	// (if it is still enabled), fails its unfinished deliveries and writes DisableEffects, whose
	// events without Data get the subscription as it is after the change.
	Disable        string
	DisableEffects store.Effects
}

// decide is what attempt a does, given the subscription w as it is when it is recorded: a success
// or a last failure finishes the delivery and wakes the next of its chain; a failure starts the
// subscription's failing time and a success clears it; a 410, or failures for disableAfter,
// disable the subscription (which fails the delivery and every unfinished one).
func (a verdict) decide(w Webhook) Decision {
	d := Decision{Failing: a.outcome != Succeeded}
	switch a.outcome {
	case Succeeded:
		d.Status, d.WakeNext = DeliverySucceeded, true
	case Retry:
		d.Status, d.NextAttempt = DeliveryPending, a.next
	default:
		d.Status, d.WakeNext = DeliveryFailed, true
	}
	if reason := disableReason(w, a); reason != "" && w.Enabled {
		d.Status, d.NextAttempt, d.WakeNext = DeliveryFailed, time.Time{}, false
		d.Disable = reason
		d.DisableEffects = store.Effects{
			Audit:  kyc.AuditEntry{Actor: systemActor, Action: "webhook.disable", ResourceType: "webhook", ResourceID: w.ID},
			Events: []store.NewEvent{{Type: kyc.EventWebhookDisabled, ResourceType: "webhook", ResourceID: w.ID}},
		}
	}
	return d
}

// disableReason says why attempt a disables w, or "" when it does not.
func disableReason(w Webhook, a verdict) string {
	at := a.at.UTC().Truncate(time.Microsecond)
	switch {
	case a.outcome == Gone:
		return "the receiver answered 410 Gone"
	case a.outcome != Succeeded && a.disableAfter > 0 && w.FailingSince != nil && !at.Before(w.FailingSince.Add(a.disableAfter)):
		return fmt.Sprintf("every delivery failed for %s", a.disableAfter)
	}
	return ""
}

// activeSecrets returns the secrets that sign deliveries at the time given, newest first: those
// without an expiry, and those a rotation replaced until their grace ends.
func activeSecrets(secrets []Secret, at time.Time) []string {
	var out []string
	for _, s := range secrets {
		if s.Expires == nil || at.Before(*s.Expires) {
			out = append(out, s.Secret)
		}
	}
	return out
}

// setEnabled enables or disables w: disabling through the API says so unless kycd disabled it
// already for a reason of its own; enabling clears the reason and the failing time, so the
// subscription starts afresh.
func setEnabled(w *Webhook, enabled bool) {
	switch {
	case enabled && !w.Enabled:
		w.DisabledReason, w.FailingSince = "", nil
	case !enabled && w.DisabledReason == "":
		w.DisabledReason = "disabled through the API"
	}
	w.Enabled = enabled
}
