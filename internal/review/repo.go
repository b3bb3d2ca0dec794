package review

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/store"
	"kycd/internal/verify"
)

// The cases' records (table review_cases, migration 00020) and the sink that opens and closes
// them in the transactions that move their subjects.

const caseColumns = `id, env, kind, subject_id, applicant_id, reason, level, priority, status, claimed_by, claim_expires_at, snoozed_until,
	revision, created_at, due_at, decided_at`

func scanCase(r store.Row) (Case, error) {
	var c Case
	var env, status string
	var claimedBy sql.NullString
	var claimExpires, snoozed, decided sql.NullInt64
	var created, due int64
	if err := r.Scan(&c.ID, &env, &c.Kind, &c.SubjectID, &c.ApplicantID, &c.Reason, &c.Level, &c.Priority, &status, &claimedBy,
		&claimExpires, &snoozed, &c.Revision, &created, &due, &decided); err != nil {
		return c, err
	}
	c.Env, c.Open, c.ClaimedBy = kyc.Env(env), status == "open", claimedBy.String
	if claimExpires.Valid {
		c.ClaimExpires = store.FromMicros(claimExpires.Int64)
	}
	if snoozed.Valid {
		c.SnoozedUntil = store.FromMicros(snoozed.Int64)
	}
	if decided.Valid {
		c.DecidedTime = store.FromMicros(decided.Int64)
	}
	c.CreatedTime, c.DueTime = store.FromMicros(created), store.FromMicros(due)
	return c, nil
}

// Cases is the store.EventSink that keeps the queue in step with what it holds: an event that
// puts a document in pending-review, or a screening at potential-match, opens a case in the same
// transaction; one that decides it closes the case. The composition root gives it to the store
// (store.JobsConfig.Events, with webhook's).
type Cases struct {
	cfg Config
}

var _ store.EventSink = Cases{}

// EventsWritten opens and closes the cases of the change's events.
func (cs Cases) EventsWritten(ctx context.Context, tx *store.Tx, events []kyc.Event) error {
	for _, ev := range events {
		var err error
		switch ev.Type {
		case kyc.EventDocumentPendingReview:
			err = cs.openDocument(ctx, tx, ev)
		case kyc.EventScreeningPotentialMatch:
			err = cs.openScreening(ctx, tx, ev)
		case kyc.EventDocumentAccepted, kyc.EventDocumentRejected, kyc.EventDocumentReviewed, kyc.EventDocumentArchived,
			kyc.EventScreeningReviewed, kyc.EventScreeningClear:
			err = closeCase(ctx, tx, ev.ResourceID, ev.CreatedTime)
		}
		if err != nil {
			return fmt.Errorf("review queue, event %s: %w", ev.Type, err)
		}
	}
	return nil
}

// decodeData reads the resource an event carries (raw JSON, as the store gives it to sinks).
func decodeData(ev kyc.Event, v any) error {
	raw, ok := ev.Data.(json.RawMessage)
	if !ok {
		var err error
		if raw, err = json.Marshal(ev.Data); err != nil {
			return err
		}
	}
	return json.Unmarshal(raw, v)
}

// documentReason is why a document waits: the duplicate check that held it, if one failed.
func documentReason(d kyc.Document) string {
	reason := ReasonDocument
	for _, c := range d.CheckList {
		switch {
		case c.Name == verify.CheckDuplicateFace && c.Failed:
			return ReasonDuplicateFace
		case c.Failed && (c.Name == verify.CheckDuplicateNumber || c.Name == verify.CheckDuplicateFile || c.Name == verify.CheckDuplicateImage):
			reason = ReasonDuplicate
		}
	}
	if d.Decision != nil && d.Decision.Decisive == verify.CheckDuplicateFace {
		return ReasonDuplicateFace
	}
	return reason
}

func (cs Cases) openDocument(ctx context.Context, tx *store.Tx, ev kyc.Event) error {
	var d kyc.Document
	if err := decodeData(ev, &d); err != nil {
		return err
	}
	level := ""
	if d.Decision != nil {
		level = d.Decision.Level
	} else if d.RequestID != "" {
		if err := tx.QueryRow(ctx, `SELECT level FROM kyc_requests WHERE env = ? AND id = ?`, string(tx.Env()), d.RequestID).Scan(&level); err != nil && err != store.ErrNoRows {
			return err
		}
	}
	return cs.open(ctx, tx, KindDocument, d.ID, d.ApplicantID, documentReason(d), level, ev.CreatedTime)
}

func (cs Cases) openScreening(ctx context.Context, tx *store.Tx, ev kyc.Event) error {
	var sc kyc.Screening
	if err := decodeData(ev, &sc); err != nil {
		return err
	}
	var level string
	if err := tx.QueryRow(ctx, `SELECT level FROM applicants WHERE env = ? AND id = ?`, string(tx.Env()), sc.ApplicantID).Scan(&level); err != nil && err != store.ErrNoRows {
		return err
	}
	return cs.open(ctx, tx, KindScreening, sc.ID, sc.ApplicantID, ReasonSanctions, level, ev.CreatedTime)
}

// open opens a case about subject unless one is open already (a subject sent to review twice
// keeps its first case, its age and its claim).
func (cs Cases) open(ctx context.Context, tx *store.Tx, kind, subject, applicant, reason, level string, at time.Time) error {
	if at.IsZero() {
		at = store.Now()
	}
	_, err := tx.Exec(ctx, `INSERT INTO review_cases (id, env, kind, subject_id, applicant_id, reason, level, priority, status, revision, created_at, due_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', 1, ?, ?) ON CONFLICT (env, subject_id) WHERE status = 'open' DO NOTHING`,
		kyc.NewID(PrefixCase), string(tx.Env()), kind, subject, applicant, reason, level, cs.cfg.priorityOf(level, reason),
		store.Micros(at), store.Micros(at.Add(cs.cfg.slaOf(level))))
	return err
}

// closeCase closes the open case about subject, if any, and supersedes a proposal still waiting
// on it (an approval that carries the proposal out settles it afterwards).
func closeCase(ctx context.Context, tx *store.Tx, subject string, at time.Time) error {
	if at.IsZero() {
		at = store.Now()
	}
	if _, err := tx.Exec(ctx, `UPDATE review_proposals SET status = 'superseded' WHERE env = ? AND status = 'pending'
		AND case_id IN (SELECT id FROM review_cases WHERE env = ? AND subject_id = ? AND status = 'open')`,
		string(tx.Env()), string(tx.Env()), subject); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE review_cases SET status = 'decided', decided_at = ?, revision = revision + 1
		WHERE env = ? AND subject_id = ? AND status = 'open'`, store.Micros(at), string(tx.Env()), subject)
	return err
}
