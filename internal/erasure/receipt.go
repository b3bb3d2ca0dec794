package erasure

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"kycd/internal/kyc"
)

// ReceiptType names the receipt's format and its version.
const ReceiptType = "kycd.erasure-receipt.v1"

// SigningPurpose is the purpose the installation's receipt-signing key is derived for from the
// master key (seal.Sealer.Derive): the same master key always signs with the same key.
const SigningPurpose = "erasure-receipt-signing"

// Receipt says what an erasure destroyed, and when. It holds no personal data: ids, counts and
// times. It is signed (SignedReceipt) so that anyone holding the installation's public key can
// check it was kycd that wrote it, unchanged.
type Receipt struct {
	Type          string    `json:"type"`
	Env           kyc.Env   `json:"env"`
	ApplicantID   string    `json:"applicantId"`
	RequestedBy   kyc.Actor `json:"requestedBy"`
	RequestedTime time.Time `json:"requestedTime"`
	ErasedTime    time.Time `json:"erasedTime"`
	// Destroyed is what was destroyed: "dataKey" (true: the applicant's data key, under which
	// its personal data and file bytes were sealed), and per kind of record how many lost their
	// personal values.
	Destroyed map[string]any `json:"destroyed"`
	// FileBlobs is how many file blobs the erasure queued for deletion; they are unreadable
	// already, under the destroyed key, and the erasure's blobsPurgedTime says when they went.
	FileBlobs int64 `json:"fileBlobs"`
	// Kept is what stays, for the compliance trail.
	Kept []string `json:"kept"`
}

// Kept is what an erasure keeps, as the receipt lists it.
var Kept = []string{"ids", "statuses and levels", "decisions with their check names and scores",
	"file types and sizes", "timestamps", "the audit trail"}

// SignedReceipt is a receipt as kycd hands it out: the receipt's JSON bytes and their Ed25519
// signature, with the public key to check it with, each base64url without padding.
type SignedReceipt struct {
	Payload   string `json:"payload" doc:"The receipt's JSON, base64url without padding"`
	Signature string `json:"signature" doc:"Ed25519 signature of the payload's decoded bytes, base64url without padding"`
	PublicKey string `json:"publicKey" doc:"The installation's receipt-signing public key, base64url without padding (kycd receipt public-key)"`
}

var b64 = base64.RawURLEncoding

// Sign signs a receipt with key.
func Sign(r Receipt, key ed25519.PrivateKey) (SignedReceipt, error) {
	payload, err := json.Marshal(r)
	if err != nil {
		return SignedReceipt{}, fmt.Errorf("erasure receipt: %w", err)
	}
	return SignedReceipt{
		Payload:   b64.EncodeToString(payload),
		Signature: b64.EncodeToString(ed25519.Sign(key, payload)),
		PublicKey: b64.EncodeToString(key.Public().(ed25519.PublicKey)),
	}, nil
}

// ErrBadReceipt reports a receipt that does not verify: altered, signed by another key, or not a
// receipt. It is always wrapped.
var ErrBadReceipt = errors.New("the erasure receipt does not verify")

// Verify checks a signed receipt (the JSON of a SignedReceipt) and returns the receipt. With
// trusted not nil the receipt must be signed by that key; without it, by the key it names, which
// proves only that it is unchanged since signed: compare that key with the installation's.
func Verify(signed []byte, trusted ed25519.PublicKey) (Receipt, ed25519.PublicKey, error) {
	var sr SignedReceipt
	dec := json.NewDecoder(bytes.NewReader(signed))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sr); err != nil {
		return Receipt{}, nil, fmt.Errorf("%w: not a signed receipt: %v", ErrBadReceipt, err)
	}
	payload, err1 := b64.DecodeString(sr.Payload)
	sig, err2 := b64.DecodeString(sr.Signature)
	pub, err3 := b64.DecodeString(sr.PublicKey)
	if err := errors.Join(err1, err2, err3); err != nil {
		return Receipt{}, nil, fmt.Errorf("%w: %v", ErrBadReceipt, err)
	}
	if len(pub) != ed25519.PublicKeySize || len(sig) != ed25519.SignatureSize {
		return Receipt{}, nil, fmt.Errorf("%w: the key or the signature has the wrong size", ErrBadReceipt)
	}
	if trusted != nil && !bytes.Equal(trusted, pub) {
		return Receipt{}, nil, fmt.Errorf("%w: it names another key than the one trusted", ErrBadReceipt)
	}
	if !ed25519.Verify(pub, payload, sig) {
		return Receipt{}, nil, fmt.Errorf("%w: the signature does not match", ErrBadReceipt)
	}
	var r Receipt
	if err := json.Unmarshal(payload, &r); err != nil || r.Type != ReceiptType {
		return Receipt{}, nil, fmt.Errorf("%w: the signed bytes are not a %s", ErrBadReceipt, ReceiptType)
	}
	return r, ed25519.PublicKey(pub), nil
}

// PublicKeyString is how kycd writes a receipt-signing public key: base64url without padding.
func PublicKeyString(pub ed25519.PublicKey) string { return b64.EncodeToString(pub) }

// ParsePublicKey reads a public key written by PublicKeyString.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := b64.DecodeString(s)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("not an Ed25519 public key in base64url: %q", s)
	}
	return ed25519.PublicKey(b), nil
}

// SigningKey is the installation's receipt-signing key, derived from the master key by derive
// (seal.Sealer.Derive) for SigningPurpose.
func SigningKey(derive func(purpose string) []byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(derive(SigningPurpose))
}
