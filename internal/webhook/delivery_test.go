package webhook

import (
	"testing"
	"time"

	"kycd/internal/kyc"
)

// TestDecide: the delivery state machine without a database: what each outcome does to the
// delivery and its subscription.
func TestDecide(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	failing := t0.Add(-time.Hour)
	enabled := Webhook{ID: "whk_1", Enabled: true}
	failingFor := func(d time.Duration) Webhook {
		w := enabled
		since := t0.Add(-d)
		w.FailingSince = &since
		return w
	}
	tests := []struct {
		name    string
		w       Webhook
		a       verdict
		status  string
		wake    bool
		fail    bool
		disable string
	}{
		{"success finishes and wakes the next", enabled, verdict{outcome: Succeeded, at: t0}, DeliverySucceeded, true, false, ""},
		{"a retry stays pending", enabled, verdict{outcome: Retry, at: t0, next: t0.Add(time.Minute)}, DeliveryPending, false, true, ""},
		{"the last failure finishes and wakes the next", enabled, verdict{outcome: Failed, at: t0}, DeliveryFailed, true, true, ""},
		{"410 disables", enabled, verdict{outcome: Gone, at: t0}, DeliveryFailed, false, true, "the receiver answered 410 Gone"},
		{"failing under DisableAfter keeps it", failingFor(59 * time.Minute), verdict{outcome: Retry, at: t0, disableAfter: time.Hour},
			DeliveryPending, false, true, ""},
		{"failing for DisableAfter disables", failingFor(time.Hour), verdict{outcome: Retry, at: t0, disableAfter: time.Hour},
			DeliveryFailed, false, true, "every delivery failed for 1h0m0s"},
		{"a success never disables", Webhook{ID: "whk_1", Enabled: true, FailingSince: &failing},
			verdict{outcome: Succeeded, at: t0, disableAfter: time.Minute}, DeliverySucceeded, true, false, ""},
		{"zero DisableAfter never disables", failingFor(1000 * time.Hour), verdict{outcome: Retry, at: t0},
			DeliveryPending, false, true, ""},
		{"an already disabled subscription is not disabled again", Webhook{ID: "whk_1"}, verdict{outcome: Gone, at: t0},
			DeliveryFailed, true, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := tt.a.decide(tt.w)
			if d.Status != tt.status || d.WakeNext != tt.wake || d.Failing != tt.fail || d.Disable != tt.disable {
				t.Fatalf("decide = %+v, want status %s wake %v failing %v disable %q", d, tt.status, tt.wake, tt.fail, tt.disable)
			}
			if d.Status == DeliveryPending && !d.NextAttempt.Equal(tt.a.next) {
				t.Fatalf("next attempt %v, want %v", d.NextAttempt, tt.a.next)
			}
			if tt.disable != "" && (d.DisableEffects.Audit.Action != "webhook.disable" || len(d.DisableEffects.Events) != 1 ||
				d.DisableEffects.Events[0].Type != kyc.EventWebhookDisabled) {
				t.Fatalf("disable effects: %+v", d.DisableEffects)
			}
		})
	}
}

// TestWants: a ping goes to its subscription alone; an event about a subscription never goes to
// it; otherwise the subscription's types decide, none meaning all.
func TestWants(t *testing.T) {
	t.Parallel()
	ev := func(typ, resourceType, resourceID string) kyc.Event {
		return kyc.Event{Type: typ, ResourceType: resourceType, ResourceID: resourceID}
	}
	tests := []struct {
		name   string
		id     string
		events []string
		ev     kyc.Event
		want   bool
	}{
		{"no types means every type", "whk_1", nil, ev(kyc.EventApplicantCreated, "applicant", "apl_1"), true},
		{"a listed type", "whk_1", []string{kyc.EventApplicantCreated}, ev(kyc.EventApplicantCreated, "applicant", "apl_1"), true},
		{"an unlisted type", "whk_1", []string{kyc.EventApplicantUpdated}, ev(kyc.EventApplicantCreated, "applicant", "apl_1"), false},
		{"its own ping", "whk_1", []string{kyc.EventApplicantUpdated}, ev(kyc.EventPing, "webhook", "whk_1"), true},
		{"another's ping", "whk_1", nil, ev(kyc.EventPing, "webhook", "whk_2"), false},
		{"its own disabling", "whk_1", nil, ev(kyc.EventWebhookDisabled, "webhook", "whk_1"), false},
		{"another's disabling", "whk_1", []string{kyc.EventWebhookDisabled}, ev(kyc.EventWebhookDisabled, "webhook", "whk_2"), true},
	}
	for _, tt := range tests {
		if got := wants(tt.id, tt.events, tt.ev); got != tt.want {
			t.Errorf("%s: Wants = %v, want %v", tt.name, got, tt.want)
		}
	}
}
