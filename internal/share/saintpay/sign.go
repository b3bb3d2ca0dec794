package saintpay

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
)

// signed is the string both sides sign: "appId=<appId>&timestamp=<timestamp>".
func signed(appID, timestamp string) []byte {
	return []byte("appId=" + appID + "&timestamp=" + timestamp)
}

// Sign is the signature header: Base64 of an RSA PKCS #1 v1.5 SHA-256 signature over
// "appId=..&timestamp=..".
func Sign(key *rsa.PrivateKey, appID, timestamp string) (string, error) {
	h := sha256.Sum256(signed(appID, timestamp))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, h[:])
	if err != nil {
		return "", fmt.Errorf("saintpay sign: %w", err)
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// Verify checks a signature header with the signer's public key.
func Verify(key *rsa.PublicKey, appID, timestamp, signature string) error {
	sig, err := base64.StdEncoding.DecodeString(signature)
	if err != nil {
		return errors.New("signature is not base64")
	}
	h := sha256.Sum256(signed(appID, timestamp))
	return rsa.VerifyPKCS1v15(key, crypto.SHA256, h[:], sig)
}

// LoadPrivateKey reads an RSA private key from a PEM file (PKCS #1 or PKCS #8).
func LoadPrivateKey(path string) (*rsa.PrivateKey, error) {
	block, err := readPEM(path)
	if err != nil {
		return nil, err
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("saintpay private key %s: %w", path, err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("saintpay private key %s: not an RSA key", path)
	}
	return rk, nil
}

// LoadPublicKey reads an RSA public key from a PEM file (PKIX or PKCS #1).
func LoadPublicKey(path string) (*rsa.PublicKey, error) {
	block, err := readPEM(path)
	if err != nil {
		return nil, err
	}
	if k, err := x509.ParsePKCS1PublicKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("saintpay public key %s: %w", path, err)
	}
	rk, ok := k.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("saintpay public key %s: not an RSA key", path)
	}
	return rk, nil
}

func readPEM(path string) (*pem.Block, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("saintpay key: %w", err)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, fmt.Errorf("saintpay key %s: no PEM block", path)
	}
	return block, nil
}
