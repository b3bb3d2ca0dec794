package review

import (
	"context"
	"fmt"
	"strings"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/store"
)

// PrefixNote begins the ids of notes.
const PrefixNote = "rvn"

// Note is what a person wrote on a case, for the case file.
type Note struct {
	ID          string
	CaseID      string
	ApplicantID string
	// Author is the person's id.
	Author      string
	Body        string
	CreatedTime time.Time
}

// MaxNote bounds a note's length, in bytes.
const MaxNote = 4000

func noteAAD(id string) string { return "review_notes:" + id }

// AddNote writes person's note on a case of env (open or decided), audited with the person.
func (s *Service) AddNote(ctx context.Context, env kyc.Env, caseID string, person Person, body string) (Note, error) {
	body = strings.TrimSpace(body)
	if body == "" || len(body) > MaxNote {
		return Note{}, kyc.Invalid("note", "write 1 to %d characters", MaxNote)
	}
	c, err := s.Case(ctx, env, caseID)
	if err != nil {
		return Note{}, err
	}
	n := Note{ID: kyc.NewID(PrefixNote), CaseID: c.ID, ApplicantID: c.ApplicantID, Author: person.ID, Body: body, CreatedTime: s.now()}
	err = s.st.Change(ctx, env, func(tx *store.Tx) (store.Effects, error) {
		// Nothing more is written about an erased applicant (kyc.ErrGone).
		if err := tx.RequireApplicant(ctx, c.ApplicantID, "case"); err != nil {
			return store.Effects{}, err
		}
		sealed, err := tx.Seal([]byte(body), noteAAD(n.ID))
		if err != nil {
			return store.Effects{}, err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO review_notes (id, env, case_id, applicant_id, author, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			n.ID, string(env), n.CaseID, n.ApplicantID, n.Author, sealed, store.Micros(n.CreatedTime)); err != nil {
			return store.Effects{}, fmt.Errorf("note: %w", err)
		}
		return store.Effects{Audit: kyc.AuditEntry{Actor: person.Actor(), Action: "review-case.note", ResourceType: "review-case", ResourceID: c.ID}}, nil
	})
	return n, err
}

// NotesLimit bounds the notes Notes returns.
const NotesLimit = 200

// Notes returns the notes on an applicant's cases in env, newest first (at most NotesLimit).
func (s *Service) Notes(ctx context.Context, env kyc.Env, applicantID string) ([]Note, error) {
	rs, err := s.st.Query(ctx, `SELECT id, case_id, applicant_id, author, body, created_at FROM review_notes
		WHERE env = ? AND applicant_id = ? ORDER BY id DESC LIMIT ?`, string(env), applicantID, NotesLimit)
	if err != nil {
		return nil, fmt.Errorf("notes: %w", err)
	}
	defer rs.Close()
	var out []Note
	for rs.Next() {
		var n Note
		var sealed []byte
		var created int64
		if err := rs.Scan(&n.ID, &n.CaseID, &n.ApplicantID, &n.Author, &sealed, &created); err != nil {
			return nil, fmt.Errorf("notes: %w", err)
		}
		n.Body, n.CreatedTime = ErasedNote, store.FromMicros(created)
		if len(sealed) > 0 { // empty once erased with its applicant (EraseApplicant)
			plain, err := s.st.Open(sealed, noteAAD(n.ID))
			if err != nil {
				return nil, fmt.Errorf("note %s: %w", n.ID, err)
			}
			n.Body = string(plain)
		}
		out = append(out, n)
	}
	return out, rs.Err()
}
