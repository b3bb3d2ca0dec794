package interlacetest

import "testing"

// TestSignatureKnownAnswer: the fake's callback signature matches a vector computed outside Go
// (printf '%s' "$resource" | openssl dgst -sha256 -hmac secret-test -binary | base64).
func TestSignatureKnownAnswer(t *testing.T) {
	t.Parallel()
	const resource = `{"accountId":"6c1f2a7e-8d4b-4b8e-9f3a-1d2c3b4a5e6f","kycStatus":"Passed","message":""}`
	if got, want := Signature("secret-test", resource), "PwaPqFuZN/6VGX83TE2+YyjVQWyPRd7v7k0K5H6TwSk="; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}
