package seal

import (
	"bytes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// Wrapped key formats. A key wrapped before master keys could rotate (format 0) is nonce (12) |
// key (32) | tag (16), 60 bytes, and names no master key. Format 1 prefixes it with its version
// byte and the id of the master key that wraps it: 0x01 | key id (8) | nonce | key | tag, 69 bytes.
const (
	keyIDSize         = 8
	wrappedKeyVersion = 0x01
	legacyWrappedSize = nonceSize + KeySize + tagSize
	wrappedKeySize    = 1 + keyIDSize + legacyWrappedSize
	infoKeyID         = "kycd key id"
	rootAAD           = "kycd keyring: installation root"
	WrappedPrefixSize = 1 + keyIDSize
)

// MasterKeys are the master keys of an installation: the current one, which wraps every new data
// key and the keyring, and, while a rotation runs, the previous one, which still opens what it
// wrapped. Neither seals values: values, streams and derived keys come from the installation root
// (Sealer). It is safe for concurrent use.
type MasterKeys struct {
	current  kek
	previous *kek
}

// kek is one master key's key-encryption key (HKDF(master, "kycd seal data-key-wrap v1")) and id.
type kek struct {
	id   [keyIDSize]byte
	aead cipher.AEAD
}

func newKEK(master []byte) (kek, error) {
	if len(master) != KeySize {
		return kek{}, fmt.Errorf("seal: master key is %d bytes, want %d", len(master), KeySize)
	}
	aead, err := newGCM(derive(master, infoDataKeys))
	if err != nil {
		return kek{}, err
	}
	var k kek
	copy(k.id[:], KeyID(master))
	k.aead = aead
	return k, nil
}

// KeyID returns the 8-byte id of a master key: the start of HMAC-SHA256(key, "kycd key id"). It
// names the key without revealing it.
func KeyID(master []byte) []byte {
	m := hmac.New(sha256.New, master)
	m.Write([]byte(infoKeyID))
	return m.Sum(nil)[:keyIDSize]
}

// NewMasterKeys returns the master keys of an installation: current, and previous (nil when no
// rotation runs). Both must be 32 bytes, and differ.
func NewMasterKeys(current, previous []byte) (*MasterKeys, error) {
	cur, err := newKEK(current)
	if err != nil {
		return nil, err
	}
	m := &MasterKeys{current: cur}
	if previous != nil {
		prev, err := newKEK(previous)
		if err != nil {
			return nil, fmt.Errorf("previous %w", err)
		}
		if prev.id == cur.id {
			return nil, fmt.Errorf("seal: the previous master key is the current one")
		}
		m.previous = &prev
	}
	return m, nil
}

// CurrentID is the current master key's id, in hex.
func (m *MasterKeys) CurrentID() string { return hex.EncodeToString(m.current.id[:]) }

// PreviousID is the previous master key's id in hex, "" when there is none.
func (m *MasterKeys) PreviousID() string {
	if m.previous == nil {
		return ""
	}
	return hex.EncodeToString(m.previous.id[:])
}

// CurrentPrefix is the first WrappedPrefixSize bytes of every key wrapped under the current master
// key, for a store that looks for the keys still wrapped under another one.
func (m *MasterKeys) CurrentPrefix() []byte {
	return append([]byte{wrappedKeyVersion}, m.current.id[:]...)
}

// WrappedKeyID returns the id (hex) of the master key that wraps a wrapped key, "" for a key
// wrapped before keys named their master key (format 0, under the installation's first key).
func WrappedKeyID(wrapped []byte) string {
	if len(wrapped) == wrappedKeySize && wrapped[0] == wrappedKeyVersion {
		return hex.EncodeToString(wrapped[1 : 1+keyIDSize])
	}
	return ""
}

// wrap wraps a raw key under the current master key, format 1, binding aad.
func (m *MasterKeys) wrap(raw, aad []byte) ([]byte, error) {
	out := make([]byte, wrappedKeySize-tagSize-KeySize, wrappedKeySize)
	out[0] = wrappedKeyVersion
	copy(out[1:], m.current.id[:])
	nonce := out[1+keyIDSize:]
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("seal: nonce: %w", err)
	}
	return m.current.aead.Seal(out, nonce, raw, aad), nil
}

// unwrap opens a wrapped key of either format under whichever master key wraps it: format 1 names
// it; format 0 is tried under the current key, then the previous one. Failures wrap ErrOpen.
func (m *MasterKeys) unwrap(wrapped, aad []byte) ([]byte, error) {
	switch {
	case len(wrapped) == wrappedKeySize && wrapped[0] == wrappedKeyVersion:
		id, body := wrapped[1:1+keyIDSize], wrapped[1+keyIDSize:]
		for _, k := range m.keks() {
			if bytes.Equal(k.id[:], id) {
				return k.open(body, aad)
			}
		}
		return nil, fmt.Errorf("%w: key wrapped under master key %x, which is neither the current nor the previous one", ErrOpen, id)
	case len(wrapped) == legacyWrappedSize:
		var err error
		for _, k := range m.keks() {
			var raw []byte
			if raw, err = k.open(wrapped, aad); err == nil {
				return raw, nil
			}
		}
		return nil, err
	}
	return nil, fmt.Errorf("%w: wrapped key of %d bytes", ErrOpen, len(wrapped))
}

func (m *MasterKeys) keks() []*kek {
	if m.previous == nil {
		return []*kek{&m.current}
	}
	return []*kek{&m.current, m.previous}
}

func (k *kek) open(body, aad []byte) ([]byte, error) {
	raw, err := k.aead.Open(nil, body[:nonceSize], body[nonceSize:], aad)
	if err != nil {
		return nil, fmt.Errorf("%w: wrapped key fails authentication (another master key or aad)", ErrOpen)
	}
	return raw, nil
}

// UnderCurrent reports whether a wrapped key is wrapped under the current master key (format 1
// naming it); a key of format 0 never is, even when the current key is the first one.
func (m *MasterKeys) UnderCurrent(wrapped []byte) bool {
	return len(wrapped) == wrappedKeySize && bytes.HasPrefix(wrapped, m.CurrentPrefix())
}

// Rewrap returns a wrapped key (with its aad) wrapped under the current master key instead: the
// key inside is the same, so all it sealed still opens. A key already under the current key is
// returned as is.
func (m *MasterKeys) Rewrap(wrapped, aad []byte) ([]byte, error) {
	if m.UnderCurrent(wrapped) {
		return wrapped, nil
	}
	raw, err := m.unwrap(wrapped, aad)
	if err != nil {
		return nil, err
	}
	return m.wrap(raw, aad)
}

// WrapRoot wraps the installation root key under the current master key, for the keyring.
func (m *MasterKeys) WrapRoot(root []byte) ([]byte, error) {
	if len(root) != KeySize {
		return nil, fmt.Errorf("seal: root key is %d bytes, want %d", len(root), KeySize)
	}
	return m.wrap(root, []byte(rootAAD))
}

// OpenRoot unwraps the installation root key kept in the keyring, under the current or the previous
// master key. It fails (wrapping ErrOpen) when neither wraps it: the wrong master key is set.
func (m *MasterKeys) OpenRoot(wrapped []byte) ([]byte, error) {
	return m.unwrap(wrapped, []byte(rootAAD))
}

// RewrapRoot is Rewrap for the installation root key.
func (m *MasterKeys) RewrapRoot(wrapped []byte) ([]byte, error) {
	return m.Rewrap(wrapped, []byte(rootAAD))
}

// Sealer returns the sealer of an installation whose root key is root (OpenRoot): values, streams
// and Derive come from the root, data keys are wrapped by m.
func (m *MasterKeys) Sealer(root []byte) (*Sealer, error) {
	return sealerOf(root, m)
}
