package auth

import (
	"context"

	"kycd/internal/kyc"
)

// Principal is who is calling: an integrator's API key, or an end user holding an applicant token.
type Principal struct {
	Env kyc.Env
	// KeyID is set for API keys.
	KeyID string
	// ApplicantID is set for applicant tokens: the only applicant the caller may touch.
	ApplicantID string
	// Scopes are the API key's scopes (ParseScopes).
	Scopes []string
}

// Actor names the principal in the audit log.
func (p Principal) Actor() kyc.Actor {
	if p.KeyID != "" {
		return kyc.Actor(p.KeyID)
	}
	return kyc.Actor("applicant:" + p.ApplicantID)
}

type ctxKey struct{}

// WithPrincipal returns a context carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// FromContext returns the principal of an authenticated request.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(ctxKey{}).(Principal)
	return p, ok
}
