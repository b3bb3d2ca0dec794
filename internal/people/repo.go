package people

import (
	"context"
	"fmt"
	"strconv"

	"kycd/internal/kyc"
	"kycd/internal/store"
)

// The records of people and sessions (tables console_users, console_sessions and
// console_login_failures, migration 00019), over the store's core. Emails are sealed, bound to
// their row, and found through their blind index.

// account is a person's row with what only this package reads: the password hash and the
// second factor.
type account struct {
	User
	hash       string
	totpSecret []byte // opened; nil when none
	totpStep   int64
	// subject is the single sign-on identity (subjectIndex), linkPending, or "".
	subject string
}

const userColumns = `id, email, role, status, password_hash, totp_secret, totp_enrolled_at, totp_step, oidc_subject, revision, created_at, updated_at`

func emailAAD(id string) string { return "console_users:" + id + ":email" }
func totpAAD(id string) string  { return "console_users:" + id + ":totp" }

// opener opens sealed values (the store).
type opener interface {
	Open(sealed []byte, aad string) ([]byte, error)
}

func scanAccount(o opener, r store.Row) (account, error) {
	var a account
	var email, totp []byte
	var status string
	var enrolled any
	var subject *string
	var created, updated int64
	if err := r.Scan(&a.ID, &email, &a.Role, &status, &a.hash, &totp, &enrolled, &a.totpStep, &subject, &a.Revision, &created, &updated); err != nil {
		return a, err
	}
	plain, err := o.Open(email, emailAAD(a.ID))
	if err != nil {
		return a, fmt.Errorf("person %s: email: %w", a.ID, err)
	}
	a.Email = string(plain)
	if totp != nil {
		if a.totpSecret, err = o.Open(totp, totpAAD(a.ID)); err != nil {
			return a, fmt.Errorf("person %s: second factor: %w", a.ID, err)
		}
	}
	if subject != nil {
		a.subject = *subject
	}
	a.Disabled, a.TOTP, a.SSO = status == "disabled", enrolled != nil, a.hash == ""
	a.SSOLinked, a.SSOLinkAllowed = a.subject != "" && a.subject != linkPending(a.ID), a.subject == linkPending(a.ID)
	a.CreatedTime, a.UpdatedTime = store.FromMicros(created), store.FromMicros(updated)
	return a, nil
}

// accountBy reads one person by a column (id, email_index or oidc_subject), locked for update within tx when
// tx is not nil.
func (s *Service) accountBy(ctx context.Context, tx *store.Tx, column, value string) (account, error) {
	q := `SELECT ` + userColumns + ` FROM console_users WHERE ` + column + ` = ?`
	var r store.Row
	if tx != nil {
		r = tx.QueryRow(ctx, q+tx.ForUpdate(), value)
	} else {
		r = s.st.QueryRow(ctx, q, value)
	}
	a, err := scanAccount(s.st, r)
	if err == store.ErrNoRows {
		return account{}, fmt.Errorf("person: %w", kyc.ErrNotFound)
	}
	if err != nil {
		return account{}, fmt.Errorf("person: %w", err)
	}
	return a, nil
}

// insertAccount writes a new person.
func insertAccount(ctx context.Context, tx *store.Tx, a account, emailIndex string) error {
	email, err := tx.Seal([]byte(a.Email), emailAAD(a.ID))
	if err != nil {
		return err
	}
	status := "active"
	if a.Disabled {
		status = "disabled"
	}
	var subject any
	if a.subject != "" {
		subject = a.subject
	}
	_, err = tx.Exec(ctx, `INSERT INTO console_users (id, email_index, email, role, status, password_hash, totp_step, oidc_subject, revision, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)`, a.ID, emailIndex, email, string(a.Role), status, a.hash, subject, a.Revision,
		store.Micros(a.CreatedTime), store.Micros(a.UpdatedTime))
	if store.IsUniqueViolation(err) {
		return fmt.Errorf("a person with this email exists: %w", kyc.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("create person: %w", err)
	}
	return nil
}

// writeAccount writes back a changed person, with revision + 1. When the second factor is
// confirmed, totp_enrolled_at keeps the time it first was.
func writeAccount(ctx context.Context, tx *store.Tx, a *account) error {
	var totp any
	if a.totpSecret != nil {
		sealed, err := tx.Seal(a.totpSecret, totpAAD(a.ID))
		if err != nil {
			return err
		}
		totp = sealed
	}
	status := "active"
	if a.Disabled {
		status = "disabled"
	}
	a.Revision++
	a.UpdatedTime = store.Now()
	enrolled := `NULL`
	if a.TOTP {
		enrolled = `COALESCE(totp_enrolled_at, ` + strconv.FormatInt(store.Micros(a.UpdatedTime), 10) + `)`
	}
	if _, err := tx.Exec(ctx, `UPDATE console_users SET role = ?, status = ?, password_hash = ?, totp_secret = ?,
		totp_enrolled_at = `+enrolled+`, totp_step = ?, revision = ?, updated_at = ?
		WHERE id = ?`, string(a.Role), status, a.hash, totp, a.totpStep, a.Revision, store.Micros(a.UpdatedTime), a.ID); err != nil {
		return fmt.Errorf("change person %s: %w", a.ID, err)
	}
	return nil
}

// setSubject links a person to a single sign-on identity (or marks them allowed to link), with
// revision + 1.
func setSubject(ctx context.Context, tx *store.Tx, a *account, subject string) error {
	a.Revision++
	a.UpdatedTime = store.Now()
	a.subject = subject
	a.SSOLinked, a.SSOLinkAllowed = subject != linkPending(a.ID), subject == linkPending(a.ID)
	if _, err := tx.Exec(ctx, `UPDATE console_users SET oidc_subject = ?, revision = ?, updated_at = ? WHERE id = ?`,
		subject, a.Revision, store.Micros(a.UpdatedTime), a.ID); err != nil {
		return fmt.Errorf("link person %s: %w", a.ID, err)
	}
	return nil
}

// insertSession writes a new session whose cookie carries token.
func insertSession(ctx context.Context, tx *store.Tx, ss Session, token string) error {
	mfa := 0
	if ss.MFA {
		mfa = 1
	}
	_, err := tx.Exec(ctx, `INSERT INTO console_sessions (id, token_hash, user_id, mfa, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		ss.ID, tokenHash(token), ss.UserID, mfa, store.Micros(ss.CreatedTime), store.Micros(ss.LastSeenTime), store.Micros(ss.ExpiresTime))
	if err != nil {
		return fmt.Errorf("open session: %w", err)
	}
	return nil
}

// countAdmins counts the active admins, within tx.
func countAdmins(ctx context.Context, tx *store.Tx) (int, error) {
	var n int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM console_users WHERE role = 'admin' AND status = 'active'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count admins: %w", err)
	}
	return n, nil
}

// listAccounts returns one page of people, newest first.
func (s *Service) listAccounts(ctx context.Context, cursor string, limit int) (kyc.Page[User], error) {
	return store.ListPage(ctx, s.st, "people", `SELECT `+userColumns+` FROM console_users`, store.NewWhereInstallation(), false, cursor, limit,
		func(r store.Row) (User, error) {
			a, err := scanAccount(s.st, r)
			return a.User, err
		}, func(u User) string { return u.ID })
}

const sessionColumns = `id, user_id, mfa, created_at, last_seen_at, expires_at`

func scanSession(r store.Row) (Session, error) {
	var ss Session
	var mfa, created, seen, expires int64
	if err := r.Scan(&ss.ID, &ss.UserID, &mfa, &created, &seen, &expires); err != nil {
		return ss, err
	}
	ss.MFA = mfa == 1
	ss.CreatedTime, ss.LastSeenTime, ss.ExpiresTime = store.FromMicros(created), store.FromMicros(seen), store.FromMicros(expires)
	return ss, nil
}
