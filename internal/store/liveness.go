package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"kycd/internal/kyc"
)

// LivenessSession is one liveness challenge of the hosted flow (see package face/liveness): what
// was asked, when, and what came of it.
type LivenessSession struct {
	ID          string
	Env         kyc.Env
	RequestID   string
	ApplicantID string
	Nonce       string
	// Moves are the moves asked, joined by commas (liveness.JoinMoves).
	Moves   string
	Issued  time.Time
	Expires time.Time
	// Used is when the frames were received (nil while the challenge is open).
	Used *time.Time
	// Result is the liveness.Result as JSON, nil until the frames are checked.
	Result json.RawMessage
	// SelfieFileID is the file the first frame was stored as, when it was.
	SelfieFileID string
}

const livenessColumns = `id, env, request_id, applicant_id, nonce, moves, issued_at, expires_at, used_at, result, selfie_file_id`

// livenessAAD binds a sealed result to its session.
func livenessAAD(id string) string { return "liveness_sessions:" + id }

// CreateLiveness stores a new, open challenge.
func (s *Store) CreateLiveness(ctx context.Context, l *LivenessSession) error {
	if err := s.requireApplicant(ctx, s.writer(), l.Env, l.ApplicantID, "applicantId"); err != nil {
		return err
	}
	if _, err := s.writer().exec(ctx, `INSERT INTO liveness_sessions (id, env, request_id, applicant_id, nonce, moves, issued_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, l.ID, string(l.Env), l.RequestID, l.ApplicantID, l.Nonce, l.Moves, micros(l.Issued), micros(l.Expires)); err != nil {
		return fmt.Errorf("create liveness session: %w", err)
	}
	return nil
}

// OpenLiveness returns the request's newest challenge that is neither answered nor expired at now
// (kyc.ErrNotFound when there is none).
func (s *Store) OpenLiveness(ctx context.Context, env kyc.Env, requestID string, now time.Time) (LivenessSession, error) {
	return s.scanLiveness(s.reader().queryRow(ctx, `SELECT `+livenessColumns+` FROM liveness_sessions
		WHERE env = ? AND request_id = ? AND used_at IS NULL AND expires_at > ? ORDER BY issued_at DESC LIMIT 1`,
		string(env), requestID, micros(now)))
}

// UseLiveness marks the request's challenge with this nonce answered at now and returns it, in one
// statement, so a nonce is answered once whichever replica gets it first. A nonce that is unknown,
// of another request, answered already or expired at now is kyc.ErrNotFound.
func (s *Store) UseLiveness(ctx context.Context, env kyc.Env, requestID, nonce string, now time.Time) (LivenessSession, error) {
	return s.scanLiveness(s.writer().queryRow(ctx, `UPDATE liveness_sessions SET used_at = ?
		WHERE env = ? AND request_id = ? AND nonce = ? AND used_at IS NULL AND expires_at > ? RETURNING `+livenessColumns,
		micros(now), string(env), requestID, nonce, micros(now)))
}

// FinishLiveness records an answered challenge's result and, when its first frame was stored as
// the selfie, that file.
func (s *Store) FinishLiveness(ctx context.Context, env kyc.Env, id string, result json.RawMessage, selfieFileID string) error {
	sealed, err := s.sealer.Seal(result, []byte(livenessAAD(id)))
	if err != nil {
		return fmt.Errorf("liveness result: %w", err)
	}
	var file *string
	if selfieFileID != "" {
		file = &selfieFileID
	}
	// Not for an applicant erased meanwhile: its result would outlive the erasure.
	n, err := s.writer().exec(ctx, `UPDATE liveness_sessions SET result = ?, selfie_file_id = ? WHERE env = ? AND id = ? AND used_at IS NOT NULL
		AND applicant_id IN (SELECT id FROM applicants WHERE env = ? AND erased_at IS NULL)`,
		sealed, file, string(env), id, string(env))
	if err != nil {
		return fmt.Errorf("finish liveness session: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("liveness session %s: %w", id, kyc.ErrNotFound)
	}
	return nil
}

// LivenessFailures counts the request's challenges answered since the last one whose first frame
// became a selfie and that did not become one themselves: the failed attempts in a row, and one
// being checked. A document sent again after a rejection so gets attempts of its own.
func (s *Store) LivenessFailures(ctx context.Context, env kyc.Env, requestID string) (int, error) {
	var n int
	if err := s.reader().queryRow(ctx, `SELECT COUNT(*) FROM liveness_sessions
		WHERE env = ? AND request_id = ? AND used_at IS NOT NULL AND selfie_file_id IS NULL
		AND used_at > COALESCE((SELECT MAX(used_at) FROM liveness_sessions WHERE env = ? AND request_id = ? AND selfie_file_id IS NOT NULL), 0)`,
		string(env), requestID, string(env), requestID).Scan(&n); err != nil {
		return 0, fmt.Errorf("liveness failures: %w", err)
	}
	return n, nil
}

// LivenessByFile returns the challenge whose first frame is the selfie file fileID
// (kyc.ErrNotFound when the file came from elsewhere).
func (s *Store) LivenessByFile(ctx context.Context, env kyc.Env, fileID string) (LivenessSession, error) {
	return s.scanLiveness(s.reader().queryRow(ctx, `SELECT `+livenessColumns+` FROM liveness_sessions WHERE env = ? AND selfie_file_id = ?`,
		string(env), fileID))
}

func (s *Store) scanLiveness(r row) (LivenessSession, error) {
	var l LivenessSession
	var env string
	var issued, expires int64
	var used *int64
	var result []byte
	var file *string
	err := r.Scan(&l.ID, &env, &l.RequestID, &l.ApplicantID, &l.Nonce, &l.Moves, &issued, &expires, &used, &result, &file)
	if err == errNoRows {
		return LivenessSession{}, fmt.Errorf("liveness session: %w", kyc.ErrNotFound)
	}
	if err != nil {
		return LivenessSession{}, fmt.Errorf("liveness session: %w", err)
	}
	l.Env, l.Issued, l.Expires = kyc.Env(env), fromMicros(issued), fromMicros(expires)
	if used != nil {
		t := fromMicros(*used)
		l.Used = &t
	}
	if file != nil {
		l.SelfieFileID = *file
	}
	if result != nil {
		if l.Result, err = s.sealer.Open(result, []byte(livenessAAD(l.ID))); err != nil {
			return LivenessSession{}, fmt.Errorf("liveness session %s: %w", l.ID, err)
		}
	}
	return l, nil
}
