package auth

import (
	"context"
	"fmt"
	"strings"
	"sync"
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
	// LastUsedAt is when the key last authenticated a request (to the minute), nil if never.
	LastUsedAt *time.Time
	// Scopes are what the key may do (ParseScopes).
	Scopes []string
}

// Keys is the API keys' repository (table api_keys), written over the store's core.
type Keys struct {
	st *store.Store
	// used remembers, per key id, when this process last wrote its use.
	used sync.Map
}

// NewKeys returns the API keys kept in st.
func NewKeys(st *store.Store) *Keys { return &Keys{st: st} }

// useEvery is how often a process writes a key's last use: a minute, so a busy integration costs
// one write a minute, not one a request.
const useEvery = time.Minute

// Used records that k authenticated a request now, at most once a minute per key and process
// (bookkeeping: no audit entry).
func (r *Keys) Used(ctx context.Context, k Key) error {
	now := store.Now()
	if last, ok := r.used.Load(k.ID); ok && now.Sub(last.(time.Time)) < useEvery {
		return nil
	}
	r.used.Store(k.ID, now)
	return r.st.Record(ctx, k.Env, func(tx *store.Tx) (store.Effects, error) {
		_, err := tx.Exec(ctx, `UPDATE api_keys SET last_used_at = ? WHERE id = ?`, store.Micros(now), k.ID)
		return store.Effects{}, err
	})
}

// List returns the API keys of env, or of every environment when env is empty, newest first (at
// most 500), never a secret.
func (r *Keys) List(ctx context.Context, env kyc.Env) ([]Key, error) {
	where, args := "", []any{}
	if env != "" {
		where, args = ` WHERE env = ?`, []any{string(env)}
	}
	rs, err := r.st.Query(ctx, `SELECT id, env, name, hash, hint, created_at, revoked_at, last_used_at, scopes FROM api_keys`+where+` ORDER BY created_at DESC LIMIT 500`, args...)
	if err != nil {
		return nil, fmt.Errorf("api keys: %w", err)
	}
	defer rs.Close()
	var out []Key
	for rs.Next() {
		var k Key
		var env, scopes string
		var created int64
		var revoked, used *int64
		if err := rs.Scan(&k.ID, &env, &k.Name, &k.Hash, &k.Hint, &created, &revoked, &used, &scopes); err != nil {
			return nil, fmt.Errorf("api keys: %w", err)
		}
		k.Env, k.CreatedAt, k.Hash, k.Scopes = kyc.Env(env), store.FromMicros(created), "", strings.Fields(scopes)
		if revoked != nil {
			t := store.FromMicros(*revoked)
			k.RevokedAt = &t
		}
		if used != nil {
			t := store.FromMicros(*used)
			k.LastUsedAt = &t
		}
		out = append(out, k)
	}
	return out, rs.Err()
}

// Revoke revokes a key of env, audited as done by actor: from then on it authenticates nothing,
// on every replica (each request reads the key). A key revoked already is a conflict (409).
func (r *Keys) Revoke(ctx context.Context, env kyc.Env, id string, actor kyc.Actor) error {
	return r.RevokeWithin(ctx, env, id, actor, nil)
}

// RevokeWithin revokes a key as Revoke does, for a caller whose own scopes are within (an API
// key's): a key with scopes beyond them is kyc.ErrForbidden, so that a key allowed to manage keys
// cannot take away a stronger one. Nil within allows any key (the CLI, the console's admins).
func (r *Keys) RevokeWithin(ctx context.Context, env kyc.Env, id string, actor kyc.Actor, within []string) error {
	if !kyc.ValidID(kyc.PrefixAPIKey, id) {
		return fmt.Errorf("api key %q: %w", id, kyc.ErrNotFound)
	}
	return r.st.Change(ctx, env, func(tx *store.Tx) (store.Effects, error) {
		var revoked *int64
		var scopes string
		err := tx.QueryRow(ctx, `SELECT revoked_at, scopes FROM api_keys WHERE env = ? AND id = ?`+tx.ForUpdate(), string(env), id).Scan(&revoked, &scopes)
		if err == store.ErrNoRows {
			return store.Effects{}, fmt.Errorf("api key %s: %w", id, kyc.ErrNotFound)
		}
		if err != nil {
			return store.Effects{}, fmt.Errorf("api key %s: %w", id, err)
		}
		if within != nil && !Covers(within, strings.Fields(scopes)) {
			return store.Effects{}, fmt.Errorf("the key has scopes beyond the calling key's (%s): %w", scopes, kyc.ErrForbidden)
		}
		if revoked != nil {
			return store.Effects{}, fmt.Errorf("the key is revoked already: %w", kyc.ErrConflict)
		}
		if _, err := tx.Exec(ctx, `UPDATE api_keys SET revoked_at = ? WHERE id = ?`, store.Micros(store.Now()), id); err != nil {
			return store.Effects{}, fmt.Errorf("revoke api key %s: %w", id, err)
		}
		return store.Effects{Audit: kyc.AuditEntry{Actor: actor, Action: "api-key.revoke", ResourceType: "api-key", ResourceID: id}}, nil
	})
}

var _ KeyStore = (*Keys)(nil)

// CreateAPIKey stores a new key, audited as created by actor.
func (r *Keys) CreateAPIKey(ctx context.Context, k Key, actor kyc.Actor) error {
	return r.st.Change(ctx, k.Env, func(tx *store.Tx) (store.Effects, error) {
		if _, err := tx.Exec(ctx, `INSERT INTO api_keys (id, env, name, hash, hint, created_at, scopes) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			k.ID, string(k.Env), k.Name, k.Hash, k.Hint, store.Micros(store.Now()), strings.Join(k.Scopes, " ")); err != nil {
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
	var scopes string
	err := r.st.QueryRow(ctx, `SELECT id, env, name, hash, hint, created_at, scopes FROM api_keys WHERE hash = ? AND revoked_at IS NULL`, hash).
		Scan(&k.ID, &env, &k.Name, &k.Hash, &k.Hint, &created, &scopes)
	if err == store.ErrNoRows {
		return Key{}, fmt.Errorf("api key: %w", kyc.ErrUnauthenticated)
	}
	if err != nil {
		return Key{}, fmt.Errorf("api key: %w", err)
	}
	k.Env, k.CreatedAt, k.Scopes = kyc.Env(env), store.FromMicros(created), strings.Fields(scopes)
	return k, nil
}
