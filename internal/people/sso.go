package people

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/store"
)

// Single sign-on: the rules of who may come in through an OpenID Connect provider, and with which
// role. Package console speaks the protocol and verifies the ID token; this file decides.

// SSO says how the claims of a single sign-on provider's ID token give a role.
type SSO struct {
	// RoleClaim names the claim holding the role: a string, or a list of strings of which the
	// highest role wins. Default DefaultRoleClaim.
	RoleClaim string
	// RoleMap maps the claim's values (group names, say) to roles. When it is empty the values
	// are role names themselves; when it is set only its keys count, so a group that happens to
	// be called "admin" grants nothing the map does not say.
	RoleMap map[string]Role
}

// DefaultRoleClaim is the claim read for the role when SSO.RoleClaim is empty.
const DefaultRoleClaim = "kycd_role"

// ParseRoleMap reads a role map written "group=role,group2=role" (spaces around the parts are
// ignored; an empty text is no map).
func ParseRoleMap(text string) (map[string]Role, error) {
	out := map[string]Role{}
	for part := range strings.SplitSeq(text, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		value, role, ok := strings.Cut(part, "=")
		value, role = strings.TrimSpace(value), strings.TrimSpace(role)
		if !ok || value == "" || !Role(role).Valid() {
			return nil, fmt.Errorf("role map: %q is not value=role with a role of %v", part, Roles)
		}
		out[value] = Role(role)
	}
	return out, nil
}

// Claims are the claims of an ID token whose signature, issuer, audience, expiry and nonce the
// console verified.
type Claims struct {
	// Issuer is the provider's issuer URL.
	Issuer string
	// All is every claim of the token, as it was sent.
	All map[string]json.RawMessage
}

// Why single sign-on refuses someone. Each wraps kyc.ErrForbidden: the provider vouched for the
// person, but kycd does not let them in.
var (
	// ErrNoRole is an ID token whose role claim names no valid role (or none the role map maps).
	ErrNoRole = fmt.Errorf("the single sign-on provider gave no kycd role: %w", kyc.ErrForbidden)
	// ErrUnverifiedEmail is an ID token without an email, or whose email_verified is false.
	ErrUnverifiedEmail = fmt.Errorf("the single sign-on provider gave no verified email: %w", kyc.ErrForbidden)
	// ErrNotLinked is a first single sign-on with the email of an existing person who has not been
	// linked to single sign-on by an admin (AllowSSOLink).
	ErrNotLinked = fmt.Errorf("a person with this email exists and is not linked to single sign-on; an admin links them: %w", kyc.ErrForbidden)
	// ErrDisabled is a person an admin disabled.
	ErrDisabled = fmt.Errorf("this person is disabled: %w", kyc.ErrForbidden)
)

// ssoActor is the audit actor of what single sign-on does on its own: creating a person, and
// changing a role to the one the provider says.
const ssoActor kyc.Actor = "system:sso"

// mfaMethods are the authentication methods (RFC 8176 amr values) that count as a second factor
// given at the provider: "mfa" (several factors), "otp" (a one-time password), "hwk" (a hardware
// key).
var mfaMethods = []string{"mfa", "otp", "hwk"}

// linkPending is the oidc_subject of a person an admin allowed to link at their next single
// sign-on: it cannot collide with a subject index (hex) and is unique like the person's id.
func linkPending(id string) string { return "link:" + id }

// subjectIndex keys a provider's subject to its column: an HMAC of issuer and sub, so the column
// names no one outside this installation.
func (s *Service) subjectIndex(issuer, sub string) string {
	m := hmac.New(sha256.New, s.cfg.IndexKey)
	m.Write([]byte("oidc\x00" + issuer + "\x00" + sub))
	return hex.EncodeToString(m.Sum(nil))
}

// ssoIdentity is what the claims say, checked.
type ssoIdentity struct {
	subject, email string
	emailVerified  bool // the claim was present and true
	role           Role
	mfa            bool
}

// identity reads and checks the claims: a subject, an email (with email_verified true when the
// claim is there), and a role.
func (s *Service) identity(c Claims) (ssoIdentity, error) {
	var id ssoIdentity
	var email string
	var verified *bool
	if json.Unmarshal(c.All["sub"], &id.subject) != nil || id.subject == "" || c.Issuer == "" {
		return id, fmt.Errorf("the ID token has no subject: %w", kyc.ErrUnauthenticated)
	}
	if raw, ok := c.All["email_verified"]; ok {
		// Some providers send the boolean as a string.
		var b bool
		var str string
		switch {
		case json.Unmarshal(raw, &b) == nil:
		case json.Unmarshal(raw, &str) == nil && (str == "true" || str == "false"):
			b = str == "true"
		default:
			return id, ErrUnverifiedEmail
		}
		verified = &b
	}
	if json.Unmarshal(c.All["email"], &email) != nil || (verified != nil && !*verified) {
		return id, ErrUnverifiedEmail
	}
	var err error
	if id.email, err = normalizeEmail(email); err != nil {
		return id, ErrUnverifiedEmail
	}
	id.emailVerified = verified != nil
	if id.role = s.ssoRole(c.All[s.roleClaim()]); id.role == "" {
		return id, ErrNoRole
	}
	var amr []string
	_ = json.Unmarshal(c.All["amr"], &amr)
	id.mfa = slices.ContainsFunc(amr, func(m string) bool { return slices.Contains(mfaMethods, m) })
	return id, nil
}

func (s *Service) roleClaim() string {
	if s.cfg.SSO.RoleClaim == "" {
		return DefaultRoleClaim
	}
	return s.cfg.SSO.RoleClaim
}

// ssoRole maps the role claim (a string or a list of strings) to the highest role it names, or
// "" when it names none.
func (s *Service) ssoRole(raw json.RawMessage) Role {
	var values []string
	var one string
	if json.Unmarshal(raw, &one) == nil {
		values = []string{one}
	} else if json.Unmarshal(raw, &values) != nil {
		return ""
	}
	best := Role("")
	for _, v := range values {
		r := Role(v)
		if len(s.cfg.SSO.RoleMap) > 0 {
			r = s.cfg.SSO.RoleMap[v]
		}
		if r.Valid() && (best == "" || r.Allows(best)) {
			best = r
		}
	}
	return best
}

// SignInSSO lets in the person a single sign-on provider vouched for, and opens their session,
// answered as SignIn answers. The person is the one linked to the token's issuer and subject;
// when none is, a person with the token's email who an admin allowed to link (AllowSSOLink) is
// linked, provided the provider says the email is verified; when no person has the email, one is
// created (just in time) with no password. An existing person not allowed to link is refused
// (ErrNotLinked): the provider's word on an email alone never takes over an account. The role is
// the claim's at every sign-in; a change is audited as done by the system. The session counts
// the second factor as given when the token's amr says the provider asked for one; otherwise the
// second-factor rules apply as after a password. Refusals are ErrNoRole, ErrUnverifiedEmail,
// ErrNotLinked and ErrDisabled; nothing is created by a refused sign-in.
func (s *Service) SignInSSO(ctx context.Context, c Claims) (string, Session, User, error) {
	id, err := s.identity(c)
	if err != nil {
		return "", Session{}, User{}, err
	}
	subject, now := s.subjectIndex(c.Issuer, id.subject), s.now()
	token := newToken()
	ss := Session{ID: kyc.NewID(PrefixSession), MFA: id.mfa, CreatedTime: now, LastSeenTime: now, ExpiresTime: now.Add(s.cfg.MaxAge)}
	var u User
	var refused User // a person refused, for their audit trail
	change := func(tx *store.Tx) (store.Effects, error) {
		refused = User{}
		var more []kyc.AuditEntry
		a, err := s.accountBy(ctx, tx, "oidc_subject", subject)
		switch {
		case errors.Is(err, kyc.ErrNotFound):
			a, more, err = s.firstSSO(ctx, tx, subject, id, now)
			if errors.Is(err, ErrNotLinked) {
				refused = a.User
			}
			if err != nil {
				return store.Effects{}, err
			}
		case err != nil:
			return store.Effects{}, err
		}
		if a.Disabled {
			refused = a.User
			return store.Effects{}, ErrDisabled
		}
		if a.Role != id.role {
			a.Role = id.role
			if err := writeAccount(ctx, tx, &a); err != nil {
				return store.Effects{}, err
			}
			more = append(more, audit(ssoActor, "console-user.update", a.ID).Audit)
		}
		ss.UserID, u = a.ID, a.User
		if err := insertSession(ctx, tx, ss, token); err != nil {
			return store.Effects{}, err
		}
		// Audit entries hold ids and an action only: the method is in the action's name. What
		// the sign-in changed comes first, in the order it happened.
		entries := append(more, audit(a.Actor(), "console.sign-in-sso", a.ID).Audit)
		return store.Effects{Audit: entries[0], MoreAudit: entries[1:]}, nil
	}
	// Two first sign-ins of one person at once: one creates them, the other's insert conflicts
	// and, tried again, finds them.
	for try := 0; try < 2; try++ {
		if err = s.st.Change(ctx, auditEnv, change); !errors.Is(err, kyc.ErrConflict) {
			break
		}
	}
	if refused.ID != "" {
		if ferr := s.st.Change(ctx, auditEnv, func(*store.Tx) (store.Effects, error) {
			return audit(refused.Actor(), "console.sign-in-sso-failed", refused.ID), nil
		}); ferr != nil {
			return "", Session{}, User{}, ferr
		}
	}
	if err != nil {
		return "", Session{}, User{}, err
	}
	return token, ss, u, nil
}

// firstSSO finds or creates, within tx, the person of a subject seen for the first time: the one
// an admin allowed to link with this email (linked now), or a new one when nobody has the email.
func (s *Service) firstSSO(ctx context.Context, tx *store.Tx, subject string, id ssoIdentity, now time.Time) (account, []kyc.AuditEntry, error) {
	idx := s.emailIndex(id.email)
	a, err := s.accountBy(ctx, tx, "email_index", idx)
	switch {
	case errors.Is(err, kyc.ErrNotFound):
		a = account{User: User{ID: kyc.NewID(PrefixUser), Email: id.email, Role: id.role, SSO: true, Revision: 1, CreatedTime: now, UpdatedTime: now},
			subject: subject}
		if err := insertAccount(ctx, tx, a, idx); err != nil {
			return account{}, nil, err
		}
		return a, []kyc.AuditEntry{audit(ssoActor, "console-user.create", a.ID).Audit}, nil
	case err != nil:
		return account{}, nil, err
	case a.subject != linkPending(a.ID) || !id.emailVerified:
		return a, nil, ErrNotLinked
	}
	if err := setSubject(ctx, tx, &a, subject); err != nil {
		return account{}, nil, err
	}
	return a, []kyc.AuditEntry{audit(ssoActor, "console-user.sso-link", a.ID).Audit}, nil
}

// AllowSSOLink lets the person id be linked to the single sign-on identity that next signs in
// with their email (verified by the provider), as the admin by. It undoes an earlier link: the
// person's sessions end and their next single sign-on links them anew.
func (s *Service) AllowSSOLink(ctx context.Context, by User, id string) error {
	if !by.Role.Allows(Admin) {
		return fmt.Errorf("only an admin links people to single sign-on: %w", kyc.ErrForbidden)
	}
	if !kyc.ValidID(PrefixUser, id) {
		return fmt.Errorf("person %q: %w", id, kyc.ErrNotFound)
	}
	return s.st.Change(ctx, auditEnv, func(tx *store.Tx) (store.Effects, error) {
		a, err := s.accountBy(ctx, tx, "id", id)
		if err != nil {
			return store.Effects{}, err
		}
		if err := setSubject(ctx, tx, &a, linkPending(a.ID)); err != nil {
			return store.Effects{}, err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM console_sessions WHERE user_id = ?`, a.ID); err != nil {
			return store.Effects{}, fmt.Errorf("end sessions of %s: %w", a.ID, err)
		}
		return audit(by.Actor(), "console-user.sso-link-allow", a.ID), nil
	})
}
