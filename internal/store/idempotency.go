package store

import (
	"context"
	"fmt"
	"time"

	"kycd/internal/kyc"
)

// IdempotentResponse is the answer stored for an Idempotency-Key. Body is personal data, sealed at
// rest. StatusCode 0 means the first request with the key is still running.
type IdempotentResponse struct {
	Method      string
	Path        string
	RequestHash string
	StatusCode  int
	Body        []byte
	// TakenOver is set when the first request with the key died with its process (a crash between
	// its claim and its completion) and this call has claimed the key for the caller in its place.
	// ResourceType and ResourceID then name the resource that the first request's committed
	// transaction made or changed, if it got that far; empty, nothing was committed and the
	// request may simply run again.
	TakenOver    bool
	ResourceType string
	ResourceID   string
}

type idempotencyCtxKey struct{}

type idempotencyClaim struct {
	env kyc.Env
	key string
}

// WithIdempotencyKey marks ctx as serving the request that claimed key in env: the first state
// change committed under ctx records, in its own transaction, which resource it made or changed
// (its audit entry's), so that a retry after a crash answers with that resource instead of making
// a second one.
func WithIdempotencyKey(ctx context.Context, env kyc.Env, key string) context.Context {
	return context.WithValue(ctx, idempotencyCtxKey{}, idempotencyClaim{env: env, key: key})
}

// stampIdempotencyKey records, inside a change's transaction, the resource of the first change
// made under an idempotency key (see WithIdempotencyKey).
func stampIdempotencyKey(ctx context.Context, t *txn, a kyc.AuditEntry) error {
	c, ok := ctx.Value(idempotencyCtxKey{}).(idempotencyClaim)
	if !ok || a.ResourceID == "" {
		return nil
	}
	_, err := t.exec(ctx, `UPDATE idempotency_keys SET resource_type = ?, resource_id = ?
		WHERE env = ? AND idem_key = ? AND status_code = 0 AND resource_id = ''`, a.ResourceType, a.ResourceID, string(c.env), c.key)
	if err != nil {
		return fmt.Errorf("stamp idempotency key: %w", err)
	}
	return nil
}

// ClaimIdempotencyKey records that a request with key starts, run by this process; requestHash is
// the hash of the request when it is known before it runs ("" otherwise, as for a streamed upload).
// It answers (nil, nil) when the key is new, so the caller runs the request; otherwise the stored
// record (StatusCode 0 while the first request still runs). A claim whose process has died is taken
// over (TakenOver, with the resource its request committed, if any) and belongs to the caller from
// then on: after a crash a retry is answered or runs again, never left "in progress". A claim whose
// hash differs from requestHash (both known) is never taken over: that retry is another request.
func (s *Store) ClaimIdempotencyKey(ctx context.Context, env kyc.Env, key, method, path, requestHash string) (*IdempotentResponse, error) {
	var claimed bool
	var rec *IdempotentResponse
	err := s.inTx(ctx, func(t *txn) error {
		n, err := t.exec(ctx, `INSERT INTO idempotency_keys (env, idem_key, method, path, request_hash, status_code, created_at, owner)
			VALUES (?, ?, ?, ?, ?, 0, ?, ?) ON CONFLICT (env, idem_key) DO NOTHING`, string(env), key, method, path, requestHash, micros(now()), s.process)
		if err != nil {
			return fmt.Errorf("claim idempotency key: %w", err)
		}
		if n == 1 {
			claimed = true
			return nil
		}
		r := IdempotentResponse{}
		var body []byte
		var owner string
		if err := t.queryRow(ctx, `SELECT method, path, request_hash, status_code, response_body, owner, resource_type, resource_id
			FROM idempotency_keys WHERE env = ? AND idem_key = ?`, string(env), key).
			Scan(&r.Method, &r.Path, &r.RequestHash, &r.StatusCode, &body, &owner, &r.ResourceType, &r.ResourceID); err != nil {
			return fmt.Errorf("read idempotency key: %w", err)
		}
		sameBody := r.RequestHash == "" || requestHash == "" || r.RequestHash == requestHash
		if r.StatusCode == 0 && r.Method == method && r.Path == path && sameBody {
			if r.TakenOver, err = s.takeOverClaim(ctx, t, env, key, owner); err != nil {
				return err
			}
		}
		if len(body) > 0 {
			if r.Body, err = s.sealer.Open(body, []byte("idempotency:"+string(env)+":"+key)); err != nil {
				return fmt.Errorf("open idempotent response: %w", err)
			}
		}
		rec = &r
		return nil
	})
	if err != nil || claimed {
		return nil, err
	}
	return rec, nil
}

// takeOverClaim makes this process the owner of a running claim whose owner has died, and reports
// whether it did. The update names the old owner, so two processes never both take it over.
func (s *Store) takeOverClaim(ctx context.Context, t *txn, env kyc.Env, key, owner string) (bool, error) {
	alive, err := s.processAlive(ctx, t, owner)
	if err != nil || alive {
		return false, err
	}
	n, err := t.exec(ctx, `UPDATE idempotency_keys SET owner = ?, created_at = ? WHERE env = ? AND idem_key = ? AND owner = ? AND status_code = 0`,
		s.process, micros(now()), string(env), key, owner)
	if err != nil {
		return false, fmt.Errorf("take over idempotency key: %w", err)
	}
	return n == 1, nil
}

// CompleteIdempotencyKey stores the answer to a claimed key.
func (s *Store) CompleteIdempotencyKey(ctx context.Context, env kyc.Env, key string, resp IdempotentResponse) error {
	body, err := s.sealer.Seal(resp.Body, []byte("idempotency:"+string(env)+":"+key))
	if err != nil {
		return err
	}
	_, err = s.writer().exec(ctx, `UPDATE idempotency_keys SET request_hash = ?, status_code = ?, response_body = ? WHERE env = ? AND idem_key = ?`,
		resp.RequestHash, resp.StatusCode, body, string(env), key)
	if err != nil {
		return fmt.Errorf("complete idempotency key: %w", err)
	}
	return nil
}

// ReleaseIdempotencyKey forgets a claimed key whose request failed in a way worth retrying (a
// server error), so that the client's retry runs again.
func (s *Store) ReleaseIdempotencyKey(ctx context.Context, env kyc.Env, key string) error {
	_, err := s.writer().exec(ctx, `DELETE FROM idempotency_keys WHERE env = ? AND idem_key = ? AND status_code = 0`, string(env), key)
	if err != nil {
		return fmt.Errorf("release idempotency key: %w", err)
	}
	return nil
}

// ForgetIdempotencyKeys deletes the keys claimed before the given time; answers are kept 24 hours.
func (s *Store) ForgetIdempotencyKeys(ctx context.Context, before time.Time) (int64, error) {
	n, err := s.writer().exec(ctx, `DELETE FROM idempotency_keys WHERE created_at < ?`, micros(before))
	if err != nil {
		return 0, fmt.Errorf("forget idempotency keys: %w", err)
	}
	return n, nil
}
