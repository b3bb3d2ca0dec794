package auth

import (
	"context"
	"fmt"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/store"
)

// RequestStatuses tells the status of a KYC request; the composition root gives the requests'
// service.
type RequestStatuses interface {
	RequestStatus(ctx context.Context, env kyc.Env, id string) (string, error)
}

// Tokens checks applicant tokens and gatherer links beyond their signature: a token is refused
// once its applicant's tokens were revoked after it was issued (on every replica at once: the
// revocation is a row of the database, read on each use), and an applicant token bound to a KYC
// request dies with the request when the request is abandoned or expired. (A gatherer link to
// such a request opens the hosted flow's page saying the request is closed or expired, which is
// the flow's own answer.)
type Tokens struct {
	signer   *Signer
	st       *store.Store
	requests RequestStatuses
}

// NewTokens returns the token checker over signer, the revocations kept in st and the requests'
// statuses.
func NewTokens(signer *Signer, st *store.Store, requests RequestStatuses) *Tokens {
	return &Tokens{signer: signer, st: st, requests: requests}
}

// Sign returns a token for the claims (Signer.Sign).
func (t *Tokens) Sign(c ApplicantClaims) string { return t.signer.Sign(c) }

// Verify checks a token's signature, purpose and expiry (Signer.Verify), then that its
// applicant's tokens were not revoked since it was issued and, for an applicant token bound to a
// request, that the request is neither abandoned nor expired. A token the checks refuse is kyc.ErrUnauthenticated; its
// claims are returned all the same, as Signer.Verify does, so callers can tell what it was for.
func (t *Tokens) Verify(ctx context.Context, token, purpose string) (ApplicantClaims, error) {
	c, err := t.signer.Verify(token, purpose)
	if err != nil {
		return c, err
	}
	var notBefore int64
	switch err := t.st.QueryRow(ctx, `SELECT not_before FROM token_revocations WHERE env = ? AND applicant_id = ?`, string(c.Env), c.ApplicantID).Scan(&notBefore); {
	case err == store.ErrNoRows:
	case err != nil:
		return c, fmt.Errorf("token revocations: %w", err)
	case c.IssuedAt <= notBefore:
		return c, fmt.Errorf("token revoked: %w", kyc.ErrUnauthenticated)
	}
	if c.RequestID != "" && purpose == PurposeApplicant {
		s, err := t.requests.RequestStatus(ctx, c.Env, c.RequestID)
		if err != nil {
			return c, fmt.Errorf("the token's request: %w", err)
		}
		if s == "abandoned" || s == "expired" {
			return c, fmt.Errorf("the token's request is %s: %w", s, kyc.ErrUnauthenticated)
		}
	}
	return c, nil
}

// Revoke refuses, from now on, every applicant token and gatherer link of the applicant issued
// until now (to the millisecond: one issued in the same millisecond is refused too), audited as
// done by actor. Tokens issued afterwards work (a KYC request read again carries a new gatherer
// link).
func (t *Tokens) Revoke(ctx context.Context, env kyc.Env, applicantID string, actor kyc.Actor) (time.Time, error) {
	at := t.signer.now().UTC().Truncate(time.Millisecond)
	err := t.st.Change(ctx, env, func(tx *store.Tx) (store.Effects, error) {
		if _, err := tx.Exec(ctx, `INSERT INTO token_revocations (env, applicant_id, not_before) VALUES (?, ?, ?)
			ON CONFLICT (env, applicant_id) DO UPDATE SET not_before = excluded.not_before WHERE token_revocations.not_before < excluded.not_before`,
			string(env), applicantID, at.UnixMilli()); err != nil {
			return store.Effects{}, fmt.Errorf("revoke tokens: %w", err)
		}
		return store.Effects{Audit: kyc.AuditEntry{Actor: actor, Action: "applicant.revoke-tokens", ResourceType: "applicant", ResourceID: applicantID}}, nil
	})
	return at, err
}
