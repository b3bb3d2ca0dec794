package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"kycd/internal/kyc"
)

const requestColumns = `id, env, applicant_id, status, documents, reason, redirect_url, match_level, level, revision, expiration_time, created_at, updated_at`

// CreateRequest stores a new KYC request. The applicant must exist in the same environment.
func (s *Store) CreateRequest(ctx context.Context, r *kyc.Request, eff Effects) error {
	at := now()
	r.CreatedTime, r.UpdatedTime, r.Revision = at, at, 0
	docs, err := json.Marshal(r.Documents)
	if err != nil {
		return fmt.Errorf("create request: %w", err)
	}
	return s.inTx(ctx, func(t *txn) error {
		if err := s.requireApplicant(ctx, t, r.Env, r.ApplicantID, "body.applicantId"); err != nil {
			return err
		}
		if _, err := t.exec(ctx, `INSERT INTO kyc_requests (`+requestColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, string(r.Env), r.ApplicantID, r.Status, string(docs), r.Reason, r.RedirectURL, r.MatchLevel, r.Level,
			r.Revision, micros(r.ExpirationTime), micros(at), micros(at)); err != nil {
			return fmt.Errorf("create request: %w", err)
		}
		completeEvents(&eff, r.Revision, r)
		return s.applyEffects(ctx, t, r.Env, eff, at)
	})
}

// Request returns one KYC request of env.
func (s *Store) Request(ctx context.Context, env kyc.Env, id string) (kyc.Request, error) {
	return s.request(ctx, s.reader(), env, id, "")
}

func (s *Store) request(ctx context.Context, q querier, env kyc.Env, id, suffix string) (kyc.Request, error) {
	r, err := scanRequest(q.queryRow(ctx, `SELECT `+requestColumns+` FROM kyc_requests WHERE env = ? AND id = ?`+suffix, string(env), id))
	if err == errNoRows {
		return kyc.Request{}, fmt.Errorf("kyc request %s: %w", id, kyc.ErrNotFound)
	}
	return r, err
}

// scanRequest reads one row of requestColumns; it answers errNoRows unwrapped.
func scanRequest(rw row) (kyc.Request, error) {
	var r kyc.Request
	var e, docs string
	var exp, created, updated int64
	err := rw.Scan(&r.ID, &e, &r.ApplicantID, &r.Status, &docs, &r.Reason, &r.RedirectURL, &r.MatchLevel, &r.Level, &r.Revision, &exp, &created, &updated)
	if err == errNoRows {
		return kyc.Request{}, err
	}
	if err != nil {
		return kyc.Request{}, fmt.Errorf("kyc request: %w", err)
	}
	if err := json.Unmarshal([]byte(docs), &r.Documents); err != nil {
		return kyc.Request{}, fmt.Errorf("kyc request documents: %w", err)
	}
	r.Env, r.ExpirationTime, r.CreatedTime, r.UpdatedTime = kyc.Env(e), fromMicros(exp), fromMicros(created), fromMicros(updated)
	return r, nil
}

// UpdateRequest reads a KYC request under a write lock, lets mutate change it and name the effects,
// and writes it back with revision + 1. An error from mutate aborts with nothing written.
func (s *Store) UpdateRequest(ctx context.Context, env kyc.Env, id string, mutate func(r *kyc.Request) (Effects, error)) (kyc.Request, error) {
	var out kyc.Request
	err := s.inTx(ctx, func(t *txn) error {
		r, err := s.request(ctx, t, env, id, s.forUpdate())
		if err != nil {
			return err
		}
		eff, err := mutate(&r)
		if err != nil {
			return err
		}
		if err := s.writeRequest(ctx, t, &r); err != nil {
			return err
		}
		out = r
		completeEvents(&eff, r.Revision, r)
		return s.applyEffects(ctx, t, env, eff, r.UpdatedTime)
	})
	return out, err
}

func (s *Store) writeRequest(ctx context.Context, t *txn, r *kyc.Request) error {
	docs, err := json.Marshal(r.Documents)
	if err != nil {
		return fmt.Errorf("update request: %w", err)
	}
	r.Revision++
	r.UpdatedTime = now()
	if _, err := t.exec(ctx, `UPDATE kyc_requests SET status = ?, documents = ?, reason = ?, redirect_url = ?, match_level = ?, level = ?,
		revision = ?, expiration_time = ?, updated_at = ? WHERE env = ? AND id = ?`,
		r.Status, string(docs), r.Reason, r.RedirectURL, r.MatchLevel, r.Level, r.Revision, micros(r.ExpirationTime),
		micros(r.UpdatedTime), string(r.Env), r.ID); err != nil {
		return fmt.Errorf("update request: %w", err)
	}
	return nil
}

// OverdueRequests lists up to limit KYC requests, of both environments, in one of statuses (those
// that wait for the end user, given by package request) past their expirationTime: the sweep that
// backs up each request's own expiry job. No statuses lists none.
func (s *Store) OverdueRequests(ctx context.Context, statuses []string, at time.Time, limit int) ([]OverdueRequest, error) {
	if len(statuses) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(statuses)+2)
	for _, st := range statuses {
		args = append(args, st)
	}
	args = append(args, micros(at), limit)
	rs, err := s.reader().query(ctx, `SELECT env, id FROM kyc_requests WHERE status IN (?`+strings.Repeat(", ?", len(statuses)-1)+`)
		AND expiration_time <= ? ORDER BY expiration_time LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("overdue requests: %w", err)
	}
	defer rs.Close()
	var out []OverdueRequest
	for rs.Next() {
		var o OverdueRequest
		var env string
		if err := rs.Scan(&env, &o.ID); err != nil {
			return nil, fmt.Errorf("overdue requests: %w", err)
		}
		o.Env = kyc.Env(env)
		out = append(out, o)
	}
	return out, rs.Err()
}

// OverdueRequest names a KYC request past its expiration time.
type OverdueRequest struct {
	Env kyc.Env
	ID  string
}
