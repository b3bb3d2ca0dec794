package console_test

import (
	"context"
	"crypto/ed25519"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"github.com/riverqueue/river"

	"kycd/internal/auth"
	"kycd/internal/console"
	"kycd/internal/erasure"
	"kycd/internal/export"
	"kycd/internal/people"
	"kycd/internal/report"
	"kycd/internal/review"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
	"kycd/internal/webhook"
)

const password = "correct horse battery"

type env struct {
	t       *testing.T
	srv     *httptest.Server
	people  *people.Service
	reviews *review.Service
	// clock is people's (second-factor codes, sessions): UnixNano, moved by tests.
	clock atomic.Int64
}

func (e *env) now() time.Time { return time.Unix(0, e.clock.Load()) }

func newEnv(t *testing.T, st *store.Store, publicURL string) *env {
	t.Helper()
	return newEnvWith(t, st, publicURL, people.SSO{}, nil)
}

// newEnvWith is newEnv with single sign-on when oidc is not nil; the public URL is then the
// server's, since single sign-on's redirect URL is made from it.
func newEnvWith(t *testing.T, st *store.Store, publicURL string, sso people.SSO, oidc *console.OIDC) *env {
	t.Helper()
	e := &env{t: t}
	e.clock.Store(time.Now().UnixNano())
	ps, err := people.NewService(st, people.Config{IndexKey: []byte("k"), Argon2: people.Argon2Params{Memory: 64, Time: 1, Threads: 1},
		Now: e.now, SSO: sso})
	if err != nil {
		t.Fatal(err)
	}
	e.reviews = review.NewService(st, review.Config{FourEyes: map[string]bool{"*": true}})
	e.reviews.SetDecider(storeDecider{st})
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(context.Context, *river.Job[webhook.DeliveryArgs]) error { return nil }))
	river.AddWorker(workers, river.WorkFunc(func(context.Context, *river.Job[erasure.JobArgs]) error { return nil }))
	if err := st.InitJobs(store.JobsConfig{Workers: workers, Events: store.EventSinks{webhook.Deliveries{}, e.reviews.Sink()}}); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	e.srv, e.people = httptest.NewServer(mux), ps
	t.Cleanup(e.srv.Close)
	deps := console.Deps{Log: slog.New(slog.DiscardHandler), People: ps, Reviews: e.reviews, Evidence: storeEvidence{st: st, reviews: e.reviews}, Audit: st, Reports: report.New(st), Levels: builtinLevels(t), Policy: e.reviews, Webhooks: webhook.NewService(st, webhook.Config{}), APIKeys: auth.NewKeys(st),
		Exports:  export.New(storeExportSource{st: st, reviews: e.reviews}, export.Config{Version: "test"}),
		Erasures: erasure.NewService(st, erasure.Config{SigningKey: ed25519.NewKeyFromSeed(make([]byte, 32))}), CSRFKey: []byte("csrf"), PublicURL: publicURL}
	if oidc != nil {
		// The console's clock is the test's too, so a sign-in flow can be made to expire.
		deps.PublicURL, deps.OIDC, deps.Now = e.srv.URL, *oidc, e.now
	}
	h, err := console.New(deps)
	if err != nil {
		t.Fatal(err)
	}
	h.Mount(mux)
	return e
}

// browser is one person's browser: a cookie jar that does not follow redirects, so each answer is
// seen as sent.
type browser struct {
	e *env
	c *http.Client
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: e, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type answer struct {
	status int
	header http.Header
	body   string
}

func (b *browser) do(method, path string, form url.Values, origin string) answer {
	b.e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, b.e.srv.URL+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, header: resp.Header, body: string(raw)}
}

func (b *browser) get(path string) answer { return b.do(http.MethodGet, path, nil, "") }
func (b *browser) post(path string, form url.Values) answer {
	return b.do(http.MethodPost, path, form, b.e.srv.URL)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf reads the CSRF token of the page at path.
func (b *browser) csrf(path string) string {
	b.e.t.Helper()
	a := b.get(path)
	m := csrfField.FindStringSubmatch(a.body)
	if m == nil {
		b.e.t.Fatalf("no CSRF token on %s (%d): %s", path, a.status, a.body)
	}
	return m[1]
}

func (b *browser) signIn(email, pw string) answer {
	b.e.t.Helper()
	return b.post("/console/login", url.Values{"csrf": {b.csrf("/console/login")}, "email": {email}, "password": {pw}})
}

func wantRedirect(t *testing.T, a answer, to string) {
	t.Helper()
	if a.status != http.StatusSeeOther || a.header.Get("Location") != to {
		t.Fatalf("answer %d to %q, want 303 to %q: %s", a.status, a.header.Get("Location"), to, a.body)
	}
}

func (e *env) code(secret string) string {
	e.t.Helper()
	c, err := totp.GenerateCodeCustom(secret, e.now(), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// TestSignIn: the console's pages need a session; sign-in refuses forged forms and wrong
// passwords alike; the session cookie is HttpOnly, SameSite=Lax and scoped to /console; pages are
// never cached; a reviewer cannot reach the admin pages; sign-out needs the CSRF token and ends
// the session.
func TestSignIn(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, "http://kycd.example")
		if _, err := e.people.CreateUser(t.Context(), "cli:test", "rita@example.com", people.Reviewer, password); err != nil {
			t.Fatal(err)
		}
		b := e.browser()
		wantRedirect(t, b.get("/console/"), "/console/login")

		login := b.get("/console/login")
		if login.status != http.StatusOK || login.header.Get("Cache-Control") != "no-store" ||
			!strings.Contains(login.header.Get("Content-Security-Policy"), "frame-ancestors 'none'") || login.header.Get("X-Frame-Options") != "DENY" {
			t.Fatalf("login page: %d %v", login.status, login.header)
		}
		// A form without its token, or posted from another site, is refused.
		if a := b.post("/console/login", url.Values{"email": {"rita@example.com"}, "password": {password}}); a.status != http.StatusForbidden {
			t.Fatalf("sign-in without the CSRF token: %d", a.status)
		}
		if a := b.do(http.MethodPost, "/console/login", url.Values{"csrf": {b.csrf("/console/login")}, "email": {"rita@example.com"}, "password": {password}},
			"https://evil.example"); a.status != http.StatusForbidden {
			t.Fatalf("sign-in from another origin: %d", a.status)
		}
		if a := b.signIn("rita@example.com", "wrong password!!"); a.status != http.StatusUnauthorized || !strings.Contains(a.body, "The email or the password is wrong.") {
			t.Fatalf("wrong password: %d %s", a.status, a.body)
		}
		if a := b.signIn("nobody@example.com", password); a.status != http.StatusUnauthorized || !strings.Contains(a.body, "The email or the password is wrong.") {
			t.Fatalf("unknown email: %d", a.status)
		}
		a := b.signIn("rita@example.com", password)
		wantRedirect(t, a, "/console/")
		cookie := ""
		for _, c := range a.header.Values("Set-Cookie") {
			if strings.HasPrefix(c, "kycd_console=") {
				cookie = c
			}
		}
		for _, attr := range []string{"Path=/console", "HttpOnly", "SameSite=Lax", "Max-Age=43200"} {
			if !strings.Contains(cookie, attr) {
				t.Errorf("session cookie %q lacks %s", cookie, attr)
			}
		}
		if strings.Contains(cookie, "Secure") {
			t.Errorf("a cookie over http is Secure: %q", cookie)
		}
		home := b.get("/console/")
		if home.status != http.StatusOK || !strings.Contains(home.body, "rita@example.com") || home.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("home: %d %s", home.status, home.body)
		}
		if a := b.get("/console/people"); a.status != http.StatusForbidden {
			t.Fatalf("a reviewer on the people page: %d", a.status)
		}
		// Sign-out: without the token it is refused; with it the session ends.
		if a := b.post("/console/logout", url.Values{}); a.status != http.StatusForbidden {
			t.Fatalf("sign-out without the CSRF token: %d", a.status)
		}
		wantRedirect(t, b.post("/console/logout", url.Values{"csrf": {b.csrf("/console/")}}), "/console/login")
		wantRedirect(t, b.get("/console/"), "/console/login")
	})
}

// TestSecureCookie: served under an https public URL, the cookies are Secure.
func TestSecureCookie(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.New(t, store.SQLite), "https://kycd.example")
	a := e.browser().get("/console/login")
	if c := a.header.Get("Set-Cookie"); !strings.Contains(c, "Secure") || !strings.Contains(c, "HttpOnly") {
		t.Fatalf("cookie under https: %q", c)
	}
}

// TestAdminNeedsSecondFactor: an admin without a second factor reaches nothing but its
// enrolment; once enrolled, every later session asks for a code first. Admins add people, whose
// first password is shown once and works.
func TestAdminNeedsSecondFactor(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, "")
		if _, err := e.people.CreateUser(t.Context(), "cli:test", "root@example.com", people.Admin, password); err != nil {
			t.Fatal(err)
		}
		b := e.browser()
		wantRedirect(t, b.signIn("root@example.com", password), "/console/second-factor/enrol")
		wantRedirect(t, b.get("/console/people"), "/console/second-factor/enrol")
		enrol := b.get("/console/second-factor/enrol")
		secret := regexp.MustCompile(`id="secret">([A-Z2-7]+)<`).FindStringSubmatch(enrol.body)
		if secret == nil {
			t.Fatalf("no secret on the enrolment page: %s", enrol.body)
		}
		// Shown again, the page shows the same secret (the app already holds it).
		if again := b.get("/console/second-factor/enrol"); !strings.Contains(again.body, secret[1]) {
			t.Fatal("the enrolment page changed the secret")
		}
		csrf := csrfField.FindStringSubmatch(enrol.body)[1]
		if a := b.post("/console/second-factor/enrol", url.Values{"csrf": {csrf}, "code": {"000000"}}); a.status != http.StatusUnauthorized {
			t.Fatalf("a wrong code: %d", a.status)
		}
		wantRedirect(t, b.post("/console/second-factor/enrol", url.Values{"csrf": {csrf}, "code": {e.code(secret[1])}}), "/console/")
		people := b.get("/console/people")
		if people.status != http.StatusOK {
			t.Fatalf("people page after enrolment: %d", people.status)
		}

		// Adding a person shows their first password once.
		add := b.post("/console/people", url.Values{"csrf": {csrfField.FindStringSubmatch(people.body)[1]}, "email": {"ana@example.com"}, "role": {"reviewer"}})
		first := regexp.MustCompile(`id="first-password">([a-z2-7]+)<`).FindStringSubmatch(add.body)
		if add.status != http.StatusCreated || first == nil {
			t.Fatalf("add a person: %d %s", add.status, add.body)
		}
		if again := b.get("/console/people"); strings.Contains(again.body, first[1]) {
			t.Fatal("the first password is shown again")
		}
		if a := b.post("/console/people", url.Values{"csrf": {csrfField.FindStringSubmatch(people.body)[1]}, "email": {"ANA@example.com"}, "role": {"viewer"}}); a.status != http.StatusConflict {
			t.Fatalf("the same email again: %d", a.status)
		}
		ana := e.browser()
		wantRedirect(t, ana.signIn("ana@example.com", first[1]), "/console/")

		// A new session of the admin asks for the code before anything else.
		b2 := e.browser()
		wantRedirect(t, b2.signIn("root@example.com", password), "/console/second-factor")
		wantRedirect(t, b2.get("/console/people"), "/console/second-factor")
		e.clock.Add(int64(30 * time.Second)) // the enrolment's code cannot be used twice
		wantRedirect(t, b2.post("/console/second-factor", url.Values{"csrf": {b2.csrf("/console/second-factor")}, "code": {e.code(secret[1])}}), "/console/")
		if a := b2.get("/console/people"); a.status != http.StatusOK {
			t.Fatalf("people page after the code: %d", a.status)
		}
	})
}
