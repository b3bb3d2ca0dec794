package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"kycd/internal/kyc"
)

// Case is a KYC document with what its decision can change: the KYC request it answers (nil when
// none) with all of that request's documents, and its applicant. Decide hands it to a function
// that may change the document, the request and the applicant; the store writes back what changed,
// each with revision + 1, in one transaction.
type Case struct {
	Document *kyc.Document
	// Request is nil when the document answers no request.
	Request *kyc.Request
	// Documents are all of the request's documents, this one included (as Document, changes and all).
	Documents []*kyc.Document
	Applicant *kyc.Applicant
	// Tx is the decision's transaction: the deciding domain writes its own records of the
	// decision through it (verify's fingerprints and faces), to commit with the decision or not
	// at all.
	Tx *Tx
	// Earlier are the types of the applicant's accepted documents outside this request (still valid
	// from an earlier one: an archived document is no longer accepted). A level counts them.
	Earlier []string
	// Initial is what the case was when it was loaded, so that a decision can tell which statuses
	// it changed (and name an event for each).
	Initial CaseStatus

	// loaded holds the document, request and applicant as JSON when Snapshot was called, for
	// Changed.
	loaded struct{ doc, req, apl []byte }
}

// Snapshot records the case's document, request and applicant as they are now, so that Changed
// can tell which of them a decision changed. DecideDocument calls it once the case is loaded.
func (c *Case) Snapshot() {
	c.loaded.doc, _ = json.Marshal(c.Document)
	c.loaded.req, _ = json.Marshal(c.Request)
	c.loaded.apl, _ = json.Marshal(c.Applicant)
}

// CaseChanges says which resources of a case differ from their snapshot: those DecideDocument
// writes back.
type CaseChanges struct {
	Document, Request, Applicant bool
}

// Changed reports which of the case's document, request and applicant differ, in any field, from
// what they were at Snapshot. A request that is nil never counts as changed.
func (c *Case) Changed() CaseChanges {
	return CaseChanges{
		Document:  changed(c.loaded.doc, c.Document),
		Request:   c.Request != nil && changed(c.loaded.req, c.Request),
		Applicant: changed(c.loaded.apl, c.Applicant),
	}
}

// CaseStatus is the statuses of a case at one moment.
type CaseStatus struct {
	Document, Request, Applicant, ApplicantLevel string
}

// DecideDocument locks a document, its request and its applicant (in that order, always, after
// holding the applicant's row against an erasure on PostgreSQL), lets
// decide change them and name the effects, and writes back what changed (Case.Changed). It writes
// the effects as decide returns them: the audit entries and events of the request and applicant a
// decision moved are decide's to name. Events written without Data get the snapshot, as written,
// of the case's resource with their ResourceID (the document's when it names none of them).
func (s *Store) DecideDocument(ctx context.Context, env kyc.Env, id string, decide func(c *Case) (Effects, error)) (kyc.Document, error) {
	var out kyc.Document
	err := s.inTx(ctx, func(t *txn) error {
		// The applicant's row is held first (forKeyShare), before the document's: an erasure locks
		// the applicant and then its documents, and this order cannot meet it the other way round.
		if s.dialect == Postgres {
			var applicantID string
			err := t.queryRow(ctx, `SELECT applicant_id FROM kyc_documents WHERE env = ? AND id = ?`, string(env), id).Scan(&applicantID)
			if err == errNoRows {
				return fmt.Errorf("kyc document %s: %w", id, kyc.ErrNotFound)
			}
			if err != nil {
				return fmt.Errorf("the document's applicant: %w", err)
			}
			if _, err := t.exec(ctx, `SELECT 1 FROM applicants WHERE env = ? AND id = ?`+s.forKeyShare(), string(env), applicantID); err != nil {
				return fmt.Errorf("hold the document's applicant: %w", err)
			}
		}
		d, err := s.document(ctx, t, env, id, s.forUpdate())
		if err != nil {
			return err
		}
		c := &Case{Document: &d, Tx: &Tx{s: s, t: t, env: env}}
		if d.RequestID != "" {
			r, err := s.request(ctx, t, env, d.RequestID, s.forUpdate())
			if err != nil {
				return err
			}
			c.Request = &r
			if c.Documents, err = s.requestDocuments(ctx, t, env, r.ID, &d); err != nil {
				return err
			}
			if c.Earlier, err = s.earlierAcceptedTypes(ctx, t, env, d.ApplicantID, r.ID); err != nil {
				return err
			}
		}
		a, err := s.applicant(ctx, t, env, d.ApplicantID, s.forUpdate())
		if err != nil {
			return err
		}
		c.Applicant = &a
		c.Snapshot()
		c.Initial = CaseStatus{Document: d.Status, Applicant: a.Status, ApplicantLevel: a.Level}
		if c.Request != nil {
			c.Initial.Request = c.Request.Status
		}

		eff, err := decide(c)
		if err != nil {
			return err
		}
		at := now()
		ch := c.Changed()
		if err := auditsChanges(c, ch, eff); err != nil {
			return err
		}
		if ch.Document {
			d.Revision++
			d.UpdatedTime = at
			if err := s.writeDocument(ctx, t, &d, false); err != nil {
				return err
			}
		}
		if ch.Request {
			if err := s.writeRequest(ctx, t, c.Request); err != nil {
				return err
			}
		}
		if ch.Applicant {
			if err := s.writeApplicant(ctx, t, c.Applicant, at); err != nil {
				return err
			}
		}
		for i := range eff.Events {
			ev := &eff.Events[i]
			if ev.Data != nil {
				continue
			}
			switch {
			case c.Request != nil && ev.ResourceID == c.Request.ID:
				ev.Data, ev.Revision = c.Request, c.Request.Revision
			case ev.ResourceID == c.Applicant.ID:
				ev.Data, ev.Revision = c.Applicant, c.Applicant.Revision
			default:
				ev.Data, ev.Revision = c.Document, c.Document.Revision
			}
		}
		out = d
		return s.applyEffects(ctx, t, env, eff, at)
	})
	return out, err
}

func changed(before []byte, v any) bool {
	after, _ := json.Marshal(v)
	return string(before) != string(after)
}

// requestDocuments returns a request's documents, with self in place of its own stored copy.
func (s *Store) requestDocuments(ctx context.Context, q querier, env kyc.Env, requestID string, self *kyc.Document) ([]*kyc.Document, error) {
	rs, err := q.query(ctx, `SELECT `+documentReadColumns+` FROM kyc_documents WHERE env = ? AND request_id = ? ORDER BY id`, string(env), requestID)
	if err != nil {
		return nil, fmt.Errorf("request documents: %w", err)
	}
	defer rs.Close()
	var out []*kyc.Document
	for rs.Next() {
		d, err := s.scanDocument(rs)
		if err != nil {
			return nil, err
		}
		if d.ID == self.ID {
			out = append(out, self)
			continue
		}
		out = append(out, &d)
	}
	return out, rs.Err()
}

// earlierAcceptedTypes lists the types of an applicant's accepted documents that answer no request
// or another request than requestID.
func (s *Store) earlierAcceptedTypes(ctx context.Context, q querier, env kyc.Env, applicantID, requestID string) ([]string, error) {
	rs, err := q.query(ctx, `SELECT DISTINCT type FROM kyc_documents WHERE env = ? AND applicant_id = ? AND status = 'accepted'
		AND (request_id IS NULL OR request_id <> ?) ORDER BY type`, string(env), applicantID, requestID)
	if err != nil {
		return nil, fmt.Errorf("earlier documents: %w", err)
	}
	defer rs.Close()
	var out []string
	for rs.Next() {
		var typ string
		if err := rs.Scan(&typ); err != nil {
			return nil, err
		}
		out = append(out, typ)
	}
	return out, rs.Err()
}

// writeApplicant writes back an applicant changed inside a transaction, with revision + 1.
func (s *Store) writeApplicant(ctx context.Context, t *txn, a *kyc.Applicant, at time.Time) error {
	if a.ErasedTime != nil {
		return errErased(a.ID)
	}
	a.Revision++
	a.UpdatedTime = at
	// The applicant's data key, drawn now for an applicant written before applicants had keys:
	// its data moves under it with this change.
	var key []byte
	if err := t.queryRow(ctx, `SELECT data_key FROM applicants WHERE env = ? AND id = ?`, string(a.Env), a.ID).Scan(&key); err != nil {
		return fmt.Errorf("update applicant: %w", err)
	}
	data, key, err := s.sealApplicant(a, key)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `UPDATE applicants SET external_id = ?, type = ?, status = ?, level = ?, data = ?, revision = ?, updated_at = ?, data_key = ?
		WHERE env = ? AND id = ?`, nullString(a.ExternalID), a.Type, a.Status, a.Level, data, a.Revision, micros(at), key, string(a.Env), a.ID)
	if isUniqueViolation(err) {
		return fmt.Errorf("an applicant with this externalId already exists: %w", kyc.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("update applicant: %w", err)
	}
	return nil
}

// auditsChanges refuses a decision that changed the case's request or applicant without an audit
// entry about it: the store writes every change it is handed, so the entries that name them
// (request.Decided's) are what keeps the audit log complete.
func auditsChanges(c *Case, ch CaseChanges, eff Effects) error {
	audited := func(id string) bool {
		for _, a := range append([]kyc.AuditEntry{eff.Audit}, eff.MoreAudit...) {
			if a.ResourceID == id {
				return true
			}
		}
		return false
	}
	if ch.Request && !audited(c.Request.ID) {
		return fmt.Errorf("store: the decision changed request %s without an audit entry about it", c.Request.ID)
	}
	if ch.Applicant && !audited(c.Applicant.ID) {
		return fmt.Errorf("store: the decision changed applicant %s without an audit entry about it", c.Applicant.ID)
	}
	return nil
}
