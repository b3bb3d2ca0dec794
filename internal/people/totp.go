package people

import (
	"context"
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"fmt"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"kycd/internal/kyc"
	"kycd/internal/store"
)

// The second factor: time-based one-time passwords (RFC 6238: 6 digits, 30-second steps,
// HMAC-SHA1, what every authenticator app reads from an otpauth:// URL). A code is accepted for
// its step and the one before and after (clock drift), and never twice: the last step accepted is
// stored, and only a later one passes.

const totpPeriod = 30

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// Enrolment is a second factor being set up: the secret for an authenticator app, as text and as
// an otpauth:// URL.
type Enrolment struct {
	Secret string
	URL    string
}

// errUnchanged ends a Change that has nothing to write.
var errUnchanged = errors.New("unchanged")

// BeginTOTP gives the person of ss a secret to enrol: a new one, or the one given before and not
// yet confirmed (so a page shown twice shows the secret the app already holds). A person already
// enrolled is refused (409): an admin resets the factor first.
func (s *Service) BeginTOTP(ctx context.Context, ss Session) (Enrolment, error) {
	var out Enrolment
	err := s.st.Change(ctx, auditEnv, func(tx *store.Tx) (store.Effects, error) {
		a, err := s.accountBy(ctx, tx, "id", ss.UserID)
		if err != nil {
			return store.Effects{}, err
		}
		if a.TOTP {
			return store.Effects{}, fmt.Errorf("a second factor is already enrolled: %w", kyc.ErrConflict)
		}
		opts := totp.GenerateOpts{Issuer: s.cfg.Issuer, AccountName: a.Email, Period: totpPeriod, SecretSize: 20,
			Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
		pending := a.totpSecret != nil
		if pending {
			raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(string(a.totpSecret))
			if err != nil {
				return store.Effects{}, fmt.Errorf("second factor: %w", err)
			}
			opts.Secret = raw
		}
		key, err := totp.Generate(opts)
		if err != nil {
			return store.Effects{}, fmt.Errorf("second factor: %w", err)
		}
		out = Enrolment{Secret: key.Secret(), URL: key.URL()}
		if pending {
			return store.Effects{}, errUnchanged
		}
		a.totpSecret, a.totpStep = []byte(key.Secret()), 0
		return audit(a.Actor(), "console-user.totp-begin", a.ID), writeAccount(ctx, tx, &a)
	})
	if errors.Is(err, errUnchanged) {
		err = nil
	}
	return out, err
}

// ConfirmTOTP completes the enrolment begun by BeginTOTP with a first code; the session then
// counts as having given its second factor.
func (s *Service) ConfirmTOTP(ctx context.Context, ss Session, code string) error {
	return s.acceptCode(ctx, ss, code, true)
}

// VerifyTOTP takes the second factor of an enrolled person for the session ss.
func (s *Service) VerifyTOTP(ctx context.Context, ss Session, code string) error {
	return s.acceptCode(ctx, ss, code, false)
}

func (s *Service) acceptCode(ctx context.Context, ss Session, code string, enrol bool) error {
	now := s.now()
	key := "totp:" + ss.UserID
	if throttled, err := s.throttled(ctx, key, now); err != nil {
		return err
	} else if throttled {
		return ErrThrottled
	}
	var wrong User
	err := s.st.Change(ctx, auditEnv, func(tx *store.Tx) (store.Effects, error) {
		a, err := s.accountBy(ctx, tx, "id", ss.UserID)
		if err != nil {
			return store.Effects{}, err
		}
		if a.totpSecret == nil || a.TOTP == enrol {
			if enrol {
				return store.Effects{}, fmt.Errorf("no second factor is being enrolled: %w", kyc.ErrConflict)
			}
			return store.Effects{}, fmt.Errorf("no second factor is enrolled: %w", kyc.ErrConflict)
		}
		step, ok := matchStep(string(a.totpSecret), code, now, a.totpStep)
		if !ok {
			wrong = a.User
			return store.Effects{}, ErrBadCode
		}
		a.totpStep, a.TOTP = step, true
		if err := writeAccount(ctx, tx, &a); err != nil {
			return store.Effects{}, err
		}
		if _, err := tx.Exec(ctx, `UPDATE console_sessions SET mfa = 1 WHERE id = ? AND user_id = ?`, ss.ID, a.ID); err != nil {
			return store.Effects{}, fmt.Errorf("session: %w", err)
		}
		action := "console.second-factor"
		if enrol {
			action = "console-user.totp-enrol"
		}
		return audit(a.Actor(), action, a.ID), nil
	})
	if wrong.ID != "" {
		// Wrong codes are throttled like passwords: a 6-digit code would otherwise fall to guessing.
		if ferr := s.fail(ctx, key, wrong, "console.second-factor-failed", now); ferr != nil {
			return ferr
		}
	}
	return err
}

// matchStep finds the time step, at now or one step either side, whose code is code and that
// comes after the last one accepted.
func matchStep(secret, code string, now time.Time, last int64) (int64, bool) {
	if len(code) != 6 {
		return 0, false
	}
	cur := now.Unix() / totpPeriod
	for step := cur - 1; step <= cur+1; step++ {
		if step <= last {
			continue
		}
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*totpPeriod, 0), totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step, true
		}
	}
	return 0, false
}

// ResetTOTP removes a person's second factor, as the admin by, so that they enrol again; their
// sessions end.
func (s *Service) ResetTOTP(ctx context.Context, by User, id string) error {
	if !by.Role.Allows(Admin) {
		return fmt.Errorf("only an admin resets a second factor: %w", kyc.ErrForbidden)
	}
	return s.st.Change(ctx, auditEnv, func(tx *store.Tx) (store.Effects, error) {
		a, err := s.accountBy(ctx, tx, "id", id)
		if err != nil {
			return store.Effects{}, err
		}
		a.totpSecret, a.totpStep, a.TOTP = nil, 0, false
		if err := writeAccount(ctx, tx, &a); err != nil {
			return store.Effects{}, err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM console_sessions WHERE user_id = ?`, a.ID); err != nil {
			return store.Effects{}, fmt.Errorf("end sessions of %s: %w", a.ID, err)
		}
		return audit(by.Actor(), "console-user.totp-reset", a.ID), nil
	})
}
