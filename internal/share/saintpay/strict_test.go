package saintpay_test

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/share/saintpay"
)

// signer returns a connector and the headers of a callback signed now by its platform key: the
// throwaway key of the fake's known-answer test, since generating a 2048-bit key took each fuzz
// worker longer than a 3-second run.
func signer(t testing.TB) (*saintpay.Connector, *rsa.PrivateKey, http.Header) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("saintpaytest", "testdata", "kat-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		t.Fatal("kat-key.pem holds no PEM block")
	}
	key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	c := saintpay.New(saintpay.Config{AppID: "app-test", PlatformPublicKey: &key.PublicKey}, nil)
	return c, key, signedHeader(t, key)
}

// signedHeader is the headers of a callback signed now with key.
func signedHeader(t testing.TB, key *rsa.PrivateKey) http.Header {
	t.Helper()
	ts := strconv.FormatInt(time.Now().UnixMilli(), 10)
	sig, err := saintpay.Sign(key, "app-test", ts)
	if err != nil {
		t.Fatal(err)
	}
	return http.Header{"Appid": {"app-test"}, "Timestamp": {ts}, "Signature": {sig}}
}

// TestCallbackStrictJSON: a signed callback with duplicate or case-folded names, invalid UTF-8 or
// NUL is refused, where encoding/json took the last userId or the upper-case one.
func TestCallbackStrictJSON(t *testing.T) {
	t.Parallel()
	c, _, h := signer(t)
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
// error, and what is accepted names the user that encoding/json reads too (strict decoding only
// ever refuses more) and is marked for confirmation. The signature covers the app id and the time,
// not the body, and is refreshed each minute since Callback refuses one older than five.
func FuzzCallback(f *testing.F) {
	f.Add([]byte(`{"merchantUserId":"m-1","userId":"u1","kycStatus":"accept","status":"accept"}`))
	f.Add([]byte(`{"userId":"u1","kycStatus":"reject"}`))
	f.Add([]byte(`{"userId":"u1","userId":"u2"}`))
	f.Add([]byte(`{"USERID":"u1"}`))
	c, key, h := signer(f)
	signedAt := time.Now()
	f.Fuzz(func(t *testing.T, body []byte) {
		if time.Since(signedAt) > time.Minute {
			h, signedAt = signedHeader(t, key), time.Now()
		}
		cb, err := c.Callback(h, body)
		if err != nil {
			var ve *kyc.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("untyped refusal: %v", err)
			}
			return
		}
		var loose struct {
			UserID string `json:"userId"`
		}
		if err := json.Unmarshal(body, &loose); err != nil || loose.UserID != cb.Reference {
			t.Fatalf("accepted %+v; encoding/json reads %q (%v)", cb, loose.UserID, err)
		}
		if cb.Reference == "" || !cb.Confirm || len(cb.Reply) == 0 {
			t.Fatalf("accepted %+v", cb)
		}
	})
}
