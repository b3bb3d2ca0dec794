package app

import (
	"context"
	"errors"
	"fmt"

	"kycd/internal/httpapi"
	"kycd/internal/seal"
	"kycd/internal/store"
)

// rootEntry is the keyring's entry of the installation root key.
const rootEntry = "root"

// ErrWrongMasterKey is the error of a start whose master keys do not open the installation's
// keyring: kycd would otherwise serve what it cannot read, or seal under a key nobody keeps.
var ErrWrongMasterKey = errors.New("the master key does not open this installation's keyring")

// installationRoot returns the installation root key, from the keyring. At the first start of an
// installation (or the first since the keyring exists), the root is the master key, the one
// everything was sealed under so far, written wrapped under itself; before it writes it, it checks
// that the key opens an applicant's data key, when one exists, so that a wrong key is refused
// rather than made the root. A first start with a previous key set is refused: which of the two
// sealed the data cannot be told safely.
func installationRoot(ctx context.Context, st *store.Store, keys *seal.MasterKeys, current, previous []byte) ([]byte, error) {
	e, found, err := st.KeyringEntry(ctx, rootEntry)
	if err != nil {
		return nil, err
	}
	if !found {
		if previous != nil {
			return nil, errors.New("this installation has no keyring yet: start kycd once with KYCD_MASTER_KEY set to the " +
				"master key in use so far and without KYCD_MASTER_KEY_PREVIOUS, then rotate")
		}
		if err := checkAgainstData(ctx, st, keys, current); err != nil {
			return nil, err
		}
		wrapped, err := keys.WrapRoot(current)
		if err != nil {
			return nil, err
		}
		if e, err = st.AddKeyringEntry(ctx, rootEntry, keys.CurrentID(), wrapped); err != nil {
			return nil, err
		}
	}
	root, err := keys.OpenRoot(e.Wrapped)
	if err != nil {
		given := "KYCD_MASTER_KEY is key " + keys.CurrentID()
		if keys.PreviousID() != "" {
			given += " and KYCD_MASTER_KEY_PREVIOUS key " + keys.PreviousID()
		}
		return nil, fmt.Errorf("%w: its root key is wrapped under master key %s, %s (set the master key of this installation): %w",
			ErrWrongMasterKey, e.KEKID, given, err)
	}
	return root, nil
}

// checkAgainstData checks, before an installation's keyring is written, that its master key opens
// an applicant's data key or, when none has one yet, an applicant's data sealed under the master
// key's keys (when an applicant exists): a command run with a wrong or missing key (a
// `kycd migrate` whose secret was not mounted, with a key file made up on the spot) must not
// make that key the installation's.
func checkAgainstData(ctx context.Context, st *store.Store, keys *seal.MasterKeys, current []byte) error {
	s, err := keys.Sealer(current)
	if err != nil {
		return err
	}
	k, found, err := st.SomeDataKey(ctx)
	if err != nil {
		return err
	}
	if !found {
		id, data, found, err := st.SomeMasterSealedApplicant(ctx)
		if err != nil || !found {
			return err
		}
		if _, err := s.Open(data, []byte("applicant:"+id)); err != nil {
			return fmt.Errorf("%w: KYCD_MASTER_KEY (key %s) does not open the applicants' data (set the master key of this installation): %w",
				ErrWrongMasterKey, keys.CurrentID(), err)
		}
		return nil
	}
	if _, err := s.OpenDataKey(k.Key, k.AAD); err != nil {
		return fmt.Errorf("%w: KYCD_MASTER_KEY (key %s) does not open the applicants' data keys (set the master key of this installation): %w",
			ErrWrongMasterKey, keys.CurrentID(), err)
	}
	return nil
}

// RotateKeyring wraps the keyring under the current master key (the first step of kycd keys
// rotate); it reports whether it changed it (false: it was under the current key already).
func RotateKeyring(ctx context.Context, st *store.Store, keys *seal.MasterKeys) (bool, error) {
	return st.RewrapKeyringEntry(ctx, rootEntry, func(wrapped []byte) (string, []byte, error) {
		out, err := keys.RewrapRoot(wrapped)
		return seal.WrappedKeyID(out), out, err
	})
}

// KeyringKeyID returns the id of the master key that wraps the keyring.
func KeyringKeyID(ctx context.Context, st *store.Store) (string, error) {
	e, found, err := st.KeyringEntry(ctx, rootEntry)
	if err == nil && !found {
		err = errors.New("the keyring has no root key")
	}
	return e.KEKID, err
}

// masterKeyStatus is what /readyz says of the master keys: the current key's id, the previous
// one's while it is set, and which key wraps the keyring (one row read).
func masterKeyStatus(ctx context.Context, st *store.Store, keys *seal.MasterKeys) (httpapi.MasterKeyStatus, error) {
	under, err := KeyringKeyID(ctx, st)
	if err != nil {
		return httpapi.MasterKeyStatus{}, err
	}
	return httpapi.MasterKeyStatus{ID: keys.CurrentID(), Previous: keys.PreviousID(), KeyringUnder: under}, nil
}
