package people

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/store"
)

// Config tunes the people of the console.
type Config struct {
	// IndexKey keys the blind index of emails (HMAC-SHA256); derive it from the master key.
	IndexKey []byte
	// Argon2 is the cost of new password hashes. Default DefaultArgon2.
	Argon2 Argon2Params
	// IdleTimeout ends a session unused this long. Default 30 minutes.
	IdleTimeout time.Duration
	// MaxAge ends a session this long after sign-in, used or not. Default 12 hours.
	MaxAge time.Duration
	// FailureLimit failed sign-ins of one account within FailureWindow refuse its sign-ins until
	// the window ends. Defaults 5 and 15 minutes.
	FailureLimit  int
	FailureWindow time.Duration
	// Issuer names kycd in authenticator apps. Default "kycd".
	Issuer string
	// SSO says how single sign-on gives roles (SignInSSO).
	SSO SSO
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Service manages the people of the console and their sessions.
type Service struct {
	st  *store.Store
	cfg Config
	// dummy is a hash that no password matches, checked when an email is unknown, so that an
	// unknown email takes as long to refuse as a wrong password.
	dummy string
}

// NewService returns the people kept in st.
func NewService(st *store.Store, cfg Config) (*Service, error) {
	if len(cfg.IndexKey) == 0 {
		return nil, fmt.Errorf("people: an index key is required")
	}
	if cfg.Argon2 == (Argon2Params{}) {
		cfg.Argon2 = DefaultArgon2
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 30 * time.Minute
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = 12 * time.Hour
	}
	if cfg.FailureLimit <= 0 {
		cfg.FailureLimit = 5
	}
	if cfg.FailureWindow <= 0 {
		cfg.FailureWindow = 15 * time.Minute
	}
	if cfg.Issuer == "" {
		cfg.Issuer = "kycd"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	dummy, err := hashPassword(rand.Text(), cfg.Argon2)
	if err != nil {
		return nil, err
	}
	return &Service{st: st, cfg: cfg, dummy: dummy}, nil
}

// Timeouts are the idle and absolute timeouts of sessions.
func (s *Service) Timeouts() (idle, maxAge time.Duration) { return s.cfg.IdleTimeout, s.cfg.MaxAge }

func (s *Service) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Microsecond) }

// normalizeEmail checks an email address and returns its canonical form (lower case).
func normalizeEmail(email string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || len(email) > 254 || a.Name != "" {
		return "", kyc.Invalid("email", "must be an email address such as ana@example.com")
	}
	return email, nil
}

func (s *Service) emailIndex(email string) string {
	m := hmac.New(sha256.New, s.cfg.IndexKey)
	m.Write([]byte(email))
	return hex.EncodeToString(m.Sum(nil))
}

func checkNewPassword(p string) error {
	switch n := len([]rune(p)); {
	case n < MinPasswordLength:
		return kyc.Invalid("password", "must have at least %d characters", MinPasswordLength)
	case len(p) > MaxPasswordLength:
		return kyc.Invalid("password", "must have at most %d bytes", MaxPasswordLength)
	}
	return nil
}

// NewPassword returns a random password for a new person: 26 base32 characters, 130 bits.
func NewPassword() string { return strings.ToLower(rand.Text()) }

// CreateUser adds a person with a role and a password (checked for length), audited as done by
// actor. An email already in use answers an error wrapping kyc.ErrConflict.
func (s *Service) CreateUser(ctx context.Context, actor kyc.Actor, email string, role Role, password string) (User, error) {
	email, err := normalizeEmail(email)
	if err != nil {
		return User{}, err
	}
	if !role.Valid() {
		return User{}, kyc.Invalid("role", "must be one of %v", Roles)
	}
	if err := checkNewPassword(password); err != nil {
		return User{}, err
	}
	hash, err := hashPassword(password, s.cfg.Argon2)
	if err != nil {
		return User{}, err
	}
	at := s.now()
	a := account{User: User{ID: kyc.NewID(PrefixUser), Email: email, Role: role, Revision: 1, CreatedTime: at, UpdatedTime: at}, hash: hash}
	err = s.st.Change(ctx, auditEnv, func(tx *store.Tx) (store.Effects, error) {
		return audit(actor, "console-user.create", a.ID), insertAccount(ctx, tx, a, s.emailIndex(email))
	})
	if err != nil {
		return User{}, err
	}
	return a.User, nil
}

func audit(actor kyc.Actor, action, userID string) store.Effects {
	return store.Effects{Audit: kyc.AuditEntry{Actor: actor, Action: action, ResourceType: "console-user", ResourceID: userID}}
}

// User returns a person by id.
func (s *Service) User(ctx context.Context, id string) (User, error) {
	if !kyc.ValidID(PrefixUser, id) {
		return User{}, fmt.Errorf("person %q: %w", id, kyc.ErrNotFound)
	}
	a, err := s.accountBy(ctx, nil, "id", id)
	return a.User, err
}

// Users returns one page of people, newest first.
func (s *Service) Users(ctx context.Context, cursor string, limit int) (kyc.Page[User], error) {
	return s.listAccounts(ctx, cursor, limit)
}

// UserChange is what an admin changes of a person; nil fields stay as they are.
type UserChange struct {
	Role     *Role
	Disabled *bool
}

// ChangeUser changes a person's role or disables them, as the admin by. A change that would leave
// no active admin is refused (409); disabling a person ends their sessions at once.
func (s *Service) ChangeUser(ctx context.Context, by User, id string, ch UserChange) (User, error) {
	if !by.Role.Allows(Admin) {
		return User{}, fmt.Errorf("only an admin changes people: %w", kyc.ErrForbidden)
	}
	if ch.Role != nil && !ch.Role.Valid() {
		return User{}, kyc.Invalid("role", "must be one of %v", Roles)
	}
	if !kyc.ValidID(PrefixUser, id) {
		return User{}, fmt.Errorf("person %q: %w", id, kyc.ErrNotFound)
	}
	var out User
	err := s.st.Change(ctx, auditEnv, func(tx *store.Tx) (store.Effects, error) {
		if err := tx.Serialize(ctx, "console-admins"); err != nil {
			return store.Effects{}, err
		}
		a, err := s.accountBy(ctx, tx, "id", id)
		if err != nil {
			return store.Effects{}, err
		}
		wasAdmin := a.Role == Admin && !a.Disabled
		if ch.Role != nil {
			a.Role = *ch.Role
		}
		if ch.Disabled != nil {
			a.Disabled = *ch.Disabled
		}
		if wasAdmin && (a.Role != Admin || a.Disabled) {
			n, err := countAdmins(ctx, tx)
			if err != nil {
				return store.Effects{}, err
			}
			if n <= 1 {
				return store.Effects{}, fmt.Errorf("%s is the last active admin; make another admin first: %w", a.Email, kyc.ErrConflict)
			}
		}
		if err := writeAccount(ctx, tx, &a); err != nil {
			return store.Effects{}, err
		}
		if a.Disabled {
			if _, err := tx.Exec(ctx, `DELETE FROM console_sessions WHERE user_id = ?`, a.ID); err != nil {
				return store.Effects{}, fmt.Errorf("end sessions of %s: %w", a.ID, err)
			}
		}
		out = a.User
		return audit(by.Actor(), "console-user.update", a.ID), nil
	})
	return out, err
}

// SetPassword gives a person a new password, as by (the person themselves, or an admin). Every
// session of the person but keep (the one they are using, or "") ends.
func (s *Service) SetPassword(ctx context.Context, by User, id, password, keep string) error {
	if by.ID != id && !by.Role.Allows(Admin) {
		return fmt.Errorf("only an admin sets another person's password: %w", kyc.ErrForbidden)
	}
	if err := checkNewPassword(password); err != nil {
		return err
	}
	hash, err := hashPassword(password, s.cfg.Argon2)
	if err != nil {
		return err
	}
	return s.st.Change(ctx, auditEnv, func(tx *store.Tx) (store.Effects, error) {
		a, err := s.accountBy(ctx, tx, "id", id)
		if err != nil {
			return store.Effects{}, err
		}
		a.hash = hash
		if err := writeAccount(ctx, tx, &a); err != nil {
			return store.Effects{}, err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM console_sessions WHERE user_id = ? AND id <> ?`, a.ID, keep); err != nil {
			return store.Effects{}, fmt.Errorf("end sessions of %s: %w", a.ID, err)
		}
		return audit(by.Actor(), "console-user.password", a.ID), nil
	})
}

// SignIn checks an email and password and opens a session. It answers the session's token (the
// cookie's value, never stored), the session and the person. Every failure is ErrBadCredentials,
// whether the email is unknown, the password wrong or the person disabled, and takes as long;
// past Config.FailureLimit failures of one account within the window it is ErrThrottled, even with
// the right password. The session has MFA false: a person with a second factor gives it next
// (VerifyTOTP).
func (s *Service) SignIn(ctx context.Context, email, password string) (string, Session, User, error) {
	email, err := normalizeEmail(email)
	if err != nil || len(password) > MaxPasswordLength {
		return "", Session{}, User{}, ErrBadCredentials
	}
	idx := s.emailIndex(email)
	now := s.now()
	if throttled, err := s.throttled(ctx, idx, now); err != nil {
		return "", Session{}, User{}, err
	} else if throttled {
		return "", Session{}, User{}, ErrThrottled
	}
	a, err := s.accountBy(ctx, nil, "email_index", idx)
	if err != nil && !errors.Is(err, kyc.ErrNotFound) {
		return "", Session{}, User{}, err
	}
	hash := a.hash
	if hash == "" {
		hash = s.dummy
	}
	ok, err := checkPassword(hash, password)
	if err != nil {
		return "", Session{}, User{}, fmt.Errorf("sign-in: %w", err)
	}
	if !ok || a.ID == "" || a.Disabled || a.hash == "" {
		if err := s.fail(ctx, idx, a.User, "console.sign-in-failed", now); err != nil {
			return "", Session{}, User{}, err
		}
		return "", Session{}, User{}, ErrBadCredentials
	}
	if _, err := s.bookkeep(ctx, `DELETE FROM console_login_failures WHERE account_key = ?`, idx); err != nil {
		return "", Session{}, User{}, fmt.Errorf("sign-in: %w", err)
	}
	token, ss, err := s.open(ctx, a.User, "console.sign-in", now)
	return token, ss, a.User, err
}

// open starts a session of u, audited as action.
func (s *Service) open(ctx context.Context, u User, action string, now time.Time) (string, Session, error) {
	token := newToken()
	ss := Session{ID: kyc.NewID(PrefixSession), UserID: u.ID, CreatedTime: now, LastSeenTime: now, ExpiresTime: now.Add(s.cfg.MaxAge)}
	err := s.st.Change(ctx, auditEnv, func(tx *store.Tx) (store.Effects, error) {
		return audit(u.Actor(), action, u.ID), insertSession(ctx, tx, ss, token)
	})
	return token, ss, err
}

// throttled reports whether the account idx failed too often in the current window.
func (s *Service) throttled(ctx context.Context, idx string, now time.Time) (bool, error) {
	var n, start int64
	err := s.st.QueryRow(ctx, `SELECT failures, window_start FROM console_login_failures WHERE account_key = ?`, idx).Scan(&n, &start)
	if err == store.ErrNoRows {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("sign-in failures: %w", err)
	}
	return n >= int64(s.cfg.FailureLimit) && now.Before(store.FromMicros(start).Add(s.cfg.FailureWindow)), nil
}

// fail counts a failed sign-in (or second factor) of the account key idx (a new window when the
// last one ended) and, when the account exists, writes action in the person's audit trail.
func (s *Service) fail(ctx context.Context, idx string, u User, action string, now time.Time) error {
	cut := store.Micros(now.Add(-s.cfg.FailureWindow))
	at := store.Micros(now)
	if _, err := s.bookkeep(ctx, `INSERT INTO console_login_failures (account_key, failures, window_start) VALUES (?, 1, ?)
		ON CONFLICT (account_key) DO UPDATE SET
			failures = CASE WHEN console_login_failures.window_start < ? THEN 1 ELSE console_login_failures.failures + 1 END,
			window_start = CASE WHEN console_login_failures.window_start < ? THEN ? ELSE console_login_failures.window_start END`,
		idx, at, cut, cut, at); err != nil {
		return fmt.Errorf("sign-in failures: %w", err)
	}
	if u.ID == "" {
		return nil
	}
	return s.st.Change(ctx, auditEnv, func(*store.Tx) (store.Effects, error) {
		return audit(u.Actor(), action, u.ID), nil
	})
}

func newToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// touchEvery is how stale a session's last use may be before a request writes it again: within
// it, requests read the session and write nothing. It is far below the idle timeout.
const touchEvery = time.Minute

// Session returns the session whose token this is, and its person, when it is still open: not
// idle past the idle timeout, not past its absolute end, its person active. It records the use.
func (s *Service) Session(ctx context.Context, token string) (Session, User, error) {
	if token == "" || len(token) > 100 {
		return Session{}, User{}, ErrNoSession
	}
	h := tokenHash(token)
	ss, err := scanSession(s.st.QueryRow(ctx, `SELECT `+sessionColumns+` FROM console_sessions WHERE token_hash = ?`, h))
	if err == store.ErrNoRows {
		return Session{}, User{}, ErrNoSession
	}
	if err != nil {
		return Session{}, User{}, fmt.Errorf("session: %w", err)
	}
	now := s.now()
	if !now.Before(ss.ExpiresTime) || now.Sub(ss.LastSeenTime) >= s.cfg.IdleTimeout {
		if _, err := s.bookkeep(ctx, `DELETE FROM console_sessions WHERE id = ?`, ss.ID); err != nil {
			return Session{}, User{}, fmt.Errorf("session: %w", err)
		}
		return Session{}, User{}, ErrNoSession
	}
	a, err := s.accountBy(ctx, nil, "id", ss.UserID)
	if err != nil {
		return Session{}, User{}, err
	}
	if a.Disabled {
		return Session{}, User{}, ErrNoSession
	}
	if now.Sub(ss.LastSeenTime) >= touchEvery {
		if _, err := s.bookkeep(ctx, `UPDATE console_sessions SET last_seen_at = ? WHERE id = ?`, store.Micros(now), ss.ID); err != nil {
			return Session{}, User{}, fmt.Errorf("session: %w", err)
		}
		ss.LastSeenTime = now
	}
	return ss, a.User, nil
}

// SignOut ends the session whose token this is (nothing when there is none).
func (s *Service) SignOut(ctx context.Context, token string) error {
	ss, u, err := s.Session(ctx, token)
	if err != nil {
		return nil
	}
	return s.st.Change(ctx, auditEnv, func(tx *store.Tx) (store.Effects, error) {
		if _, err := tx.Exec(ctx, `DELETE FROM console_sessions WHERE id = ?`, ss.ID); err != nil {
			return store.Effects{}, fmt.Errorf("sign out: %w", err)
		}
		return audit(u.Actor(), "console.sign-out", u.ID), nil
	})
}

// bookkeep runs one statement that keeps count of something rather than changes a record (a
// session's last use, failed sign-ins): no audit entry, no event (store.Record with no effects).
func (s *Service) bookkeep(ctx context.Context, query string, args ...any) (int64, error) {
	var n int64
	err := s.st.Record(ctx, auditEnv, func(tx *store.Tx) (store.Effects, error) {
		var err error
		n, err = tx.Exec(ctx, query, args...)
		return store.Effects{}, err
	})
	return n, err
}

// ChangeOwnPassword gives the person of session ss a new password once current, their password
// now, is checked (a wrong one counts as a failed sign-in: ErrBadCredentials, then ErrThrottled).
// Their other sessions end.
func (s *Service) ChangeOwnPassword(ctx context.Context, ss Session, current, password string) error {
	a, err := s.accountBy(ctx, nil, "id", ss.UserID)
	if err != nil {
		return err
	}
	if err := checkNewPassword(password); err != nil {
		return err
	}
	idx, now := s.emailIndex(a.Email), s.now()
	if throttled, err := s.throttled(ctx, idx, now); err != nil {
		return err
	} else if throttled {
		return ErrThrottled
	}
	if ok, err := checkPassword(a.hash, current); err != nil || !ok || len(current) > MaxPasswordLength {
		if err := s.fail(ctx, idx, a.User, "console.sign-in-failed", now); err != nil {
			return err
		}
		return ErrBadCredentials
	}
	return s.SetPassword(ctx, a.User, a.ID, password, ss.ID)
}
