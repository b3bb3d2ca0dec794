package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"kycd/internal/kyc"
)

// KeyringEntry is one key of the installation's keyring (migration 00034): Wrapped, its bytes
// wrapped by the master key whose id is KEKID. The store keeps it and never unwraps it; the seal
// package does (seal.MasterKeys).
type KeyringEntry struct {
	Name    string
	KEKID   string
	Wrapped []byte
	Created time.Time
	// Rotated is when a rotation last wrapped it under another master key; zero if never.
	Rotated time.Time
}

// KeyringOnly is the sealer of a store opened only to migrate and to read or write its keyring,
// before the keyring gives the real sealer (UseSealer): it refuses to seal and to open.
var KeyringOnly Sealer = keyringOnly{}

type keyringOnly struct{}

var errNoSealerYet = errors.New("store: no sealer yet: the keyring is not read (UseSealer)")

func (keyringOnly) Seal([]byte, []byte) ([]byte, error) { return nil, errNoSealerYet }
func (keyringOnly) Open([]byte, []byte) ([]byte, error) { return nil, errNoSealerYet }

// UseSealer sets the sealer of a store opened with KeyringOnly, once its keyring is read. It must
// be called before anything else uses the store, and only once.
func (s *Store) UseSealer(sealer Sealer) {
	s.sealer, s.audit, s.keys = sealer, newAuditKeys(sealer), dataKeysOf(sealer)
}

// KeyringEntry returns the keyring's entry name; found is false when there is none.
func (s *Store) KeyringEntry(ctx context.Context, name string) (e KeyringEntry, found bool, err error) {
	return s.keyringEntry(ctx, s.reader(), name, "")
}

func (s *Store) keyringEntry(ctx context.Context, q querier, name, lock string) (KeyringEntry, bool, error) {
	e := KeyringEntry{Name: name}
	var created int64
	var rotated *int64
	err := q.queryRow(ctx, `SELECT kek_id, wrapped, created_at, rotated_at FROM keyring WHERE name = ?`+lock, name).
		Scan(&e.KEKID, &e.Wrapped, &created, &rotated)
	if err == errNoRows {
		return KeyringEntry{}, false, nil
	}
	if err != nil {
		return KeyringEntry{}, false, fmt.Errorf("keyring %s: %w", name, err)
	}
	e.Created = fromMicros(created)
	if rotated != nil {
		e.Rotated = fromMicros(*rotated)
	}
	return e, true, nil
}

// AddKeyringEntry writes the keyring's entry name unless it exists, and returns the entry that is
// there: this one, or the one another process wrote first.
func (s *Store) AddKeyringEntry(ctx context.Context, name, kekID string, wrapped []byte) (KeyringEntry, error) {
	var e KeyringEntry
	err := s.inTx(ctx, func(t *txn) error {
		if _, err := t.exec(ctx, `INSERT INTO keyring (name, kek_id, wrapped, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`,
			name, kekID, wrapped, micros(now())); err != nil {
			return fmt.Errorf("keyring %s: %w", name, err)
		}
		var found bool
		var err error
		if e, found, err = s.keyringEntry(ctx, t, name, ""); err == nil && !found {
			err = fmt.Errorf("keyring %s: not there after it was written", name)
		}
		return err
	})
	return e, err
}

// RewrapKeyringEntry wraps the keyring's entry name anew, in a transaction that reads it under a
// lock: rewrap returns its new bytes and the id of the master key that wraps them. An entry that
// rewrap returns unchanged is not written. It reports whether it wrote.
func (s *Store) RewrapKeyringEntry(ctx context.Context, name string, rewrap func(wrapped []byte) (kekID string, out []byte, err error)) (bool, error) {
	changed := false
	err := s.inTx(ctx, func(t *txn) error {
		e, found, err := s.keyringEntry(ctx, t, name, s.forUpdate())
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("keyring %s: no such entry", name)
		}
		kekID, out, err := rewrap(e.Wrapped)
		if err != nil {
			return fmt.Errorf("keyring %s: %w", name, err)
		}
		if bytes.Equal(out, e.Wrapped) && kekID == e.KEKID {
			return nil
		}
		if _, err := t.exec(ctx, `UPDATE keyring SET kek_id = ?, wrapped = ?, rotated_at = ? WHERE name = ?`,
			kekID, out, micros(now()), name); err != nil {
			return fmt.Errorf("keyring %s: %w", name, err)
		}
		changed = true
		return nil
	})
	return changed, err
}

// SomeDataKey returns one applicant's wrapped data key, any, with the aad its wrapping binds, for a
// start that checks its master key against the data before it writes the keyring; found is false
// when no applicant has a data key.
func (s *Store) SomeDataKey(ctx context.Context) (k WrappedKey, found bool, err error) {
	var env, id string
	err = s.reader().queryRow(ctx, `SELECT env, id, data_key FROM applicants WHERE data_key IS NOT NULL LIMIT 1`).Scan(&env, &id, &k.Key)
	if err == errNoRows {
		return WrappedKey{}, false, nil
	}
	if err != nil {
		return WrappedKey{}, false, fmt.Errorf("a data key: %w", err)
	}
	k.AAD = applicantKeyAAD(kyc.Env(env), id)
	return k, true, nil
}

// SomeMasterSealedApplicant returns the id and sealed data of one applicant whose data is still
// sealed under the master key's keys (no data key, not erased), to check a master key against at
// the first start of an installation that has no data key yet; found is false when there is none.
func (s *Store) SomeMasterSealedApplicant(ctx context.Context) (id string, data []byte, found bool, err error) {
	err = s.reader().queryRow(ctx, `SELECT id, data FROM applicants WHERE data_key IS NULL AND erased_at IS NULL LIMIT 1`).Scan(&id, &data)
	if err == errNoRows {
		return "", nil, false, nil
	}
	if err != nil {
		return "", nil, false, fmt.Errorf("an applicant's data: %w", err)
	}
	return id, data, true, nil
}
