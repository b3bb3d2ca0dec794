package people_test

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"kycd/internal/kyc"
	"kycd/internal/people"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// clock is a test clock that tests move.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// cheap is an argon2id cost for tests (the cost is recorded in each hash, so checks follow it).
var cheap = people.Argon2Params{Memory: 64, Time: 1, Threads: 1}

func newService(t *testing.T, st *store.Store) (*people.Service, *clock) {
	t.Helper()
	c := &clock{t: time.Now().UTC()}
	s, err := people.NewService(st, people.Config{IndexKey: []byte("index-key"), Argon2: cheap, Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

const password = "correct horse battery"

func TestPeople(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		s, c := newService(t, st)

		// Bad input is refused, and stores nothing.
		for _, bad := range []struct{ email, role, password string }{
			{"not an email", "reviewer", password},
			{"Ana <ana@example.com>", "reviewer", password},
			{"ana@example.com", "boss", password},
			{"ana@example.com", "reviewer", "short"},
		} {
			if _, err := s.CreateUser(ctx, "cli:test", bad.email, people.Role(bad.role), bad.password); !errors.As(err, new(*kyc.ValidationError)) {
				t.Errorf("create %+v: %v, want a validation error", bad, err)
			}
		}
		u, err := s.CreateUser(ctx, "cli:test", " Ana@Example.com ", people.Reviewer, password)
		if err != nil {
			t.Fatal(err)
		}
		if u.Email != "ana@example.com" || u.Role != people.Reviewer || u.TOTP || u.Disabled {
			t.Fatalf("created %+v", u)
		}
		if _, err := s.CreateUser(ctx, "cli:test", "ANA@example.com", people.Admin, password); !errors.Is(err, kyc.ErrConflict) {
			t.Fatalf("the same email again: %v, want a conflict", err)
		}
		// The email is sealed at rest, and so is nothing else stored in clear that names the person.
		rs, err := st.Query(ctx, `SELECT email, email_index, password_hash FROM console_users`)
		if err != nil {
			t.Fatal(err)
		}
		for rs.Next() {
			var email []byte
			var idx, hash string
			if err := rs.Scan(&email, &idx, &hash); err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(email, []byte("ana")) || strings.Contains(idx, "ana") || strings.Contains(hash, password) || !strings.HasPrefix(hash, "$argon2id$v=19$") {
				t.Fatalf("stored in clear: %q %q %q", email, idx, hash)
			}
		}
		rs.Close()

		// Signing in: the right password opens a session; any failure looks the same.
		token, ss, got, err := s.SignIn(ctx, "ana@EXAMPLE.com", password)
		if err != nil || got.ID != u.ID || ss.MFA || token == "" {
			t.Fatalf("sign in: %+v %+v %v", got, ss, err)
		}
		if _, who, err := s.Session(ctx, token); err != nil || who.ID != u.ID {
			t.Fatalf("session: %+v %v", who, err)
		}
		for _, bad := range [][2]string{{"ana@example.com", password + "!"}, {"bob@example.com", password}, {"ana@example.com", ""}} {
			if _, _, _, err := s.SignIn(ctx, bad[0], bad[1]); !errors.Is(err, people.ErrBadCredentials) {
				t.Fatalf("sign in %q: %v, want bad credentials", bad, err)
			}
		}
		if _, _, err := s.Session(ctx, token+"x"); !errors.Is(err, people.ErrNoSession) {
			t.Fatalf("a forged token: %v", err)
		}
		// Only the token's hash is stored.
		var n int
		if err := st.QueryRow(ctx, `SELECT count(*) FROM console_sessions WHERE token_hash = ?`, token).Scan(&n); err != nil || n != 0 {
			t.Fatalf("the token is stored as it is: %d %v", n, err)
		}

		// Idle timeout: a session used within it lives on; one left idle ends.
		c.add(20 * time.Minute)
		if _, _, err := s.Session(ctx, token); err != nil {
			t.Fatalf("after 20 minutes of use: %v", err)
		}
		c.add(31 * time.Minute)
		if _, _, err := s.Session(ctx, token); !errors.Is(err, people.ErrNoSession) {
			t.Fatalf("after 31 idle minutes: %v, want no session", err)
		}
		// Absolute timeout: a session in use every 20 minutes still ends after 12 hours.
		token, _, _, err = s.SignIn(ctx, "ana@example.com", password)
		if err != nil {
			t.Fatal(err)
		}
		for range 35 {
			c.add(20 * time.Minute)
			if _, _, err := s.Session(ctx, token); err != nil {
				t.Fatalf("in use: %v", err)
			}
		}
		c.add(20 * time.Minute)
		if _, _, err := s.Session(ctx, token); !errors.Is(err, people.ErrNoSession) {
			t.Fatalf("after 12 hours: %v, want no session", err)
		}

		// Sign-out ends the session.
		token, _, _, _ = s.SignIn(ctx, "ana@example.com", password)
		if err := s.SignOut(ctx, token); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Session(ctx, token); !errors.Is(err, people.ErrNoSession) {
			t.Fatalf("after sign-out: %v", err)
		}

		// Every sign-in, failure and sign-out is in the person's audit trail, by the person.
		trail, err := st.AuditTrail(ctx, kyc.EnvLive, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range trail {
			actions = append(actions, e.Action)
			if e.Action != "console-user.create" && e.Actor != u.Actor() {
				t.Errorf("%s by %s, want %s", e.Action, e.Actor, u.Actor())
			}
		}
		want := "console-user.create console.sign-in console.sign-in-failed console.sign-in-failed console.sign-in console.sign-in console.sign-out"
		if strings.Join(actions, " ") != want {
			t.Fatalf("audit trail:\n %s\nwant\n %s", strings.Join(actions, " "), want)
		}
	})
}

// TestSignInThrottle: past five failures of one account within 15 minutes, even the right
// password is refused, on every replica (the count is in the database), until the window ends;
// other accounts are not affected.
func TestSignInThrottle(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		s, c := newService(t, st)
		other, _ := newService(t, st) // a second replica, same database
		for _, e := range []string{"ana@example.com", "bob@example.com"} {
			if _, err := s.CreateUser(ctx, "cli:test", e, people.Reviewer, password); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 5 {
			svc := s
			if i%2 == 1 {
				svc = other
			}
			if _, _, _, err := svc.SignIn(ctx, "ana@example.com", "wrong password!"); !errors.Is(err, people.ErrBadCredentials) {
				t.Fatalf("failure %d: %v", i, err)
			}
		}
		if _, _, _, err := s.SignIn(ctx, "ana@example.com", password); !errors.Is(err, people.ErrThrottled) {
			t.Fatalf("after 5 failures, the right password: %v, want throttled", err)
		}
		if _, _, _, err := s.SignIn(ctx, "bob@example.com", password); err != nil {
			t.Fatalf("another account: %v", err)
		}
		c.add(16 * time.Minute)
		if _, _, _, err := s.SignIn(ctx, "ana@example.com", password); err != nil {
			t.Fatalf("after the window: %v", err)
		}
	})
}

func code(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestTOTP: enrolment needs a first right code; a code is accepted once; wrong codes are
// throttled; an admin's reset removes the factor and ends the sessions.
func TestTOTP(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		s, c := newService(t, st)
		admin, err := s.CreateUser(ctx, "cli:test", "root@example.com", people.Admin, password)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateUser(ctx, "cli:test", "ana@example.com", people.Reviewer, password); err != nil {
			t.Fatal(err)
		}
		_, ss, u, err := s.SignIn(ctx, "ana@example.com", password)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.VerifyTOTP(ctx, ss, "123456"); !errors.Is(err, kyc.ErrConflict) {
			t.Fatalf("verify before enrolling: %v", err)
		}
		en, err := s.BeginTOTP(ctx, ss)
		if err != nil || !strings.HasPrefix(en.URL, "otpauth://totp/kycd:ana@example.com?") {
			t.Fatalf("begin: %+v %v", en, err)
		}
		var sealed []byte
		if err := st.QueryRow(ctx, `SELECT totp_secret FROM console_users WHERE id = ?`, u.ID).Scan(&sealed); err != nil || bytes.Contains(sealed, []byte(en.Secret)) {
			t.Fatalf("the secret is stored in clear: %v", err)
		}
		now := c.now()
		if err := s.ConfirmTOTP(ctx, ss, code(t, en.Secret, now.Add(-2*time.Minute))); !errors.Is(err, people.ErrBadCode) {
			t.Fatalf("an old code: %v", err)
		}
		first := code(t, en.Secret, now)
		if err := s.ConfirmTOTP(ctx, ss, first); err != nil {
			t.Fatalf("confirm: %v", err)
		}
		if _, err := s.BeginTOTP(ctx, ss); !errors.Is(err, kyc.ErrConflict) {
			t.Fatalf("enrolling again: %v", err)
		}
		token, ss2, u2, err := s.SignIn(ctx, "ana@example.com", password)
		if err != nil || !u2.TOTP || ss2.MFA {
			t.Fatalf("second sign-in: %+v %+v %v", u2, ss2, err)
		}
		if err := s.VerifyTOTP(ctx, ss2, first); !errors.Is(err, people.ErrBadCode) {
			t.Fatalf("the same code twice: %v", err)
		}
		c.add(30 * time.Second)
		if err := s.VerifyTOTP(ctx, ss2, code(t, en.Secret, c.now())); err != nil {
			t.Fatalf("the next code: %v", err)
		}
		if got, _, err := s.Session(ctx, token); err != nil || !got.MFA {
			t.Fatalf("the session after its second factor: %+v %v", got, err)
		}
		// Wrong codes: five within the window (the old code and the replay above were two), then
		// even a right one is refused for the window.
		_, ss3, _, _ := s.SignIn(ctx, "ana@example.com", password)
		for range 3 {
			if err := s.VerifyTOTP(ctx, ss3, "000000"); !errors.Is(err, people.ErrBadCode) {
				t.Fatalf("wrong code: %v", err)
			}
		}
		c.add(30 * time.Second)
		if err := s.VerifyTOTP(ctx, ss3, code(t, en.Secret, c.now())); !errors.Is(err, people.ErrThrottled) {
			t.Fatalf("after 5 wrong codes: %v, want throttled", err)
		}
		// Only an admin resets; the reset ends the sessions.
		if err := s.ResetTOTP(ctx, u, u.ID); !errors.Is(err, kyc.ErrForbidden) {
			t.Fatalf("a reviewer resets: %v", err)
		}
		if err := s.ResetTOTP(ctx, admin, u.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Session(ctx, token); !errors.Is(err, people.ErrNoSession) {
			t.Fatalf("a session after the reset: %v", err)
		}
		if got, err := s.User(ctx, u.ID); err != nil || got.TOTP {
			t.Fatalf("after the reset: %+v %v", got, err)
		}
	})
}

// TestChangeUser: only admins change people; the last active admin cannot be demoted or
// disabled, even by two admins at once; a disabled person's sessions end at once.
func TestChangeUser(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		s, _ := newService(t, st)
		a1, _ := s.CreateUser(ctx, "cli:test", "a1@example.com", people.Admin, password)
		a2, _ := s.CreateUser(ctx, "cli:test", "a2@example.com", people.Admin, password)
		r, _ := s.CreateUser(ctx, "cli:test", "r@example.com", people.Reviewer, password)
		approver := people.Approver
		if _, err := s.ChangeUser(ctx, r, r.ID, people.UserChange{Role: &approver}); !errors.Is(err, kyc.ErrForbidden) {
			t.Fatalf("a reviewer promotes themselves: %v", err)
		}
		token, _, _, err := s.SignIn(ctx, "r@example.com", password)
		if err != nil {
			t.Fatal(err)
		}
		yes := true
		if got, err := s.ChangeUser(ctx, a1, r.ID, people.UserChange{Disabled: &yes}); err != nil || !got.Disabled || got.Revision != 2 {
			t.Fatalf("disable: %+v %v", got, err)
		}
		if _, _, err := s.Session(ctx, token); !errors.Is(err, people.ErrNoSession) {
			t.Fatalf("a disabled person's session: %v", err)
		}
		if _, _, _, err := s.SignIn(ctx, "r@example.com", password); !errors.Is(err, people.ErrBadCredentials) {
			t.Fatalf("a disabled person signs in: %v", err)
		}
		// Two admins demote each other at once: one wins, one admin is left.
		reviewer := people.Reviewer
		var wg sync.WaitGroup
		errs := make([]error, 2)
		wg.Go(func() { _, errs[0] = s.ChangeUser(ctx, a1, a2.ID, people.UserChange{Role: &reviewer}) })
		wg.Go(func() { _, errs[1] = s.ChangeUser(ctx, a2, a1.ID, people.UserChange{Role: &reviewer}) })
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("both or neither demotion passed: %v", errs)
		}
		for _, err := range errs {
			if err != nil && !errors.Is(err, kyc.ErrConflict) {
				t.Fatalf("the refused demotion: %v", err)
			}
		}
		page, err := s.Users(ctx, "", 10)
		if err != nil || len(page.Items) != 3 {
			t.Fatalf("list: %v %v", page, err)
		}
		admins := 0
		for _, u := range page.Items {
			if u.Role == people.Admin && !u.Disabled {
				admins++
			}
		}
		if admins != 1 {
			t.Fatalf("%d active admins, want 1", admins)
		}
	})
}
