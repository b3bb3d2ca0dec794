package webhook

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"kycd/internal/kyc"
	"kycd/internal/store"
)

// The delivery log (table webhook_deliveries): one delivery per (event, subscription).
//
// Deliveries of one subscription about one resource form a chain ordered by seq (insertion order,
// which is revision order: changes to one resource are serialised by its row lock). Only the
// oldest unfinished delivery of a chain is "pending" and has a River job; younger ones are
// "waiting" and have none. Finishing a delivery (succeeded, or failed for good) makes the next one
// pending and inserts its job in the same transaction, so a newer event never overtakes an older
// one and a chain stuck on a receiver that is down costs one scheduled job, not one per event.
// Because a chain finishes in order, its newest delivery alone says whether a new one must wait.
// What each attempt does is decided in delivery.go (Decision); this file writes it.

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

// Delivery is one event sent (or to be sent) to one subscription.
type Delivery struct {
	ID               string     `json:"id"`
	WebhookID        string     `json:"webhookId"`
	EventID          string     `json:"eventId" doc:"Also the webhook-id header: the same on every retry and replay"`
	EventType        string     `json:"eventType"`
	ResourceID       string     `json:"resourceId"`
	Revision         int64      `json:"revision"`
	Status           string     `json:"status" enum:"waiting,pending,succeeded,failed" doc:"waiting: an older delivery about the same resource goes first; pending: queued or between attempts"`
	Attempts         int        `json:"attempts"`
	LastResponseCode int        `json:"lastResponseCode,omitempty" doc:"HTTP status of the last answer; absent when there was none"`
	LastResponseBody string     `json:"lastResponseBody,omitempty" doc:"A short excerpt (at most 256 bytes, control characters removed) of the last answer's body; absent when the answer came from an internal address (loopback, private, ...), whose answers are never kept, or when the event's applicant was erased"`
	LastError        string     `json:"lastError,omitempty" doc:"Why the last attempt failed; 'the applicant was erased' for a delivery failed unsent because its event's applicant was erased"`
	LastDurationMs   float64    `json:"lastDurationMs,omitempty" doc:"How long the last attempt took"`
	CreatedTime      time.Time  `json:"createdTime"`
	LastAttemptTime  *time.Time `json:"lastAttemptTime,omitempty"`
	NextAttemptTime  *time.Time `json:"nextAttemptTime,omitempty" doc:"When the next attempt is due (pending deliveries that failed before)"`
	CompletedTime    *time.Time `json:"completedTime,omitempty"`
}

var deliveryFields = []string{"id", "webhook_id", "event_id", "event_type", "resource_id", "revision", "status", "attempts",
	"last_status_code", "last_error", "last_response", "last_duration_us", "created_at", "last_attempt_at", "next_attempt_at", "completed_at"}

// deliveryColumns are deliveryFields, the applicant the delivery's event belongs to and that
// applicant's wrapped data key, which its sealed columns are under (scanDelivery).
var deliveryColumns = strings.Join(deliveryFields, ", ") + ", applicant_id, " + store.ApplicantKeyColumn("webhook_deliveries")

// owner is whose data key a delivery's sealed columns (body, last_response) are under: its
// event's applicant ("": none, the master key) and that applicant's wrapped key as read.
type owner struct {
	applicantID string
	key         []byte
}

// bodyAAD binds a delivery's sealed body to its event (every delivery of an event sends it).
func bodyAAD(eventID string) string { return "webhook-body:" + eventID }

// responseAAD binds the receiver's last answer to its delivery.
func responseAAD(deliveryID string) string { return "webhook-delivery:" + deliveryID }

// scanDelivery scans deliveryColumns, then the extra columns that follow them into extra, and
// returns whose key the delivery's sealed columns are under. The receiver's last answer is left
// out when its applicant's key is destroyed (the applicant was erased).
func (r *Repository) scanDelivery(env kyc.Env, row store.Row, extra ...any) (Delivery, owner, error) {
	var d Delivery
	var o owner
	var applicant *string
	var response []byte
	var durationUS, created int64
	var last, next, completed *int64
	dest := []any{&d.ID, &d.WebhookID, &d.EventID, &d.EventType, &d.ResourceID, &d.Revision, &d.Status, &d.Attempts,
		&d.LastResponseCode, &d.LastError, &response, &durationUS, &created, &last, &next, &completed, &applicant, &o.key}
	if err := row.Scan(append(dest, extra...)...); err != nil {
		if errors.Is(err, store.ErrNoRows) {
			return d, o, fmt.Errorf("webhook delivery: %w", kyc.ErrNotFound)
		}
		return d, o, fmt.Errorf("scan webhook delivery: %w", err)
	}
	if applicant != nil {
		o.applicantID = *applicant
	}
	if len(response) > 0 {
		b, err := r.st.OpenFor(o.key, env, o.applicantID, response, responseAAD(d.ID))
		switch {
		case errors.Is(err, store.ErrDataKeyDestroyed):
			// The applicant was erased: the answer went with its key.
		case err != nil:
			return d, o, fmt.Errorf("open webhook delivery %s: %w", d.ID, err)
		default:
			d.LastResponseBody = string(b)
		}
	}
	d.LastDurationMs = float64(durationUS) / 1000
	d.CreatedTime = store.FromMicros(created)
	d.LastAttemptTime, d.NextAttemptTime, d.CompletedTime = optionalTime(last), optionalTime(next), optionalTime(completed)
	return d, o, nil
}

func optionalTime(us *int64) *time.Time {
	if us == nil {
		return nil
	}
	t := store.FromMicros(*us)
	return &t
}

// ListDeliveries returns one page of a subscription's deliveries, newest first, optionally only
// those in status. An unknown subscription is kyc.ErrNotFound (after the cursor is checked, as
// the API always answered).
func (r *Repository) ListDeliveries(ctx context.Context, env kyc.Env, webhookID, status, cursor string, limit int) (kyc.Page[Delivery], error) {
	p, err := store.ListPage(ctx, r.st, "webhook deliveries", `SELECT `+deliveryColumns+` FROM webhook_deliveries`,
		store.NewWhere(env).Eq("webhook_id", webhookID).Eq("status", status), false, cursor, limit,
		func(row store.Row) (Delivery, error) { d, _, err := r.scanDelivery(env, row); return d, err }, func(d Delivery) string { return d.ID })
	if err != nil {
		return kyc.Page[Delivery]{}, err
	}
	if _, err := r.Get(ctx, env, webhookID); err != nil {
		return kyc.Page[Delivery]{}, err
	}
	return p, nil
}

// DeliveriesOfEvents returns env's deliveries of these events (to every subscription), oldest
// first, at most 20 an event: what a review console shows of a case's events.
func (r *Repository) DeliveriesOfEvents(ctx context.Context, env kyc.Env, eventIDs []string) ([]Delivery, error) {
	if len(eventIDs) == 0 {
		return nil, nil
	}
	args := []any{string(env)}
	for _, id := range eventIDs {
		args = append(args, id)
	}
	rs, err := r.st.Query(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries WHERE env = ? AND event_id IN (?`+strings.Repeat(", ?", len(eventIDs)-1)+`)
		ORDER BY id LIMIT `+strconv.Itoa(20*len(eventIDs)), args...)
	if err != nil {
		return nil, fmt.Errorf("webhook deliveries of events: %w", err)
	}
	defer rs.Close()
	var out []Delivery
	for rs.Next() {
		d, _, err := r.scanDelivery(env, rs)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rs.Err()
}

// DeliveryWork is what the delivery worker needs to make one attempt.
type DeliveryWork struct {
	Delivery Delivery
	// URL is where it goes; Enabled is the subscription's state.
	URL     string
	Enabled bool
	// Secrets are the subscription's signing secrets, newest first, expired ones included.
	Secrets []Secret
	// Body is the exact bytes to send.
	Body []byte
}

// DeliveryWork reads a delivery of env with its subscription and body. A delivery deleted with
// its subscription is kyc.ErrNotFound; one whose body is under the data key of an applicant who
// was erased (the key destroyed) is an error wrapping store.ErrDataKeyDestroyed, and no body.
func (r *Repository) DeliveryWork(ctx context.Context, env kyc.Env, id string) (DeliveryWork, error) {
	var w DeliveryWork
	var body, secrets []byte
	var webhookStatus string
	q := `SELECT d.` + strings.Join(deliveryFields, ", d.") + `, d.applicant_id, ` + store.ApplicantKeyColumn("d") + `, d.body, w.url, w.status, w.secrets
		FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE d.env = ? AND d.id = ?`
	d, o, err := r.scanDelivery(env, r.st.QueryRow(ctx, q, string(env), id), &body, &w.URL, &webhookStatus, &secrets)
	if err != nil {
		return w, fmt.Errorf("webhook delivery %s: %w", id, err)
	}
	w.Delivery, w.Enabled = d, webhookStatus == "enabled"
	if len(body) == 0 {
		return w, nil // erased with its applicant (EraseApplicant), and failed then
	}
	if w.Body, err = r.st.OpenFor(o.key, env, o.applicantID, body, bodyAAD(d.EventID)); err != nil {
		return w, fmt.Errorf("open webhook body %s: %w", d.ID, err)
	}
	w.Secrets, err = r.openSecrets(secrets, d.WebhookID)
	return w, err
}

// Attempt is what happened at one attempt at a delivery.
type Attempt struct {
	At       time.Time
	Duration time.Duration
	// StatusCode is the answer's HTTP status, 0 when there was no answer.
	StatusCode int
	// Error says why the attempt failed, without personal data; empty on success.
	Error string
	// ResponseBody is the start of the answer's body; the log keeps its first MaxResponseBody bytes.
	ResponseBody []byte
}

// MaxResponseBody is how much of a receiver's answer a delivery keeps.
const MaxResponseBody = 1024

// Finished is what FinishAttempt wrote.
type Finished struct {
	// Recorded says the attempt was written: its delivery was still pending. A delivery finished
	// meanwhile (its subscription disabled or deleted, or another run of its job) is left alone.
	Recorded bool
	// Decision is what was made of the attempt, when it was recorded.
	Decision Decision
	// Disabled says the attempt disabled the subscription.
	Disabled bool
}

// errLockSubscription ends a FinishAttempt transaction that found, once the delivery was locked,
// that its decision writes the subscription it did not lock: the attempt is recorded again with
// the subscription locked first.
var errLockSubscription = errors.New("the attempt writes its subscription")

// deadlockRetries bounds how many times a write of this package runs its transaction again after
// PostgreSQL ended a deadlock with it (see FinishAttempt for which writes can meet).
const deadlockRetries = 3

// FinishAttempt records attempt a at env's delivery id, and what decide makes of it given the
// subscription as it is when the attempt is written. decide may be called more than once; the
// decision of the call that was written is in Finished.
//
// Most attempts lock only their delivery's row, so attempts at one subscription's deliveries are
// recorded side by side. An attempt whose decision writes the subscription (its failing time
// starts or ends, or it is disabled) locks the subscription's row first and then the delivery's,
// and decides again on the locked subscription; the fan-out takes neither lock in the other order
// (it locks the newest delivery of a chain and inserts under the subscription's key, which a row
// lock for update without key does not block). Before either, it holds the row of the event's
// applicant, as every write of an applicant's data does (the answer is sealed under its key): an
// erasure locks the applicant first and its deliveries next. A disabling or a deletion, which
// lock every unfinished delivery of the subscription, can still meet an attempt that holds one and
// waits for the next of its chain: PostgreSQL ends one with a deadlock, and it runs again.
func (r *Repository) FinishAttempt(ctx context.Context, env kyc.Env, id string, a Attempt, decide func(w Webhook) Decision) (Finished, error) {
	var fin Finished
	err := store.RetryDeadlock(deadlockRetries, func() error {
		var err error
		fin, err = r.finishAttempt(ctx, env, id, a, decide, false)
		if errors.Is(err, errLockSubscription) {
			fin, err = r.finishAttempt(ctx, env, id, a, decide, true)
		}
		return err
	})
	return fin, err
}

// writesSubscription says whether decision d about an attempt at a delivery of w writes w: it
// disables it, or starts or ends its failing time.
func writesSubscription(w Webhook, d Decision) bool {
	return (d.Disable != "" && w.Enabled) || d.Failing != (w.FailingSince != nil)
}

// finishAttempt is one run of FinishAttempt's transaction; lockSubscription locks the
// subscription's row before the delivery's.
func (r *Repository) finishAttempt(ctx context.Context, env kyc.Env, id string, a Attempt, decide func(w Webhook) Decision, lockSubscription bool) (Finished, error) {
	at := a.At.UTC().Truncate(time.Microsecond)
	var fin Finished
	err := r.st.Record(ctx, env, func(tx *store.Tx) (store.Effects, error) {
		var none store.Effects
		fin = Finished{}
		if err := tx.HoldApplicantOf(ctx, "webhook_deliveries", id); err != nil {
			return none, err
		}
		var webhookID string
		err := tx.QueryRow(ctx, `SELECT webhook_id FROM webhook_deliveries WHERE env = ? AND id = ?`, string(env), id).Scan(&webhookID)
		if errors.Is(err, store.ErrNoRows) {
			return none, nil
		}
		if err != nil {
			return none, fmt.Errorf("finish webhook delivery: %w", err)
		}
		var w Webhook
		if lockSubscription {
			if w, err = r.lock(ctx, tx, webhookID); errors.Is(err, kyc.ErrNotFound) {
				return none, nil
			} else if err != nil {
				return none, err
			}
		}
		var status, resourceID string
		var applicant *string
		var seq int64
		err = tx.QueryRow(ctx, `SELECT status, resource_id, seq, applicant_id FROM webhook_deliveries WHERE id = ?`+tx.ForUpdate(), id).
			Scan(&status, &resourceID, &seq, &applicant)
		if errors.Is(err, store.ErrNoRows) {
			return none, nil // deleted with its subscription meanwhile
		}
		if err != nil {
			return none, fmt.Errorf("finish webhook delivery: %w", err)
		}
		if status != DeliveryPending {
			return none, nil
		}
		if !lockSubscription {
			// Read after the delivery is locked: a disabling that failed it has committed, or
			// waits for this transaction.
			if w, err = r.scanFound(webhookID, tx.QueryRow(ctx, `SELECT `+columns+` FROM webhooks WHERE env = ? AND id = ?`, string(env), webhookID)); errors.Is(err, kyc.ErrNotFound) {
				return none, nil
			} else if err != nil {
				return none, err
			}
		}
		d := decide(w)
		writes := writesSubscription(w, d)
		if writes && !lockSubscription {
			return none, errLockSubscription
		}
		var eff store.Effects
		if d.Disable != "" && w.Enabled {
			if eff, err = disable(ctx, tx, &w, d.Disable, d.DisableEffects, at); err != nil {
				return none, err
			}
			fin.Disabled = true
		}
		if err := r.recordAttempt(ctx, tx, id, deref(applicant), a, d, at); err != nil {
			return none, err
		}
		fin.Recorded, fin.Decision = true, d
		switch {
		case fin.Disabled:
			return eff, failUnfinished(ctx, tx, w.ID, "the webhook was disabled: "+d.Disable, at)
		case d.WakeNext:
			if err := wakeNext(ctx, tx, w.ID, resourceID, seq); err != nil {
				return none, err
			}
		}
		switch {
		case !writes:
		case d.Failing:
			_, err = tx.Exec(ctx, `UPDATE webhooks SET failing_since = ? WHERE id = ? AND failing_since IS NULL`, store.Micros(at), w.ID)
		default:
			_, err = tx.Exec(ctx, `UPDATE webhooks SET failing_since = NULL WHERE id = ? AND failing_since IS NOT NULL`, w.ID)
		}
		return none, err
	})
	if err != nil {
		return Finished{}, err
	}
	return fin, nil
}

// Abandon fails env's pending delivery id without an attempt, with reason as its last error, and
// makes the next delivery of its chain pending: for a delivery whose body cannot be read (its
// applicant was erased), so nothing is sent. The subscription's failing time is left as it is,
// since its receiver did nothing. A delivery that is gone or no longer pending is left alone, and
// abandoned is false: only the call that failed it says true.
func (r *Repository) Abandon(ctx context.Context, env kyc.Env, id, reason string) (abandoned bool, err error) {
	at := store.Now()
	err = r.st.Record(ctx, env, func(tx *store.Tx) (store.Effects, error) {
		var none store.Effects
		abandoned = false
		if err := tx.HoldApplicantOf(ctx, "webhook_deliveries", id); err != nil {
			return none, err
		}
		var webhookID string
		err := tx.QueryRow(ctx, `SELECT webhook_id FROM webhook_deliveries WHERE env = ? AND id = ?`, string(env), id).Scan(&webhookID)
		if errors.Is(err, store.ErrNoRows) {
			return none, nil
		}
		if err != nil {
			return none, err
		}
		// The delivery is locked as FinishAttempt locks it, so that the fan-out sees the chain
		// before or after, and a disabling fails it before or after.
		var status, resourceID string
		var seq int64
		err = tx.QueryRow(ctx, `SELECT status, resource_id, seq FROM webhook_deliveries WHERE id = ?`+tx.ForUpdate(), id).Scan(&status, &resourceID, &seq)
		if errors.Is(err, store.ErrNoRows) {
			return none, nil
		}
		if err != nil {
			return none, err
		}
		if status != DeliveryPending {
			return none, nil
		}
		if _, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET status = ?, last_error = ?, next_attempt_at = NULL, completed_at = ? WHERE id = ?`,
			DeliveryFailed, reason, store.Micros(at), id); err != nil {
			return none, err
		}
		abandoned = true
		return none, wakeNext(ctx, tx, webhookID, resourceID, seq)
	})
	if err != nil {
		return false, fmt.Errorf("abandon webhook delivery %s: %w", id, err)
	}
	return abandoned, nil
}

// recordAttempt writes attempt a at delivery id, whose event belongs to applicantID ("": none):
// the receiver's answer is sealed under that applicant's data key.
func (r *Repository) recordAttempt(ctx context.Context, tx *store.Tx, id, applicantID string, a Attempt, d Decision, at time.Time) error {
	status, next, completed := d.Status, &d.NextAttempt, (*time.Time)(nil)
	if status != DeliveryPending {
		next, completed = nil, &at
	}
	var response []byte
	if len(a.ResponseBody) > 0 {
		b := a.ResponseBody[:min(len(a.ResponseBody), MaxResponseBody)]
		var err error
		if response, err = tx.SealFor(ctx, applicantID, b, responseAAD(id)); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, last_status_code = ?, last_error = ?,
		last_response = ?, last_duration_us = ?, last_attempt_at = ?, next_attempt_at = ?, completed_at = ? WHERE id = ?`,
		status, a.StatusCode, a.Error, response, a.Duration.Microseconds(), store.Micros(at), microsOrNil(next), microsOrNil(completed), id); err != nil {
		return fmt.Errorf("record webhook attempt: %w", err)
	}
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func microsOrNil(t *time.Time) *int64 {
	if t == nil || t.IsZero() {
		return nil
	}
	us := store.Micros(*t)
	return &us
}

// wakeNext makes the delivery after seq in its chain pending and queues its job.
func wakeNext(ctx context.Context, tx *store.Tx, webhookID, resourceID string, seq int64) error {
	var next, status string
	err := tx.QueryRow(ctx, `SELECT id, status FROM webhook_deliveries WHERE webhook_id = ? AND resource_id = ? AND seq > ? ORDER BY seq LIMIT 1`,
		webhookID, resourceID, seq).Scan(&next, &status)
	if errors.Is(err, store.ErrNoRows) || (err == nil && status != DeliveryWaiting) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("next webhook delivery: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET status = ? WHERE id = ?`, DeliveryPending, next); err != nil {
		return fmt.Errorf("wake webhook delivery: %w", err)
	}
	return tx.InsertJobs(ctx, []river.InsertManyParams{deliveryJob(tx.Env(), next)})
}

// disable disables w (locked by the caller) for reason and returns eff, whose events without
// Data get the subscription as it is after the change; the change's other subscriptions that
// want them receive them.
func disable(ctx context.Context, tx *store.Tx, w *Webhook, reason string, eff store.Effects, at time.Time) (store.Effects, error) {
	w.Enabled, w.DisabledReason = false, reason
	w.Revision++
	w.UpdatedTime = at
	if err := write(ctx, tx, w); err != nil {
		return store.Effects{}, err
	}
	completeEvents(&eff, *w)
	return eff, nil
}

// failUnfinished fails every waiting or pending delivery of a subscription: a disabled
// subscription's chains do not wait for it. Their queued jobs find them finished and end.
func failUnfinished(ctx context.Context, tx *store.Tx, webhookID, reason string, at time.Time) error {
	if err := lockUnfinished(ctx, tx, webhookID); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET status = ?, last_error = ?, next_attempt_at = NULL, completed_at = ?
		WHERE webhook_id = ? AND status IN (?, ?)`, DeliveryFailed, reason, store.Micros(at), webhookID, DeliveryWaiting, DeliveryPending); err != nil {
		return fmt.Errorf("fail webhook deliveries: %w", err)
	}
	return nil
}

// lockUnfinished locks a subscription's waiting and pending deliveries in chain order (resource,
// then position), the order in which an attempt holds one of them and then the next one, so that
// a disabling or deletion waits for such an attempt instead of deadlocking with it. Nothing on
// SQLite, whose writes are serial.
func lockUnfinished(ctx context.Context, tx *store.Tx, webhookID string) error {
	if tx.ForUpdate() == "" {
		return nil
	}
	rs, err := tx.Query(ctx, `SELECT id FROM webhook_deliveries WHERE webhook_id = ? AND status IN (?, ?) ORDER BY resource_id, seq`+tx.ForUpdate(),
		webhookID, DeliveryWaiting, DeliveryPending)
	if err != nil {
		return fmt.Errorf("lock webhook deliveries: %w", err)
	}
	rs.Close()
	return rs.Err()
}

// PendingDeliveries answers how many of env's deliveries are pending (queued or between attempts)
// and when the oldest of them was created (zero when none), for /metrics. It reads the partial
// index webhook_deliveries_pending (migration 00036), whose size is the backlog's, not the log's.
func (r *Repository) PendingDeliveries(ctx context.Context, env kyc.Env) (int, time.Time, error) {
	var n int
	var oldest *int64
	if err := r.st.QueryRow(ctx, `SELECT COUNT(*), MIN(created_at) FROM webhook_deliveries WHERE env = ? AND status = 'pending'`, string(env)).Scan(&n, &oldest); err != nil {
		return 0, time.Time{}, fmt.Errorf("pending webhook deliveries: %w", err)
	}
	if oldest == nil {
		return n, time.Time{}, nil
	}
	return n, store.FromMicros(*oldest), nil
}

// ForgetDeliveries deletes the deliveries, of every environment, that finished (succeeded or
// finally failed) before the given time, and answers how many. Unfinished ones are kept whatever
// their age; a chain whose finished rows are gone simply starts again from its next delivery.
func (r *Repository) ForgetDeliveries(ctx context.Context, finishedBefore time.Time) (int64, error) {
	var n int64
	err := r.st.Record(ctx, "", func(tx *store.Tx) (store.Effects, error) {
		var err error
		n, err = tx.Exec(ctx, `DELETE FROM webhook_deliveries WHERE status IN ('succeeded', 'failed') AND completed_at < ?`, store.Micros(finishedBefore))
		return store.Effects{}, err
	})
	if err != nil {
		return 0, fmt.Errorf("forget webhook deliveries: %w", err)
	}
	return n, nil
}
