package saintpaytest

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"testing"
)

// katSignature was computed outside Go:
//
//	printf '%s' 'appId=app-kat&timestamp=1733400000000' | openssl dgst -sha256 -sign testdata/kat-key.pem | base64 -w0
//
// (RSA PKCS #1 v1.5 is deterministic, so the fake must produce exactly it.)
const katSignature = "AJC2DOiJke7w/XD3FzGMQYa9W+JtHUmCPbQArwr1zjyXlf2f7SzQylilc4m6yIcfG/kmtJmw29e6Y+rXpk5dUqgmejIpCF/6GWH1qm1DTKGrcfq1EFJXhn9jgxn//LQS9sH3vojXjveEgkOPFraXcrZY4UmTunW8oLC5coLnjUMV4Gikl/Zylv2L7tBOI/tVtCmF5fTIVFAAVQAIqunItphwTvZeDcne3DBsjecKjLWLytEoXnJgz9eu3rAjOHhqNLuZbIX7y9rKCbJ6SvL2QKhxNtHrMhEhP6H5aM6JSa+AfCfYArBzqvchiWuCCGEl+vyR2czf5c5hcVT+W5UQuQ=="

// TestSignatureKnownAnswer: the fake's signature and verification agree with openssl.
func TestSignatureKnownAnswer(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("testdata/kat-key.pem")
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(b)
	key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Signature(key, "app-kat", "1733400000000")
	if err != nil || got != katSignature {
		t.Fatalf("got %s (%v), want %s", got, err, katSignature)
	}
	if err := VerifySignature(&key.PublicKey, "app-kat", "1733400000000", katSignature); err != nil {
		t.Fatal(err)
	}
	if VerifySignature(&key.PublicKey, "app-kat", "1733400000001", katSignature) == nil {
		t.Fatal("another timestamp verified")
	}
}
