package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"time"

	"kycd/internal/auth"
	"kycd/internal/kyc"
)

const sessionCookie = "kycd_gather"

// session is a verified visit to one request's flow.
type session struct {
	claims auth.ApplicantClaims
	token  string
}

// linkProblem says why a link or session was refused.
type linkProblem int

const (
	linkOK linkProblem = iota
	linkInvalid
	linkExpired
)

// open verifies the token of the link (?token=) or, without one, of the session cookie, for the
// request in the path. An expired token with a good signature is told apart from a bad one, so the
// page can say which.
func (h *Handler) open(r *http.Request, requestID string) (session, linkProblem) {
	tok := r.URL.Query().Get("token")
	if tok == "" {
		if c, err := r.Cookie(sessionCookie); err == nil {
			tok = c.Value
		}
	}
	if tok == "" {
		return session{}, linkInvalid
	}
	c, err := h.d.Tokens.Verify(r.Context(), tok, auth.PurposeGatherer)
	if c.RequestID != requestID || !c.Env.Valid() {
		return session{}, linkInvalid
	}
	if err != nil {
		if errors.Is(err, kyc.ErrUnauthenticated) && c.Expires != 0 && time.Now().Unix() >= c.Expires {
			return session{claims: c}, linkExpired
		}
		return session{}, linkInvalid
	}
	return session{claims: c, token: tok}, linkOK
}

// setCookie keeps the session for the request's pages only, until the link expires.
func (h *Handler) setCookie(w http.ResponseWriter, s session) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: s.token, Path: "/gather/" + s.claims.RequestID,
		Expires: time.Unix(s.claims.Expires, 0), HttpOnly: true, Secure: h.secure, SameSite: http.SameSiteStrictMode})
}

// csrf is the session's CSRF token: an HMAC of the session token, so it needs no storage.
func (h *Handler) csrf(s session) string {
	m := hmac.New(sha256.New, h.d.CSRFKey)
	m.Write([]byte(s.token))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (h *Handler) csrfOK(s session, got string) bool {
	return got != "" && hmac.Equal([]byte(got), []byte(h.csrf(s)))
}
