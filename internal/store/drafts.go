package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"kycd/internal/kyc"
)

// ErrDraftChanged is answered by a draft's write when the stored draft is no longer the version
// that was read: another request (on this replica or another) changed it in between. The writer
// reads the draft again and redoes its change. It wraps kyc.ErrConflict (409) for a caller that
// gives up.
var ErrDraftChanged = fmt.Errorf("the draft changed since it was read: %w", kyc.ErrConflict)

// Draft is what an end user has staged but not yet submitted (package gather owns its content),
// one per applicant. The store keeps Data sealed and opaque.
type Draft struct {
	Env         kyc.Env
	ApplicantID string
	// Data is the draft as JSON.
	Data json.RawMessage
	// Version is the version read: 0 when the applicant has no draft yet. SaveDraft writes only
	// over this version, and counts it up.
	Version     int64
	UpdatedTime time.Time
}

// draftAAD binds a sealed draft to its row.
func draftAAD(env kyc.Env, applicantID string) string {
	return "drafts:" + string(env) + ":" + applicantID
}

// Draft returns the applicant's draft in env (kyc.ErrNotFound when there is none).
func (s *Store) Draft(ctx context.Context, env kyc.Env, applicantID string) (Draft, error) {
	d := Draft{Env: env, ApplicantID: applicantID}
	var sealed []byte
	var updated int64
	err := s.reader().queryRow(ctx, `SELECT version, data, updated_at FROM drafts WHERE env = ? AND applicant_id = ?`,
		string(env), applicantID).Scan(&d.Version, &sealed, &updated)
	if err == errNoRows {
		return Draft{}, fmt.Errorf("draft of %s: %w", applicantID, kyc.ErrNotFound)
	}
	if err != nil {
		return Draft{}, fmt.Errorf("draft of %s: %w", applicantID, err)
	}
	if d.Data, err = s.sealer.Open(sealed, []byte(draftAAD(env, applicantID))); err != nil {
		return Draft{}, fmt.Errorf("draft of %s: %w", applicantID, err)
	}
	d.UpdatedTime = fromMicros(updated)
	return d, nil
}

// SaveDraft writes d over the version it was read at (d.Version; 0 creates the applicant's first
// draft) and, on success, sets d.Version and d.UpdatedTime to what is now stored. When the stored
// draft is another version it writes nothing and answers ErrDraftChanged.
func (s *Store) SaveDraft(ctx context.Context, d *Draft) error {
	return s.saveDraft(ctx, s.writer(), d, now())
}

// saveDraft is SaveDraft on q, which may be a transaction: the draft then commits with the rest,
// and d's new version holds only once it has.
func (s *Store) saveDraft(ctx context.Context, q querier, d *Draft, at time.Time) error {
	// An erased applicant's end user writes nothing more (kyc.ErrGone).
	if erased, err := s.applicantErased(ctx, q, d.Env, d.ApplicantID); err != nil && !errors.Is(err, errNoRows) {
		return err
	} else if erased {
		return errErased(d.ApplicantID)
	}
	sealed, err := s.sealer.Seal(d.Data, []byte(draftAAD(d.Env, d.ApplicantID)))
	if err != nil {
		return fmt.Errorf("save draft of %s: %w", d.ApplicantID, err)
	}
	var n int64
	if d.Version == 0 {
		// DO NOTHING rather than a unique violation, which would abort a PostgreSQL transaction.
		n, err = q.exec(ctx, `INSERT INTO drafts (env, applicant_id, version, data, updated_at) VALUES (?, ?, 1, ?, ?)
			ON CONFLICT (env, applicant_id) DO NOTHING`, string(d.Env), d.ApplicantID, sealed, micros(at))
	} else {
		n, err = q.exec(ctx, `UPDATE drafts SET version = version + 1, data = ?, updated_at = ?
			WHERE env = ? AND applicant_id = ? AND version = ?`, sealed, micros(at), string(d.Env), d.ApplicantID, d.Version)
	}
	if err != nil {
		return fmt.Errorf("save draft of %s: %w", d.ApplicantID, err)
	}
	if n == 0 {
		return fmt.Errorf("save draft of %s at version %d: %w", d.ApplicantID, d.Version, ErrDraftChanged)
	}
	d.Version++
	d.UpdatedTime = at
	return nil
}
