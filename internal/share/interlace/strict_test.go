package interlace_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"testing"

	"kycd/internal/kyc"
	"kycd/internal/share/interlace"
)

// signedCallback signs resource as Interlace does and wraps it in an event.
func signedCallback(secret, resource, event string) (http.Header, []byte) {
	q, _ := json.Marshal(resource)
	return http.Header{"Signature-Method": {"HMAC-SHA256"}, "Signature": {interlace.Sign(secret, resource)}},
		[]byte(`{"id":"e1","eventType":"KYC.UPDATED",` + event + `"resource":` + string(q) + `}`)
}

// TestCallbackStrictJSON: a signed callback whose event or resource holds duplicate or case-folded
// names, invalid UTF-8 or NUL is refused, where encoding/json took the last accountId or the
// upper-case one.
func TestCallbackStrictJSON(t *testing.T) {
	t.Parallel()
	c := interlace.New(interlace.Config{ClientSecret: "secret-test"}, nil)
	for name, res := range map[string]string{
		"duplicate accountId":   `{"accountId":"acc-1","accountId":"acc-live","kycStatus":"Passed"}`,
		"case-folded accountId": `{"ACCOUNTID":"acc-live","kycStatus":"Passed"}`,
		"NUL in accountId":      `{"accountId":"acc-1\u0000","kycStatus":"Passed"}`,
	} {
		h, body := signedCallback("secret-test", res, "")
		if _, err := c.Callback(h, body); !isValidation(err) {
			t.Errorf("%s: %v", name, err)
		}
	}
	for name, event := range map[string]string{"duplicate resource": `"resource":"{}",`, "invalid UTF-8": "\"code\":\"0\xff\","} {
		h, body := signedCallback("secret-test", `{"accountId":"acc-1","kycStatus":"Passed"}`, event)
		if _, err := c.Callback(h, body); !isValidation(err) {
			t.Errorf("%s in the event: %v", name, err)
		}
	}
	h, body := signedCallback("secret-test", `{"accountId":"acc-1","kycStatus":"Passed"}`, "")
	if cb, err := c.Callback(h, body); err != nil || cb.Reference != "acc-1" {
		t.Fatalf("a clean callback: %+v %v", cb, err)
	}
}

func isValidation(err error) bool {
	var ve *kyc.ValidationError
	return errors.As(err, &ve)
}

// FuzzCallback: whatever the resource, the rest of the event and the Timestamp header, Callback
// does not panic and refuses with a validation or authentication error; it accepts only a signed
// resource that names an account, the one encoding/json reads too (strict decoding only ever
// refuses more), with a replay key that depends on the resource and the time the header gives.
func FuzzCallback(f *testing.F) {
	f.Add(`{"accountId":"acc-1","kycStatus":"Passed","message":""}`, "", "")
	f.Add(`{"accountId":"acc-1","kycStatus":"Rejected","message":"blurry"}`, `"apiVersion":"v3",`, "1733400000000")
	f.Add(`{"accountId":"a","accountId":"b"}`, "", "-1")
	f.Add(`{"ACCOUNTID":"a"}`, `"ID":"x",`, "x")
	c := interlace.New(interlace.Config{ClientSecret: "secret-test"}, nil)
	f.Fuzz(func(t *testing.T, resource, event, timestamp string) {
		h, body := signedCallback("secret-test", resource, event)
		if timestamp != "" {
			h.Set("Timestamp", timestamp)
		}
		cb, err := c.Callback(h, body)
		if err != nil {
			if !isValidation(err) && !errors.Is(err, kyc.ErrUnauthenticated) {
				t.Fatalf("untyped refusal: %v", err)
			}
			return
		}
		var loose struct {
			AccountID string `json:"accountId"`
			KYCStatus string `json:"kycStatus"`
		}
		if err := json.Unmarshal([]byte(resource), &loose); err != nil || loose.AccountID != cb.Reference || loose.KYCStatus != cb.Outcome.PartnerStatus {
			t.Fatalf("accepted %+v; encoding/json reads %+v (%v)", cb, loose, err)
		}
		if cb.Reference == "" || cb.Confirm || cb.ReplayKey == "" {
			t.Fatalf("accepted %+v", cb)
		}
		if ms, err := strconv.ParseInt(timestamp, 10, 64); (timestamp == "" && !cb.Sent.IsZero()) || (timestamp != "" && (err != nil || cb.Sent.UnixMilli() != ms)) {
			t.Fatalf("Timestamp %q read as %v", timestamp, cb.Sent)
		}
		h2, body2 := signedCallback("secret-test", resource+" ", event)
		h2.Set("Timestamp", h.Get("Timestamp"))
		if cb2, err := c.Callback(h2, body2); err == nil && cb2.ReplayKey == cb.ReplayKey {
			t.Fatalf("two resources share the replay key %s", cb.ReplayKey)
		}
	})
}
