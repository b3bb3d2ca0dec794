package store

import (
	"context"
	"fmt"
	"time"

	"kycd/internal/kyc"
)

// APIKey is a stored API key: only the SHA-256 of the secret is kept, with its last characters as a
// hint for people who manage keys.
type APIKey struct {
	ID        string
	Env       kyc.Env
	Name      string
	Hash      string
	Hint      string
	CreatedAt time.Time
	RevokedAt *time.Time
}

// CreateAPIKey stores a new key (audited as created by actor).
func (s *Store) CreateAPIKey(ctx context.Context, k APIKey, actor kyc.Actor) error {
	at := now()
	return s.inTx(ctx, func(t *txn) error {
		if _, err := t.exec(ctx, `INSERT INTO api_keys (id, env, name, hash, hint, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			k.ID, string(k.Env), k.Name, k.Hash, k.Hint, micros(at)); err != nil {
			return fmt.Errorf("create api key: %w", err)
		}
		return s.applyEffects(ctx, t, k.Env, Effects{Audit: kyc.AuditEntry{Actor: actor, Action: "api-key.create", ResourceType: "api-key", ResourceID: k.ID}}, at)
	})
}

// APIKeyByHash finds an unrevoked key by the hash of its secret.
func (s *Store) APIKeyByHash(ctx context.Context, hash string) (APIKey, error) {
	var k APIKey
	var env string
	var created int64
	err := s.reader().queryRow(ctx, `SELECT id, env, name, hash, hint, created_at FROM api_keys WHERE hash = ? AND revoked_at IS NULL`, hash).
		Scan(&k.ID, &env, &k.Name, &k.Hash, &k.Hint, &created)
	if err == errNoRows {
		return APIKey{}, fmt.Errorf("api key: %w", kyc.ErrUnauthenticated)
	}
	if err != nil {
		return APIKey{}, fmt.Errorf("api key: %w", err)
	}
	k.Env, k.CreatedAt = kyc.Env(env), fromMicros(created)
	return k, nil
}
