package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"

	"kycd/internal/kyc"
)

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

// faceAAD binds a sealed embedding to its row.
func faceAAD(env kyc.Env, documentID, fileID string) []byte {
	return []byte("face:" + string(env) + ":" + documentID + ":" + fileID)
}

// writeFaces stores the faces of a decided document, sealed; a face stored before (a decision
// replayed) is kept as it was.
func (s *Store) writeFaces(ctx context.Context, t *txn, d *kyc.Document, faces []Face, at int64) error {
	for _, f := range faces {
		raw := make([]byte, 4*len(f.Embedding))
		for i, v := range f.Embedding {
			binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
		}
		sealed, err := s.sealer.Seal(raw, faceAAD(d.Env, d.ID, f.FileID))
		if err != nil {
			return fmt.Errorf("face: %w", err)
		}
		if _, err := t.exec(ctx, `INSERT INTO face_embeddings (env, document_id, applicant_id, file_id, kind, embedding, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (env, document_id, file_id) DO NOTHING`,
			string(d.Env), d.ID, d.ApplicantID, f.FileID, f.Kind, sealed, at); err != nil {
			return fmt.Errorf("face: %w", err)
		}
	}
	return nil
}

// FacesAfter returns up to limit faces of env stored with a seq above after, in seq order, their
// embeddings opened.
func (s *Store) FacesAfter(ctx context.Context, env kyc.Env, after int64, limit int) ([]StoredFace, error) {
	rs, err := s.reader().query(ctx, `SELECT seq, document_id, applicant_id, file_id, kind, embedding FROM face_embeddings
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
		raw, err := s.sealer.Open(sealed, faceAAD(env, f.DocumentID, f.FileID))
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
