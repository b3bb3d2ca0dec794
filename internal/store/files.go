package store

import (
	"context"
	"fmt"

	"kycd/internal/kyc"
)

const fileColumns = `id, env, applicant_id, tag, mime, size, sha256, width, height, blob_key, created_at`

// CreateFile stores a file's metadata once its bytes are in the blob store. The applicant must
// exist in the same environment (checked inside the transaction).
func (s *Store) CreateFile(ctx context.Context, f *kyc.File, eff Effects) error {
	at := now()
	f.CreatedTime = at
	return s.inTx(ctx, func(t *txn) error {
		if err := s.requireApplicant(ctx, t, f.Env, f.ApplicantID, "body.applicantId"); err != nil {
			return err
		}
		// The file service seals the bytes under the applicant's key whenever the store's sealer
		// makes data keys (ApplicantKeyToSeal).
		if _, err := t.exec(ctx, `INSERT INTO files (`+fileColumns+`, under_data_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			f.ID, string(f.Env), f.ApplicantID, f.Tag, f.MIME, f.Size, f.SHA256, f.Width, f.Height, f.BlobKey, micros(at), s.keys != nil); err != nil {
			return fmt.Errorf("create file: %w", err)
		}
		completeEvents(&eff, 0, f)
		return s.applyEffects(ctx, t, f.Env, eff, at)
	})
}

// requireApplicant answers a validation error naming field when the applicant is not in env, and
// kyc.ErrGone when it was erased. On PostgreSQL it holds a share lock on the applicant's row to
// the end of the transaction, so that an erasure (which takes the write lock) cannot commit
// between this check and what the transaction writes of the applicant.
func (s *Store) requireApplicant(ctx context.Context, q querier, env kyc.Env, id, field string) error {
	lock := ""
	if s.dialect == Postgres {
		lock = " FOR SHARE"
	}
	var erased *int64
	err := q.queryRow(ctx, `SELECT erased_at FROM applicants WHERE env = ? AND id = ?`+lock, string(env), id).Scan(&erased)
	if err == errNoRows {
		return kyc.Invalid(field, "no applicant %s in this environment", id)
	}
	if err != nil {
		return fmt.Errorf("check applicant: %w", err)
	}
	if erased != nil {
		return errErased(id)
	}
	return nil
}

// File returns one file's metadata.
func (s *Store) File(ctx context.Context, env kyc.Env, id string) (kyc.File, error) {
	f, err := scanFile(s.reader().queryRow(ctx, `SELECT `+fileColumns+` FROM files WHERE env = ? AND id = ?`, string(env), id))
	if err == errNoRows {
		return kyc.File{}, fmt.Errorf("file %s: %w", id, kyc.ErrNotFound)
	}
	if err != nil {
		return kyc.File{}, fmt.Errorf("file: %w", err)
	}
	return f, nil
}

// ListFiles returns one page of an applicant's files in env (their metadata), newest first. An
// empty applicantID lists nothing.
func (s *Store) ListFiles(ctx context.Context, env kyc.Env, applicantID, cursor string, limit int) (kyc.Page[kyc.File], error) {
	if applicantID == "" {
		return kyc.Page[kyc.File]{Items: []kyc.File{}}, nil
	}
	w := newWhere(env).eq("applicant_id", applicantID)
	return listPage(ctx, s, "files", `SELECT `+fileColumns+` FROM files`, w, false, cursor, limit, scanFile,
		func(f kyc.File) string { return f.ID })
}

func scanFile(r row) (kyc.File, error) {
	var f kyc.File
	var e string
	var created int64
	if err := r.Scan(&f.ID, &e, &f.ApplicantID, &f.Tag, &f.MIME, &f.Size, &f.SHA256, &f.Width, &f.Height, &f.BlobKey, &created); err != nil {
		return kyc.File{}, err
	}
	f.Env, f.CreatedTime = kyc.Env(e), fromMicros(created)
	return f, nil
}

// BlobKeyInUse reports whether the file row fileID (the key's last segment) names the blob key:
// a look-up by primary key.
func (s *Store) BlobKeyInUse(ctx context.Context, fileID, key string) (bool, error) {
	var n int
	if err := s.reader().queryRow(ctx, `SELECT COUNT(*) FROM files WHERE id = ? AND blob_key = ?`, fileID, key).Scan(&n); err != nil {
		return false, fmt.Errorf("blob key in use: %w", err)
	}
	return n > 0, nil
}
