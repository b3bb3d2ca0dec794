package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"kycd/internal/kyc"
)

// KeyStore is what API keys need from the database.
type KeyStore interface {
	CreateAPIKey(ctx context.Context, k Key, actor kyc.Actor) error
	APIKeyByHash(ctx context.Context, hash string) (Key, error)
	// Used records that a key authenticated a request (bookkeeping, at most once a minute).
	Used(ctx context.Context, k Key) error
}

// NewAPIKey creates and stores a key for env with scopes (DefaultScopes when none; ParseScopes
// checks them) and returns its secret, which is shown once and never stored: "kycd_test_" or
// "kycd_live_" followed by 40 random base32 characters.
func NewAPIKey(ctx context.Context, ks KeyStore, env kyc.Env, name string, actor kyc.Actor, scopes ...string) (secret string, k Key, err error) {
	if !env.Valid() {
		return "", k, kyc.Invalid("env", "must be test or live")
	}
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		return "", k, kyc.Invalid("name", "must be 1 to 100 characters")
	}
	if len(scopes) == 0 {
		scopes = DefaultScopes
	}
	if scopes, err = ParseScopes(scopes); err != nil {
		return "", k, err
	}
	secret = "kycd_" + string(env) + "_" + strings.ToLower(rand.Text()+rand.Text()[:14])
	k = Key{ID: kyc.NewID(kyc.PrefixAPIKey), Env: env, Name: name, Hash: hashKey(secret), Hint: secret[len(secret)-4:], Scopes: scopes}
	if err := ks.CreateAPIKey(ctx, k, actor); err != nil {
		return "", k, fmt.Errorf("api key: %w", err)
	}
	return secret, k, nil
}

func hashKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// VerifyAPIKey finds the key whose secret this is, and records its use. Keys carry 200 bits of
// randomness, so a fast hash is safe and the lookup is one indexed query.
func VerifyAPIKey(ctx context.Context, ks KeyStore, secret string) (Key, error) {
	if !strings.HasPrefix(secret, "kycd_test_") && !strings.HasPrefix(secret, "kycd_live_") || len(secret) > 100 {
		return Key{}, fmt.Errorf("malformed api key: %w", kyc.ErrUnauthenticated)
	}
	k, err := ks.APIKeyByHash(ctx, hashKey(secret))
	if err != nil {
		return k, err
	}
	// The key's last use is for people who manage keys; a failure to write it must not refuse a
	// request the key authenticates.
	_ = ks.Used(ctx, k)
	return k, nil
}
