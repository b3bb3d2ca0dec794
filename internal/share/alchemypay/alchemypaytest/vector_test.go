package alchemypaytest

import "testing"

// TestSignatureKnownAnswer: the fake's signature matches a vector computed outside Go
// (printf '%s' '1733400000000POST/open/api/kyc/share/queryMerchantKyc/shr_01{}' |
// openssl dgst -sha256 -hmac ap-secret -binary | base64).
func TestSignatureKnownAnswer(t *testing.T) {
	t.Parallel()
	got := Signature("ap-secret", "1733400000000", "post", "/open/api/kyc/share/queryMerchantKyc/shr_01", []byte("{}"))
	if want := "aC0hiVBQZ/zeh7S2oFeqX7mAx6D3PDNs1nyZcnQTods="; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}
