package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"kycd/internal/kyc"
)

// Webhooks: subscriptions, and one delivery per (event, subscription). Package webhook decides
// who receives what, the bytes sent and what each attempt does (WebhookRules, AttemptDecision);
// this file keeps the rows and the chains.
//
// Deliveries of one subscription about one resource form a chain ordered by seq (insertion order,
// which is revision order: changes to one resource are serialised by its row lock). Only the
// oldest unfinished delivery of a chain is "pending" and has a River job; younger ones are
// "waiting" and have none. Finishing a delivery (succeeded, or failed for good) makes the next one
// pending and inserts its job in the same transaction, so a newer event never overtakes an older
// one and a chain stuck on a receiver that is down costs one scheduled job, not one per event.
// Because a chain finishes in order, its newest delivery alone says whether a new one must wait.
//
// Locks are always taken in this order, so transactions cannot deadlock one another: the webhook
// row, then the environment's audit head (every change appends an audit entry first, which also
// serialises all changes of an environment), then delivery rows.

// Delivery statuses.
const (
	// DeliveryWaiting: an older delivery of the same subscription and resource is unfinished.
	DeliveryWaiting = "waiting"
	// DeliveryPending: queued or between attempts.
	DeliveryPending = "pending"
	// DeliverySucceeded: the receiver answered 2xx.
	DeliverySucceeded = "succeeded"
	// DeliveryFailed: every attempt failed, the receiver answered 410, or the webhook was disabled.
	DeliveryFailed = "failed"
)

// DeliveryStatuses lists the delivery statuses in lifecycle order.
var DeliveryStatuses = []string{DeliveryWaiting, DeliveryPending, DeliverySucceeded, DeliveryFailed}

// deliveryPrefix starts delivery ids.
const deliveryPrefix = "dlv"

// WebhookRules are the decisions of webhook delivery that the store applies inside the
// transaction of a change, so that an event, its deliveries and their jobs commit together.
// Package webhook owns them (webhook.Rules); the composition root hands them to the store in
// JobsConfig.Webhooks. The store keeps the chains (which delivery waits on which) and their rows.
type WebhookRules interface {
	// Wants reports whether the enabled subscription webhookID, subscribed to events (empty: all),
	// receives ev.
	Wants(webhookID string, events []string, ev kyc.Event) bool
	// Body is what every delivery of ev sends; ev.Data is the resource snapshot as
	// json.RawMessage. The same event must give the same bytes (a replay rebuilds them).
	Body(ev kyc.Event) ([]byte, error)
	// DeliveryJob is the River job that sends env's delivery id.
	DeliveryJob(env kyc.Env, deliveryID string) river.InsertManyParams
}

// Webhook is a subscription: an environment's events of some types go to URL, signed with its
// secrets.
type Webhook struct {
	ID             string     `json:"id"`
	Env            kyc.Env    `json:"environment" enum:"test,live"`
	URL            string     `json:"url"`
	Description    string     `json:"description"`
	Events         []string   `json:"events" doc:"Event types delivered; empty means every type"`
	Enabled        bool       `json:"enabled"`
	DisabledReason string     `json:"disabledReason,omitempty" doc:"Why kycd disabled it (410 Gone, or every delivery failing for days)"`
	FailingSince   *time.Time `json:"failingSince,omitempty" doc:"When the attempts started failing; absent after a success"`
	Revision       int64      `json:"revision"`
	CreatedTime    time.Time  `json:"createdTime"`
	UpdatedTime    time.Time  `json:"updatedTime"`
	// Secrets sign the deliveries, newest first; never shown but on creation and rotation.
	Secrets []WebhookSecret `json:"-"`
}

// WebhookSecret is one signing secret, "whsec_" and base64. Expires is set on the secrets a
// rotation replaced: they keep signing until then.
type WebhookSecret struct {
	Secret  string     `json:"secret"`
	Created time.Time  `json:"created"`
	Expires *time.Time `json:"expires,omitempty"`
}

// WebhookDelivery is one event sent (or to be sent) to one subscription.
type WebhookDelivery struct {
	ID               string     `json:"id"`
	WebhookID        string     `json:"webhookId"`
	EventID          string     `json:"eventId" doc:"Also the webhook-id header: the same on every retry and replay"`
	EventType        string     `json:"eventType"`
	ResourceID       string     `json:"resourceId"`
	Revision         int64      `json:"revision"`
	Status           string     `json:"status" enum:"waiting,pending,succeeded,failed" doc:"waiting: an older delivery about the same resource goes first; pending: queued or between attempts"`
	Attempts         int        `json:"attempts"`
	LastResponseCode int        `json:"lastResponseCode,omitempty" doc:"HTTP status of the last answer; absent when there was none"`
	LastResponseBody string     `json:"lastResponseBody,omitempty" doc:"A short excerpt (at most 256 bytes, control characters removed) of the last answer's body; absent when the answer came from an internal address (loopback, private, ...), whose answers are never kept"`
	LastError        string     `json:"lastError,omitempty" doc:"Why the last attempt failed"`
	LastDurationMs   float64    `json:"lastDurationMs,omitempty" doc:"How long the last attempt took"`
	CreatedTime      time.Time  `json:"createdTime"`
	LastAttemptTime  *time.Time `json:"lastAttemptTime,omitempty"`
	NextAttemptTime  *time.Time `json:"nextAttemptTime,omitempty" doc:"When the next attempt is due (pending deliveries that failed before)"`
	CompletedTime    *time.Time `json:"completedTime,omitempty"`
}

const webhookColumns = `id, env, url, description, event_types, status, disabled_reason, secrets, failing_since, revision, created_at, updated_at`

// CreateWebhook stores a new subscription with its effects; the store sets the times and revision 0.
func (s *Store) CreateWebhook(ctx context.Context, w *Webhook, eff Effects) error {
	at := now()
	w.CreatedTime, w.UpdatedTime, w.Revision = at, at, 0
	return s.inTx(ctx, func(t *txn) error {
		if err := s.insertWebhook(ctx, t, w); err != nil {
			return err
		}
		return s.applyEffects(ctx, t, w.Env, eff, at)
	})
}

func (s *Store) insertWebhook(ctx context.Context, t *txn, w *Webhook) error {
	cols, err := s.webhookRow(w)
	if err != nil {
		return err
	}
	if _, err := t.exec(ctx, `INSERT INTO webhooks (`+webhookColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, cols...); err != nil {
		return fmt.Errorf("create webhook: %w", err)
	}
	return nil
}

// webhookRow is w as the values of webhookColumns.
func (s *Store) webhookRow(w *Webhook) ([]any, error) {
	if w.Events == nil {
		w.Events = []string{}
	}
	events, err := json.Marshal(w.Events)
	if err != nil {
		return nil, fmt.Errorf("webhook: %w", err)
	}
	secrets, err := s.sealJSON(w.Secrets, "webhook:"+w.ID)
	if err != nil {
		return nil, err
	}
	status := "disabled"
	if w.Enabled {
		status = "enabled"
	}
	var failing *int64
	if w.FailingSince != nil {
		us := micros(*w.FailingSince)
		failing = &us
	}
	return []any{w.ID, string(w.Env), w.URL, w.Description, string(events), status, w.DisabledReason, secrets, failing,
		w.Revision, micros(w.CreatedTime), micros(w.UpdatedTime)}, nil
}

func (s *Store) writeWebhook(ctx context.Context, t *txn, w *Webhook) error {
	cols, err := s.webhookRow(w)
	if err != nil {
		return err
	}
	// cols[2:] are url .. updated_at; cols[0:2] id and env go last, in the WHERE.
	args := append(append([]any{}, cols[2:]...), cols[1], cols[0])
	if _, err := t.exec(ctx, `UPDATE webhooks SET url = ?, description = ?, event_types = ?, status = ?, disabled_reason = ?, secrets = ?,
		failing_since = ?, revision = ?, created_at = ?, updated_at = ? WHERE env = ? AND id = ?`, args...); err != nil {
		return fmt.Errorf("update webhook: %w", err)
	}
	return nil
}

// Webhook returns one subscription of env, with its secrets.
func (s *Store) Webhook(ctx context.Context, env kyc.Env, id string) (Webhook, error) {
	return s.webhook(ctx, s.reader(), env, id, "")
}

func (s *Store) webhook(ctx context.Context, q querier, env kyc.Env, id, suffix string) (Webhook, error) {
	w, err := s.scanWebhook(q.queryRow(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE env = ? AND id = ?`+suffix, string(env), id))
	if err == errNoRows {
		return Webhook{}, fmt.Errorf("webhook %s: %w", id, kyc.ErrNotFound)
	}
	return w, err
}

func (s *Store) scanWebhook(r row) (Webhook, error) {
	var w Webhook
	var env, events, status string
	var secrets []byte
	var failing *int64
	var created, updated int64
	if err := r.Scan(&w.ID, &env, &w.URL, &w.Description, &events, &status, &w.DisabledReason, &secrets, &failing,
		&w.Revision, &created, &updated); err != nil {
		if err == errNoRows {
			return w, err
		}
		return w, fmt.Errorf("scan webhook: %w", err)
	}
	if err := json.Unmarshal([]byte(events), &w.Events); err != nil {
		return w, fmt.Errorf("webhook %s events: %w", w.ID, err)
	}
	if err := s.openJSON(secrets, "webhook:"+w.ID, &w.Secrets); err != nil {
		return w, err
	}
	if failing != nil {
		t := fromMicros(*failing)
		w.FailingSince = &t
	}
	w.Env, w.Enabled, w.CreatedTime, w.UpdatedTime = kyc.Env(env), status == "enabled", fromMicros(created), fromMicros(updated)
	return w, nil
}

// ListWebhooks returns one page of env's subscriptions, newest first.
func (s *Store) ListWebhooks(ctx context.Context, env kyc.Env, cursor string, limit int) (kyc.Page[Webhook], error) {
	after, err := decodeCursor(cursor)
	if err != nil {
		return kyc.Page[Webhook]{}, err
	}
	where, args := "env = ?", []any{string(env)}
	if after != "" {
		where, args = where+" AND id < ?", append(args, after)
	}
	n := pageLimit(limit)
	rs, err := s.reader().query(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE `+where+` ORDER BY id DESC LIMIT ?`, append(args, n+1)...)
	if err != nil {
		return kyc.Page[Webhook]{}, fmt.Errorf("list webhooks: %w", err)
	}
	defer rs.Close()
	var items []Webhook
	for rs.Next() {
		w, err := s.scanWebhook(rs)
		if err != nil {
			return kyc.Page[Webhook]{}, err
		}
		items = append(items, w)
	}
	if err := rs.Err(); err != nil {
		return kyc.Page[Webhook]{}, fmt.Errorf("list webhooks: %w", err)
	}
	return page(items, n, func(w Webhook) string { return w.ID }), nil
}

// UpdateWebhook reads a subscription under a write lock, lets mutate change it and name the
// effects, and writes it back with revision + 1. Disabling it fails its unfinished deliveries.
func (s *Store) UpdateWebhook(ctx context.Context, env kyc.Env, id string, mutate func(w *Webhook) (Effects, error)) (Webhook, error) {
	var out Webhook
	err := s.inTx(ctx, func(t *txn) error {
		w, err := s.webhook(ctx, t, env, id, s.forUpdate())
		if err != nil {
			return err
		}
		wasEnabled := w.Enabled
		eff, err := mutate(&w)
		if err != nil {
			return err
		}
		at := now()
		w.Revision++
		w.UpdatedTime = at
		if err := s.writeWebhook(ctx, t, &w); err != nil {
			return err
		}
		if err := s.applyEffects(ctx, t, env, eff, at); err != nil {
			return err
		}
		if wasEnabled && !w.Enabled {
			if err := s.failUnfinishedDeliveries(ctx, t, w.ID, "the webhook was disabled", at); err != nil {
				return err
			}
		}
		out = w
		return nil
	})
	return out, err
}

// DeleteWebhook removes a subscription and its delivery log. Jobs still queued for its deliveries
// find nothing to send and end.
func (s *Store) DeleteWebhook(ctx context.Context, env kyc.Env, id string, eff Effects) error {
	return s.inTx(ctx, func(t *txn) error {
		if _, err := s.webhook(ctx, t, env, id, s.forUpdate()); err != nil {
			return err
		}
		if err := s.applyEffects(ctx, t, env, eff, now()); err != nil {
			return err
		}
		if _, err := t.exec(ctx, `DELETE FROM webhook_deliveries WHERE webhook_id = ?`, id); err != nil {
			return fmt.Errorf("delete webhook deliveries: %w", err)
		}
		if _, err := t.exec(ctx, `DELETE FROM webhooks WHERE env = ? AND id = ?`, string(env), id); err != nil {
			return fmt.Errorf("delete webhook: %w", err)
		}
		return nil
	})
}

// PingWebhook writes eff about an enabled subscription, and returns the delivery to that
// subscription of eff's one event (a ping: package webhook makes it and decides who receives
// it). Events without Data get the subscription as it is. A disabled subscription is
// kyc.ErrConflict.
func (s *Store) PingWebhook(ctx context.Context, env kyc.Env, id string, eff Effects) (WebhookDelivery, error) {
	if len(eff.Events) != 1 {
		return WebhookDelivery{}, fmt.Errorf("store: a webhook ping is one event, not %d", len(eff.Events))
	}
	var out WebhookDelivery
	err := s.inTx(ctx, func(t *txn) error {
		w, err := s.webhook(ctx, t, env, id, s.forUpdate())
		if err != nil {
			return err
		}
		if !w.Enabled {
			return fmt.Errorf("the webhook is disabled; enable it before testing it: %w", kyc.ErrConflict)
		}
		completeEvents(&eff, w.Revision, w)
		if err := s.applyEffects(ctx, t, env, eff, now()); err != nil {
			return err
		}
		out, err = s.scanDelivery(t.queryRow(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries
			WHERE webhook_id = ? AND event_type = ? ORDER BY seq DESC LIMIT 1`, id, eff.Events[0].Type))
		return err
	})
	return out, err
}

// RedeliverEvent queues env's event eventID again: to the subscription webhookID when it is set
// (it must be enabled; kyc.ErrConflict otherwise), else to every enabled subscription that wants
// the event's type. The body is the event's, byte for byte; the delivery joins the end of its
// chain, so it goes out after anything still pending about the same resource.
func (s *Store) RedeliverEvent(ctx context.Context, env kyc.Env, eventID, webhookID string, eff Effects) ([]WebhookDelivery, error) {
	var out []WebhookDelivery
	err := s.inTx(ctx, func(t *txn) error {
		ev, err := s.Event(ctx, env, eventID)
		if err != nil {
			return err
		}
		var only []webhookTarget
		if webhookID != "" {
			w, err := s.webhook(ctx, t, env, webhookID, s.forUpdate())
			if err != nil {
				return err
			}
			if !w.Enabled {
				return fmt.Errorf("the webhook is disabled; enable it before redelivering to it: %w", kyc.ErrConflict)
			}
			only = []webhookTarget{{ID: w.ID}}
		}
		at := now()
		if err := s.applyEffects(ctx, t, env, eff, at); err != nil {
			return err
		}
		f := s.newFanOut(env)
		if only != nil {
			f.targets, f.loaded, f.explicit = only, true, true
		}
		rec := eventRecord{ID: ev.ID, Type: ev.Type, ResourceType: ev.ResourceType, ResourceID: ev.ResourceID, Revision: ev.Revision,
			Data: ev.Data.(json.RawMessage), At: ev.CreatedTime, QueuedAt: at}
		if err := f.event(ctx, t, rec); err != nil {
			return err
		}
		if err := f.flush(ctx, t); err != nil {
			return err
		}
		for _, id := range f.created {
			d, err := s.scanDelivery(t.queryRow(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries WHERE id = ?`, id))
			if err != nil {
				return err
			}
			out = append(out, d)
		}
		return nil
	})
	return out, err
}

// eventRecord is an event as the fan-out needs it: Data is the resource snapshot as JSON.
type eventRecord struct {
	ID, Type, ResourceType, ResourceID string
	Revision                           int64
	Data                               []byte
	// At is when the event happened (the body's createdAt); QueuedAt when its deliveries are made.
	At, QueuedAt time.Time
}

// webhookTarget is an enabled subscription as the fan-out needs it.
type webhookTarget struct {
	ID     string
	Events []string
}

// event is ev as the webhook rules see it: Data is the snapshot as raw JSON, CreatedTime when
// the event happened.
func (ev eventRecord) event(env kyc.Env) kyc.Event {
	return kyc.Event{ID: ev.ID, Env: env, Type: ev.Type, ResourceType: ev.ResourceType, ResourceID: ev.ResourceID, Revision: ev.Revision,
		CreatedTime: ev.At, Data: json.RawMessage(ev.Data)}
}

// fanOut makes the deliveries of one transaction's events and inserts their jobs at flush.
type fanOut struct {
	s       *Store
	env     kyc.Env
	targets []webhookTarget
	loaded  bool
	// explicit sends to targets whatever their event types.
	explicit bool
	jobs     []river.InsertManyParams
	created  []string
}

func (s *Store) newFanOut(env kyc.Env) *fanOut { return &fanOut{s: s, env: env} }

// event queues a delivery of ev to each target that wants it.
func (f *fanOut) event(ctx context.Context, t *txn, ev eventRecord) error {
	if !f.loaded {
		if err := f.load(ctx, t); err != nil {
			return err
		}
	}
	if len(f.targets) == 0 {
		return nil
	}
	rules := f.s.webhookRules
	if rules == nil {
		return errors.New("store: webhook deliveries to make but JobsConfig.Webhooks was not set")
	}
	e := ev.event(f.env)
	var ids []string
	for _, w := range f.targets {
		if f.explicit || rules.Wants(w.ID, w.Events, e) {
			ids = append(ids, w.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	plain, err := rules.Body(e)
	if err != nil {
		return fmt.Errorf("webhook body %s: %w", ev.ID, err)
	}
	body, err := f.s.sealer.Seal(plain, []byte("webhook-body:"+ev.ID))
	if err != nil {
		return err
	}
	return f.deliver(ctx, t, ids, ev, body)
}

// load reads the environment's enabled subscriptions.
func (f *fanOut) load(ctx context.Context, t *txn) error {
	f.loaded = true
	rs, err := t.query(ctx, `SELECT id, event_types FROM webhooks WHERE env = ? AND status = 'enabled' ORDER BY id`, string(f.env))
	if err != nil {
		return fmt.Errorf("webhooks of %s: %w", f.env, err)
	}
	defer rs.Close()
	for rs.Next() {
		var w webhookTarget
		var events string
		if err := rs.Scan(&w.ID, &events); err != nil {
			return fmt.Errorf("webhooks of %s: %w", f.env, err)
		}
		if err := json.Unmarshal([]byte(events), &w.Events); err != nil {
			return fmt.Errorf("webhook %s events: %w", w.ID, err)
		}
		f.targets = append(f.targets, w)
	}
	return rs.Err()
}

// flush inserts the jobs of the pending deliveries.
func (f *fanOut) flush(ctx context.Context, t *txn) error {
	return f.s.insertJobsTx(ctx, t, f.jobs)
}

// insertJobsTx inserts River jobs in the transaction.
func (s *Store) insertJobsTx(ctx context.Context, t *txn, jobs []river.InsertManyParams) error {
	if len(jobs) == 0 {
		return nil
	}
	var err error
	switch {
	case s.dialect == Postgres && s.pgJobs != nil:
		_, err = s.pgJobs.InsertManyTx(ctx, t.pgTx, jobs)
	case s.dialect == SQLite && s.sqliteJobs != nil:
		_, err = s.sqliteJobs.InsertManyTx(ctx, t.sqlTx, jobs)
	default:
		return fmt.Errorf("store: webhook deliveries to queue but InitJobs was not called")
	}
	if err != nil {
		return fmt.Errorf("insert webhook jobs: %w", err)
	}
	return nil
}

var deliveryFields = []string{"id", "webhook_id", "event_id", "event_type", "resource_id", "revision", "status", "attempts",
	"last_status_code", "last_error", "last_response", "last_duration_us", "created_at", "last_attempt_at", "next_attempt_at", "completed_at"}

var deliveryColumns = strings.Join(deliveryFields, ", ")

// scanDelivery scans deliveryColumns, then the extra columns that follow them into extra.
func (s *Store) scanDelivery(r row, extra ...any) (WebhookDelivery, error) {
	var d WebhookDelivery
	var response []byte
	var durationUS, created int64
	var last, next, completed *int64
	dest := []any{&d.ID, &d.WebhookID, &d.EventID, &d.EventType, &d.ResourceID, &d.Revision, &d.Status, &d.Attempts,
		&d.LastResponseCode, &d.LastError, &response, &durationUS, &created, &last, &next, &completed}
	if err := r.Scan(append(dest, extra...)...); err != nil {
		if err == errNoRows {
			return d, fmt.Errorf("webhook delivery: %w", kyc.ErrNotFound)
		}
		return d, fmt.Errorf("scan webhook delivery: %w", err)
	}
	if len(response) > 0 {
		b, err := s.sealer.Open(response, []byte("webhook-delivery:"+d.ID))
		if err != nil {
			return d, fmt.Errorf("open webhook delivery %s: %w", d.ID, err)
		}
		d.LastResponseBody = string(b)
	}
	d.LastDurationMs = float64(durationUS) / 1000
	d.CreatedTime = fromMicros(created)
	d.LastAttemptTime, d.NextAttemptTime, d.CompletedTime = optionalTime(last), optionalTime(next), optionalTime(completed)
	return d, nil
}

func optionalTime(us *int64) *time.Time {
	if us == nil {
		return nil
	}
	t := fromMicros(*us)
	return &t
}

// ListWebhookDeliveries returns one page of a subscription's deliveries, newest first, optionally
// only those in status. An unknown subscription is kyc.ErrNotFound.
func (s *Store) ListWebhookDeliveries(ctx context.Context, env kyc.Env, webhookID, status, cursor string, limit int) (kyc.Page[WebhookDelivery], error) {
	after, err := decodeCursor(cursor)
	if err != nil {
		return kyc.Page[WebhookDelivery]{}, err
	}
	if _, err := s.Webhook(ctx, env, webhookID); err != nil {
		return kyc.Page[WebhookDelivery]{}, err
	}
	where, args := []string{"env = ?", "webhook_id = ?"}, []any{string(env), webhookID}
	if status != "" {
		where, args = append(where, "status = ?"), append(args, status)
	}
	if after != "" {
		where, args = append(where, "id < ?"), append(args, after)
	}
	n := pageLimit(limit)
	rs, err := s.reader().query(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries WHERE `+strings.Join(where, " AND ")+
		` ORDER BY id DESC LIMIT ?`, append(args, n+1)...)
	if err != nil {
		return kyc.Page[WebhookDelivery]{}, fmt.Errorf("list webhook deliveries: %w", err)
	}
	defer rs.Close()
	var items []WebhookDelivery
	for rs.Next() {
		d, err := s.scanDelivery(rs)
		if err != nil {
			return kyc.Page[WebhookDelivery]{}, err
		}
		items = append(items, d)
	}
	if err := rs.Err(); err != nil {
		return kyc.Page[WebhookDelivery]{}, fmt.Errorf("list webhook deliveries: %w", err)
	}
	return page(items, n, func(d WebhookDelivery) string { return d.ID }), nil
}

// DeliveryWork is what the delivery worker needs to make one attempt.
type DeliveryWork struct {
	Delivery WebhookDelivery
	// URL is where it goes; Enabled is the subscription's state.
	URL     string
	Enabled bool
	// Secrets are the subscription's signing secrets, newest first, expired ones included.
	Secrets []WebhookSecret
	// Body is the exact bytes to send.
	Body []byte
}

// WebhookDeliveryWork reads a delivery of env with its subscription and body. A delivery deleted
// with its subscription is kyc.ErrNotFound.
func (s *Store) WebhookDeliveryWork(ctx context.Context, env kyc.Env, id string) (DeliveryWork, error) {
	var w DeliveryWork
	var body, secrets []byte
	var webhookStatus string
	q := `SELECT d.` + strings.Join(deliveryFields, ", d.") + `, d.body, w.url, w.status, w.secrets
		FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE d.env = ? AND d.id = ?`
	d, err := s.scanDelivery(s.reader().queryRow(ctx, q, string(env), id), &body, &w.URL, &webhookStatus, &secrets)
	if err != nil {
		return w, fmt.Errorf("webhook delivery %s: %w", id, err)
	}
	w.Delivery, w.Enabled = d, webhookStatus == "enabled"
	if w.Body, err = s.sealer.Open(body, []byte("webhook-body:"+d.EventID)); err != nil {
		return w, fmt.Errorf("open webhook body %s: %w", d.ID, err)
	}
	if err := s.openJSON(secrets, "webhook:"+d.WebhookID, &w.Secrets); err != nil {
		return w, err
	}
	return w, nil
}

// WebhookAttempt is what happened at one attempt at a delivery.
type WebhookAttempt struct {
	At       time.Time
	Duration time.Duration
	// StatusCode is the answer's HTTP status, 0 when there was no answer.
	StatusCode int
	// Error says why the attempt failed, without personal data; empty on success.
	Error string
	// ResponseBody is the start of the answer's body; the store keeps its first KiB.
	ResponseBody []byte
}

// AttemptDecision is what an attempt does to its delivery and subscription, as package webhook
// decides it (its delivery state machine). The store writes it.
type AttemptDecision struct {
	// Status is the delivery's status after the attempt: DeliveryPending to try it again at
	// NextAttempt, DeliverySucceeded or DeliveryFailed when it is finished.
	Status      string
	NextAttempt time.Time
	// WakeNext makes the next delivery of the chain (same subscription and resource) pending and
	// queues its job.
	WakeNext bool
	// Failing starts the subscription's failing time (an earlier one is kept); false clears it.
	Failing bool
	// Disable, when not empty, is why the subscription is disabled now: the store disables it (if
	// it is still enabled), fails its unfinished deliveries and writes DisableEffects, whose
	// events without Data get the subscription as it is after the change.
	Disable        string
	DisableEffects Effects
}

// MaxResponseBody is how much of a receiver's answer a delivery keeps.
const MaxResponseBody = 1024

// FinishWebhookAttempt records attempt a at env's delivery id, and what decide makes of it given
// the subscription as it is, locked, in the same transaction. It answers whether it disabled the
// subscription. A delivery that is no longer pending (its subscription was disabled or deleted
// meanwhile) is left alone, and decide is not called.
func (s *Store) FinishWebhookAttempt(ctx context.Context, env kyc.Env, id string, a WebhookAttempt, decide func(w Webhook) AttemptDecision) (disabled bool, err error) {
	at := a.At.UTC().Truncate(time.Microsecond)
	err = s.inTx(ctx, func(t *txn) error {
		var webhookID string
		err := t.queryRow(ctx, `SELECT webhook_id FROM webhook_deliveries WHERE env = ? AND id = ?`, string(env), id).Scan(&webhookID)
		if err == errNoRows {
			return nil
		}
		if err != nil {
			return fmt.Errorf("finish webhook delivery: %w", err)
		}
		w, err := s.webhook(ctx, t, env, webhookID, s.forUpdate())
		if errors.Is(err, kyc.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		var status, resourceID string
		var seq int64
		if err := t.queryRow(ctx, `SELECT status, resource_id, seq FROM webhook_deliveries WHERE id = ?`, id).Scan(&status, &resourceID, &seq); err != nil {
			return fmt.Errorf("finish webhook delivery: %w", err)
		}
		if status != DeliveryPending {
			return nil
		}
		d := decide(w)
		if d.Disable != "" && w.Enabled {
			if err := s.disableWebhook(ctx, t, &w, d.Disable, d.DisableEffects, at); err != nil {
				return err
			}
			disabled = true
		}
		if err := s.recordAttempt(ctx, t, id, a, d, at); err != nil {
			return err
		}
		switch {
		case disabled:
			return s.failUnfinishedDeliveries(ctx, t, w.ID, "the webhook was disabled: "+d.Disable, at)
		case d.WakeNext:
			if err := s.wakeNextDelivery(ctx, t, env, w.ID, resourceID, seq); err != nil {
				return err
			}
		}
		if d.Failing {
			_, err = t.exec(ctx, `UPDATE webhooks SET failing_since = ? WHERE id = ? AND failing_since IS NULL`, micros(at), w.ID)
		} else {
			_, err = t.exec(ctx, `UPDATE webhooks SET failing_since = NULL WHERE id = ? AND failing_since IS NOT NULL`, w.ID)
		}
		return err
	})
	return disabled, err
}

func (s *Store) recordAttempt(ctx context.Context, t *txn, id string, a WebhookAttempt, d AttemptDecision, at time.Time) error {
	status, next, completed := d.Status, &d.NextAttempt, (*time.Time)(nil)
	if status != DeliveryPending {
		next, completed = nil, &at
	}
	var response []byte
	if len(a.ResponseBody) > 0 {
		b := a.ResponseBody[:min(len(a.ResponseBody), MaxResponseBody)]
		var err error
		if response, err = s.sealer.Seal(b, []byte("webhook-delivery:"+id)); err != nil {
			return err
		}
	}
	if _, err := t.exec(ctx, `UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, last_status_code = ?, last_error = ?,
		last_response = ?, last_duration_us = ?, last_attempt_at = ?, next_attempt_at = ?, completed_at = ? WHERE id = ?`,
		status, a.StatusCode, a.Error, response, a.Duration.Microseconds(), micros(at), microsOrNil(next), microsOrNil(completed), id); err != nil {
		return fmt.Errorf("record webhook attempt: %w", err)
	}
	return nil
}

func microsOrNil(t *time.Time) *int64 {
	if t == nil || t.IsZero() {
		return nil
	}
	us := micros(*t)
	return &us
}

// wakeNextDelivery makes the delivery after seq in its chain pending and queues its job.
func (s *Store) wakeNextDelivery(ctx context.Context, t *txn, env kyc.Env, webhookID, resourceID string, seq int64) error {
	var next, status string
	err := t.queryRow(ctx, `SELECT id, status FROM webhook_deliveries WHERE webhook_id = ? AND resource_id = ? AND seq > ? ORDER BY seq LIMIT 1`,
		webhookID, resourceID, seq).Scan(&next, &status)
	if err == errNoRows || (err == nil && status != DeliveryWaiting) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("next webhook delivery: %w", err)
	}
	if _, err := t.exec(ctx, `UPDATE webhook_deliveries SET status = ? WHERE id = ?`, DeliveryPending, next); err != nil {
		return fmt.Errorf("wake webhook delivery: %w", err)
	}
	if s.webhookRules == nil {
		return errors.New("store: a webhook delivery to queue but JobsConfig.Webhooks was not set")
	}
	return s.insertJobsTx(ctx, t, []river.InsertManyParams{s.webhookRules.DeliveryJob(env, next)})
}

// disableWebhook disables w (locked by the caller) for reason and writes eff, whose events are
// delivered to the environment's other subscriptions that want them.
func (s *Store) disableWebhook(ctx context.Context, t *txn, w *Webhook, reason string, eff Effects, at time.Time) error {
	w.Enabled, w.DisabledReason = false, reason
	w.Revision++
	w.UpdatedTime = at
	if err := s.writeWebhook(ctx, t, w); err != nil {
		return err
	}
	completeEvents(&eff, w.Revision, *w)
	return s.applyEffects(ctx, t, w.Env, eff, at)
}

// failUnfinishedDeliveries fails every waiting or pending delivery of a subscription. Their
// queued jobs find them finished and end.
func (s *Store) failUnfinishedDeliveries(ctx context.Context, t *txn, webhookID, reason string, at time.Time) error {
	if _, err := t.exec(ctx, `UPDATE webhook_deliveries SET status = ?, last_error = ?, next_attempt_at = NULL, completed_at = ?
		WHERE webhook_id = ? AND status IN (?, ?)`, DeliveryFailed, reason, micros(at), webhookID, DeliveryWaiting, DeliveryPending); err != nil {
		return fmt.Errorf("fail webhook deliveries: %w", err)
	}
	return nil
}

// ForgetWebhookDeliveries deletes the deliveries that finished (succeeded or finally failed) before
// the given time, and answers how many. Unfinished ones are kept whatever their age; a chain whose
// finished rows are gone simply starts again from its next delivery.
func (s *Store) ForgetWebhookDeliveries(ctx context.Context, finishedBefore time.Time) (int64, error) {
	n, err := s.writer().exec(ctx, `DELETE FROM webhook_deliveries WHERE status IN ('succeeded', 'failed') AND completed_at < ?`, micros(finishedBefore))
	if err != nil {
		return 0, fmt.Errorf("forget webhook deliveries: %w", err)
	}
	return n, nil
}
