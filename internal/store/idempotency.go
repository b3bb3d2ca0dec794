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
}

// ClaimIdempotencyKey records that a request with key starts. It answers (nil, nil) when the key is
// new, so the caller runs the request; otherwise the stored record (StatusCode 0 while the first
// request still runs).
func (s *Store) ClaimIdempotencyKey(ctx context.Context, env kyc.Env, key, method, path string) (*IdempotentResponse, error) {
	var claimed bool
	var rec *IdempotentResponse
	err := s.inTx(ctx, func(t *txn) error {
		n, err := t.exec(ctx, `INSERT INTO idempotency_keys (env, idem_key, method, path, request_hash, status_code, created_at)
			VALUES (?, ?, ?, ?, '', 0, ?) ON CONFLICT (env, idem_key) DO NOTHING`, string(env), key, method, path, micros(now()))
		if err != nil {
			return fmt.Errorf("claim idempotency key: %w", err)
		}
		if n == 1 {
			claimed = true
			return nil
		}
		r := IdempotentResponse{}
		var body []byte
		if err := t.queryRow(ctx, `SELECT method, path, request_hash, status_code, response_body FROM idempotency_keys WHERE env = ? AND idem_key = ?`,
			string(env), key).Scan(&r.Method, &r.Path, &r.RequestHash, &r.StatusCode, &body); err != nil {
			return fmt.Errorf("read idempotency key: %w", err)
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
