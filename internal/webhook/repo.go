package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/store"
)

// The subscriptions' rows (table webhooks), written over the store's core: every change runs in
// store.Change, so it commits with its audit entry, its events (and their deliveries) and its
// jobs, or not at all. The delivery log is in deliveries.go, who receives what in fanout.go.
//
// Locks are taken in this order, so transactions cannot deadlock one another: the webhook row
// first (every change of a subscription, and every attempt at one of its deliveries, reads it
// with Tx.ForUpdate), then delivery rows; a change's audit entry and events are written last.

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
	Secrets []Secret `json:"-"`
}

// Secret is one signing secret, "whsec_" and base64. Expires is set on the secrets a rotation
// replaced: they keep signing until then. Its JSON is how the secrets are stored (sealed).
type Secret struct {
	Secret  string     `json:"secret"`
	Created time.Time  `json:"created"`
	Expires *time.Time `json:"expires,omitempty"`
}

// Repository keeps subscriptions and their deliveries in the store's database.
type Repository struct{ st *store.Store }

// NewRepository returns the repository of subscriptions and deliveries on st.
func NewRepository(st *store.Store) *Repository { return &Repository{st: st} }

const columns = `id, env, url, description, event_types, status, disabled_reason, secrets, failing_since, revision, created_at, updated_at`

// secretsAAD binds a subscription's sealed secrets to its row.
func secretsAAD(id string) string { return "webhook:" + id }

// Create stores a new subscription with its effects; it sets the times and revision 0.
func (r *Repository) Create(ctx context.Context, w *Webhook, eff store.Effects) error {
	at := store.Now()
	w.CreatedTime, w.UpdatedTime, w.Revision = at, at, 0
	return r.st.Change(ctx, w.Env, func(tx *store.Tx) (store.Effects, error) {
		return eff, insert(ctx, tx, w)
	})
}

// CreateWithin stores a new subscription as Create does, unless its environment already has max
// subscriptions (enabled or not): then it stores nothing and answers an error wrapping
// kyc.ErrConflict (409). The count and the insert are one transaction, serialised per
// environment on PostgreSQL, so concurrent creations cannot pass the limit together.
func (r *Repository) CreateWithin(ctx context.Context, w *Webhook, eff store.Effects, max int) error {
	at := store.Now()
	w.CreatedTime, w.UpdatedTime, w.Revision = at, at, 0
	return r.st.Change(ctx, w.Env, func(tx *store.Tx) (store.Effects, error) {
		if err := tx.Serialize(ctx, "webhooks:"+string(w.Env)); err != nil {
			return eff, err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM webhooks WHERE env = ?`, string(w.Env)).Scan(&n); err != nil {
			return eff, fmt.Errorf("count webhooks: %w", err)
		}
		if n >= max {
			return eff, fmt.Errorf("this environment has %d webhooks, the most allowed (KYCD_WEBHOOK_MAX_PER_ENV); delete one, or subscribe one URL to more event types: %w",
				n, kyc.ErrConflict)
		}
		return eff, insert(ctx, tx, w)
	})
}

func insert(ctx context.Context, tx *store.Tx, w *Webhook) error {
	cols, err := values(tx, w)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO webhooks (`+columns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, cols...); err != nil {
		return fmt.Errorf("create webhook: %w", err)
	}
	return nil
}

// values is w as the values of columns, its secrets sealed.
func values(tx *store.Tx, w *Webhook) ([]any, error) {
	if w.Events == nil {
		w.Events = []string{}
	}
	events, err := json.Marshal(w.Events)
	if err != nil {
		return nil, fmt.Errorf("webhook: %w", err)
	}
	plain, err := json.Marshal(w.Secrets)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	secrets, err := tx.Seal(plain, secretsAAD(w.ID))
	if err != nil {
		return nil, err
	}
	status := "disabled"
	if w.Enabled {
		status = "enabled"
	}
	var failing *int64
	if w.FailingSince != nil {
		us := store.Micros(*w.FailingSince)
		failing = &us
	}
	return []any{w.ID, string(w.Env), w.URL, w.Description, string(events), status, w.DisabledReason, secrets, failing,
		w.Revision, store.Micros(w.CreatedTime), store.Micros(w.UpdatedTime)}, nil
}

// write stores w over its row.
func write(ctx context.Context, tx *store.Tx, w *Webhook) error {
	cols, err := values(tx, w)
	if err != nil {
		return err
	}
	// cols[2:] are url .. updated_at; cols[0:2] id and env go last, in the WHERE.
	args := append(append([]any{}, cols[2:]...), cols[1], cols[0])
	if _, err := tx.Exec(ctx, `UPDATE webhooks SET url = ?, description = ?, event_types = ?, status = ?, disabled_reason = ?, secrets = ?,
		failing_since = ?, revision = ?, created_at = ?, updated_at = ? WHERE env = ? AND id = ?`, args...); err != nil {
		return fmt.Errorf("update webhook: %w", err)
	}
	return nil
}

// Get returns one subscription of env, with its secrets.
func (r *Repository) Get(ctx context.Context, env kyc.Env, id string) (Webhook, error) {
	return r.scanFound(id, r.st.QueryRow(ctx, `SELECT `+columns+` FROM webhooks WHERE env = ? AND id = ?`, string(env), id))
}

// lock reads a subscription of the change's environment and locks its row until the change ends.
func (r *Repository) lock(ctx context.Context, tx *store.Tx, id string) (Webhook, error) {
	return r.scanFound(id, tx.QueryRow(ctx, `SELECT `+columns+` FROM webhooks WHERE env = ? AND id = ?`+tx.ForUpdate(), string(tx.Env()), id))
}

// scanFound scans subscription id, missing as kyc.ErrNotFound.
func (r *Repository) scanFound(id string, row store.Row) (Webhook, error) {
	w, err := r.scan(row)
	if errors.Is(err, store.ErrNoRows) {
		return Webhook{}, fmt.Errorf("webhook %s: %w", id, kyc.ErrNotFound)
	}
	return w, err
}

func (r *Repository) scan(row store.Row) (Webhook, error) {
	var w Webhook
	var env, events, status string
	var secrets []byte
	var failing *int64
	var created, updated int64
	if err := row.Scan(&w.ID, &env, &w.URL, &w.Description, &events, &status, &w.DisabledReason, &secrets, &failing,
		&w.Revision, &created, &updated); err != nil {
		if errors.Is(err, store.ErrNoRows) {
			return w, err
		}
		return w, fmt.Errorf("scan webhook: %w", err)
	}
	if err := json.Unmarshal([]byte(events), &w.Events); err != nil {
		return w, fmt.Errorf("webhook %s events: %w", w.ID, err)
	}
	var err error
	if w.Secrets, err = r.openSecrets(secrets, w.ID); err != nil {
		return w, err
	}
	if failing != nil {
		t := store.FromMicros(*failing)
		w.FailingSince = &t
	}
	w.Env, w.Enabled, w.CreatedTime, w.UpdatedTime = kyc.Env(env), status == "enabled", store.FromMicros(created), store.FromMicros(updated)
	return w, nil
}

// openSecrets opens the sealed secrets of subscription id.
func (r *Repository) openSecrets(sealed []byte, id string) ([]Secret, error) {
	plain, err := r.st.Open(sealed, secretsAAD(id))
	if err != nil {
		return nil, fmt.Errorf("open sealed %s: %w", secretsAAD(id), err)
	}
	var secrets []Secret
	err = json.Unmarshal(plain, &secrets)
	return secrets, err
}

// List returns one page of env's subscriptions, newest first.
func (r *Repository) List(ctx context.Context, env kyc.Env, cursor string, limit int) (kyc.Page[Webhook], error) {
	return store.ListPage(ctx, r.st, "webhooks", `SELECT `+columns+` FROM webhooks`, store.NewWhere(env), false, cursor, limit, r.scan,
		func(w Webhook) string { return w.ID })
}

// Update reads a subscription under a write lock, lets mutate change it and name the effects,
// and writes it back with revision + 1. Disabling it fails its unfinished deliveries: a disabled
// subscription's chains do not wait for it to come back (failUnfinished). The transaction runs
// again after a deadlock, so mutate may be called more than once, each time on the row as read.
func (r *Repository) Update(ctx context.Context, env kyc.Env, id string, mutate func(w *Webhook) (store.Effects, error)) (Webhook, error) {
	var out Webhook
	err := store.RetryDeadlock(deadlockRetries, func() error {
		return r.update(ctx, env, id, mutate, &out)
	})
	return out, err
}

// update is one run of Update's transaction.
func (r *Repository) update(ctx context.Context, env kyc.Env, id string, mutate func(w *Webhook) (store.Effects, error), out *Webhook) error {
	return r.st.Change(ctx, env, func(tx *store.Tx) (store.Effects, error) {
		w, err := r.lock(ctx, tx, id)
		if err != nil {
			return store.Effects{}, err
		}
		wasEnabled := w.Enabled
		eff, err := mutate(&w)
		if err != nil {
			return eff, err
		}
		at := store.Now()
		w.Revision++
		w.UpdatedTime = at
		if err := write(ctx, tx, &w); err != nil {
			return eff, err
		}
		if wasEnabled && !w.Enabled {
			if err := failUnfinished(ctx, tx, w.ID, "the webhook was disabled", at); err != nil {
				return eff, err
			}
		}
		*out = w
		return eff, nil
	})
}

// Delete removes a subscription and its delivery log. Jobs still queued for its deliveries find
// nothing to send and end.
func (r *Repository) Delete(ctx context.Context, env kyc.Env, id string, eff store.Effects) error {
	return store.RetryDeadlock(deadlockRetries, func() error {
		return r.st.Change(ctx, env, func(tx *store.Tx) (store.Effects, error) {
			if _, err := r.lock(ctx, tx, id); err != nil {
				return eff, err
			}
			if err := lockUnfinished(ctx, tx, id); err != nil {
				return eff, err
			}
			if _, err := tx.Exec(ctx, `DELETE FROM webhook_deliveries WHERE webhook_id = ?`, id); err != nil {
				return eff, fmt.Errorf("delete webhook deliveries: %w", err)
			}
			if _, err := tx.Exec(ctx, `DELETE FROM webhooks WHERE env = ? AND id = ?`, string(env), id); err != nil {
				return eff, fmt.Errorf("delete webhook: %w", err)
			}
			return eff, nil
		})
	})
}

// completeEvents gives the events of eff written without Data the subscription as it is after
// the change, at its revision.
func completeEvents(eff *store.Effects, w Webhook) {
	for i := range eff.Events {
		if eff.Events[i].Data == nil {
			eff.Events[i].Data = w
			eff.Events[i].Revision = w.Revision
		}
	}
}
