package erasure_test

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"kycd/internal/erasure"
)

// TestReceipts: a signed receipt verifies against its key and returns what was signed; a changed
// payload, a signature by another key, another trusted key, a payload that is not a receipt and
// bad encodings and unknown fields are refused with ErrBadReceipt, as is a key that does not parse.
func TestReceipts(t *testing.T) {
	t.Parallel()
	seed := make([]byte, ed25519.SeedSize)
	key := ed25519.NewKeyFromSeed(seed)
	r := erasure.Receipt{Type: erasure.ReceiptType, Env: "live", ApplicantID: "apl_1", RequestedBy: "key:k1",
		RequestedTime: time.Unix(100, 0).UTC(), ErasedTime: time.Unix(200, 0).UTC(), Destroyed: map[string]any{"dataKey": true, "events": float64(3)},
		FileBlobs: 2, Kept: erasure.Kept}
	signed, err := erasure.Sign(r, key)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(signed)
	got, pub, err := erasure.Verify(raw, key.Public().(ed25519.PublicKey))
	if err != nil || got.ApplicantID != "apl_1" || got.FileBlobs != 2 || got.Destroyed["events"] != float64(3) || !got.ErasedTime.Equal(r.ErasedTime) ||
		erasure.PublicKeyString(pub) != signed.PublicKey {
		t.Fatalf("verify: %+v %v", got, err)
	}
	if _, _, err := erasure.Verify(raw, nil); err != nil {
		t.Errorf("verify against the key it names: %v", err)
	}

	other := ed25519.NewKeyFromSeed(append(make([]byte, 31), 1))
	b64 := base64.RawURLEncoding
	payload, _ := b64.DecodeString(signed.Payload)
	changed := append([]byte(nil), payload...)
	changed[10] ^= 1
	notReceipt := []byte(`{"type":"something else"}`)
	for name, sr := range map[string]erasure.SignedReceipt{
		"changed payload": {Payload: b64.EncodeToString(changed), Signature: signed.Signature, PublicKey: signed.PublicKey},
		"another signer":  {Payload: signed.Payload, Signature: b64.EncodeToString(ed25519.Sign(other, payload)), PublicKey: signed.PublicKey},
		"not a receipt":   {Payload: b64.EncodeToString(notReceipt), Signature: b64.EncodeToString(ed25519.Sign(key, notReceipt)), PublicKey: signed.PublicKey},
		"bad base64":      {Payload: "!!", Signature: signed.Signature, PublicKey: signed.PublicKey},
		"short signature": {Payload: signed.Payload, Signature: b64.EncodeToString([]byte("short")), PublicKey: signed.PublicKey},
		"swapped key+sig": {Payload: signed.Payload, Signature: b64.EncodeToString(ed25519.Sign(other, payload)), PublicKey: b64.EncodeToString(other.Public().(ed25519.PublicKey))},
	} {
		raw, _ := json.Marshal(sr)
		trusted := key.Public().(ed25519.PublicKey)
		if _, _, err := erasure.Verify(raw, trusted); !errors.Is(err, erasure.ErrBadReceipt) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, _, err := erasure.Verify([]byte(`{"payload":"","signature":"","publicKey":"","extra":1}`), nil); !errors.Is(err, erasure.ErrBadReceipt) {
		t.Errorf("unknown field: %v", err)
	}

	if _, err := erasure.ParsePublicKey("not a key"); err == nil {
		t.Error("a bad public key parsed")
	}
}
