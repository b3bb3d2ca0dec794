package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"kycd/internal/kyc"
	"kycd/internal/store"
)

// The fan-out: every change's events become deliveries, in the change's transaction, so an event
// is never lost and never sent for a change that rolled back.

// Deliveries is the store.EventSink that makes, inside every change's transaction, one delivery
// of each event written to every enabled subscription of the environment that wants it (wants),
// at the end of its chain, with its River job when it is the chain's next to go. The composition
// root gives it to the store (store.JobsConfig.Events); without it events make no deliveries.
type Deliveries struct{}

var _ store.EventSink = Deliveries{}

// EventsWritten makes the deliveries of the change's events.
func (Deliveries) EventsWritten(ctx context.Context, tx *store.Tx, events []kyc.Event) error {
	f := newFanOut(tx)
	for _, ev := range events {
		if err := f.event(ctx, ev, ev.CreatedTime); err != nil {
			return err
		}
	}
	if err := f.flush(ctx); err != nil {
		return err
	}
	if made, ok := ctx.Value(madeKey{}).(*[]Delivery); ok {
		*made = append(*made, f.created...)
	}
	return nil
}

// madeKey keys, in the context of a change, where Deliveries adds the deliveries it made: Ping
// returns the one its event made.
type madeKey struct{}

// target is an enabled subscription as the fan-out needs it.
type target struct {
	ID     string
	Events []string
}

// fanOut makes the deliveries of one transaction's events and inserts their jobs at flush.
type fanOut struct {
	tx      *store.Tx
	targets []target
	loaded  bool
	// explicit sends to targets whatever their event types.
	explicit bool
	jobs     []river.InsertManyParams
	created  []Delivery
}

func newFanOut(tx *store.Tx) *fanOut { return &fanOut{tx: tx} }

// only makes the fan-out send to subscription id alone, whatever its event types.
func (f *fanOut) only(id string) {
	f.targets, f.loaded, f.explicit = []target{{ID: id}}, true, true
}

// event queues a delivery of ev to each target that wants it, made at queuedAt. ev.Data is the
// resource snapshot as JSON. The body is sealed under the data key of ev's applicant (the master
// key's for an event of no applicant), and each delivery names that applicant.
func (f *fanOut) event(ctx context.Context, ev kyc.Event, queuedAt time.Time) error {
	if !f.loaded {
		if err := f.load(ctx); err != nil {
			return err
		}
	}
	if len(f.targets) == 0 {
		return nil
	}
	var ids []string
	for _, w := range f.targets {
		if f.explicit || wants(w.ID, w.Events, ev) {
			ids = append(ids, w.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	plain, err := body(ev)
	if err != nil {
		return fmt.Errorf("webhook body %s: %w", ev.ID, err)
	}
	sealed, err := f.tx.SealFor(ctx, ev.ApplicantID, plain, bodyAAD(ev.ID))
	if err != nil {
		return err
	}
	return f.deliver(ctx, ids, ev, sealed, queuedAt)
}

// load reads the environment's enabled subscriptions.
func (f *fanOut) load(ctx context.Context) error {
	f.loaded = true
	env := f.tx.Env()
	rs, err := f.tx.Query(ctx, `SELECT id, event_types FROM webhooks WHERE env = ? AND status = 'enabled' ORDER BY id`, string(env))
	if err != nil {
		return fmt.Errorf("webhooks of %s: %w", env, err)
	}
	defer rs.Close()
	for rs.Next() {
		var w target
		var events string
		if err := rs.Scan(&w.ID, &events); err != nil {
			return fmt.Errorf("webhooks of %s: %w", env, err)
		}
		if err := json.Unmarshal([]byte(events), &w.Events); err != nil {
			return fmt.Errorf("webhook %s events: %w", w.ID, err)
		}
		f.targets = append(f.targets, w)
	}
	return rs.Err()
}

// flush inserts the jobs of the pending deliveries.
func (f *fanOut) flush(ctx context.Context) error {
	return f.tx.InsertJobs(ctx, f.jobs)
}

// fanOutChunk is the most deliveries one INSERT writes: 3 parameters each, far under SQLite's
// and PostgreSQL's limits.
const fanOutChunk = 1000

// deliver inserts one delivery of ev per subscription in webhookIDs, each at the end of its chain:
// pending with a job when the chain has nothing unfinished, waiting otherwise. It costs two
// statements per event whatever the number of subscriptions: one reads (and locks) the newest
// delivery of every chain about the resource, one inserts every delivery with the sealed body
// sent once. The chains' newest rows are locked, so a delivery that finishes at the same moment
// either sees the new one (and wakes it) or is seen finished here.
func (f *fanOut) deliver(ctx context.Context, webhookIDs []string, ev kyc.Event, body []byte, at time.Time) error {
	busy, err := f.busyChains(ctx, webhookIDs, ev.ResourceID)
	if err != nil {
		return err
	}
	env := f.tx.Env()
	created := store.FromMicros(store.Micros(at))
	for start := 0; start < len(webhookIDs); start += fanOutChunk {
		chunk := webhookIDs[start:min(start+fanOutChunk, len(webhookIDs))]
		rows := make([]string, len(chunk))
		var applicant any // NULL for an event of no applicant
		if ev.ApplicantID != "" {
			applicant = ev.ApplicantID
		}
		args := []any{string(env), ev.ID, ev.Type, ev.ResourceID, ev.Revision, body, store.Micros(at), applicant}
		for i, w := range chunk {
			id, status := kyc.NewID(deliveryPrefix), DeliveryPending
			if busy[w] {
				status = DeliveryWaiting
			} else {
				f.jobs = append(f.jobs, deliveryJob(env, id))
			}
			f.created = append(f.created, Delivery{ID: id, WebhookID: w, EventID: ev.ID, EventType: ev.Type, ResourceID: ev.ResourceID,
				Revision: ev.Revision, Status: status, CreatedTime: created})
			rows[i] = "(?, ?, ?)"
			args = append(args, id, w, status)
		}
		if _, err := f.tx.Exec(ctx, `INSERT INTO webhook_deliveries (id, env, webhook_id, event_id, event_type, resource_id, revision, status, body,
			attempts, last_status_code, last_error, last_duration_us, created_at, applicant_id)
			SELECT v.column1, ?, v.column2, ?, ?, ?, `+f.tx.Param("BIGINT")+`, v.column3, `+f.tx.Param("BYTEA")+`, 0, 0, '', 0, `+f.tx.Param("BIGINT")+`, `+f.tx.Param("TEXT")+`
			FROM (VALUES `+strings.Join(rows, ", ")+`) AS v`, args...); err != nil {
			return fmt.Errorf("insert webhook deliveries: %w", err)
		}
	}
	return nil
}

// busyChains reads, and locks, the newest delivery of each chain of webhookIDs about the resource,
// and returns the subscriptions whose chain has one unfinished (waiting or pending).
func (f *fanOut) busyChains(ctx context.Context, webhookIDs []string, resourceID string) (map[string]bool, error) {
	busy := map[string]bool{}
	for start := 0; start < len(webhookIDs); start += fanOutChunk {
		chunk := webhookIDs[start:min(start+fanOutChunk, len(webhookIDs))]
		args := []any{resourceID}
		for _, w := range chunk {
			args = append(args, w)
		}
		rs, err := f.tx.Query(ctx, `SELECT d.webhook_id, d.status FROM webhook_deliveries d
			WHERE d.resource_id = ? AND d.webhook_id IN (?`+strings.Repeat(", ?", len(chunk)-1)+`)
			AND d.seq = (SELECT max(m.seq) FROM webhook_deliveries m WHERE m.webhook_id = d.webhook_id AND m.resource_id = d.resource_id)`+
			f.tx.ForUpdate(), args...)
		if err != nil {
			return nil, fmt.Errorf("webhook delivery chains: %w", err)
		}
		for rs.Next() {
			var w, status string
			if err := rs.Scan(&w, &status); err != nil {
				rs.Close()
				return nil, fmt.Errorf("webhook delivery chains: %w", err)
			}
			busy[w] = status == DeliveryWaiting || status == DeliveryPending
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return nil, fmt.Errorf("webhook delivery chains: %w", err)
		}
	}
	return busy, nil
}

// Ping writes eff about an enabled subscription, and returns the delivery to that subscription of
// eff's one event (a ping, which wants sends to that subscription alone). Events without Data get
// the subscription as it is. A disabled subscription cannot be pinged: kyc.ErrConflict.
func (r *Repository) Ping(ctx context.Context, env kyc.Env, id string, eff store.Effects) (Delivery, error) {
	if len(eff.Events) != 1 {
		return Delivery{}, fmt.Errorf("webhook: a ping is one event, not %d", len(eff.Events))
	}
	var made []Delivery
	err := r.st.Change(context.WithValue(ctx, madeKey{}, &made), env, func(tx *store.Tx) (store.Effects, error) {
		w, err := r.lock(ctx, tx, id)
		if err != nil {
			return eff, err
		}
		if !w.Enabled {
			return eff, fmt.Errorf("the webhook is disabled; enable it before testing it: %w", kyc.ErrConflict)
		}
		completeEvents(&eff, w)
		return eff, nil
	})
	if err != nil {
		return Delivery{}, err
	}
	for _, d := range made {
		if d.WebhookID == id && d.EventType == eff.Events[0].Type {
			return d, nil
		}
	}
	return Delivery{}, fmt.Errorf("webhook %s: the ping made no delivery: %w", id, kyc.ErrNotFound)
}

// Redeliver queues env's event eventID again: to the subscription webhookID when it is set (a
// disabled subscription cannot be redelivered to: kyc.ErrConflict), else to every enabled
// subscription that wants the event. The body is the event's, byte for byte; the delivery joins
// the end of its chain, so it goes out after anything still pending about the same resource. An
// event whose data is gone (its applicant erased, or its payload's retention passed) cannot be:
// kyc.ErrConflict.
func (r *Repository) Redeliver(ctx context.Context, env kyc.Env, eventID, webhookID string, eff store.Effects) ([]Delivery, error) {
	var out []Delivery
	err := r.st.Change(ctx, env, func(tx *store.Tx) (store.Effects, error) {
		ev, err := r.st.Event(ctx, env, eventID)
		if err != nil {
			return eff, err
		}
		if ev.DataErased {
			return eff, fmt.Errorf("event %s: its data is gone (its applicant was erased, or its retention passed), so it cannot be sent again: %w", eventID, kyc.ErrConflict)
		}
		f := newFanOut(tx)
		if webhookID != "" {
			w, err := r.lock(ctx, tx, webhookID)
			if err != nil {
				return eff, err
			}
			if !w.Enabled {
				return eff, fmt.Errorf("the webhook is disabled; enable it before redelivering to it: %w", kyc.ErrConflict)
			}
			f.only(w.ID)
		}
		if err := f.event(ctx, ev, store.Now()); err != nil {
			return eff, err
		}
		if err := f.flush(ctx); err != nil {
			return eff, err
		}
		out = f.created
		return eff, nil
	})
	return out, err
}
