package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"kycd/internal/kyc"
)

// NewEvent is an event to write with a change. Data is the resource as it is after the change; it
// is marshalled and sealed once, so every delivery sends the same bytes. An event about a resource
// of an applicant (applicantTables) belongs to that applicant, found from the resource in the
// change's transaction: its payload is sealed under the applicant's data key; any other event
// (a webhook's) is sealed under the master key.
type NewEvent struct {
	Type         string
	ResourceType string
	ResourceID   string
	Revision     int64
	Data         any
	// NoPersonalData says Data holds no personal data, so the event is sealed under the master
	// key and names no applicant: the applicant-erased event, written once the applicant's key is
	// destroyed.
	NoPersonalData bool
}

// applicantTables names, for each type of resource that belongs to an applicant, the table whose
// applicant_id says whose a resource is ("": the resource is the applicant). Migration 00031
// backfilled events.applicant_id with the same rule.
var applicantTables = map[string]string{
	"applicant":    "",
	"file":         "files",
	"kyc-document": "kyc_documents",
	"kyc-request":  "kyc_requests",
	"screening":    "screenings",
	"share":        "shares",
}

// eventApplicant returns the applicant an event of env belongs to, "" for none, reading the
// resource's row in t (written by the change already).
func eventApplicant(ctx context.Context, t *txn, env kyc.Env, e NewEvent) (string, error) {
	table, ok := applicantTables[e.ResourceType]
	switch {
	case !ok:
		return "", nil
	case table == "":
		return e.ResourceID, nil
	}
	var id string
	err := t.queryRow(ctx, `SELECT applicant_id FROM `+table+` WHERE env = ? AND id = ?`, string(env), e.ResourceID).Scan(&id)
	if err != nil {
		return "", fmt.Errorf("the applicant of %s %s: %w", e.ResourceType, e.ResourceID, err)
	}
	return id, nil
}

// keyFor returns the wrapped data key of applicant id in t (applicantKey), once a transaction.
func (s *Store) keyFor(ctx context.Context, t *txn, env kyc.Env, id string) ([]byte, error) {
	if key, ok := t.keys[id]; ok {
		return key, nil
	}
	key, err := s.applicantKey(ctx, t, env, id)
	if err != nil {
		return nil, err
	}
	if t.keys == nil {
		t.keys = map[string][]byte{}
	}
	t.keys[id] = key
	return key, nil
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
		applicant := ""
		if !e.NoPersonalData {
			if applicant, err = eventApplicant(ctx, t, env, e); err != nil {
				return fmt.Errorf("event %s: %w", e.Type, err)
			}
		}
		var key []byte
		if applicant != "" {
			if key, err = s.keyFor(ctx, t, env, applicant); err != nil {
				return fmt.Errorf("event %s: %w", e.Type, err)
			}
		}
		sealed, err := s.sealBytesFor(key, env, applicant, data, "event:"+id)
		if err != nil {
			return err
		}
		if _, err := t.exec(ctx, `INSERT INTO events (id, env, type, resource_type, resource_id, revision, payload, created_at, applicant_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, string(env), e.Type, e.ResourceType, e.ResourceID, e.Revision, sealed, micros(at), nullIfEmpty(applicant)); err != nil {
			return fmt.Errorf("insert event: %w", err)
		}
		written = append(written, kyc.Event{ID: id, Env: env, Type: e.Type, ResourceType: e.ResourceType, ResourceID: e.ResourceID,
			Revision: e.Revision, CreatedTime: at, Data: json.RawMessage(data), ApplicantID: applicant})
	}
	t.written = append(t.written, written...)
	if s.events == nil {
		return nil
	}
	return s.events.EventsWritten(ctx, &Tx{s: s, t: t, env: env}, written)
}

// nullIfEmpty is nil (SQL NULL) for "", else s.
func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// eventColumns are an event's columns and the wrapped data key of its applicant, which its
// payload is under (NULL for an event of no applicant, or one whose applicant's key is destroyed).
var eventColumns = `id, env, type, resource_type, resource_id, revision, payload, created_at, applicant_id, ` +
	ApplicantKeyColumn("events")

// Event returns one event of env; its Data is the resource snapshot as raw JSON. An event whose
// applicant's data key is destroyed comes without Data, DataErased set.
func (s *Store) Event(ctx context.Context, env kyc.Env, id string) (kyc.Event, error) {
	e, err := s.scanEvent(s.reader().queryRow(ctx, `SELECT `+eventColumns+` FROM events WHERE env = ? AND id = ?`, string(env), id))
	if err == errNoRows {
		return kyc.Event{}, fmt.Errorf("event %s: %w", id, kyc.ErrNotFound)
	}
	return e, err
}

// scanEvent scans eventColumns and opens the payload: under the applicant's data key, or the
// master key for an event of no applicant or one written before events were under data keys. A
// payload whose key is destroyed (the applicant was erased) is left out, and DataErased says so:
// one erased applicant does not fail a list of events.
func (s *Store) scanEvent(r row) (kyc.Event, error) {
	var e kyc.Event
	var env string
	var payload, key []byte
	var applicant *string
	var created int64
	if err := r.Scan(&e.ID, &env, &e.Type, &e.ResourceType, &e.ResourceID, &e.Revision, &payload, &created, &applicant, &key); err != nil {
		if err == errNoRows {
			return e, err
		}
		return e, fmt.Errorf("scan event: %w", err)
	}
	e.Env, e.CreatedTime = kyc.Env(env), fromMicros(created)
	if applicant != nil {
		e.ApplicantID = *applicant
	}
	if len(payload) == 0 {
		e.DataErased = true // removed with its applicant (Tx.EraseApplicantData)
		return e, nil
	}
	data, err := s.openBytesFor(key, e.Env, e.ApplicantID, payload, "event:"+e.ID)
	switch {
	case errors.Is(err, ErrDataKeyDestroyed):
		e.DataErased = true
	case err != nil:
		return e, fmt.Errorf("open event %s: %w", e.ID, err)
	default:
		e.Data = json.RawMessage(data)
	}
	return e, nil
}

// EventFilter narrows ListEvents; empty fields match everything.
type EventFilter struct {
	Type       string
	ResourceID string
}

// ListEvents returns one page of env's events, newest first (as Event reads each).
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
