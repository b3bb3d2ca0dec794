package seal

import (
	"crypto/rand"
	"fmt"
	"io"
)

// DataKey seals the values and streams of one owner (an applicant) under a key of its own, so
// that destroying that key, kept only wrapped by the master key (NewDataKey, OpenDataKey), makes
// all of them unreadable at once, wherever copies of them are. It seals as the Sealer does, with
// its own version byte (0x02), so that neither opens what the other sealed: a value sealed under
// the master key is never taken for one of the owner's.
type DataKey struct {
	keySet
}

// Infos of a data key's own subkeys, derived from it as the Sealer's are from the master key.
const (
	infoDataValue = "kycd seal data-key value v1"
	infoDataWrap  = "kycd seal data-key stream-wrap v1"
)

// NewDataKey draws a new data key and returns it with its wrapped form to store, which binds aad
// (for example the owner's environment and id, so that a wrapped key copied to another owner does
// not open). The wrapped form is 69 bytes, under the current master key: 0x01, the master key's
// id (8 bytes), nonce, the 32-byte key, tag (MasterKeys).
func (s *Sealer) NewDataKey(aad []byte) (DataKey, []byte, error) {
	raw := make([]byte, KeySize)
	if _, err := rand.Read(raw); err != nil {
		return DataKey{}, nil, fmt.Errorf("seal: data key: %w", err)
	}
	k, err := newDataKey(raw)
	if err != nil {
		return DataKey{}, nil, err
	}
	wrapped, err := s.keys.wrap(raw, aad)
	if err != nil {
		return DataKey{}, nil, err
	}
	return k, wrapped, nil
}

// OpenDataKey unwraps a data key made by NewDataKey with the same aad, under the current or the
// previous master key, in either wrapped format. Any failure (another master key, another aad,
// altered bytes) wraps ErrOpen.
func (s *Sealer) OpenDataKey(wrapped, aad []byte) (DataKey, error) {
	raw, err := s.unwrapDataKey(wrapped, aad)
	if err != nil {
		return DataKey{}, err
	}
	return newDataKey(raw)
}

func (s *Sealer) unwrapDataKey(wrapped, aad []byte) ([]byte, error) {
	return s.keys.unwrap(wrapped, aad)
}

// valueKey unwraps a data key and derives its value key alone: what sealing or opening one value
// needs (BenchmarkOpenValue).
func (s *Sealer) valueKey(wrapped, aad []byte) (*keySet, error) {
	raw, err := s.unwrapDataKey(wrapped, aad)
	if err != nil {
		return nil, err
	}
	value, err := newGCM(derive(raw, infoDataValue))
	if err != nil {
		return nil, err
	}
	return &keySet{value: value, version: dataKeyVersion}, nil
}

func newDataKey(raw []byte) (DataKey, error) {
	value, err := newGCM(derive(raw, infoDataValue))
	if err != nil {
		return DataKey{}, err
	}
	wrap, err := newGCM(derive(raw, infoDataWrap))
	if err != nil {
		return DataKey{}, err
	}
	return DataKey{keySet{value: value, wrap: wrap, version: dataKeyVersion}}, nil
}

// Seal encrypts a small value of the owner, binding aad, as Sealer.Seal does (version 0x02).
func (k DataKey) Seal(plaintext, aad []byte) ([]byte, error) { return k.seal(plaintext, aad) }

// Open decrypts a value made by the same data key's Seal with the same aad. Any failure wraps
// ErrOpen; a value sealed under the master key is refused.
func (k DataKey) Open(sealed, aad []byte) ([]byte, error) { return k.open(sealed, aad) }

// NewWriter seals a stream of the owner into dst, as Sealer.NewWriter does (version 0x02).
func (k DataKey) NewWriter(dst io.Writer, aad []byte) (io.WriteCloser, error) {
	return k.newWriter(dst, aad)
}

// NewReader opens a stream made by the same data key's NewWriter with the same aad, as
// Sealer.NewReader does.
func (k DataKey) NewReader(src io.Reader, aad []byte) (io.Reader, error) {
	return k.newReader(src, aad)
}

// SealedUnderDataKey reports whether a sealed value or stream (its first bytes) was sealed under a
// data key rather than the master key, so a store can tell which key opens it and which values
// still wait to move under their owner's key.
func SealedUnderDataKey(sealed []byte) bool {
	if len(sealed) > len(streamMagic) && string(sealed[:len(streamMagic)]) == streamMagic {
		return sealed[len(streamMagic)] == dataKeyVersion
	}
	return len(sealed) > 0 && sealed[0] == dataKeyVersion
}

// NewWrappedKey draws a new data key and returns only its wrapped form (NewDataKey), for a store
// that keeps the wrapped key beside its owner's row and passes it back to SealUnder and OpenUnder.
func (s *Sealer) NewWrappedKey(keyAAD []byte) ([]byte, error) {
	_, wrapped, err := s.NewDataKey(keyAAD)
	return wrapped, err
}

// SealUnder seals a value under the data key whose wrapped form (with keyAAD) is wrapped.
func (s *Sealer) SealUnder(wrapped, keyAAD, plaintext, aad []byte) ([]byte, error) {
	k, err := s.valueKey(wrapped, keyAAD)
	if err != nil {
		return nil, err
	}
	return k.seal(plaintext, aad)
}

// OpenUnder opens a value sealed by SealUnder under the same wrapped key and aads. Without the
// wrapped key (destroyed), it fails with ErrOpen.
func (s *Sealer) OpenUnder(wrapped, keyAAD, sealed, aad []byte) ([]byte, error) {
	k, err := s.valueKey(wrapped, keyAAD)
	if err != nil {
		return nil, err
	}
	return k.open(sealed, aad)
}

// UnderDataKey reports whether a sealed value or stream was sealed under a data key
// (SealedUnderDataKey), for a store that holds the sealer behind an interface.
func (s *Sealer) UnderDataKey(sealed []byte) bool { return SealedUnderDataKey(sealed) }

// MasterKeys returns the master keys that wrap the sealer's data keys.
func (s *Sealer) MasterKeys() *MasterKeys { return s.keys }

// KeyUnderCurrent reports whether a wrapped data key is wrapped under the current master key
// (MasterKeys.UnderCurrent).
func (s *Sealer) KeyUnderCurrent(wrapped []byte) bool { return s.keys.UnderCurrent(wrapped) }

// RewrapKey wraps a wrapped data key (with its aad) under the current master key instead
// (MasterKeys.Rewrap).
func (s *Sealer) RewrapKey(wrapped, aad []byte) ([]byte, error) { return s.keys.Rewrap(wrapped, aad) }

// CurrentKeyPrefix is the prefix of every data key wrapped under the current master key
// (MasterKeys.CurrentPrefix).
func (s *Sealer) CurrentKeyPrefix() []byte { return s.keys.CurrentPrefix() }
