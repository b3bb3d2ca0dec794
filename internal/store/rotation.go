package store

import (
	"context"
	"errors"
	"fmt"

	"kycd/internal/kyc"
)

// KeyRewrapper is what rotating the master key needs of a sealer (*seal.Sealer is one): it tells
// the data keys wrapped under the current master key by their first bytes, and wraps the others
// under it.
type KeyRewrapper interface {
	// CurrentKeyPrefix is the first bytes of every data key wrapped under the current master key.
	CurrentKeyPrefix() []byte
	// KeyUnderCurrent reports whether a wrapped data key is wrapped under the current master key.
	KeyUnderCurrent(wrapped []byte) bool
	// RewrapKey returns a wrapped data key (bound to keyAAD) wrapped under the current master key.
	RewrapKey(wrapped, keyAAD []byte) ([]byte, error)
}

// errNoRewrapper is the error of a rotation on a store whose sealer cannot rewrap keys.
var errNoRewrapper = errors.New("store: the sealer does not rewrap data keys")

func (s *Store) rewrapper() (KeyRewrapper, error) {
	r, ok := s.sealer.(KeyRewrapper)
	if !ok {
		return nil, errNoRewrapper
	}
	return r, nil
}

// RewrapDataKeys wraps under the current master key the data keys of up to limit applicants whose
// id comes after after (in id order) and whose key is wrapped under another master key, in one
// transaction that reads each key again under a lock (a key erased or rewrapped meanwhile is left
// as it is). It returns how many it rewrapped and the last id it looked at, to pass as after to the
// next batch; last is "" when no applicant after after has a key to rewrap. A key that neither
// master key opens (wrapped under a third key, or damaged) is left as it is and named in skipped,
// with why, so that one such key does not stop the rotation of the others. A run that stops
// anywhere loses nothing: a batch is written whole or not at all, and the next run finds what is
// left.
func (s *Store) RewrapDataKeys(ctx context.Context, after string, limit int) (rewrapped int, last string, skipped []error, err error) {
	r, err := s.rewrapper()
	if err != nil {
		return 0, "", nil, err
	}
	prefix := r.CurrentKeyPrefix()
	rs, err := s.reader().query(ctx, fmt.Sprintf(`SELECT id FROM applicants WHERE id > ? AND data_key IS NOT NULL
		AND substr(data_key, 1, %d) <> ? ORDER BY id LIMIT ?`, len(prefix)), after, prefix, limit)
	if err != nil {
		return 0, "", nil, fmt.Errorf("data keys to rewrap: %w", err)
	}
	var ids []string
	for rs.Next() {
		var id string
		if err := rs.Scan(&id); err != nil {
			rs.Close()
			return 0, "", nil, err
		}
		ids = append(ids, id)
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return 0, "", nil, err
	}
	if len(ids) == 0 {
		return 0, "", nil, nil
	}
	err = s.inTx(ctx, func(t *txn) error {
		rewrapped, skipped = 0, nil
		for _, id := range ids {
			var env string
			var key []byte
			if err := t.queryRow(ctx, `SELECT env, data_key FROM applicants WHERE id = ?`+s.forUpdate(), id).Scan(&env, &key); err != nil {
				return fmt.Errorf("the data key of applicant %s: %w", id, err)
			}
			if key == nil || r.KeyUnderCurrent(key) {
				continue // erased, or rewrapped by another run, meanwhile
			}
			out, err := r.RewrapKey(key, applicantKeyAAD(kyc.Env(env), id))
			if err != nil {
				skipped = append(skipped, fmt.Errorf("the data key of applicant %s: %w", id, err))
				continue
			}
			if _, err := t.exec(ctx, `UPDATE applicants SET data_key = ? WHERE id = ?`, out, id); err != nil {
				return fmt.Errorf("rewrap the data key of applicant %s: %w", id, err)
			}
			rewrapped++
		}
		return nil
	})
	if err != nil {
		return 0, "", nil, err
	}
	return rewrapped, ids[len(ids)-1], skipped, nil
}

// DataKeysNotUnderCurrent counts the applicants' data keys wrapped under another master key than
// the current one: 0 when a rotation is done.
func (s *Store) DataKeysNotUnderCurrent(ctx context.Context) (int, error) {
	r, err := s.rewrapper()
	if err != nil {
		return 0, err
	}
	prefix := r.CurrentKeyPrefix()
	var n int
	err = s.reader().queryRow(ctx, fmt.Sprintf(`SELECT count(*) FROM applicants WHERE data_key IS NOT NULL
		AND substr(data_key, 1, %d) <> ?`, len(prefix)), prefix).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("data keys not under the current master key: %w", err)
	}
	return n, nil
}

// DataKeysByMasterKey counts the applicants' data keys by the master key that wraps them, as
// keyOf names it from the wrapped bytes (seal.WrappedKeyID). It reads every key: for kycd keys
// status, not for a hot path.
func (s *Store) DataKeysByMasterKey(ctx context.Context, keyOf func(wrapped []byte) string) (map[string]int, error) {
	rs, err := s.reader().query(ctx, `SELECT data_key FROM applicants WHERE data_key IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("data keys: %w", err)
	}
	defer rs.Close()
	counts := map[string]int{}
	for rs.Next() {
		var key []byte
		if err := rs.Scan(&key); err != nil {
			return nil, err
		}
		counts[keyOf(key)]++
	}
	return counts, rs.Err()
}
