// Package console serves the review console at /console: where compliance officers sign in (with a
// password, or through single sign-on with OpenID Connect: oidc.go), work the queue and decide. It
// is a transport: the people and their sessions are package people's, the cases and decisions the
// domains'. Pages are html/template, embedded, and work without
// JavaScript.
package console

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/people"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed assets
var assetFiles embed.FS

// People is what the console needs of package people. *people.Service satisfies it.
type People interface {
	SignIn(ctx context.Context, email, password string) (string, people.Session, people.User, error)
	SignInSSO(ctx context.Context, c people.Claims) (string, people.Session, people.User, error)
	AllowSSOLink(ctx context.Context, by people.User, id string) error
	Session(ctx context.Context, token string) (people.Session, people.User, error)
	SignOut(ctx context.Context, token string) error
	BeginTOTP(ctx context.Context, ss people.Session) (people.Enrolment, error)
	ConfirmTOTP(ctx context.Context, ss people.Session, code string) error
	VerifyTOTP(ctx context.Context, ss people.Session, code string) error
	ResetTOTP(ctx context.Context, by people.User, id string) error
	CreateUser(ctx context.Context, actor kyc.Actor, email string, role people.Role, password string) (people.User, error)
	User(ctx context.Context, id string) (people.User, error)
	Users(ctx context.Context, cursor string, limit int) (kyc.Page[people.User], error)
	ChangeUser(ctx context.Context, by people.User, id string, ch people.UserChange) (people.User, error)
	ChangeOwnPassword(ctx context.Context, ss people.Session, current, password string) error
	Timeouts() (idle, maxAge time.Duration)
}

var _ People = (*people.Service)(nil)

// Deps are what the console serves from; all are required.
type Deps struct {
	Log    *slog.Logger
	People People
	// Reviews is the review queue.
	Reviews Reviews
	// Evidence reads what the case pages show.
	Evidence Evidence
	// Audit is the audit log, for the audit page.
	Audit AuditLog
	// Reports reads the dashboard.
	Reports Reports
	// Levels, Policy and Webhooks serve the administration pages.
	Levels   Levels
	Policy   Policy
	Webhooks Webhooks
	APIKeys  APIKeys
	// Exports prepares an applicant's export (everything kycd holds about them, as a ZIP), for
	// approvers and admins.
	Exports Exports
	// Erasures erases an applicant, for admins (optional: without it the applicant page offers
	// no erasure).
	Erasures Erasures
	// Now is the clock; default time.Now.
	Now func() time.Time
	// CSRFKey keys the CSRF tokens (HMAC-SHA256); derive it from the master key.
	CSRFKey []byte
	// PublicURL is the base URL people reach kycd at; an https one makes the cookies Secure. Single
	// sign-on's redirect URL is PublicURL + "/console/oidc/callback".
	PublicURL string
	// OIDC turns single sign-on on when its Issuer is set (optional).
	OIDC OIDC
}

// Handler serves the console.
type Handler struct {
	d      Deps
	secure bool
	pages  map[string]*template.Template
	// sso is single sign-on, nil when it is off.
	sso *oidcClient
}

const (
	sessionCookie = "kycd_console"
	// loginCookie carries the sign-in form's CSRF token before there is a session.
	loginCookie = "kycd_console_login"
)

// New parses the templates and returns the console.
func New(d Deps) (*Handler, error) {
	if d.Log == nil || d.People == nil || d.Reviews == nil || d.Evidence == nil || d.Audit == nil || d.Reports == nil ||
		d.Levels == nil || d.Policy == nil || d.Webhooks == nil || d.APIKeys == nil || d.Exports == nil || len(d.CSRFKey) == 0 {
		return nil, errors.New("console: every dependency is required: Log, People, Reviews, Evidence, Audit, Reports, Levels, Policy, Webhooks, APIKeys, Exports, CSRFKey")
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	h := &Handler{d: d, pages: map[string]*template.Template{}}
	if d.OIDC.Issuer != "" {
		if d.OIDC.ClientID == "" || d.OIDC.ClientSecret == "" || d.PublicURL == "" {
			return nil, errors.New("console: single sign-on needs a client id, a client secret and the public URL")
		}
		h.sso = newOIDCClient(d.OIDC, d.PublicURL)
	}
	if u, err := url.Parse(d.PublicURL); err == nil && u.Scheme == "https" {
		h.secure = true
	}
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	funcs := template.FuncMap{"roleAllows": func(u people.User, r string) bool { return u.Role.Allows(people.Role(r)) }, "duration": duration}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("console: template %s: %w", n, err)
		}
		h.pages[base] = t
	}
	return h, nil
}

// Mount adds the console's routes to mux.
func (h *Handler) Mount(mux *http.ServeMux) {
	assets, _ := fs.Sub(assetFiles, "assets")
	mux.Handle("GET /console-assets/", headers(http.StripPrefix("/console-assets/", http.FileServerFS(assets)), false))
	mux.Handle("GET /console/login", headers(http.HandlerFunc(h.loginForm), true))
	mux.Handle("POST /console/login", headers(http.HandlerFunc(h.login), true))
	mux.Handle("POST /console/logout", h.signedIn(people.Viewer, h.logout))
	if h.sso != nil {
		mux.Handle("GET /console/oidc/login", headers(http.HandlerFunc(h.oidcLogin), true))
		mux.Handle("GET /console/oidc/callback", headers(http.HandlerFunc(h.oidcCallback), true))
	}
	mux.Handle("GET /console/second-factor", h.halfSignedIn(h.factorForm))
	mux.Handle("POST /console/second-factor", h.halfSignedIn(h.factor))
	mux.Handle("GET /console/second-factor/enrol", h.halfSignedIn(h.enrolForm))
	mux.Handle("POST /console/second-factor/enrol", h.halfSignedIn(h.enrol))
	mux.Handle("GET /console/{$}", h.signedIn(people.Viewer, h.home))
	mux.Handle("GET /console", http.RedirectHandler("/console/", http.StatusSeeOther))
	mux.Handle("GET /console/cases/{env}/{id}", h.signedIn(people.Viewer, h.caseView))
	mux.Handle("POST /console/cases/{env}/{id}", h.signedIn(people.Reviewer, h.caseAction))
	mux.Handle("GET /console/files/{env}/{id}", h.signedIn(people.Viewer, h.file))
	mux.Handle("GET /console/applicants/{env}/{id}", h.signedIn(people.Viewer, h.applicantView))
	mux.Handle("GET /console/export/{env}/{applicantID}", h.signedIn(people.Approver, h.exportApplicant))
	if h.d.Erasures != nil {
		mux.Handle("POST /console/applicants/{env}/{id}/erase", h.signedIn(people.Admin, h.eraseApplicant))
	}
	mux.Handle("POST /console/cases/{env}/{id}/decide", h.signedIn(people.Reviewer, h.decide))
	mux.Handle("POST /console/cases/{env}/{id}/notes", h.signedIn(people.Reviewer, h.note))
	mux.Handle("POST /console/proposals/{env}/{id}", h.signedIn(people.Approver, h.proposal))
	mux.Handle("GET /console/password", h.signedIn(people.Viewer, h.passwordForm))
	mux.Handle("POST /console/password", h.signedIn(people.Viewer, h.password))
	mux.Handle("GET /console/dashboard", h.signedIn(people.Viewer, h.dashboard))
	mux.Handle("GET /console/levels", h.signedIn(people.Admin, h.levels))
	mux.Handle("GET /console/api-keys", h.signedIn(people.Admin, h.apiKeys))
	mux.Handle("POST /console/api-keys", h.signedIn(people.Admin, h.apiKeyAction))
	mux.Handle("GET /console/webhooks", h.signedIn(people.Admin, h.webhooks))
	mux.Handle("POST /console/webhooks/{env}/{id}/replay", h.signedIn(people.Admin, h.replay))
	mux.Handle("GET /console/audit", h.signedIn(people.Admin, h.audit))
	mux.Handle("POST /console/audit", h.signedIn(people.Admin, h.audit))
	mux.Handle("GET /console/people", h.signedIn(people.Admin, h.peopleList))
	mux.Handle("POST /console/people", h.signedIn(people.Admin, h.peopleCreate))
	mux.Handle("POST /console/people/{id}", h.signedIn(people.Admin, h.peopleChange))
}

func (h *Handler) now() time.Time { return h.d.Now() }

// headers sets what every console answer carries: nothing personal is cached, no page is framed,
// nothing but the console's own files runs. page is false for the static assets, which may be
// cached.
func headers(next http.Handler, page bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		if page {
			hd.Set("Cache-Control", "no-store")
		}
		hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' blob:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// visit is one request of a signed-in person.
type visit struct {
	token   string
	session people.Session
	user    people.User
}

// signedIn serves next to a person signed in with their second factor given (when they have one;
// admins must; a single sign-on whose provider asked for one counts), whose role allows need.
// Others go to the sign-in page (or get 403). A POST must carry the session's CSRF token.
func (h *Handler) signedIn(need people.Role, next func(http.ResponseWriter, *http.Request, visit)) http.Handler {
	return h.session(func(w http.ResponseWriter, r *http.Request, v visit) {
		switch {
		case v.session.MFA:
			// A second factor was given: kycd's own, or the single sign-on provider's.
		case v.user.TOTP:
			http.Redirect(w, r, "/console/second-factor", http.StatusSeeOther)
			return
		case v.user.Role == people.Admin:
			http.Redirect(w, r, "/console/second-factor/enrol", http.StatusSeeOther)
			return
		}
		if !v.user.Role.Allows(need) {
			h.render(w, r, http.StatusForbidden, "error", page{Title: "Not allowed", User: &v.user, CSRF: h.csrf(v.session),
				Message: fmt.Sprintf("This page needs the %s role; you are a %s.", need, v.user.Role)})
			return
		}
		next(w, r, v)
	})
}

// halfSignedIn serves next to a person who gave their password, second factor or not: the pages
// where they give or enrol it.
func (h *Handler) halfSignedIn(next func(http.ResponseWriter, *http.Request, visit)) http.Handler {
	return h.session(next)
}

func (h *Handler) session(next func(http.ResponseWriter, *http.Request, visit)) http.Handler {
	return headers(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil {
			http.Redirect(w, r, "/console/login", http.StatusSeeOther)
			return
		}
		ss, u, err := h.d.People.Session(r.Context(), c.Value)
		if errors.Is(err, people.ErrNoSession) {
			h.clearCookie(w, sessionCookie)
			http.Redirect(w, r, "/console/login", http.StatusSeeOther)
			return
		}
		if err != nil {
			h.fail(w, r, err)
			return
		}
		v := visit{token: c.Value, session: ss, user: u}
		if r.Method == http.MethodPost {
			if err := r.ParseForm(); err != nil || !sameOrigin(r) || !hmac.Equal([]byte(r.PostFormValue("csrf")), []byte(h.csrf(ss))) {
				h.render(w, r, http.StatusForbidden, "error", page{Title: "Form expired", User: &u, CSRF: h.csrf(ss),
					Message: "This form expired or did not come from the console. Go back, reload the page and try again."})
				return
			}
		}
		next(w, r, v)
	}), true)
}

// sameOrigin refuses a POST whose Origin (sent by every current browser on a POST) names another
// site; a request without one (an old browser, a test client) relies on the CSRF token alone.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

// csrf is the session's CSRF token: an HMAC of the session's id, so it needs no storage and dies
// with the session.
func (h *Handler) csrf(ss people.Session) string {
	m := hmac.New(sha256.New, h.d.CSRFKey)
	m.Write([]byte("console-session:" + ss.ID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (h *Handler) setCookie(w http.ResponseWriter, name, value string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/console", HttpOnly: true, Secure: h.secure,
		SameSite: http.SameSiteLaxMode, MaxAge: int(maxAge.Seconds())})
}

func (h *Handler) clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/console", HttpOnly: true, Secure: h.secure, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// page is what every template reads.
type page struct {
	Title   string
	User    *people.User
	CSRF    string
	Message string
	Notice  string
	Errors  map[string]string
	Form    map[string]string
	Data    any
	// SSO says single sign-on is on (the sign-in page offers it).
	SSO bool
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	t, ok := h.pages[name]
	if !ok {
		h.d.Log.ErrorContext(r.Context(), "console: no template", "template", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, p); err != nil {
		h.d.Log.ErrorContext(r.Context(), "console: render", "template", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// fail answers an unexpected error: logged without personal data, a plain page to the person.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	h.d.Log.ErrorContext(r.Context(), "console: request failed", "path", r.URL.Path, "err", err)
	h.render(w, r, http.StatusInternalServerError, "error", page{Title: "Something went wrong",
		Message: "kycd could not do this. Try again; if it keeps failing, the operator will find the error in the log."})
}

// fieldErrors turns a validation error into messages per field.
func fieldErrors(err error) map[string]string {
	var ve *kyc.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	out := map[string]string{}
	for _, f := range ve.Fields {
		out[f.Field] = f.Message
	}
	return out
}

func randomToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
