package store

import (
	"context"
	"fmt"
	"strings"

	"kycd/internal/kyc"
)

// fanOutChunk is the most deliveries one INSERT writes: 3 parameters each, far under SQLite's
// and PostgreSQL's limits.
const fanOutChunk = 1000

// deliver inserts one delivery of ev per subscription in webhookIDs, each at the end of its chain:
// pending with a job when the chain has nothing unfinished, waiting otherwise. It costs two
// statements per event whatever the number of subscriptions: one reads (and locks) the newest
// delivery of every chain about the resource, one inserts every delivery with the sealed body
// sent once. The chains' newest rows are locked, so a delivery that finishes at the same moment
// either sees the new one (and wakes it) or is seen finished here.
func (f *fanOut) deliver(ctx context.Context, t *txn, webhookIDs []string, ev eventRecord, body []byte) error {
	busy, err := f.busyChains(ctx, t, webhookIDs, ev.ResourceID)
	if err != nil {
		return err
	}
	at := ev.QueuedAt
	if at.IsZero() {
		at = ev.At
	}
	for start := 0; start < len(webhookIDs); start += fanOutChunk {
		chunk := webhookIDs[start:min(start+fanOutChunk, len(webhookIDs))]
		rows := make([]string, len(chunk))
		args := []any{string(f.env), ev.ID, ev.Type, ev.ResourceID, ev.Revision, body, micros(at)}
		for i, w := range chunk {
			id, status := kyc.NewID(deliveryPrefix), DeliveryPending
			if busy[w] {
				status = DeliveryWaiting
			} else {
				f.jobs = append(f.jobs, f.s.webhookRules.DeliveryJob(f.env, id))
			}
			f.created = append(f.created, id)
			rows[i] = "(?, ?, ?)"
			args = append(args, id, w, status)
		}
		if _, err := t.exec(ctx, `INSERT INTO webhook_deliveries (id, env, webhook_id, event_id, event_type, resource_id, revision, status, body,
			attempts, last_status_code, last_error, last_duration_us, created_at)
			SELECT v.column1, ?, v.column2, ?, ?, ?, `+f.s.param("BIGINT")+`, v.column3, `+f.s.param("BYTEA")+`, 0, 0, '', 0, `+f.s.param("BIGINT")+`
			FROM (VALUES `+strings.Join(rows, ", ")+`) AS v`, args...); err != nil {
			return fmt.Errorf("insert webhook deliveries: %w", err)
		}
	}
	return nil
}

// busyChains reads, and locks, the newest delivery of each chain of webhookIDs about the resource,
// and returns the subscriptions whose chain has one unfinished (waiting or pending).
func (f *fanOut) busyChains(ctx context.Context, t *txn, webhookIDs []string, resourceID string) (map[string]bool, error) {
	busy := map[string]bool{}
	for start := 0; start < len(webhookIDs); start += fanOutChunk {
		chunk := webhookIDs[start:min(start+fanOutChunk, len(webhookIDs))]
		args := []any{resourceID}
		for _, w := range chunk {
			args = append(args, w)
		}
		rs, err := t.query(ctx, `SELECT d.webhook_id, d.status FROM webhook_deliveries d
			WHERE d.resource_id = ? AND d.webhook_id IN (?`+strings.Repeat(", ?", len(chunk)-1)+`)
			AND d.seq = (SELECT max(m.seq) FROM webhook_deliveries m WHERE m.webhook_id = d.webhook_id AND m.resource_id = d.resource_id)`+
			f.s.forUpdate(), args...)
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

// param is a placeholder whose type PostgreSQL cannot infer (in a SELECT list) cast to typ;
// SQLite needs no cast.
func (s *Store) param(typ string) string {
	if s.dialect == Postgres {
		return "CAST(? AS " + typ + ")"
	}
	return "?"
}

// CreateWebhookWithin stores a new subscription as CreateWebhook does, unless its environment
// already has max subscriptions (enabled or not): then it stores nothing and answers an error
// wrapping kyc.ErrConflict (409). The count and the insert are one transaction, serialised per
// environment on PostgreSQL, so concurrent creations cannot pass the limit together.
func (s *Store) CreateWebhookWithin(ctx context.Context, w *Webhook, eff Effects, max int) error {
	at := now()
	w.CreatedTime, w.UpdatedTime, w.Revision = at, at, 0
	return s.inTx(ctx, func(t *txn) error {
		if s.dialect == Postgres {
			if _, err := t.exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended(?, 0))`, "kycd:webhooks:"+string(w.Env)); err != nil {
				return fmt.Errorf("lock webhooks of %s: %w", w.Env, err)
			}
		}
		var n int
		if err := t.queryRow(ctx, `SELECT count(*) FROM webhooks WHERE env = ?`, string(w.Env)).Scan(&n); err != nil {
			return fmt.Errorf("count webhooks: %w", err)
		}
		if n >= max {
			return fmt.Errorf("this environment has %d webhooks, the most allowed (KYCD_WEBHOOK_MAX_PER_ENV); delete one, or subscribe one URL to more event types: %w",
				n, kyc.ErrConflict)
		}
		if err := s.insertWebhook(ctx, t, w); err != nil {
			return err
		}
		return s.applyEffects(ctx, t, w.Env, eff, at)
	})
}
