// Package people owns the people who work in the review console: their accounts and roles,
// passwords (argon2id), second factor (TOTP), sessions shared by every replica, the throttling of
// sign-ins, and who single sign-on lets in with which role (sso.go). Its records and their SQL
// are its own (repo.go), written over the store's core; the console's pages are package
// console's.
package people

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"kycd/internal/kyc"
)

// Role is what a person may do in the console. Each role may do what the ones before it may.
type Role string

// The roles, from least to most allowed.
const (
	// Viewer sees the queue and the cases.
	Viewer Role = "viewer"
	// Reviewer also claims cases, proposes and takes decisions, and writes notes.
	Reviewer Role = "reviewer"
	// Approver also approves another person's proposal where four eyes are required.
	Approver Role = "approver"
	// Admin also manages people and sees the audit log. An admin must use a second factor.
	Admin Role = "admin"
)

// Roles lists the roles, from least to most allowed.
var Roles = []Role{Viewer, Reviewer, Approver, Admin}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Allows reports whether r may do what need may.
func (r Role) Allows(need Role) bool {
	return r.Valid() && slices.Index(Roles, r) >= slices.Index(Roles, need)
}

// PrefixUser and PrefixSession begin the ids of people and sessions.
const (
	PrefixUser    = "usr"
	PrefixSession = "ses"
)

// User is a person who works in the console.
type User struct {
	ID    string
	Email string
	Role  Role
	// Disabled people cannot sign in, and their sessions end.
	Disabled bool
	// TOTP says the person has enrolled a second factor.
	TOTP bool
	// SSO says the person signs in only through single sign-on (no password).
	SSO bool
	// SSOLinked says the person is linked to a single sign-on identity.
	SSOLinked bool
	// SSOLinkAllowed says an admin allowed the person's next single sign-on to link them.
	SSOLinkAllowed bool
	Revision       int64
	CreatedTime    time.Time
	UpdatedTime    time.Time
}

// Actor is how the audit log names the person: "user:" and their id.
func (u User) Actor() kyc.Actor { return kyc.Actor("user:" + u.ID) }

// Session is a person's signed-in session.
type Session struct {
	ID     string
	UserID string
	// MFA says the person gave their second factor in this session.
	MFA          bool
	CreatedTime  time.Time
	LastSeenTime time.Time
	// ExpiresTime is when the session ends whatever its use (the absolute timeout).
	ExpiresTime time.Time
}

// Errors of sign-in. They are deliberately few: a wrong email and a wrong password look the same.
var (
	// ErrBadCredentials is a failed sign-in: unknown email, wrong password or disabled person.
	ErrBadCredentials = fmt.Errorf("the email or password is wrong: %w", kyc.ErrUnauthenticated)
	// ErrThrottled is a sign-in refused because the account failed too often lately.
	ErrThrottled = errors.New("too many failed sign-ins for this account; wait and try again")
	// ErrBadCode is a wrong, reused or expired second-factor code.
	ErrBadCode = fmt.Errorf("the code is wrong or was already used: %w", kyc.ErrUnauthenticated)
	// ErrNoSession is a session that does not exist, ended or expired.
	ErrNoSession = fmt.Errorf("not signed in, or the session ended: %w", kyc.ErrUnauthenticated)
)

// auditEnv is the environment whose audit log records what happens to people and sessions: they
// belong to the installation, not to an environment, and the live log is the one a regulator
// reads.
const auditEnv = kyc.EnvLive
