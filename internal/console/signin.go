package console

import (
	"crypto/hmac"
	"errors"
	"net/http"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/people"
)

// The pages of signing in and out and of the second factor.

func (h *Handler) loginForm(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if _, _, err := h.d.People.Session(r.Context(), c.Value); err == nil {
			http.Redirect(w, r, "/console/", http.StatusSeeOther)
			return
		}
	}
	h.showLogin(w, r, http.StatusOK, page{})
}

// showLogin renders the sign-in form with a fresh CSRF token, which the form and a cookie both
// carry (there is no session yet to bind it to).
func (h *Handler) showLogin(w http.ResponseWriter, r *http.Request, status int, p page) {
	token := randomToken()
	h.setCookie(w, loginCookie, token, time.Hour)
	p.Title, p.CSRF, p.SSO = "Sign in", token, h.sso != nil
	h.render(w, r, status, "login", p)
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	c, cerr := r.Cookie(loginCookie)
	if err := r.ParseForm(); err != nil || cerr != nil || !sameOrigin(r) || !hmac.Equal([]byte(c.Value), []byte(r.PostFormValue("csrf"))) {
		h.showLogin(w, r, http.StatusForbidden, page{Message: "The form expired. Sign in again."})
		return
	}
	email := r.PostFormValue("email")
	form := map[string]string{"email": email}
	// One address trying many accounts meets the server's limit on failed authentications
	// (httpapi's guard counts this page's 401s per client address, behind a proxy too:
	// KYCD_AUTH_FAILURE_LIMIT, KYCD_CLIENT_IP_HEADER); people throttles each account.
	token, ss, u, err := h.d.People.SignIn(r.Context(), email, r.PostFormValue("password"))
	switch {
	case errors.Is(err, people.ErrThrottled):
		h.showLogin(w, r, http.StatusTooManyRequests, page{Form: form, Message: "Too many failed sign-ins for this account. Wait 15 minutes and try again, or ask an admin."})
		return
	case errors.Is(err, people.ErrBadCredentials):
		h.showLogin(w, r, http.StatusUnauthorized, page{Form: form, Message: "The email or the password is wrong."})
		return
	case err != nil:
		h.fail(w, r, err)
		return
	}
	h.clearCookie(w, loginCookie)
	h.startSession(w, r, token, ss, u)
}

// startSession gives the browser the session's cookie and sends the person on: to their second
// factor when they must give it, else into the console.
func (h *Handler) startSession(w http.ResponseWriter, r *http.Request, token string, ss people.Session, u people.User) {
	_, maxAge := h.d.People.Timeouts()
	h.setCookie(w, sessionCookie, token, maxAge)
	switch {
	case ss.MFA:
		http.Redirect(w, r, "/console/", http.StatusSeeOther)
	case u.TOTP:
		http.Redirect(w, r, "/console/second-factor", http.StatusSeeOther)
	case u.Role == people.Admin:
		http.Redirect(w, r, "/console/second-factor/enrol", http.StatusSeeOther)
	default:
		http.Redirect(w, r, "/console/", http.StatusSeeOther)
	}
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request, v visit) {
	if err := h.d.People.SignOut(r.Context(), v.token); err != nil {
		h.fail(w, r, err)
		return
	}
	h.clearCookie(w, sessionCookie)
	http.Redirect(w, r, "/console/login", http.StatusSeeOther)
}

func (h *Handler) factorForm(w http.ResponseWriter, r *http.Request, v visit) {
	if !v.user.TOTP {
		http.Redirect(w, r, "/console/second-factor/enrol", http.StatusSeeOther)
		return
	}
	h.render(w, r, http.StatusOK, "factor", page{Title: "Second factor", CSRF: h.csrf(v.session)})
}

func (h *Handler) factor(w http.ResponseWriter, r *http.Request, v visit) {
	err := h.d.People.VerifyTOTP(r.Context(), v.session, r.PostFormValue("code"))
	if h.codeRefused(w, r, v, "factor", err, page{Title: "Second factor"}) {
		return
	}
	http.Redirect(w, r, "/console/", http.StatusSeeOther)
}

// codeRefused renders the form again when a code was refused, and reports whether it did.
func (h *Handler) codeRefused(w http.ResponseWriter, r *http.Request, v visit, name string, err error, p page) bool {
	p.CSRF = h.csrf(v.session)
	switch {
	case err == nil:
		return false
	case errors.Is(err, people.ErrBadCode):
		p.Message = "The code is wrong or was already used. Type the code your app shows now."
		h.render(w, r, http.StatusUnauthorized, name, p)
	case errors.Is(err, people.ErrThrottled):
		p.Message = "Too many wrong codes. Wait 15 minutes and try again."
		h.render(w, r, http.StatusTooManyRequests, name, p)
	case errors.Is(err, kyc.ErrConflict):
		http.Redirect(w, r, "/console/", http.StatusSeeOther)
	default:
		h.fail(w, r, err)
	}
	return true
}

// enrolment is what the enrolment page shows.
type enrolment struct {
	Secret, URL string
	Required    bool
}

func (h *Handler) enrolForm(w http.ResponseWriter, r *http.Request, v visit) {
	h.showEnrol(w, r, v, http.StatusOK, "")
}

// showEnrol renders the enrolment page with the secret to enrol (the same one until it is
// confirmed) and message, if any.
func (h *Handler) showEnrol(w http.ResponseWriter, r *http.Request, v visit, status int, message string) {
	if v.user.TOTP {
		http.Redirect(w, r, "/console/", http.StatusSeeOther)
		return
	}
	en, err := h.d.People.BeginTOTP(r.Context(), v.session)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, status, "enrol", page{Title: "Set up a second factor", User: &v.user, CSRF: h.csrf(v.session), Message: message,
		Data: enrolment{Secret: en.Secret, URL: en.URL, Required: v.user.Role == people.Admin}})
}

func (h *Handler) enrol(w http.ResponseWriter, r *http.Request, v visit) {
	err := h.d.People.ConfirmTOTP(r.Context(), v.session, r.PostFormValue("code"))
	if errors.Is(err, people.ErrBadCode) {
		h.showEnrol(w, r, v, http.StatusUnauthorized, "The code is wrong. Type the code your app shows now for kycd.")
		return
	}
	if h.codeRefused(w, r, v, "enrol", err, page{Title: "Set up a second factor"}) {
		return
	}
	http.Redirect(w, r, "/console/", http.StatusSeeOther)
}
