package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"kycd/internal/kyc"
)

const documentColumns = `id, env, applicant_id, request_id, type, subtype, file_ids, identification, status, score, check_list,
	rejection_type, rejection_message, revision, created_at, updated_at, parsed_data, decision, review`

// documentReadColumns are documentColumns and the data key of the document's applicant, which its
// sealed columns (identification, parsed_data) are under.
const documentReadColumns = documentColumns + `,
	(SELECT a.data_key FROM applicants a WHERE a.env = kyc_documents.env AND a.id = kyc_documents.applicant_id)`

// TakesDocument is the rule of whether a KYC request takes a new document, given by package
// document: it adds to p what refuses the document. The store calls it inside the creating
// transaction with the request as read there, once the request is known to be the document's
// applicant's.
type TakesDocument func(r kyc.Request, p *kyc.Problems)

// CreateDocument stores a new KYC document. Inside the transaction it checks that the applicant,
// every file (which must belong to that applicant) and the request, when given, exist in the same
// environment, asks takes whether the request takes the document, and answers a validation error
// naming the fields otherwise. A document for a request needs takes: without the rule the store
// would take a document for a request that is already decided, so it refuses instead.
func (s *Store) CreateDocument(ctx context.Context, d *kyc.Document, eff Effects, takes TakesDocument) error {
	at := now()
	d.CreatedTime, d.UpdatedTime, d.Revision = at, at, 0
	return s.inTx(ctx, func(t *txn) error {
		if err := s.checkDocumentRefs(ctx, t, d, takes); err != nil {
			return err
		}
		if err := s.writeDocument(ctx, t, d, true); err != nil {
			return err
		}
		completeEvents(&eff, d.Revision, d)
		return s.applyEffects(ctx, t, d.Env, eff, at)
	})
}

func (s *Store) checkDocumentRefs(ctx context.Context, t *txn, d *kyc.Document, takes TakesDocument) error {
	if err := s.requireApplicant(ctx, t, d.Env, d.ApplicantID, "body.applicantId"); err != nil {
		return err
	}
	var p kyc.Problems
	for i, id := range d.FileIDs {
		var owner string
		err := t.queryRow(ctx, `SELECT applicant_id FROM files WHERE env = ? AND id = ?`, string(d.Env), id).Scan(&owner)
		switch {
		case err == errNoRows:
			p.Add(fmt.Sprintf("body.fileIds[%d]", i), "no file %s in this environment", id)
		case err != nil:
			return fmt.Errorf("check file: %w", err)
		case owner != d.ApplicantID:
			p.Add(fmt.Sprintf("body.fileIds[%d]", i), "file %s belongs to another applicant", id)
		}
	}
	if d.RequestID != "" {
		r, err := s.request(ctx, t, d.Env, d.RequestID, "")
		switch {
		case err != nil:
			p.Add("body.requestId", "no KYC request %s in this environment", d.RequestID)
		case r.ApplicantID != d.ApplicantID:
			p.Add("body.requestId", "the KYC request is for another applicant")
		case takes == nil:
			return errors.New("store: a document for a KYC request needs the rule of whether the request takes it")
		default:
			takes(r, &p)
		}
	}
	return p.Err()
}

func (s *Store) writeDocument(ctx context.Context, t *txn, d *kyc.Document, insert bool) error {
	fileIDs, err := json.Marshal(d.FileIDs)
	if err != nil {
		return fmt.Errorf("document: %w", err)
	}
	key, err := s.applicantKey(ctx, t, d.Env, d.ApplicantID)
	if err != nil {
		return fmt.Errorf("write document: %w", err)
	}
	var ident []byte
	if d.Identification != nil {
		if ident, err = s.sealFor(key, d.Env, d.ApplicantID, d.Identification, "document:"+d.ID); err != nil {
			return err
		}
	}
	var checks *string
	if d.CheckList != nil {
		b, err := json.Marshal(d.CheckList)
		if err != nil {
			return fmt.Errorf("document: %w", err)
		}
		c := string(b)
		checks = &c
	}
	var rejType, rejMsg string
	if d.RejectionReason != nil {
		rejType, rejMsg = d.RejectionReason.Type, d.RejectionReason.Message
	}
	var parsed []byte
	if d.ParsedData != nil {
		if parsed, err = s.sealFor(key, d.Env, d.ApplicantID, d.ParsedData, "document-parsed:"+d.ID); err != nil {
			return err
		}
	}
	decision, err := jsonOrNil(d.Decision)
	if err != nil {
		return err
	}
	review, err := jsonOrNil(d.Review)
	if err != nil {
		return err
	}
	if insert {
		_, err = t.exec(ctx, `INSERT INTO kyc_documents (`+documentColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			d.ID, string(d.Env), d.ApplicantID, nullString(d.RequestID), d.Type, d.Subtype, string(fileIDs), ident, d.Status, d.Score,
			checks, rejType, rejMsg, d.Revision, micros(d.CreatedTime), micros(d.UpdatedTime), parsed, decision, review)
	} else {
		_, err = t.exec(ctx, `UPDATE kyc_documents SET subtype = ?, file_ids = ?, identification = ?, status = ?, score = ?, check_list = ?,
			rejection_type = ?, rejection_message = ?, revision = ?, updated_at = ?, parsed_data = ?, decision = ?, review = ? WHERE env = ? AND id = ?`,
			d.Subtype, string(fileIDs), ident, d.Status, d.Score, checks, rejType, rejMsg, d.Revision, micros(d.UpdatedTime),
			parsed, decision, review, string(d.Env), d.ID)
	}
	if err != nil {
		return fmt.Errorf("write document: %w", err)
	}
	return nil
}

// Document returns one KYC document of env.
func (s *Store) Document(ctx context.Context, env kyc.Env, id string) (kyc.Document, error) {
	return s.document(ctx, s.reader(), env, id, "")
}

func (s *Store) document(ctx context.Context, q querier, env kyc.Env, id, suffix string) (kyc.Document, error) {
	d, err := s.scanDocument(q.queryRow(ctx, `SELECT `+documentReadColumns+` FROM kyc_documents WHERE env = ? AND id = ?`+suffix, string(env), id))
	if err == errNoRows {
		return kyc.Document{}, fmt.Errorf("kyc document %s: %w", id, kyc.ErrNotFound)
	}
	return d, err
}

func (s *Store) scanDocument(r row) (kyc.Document, error) {
	var d kyc.Document
	var env, fileIDs, rejType, rejMsg string
	var reqID, checks *string
	var ident, parsed, key []byte
	var decision, review *string
	var score *int
	var created, updated int64
	if err := r.Scan(&d.ID, &env, &d.ApplicantID, &reqID, &d.Type, &d.Subtype, &fileIDs, &ident, &d.Status, &score, &checks,
		&rejType, &rejMsg, &d.Revision, &created, &updated, &parsed, &decision, &review, &key); err != nil {
		if err == errNoRows {
			return d, err
		}
		return d, fmt.Errorf("scan document: %w", err)
	}
	d.Env, d.Score, d.CreatedTime, d.UpdatedTime = kyc.Env(env), score, fromMicros(created), fromMicros(updated)
	if reqID != nil {
		d.RequestID = *reqID
	}
	if err := json.Unmarshal([]byte(fileIDs), &d.FileIDs); err != nil {
		return d, fmt.Errorf("document files: %w", err)
	}
	if checks != nil {
		if err := json.Unmarshal([]byte(*checks), &d.CheckList); err != nil {
			return d, fmt.Errorf("document checks: %w", err)
		}
	}
	if len(ident) > 0 {
		d.Identification = &kyc.Identification{}
		if err := s.openFor(key, kyc.Env(env), d.ApplicantID, ident, "document:"+d.ID, d.Identification); err != nil {
			return d, err
		}
	}
	if rejType != "" {
		d.RejectionReason = &kyc.RejectionReason{Type: rejType, Message: rejMsg}
	}
	if len(parsed) > 0 {
		if err := s.openFor(key, kyc.Env(env), d.ApplicantID, parsed, "document-parsed:"+d.ID, &d.ParsedData); err != nil {
			return d, err
		}
	}
	if decision != nil {
		d.Decision = &kyc.Decision{}
		if err := json.Unmarshal([]byte(*decision), d.Decision); err != nil {
			return d, fmt.Errorf("document decision: %w", err)
		}
	}
	if review != nil {
		d.Review = &kyc.Review{}
		if err := json.Unmarshal([]byte(*review), d.Review); err != nil {
			return d, fmt.Errorf("document review: %w", err)
		}
	}
	return d, nil
}

// jsonOrNil marshals v, or answers nil (SQL NULL) for a nil pointer.
func jsonOrNil[T any](v *T) (*string, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("marshal: %w", err)
	}
	str := string(b)
	return &str, nil
}

// UpdateDocument reads a KYC document under a write lock, lets mutate change it and name the
// effects, and writes it back with revision + 1. An error from mutate aborts with nothing written.
func (s *Store) UpdateDocument(ctx context.Context, env kyc.Env, id string, mutate func(d *kyc.Document) (Effects, error)) (kyc.Document, error) {
	var out kyc.Document
	err := s.inTx(ctx, func(t *txn) error {
		if err := s.holdApplicantOf(ctx, t, env, "kyc_documents", id); err != nil {
			return err
		}
		d, err := s.document(ctx, t, env, id, s.forUpdate())
		if err != nil {
			return err
		}
		eff, err := mutate(&d)
		if err != nil {
			return err
		}
		d.Revision++
		d.UpdatedTime = now()
		if err := s.writeDocument(ctx, t, &d, false); err != nil {
			return err
		}
		out = d
		completeEvents(&eff, d.Revision, d)
		return s.applyEffects(ctx, t, env, eff, d.UpdatedTime)
	})
	return out, err
}

// ListDocuments returns one page of an applicant's KYC documents, newest first.
func (s *Store) ListDocuments(ctx context.Context, env kyc.Env, applicantID, cursor string, limit int) (kyc.Page[kyc.Document], error) {
	if applicantID == "" {
		return kyc.Page[kyc.Document]{Items: []kyc.Document{}}, nil // an applicant's documents: no applicant, no documents
	}
	return s.FindDocuments(ctx, env, DocumentFilter{ApplicantID: applicantID}, cursor, limit)
}

// ApplicantDocumentIDs returns the ids of an applicant's documents in any of statuses.
func (s *Store) ApplicantDocumentIDs(ctx context.Context, env kyc.Env, applicantID string, statuses ...string) ([]string, error) {
	rs, err := s.reader().query(ctx, `SELECT id, status FROM kyc_documents WHERE env = ? AND applicant_id = ? ORDER BY id`, string(env), applicantID)
	if err != nil {
		return nil, fmt.Errorf("documents: %w", err)
	}
	defer rs.Close()
	var out []string
	for rs.Next() {
		var id, st string
		if err := rs.Scan(&id, &st); err != nil {
			return nil, err
		}
		for _, want := range statuses {
			if st == want {
				out = append(out, id)
			}
		}
	}
	return out, rs.Err()
}
