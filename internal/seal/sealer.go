package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
)

// ErrOpen reports sealed bytes that cannot be opened: altered, truncated, reordered, sealed under
// another key or with another aad. It is always wrapped; test it with errors.Is.
var ErrOpen = errors.New("seal: cannot open sealed data")

const (
	// masterVersion marks values and streams sealed under keys derived from the master key,
	// dataKeyVersion those sealed under a data key (DataKey).
	masterVersion  = 0x01
	dataKeyVersion = 0x02
	nonceSize      = 12
	tagSize        = 16
)

// HKDF info strings of the internal keys. Derive prefixes its purposes with derivePrefix, which none
// of these starts with, so no purpose can yield an internal key.
const (
	infoValue    = "kycd seal value v1"
	infoWrap     = "kycd seal stream-wrap v1"
	infoDataKeys = "kycd seal data-key-wrap v1"
	derivePrefix = "kycd derive v1: "
)

// Sealer encrypts and authenticates with keys derived from the installation root key (values,
// streams, Derive), and wraps the data keys of owners under the master keys (MasterKeys). It is
// safe for concurrent use.
type Sealer struct {
	master []byte // the installation root key
	keySet
	// keys wraps the data keys of owners (DataKey).
	keys *MasterKeys
}

// keySet seals small values and streams under one pair of keys, and marks what it seals with its
// version, so that a value or stream sealed under other keys is told apart.
type keySet struct {
	value   cipher.AEAD // small values
	wrap    cipher.AEAD // data keys of streams
	version byte
}

// New returns the Sealer of an installation whose root key is its one master key (32 bytes, as
// returned by LoadKey), which also wraps data keys: MasterKeys.Sealer with the root being the key.
func New(key []byte) (*Sealer, error) {
	keys, err := NewMasterKeys(key, nil)
	if err != nil {
		return nil, err
	}
	return sealerOf(key, keys)
}

func sealerOf(root []byte, keys *MasterKeys) (*Sealer, error) {
	if len(root) != KeySize {
		return nil, fmt.Errorf("seal: root key is %d bytes, want %d", len(root), KeySize)
	}
	master := append([]byte(nil), root...)
	value, err := newGCM(derive(master, infoValue))
	if err != nil {
		return nil, err
	}
	wrap, err := newGCM(derive(master, infoWrap))
	if err != nil {
		return nil, err
	}
	return &Sealer{master: master, keySet: keySet{value: value, wrap: wrap, version: masterVersion}, keys: keys}, nil
}

// Derive returns a 32-byte key for purpose (for example "applicant-token"), derived from the
// installation root key with HKDF-SHA256, so that rotating the master key changes none. The same purpose always gives the same key, different purposes unrelated keys.
func (s *Sealer) Derive(purpose string) []byte {
	return derive(s.master, derivePrefix+purpose)
}

// Seal encrypts a small value, such as a database field, binding aad to it. The result is
// 29 bytes longer than plaintext.
func (s *Sealer) Seal(plaintext, aad []byte) ([]byte, error) { return s.seal(plaintext, aad) }

// Open decrypts a value made by Seal with the same aad. Any failure wraps ErrOpen; a value sealed
// under a data key is refused (DataKey.Open opens it).
func (s *Sealer) Open(sealed, aad []byte) ([]byte, error) { return s.open(sealed, aad) }

func (k *keySet) seal(plaintext, aad []byte) ([]byte, error) {
	out := make([]byte, 1+nonceSize, 1+nonceSize+len(plaintext)+tagSize)
	out[0] = k.version
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, fmt.Errorf("seal: nonce: %w", err)
	}
	return k.value.Seal(out, out[1:], plaintext, aad), nil
}

func (k *keySet) open(sealed, aad []byte) ([]byte, error) {
	if len(sealed) < 1+nonceSize+tagSize {
		return nil, fmt.Errorf("%w: value of %d bytes is too short", ErrOpen, len(sealed))
	}
	if sealed[0] != k.version {
		return nil, fmt.Errorf("%w: value of version %d, not %d (%s)", ErrOpen, sealed[0], k.version, versionName(sealed[0]))
	}
	nonce, ciphertext := sealed[1:1+nonceSize], sealed[1+nonceSize:]
	plaintext, err := k.value.Open(nil, nonce, ciphertext, aad)
	if err != nil {
		return nil, fmt.Errorf("%w: value fails authentication", ErrOpen)
	}
	return plaintext, nil
}

// versionName says what a version byte means, for errors.
func versionName(v byte) string {
	switch v {
	case masterVersion:
		return "sealed under the master key"
	case dataKeyVersion:
		return "sealed under a data key"
	}
	return "unknown"
}

// derive returns the 32-byte HKDF-SHA256 subkey of master for info.
func derive(master []byte, info string) []byte {
	key, err := hkdf.Key(sha256.New, master, nil, info, KeySize)
	if err != nil {
		// hkdf.Key fails only for lengths above 255*32 bytes.
		panic("seal: hkdf: " + err.Error())
	}
	return key
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("seal: aes: %w", err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("seal: gcm: %w", err)
	}
	return gcm, nil
}
