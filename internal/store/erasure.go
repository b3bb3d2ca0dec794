package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"kycd/internal/kyc"
)

// Erasure statuses (applicant_erasures.status, migration 00032).
const (
	ErasureScheduled = "scheduled"
	ErasureCancelled = "cancelled"
	ErasureErased    = "erased"
)

// ApplicantErasure is the erasure asked of an applicant: scheduled until DueTime, cancelled, or
// carried out, with its signed receipt. It holds no personal data.
type ApplicantErasure struct {
	Env             kyc.Env
	ApplicantID     string
	Status          string
	RequestedBy     kyc.Actor
	RequestedTime   time.Time
	DueTime         time.Time
	CancelledTime   *time.Time
	ErasedTime      *time.Time
	BlobsPurgedTime *time.Time
	// Receipt is the signed erasure receipt (JSON), once erased.
	Receipt []byte
}

// ErasureTarget names an applicant whose erasure has work left (ErasuresDue, ErasuresUnpurged).
type ErasureTarget struct {
	Env         kyc.Env
	ApplicantID string
}

// ErasureState is what an erasure must know of the applicant, read under the row's write lock.
type ErasureState struct {
	ErasedTime *time.Time
	LegalHold  *kyc.LegalHold
}

// errErased is the error of a write to an erased applicant.
func errErased(id string) error {
	return fmt.Errorf("applicant %s: %w", id, ErrApplicantErased)
}

const erasureColumns = `env, applicant_id, status, requested_by, requested_at, due_at, cancelled_at, erased_at, blobs_purged_at, receipt`

// ApplicantErasure returns the erasure asked of an applicant of env, kyc.ErrNotFound when none was.
func (s *Store) ApplicantErasure(ctx context.Context, env kyc.Env, applicantID string) (ApplicantErasure, error) {
	return scanErasure(s.reader().queryRow(ctx, `SELECT `+erasureColumns+` FROM applicant_erasures WHERE env = ? AND applicant_id = ?`,
		string(env), applicantID), applicantID)
}

// ApplicantErasure reads the erasure asked of an applicant in the transaction (see
// Store.ApplicantErasure).
func (tx *Tx) ApplicantErasure(ctx context.Context, applicantID string) (ApplicantErasure, error) {
	return scanErasure(tx.t.queryRow(ctx, `SELECT `+erasureColumns+` FROM applicant_erasures WHERE env = ? AND applicant_id = ?`,
		string(tx.env), applicantID), applicantID)
}

func scanErasure(r row, applicantID string) (ApplicantErasure, error) {
	var e ApplicantErasure
	var env, by string
	var requested, due int64
	var cancelled, erased, purged *int64
	err := r.Scan(&env, &e.ApplicantID, &e.Status, &by, &requested, &due, &cancelled, &erased, &purged, &e.Receipt)
	if err == errNoRows {
		return e, fmt.Errorf("erasure of applicant %s: %w", applicantID, kyc.ErrNotFound)
	}
	if err != nil {
		return e, fmt.Errorf("erasure of applicant %s: %w", applicantID, err)
	}
	e.Env, e.RequestedBy = kyc.Env(env), kyc.Actor(by)
	e.RequestedTime, e.DueTime = fromMicros(requested), fromMicros(due)
	e.CancelledTime, e.ErasedTime, e.BlobsPurgedTime = optTime(cancelled), optTime(erased), optTime(purged)
	return e, nil
}

func optTime(us *int64) *time.Time {
	if us == nil {
		return nil
	}
	t := fromMicros(*us)
	return &t
}

func optMicros(t *time.Time) *int64 {
	if t == nil {
		return nil
	}
	us := micros(*t)
	return &us
}

// PutApplicantErasure writes the erasure of an applicant of the transaction's environment, over
// the one asked before (an erasure asked again after it was cancelled).
func (tx *Tx) PutApplicantErasure(ctx context.Context, e ApplicantErasure) error {
	_, err := tx.t.exec(ctx, `INSERT INTO applicant_erasures (`+erasureColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (env, applicant_id) DO UPDATE SET status = excluded.status, requested_by = excluded.requested_by,
		requested_at = excluded.requested_at, due_at = excluded.due_at, cancelled_at = excluded.cancelled_at,
		erased_at = excluded.erased_at, blobs_purged_at = excluded.blobs_purged_at, receipt = excluded.receipt`,
		string(tx.env), e.ApplicantID, e.Status, string(e.RequestedBy), micros(e.RequestedTime), micros(e.DueTime),
		optMicros(e.CancelledTime), optMicros(e.ErasedTime), optMicros(e.BlobsPurgedTime), e.Receipt)
	if err != nil {
		return fmt.Errorf("write the erasure of applicant %s: %w", e.ApplicantID, err)
	}
	return nil
}

// LockApplicantForErasure takes the write lock of an applicant's row for the rest of the
// transaction and returns what an erasure must know of it: whether it is erased and its legal
// hold. Writes of the applicant's data hold the row in a mode this lock excludes (forKeyShare),
// so none runs beside an erasure. Take it first in the transaction: a PostgreSQL deadlock with a
// write that locked other rows first is still possible, and IsDeadlock tells the caller to retry.
func (tx *Tx) LockApplicantForErasure(ctx context.Context, applicantID string) (ErasureState, error) {
	var st ErasureState
	var erased, holdAt *int64
	var hold *string
	err := tx.t.queryRow(ctx, `SELECT erased_at, legal_hold, legal_hold_at FROM applicants WHERE env = ? AND id = ?`+tx.s.forErasure(),
		string(tx.env), applicantID).Scan(&erased, &hold, &holdAt)
	if err == errNoRows {
		return st, fmt.Errorf("applicant %s: %w", applicantID, kyc.ErrNotFound)
	}
	if err != nil {
		return st, fmt.Errorf("lock applicant %s: %w", applicantID, err)
	}
	st.ErasedTime = optTime(erased)
	if hold != nil {
		st.LegalHold = &kyc.LegalHold{Reason: *hold}
		if holdAt != nil {
			st.LegalHold.PlacedTime = fromMicros(*holdAt)
		}
	}
	return st, nil
}

// SetLegalHold places a legal hold on an applicant (hold not nil) or lifts it (nil). Call it after
// LockApplicantForErasure in the same transaction.
func (tx *Tx) SetLegalHold(ctx context.Context, applicantID string, hold *kyc.LegalHold) error {
	var reason *string
	var at *int64
	if hold != nil {
		reason, at = &hold.Reason, optMicros(&hold.PlacedTime)
	}
	if _, err := tx.t.exec(ctx, `UPDATE applicants SET legal_hold = ?, legal_hold_at = ? WHERE env = ? AND id = ?`,
		reason, at, string(tx.env), applicantID); err != nil {
		return fmt.Errorf("legal hold of applicant %s: %w", applicantID, err)
	}
	return nil
}

// applicantResources selects the ids of an applicant and of every resource of theirs, given
// (env, id) six times: what events, idempotent answers and webhook deliveries name.
const applicantResources = `SELECT ? UNION ALL SELECT id FROM files WHERE env = ? AND applicant_id = ?
	UNION ALL SELECT id FROM kyc_documents WHERE env = ? AND applicant_id = ?
	UNION ALL SELECT id FROM kyc_requests WHERE env = ? AND applicant_id = ?
	UNION ALL SELECT id FROM screenings WHERE env = ? AND applicant_id = ?
	UNION ALL SELECT id FROM shares WHERE env = ? AND applicant_id = ?`

// applicantResourcesArgs are the arguments of applicantResources.
func applicantResourcesArgs(env kyc.Env, applicantID string) []any {
	return []any{applicantID, string(env), applicantID, string(env), applicantID, string(env), applicantID, string(env), applicantID, string(env), applicantID}
}

// emptySealed is what an erased sealed column that cannot be NULL holds: no bytes.
var emptySealed = []byte{}

// EraseApplicantData destroys an applicant's data key and removes, in the transaction, every
// personal value of the applicant that the store's own tables hold, and answers how many rows of
// each kind it changed (the receipt's counts). What stays is what a compliance trail needs and
// holds no personal data: ids, statuses, levels, decisions with their check lists, scores,
// file types and sizes, timestamps. Call it after LockApplicantForErasure in the same transaction;
// the domains' own tables (webhook deliveries, shares, review, faces, screenings) are erased by
// their packages in the same transaction.
func (tx *Tx) EraseApplicantData(ctx context.Context, applicantID string, at time.Time) (revision int64, counts map[string]int64, err error) {
	env := string(tx.env)
	counts = map[string]int64{}
	steps := []struct {
		name  string
		query string
		args  []any
	}{
		// The data key first: from here on whatever was sealed under it, in any copy, is unreadable.
		{"applicants", `UPDATE applicants SET data = ?, data_key = NULL, erased_at = ?, revision = revision + 1, updated_at = ?
			WHERE env = ? AND id = ? AND erased_at IS NULL`,
			[]any{emptySealed, micros(at), micros(at), env, applicantID}},
		// The reason written for the end user may name them; its type stays.
		{"documents", `UPDATE kyc_documents SET identification = NULL, parsed_data = NULL, rejection_message = '' WHERE env = ? AND applicant_id = ?`,
			[]any{env, applicantID}},
		// A file's digest identifies the document's bytes; its type and size stay.
		{"files", `UPDATE files SET sha256 = '' WHERE env = ? AND applicant_id = ?`, []any{env, applicantID}},
		{"drafts", `DELETE FROM drafts WHERE env = ? AND applicant_id = ?`, []any{env, applicantID}},
		{"livenessSessions", `UPDATE liveness_sessions SET result = NULL WHERE env = ? AND applicant_id = ?`, []any{env, applicantID}},
		// Events keep their type, resource and time; the resource's copy in each goes.
		{"events", `UPDATE events SET payload = ? WHERE env = ? AND applicant_id = ?`, []any{emptySealed, env, applicantID}},
		// Stored answers of idempotent requests about the applicant's resources may hold its data.
		{"idempotencyAnswers", `DELETE FROM idempotency_keys WHERE env = ? AND resource_id IN (` + applicantResources + `)`,
			append([]any{env}, applicantResourcesArgs(tx.env, applicantID)...)},
	}
	for _, st := range steps {
		n, err := tx.t.exec(ctx, st.query, st.args...)
		if err != nil {
			return 0, nil, fmt.Errorf("erase applicant %s: %s: %w", applicantID, st.name, err)
		}
		counts[st.name] = n
		if st.name == "applicants" && n != 1 {
			return 0, nil, fmt.Errorf("erase applicant %s: not found, or erased already: %w", applicantID, kyc.ErrConflict)
		}
	}
	delete(counts, "applicants")
	// Every applicant token and gatherer link of the applicant, issued before or after, is refused
	// from now on: nothing more reaches the hosted flow or the app endpoints for this applicant
	// (auth.Tokens reads token_revocations; not_before is far in the future).
	if _, err := tx.t.exec(ctx, `INSERT INTO token_revocations (env, applicant_id, not_before) VALUES (?, ?, ?)
		ON CONFLICT (env, applicant_id) DO UPDATE SET not_before = excluded.not_before`, env, applicantID, int64(1)<<62); err != nil {
		return 0, nil, fmt.Errorf("erase applicant %s: revoke its tokens: %w", applicantID, err)
	}
	if counts["screenings"], err = tx.redactScreenings(ctx, applicantID); err != nil {
		return 0, nil, err
	}
	if counts["documentReviewNotes"], err = tx.redactDocumentReviews(ctx, applicantID); err != nil {
		return 0, nil, err
	}
	if err := tx.t.queryRow(ctx, `SELECT revision FROM applicants WHERE env = ? AND id = ?`, env, applicantID).Scan(&revision); err != nil {
		return 0, nil, fmt.Errorf("erase applicant %s: %w", applicantID, err)
	}
	return revision, counts, nil
}

// redactScreenings keeps of each screening of the applicant which entries of which lists matched
// and how well (the decision's grounds), and drops the names, the reasons a name matched (which
// quote the applicant's), dates of birth and countries, and a reviewer's notes.
func (tx *Tx) redactScreenings(ctx context.Context, applicantID string) (int64, error) {
	type screening struct {
		id           string
		hits, review []byte
	}
	var all []screening
	rs, err := tx.t.query(ctx, `SELECT id, hits, review FROM screenings WHERE env = ? AND applicant_id = ?`, string(tx.env), applicantID)
	if err != nil {
		return 0, fmt.Errorf("erase screenings of applicant %s: %w", applicantID, err)
	}
	for rs.Next() {
		var sc screening
		var hits string
		var review *string
		if err := rs.Scan(&sc.id, &hits, &review); err != nil {
			rs.Close()
			return 0, fmt.Errorf("erase screenings of applicant %s: %w", applicantID, err)
		}
		sc.hits = []byte(hits)
		if review != nil {
			sc.review = []byte(*review)
		}
		all = append(all, sc)
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return 0, err
	}
	for _, sc := range all {
		var hits []kyc.ScreeningHit
		if err := json.Unmarshal(sc.hits, &hits); err != nil {
			return 0, fmt.Errorf("erase screening %s: %w", sc.id, err)
		}
		for i, h := range hits {
			hits[i] = kyc.ScreeningHit{List: h.List, EntryID: h.EntryID, EntryHash: h.EntryHash, Type: h.Type, Alias: h.Alias,
				Score: h.Score, Why: []string{}, Programs: h.Programs}
		}
		redacted, err := json.Marshal(hits)
		if err != nil {
			return 0, err
		}
		var review *string
		if sc.review != nil {
			var r kyc.ScreeningReview
			if err := json.Unmarshal(sc.review, &r); err != nil {
				return 0, fmt.Errorf("erase screening %s: %w", sc.id, err)
			}
			r.Notes = ""
			b, err := json.Marshal(r)
			if err != nil {
				return 0, err
			}
			review = new(string(b))
		}
		if _, err := tx.t.exec(ctx, `UPDATE screenings SET hits = ?, review = ? WHERE env = ? AND id = ?`,
			string(redacted), review, string(tx.env), sc.id); err != nil {
			return 0, fmt.Errorf("erase screening %s: %w", sc.id, err)
		}
	}
	return int64(len(all)), nil
}

// redactDocumentReviews drops the free text of people's reviews of the applicant's documents
// (notes and reason); the outcome and who decided when stay.
func (tx *Tx) redactDocumentReviews(ctx context.Context, applicantID string) (int64, error) {
	type review struct{ id, review string }
	var all []review
	rs, err := tx.t.query(ctx, `SELECT id, review FROM kyc_documents WHERE env = ? AND applicant_id = ? AND review IS NOT NULL`, string(tx.env), applicantID)
	if err != nil {
		return 0, fmt.Errorf("erase document reviews of applicant %s: %w", applicantID, err)
	}
	for rs.Next() {
		var r review
		if err := rs.Scan(&r.id, &r.review); err != nil {
			rs.Close()
			return 0, err
		}
		all = append(all, r)
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return 0, err
	}
	var n int64
	for _, r := range all {
		var rv kyc.Review
		if err := json.Unmarshal([]byte(r.review), &rv); err != nil {
			return 0, fmt.Errorf("erase the review of document %s: %w", r.id, err)
		}
		if rv.Notes == "" && rv.Reason == "" {
			continue
		}
		rv.Notes, rv.Reason = "", ""
		b, err := json.Marshal(rv)
		if err != nil {
			return 0, err
		}
		if _, err := tx.t.exec(ctx, `UPDATE kyc_documents SET review = ? WHERE env = ? AND id = ?`, string(b), string(tx.env), r.id); err != nil {
			return 0, fmt.Errorf("erase the review of document %s: %w", r.id, err)
		}
		n++
	}
	return n, nil
}

// ErasuresDue returns up to limit scheduled erasures whose time has come, of every environment,
// but those of applicants under a legal hold: they wait for the hold to be lifted.
func (s *Store) ErasuresDue(ctx context.Context, now time.Time, limit int) ([]ErasureTarget, error) {
	return s.erasureTargets(ctx, `SELECT e.env, e.applicant_id FROM applicant_erasures e JOIN applicants a ON a.id = e.applicant_id
		WHERE e.status = 'scheduled' AND e.due_at <= ? AND a.legal_hold IS NULL ORDER BY e.due_at LIMIT ?`, micros(now), limit)
}

// ErasuresUnpurged returns up to limit erasures carried out whose file blobs are not yet deleted.
func (s *Store) ErasuresUnpurged(ctx context.Context, limit int) ([]ErasureTarget, error) {
	return s.erasureTargets(ctx, `SELECT env, applicant_id FROM applicant_erasures WHERE status = 'erased' AND blobs_purged_at IS NULL ORDER BY erased_at LIMIT ?`,
		limit)
}

func (s *Store) erasureTargets(ctx context.Context, query string, args ...any) ([]ErasureTarget, error) {
	rs, err := s.reader().query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("erasures: %w", err)
	}
	defer rs.Close()
	var out []ErasureTarget
	for rs.Next() {
		var t ErasureTarget
		var env string
		if err := rs.Scan(&env, &t.ApplicantID); err != nil {
			return nil, fmt.Errorf("erasures: %w", err)
		}
		t.Env = kyc.Env(env)
		out = append(out, t)
	}
	return out, rs.Err()
}

// FileBlobKeys returns the blob keys of every file of an applicant.
func (s *Store) FileBlobKeys(ctx context.Context, env kyc.Env, applicantID string) ([]string, error) {
	return s.readIDs(ctx, "blob keys of applicant "+applicantID, `SELECT blob_key FROM files WHERE env = ? AND applicant_id = ?`, string(env), applicantID)
}

// MarkBlobsPurged records that an erased applicant's file blobs are deleted.
func (s *Store) MarkBlobsPurged(ctx context.Context, env kyc.Env, applicantID string, at time.Time) error {
	return s.inTx(ctx, func(t *txn) error {
		_, err := t.exec(ctx, `UPDATE applicant_erasures SET blobs_purged_at = ? WHERE env = ? AND applicant_id = ? AND status = 'erased'`,
			micros(at), string(env), applicantID)
		return err
	})
}

// RequireApplicant answers a validation error naming field when the applicant is not in the
// transaction's environment, and kyc.ErrGone when it was erased; on PostgreSQL it holds the
// applicant's row against an erasure until the transaction ends (see requireApplicant).
func (tx *Tx) RequireApplicant(ctx context.Context, applicantID, field string) error {
	return tx.s.requireApplicant(ctx, tx.t, tx.env, applicantID, field)
}
