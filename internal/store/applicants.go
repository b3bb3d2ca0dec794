package store

import (
	"context"
	"fmt"

	"kycd/internal/kyc"
)

// applicantData is the sealed part of an applicant row: everything that is personal data.
type applicantData struct {
	Email     string        `json:"email,omitempty"`
	Profile   kyc.Profile   `json:"profile"`
	Addresses []kyc.Address `json:"addresses,omitempty"`
}

const applicantColumns = `id, env, external_id, type, status, level, data, revision, created_at, updated_at, data_key`

// applicantReadColumns are applicantColumns and what only erasure and legal holds write.
const applicantReadColumns = applicantColumns + `, erased_at, legal_hold, legal_hold_at`

// CreateApplicant stores a new applicant with its effects. a.ID must be set; the store sets the
// times and revision 0. An externalId already used in the environment is kyc.ErrConflict.
func (s *Store) CreateApplicant(ctx context.Context, a *kyc.Applicant, eff Effects) error {
	at := now()
	a.CreatedTime, a.UpdatedTime, a.Revision = at, at, 0
	data, key, err := s.sealApplicant(a, nil)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(t *txn) error {
		_, err := t.exec(ctx, `INSERT INTO applicants (`+applicantColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.ID, string(a.Env), nullString(a.ExternalID), a.Type, a.Status, a.Level, data, a.Revision, micros(at), micros(at), key)
		if isUniqueViolation(err) {
			return fmt.Errorf("an applicant with this externalId already exists: %w", kyc.ErrConflict)
		}
		if err != nil {
			return fmt.Errorf("create applicant: %w", err)
		}
		completeEvents(&eff, a.Revision, a)
		return s.applyEffects(ctx, t, a.Env, eff, at)
	})
}

// Applicant returns one applicant of env.
func (s *Store) Applicant(ctx context.Context, env kyc.Env, id string) (kyc.Applicant, error) {
	return s.applicant(ctx, s.reader(), env, id, "")
}

func (s *Store) applicant(ctx context.Context, q querier, env kyc.Env, id, suffix string) (kyc.Applicant, error) {
	a, err := s.scanApplicant(q.queryRow(ctx, `SELECT `+applicantReadColumns+` FROM applicants WHERE env = ? AND id = ?`+suffix, string(env), id))
	if err == errNoRows {
		return kyc.Applicant{}, fmt.Errorf("applicant %s: %w", id, kyc.ErrNotFound)
	}
	return a, err
}

func (s *Store) scanApplicant(r row) (kyc.Applicant, error) {
	var a kyc.Applicant
	var env string
	var ext *string
	var data, key []byte
	var created, updated int64
	var erased, holdAt *int64
	var hold *string
	if err := r.Scan(&a.ID, &env, &ext, &a.Type, &a.Status, &a.Level, &data, &a.Revision, &created, &updated, &key,
		&erased, &hold, &holdAt); err != nil {
		if err == errNoRows {
			return a, err
		}
		return a, fmt.Errorf("scan applicant: %w", err)
	}
	var d applicantData
	if a.ErasedTime = optTime(erased); a.ErasedTime == nil {
		if err := s.openApplicant(kyc.Env(env), a.ID, data, key, &d); err != nil {
			return a, err
		}
	}
	if hold != nil {
		a.LegalHold = &kyc.LegalHold{Reason: *hold}
		if holdAt != nil {
			a.LegalHold.PlacedTime = fromMicros(*holdAt)
		}
	}
	a.Env, a.Email, a.Profile, a.Addresses = kyc.Env(env), d.Email, d.Profile, d.Addresses
	if a.Addresses == nil {
		a.Addresses = []kyc.Address{}
	}
	if ext != nil {
		a.ExternalID = *ext
	}
	a.CreatedTime, a.UpdatedTime = fromMicros(created), fromMicros(updated)
	return a, nil
}

// UpdateApplicant reads an applicant under a write lock, lets mutate change it and name the
// effects, then writes it back with revision + 1. An error from mutate aborts with nothing written.
func (s *Store) UpdateApplicant(ctx context.Context, env kyc.Env, id string, mutate func(a *kyc.Applicant) (Effects, error)) (kyc.Applicant, error) {
	return s.ChangeApplicant(ctx, env, id, mutate, nil, nil)
}

// NewDocument is a document to create with the effects of its creation (see CreateDocument).
type NewDocument struct {
	Document *kyc.Document
	Effects  Effects
	// Takes is whether the document's request takes it (see CreateDocument); nil asks nothing.
	Takes TakesDocument
}

// ChangeApplicant changes an applicant, creates documents of theirs and writes their draft in one
// transaction: the applicant is read under a write lock and, when mutate is not nil, changed by it
// and written back (as UpdateApplicant does); then each document is checked and created (as
// CreateDocument does); last, when draft is not nil, the draft the documents were submitted from is
// written over the version it was read at (as SaveDraft does, ErrDraftChanged when another write
// came first), and draft is updated to the stored version once the transaction commits. Any error,
// from mutate, from any document or from the draft, writes nothing at all: an end user's update
// that is refused in its third part keeps neither its profile change nor its first documents, and
// a submit either stores its documents and the draft that records them, or neither.
func (s *Store) ChangeApplicant(ctx context.Context, env kyc.Env, id string, mutate func(a *kyc.Applicant) (Effects, error), docs []NewDocument, draft *Draft) (kyc.Applicant, error) {
	if draft != nil && (draft.Env != env || draft.ApplicantID != id) {
		return kyc.Applicant{}, fmt.Errorf("change applicant %s: the draft is of another applicant", id)
	}
	var out kyc.Applicant
	var saved Draft
	err := s.inTx(ctx, func(t *txn) error {
		a, err := s.applicant(ctx, t, env, id, s.forUpdate())
		if err != nil {
			return err
		}
		at := now()
		if mutate != nil {
			eff, err := mutate(&a)
			if err != nil {
				return err
			}
			if err := s.writeApplicant(ctx, t, &a, at); err != nil {
				return err
			}
			completeEvents(&eff, a.Revision, a)
			if err := s.applyEffects(ctx, t, env, eff, at); err != nil {
				return err
			}
		}
		out = a
		for _, nd := range docs {
			d := nd.Document
			if d.Env != env || d.ApplicantID != id {
				return fmt.Errorf("change applicant %s: document %s is of another applicant", id, d.ID)
			}
			d.CreatedTime, d.UpdatedTime, d.Revision = at, at, 0
			if err := s.checkDocumentRefs(ctx, t, d, nd.Takes); err != nil {
				return err
			}
			if err := s.writeDocument(ctx, t, d, true); err != nil {
				return err
			}
			eff := nd.Effects
			completeEvents(&eff, d.Revision, d)
			if err := s.applyEffects(ctx, t, env, eff, at); err != nil {
				return err
			}
		}
		if draft == nil {
			return nil
		}
		saved = *draft
		return s.saveDraft(ctx, t, &saved, at)
	})
	if err == nil && draft != nil {
		*draft = saved
	}
	return out, err
}

// ApplicantFilter narrows ListApplicants; empty fields match everything.
type ApplicantFilter struct {
	ExternalID string
	Status     string
}

// ListApplicants returns one page of env's applicants, newest first.
func (s *Store) ListApplicants(ctx context.Context, env kyc.Env, f ApplicantFilter, cursor string, limit int) (kyc.Page[kyc.Applicant], error) {
	w := newWhere(env).eq("external_id", f.ExternalID).eq("status", f.Status)
	return listPage(ctx, s, "applicants", `SELECT `+applicantReadColumns+` FROM applicants`, w, false, cursor, limit, s.scanApplicant,
		func(a kyc.Applicant) string { return a.ID })
}

// page cuts a result of up to n+1 items to n and sets the next cursor, the one of the page's last
// item, when there were more.
func page[T any](items []T, n int, cursorOf func(T) string) kyc.Page[T] {
	p := kyc.Page[T]{Items: items}
	if p.Items == nil {
		p.Items = []T{}
	}
	if len(items) > n {
		p.Items = items[:n]
		p.NextCursor = cursorOf(items[n-1])
	}
	return p
}

func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
