package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/store"
)

// Events is what the webhook service needs of the event log, which the store keeps.
type Events interface {
	Event(ctx context.Context, env kyc.Env, id string) (kyc.Event, error)
	ListEvents(ctx context.Context, env kyc.Env, f store.EventFilter, cursor string, limit int) (kyc.Page[kyc.Event], error)
}

var _ Events = (*store.Store)(nil)

// Limits of a subscription.
const (
	// DefaultRotationGrace is how long a replaced secret keeps signing after a rotation.
	DefaultRotationGrace = 24 * time.Hour
	// MaxRotationGrace bounds the grace a caller may ask for.
	MaxRotationGrace = 7 * 24 * time.Hour
	// maxSecrets bounds the secrets signing at once (the new one and those in their grace period).
	maxSecrets = 5
)

// Input is a new subscription.
type Input struct {
	URL         string
	Events      []string
	Description string
}

// Patch changes a subscription; nil fields are kept.
type Patch struct {
	URL         *string
	Events      *[]string
	Description *string
	Enabled     *bool
}

// Service manages subscriptions, their delivery log, and the events they deliver.
type Service struct {
	repo     *Repository
	events   Events
	cfg      Config
	resolver resolver
}

// NewService returns a service on st (its subscriptions through a Repository, its events) with
// cfg (its zero fields mean their defaults).
func NewService(st *store.Store, cfg Config) *Service {
	return &Service{repo: NewRepository(st), events: st, cfg: cfg.WithDefaults(), resolver: net.DefaultResolver}
}

// Create validates in and stores a new, enabled subscription of env. It returns the subscription
// and its signing secret, which is never shown again.
func (s *Service) Create(ctx context.Context, actor kyc.Actor, env kyc.Env, in Input) (Webhook, string, error) {
	events, err := s.validate(ctx, env, in.URL, true, in.Events, in.Description)
	if err != nil {
		return Webhook{}, "", err
	}
	secret := NewSecret()
	w := Webhook{ID: kyc.NewID(kyc.PrefixWebhook), Env: env, URL: in.URL, Description: in.Description, Events: events, Enabled: true,
		Secrets: []Secret{{Secret: secret, Created: time.Now().UTC()}}}
	if err := s.repo.CreateWithin(ctx, &w, store.Effects{Audit: audit(actor, "webhook.create", w.ID)}, s.cfg.MaxPerEnv); err != nil {
		return Webhook{}, "", err
	}
	return w, secret, nil
}

// validate checks a subscription's fields (the URL only when checkURL) and returns its event
// types without duplicates.
func (s *Service) validate(ctx context.Context, env kyc.Env, url string, checkURL bool, events []string, description string) ([]string, error) {
	var p kyc.Problems
	if checkURL {
		if err := p.Merge(s.cfg.checkURL(ctx, s.resolver, env, url)); err != nil {
			return nil, err
		}
	}
	out := []string{}
	for i, e := range events {
		if !kyc.OneOf(e, kyc.EventTypes) {
			p.Add(fmt.Sprintf("body.events[%d]", i), "must be one of %v", kyc.EventTypes)
		} else if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	if len(description) > 500 {
		p.Add("body.description", "must be at most 500 characters")
	}
	return out, p.Err()
}

func audit(actor kyc.Actor, action, id string) kyc.AuditEntry {
	return kyc.AuditEntry{Actor: actor, Action: action, ResourceType: "webhook", ResourceID: id}
}

// notFound answers an id that cannot be a webhook's without asking the database.
func notFound(id string) error { return fmt.Errorf("webhook %q: %w", id, kyc.ErrNotFound) }

// Get returns one subscription of env.
func (s *Service) Get(ctx context.Context, env kyc.Env, id string) (Webhook, error) {
	if !kyc.ValidID(kyc.PrefixWebhook, id) {
		return Webhook{}, notFound(id)
	}
	return s.repo.Get(ctx, env, id)
}

// List returns a page of env's subscriptions, newest first.
func (s *Service) List(ctx context.Context, env kyc.Env, cursor string, limit int) (kyc.Page[Webhook], error) {
	return s.repo.List(ctx, env, cursor, limit)
}

// Update changes a subscription. Disabling it fails its unfinished deliveries; enabling it again
// starts afresh with the next event (replay the ones it missed with Redeliver).
func (s *Service) Update(ctx context.Context, actor kyc.Actor, env kyc.Env, id string, p Patch) (Webhook, error) {
	if !kyc.ValidID(kyc.PrefixWebhook, id) {
		return Webhook{}, notFound(id)
	}
	var url, description string
	var events []string
	if p.URL != nil {
		url = *p.URL
	}
	if p.Events != nil {
		events = *p.Events
	}
	if p.Description != nil {
		description = *p.Description
	}
	// Only the fields present are checked and changed. The URL is checked again only when it
	// changes: a subscription that was allowed stays editable, and every connection is checked.
	events, err := s.validate(ctx, env, url, p.URL != nil, events, description)
	if err != nil {
		return Webhook{}, err
	}
	return s.repo.Update(ctx, env, id, func(w *Webhook) (store.Effects, error) {
		if p.URL != nil {
			w.URL = url
		}
		if p.Events != nil {
			w.Events = events
		}
		if p.Description != nil {
			w.Description = description
		}
		if p.Enabled != nil {
			setEnabled(w, *p.Enabled)
		}
		return store.Effects{Audit: audit(actor, "webhook.update", id)}, nil
	})
}

// Delete removes a subscription and its delivery log.
func (s *Service) Delete(ctx context.Context, actor kyc.Actor, env kyc.Env, id string) error {
	if !kyc.ValidID(kyc.PrefixWebhook, id) {
		return notFound(id)
	}
	return s.repo.Delete(ctx, env, id, store.Effects{Audit: audit(actor, "webhook.delete", id)})
}

// RotateSecret gives a subscription a new signing secret, returned once. The secrets it had keep
// signing for grace (at most; an earlier expiry is kept), so a receiver can switch to the new one
// without refusing a delivery; a zero grace retires them at once.
func (s *Service) RotateSecret(ctx context.Context, actor kyc.Actor, env kyc.Env, id string, grace time.Duration) (Webhook, string, error) {
	if !kyc.ValidID(kyc.PrefixWebhook, id) {
		return Webhook{}, "", notFound(id)
	}
	if grace < 0 || grace > MaxRotationGrace {
		return Webhook{}, "", kyc.Invalid("body.gracePeriodSeconds", "must be between 0 and %d", int(MaxRotationGrace.Seconds()))
	}
	secret := NewSecret()
	w, err := s.repo.Update(ctx, env, id, func(w *Webhook) (store.Effects, error) {
		w.Secrets = rotate(w.Secrets, secret, time.Now().UTC(), grace)
		return store.Effects{Audit: audit(actor, "webhook.rotate-secret", id)}, nil
	})
	if err != nil {
		return Webhook{}, "", err
	}
	return w, secret, nil
}

// rotate puts secret first and lets the others sign until at+grace at the latest; expired ones
// are dropped, and at most maxSecrets are kept.
func rotate(secrets []Secret, secret string, at time.Time, grace time.Duration) []Secret {
	until := at.Add(grace)
	out := []Secret{{Secret: secret, Created: at}}
	for _, old := range secrets {
		if old.Expires != nil && !at.Before(*old.Expires) {
			continue
		}
		if old.Expires == nil || old.Expires.After(until) {
			old.Expires = &until
		}
		out = append(out, old)
	}
	return out[:min(len(out), maxSecrets)]
}

// Test sends a ping event to the subscription alone and returns its delivery.
func (s *Service) Test(ctx context.Context, actor kyc.Actor, env kyc.Env, id string) (Delivery, error) {
	if !kyc.ValidID(kyc.PrefixWebhook, id) {
		return Delivery{}, notFound(id)
	}
	return s.repo.Ping(ctx, env, id, pingEffects(actor, id))
}

// pingEffects are the effects of testing subscription id: its audit entry and a ping event about
// it, which wants sends to that subscription alone.
func pingEffects(actor kyc.Actor, id string) store.Effects {
	return store.Effects{Audit: audit(actor, "webhook.ping", id),
		Events: []store.NewEvent{{Type: kyc.EventPing, ResourceType: "webhook", ResourceID: id}}}
}

// Deliveries returns a page of a subscription's deliveries, newest first, optionally only those in
// status.
func (s *Service) Deliveries(ctx context.Context, env kyc.Env, id, status, cursor string, limit int) (kyc.Page[Delivery], error) {
	if !kyc.ValidID(kyc.PrefixWebhook, id) {
		return kyc.Page[Delivery]{}, notFound(id)
	}
	if status != "" && !kyc.OneOf(status, DeliveryStatuses) {
		return kyc.Page[Delivery]{}, kyc.Invalid("query.status", "must be one of %v", DeliveryStatuses)
	}
	return s.repo.ListDeliveries(ctx, env, id, status, cursor, limit)
}

// Event returns one event of env.
func (s *Service) Event(ctx context.Context, env kyc.Env, id string) (kyc.Event, error) {
	if !kyc.ValidID(kyc.PrefixEvent, id) {
		return kyc.Event{}, fmt.Errorf("event %q: %w", id, kyc.ErrNotFound)
	}
	return s.events.Event(ctx, env, id)
}

// Events returns a page of env's events, newest first.
func (s *Service) Events(ctx context.Context, env kyc.Env, f store.EventFilter, cursor string, limit int) (kyc.Page[kyc.Event], error) {
	if f.Type != "" && !kyc.OneOf(f.Type, kyc.EventTypes) {
		return kyc.Page[kyc.Event]{}, kyc.Invalid("query.type", "must be one of %v", kyc.EventTypes)
	}
	return s.events.ListEvents(ctx, env, f, cursor, limit)
}

// Redeliver sends an event again, with the same webhook-id and body: to the subscription
// webhookID when it is set, else to every enabled subscription that wants its type. It returns
// the new deliveries.
func (s *Service) Redeliver(ctx context.Context, actor kyc.Actor, env kyc.Env, eventID, webhookID string) ([]Delivery, error) {
	if !kyc.ValidID(kyc.PrefixEvent, eventID) {
		return nil, fmt.Errorf("event %q: %w", eventID, kyc.ErrNotFound)
	}
	if webhookID != "" {
		if !kyc.ValidID(kyc.PrefixWebhook, webhookID) {
			return nil, kyc.Invalid("body.webhookId", "must be a webhook id (whk_...)")
		}
		if _, err := s.repo.Get(ctx, env, webhookID); errors.Is(err, kyc.ErrNotFound) {
			return nil, kyc.Invalid("body.webhookId", "no webhook %s in the %s environment", webhookID, env)
		} else if err != nil {
			return nil, err
		}
	}
	return s.repo.Redeliver(ctx, env, eventID, webhookID, store.Effects{
		Audit: kyc.AuditEntry{Actor: actor, Action: "event.redeliver", ResourceType: "event", ResourceID: eventID}})
}
