package interlace_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/share/interlace"
)

// callback is an Interlace KYC callback: resource signed as Interlace documents it (Base64
// HMAC-SHA256 with the client secret, computed here, not by the connector), id and timestamp.
func callback(secret, resource, id, timestamp string) (http.Header, []byte) {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(resource))
	h := http.Header{}
	h.Set("Signature-Method", "HMAC-SHA256")
	h.Set("Signature", base64.StdEncoding.EncodeToString(m.Sum(nil)))
	if timestamp != "" {
		h.Set("Timestamp", timestamp)
	}
	body, _ := json.Marshal(map[string]any{"id": id, "eventType": "KYC.UPDATED", "resource": resource})
	return h, body
}

// TestCallbackReplayKeyAndTime: the replay key names what is signed, so a new event id or
// timestamp does not change it; the Timestamp header (milliseconds) is read; a bad one is refused.
func TestCallbackReplayKeyAndTime(t *testing.T) {
	t.Parallel()
	c := interlace.New(interlace.Config{URL: "http://127.0.0.1:1", ClientID: "id", ClientSecret: "secret"}, nil)
	const res = `{"accountId":"6c1f2a7e-8d4b-4b8e-9f3a-1d2c3b4a5e6f","kycStatus":"Request"}`
	at := time.Now().Add(-time.Hour).Truncate(time.Millisecond)
	ms := strconv.FormatInt(at.UnixMilli(), 10)
	first, err := c.Callback(callback("secret", res, "e1", ms))
	if err != nil || first.ReplayKey == "" || !first.Sent.Equal(at) {
		t.Fatalf("%+v %v", first, err)
	}
	again, err := c.Callback(callback("secret", res, "e2", strconv.FormatInt(time.Now().UnixMilli(), 10)))
	if err != nil || again.ReplayKey != first.ReplayKey {
		t.Fatalf("a replay with a new id and time has key %q, want %q (%v)", again.ReplayKey, first.ReplayKey, err)
	}
	other, err := c.Callback(callback("secret", `{"accountId":"6c1f2a7e-8d4b-4b8e-9f3a-1d2c3b4a5e6f","kycStatus":"Passed"}`, "e3", ms))
	if err != nil || other.ReplayKey == first.ReplayKey {
		t.Fatalf("another resource has the same key: %v", err)
	}
	if cb, err := c.Callback(callback("secret", res, "e4", "")); err != nil || !cb.Sent.IsZero() {
		t.Fatalf("no Timestamp: %+v %v", cb, err)
	}
	var ve *kyc.ValidationError
	if _, err := c.Callback(callback("secret", res, "e5", "yesterday")); !errors.As(err, &ve) || ve.Fields[0].Field != "header.Timestamp" {
		t.Fatalf("a bad Timestamp: %v", err)
	}
}
