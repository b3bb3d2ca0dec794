package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"kycd/internal/kyc"
)

// NewEvent is an event to write with a change. Data is the resource as it is after the change; it
// is marshalled and sealed once, so every delivery sends the same bytes.
type NewEvent struct {
	Type         string
	ResourceType string
	ResourceID   string
	Revision     int64
	Data         any
}

// insertEvents writes a change's events in its transaction and tells the EventSink of them
// (JobsConfig.Events: webhook deliveries), so that what follows from them commits with the change.
func (s *Store) insertEvents(ctx context.Context, t *txn, env kyc.Env, events []NewEvent, at time.Time) error {
	if len(events) == 0 {
		return nil
	}
	written := make([]kyc.Event, 0, len(events))
	for _, e := range events {
		id := kyc.NewID(kyc.PrefixEvent)
		data, err := json.Marshal(e.Data)
		if err != nil {
			return fmt.Errorf("event %s: %w", e.Type, err)
		}
		sealed, err := s.sealer.Seal(data, []byte("event:"+id))
		if err != nil {
			return err
		}
		if _, err := t.exec(ctx, `INSERT INTO events (id, env, type, resource_type, resource_id, revision, payload, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			id, string(env), e.Type, e.ResourceType, e.ResourceID, e.Revision, sealed, micros(at)); err != nil {
			return fmt.Errorf("insert event: %w", err)
		}
		written = append(written, kyc.Event{ID: id, Env: env, Type: e.Type, ResourceType: e.ResourceType, ResourceID: e.ResourceID,
			Revision: e.Revision, CreatedTime: at, Data: json.RawMessage(data)})
	}
	if s.events == nil {
		return nil
	}
	return s.events.EventsWritten(ctx, &Tx{s: s, t: t, env: env}, written)
}

const eventColumns = `id, env, type, resource_type, resource_id, revision, payload, created_at`

// Event returns one event of env; its Data is the resource snapshot as raw JSON.
func (s *Store) Event(ctx context.Context, env kyc.Env, id string) (kyc.Event, error) {
	e, err := s.scanEvent(s.reader().queryRow(ctx, `SELECT `+eventColumns+` FROM events WHERE env = ? AND id = ?`, string(env), id))
	if err == errNoRows {
		return kyc.Event{}, fmt.Errorf("event %s: %w", id, kyc.ErrNotFound)
	}
	return e, err
}

func (s *Store) scanEvent(r row) (kyc.Event, error) {
	var e kyc.Event
	var env string
	var payload []byte
	var created int64
	if err := r.Scan(&e.ID, &env, &e.Type, &e.ResourceType, &e.ResourceID, &e.Revision, &payload, &created); err != nil {
		if err == errNoRows {
			return e, err
		}
		return e, fmt.Errorf("scan event: %w", err)
	}
	e.Env, e.CreatedTime = kyc.Env(env), fromMicros(created)
	if len(payload) == 0 {
		e.Data = nil // erased with its applicant (Tx.EraseApplicantData)
		return e, nil
	}
	data, err := s.sealer.Open(payload, []byte("event:"+e.ID))
	if err != nil {
		return e, fmt.Errorf("open event %s: %w", e.ID, err)
	}
	e.Data = json.RawMessage(data)
	return e, nil
}

// EventFilter narrows ListEvents; empty fields match everything.
type EventFilter struct {
	Type       string
	ResourceID string
}

// ListEvents returns one page of env's events, newest first.
func (s *Store) ListEvents(ctx context.Context, env kyc.Env, f EventFilter, cursor string, limit int) (kyc.Page[kyc.Event], error) {
	w := newWhere(env).eq("type", f.Type).eq("resource_id", f.ResourceID)
	return listPage(ctx, s, "events", `SELECT `+eventColumns+` FROM events`, w, false, cursor, limit, s.scanEvent,
		func(e kyc.Event) string { return e.ID })
}

// completeEvents gives events written without Data the resource as it is after the change, at its
// new revision.
func completeEvents(eff *Effects, revision int64, resource any) {
	for i := range eff.Events {
		if eff.Events[i].Data == nil {
			eff.Events[i].Data = resource
			eff.Events[i].Revision = revision
		}
	}
}
