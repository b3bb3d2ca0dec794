package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"testing"
)

// TestVerifySignature checks the receiver's signature rule on a signature computed here from the
// README's description, with a second (rotated) secret's signature beside it, and refuses a
// changed body, a changed id and an unknown version.
func TestVerifySignature(t *testing.T) {
	t.Parallel()
	key := []byte("0123456789abcdef0123456789abcdef")
	sign := func(k []byte, msg string) string {
		m := hmac.New(sha256.New, k)
		m.Write([]byte(msg))
		return base64.StdEncoding.EncodeToString(m.Sum(nil))
	}
	body := []byte(`{"id":"evt_1","type":"ping"}`)
	good := "v1," + sign(key, "evt_1.1700000000."+string(body))
	other := "v1," + sign([]byte("another secret"), "evt_1.1700000000."+string(body))
	for _, c := range []struct {
		name, id, sigs string
		body           []byte
		want           bool
	}{
		{"good", "evt_1", good, body, true},
		{"rotation: two signatures", "evt_1", other + " " + good, body, true},
		{"other secret only", "evt_1", other, body, false},
		{"changed body", "evt_1", good, []byte(`{"id":"evt_1","type":"pong"}`), false},
		{"changed id", "evt_2", good, body, false},
		{"version v2", "evt_1", "v2," + good[3:], body, false},
	} {
		if got := verifySignature(key, c.id, "1700000000", c.body, c.sigs); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}
