package auth

import (
	"context"
	"fmt"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/store"
)

// Key is a stored API key: only the SHA-256 of the secret is kept, with its last characters as a
// hint for people who manage keys.
type Key struct {
	ID        string
	Env       kyc.Env
	Name      string
	Hash      string
	Hint      string
	CreatedAt time.Time
	RevokedAt *time.Time
}

// Keys is the API keys' repository (table api_keys), written over the store's core.
type Keys struct{ st *store.Store }

// NewKeys returns the API keys kept in st.
func NewKeys(st *store.Store) *Keys { return &Keys{st: st} }

var _ KeyStore = (*Keys)(nil)

// CreateAPIKey stores a new key, audited as created by actor.
func (r *Keys) CreateAPIKey(ctx context.Context, k Key, actor kyc.Actor) error {
	return r.st.Change(ctx, k.Env, func(tx *store.Tx) (store.Effects, error) {
		if _, err := tx.Exec(ctx, `INSERT INTO api_keys (id, env, name, hash, hint, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			k.ID, string(k.Env), k.Name, k.Hash, k.Hint, store.Micros(store.Now())); err != nil {
			return store.Effects{}, fmt.Errorf("create api key: %w", err)
		}
		return store.Effects{Audit: kyc.AuditEntry{Actor: actor, Action: "api-key.create", ResourceType: "api-key", ResourceID: k.ID}}, nil
	})
}

// APIKeyByHash finds an unrevoked key by the hash of its secret (kyc.ErrUnauthenticated when
// there is none).
func (r *Keys) APIKeyByHash(ctx context.Context, hash string) (Key, error) {
	var k Key
	var env string
	var created int64
	err := r.st.QueryRow(ctx, `SELECT id, env, name, hash, hint, created_at FROM api_keys WHERE hash = ? AND revoked_at IS NULL`, hash).
		Scan(&k.ID, &env, &k.Name, &k.Hash, &k.Hint, &created)
	if err == store.ErrNoRows {
		return Key{}, fmt.Errorf("api key: %w", kyc.ErrUnauthenticated)
	}
	if err != nil {
		return Key{}, fmt.Errorf("api key: %w", err)
	}
	k.Env, k.CreatedAt = kyc.Env(env), store.FromMicros(created)
	return k, nil
}
