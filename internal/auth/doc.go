// Package auth owns kycd's credentials: API keys for integrators (test or live, stored only as a
// SHA-256 hash) and short-lived applicant tokens for end users (HMAC-signed, bound to one applicant
// and environment). It puts the authenticated principal in the request context; handlers read it
// with FromContext.
package auth
