package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"kycd/internal/kyc"
)

// An applicant's LAST ACTIVITY is the latest of: its own row's updated_at, the updated_at of each
// of its KYC documents, KYC requests, screenings and shares, and the created_at of each of its
// files. It is what kycd knows of the end of the applicant's relationship with the integrator:
// retention periods (package retention) run from it. inactiveSince and lastActivity below are the
// one definition of it, as a condition and as a value; keep them in step.

// inactiveSince is the condition "the last activity of applicant a is before ?", given the cutoff
// six times (inactiveArgs). It bounds a.updated_at first, so that the applicants_retention index
// (migration 00033) gives the candidates in order, and probes each other table through its
// (env, applicant_id, time) index of the same migration: one probe per table and applicant.
const inactiveSince = `a.updated_at < ?
	AND NOT EXISTS (SELECT 1 FROM kyc_documents d WHERE d.env = a.env AND d.applicant_id = a.id AND d.updated_at >= ?)
	AND NOT EXISTS (SELECT 1 FROM kyc_requests r WHERE r.env = a.env AND r.applicant_id = a.id AND r.updated_at >= ?)
	AND NOT EXISTS (SELECT 1 FROM screenings s WHERE s.env = a.env AND s.applicant_id = a.id AND s.updated_at >= ?)
	AND NOT EXISTS (SELECT 1 FROM shares h WHERE h.env = a.env AND h.applicant_id = a.id AND h.updated_at >= ?)
	AND NOT EXISTS (SELECT 1 FROM files f2 WHERE f2.env = a.env AND f2.applicant_id = a.id AND f2.created_at >= ?)`

func inactiveArgs(before time.Time) []any {
	us := micros(before)
	return []any{us, us, us, us, us, us}
}

// lastActivity is the SQL value of applicant a's last activity (see inactiveSince), in the
// dialect's spelling of the greatest of several values.
func (s *Store) lastActivity() string {
	greatest := "GREATEST"
	if s.dialect == SQLite {
		greatest = "MAX" // SQLite's MAX of several arguments is the scalar greatest
	}
	return greatest + `(a.updated_at,
		COALESCE((SELECT MAX(d.updated_at) FROM kyc_documents d WHERE d.env = a.env AND d.applicant_id = a.id), 0),
		COALESCE((SELECT MAX(r.updated_at) FROM kyc_requests r WHERE r.env = a.env AND r.applicant_id = a.id), 0),
		COALESCE((SELECT MAX(s.updated_at) FROM screenings s WHERE s.env = a.env AND s.applicant_id = a.id), 0),
		COALESCE((SELECT MAX(h.updated_at) FROM shares h WHERE h.env = a.env AND h.applicant_id = a.id), 0),
		COALESCE((SELECT MAX(f2.created_at) FROM files f2 WHERE f2.env = a.env AND f2.applicant_id = a.id), 0))`
}

// RetentionTarget names an applicant, or a file of one, that a retention period has run out for.
type RetentionTarget struct {
	Env         kyc.Env
	ApplicantID string
	// FileID and BlobKey name the file, for image retention.
	FileID, BlobKey string
}

// The retention queries, each bounded by LIMIT ?: the files whose bytes are still stored, of
// applicants not erased and not held, inactive since the cutoff; the applicants not erased, held or
// scheduled for erasure, inactive since the cutoff; and those held.
const (
	retentionFiles = `SELECT f.env, f.applicant_id, f.id, f.blob_key FROM applicants a
		JOIN files f ON f.env = a.env AND f.applicant_id = a.id
		WHERE a.erased_at IS NULL AND a.legal_hold IS NULL AND f.blob_deleted_at IS NULL AND ` + inactiveSince + `
		ORDER BY a.updated_at LIMIT ?`
	retentionApplicants = `SELECT a.env, a.id FROM applicants a
		WHERE a.erased_at IS NULL AND a.legal_hold IS NULL AND ` + inactiveSince + `
		AND NOT EXISTS (SELECT 1 FROM applicant_erasures e WHERE e.env = a.env AND e.applicant_id = a.id AND e.status = 'scheduled')
		ORDER BY a.updated_at LIMIT ?`
	retentionHeld = `SELECT a.env, a.id FROM applicants a
		WHERE a.erased_at IS NULL AND a.legal_hold IS NOT NULL AND ` + inactiveSince + `
		ORDER BY a.updated_at LIMIT ?`
	// The events' payloads: every environment's, the oldest first.
	retentionEvents = `SELECT id FROM events WHERE created_at < ? AND length(payload) > 0 AND ` + notHeld + ` ORDER BY created_at LIMIT ?`
)

// notHeld is the condition that an event is of no applicant under a legal hold (migration 00031
// names each event's applicant): a held applicant's events keep their payloads.
const notHeld = `(applicant_id IS NULL OR applicant_id NOT IN (SELECT id FROM applicants WHERE legal_hold IS NOT NULL))`

// RetentionQueries are the retention job's batch queries with example arguments, for the plan
// tests: name → query and arguments.
func RetentionQueries(before time.Time, limit int) map[string]struct {
	Query string
	Args  []any
} {
	withLimit := append(inactiveArgs(before), limit)
	return map[string]struct {
		Query string
		Args  []any
	}{
		"files":      {retentionFiles, withLimit},
		"applicants": {retentionApplicants, withLimit},
		"held":       {retentionHeld, withLimit},
		"events":     {retentionEvents, []any{micros(before), limit}},
	}
}

// RetentionFiles returns up to limit files whose bytes are still stored, of applicants neither
// erased nor under a legal hold whose last activity is before the cutoff.
func (s *Store) RetentionFiles(ctx context.Context, before time.Time, limit int) ([]RetentionTarget, error) {
	return s.retentionTargets(ctx, true, retentionFiles, append(inactiveArgs(before), limit)...)
}

// RetentionApplicants returns up to limit applicants neither erased, under a legal hold, nor
// waiting for a scheduled erasure, whose last activity is before the cutoff.
func (s *Store) RetentionApplicants(ctx context.Context, before time.Time, limit int) ([]RetentionTarget, error) {
	return s.retentionTargets(ctx, false, retentionApplicants, append(inactiveArgs(before), limit)...)
}

// RetentionHeld returns up to limit applicants, not erased, whose last activity is before the
// cutoff but who are under a legal hold: retention leaves them be until it is lifted.
func (s *Store) RetentionHeld(ctx context.Context, before time.Time, limit int) ([]RetentionTarget, error) {
	return s.retentionTargets(ctx, false, retentionHeld, append(inactiveArgs(before), limit)...)
}

func (s *Store) retentionTargets(ctx context.Context, files bool, query string, args ...any) ([]RetentionTarget, error) {
	rs, err := s.reader().query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("retention: %w", err)
	}
	defer rs.Close()
	var out []RetentionTarget
	for rs.Next() {
		var t RetentionTarget
		var env string
		dst := []any{&env, &t.ApplicantID}
		if files {
			dst = append(dst, &t.FileID, &t.BlobKey)
		}
		if err := rs.Scan(dst...); err != nil {
			return nil, fmt.Errorf("retention: %w", err)
		}
		t.Env = kyc.Env(env)
		out = append(out, t)
	}
	return out, rs.Err()
}

// MarkFileBlobDeleted records, in the transaction, that a file's bytes were deleted by
// retention: its content answers kyc.ErrGone from then on (FileBlobDeleted), its metadata stays.
// It answers whether it marked the file (false: marked already).
func (tx *Tx) MarkFileBlobDeleted(ctx context.Context, fileID string, at time.Time) (bool, error) {
	n, err := tx.t.exec(ctx, `UPDATE files SET blob_deleted_at = ? WHERE env = ? AND id = ? AND blob_deleted_at IS NULL`,
		micros(at), string(tx.env), fileID)
	if err != nil {
		return false, fmt.Errorf("retention: file %s: %w", fileID, err)
	}
	return n == 1, nil
}

// FileBlobDeleted returns when retention deleted a file's bytes, nil while they are kept.
func (s *Store) FileBlobDeleted(ctx context.Context, env kyc.Env, fileID string) (*time.Time, error) {
	var at *int64
	err := s.reader().queryRow(ctx, `SELECT blob_deleted_at FROM files WHERE env = ? AND id = ?`, string(env), fileID).Scan(&at)
	if err == errNoRows {
		return nil, fmt.Errorf("file %s: %w", fileID, kyc.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("file %s: %w", fileID, err)
	}
	return optTime(at), nil
}

// RemoveEventPayloads empties the payloads (the resource's sealed copy) of up to limit events, of
// every environment, written before the cutoff, the oldest first; the events' rows (type,
// resource, revision, time) stay. It answers how many it emptied.
func (s *Store) RemoveEventPayloads(ctx context.Context, before time.Time, limit int) (int64, error) {
	var n int64
	err := s.inTx(ctx, func(t *txn) error {
		var err error
		n, err = t.exec(ctx, `UPDATE events SET payload = ? WHERE id IN (`+retentionEvents+`)`, emptySealed, micros(before), limit)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("retention: event payloads: %w", err)
	}
	return n, nil
}

// RetentionDue is how much a retention period would take now: how many items, and the oldest
// one's time (of its applicant's last activity, or of the event); zero when none.
type RetentionDue struct {
	Count  int64
	Oldest time.Time
}

// RetentionDue counts, without changing anything, what each retention class would take now: the
// files of inactive applicants whose bytes are still stored (images before imagesBefore), the
// inactive applicants to erase (personalBefore), the held ones inactive since heldBefore, and the
// events whose payload would go (eventsBefore). A zero cutoff skips its class.
func (s *Store) RetentionDue(ctx context.Context, imagesBefore, personalBefore, heldBefore, eventsBefore time.Time) (images, personal, held, events RetentionDue, err error) {
	last := s.lastActivity()
	count := func(dst *RetentionDue, before time.Time, query string, args ...any) {
		if err != nil || before.IsZero() {
			return
		}
		var n int64
		var oldest *int64
		if e := s.reader().queryRow(ctx, query, args...).Scan(&n, &oldest); e != nil {
			err = fmt.Errorf("retention plan: %w", e)
			return
		}
		dst.Count = n
		if oldest != nil {
			dst.Oldest = fromMicros(*oldest)
		}
	}
	strip := func(q string) string { // the batch query's conditions, without its order and limit
		q = q[strings.Index(q, "FROM applicants a"):]
		return q[:strings.LastIndex(q, "ORDER BY")]
	}
	count(&images, imagesBefore, `SELECT COUNT(*), MIN(`+last+`) `+strip(retentionFiles), inactiveArgs(imagesBefore)...)
	count(&personal, personalBefore, `SELECT COUNT(*), MIN(`+last+`) `+strip(retentionApplicants), inactiveArgs(personalBefore)...)
	count(&held, heldBefore, `SELECT COUNT(*), MIN(`+last+`) `+strip(retentionHeld), inactiveArgs(heldBefore)...)
	count(&events, eventsBefore, `SELECT COUNT(*), MIN(created_at) FROM events WHERE created_at < ? AND length(payload) > 0 AND `+notHeld, micros(eventsBefore))
	return images, personal, held, events, err
}
