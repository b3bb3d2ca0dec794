package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"kycd/internal/kyc"
)

// DataKeySealer seals an owner's values under that owner's own data key, which the store keeps
// only wrapped by the master key, beside the owner's row: destroying the wrapped key makes every
// value sealed under it unreadable, wherever copies of it are. *seal.Sealer is one; a store whose
// sealer is not keeps applicants' data under the master key.
type DataKeySealer interface {
	// NewWrappedKey draws a data key and returns it wrapped, bound to keyAAD.
	NewWrappedKey(keyAAD []byte) ([]byte, error)
	SealUnder(wrapped, keyAAD, plaintext, aad []byte) ([]byte, error)
	OpenUnder(wrapped, keyAAD, sealed, aad []byte) ([]byte, error)
	// UnderDataKey reports whether a sealed value was sealed under a data key, not the master key.
	UnderDataKey(sealed []byte) bool
}

// ErrDataKeyDestroyed is returned for an applicant's data sealed under a data key that is gone.
// It wraps kyc.ErrGone (410): the applicant was erased.
var ErrDataKeyDestroyed = fmt.Errorf("the applicant's data key is destroyed: the data cannot be read: %w", kyc.ErrGone)

// applicantKeyAAD binds an applicant's wrapped data key to the applicant, so that a key copied to
// another applicant's row does not open.
func applicantKeyAAD(env kyc.Env, id string) []byte {
	return []byte("applicant-key:" + string(env) + ":" + id)
}

// sealApplicant seals an applicant's personal data under its data key (wrapped), drawing the key
// when the applicant has none yet; it returns the sealed data and the wrapped key to store. On a
// store whose sealer makes no data keys, the data is sealed under the master key and the key is nil.
func (s *Store) sealApplicant(a *kyc.Applicant, wrapped []byte) (data, key []byte, err error) {
	if s.keys != nil && wrapped == nil {
		if wrapped, err = s.keys.NewWrappedKey(applicantKeyAAD(a.Env, a.ID)); err != nil {
			return nil, nil, err
		}
	}
	data, err = s.sealFor(wrapped, a.Env, a.ID, applicantData{a.Email, a.Profile, a.Addresses}, "applicant:"+a.ID)
	return data, wrapped, err
}

// openApplicant opens an applicant's personal data, under its data key or, for data written
// before applicants had keys, under the master key.
func (s *Store) openApplicant(env kyc.Env, id string, data, wrapped []byte, into *applicantData) error {
	return s.openFor(wrapped, env, id, data, "applicant:"+id, into)
}

// sealFor marshals v and seals it as personal data of the applicant whose wrapped data key is key:
// under that key, or under the master key on a store whose sealer makes no data keys.
func (s *Store) sealFor(key []byte, env kyc.Env, applicantID string, v any, aad string) ([]byte, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("seal %s: %w", aad, err)
	}
	return s.sealBytesFor(key, env, applicantID, plain, aad)
}

// sealBytesFor seals plain as personal data of the applicant applicantID whose wrapped data key
// is key: under that key, or under the master key when applicantID is "" (data of no applicant)
// or the store's sealer makes no data keys.
func (s *Store) sealBytesFor(key []byte, env kyc.Env, applicantID string, plain []byte, aad string) ([]byte, error) {
	if s.keys == nil || applicantID == "" {
		return s.sealer.Seal(plain, []byte(aad))
	}
	if key == nil {
		return nil, fmt.Errorf("seal %s: the applicant has no data key", aad)
	}
	return s.keys.SealUnder(key, applicantKeyAAD(env, applicantID), plain, []byte(aad))
}

// openFor opens a sealed column of the applicant whose wrapped data key is key, and unmarshals it
// into v: a value sealed under the data key needs the key (ErrDataKeyDestroyed without it), one
// written before the applicant had a key opens under the master key.
func (s *Store) openFor(key []byte, env kyc.Env, applicantID string, sealed []byte, aad string, v any) error {
	plain, err := s.openBytesFor(key, env, applicantID, sealed, aad)
	if err != nil {
		return err
	}
	return json.Unmarshal(plain, v)
}

// openBytesFor opens a value that sealBytesFor sealed: one sealed under a data key needs the
// applicant's (ErrDataKeyDestroyed without it), one sealed under the master key (of no applicant,
// or written before the applicant had a key) opens under the master key.
func (s *Store) openBytesFor(key []byte, env kyc.Env, applicantID string, sealed []byte, aad string) ([]byte, error) {
	var plain []byte
	var err error
	switch {
	case s.keys == nil || !s.keys.UnderDataKey(sealed):
		plain, err = s.sealer.Open(sealed, []byte(aad))
	case key == nil:
		return nil, fmt.Errorf("%s of applicant %s: %w", aad, applicantID, ErrDataKeyDestroyed)
	default:
		plain, err = s.keys.OpenUnder(key, applicantKeyAAD(env, applicantID), sealed, []byte(aad))
	}
	if err != nil {
		return nil, fmt.Errorf("open sealed %s: %w", aad, err)
	}
	return plain, nil
}

// applicantKey returns the wrapped data key of an applicant inside a transaction that writes its
// personal data, moving an applicant written before applicants had keys under a new one first (so
// that what is written now is sealed under it). Nil on a store whose sealer makes no data keys.
// It holds the applicant's row in key-share mode to the end of the transaction (see forKeyShare),
// so an erasure waits for the write or the write sees the erasure: none outlives it.
func (s *Store) applicantKey(ctx context.Context, t *txn, env kyc.Env, id string) ([]byte, error) {
	if s.keys == nil {
		return nil, nil
	}
	var key []byte
	var erased *int64
	err := t.queryRow(ctx, `SELECT data_key, erased_at FROM applicants WHERE env = ? AND id = ?`+s.forKeyShare(), string(env), id).Scan(&key, &erased)
	if err != nil {
		return nil, fmt.Errorf("the applicant's data key: %w", err)
	}
	if erased != nil {
		return nil, errErased(id)
	}
	if key != nil {
		return key, nil
	}
	key, _, err = s.moveApplicant(ctx, t, env, id)
	return key, err
}

// moveApplicant moves an applicant whose data is under the master key under a new data key of its
// own, in the transaction t, and returns the key. It locks the row first and reads the key again
// under the lock: when another transaction moved the applicant meanwhile, its key is the one.
func (s *Store) moveApplicant(ctx context.Context, t *txn, env kyc.Env, id string) (key []byte, moved bool, err error) {
	var erased *int64
	if err := t.queryRow(ctx, `SELECT data_key, erased_at FROM applicants WHERE env = ? AND id = ?`+s.forUpdate(), string(env), id).Scan(&key, &erased); err != nil {
		return nil, false, fmt.Errorf("the applicant's data key: %w", err)
	}
	if erased != nil {
		return nil, false, errErased(id)
	}
	if key != nil {
		return key, false, nil
	}
	a, err := s.applicant(ctx, t, env, id, "")
	if err != nil {
		return nil, false, err
	}
	data, key, err := s.sealApplicant(&a, nil)
	if err != nil {
		return nil, false, err
	}
	n, err := t.exec(ctx, `UPDATE applicants SET data = ?, data_key = ? WHERE env = ? AND id = ? AND data_key IS NULL`,
		data, key, string(env), id)
	if err != nil {
		return nil, false, err
	}
	if n != 1 {
		return nil, false, fmt.Errorf("move applicant %s under its key: the row changed under the lock", id)
	}
	return key, true, nil
}

// MoveApplicantsUnderTheirKeys moves up to limit applicants of env whose personal data is still
// sealed under the master key (written before applicants had data keys) under a data key of their
// own, each in its own small transaction that leaves a row changed meanwhile for the next run. It
// returns how many it moved, and the errors of those it could not move (the others still move);
// 0 and no error means none is left (or the sealer makes no data keys). It reads
// applicants_without_key (migration 00030, 00032), which leaves out erased applicants: their
// keys are destroyed on purpose, with their data.
func (s *Store) MoveApplicantsUnderTheirKeys(ctx context.Context, env kyc.Env, limit int) (int, error) {
	if s.keys == nil {
		return 0, nil
	}
	ids, err := s.readIDs(ctx, "applicants to move under their keys",
		`SELECT id FROM applicants WHERE env = ? AND data_key IS NULL AND erased_at IS NULL LIMIT ?`, string(env), limit)
	if err != nil {
		return 0, err
	}
	moved := 0
	var errs []error
	for _, id := range ids {
		var did bool
		err := s.inTx(ctx, func(t *txn) error {
			var err error
			_, did, err = s.moveApplicant(ctx, t, env, id) // a no-op when another process moved it meanwhile
			return err
		})
		switch {
		case err != nil:
			// One applicant that cannot move (its data unreadable) must not stop the others.
			errs = append(errs, fmt.Errorf("move applicant %s under its key: %w", id, err))
		case did:
			moved++
		}
	}
	return moved, errors.Join(errs...)
}

func dataKeysOf(sealer Sealer) DataKeySealer {
	k, _ := sealer.(DataKeySealer)
	return k
}

// readIDs runs a query of one column of ids and returns them; what names the list in errors.
func (s *Store) readIDs(ctx context.Context, what, query string, args ...any) ([]string, error) {
	rs, err := s.reader().query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rs.Close()
	var ids []string
	for rs.Next() {
		var id string
		if err := rs.Scan(&id); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		ids = append(ids, id)
	}
	return ids, rs.Err()
}
