package saintpay_test

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/share/saintpay"
)

// signer returns a connector and the headers of a callback signed now by its platform key.
func signer(t testing.TB) (*saintpay.Connector, http.Header) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	c := saintpay.New(saintpay.Config{AppID: "app-test", PlatformPublicKey: &key.PublicKey}, nil)
	ts := strconv.FormatInt(time.Now().UnixMilli(), 10)
	sig, err := saintpay.Sign(key, "app-test", ts)
	if err != nil {
		t.Fatal(err)
	}
	return c, http.Header{"Appid": {"app-test"}, "Timestamp": {ts}, "Signature": {sig}}
}

// TestCallbackStrictJSON: a signed callback with duplicate or case-folded names, invalid UTF-8 or
// NUL is refused, where encoding/json took the last userId or the upper-case one.
func TestCallbackStrictJSON(t *testing.T) {
	t.Parallel()
	c, h := signer(t)
	for name, body := range map[string]string{
		"duplicate userId":   `{"merchantUserId":"m-1","userId":"u1","userId":"u2","status":"accept"}`,
		"case-folded userId": `{"merchantUserId":"m-1","USERID":"u2","status":"accept"}`,
		"NUL in userId":      `{"merchantUserId":"m-1","userId":"u1\u0000","status":"accept"}`,
		"invalid UTF-8":      "{\"merchantUserId\":\"m-1\",\"userId\":\"u1\",\"status\":\"acc\xffept\"}",
	} {
		var ve *kyc.ValidationError
		if _, err := c.Callback(h, []byte(body)); !errors.As(err, &ve) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// FuzzCallback: a signed callback's body never panics Callback, is refused only with a validation
// error, and what is accepted names a user and is marked for confirmation.
func FuzzCallback(f *testing.F) {
	f.Add([]byte(`{"merchantUserId":"m-1","userId":"u1","kycStatus":"accept","status":"accept"}`))
	f.Add([]byte(`{"userId":"u1","kycStatus":"reject"}`))
	f.Add([]byte(`{"userId":"u1","userId":"u2"}`))
	f.Add([]byte(`{"USERID":"u1"}`))
	c, h := signer(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		cb, err := c.Callback(h, body)
		if err != nil {
			var ve *kyc.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("untyped refusal: %v", err)
			}
			return
		}
		if cb.Reference == "" || !cb.Confirm {
			t.Fatalf("accepted %+v", cb)
		}
	})
}
