package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
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
	// Fingerprints to store for the document (duplicate detection); written with the change.
	Fingerprints []Fingerprint
	// Faces to index for the duplicate-face check; written with the change (package verify gives
	// them only when the document ends accepted or pending review).
	Faces []Face
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

// Fingerprint is a value that identifies a document across applicants: kind "document-number" (a
// keyed HMAC of number, issuing country and subtype), "sha256" or "phash" (of a file).
type Fingerprint struct {
	Kind  string
	Value string
}

// DecideDocument locks a document, its request and its applicant (in that order, always), lets
// decide change them and name the effects, and writes back what changed (Case.Changed). It writes
// the effects as decide returns them: the audit entries and events of the request and applicant a
// decision moved are decide's to name. Events written without Data get the snapshot, as written,
// of the case's resource with their ResourceID (the document's when it names none of them).
func (s *Store) DecideDocument(ctx context.Context, env kyc.Env, id string, decide func(c *Case) (Effects, error)) (kyc.Document, error) {
	var out kyc.Document
	err := s.inTx(ctx, func(t *txn) error {
		d, err := s.document(ctx, t, env, id, s.forUpdate())
		if err != nil {
			return err
		}
		c := &Case{Document: &d}
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
		for _, f := range c.Fingerprints {
			if _, err := t.exec(ctx, `INSERT INTO document_fingerprints (env, kind, value, document_id, applicant_id, created_at) VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (env, kind, value, document_id) DO NOTHING`, string(env), f.Kind, f.Value, d.ID, d.ApplicantID, micros(at)); err != nil {
				return fmt.Errorf("fingerprint: %w", err)
			}
		}
		if err := s.writeFaces(ctx, t, &d, c.Faces, micros(at)); err != nil {
			return err
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
	rs, err := q.query(ctx, `SELECT `+documentColumns+` FROM kyc_documents WHERE env = ? AND request_id = ? ORDER BY id`, string(env), requestID)
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
	a.Revision++
	a.UpdatedTime = at
	data, err := s.sealJSON(applicantData{a.Email, a.Profile, a.Addresses}, "applicant:"+a.ID)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `UPDATE applicants SET external_id = ?, type = ?, status = ?, level = ?, data = ?, revision = ?, updated_at = ?
		WHERE env = ? AND id = ?`, nullString(a.ExternalID), a.Type, a.Status, a.Level, data, a.Revision, micros(at), string(a.Env), a.ID)
	if isUniqueViolation(err) {
		return fmt.Errorf("an applicant with this externalId already exists: %w", kyc.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("update applicant: %w", err)
	}
	return nil
}

// FingerprintMatch is another applicant's document that has the same fingerprint.
type FingerprintMatch struct {
	Value       string
	DocumentID  string
	ApplicantID string
}

// FindFingerprints returns documents of other applicants in env with a fingerprint of this kind and
// one of these values (at most 20 a value), in one query.
func (s *Store) FindFingerprints(ctx context.Context, env kyc.Env, kind string, values []string, notApplicant string) ([]FingerprintMatch, error) {
	if len(values) == 0 {
		return nil, nil
	}
	args := []any{string(env), kind, notApplicant}
	for _, v := range values {
		args = append(args, v)
	}
	rs, err := s.reader().query(ctx, `SELECT value, document_id, applicant_id FROM document_fingerprints
		WHERE env = ? AND kind = ? AND applicant_id <> ? AND value IN (?`+strings.Repeat(", ?", len(values)-1)+`)
		ORDER BY value, document_id LIMIT `+strconv.Itoa(20*len(values)), args...)
	if err != nil {
		return nil, fmt.Errorf("find fingerprints: %w", err)
	}
	defer rs.Close()
	var out []FingerprintMatch
	for rs.Next() {
		var m FingerprintMatch
		if err := rs.Scan(&m.Value, &m.DocumentID, &m.ApplicantID); err != nil {
			return nil, fmt.Errorf("find fingerprints: %w", err)
		}
		out = append(out, m)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("find fingerprints: %w", err)
	}
	return out, nil
}

// StoredFingerprint is a fingerprint as stored, with its place in the order of storing.
type StoredFingerprint struct {
	FingerprintMatch
	Seq int64
}

// FingerprintsAfter returns up to limit fingerprints of this kind in env stored with a seq above
// after, in seq order: the perceptual hashes that a near-duplicate search keeps in memory and
// brings up to date. On PostgreSQL a row's seq is taken when its transaction inserts it, so one
// committed later may have a lower seq than one already read: callers read a margin again. On
// SQLite (one writer) the rowid is the seq, and it grows in commit order.
func (s *Store) FingerprintsAfter(ctx context.Context, env kyc.Env, kind string, after int64, limit int) ([]StoredFingerprint, error) {
	seq := "seq"
	if s.dialect == SQLite {
		seq = "rowid"
	}
	rs, err := s.reader().query(ctx, `SELECT `+seq+`, value, document_id, applicant_id FROM document_fingerprints
		WHERE env = ? AND kind = ? AND `+seq+` > ? ORDER BY `+seq+` LIMIT ?`, string(env), kind, after, limit)
	if err != nil {
		return nil, fmt.Errorf("fingerprints: %w", err)
	}
	defer rs.Close()
	var out []StoredFingerprint
	for rs.Next() {
		var m StoredFingerprint
		if err := rs.Scan(&m.Seq, &m.Value, &m.DocumentID, &m.ApplicantID); err != nil {
			return nil, fmt.Errorf("fingerprints: %w", err)
		}
		out = append(out, m)
	}
	return out, rs.Err()
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
