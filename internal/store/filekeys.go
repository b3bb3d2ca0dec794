package store

import (
	"context"
	"fmt"

	"kycd/internal/kyc"
)

// ErrApplicantErased is the error of a write to an applicant that was erased (ApplicantKeyToSeal,
// and every change of the applicant or of its resources): its data key is destroyed and no new
// one is drawn, so nothing new of it can be stored. It wraps kyc.ErrGone (410).
var ErrApplicantErased = fmt.Errorf("the applicant was erased: nothing new of it is stored: %w", kyc.ErrGone)

// WrappedKey is an applicant's data key as the store keeps it: Key, wrapped by the master key, and
// AAD, the additional data its wrapping binds (which names the applicant), for a sealer that
// unwraps it (seal.Sealer.OpenDataKey), such as the blob store's. Key is nil when the applicant has
// no data key.
type WrappedKey struct {
	Key, AAD []byte
}

// ApplicantKeyToSeal returns the wrapped data key to seal new personal data of an applicant of env
// under outside the store, such as the bytes of a file: an applicant written before applicants had
// keys is moved under a new one first. An unknown applicant is kyc.ErrNotFound, an erased one
// ErrApplicantErased. On a store whose sealer makes no data keys, Key is nil: seal under the
// master key then.
func (s *Store) ApplicantKeyToSeal(ctx context.Context, env kyc.Env, applicantID string) (WrappedKey, error) {
	if s.keys == nil {
		return WrappedKey{}, nil
	}
	k, err := s.ApplicantKey(ctx, env, applicantID)
	if err != nil || k.Key != nil {
		return k, err
	}
	err = s.inTx(ctx, func(t *txn) error {
		erased, err := s.applicantErased(ctx, t, env, applicantID)
		if err != nil {
			return err
		}
		if erased {
			return fmt.Errorf("applicant %s: %w", applicantID, ErrApplicantErased)
		}
		k.Key, _, err = s.moveApplicant(ctx, t, env, applicantID) // a no-op when another moved it meanwhile
		return err
	})
	if err != nil {
		return WrappedKey{}, err
	}
	return k, nil
}

// ApplicantKey returns the wrapped data key of an applicant of env, to open what was sealed under
// it outside the store (ApplicantKeyToSeal). Key is nil when the applicant has none: its key was
// destroyed, or it was written before applicants had keys and has not moved under one yet (then
// nothing of it is sealed under a key), or the store's sealer makes no data keys. An unknown
// applicant is kyc.ErrNotFound.
func (s *Store) ApplicantKey(ctx context.Context, env kyc.Env, applicantID string) (WrappedKey, error) {
	var key []byte
	err := s.reader().queryRow(ctx, `SELECT data_key FROM applicants WHERE env = ? AND id = ?`, string(env), applicantID).Scan(&key)
	if err == errNoRows {
		return WrappedKey{}, fmt.Errorf("applicant %s: %w", applicantID, kyc.ErrNotFound)
	}
	if err != nil {
		return WrappedKey{}, fmt.Errorf("the applicant's data key: %w", err)
	}
	return WrappedKey{Key: key, AAD: applicantKeyAAD(env, applicantID)}, nil
}

// applicantErased reports whether an applicant was erased, so that no key is drawn for it again.
func (s *Store) applicantErased(ctx context.Context, q querier, env kyc.Env, id string) (bool, error) {
	var erased *int64
	if err := q.queryRow(ctx, `SELECT erased_at FROM applicants WHERE env = ? AND id = ?`, string(env), id).Scan(&erased); err != nil {
		return false, fmt.Errorf("applicant %s: %w", id, err)
	}
	return erased != nil, nil
}

// FilesToMove returns up to limit files of env whose bytes may still be sealed under the master
// key (stored before files had data keys; migration 00035), of applicants not erased. None on a
// store whose sealer makes no data keys.
func (s *Store) FilesToMove(ctx context.Context, env kyc.Env, limit int) ([]kyc.File, error) {
	if s.keys == nil {
		return nil, nil
	}
	rs, err := s.reader().query(ctx, `SELECT `+fileColumns+` FROM files WHERE env = ? AND under_data_key = FALSE AND blob_deleted_at IS NULL
		AND applicant_id IN (SELECT id FROM applicants WHERE env = ? AND erased_at IS NULL) LIMIT ?`, string(env), string(env), limit)
	if err != nil {
		return nil, fmt.Errorf("files to move under their keys: %w", err)
	}
	defer rs.Close()
	var out []kyc.File
	for rs.Next() {
		f, err := scanFile(rs)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rs.Err()
}

// MarkFileUnderKey records that a file's bytes are now sealed under its applicant's data key. An
// applicant erased meanwhile is ErrApplicantErased, and a file whose image retention deleted
// meanwhile ErrFileBytesDeleted: the caller deletes the bytes it wrote again.
func (s *Store) MarkFileUnderKey(ctx context.Context, env kyc.Env, f kyc.File) error {
	return s.inTx(ctx, func(t *txn) error {
		if err := s.requireApplicant(ctx, t, env, f.ApplicantID, "applicantId"); err != nil {
			return err
		}
		n, err := t.exec(ctx, `UPDATE files SET under_data_key = TRUE WHERE env = ? AND id = ? AND blob_deleted_at IS NULL`, string(env), f.ID)
		if err == nil && n == 0 {
			err = fmt.Errorf("file %s: %w", f.ID, ErrFileBytesDeleted)
		}
		return err
	})
}

// ErrFileBytesDeleted is MarkFileUnderKey's error for a file whose bytes retention deleted while
// they were being moved. It wraps kyc.ErrGone.
var ErrFileBytesDeleted = fmt.Errorf("the file's bytes were deleted by retention: %w", kyc.ErrGone)
