package console

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"kycd/internal/kyc"
	"kycd/internal/people"
)

// Single sign-on with OpenID Connect (the authorization code flow with PKCE): the protocol and the
// verification of the ID token are here; who comes in, and with which role, is package people's
// (SignInSSO).

// OIDC configures single sign-on; an empty Issuer turns it off.
type OIDC struct {
	// Issuer is the provider's issuer URL; its discovery document is read at the first sign-in.
	Issuer string
	// ClientID and ClientSecret are kycd's client at the provider.
	ClientID, ClientSecret string
	// HTTPClient talks to the provider. Default: a client with a 10-second timeout.
	HTTPClient *http.Client
}

const (
	// oidcCookie carries the state, nonce and PKCE verifier of one sign-in between the redirect
	// to the provider and the callback, bound to the browser.
	oidcCookie = "kycd_console_oidc"
	// oidcFlowAge is how long a person has at the provider before the callback is refused.
	oidcFlowAge = 10 * time.Minute
)

// oidcClient is the protocol side of single sign-on: the provider, discovered once.
type oidcClient struct {
	cfg      OIDC
	redirect string

	mu       sync.Mutex
	provider *oidc.Provider
}

func newOIDCClient(cfg OIDC, publicURL string) *oidcClient {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	return &oidcClient{cfg: cfg, redirect: strings.TrimSuffix(publicURL, "/") + "/console/oidc/callback"}
}

// ctx carries the client's HTTP client to go-oidc and oauth2.
func (c *oidcClient) ctx(ctx context.Context) context.Context {
	return context.WithValue(oidc.ClientContext(ctx, c.cfg.HTTPClient), oauth2.HTTPClient, c.cfg.HTTPClient)
}

// discover returns the provider, reading its discovery document the first time (and again after
// a failure, so a provider down at start does not stop kycd).
func (c *oidcClient) discover(ctx context.Context) (*oidc.Provider, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.provider != nil {
		return c.provider, nil
	}
	p, err := oidc.NewProvider(c.ctx(ctx), c.cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("single sign-on: discovery of %s: %w", c.cfg.Issuer, err)
	}
	c.provider = p
	return p, nil
}

func (c *oidcClient) oauth2(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{ClientID: c.cfg.ClientID, ClientSecret: c.cfg.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: c.redirect, Scopes: []string{oidc.ScopeOpenID, "email", "profile"}}
}

// flow is one sign-in in progress, as its cookie carries it, with when it started (Unix seconds).
type flow struct {
	state, nonce, verifier string
	started                int64
}

// flowCookie writes a flow with an HMAC, so that a cookie kycd did not set is refused.
func (h *Handler) flowCookie(f flow) string {
	v := f.state + "." + f.nonce + "." + f.verifier + "." + strconv.FormatInt(f.started, 10)
	return v + "." + h.mac("console-oidc:"+v)
}

// readFlow reads a flow cookie kycd set less than oidcFlowAge ago. The age is checked here, not
// only by the cookie's Max-Age, which a browser (or a copied cookie) need not obey.
func (h *Handler) readFlow(value string) (flow, bool) {
	i := strings.LastIndexByte(value, '.')
	if i < 0 || !hmac.Equal([]byte(value[i+1:]), []byte(h.mac("console-oidc:"+value[:i]))) {
		return flow{}, false
	}
	parts := strings.Split(value[:i], ".")
	if len(parts) != 4 {
		return flow{}, false
	}
	started, err := strconv.ParseInt(parts[3], 10, 64)
	if err != nil {
		return flow{}, false
	}
	if age := h.now().Sub(time.Unix(started, 0)); age > oidcFlowAge || age < -time.Minute {
		return flow{}, false
	}
	return flow{state: parts[0], nonce: parts[1], verifier: parts[2], started: started}, true
}

func (h *Handler) mac(s string) string {
	m := hmac.New(sha256.New, h.d.CSRFKey)
	m.Write([]byte(s))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// oidcLogin sends the browser to the provider, with a fresh state, nonce and PKCE verifier kept
// in a short-lived cookie.
func (h *Handler) oidcLogin(w http.ResponseWriter, r *http.Request) {
	p, err := h.sso.discover(r.Context())
	if err != nil {
		h.d.Log.WarnContext(r.Context(), "console: single sign-on provider unreachable", "err", err)
		h.ssoRefused(w, r, http.StatusBadGateway, "The single sign-on provider could not be reached. Try again in a moment, or sign in with your password.")
		return
	}
	f := flow{state: randomToken(), nonce: randomToken(), verifier: oauth2.GenerateVerifier(), started: h.now().Unix()}
	h.setCookie(w, oidcCookie, h.flowCookie(f), oidcFlowAge)
	http.Redirect(w, r, h.sso.oauth2(p).AuthCodeURL(f.state, oidc.Nonce(f.nonce), oauth2.S256ChallengeOption(f.verifier)), http.StatusSeeOther)
}

// oidcCallback takes the provider's answer: the state must be the cookie's, the code is exchanged
// (with the PKCE verifier), the ID token verified (signature, issuer, audience, expiry, nonce), and
// people decides who comes in.
func (h *Handler) oidcCallback(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(oidcCookie)
	h.clearCookie(w, oidcCookie)
	q := r.URL.Query()
	f, ok := flow{}, false
	if err == nil {
		f, ok = h.readFlow(c.Value)
	}
	if !ok || q.Get("state") == "" || !hmac.Equal([]byte(q.Get("state")), []byte(f.state)) {
		h.ssoRefused(w, r, http.StatusForbidden, "This sign-in expired or did not start here. Sign in again.")
		return
	}
	if e := q.Get("error"); e != "" {
		h.d.Log.InfoContext(r.Context(), "console: single sign-on refused by the provider", "error", e[:min(len(e), 64)])
		h.ssoRefused(w, r, http.StatusForbidden, "The single sign-on provider did not sign you in.")
		return
	}
	claims, err := h.verifiedClaims(r.Context(), q.Get("code"), f)
	if err != nil {
		h.d.Log.WarnContext(r.Context(), "console: single sign-on token refused", "err", err)
		h.ssoRefused(w, r, http.StatusUnauthorized, "The single sign-on provider's answer could not be verified. Sign in again.")
		return
	}
	token, ss, u, err := h.d.People.SignInSSO(r.Context(), claims)
	switch {
	case errors.Is(err, people.ErrNoRole):
		h.ssoRefused(w, r, http.StatusForbidden, "Your single sign-on account has no kycd role. Ask your identity administrator for one.")
		return
	case errors.Is(err, people.ErrUnverifiedEmail):
		h.ssoRefused(w, r, http.StatusForbidden, "Your single sign-on account has no verified email address.")
		return
	case errors.Is(err, people.ErrNotLinked):
		h.ssoRefused(w, r, http.StatusForbidden, "A kycd account with your email exists and is not linked to single sign-on. Sign in with your password, or ask an admin to allow linking it.")
		return
	case errors.Is(err, people.ErrDisabled):
		h.ssoRefused(w, r, http.StatusForbidden, "Your kycd account is disabled. Ask an admin.")
		return
	case errors.Is(err, kyc.ErrUnauthenticated):
		h.ssoRefused(w, r, http.StatusUnauthorized, "The single sign-on provider's answer could not be verified. Sign in again.")
		return
	case err != nil:
		h.fail(w, r, err)
		return
	}
	h.startSession(w, r, token, ss, u)
}

// verifiedClaims exchanges the code and verifies the ID token it brings.
func (h *Handler) verifiedClaims(ctx context.Context, code string, f flow) (people.Claims, error) {
	if code == "" {
		return people.Claims{}, errors.New("no code")
	}
	p, err := h.sso.discover(ctx)
	if err != nil {
		return people.Claims{}, err
	}
	tok, err := h.sso.oauth2(p).Exchange(h.sso.ctx(ctx), code, oauth2.VerifierOption(f.verifier))
	if err != nil {
		return people.Claims{}, fmt.Errorf("exchange: %w", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return people.Claims{}, errors.New("the token answer has no id_token")
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: h.sso.cfg.ClientID}).Verify(h.sso.ctx(ctx), raw)
	if err != nil {
		return people.Claims{}, err
	}
	if !hmac.Equal([]byte(idt.Nonce), []byte(f.nonce)) {
		return people.Claims{}, errors.New("the ID token's nonce is not this sign-in's")
	}
	all := map[string]json.RawMessage{}
	if err := idt.Claims(&all); err != nil {
		return people.Claims{}, err
	}
	// OpenID Connect Core 3.1.3.7: a token for several audiences names the client it was issued
	// to in azp.
	if len(idt.Audience) > 1 {
		var azp string
		if json.Unmarshal(all["azp"], &azp) != nil || azp != h.sso.cfg.ClientID || !slices.Contains(idt.Audience, azp) {
			return people.Claims{}, errors.New("the ID token has several audiences and azp is not kycd")
		}
	}
	return people.Claims{Issuer: idt.Issuer, All: all}, nil
}

func (h *Handler) ssoRefused(w http.ResponseWriter, r *http.Request, status int, message string) {
	h.render(w, r, status, "error", page{Title: "Single sign-on refused", Message: message})
}
