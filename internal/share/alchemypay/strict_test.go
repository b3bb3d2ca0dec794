package alchemypay_test

import (
	"encoding/json"
	"errors"
	"testing"

	"kycd/internal/kyc"
	"kycd/internal/share/alchemypay"
)

// TestCallbackStrictJSON: a callback with duplicate or case-folded names, invalid UTF-8 or NUL is
// refused, where encoding/json took the last requestNo or the upper-case one.
func TestCallbackStrictJSON(t *testing.T) {
	t.Parallel()
	c := alchemypay.New(alchemypay.Config{}, nil)
	for name, body := range map[string]string{
		"duplicate requestNo":   `{"kycStatus":"approved","requestNo":"shr_A","requestNo":"shr_B"}`,
		"case-folded requestNo": `{"kycStatus":"approved","REQUESTNO":"shr_B"}`,
		"NUL in requestNo":      `{"kycStatus":"approved","requestNo":"shr_A\u0000"}`,
		"invalid UTF-8":         "{\"kycStatus\":\"appr\xffoved\",\"requestNo\":\"shr_A\"}",
	} {
		var ve *kyc.ValidationError
		if _, err := c.Callback(nil, []byte(body)); !errors.As(err, &ve) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// FuzzCallback: Callback never panics, refuses only with a validation error, and what it accepts
// names the request that encoding/json reads too (strict decoding only ever refuses more) and is
// marked for confirmation (Alchemy Pay does not sign callbacks).
func FuzzCallback(f *testing.F) {
	f.Add([]byte(`{"kycStatus":"approved","requestNo":"shr_X"}`))
	f.Add([]byte(`{"kycStatus":"rejected","requestNo":"shr_X","extra":[1,{"a":null}]}`))
	f.Add([]byte(`{"requestNo":"a","requestNo":"b"}`))
	f.Add([]byte(`{"REQUESTNO":"a"}`))
	c := alchemypay.New(alchemypay.Config{}, nil)
	f.Fuzz(func(t *testing.T, body []byte) {
		cb, err := c.Callback(nil, body)
		if err != nil {
			var ve *kyc.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("untyped refusal: %v", err)
			}
			return
		}
		var loose struct {
			KYCStatus string `json:"kycStatus"`
			RequestNo string `json:"requestNo"`
		}
		if err := json.Unmarshal(body, &loose); err != nil || loose.RequestNo != cb.Reference || loose.KYCStatus != cb.Outcome.PartnerStatus {
			t.Fatalf("accepted %+v; encoding/json reads %+v (%v)", cb, loose, err)
		}
		if cb.Reference == "" || !cb.Confirm || len(cb.Reply) == 0 {
			t.Fatalf("accepted %+v", cb)
		}
	})
}
