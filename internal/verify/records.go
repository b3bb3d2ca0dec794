package verify

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"

	"kycd/internal/kyc"
	"kycd/internal/store"
)

// The records verification keeps of decided documents, to find the same document, file, photo or
// face again on another applicant: fingerprints (table document_fingerprints) and face embeddings
// (face_embeddings). They are verify's: it writes them in the decision's transaction (Case.Tx) and
// reads them with its own queries over the store's core.

// Fingerprint is a value that identifies a document across applicants: kind "document-number" (a
// keyed HMAC of number, issuing country and subtype), "sha256" or "phash" (of a file).
type Fingerprint struct {
	Kind  string
	Value string
}

// FingerprintMatch is another applicant's document that has the same fingerprint.
type FingerprintMatch struct {
	Value       string
	DocumentID  string
	ApplicantID string
}

// StoredFingerprint is a fingerprint as stored, with its place in the order of storing.
type StoredFingerprint struct {
	FingerprintMatch
	Seq int64
}

// Face is a face of a decided identity document, for the duplicate-face check: the selfie's or
// the document portrait's embedding (dlib's 128 floats).
type Face struct {
	FileID string
	// Kind is "selfie" or "portrait".
	Kind      string
	Embedding []float32
}

// StoredFace is a face as stored, with where it came from.
type StoredFace struct {
	Face
	Seq         int64
	DocumentID  string
	ApplicantID string
}

// writeRecords stores a decided document's fingerprints and faces in the decision's transaction;
// one stored before (a decision replayed) is kept as it was. Faces are sealed.
func writeRecords(ctx context.Context, tx *store.Tx, d *kyc.Document, prints []Fingerprint, faces []Face) error {
	at := store.Micros(store.Now())
	for _, f := range prints {
		if _, err := tx.Exec(ctx, `INSERT INTO document_fingerprints (env, kind, value, document_id, applicant_id, created_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (env, kind, value, document_id) DO NOTHING`, string(d.Env), f.Kind, f.Value, d.ID, d.ApplicantID, at); err != nil {
			return fmt.Errorf("fingerprint: %w", err)
		}
	}
	for _, f := range faces {
		raw := make([]byte, 4*len(f.Embedding))
		for i, v := range f.Embedding {
			binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
		}
		sealed, err := tx.Seal(raw, faceAAD(d.Env, d.ID, f.FileID))
		if err != nil {
			return fmt.Errorf("face: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO face_embeddings (env, document_id, applicant_id, file_id, kind, embedding, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (env, document_id, file_id) DO NOTHING`,
			string(d.Env), d.ID, d.ApplicantID, f.FileID, f.Kind, sealed, at); err != nil {
			return fmt.Errorf("face: %w", err)
		}
	}
	return nil
}

// faceAAD binds a sealed embedding to its row.
func faceAAD(env kyc.Env, documentID, fileID string) string {
	return "face:" + string(env) + ":" + documentID + ":" + fileID
}

// Records reads what verification keeps of decided documents.
type Records interface {
	// Query runs a read.
	Query(ctx context.Context, query string, args ...any) (store.Rows, error)
	// Open opens a value sealed with aad.
	Open(sealed []byte, aad string) ([]byte, error)
	// Dialect says which database answers.
	Dialect() store.Dialect
}

var _ Records = (*store.Store)(nil)

// findFingerprints returns documents of other applicants in env with a fingerprint of this kind
// and one of these values (at most 20 a value), in one query.
func findFingerprints(ctx context.Context, r Records, env kyc.Env, kind string, values []string, notApplicant string) ([]FingerprintMatch, error) {
	if len(values) == 0 {
		return nil, nil
	}
	args := []any{string(env), kind, notApplicant}
	for _, v := range values {
		args = append(args, v)
	}
	rs, err := r.Query(ctx, `SELECT value, document_id, applicant_id FROM document_fingerprints
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

// fingerprintsAfter returns up to limit fingerprints of this kind in env stored with a seq above
// after, in seq order: the perceptual hashes that a near-duplicate search keeps in memory and
// brings up to date. On PostgreSQL a row's seq is taken when its transaction inserts it, so one
// committed later may have a lower seq than one already read: callers read a margin again. On
// SQLite (one writer) the rowid is the seq, and it grows in commit order.
func fingerprintsAfter(ctx context.Context, r Records, env kyc.Env, kind string, after int64, limit int) ([]StoredFingerprint, error) {
	seq := "seq"
	if r.Dialect() == store.SQLite {
		seq = "rowid"
	}
	rs, err := r.Query(ctx, `SELECT `+seq+`, value, document_id, applicant_id FROM document_fingerprints
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

// facesAfter returns up to limit faces of env stored with a seq above after, in seq order, their
// embeddings opened.
func facesAfter(ctx context.Context, r Records, env kyc.Env, after int64, limit int) ([]StoredFace, error) {
	rs, err := r.Query(ctx, `SELECT seq, document_id, applicant_id, file_id, kind, embedding FROM face_embeddings
		WHERE env = ? AND seq > ? ORDER BY seq LIMIT ?`, string(env), after, limit)
	if err != nil {
		return nil, fmt.Errorf("faces: %w", err)
	}
	defer rs.Close()
	var out []StoredFace
	for rs.Next() {
		var f StoredFace
		var sealed []byte
		if err := rs.Scan(&f.Seq, &f.DocumentID, &f.ApplicantID, &f.FileID, &f.Kind, &sealed); err != nil {
			return nil, fmt.Errorf("faces: %w", err)
		}
		raw, err := r.Open(sealed, faceAAD(env, f.DocumentID, f.FileID))
		if err != nil {
			return nil, fmt.Errorf("face of document %s: %w", f.DocumentID, err)
		}
		if len(raw)%4 != 0 {
			return nil, fmt.Errorf("face of document %s: %d bytes", f.DocumentID, len(raw))
		}
		f.Embedding = make([]float32, len(raw)/4)
		for i := range f.Embedding {
			f.Embedding[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
		out = append(out, f)
	}
	return out, rs.Err()
}
