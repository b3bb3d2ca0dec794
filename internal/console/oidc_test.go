package console_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"kycd/internal/console"
	"kycd/internal/kyc"
	"kycd/internal/people"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// provider is a fake OpenID Connect provider written from OpenID Connect Core 1.0 (3.1: the
// authorization code flow), Discovery 1.0, RFC 7636 (PKCE, S256), RFC 7517/7518 (a JWK set, RS256)
// and RFC 7519: its authorization endpoint signs in at once the person the test set and sends the
// browser back with a code; its token endpoint checks the client's secret, the code, the redirect
// URI and the PKCE verifier, and answers an ID token it signs with its own RSA key.
type provider struct {
	t        *testing.T
	srv      *httptest.Server
	key      *rsa.PrivateKey
	clientID string
	secret   string

	mu    sync.Mutex
	codes map[string]grant
	// claims are what the next ID token says of the person, beside iss, aud, exp, iat and nonce.
	claims map[string]any
	// tamper changes the next ID token's claims before it is signed (nil: none).
	tamper func(map[string]any)
	// signWith signs the next ID token with another key (nil: the provider's).
	signWith *rsa.PrivateKey
}

// grant is one code given out, and what it was given for.
type grant struct {
	nonce, challenge, redirect string
	claims                     map[string]any
}

// rsaKeys are made once: 2048-bit keys take a while.
var rsaKeys = sync.OnceValue(func() [2]*rsa.PrivateKey {
	var out [2]*rsa.PrivateKey
	for i := range out {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		out[i] = k
	}
	return out
})

func newProvider(t *testing.T) *provider {
	p := &provider{t: t, key: rsaKeys()[0], clientID: "kycd-console", secret: "s3cret", codes: map[string]grant{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	mux.HandleFunc("GET /jwks", p.jwks)
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

// next sets what the next sign-in's ID token says.
func (p *provider) next(claims map[string]any, tamper func(map[string]any), signWith *rsa.PrivateKey) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.claims, p.tamper, p.signWith = claims, tamper, signWith
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (p *provider) discovery(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, map[string]any{
		"issuer":                                p.srv.URL,
		"authorization_endpoint":                p.srv.URL + "/authorize",
		"token_endpoint":                        p.srv.URL + "/token",
		"jwks_uri":                              p.srv.URL + "/jwks",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
	})
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func (p *provider) jwks(w http.ResponseWriter, r *http.Request) {
	pub := p.key.PublicKey
	writeJSON(w, map[string]any{"keys": []map[string]any{{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": "k1",
		"n": b64(pub.N.Bytes()), "e": b64(big.NewInt(int64(pub.E)).Bytes()),
	}}})
}

// authorize is the person signing in at the provider: it checks the request (Core 3.1.2.1) and
// answers with a code at the redirect URI, the state sent back as it came.
func (p *provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("response_type") != "code" || q.Get("client_id") != p.clientID || q.Get("redirect_uri") == "" ||
		!slices.Contains(strings.Fields(q.Get("scope")), "openid") || q.Get("code_challenge_method") != "S256" ||
		q.Get("code_challenge") == "" || q.Get("nonce") == "" || q.Get("state") == "" {
		http.Error(w, "bad authorization request: "+r.URL.RawQuery, http.StatusBadRequest)
		return
	}
	code := rand.Text()
	p.mu.Lock()
	p.codes[code] = grant{nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), redirect: q.Get("redirect_uri"), claims: p.claims}
	p.mu.Unlock()
	back, _ := url.Parse(q.Get("redirect_uri"))
	v := url.Values{"code": {code}, "state": {q.Get("state")}}
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusSeeOther)
}

// token exchanges a code once (Core 3.1.3), for the client that authenticates with its secret
// (client_secret_basic or client_secret_post), with the same redirect URI and the verifier of the
// code's challenge (RFC 7636 4.6).
func (p *provider) token(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	if ok {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
	}
	if id != p.clientID || secret != p.secret {
		w.WriteHeader(http.StatusUnauthorized)
		writeJSON(w, map[string]string{"error": "invalid_client"})
		return
	}
	p.mu.Lock()
	g, found := p.codes[r.PostFormValue("code")]
	delete(p.codes, r.PostFormValue("code"))
	tamper, signWith := p.tamper, p.signWith
	p.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
	if r.PostFormValue("grant_type") != "authorization_code" || !found || r.PostFormValue("redirect_uri") != g.redirect || b64(sum[:]) != g.challenge {
		w.WriteHeader(http.StatusBadRequest)
		writeJSON(w, map[string]string{"error": "invalid_grant"})
		return
	}
	now := time.Now()
	claims := map[string]any{"iss": p.srv.URL, "aud": p.clientID, "exp": now.Add(5 * time.Minute).Unix(), "iat": now.Unix(), "nonce": g.nonce}
	for k, v := range g.claims {
		claims[k] = v
	}
	if tamper != nil {
		tamper(claims)
	}
	key := p.key
	if signWith != nil {
		key = signWith
	}
	writeJSON(w, map[string]any{"access_token": rand.Text(), "token_type": "Bearer", "expires_in": 300, "id_token": p.sign(key, claims)})
}

// sign makes a JWS compact serialization signed with RS256 (RFC 7515 7.1, RFC 7518 3.3).
func (p *provider) sign(key *rsa.PrivateKey, claims map[string]any) string {
	header, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": "k1"})
	payload, err := json.Marshal(claims)
	if err != nil {
		p.t.Error(err)
	}
	input := b64(header) + "." + b64(payload)
	digest := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	if err != nil {
		p.t.Error(err)
	}
	return input + "." + b64(sig)
}

// newSSOEnv is the console with single sign-on at p, groups mapped to roles.
func newSSOEnv(t *testing.T, st *store.Store, p *provider) *env {
	t.Helper()
	return newEnvWith(t, st, "", people.SSO{RoleClaim: "groups", RoleMap: map[string]people.Role{"kyc-team": people.Reviewer, "kyc-admins": people.Admin}},
		&console.OIDC{Issuer: p.srv.URL, ClientID: p.clientID, ClientSecret: p.secret})
}

// getURL asks for an absolute URL (the provider's).
func (b *browser) getURL(u string) answer {
	b.e.t.Helper()
	resp, err := b.c.Get(u)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	return answer{status: resp.StatusCode, header: resp.Header}
}

// startSSO goes from the console's single sign-on button to the provider and back, and answers
// the callback path the provider sent the browser to (not yet followed).
func (b *browser) startSSO() string {
	b.e.t.Helper()
	a := b.get("/console/oidc/login")
	if a.status != http.StatusSeeOther {
		b.e.t.Fatalf("single sign-on start: %d %s", a.status, a.body)
	}
	back := b.getURL(a.header.Get("Location"))
	if back.status != http.StatusSeeOther {
		b.e.t.Fatalf("provider: %d", back.status)
	}
	u, err := url.Parse(back.header.Get("Location"))
	if err != nil || "http://"+u.Host != b.e.srv.URL || u.Path != "/console/oidc/callback" {
		b.e.t.Fatalf("provider sent the browser to %q", back.header.Get("Location"))
	}
	return u.RequestURI()
}

func (e *env) count() int {
	e.t.Helper()
	page, err := e.people.Users(e.t.Context(), "", 100)
	if err != nil {
		e.t.Fatal(err)
	}
	return len(page.Items)
}

// TestSingleSignOn: a first single sign-on creates the person with the role their groups map to,
// and no password; the next reuses them and follows the provider's role (audited as the system's
// change), counting the provider's second factor when amr says so. Every forged, stale or
// misdirected answer is refused and creates nobody; so are a person with no role, an unverified
// email, an existing password account not linked by an admin, and a disabled person.
func TestSingleSignOn(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		p := newProvider(t)
		e := newSSOEnv(t, st, p)
		ctx := t.Context()
		sso := map[string]any{"sub": "u-1", "email": "Sam@Example.com", "email_verified": true, "groups": []string{"staff", "kyc-team"}}

		b := e.browser()
		if login := b.get("/console/login"); !strings.Contains(login.body, `href="/console/oidc/login"`) {
			t.Fatal("the sign-in page offers no single sign-on")
		}
		p.next(sso, nil, nil)
		start := b.get("/console/oidc/login")
		cookie := ""
		for _, c := range start.header.Values("Set-Cookie") {
			if strings.HasPrefix(c, "kycd_console_oidc=") {
				cookie = c
			}
		}
		for _, attr := range []string{"Path=/console", "HttpOnly", "SameSite=Lax", "Max-Age=600"} {
			if !strings.Contains(cookie, attr) {
				t.Errorf("flow cookie %q lacks %s", cookie, attr)
			}
		}
		auth, _ := url.Parse(start.header.Get("Location"))
		if !strings.HasPrefix(start.header.Get("Location"), p.srv.URL+"/authorize?") || auth.Query().Get("redirect_uri") != e.srv.URL+"/console/oidc/callback" {
			t.Fatalf("sent to %q", start.header.Get("Location"))
		}
		back := b.getURL(start.header.Get("Location"))
		u, _ := url.Parse(back.header.Get("Location"))
		wantRedirect(t, b.get(u.RequestURI()), "/console/")
		if home := b.get("/console/"); home.status != http.StatusOK || !strings.Contains(home.body, "sam@example.com · reviewer") {
			t.Fatalf("home after single sign-on: %d %s", home.status, home.body)
		}
		list, err := e.people.Users(ctx, "", 10)
		if err != nil || len(list.Items) != 1 {
			t.Fatalf("people: %+v %v", list, err)
		}
		sam := list.Items[0]
		if sam.Role != people.Reviewer || !sam.SSO || !sam.SSOLinked || sam.Email != "sam@example.com" {
			t.Fatalf("created %+v", sam)
		}
		// They have no password: none signs them in, and there is none to change.
		if home := b.get("/console/"); strings.Contains(home.body, `href="/console/password"`) {
			t.Error("a single sign-on person is offered a password page")
		}
		if a := b.get("/console/password"); a.status != http.StatusConflict {
			t.Errorf("password page of a single sign-on person: %d", a.status)
		}
		if a := e.browser().signIn("sam@example.com", ""); a.status == http.StatusSeeOther {
			t.Fatal("an empty password signed in a single sign-on person")
		}

		// The second sign-in reuses them; the provider made them an admin, with a second factor.
		promoted := map[string]any{"sub": "u-1", "email": "sam@example.com", "groups": []string{"kyc-admins", "kyc-team"}, "amr": []string{"pwd", "mfa"}}
		p.next(promoted, nil, nil)
		b2 := e.browser()
		wantRedirect(t, b2.get(b2.startSSO()), "/console/")
		if a := b2.get("/console/people"); a.status != http.StatusOK {
			t.Fatalf("an admin whose provider asked for a second factor, on the people page: %d", a.status)
		}
		if n := e.count(); n != 1 {
			t.Fatalf("%d people after a second sign-in, want 1", n)
		}
		if got, _ := e.people.User(ctx, sam.ID); got.Role != people.Admin {
			t.Fatalf("role after promotion: %s", got.Role)
		}
		// Without the provider's second factor, an admin enrols kycd's own first.
		p.next(map[string]any{"sub": "u-1", "email": "sam@example.com", "groups": "kyc-admins", "amr": []string{"pwd"}}, nil, nil)
		b3 := e.browser()
		wantRedirect(t, b3.get(b3.startSSO()), "/console/second-factor/enrol")
		wantRedirect(t, b3.get("/console/people"), "/console/second-factor/enrol")
		trail, err := st.AuditTrail(ctx, kyc.EnvLive, sam.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range trail {
			got = append(got, string(a.Actor)+" "+a.Action)
		}
		want := []string{"system:sso console-user.create", "user:" + sam.ID + " console.sign-in-sso", "user:" + sam.ID + " console.sign-in-failed", "system:sso console-user.update",
			"user:" + sam.ID + " console.sign-in-sso", "user:" + sam.ID + " console.sign-in-sso"}
		if !slices.Equal(got, want) {
			t.Fatalf("audit trail:\n %q\nwant\n %q", got, want)
		}

		// Refusals: nobody is created, whatever the answer.
		fresh := map[string]any{"sub": "u-2", "email": "new@example.com", "email_verified": true, "groups": []string{"kyc-team"}}
		other := rsaKeys()[1]
		for _, c := range []struct {
			name     string
			claims   map[string]any
			tamper   func(map[string]any)
			signWith *rsa.PrivateKey
			callback func(b *browser, path string) answer
			status   int
		}{
			{name: "wrong state", claims: fresh, status: http.StatusForbidden, callback: func(b *browser, path string) answer {
				u, _ := url.Parse(path)
				q := u.Query()
				q.Set("state", "forged")
				return b.get(u.Path + "?" + q.Encode())
			}},
			{name: "the provider's error", claims: fresh, status: http.StatusForbidden, callback: func(b *browser, path string) answer {
				u, _ := url.Parse(path)
				return b.get(u.Path + "?" + url.Values{"state": {u.Query().Get("state")}, "error": {"access_denied"}}.Encode())
			}},
			{name: "another browser's callback", claims: fresh, status: http.StatusForbidden, callback: func(b *browser, path string) answer {
				return b.e.browser().get(path)
			}},
			{name: "wrong nonce", claims: fresh, tamper: func(c map[string]any) { c["nonce"] = "another" }, status: http.StatusUnauthorized},
			{name: "wrong audience", claims: fresh, tamper: func(c map[string]any) { c["aud"] = "another-client" }, status: http.StatusUnauthorized},
			{name: "several audiences, azp another", claims: fresh, tamper: func(c map[string]any) {
				c["aud"], c["azp"] = []string{"kycd-console", "another-client"}, "another-client"
			}, status: http.StatusUnauthorized},
			{name: "expired", claims: fresh, tamper: func(c map[string]any) {
				c["iat"], c["exp"] = time.Now().Add(-time.Hour).Unix(), time.Now().Add(-time.Minute).Unix()
			}, status: http.StatusUnauthorized},
			{name: "wrong issuer", claims: fresh, tamper: func(c map[string]any) { c["iss"] = "https://evil.example" }, status: http.StatusUnauthorized},
			{name: "signed by another key", claims: fresh, signWith: other, status: http.StatusUnauthorized},
			{name: "no role claim", claims: map[string]any{"sub": "u-2", "email": "new@example.com"}, status: http.StatusForbidden},
			{name: "no group mapped", claims: map[string]any{"sub": "u-2", "email": "new@example.com", "groups": []string{"staff", "admin"}}, status: http.StatusForbidden},
			{name: "email not verified", claims: map[string]any{"sub": "u-2", "email": "new@example.com", "email_verified": false, "groups": "kyc-team"}, status: http.StatusForbidden},
			{name: "no email", claims: map[string]any{"sub": "u-2", "groups": "kyc-team"}, status: http.StatusForbidden},
		} {
			p.next(c.claims, c.tamper, c.signWith)
			b := e.browser()
			path := b.startSSO()
			var a answer
			if c.callback != nil {
				a = c.callback(b, path)
			} else {
				a = b.get(path)
			}
			if a.status != c.status || !strings.Contains(a.body, "Single sign-on refused") {
				t.Errorf("%s: %d, want %d: %s", c.name, a.status, c.status, a.body)
			}
			if n := e.count(); n != 1 {
				t.Fatalf("%s: %d people, want 1", c.name, n)
			}
			if a := b.get("/console/"); a.status != http.StatusSeeOther {
				t.Errorf("%s: signed in after all (%d)", c.name, a.status)
			}
		}
		// The flow cookie is good for one callback: the same answer again is refused.
		p.next(fresh, nil, nil)
		b4 := e.browser()
		path := b4.startSSO()
		wantRedirect(t, b4.get(path), "/console/")
		if a := b4.get(path); a.status != http.StatusForbidden {
			t.Errorf("the same callback twice: %d", a.status)
		}
		// A callback later than the flow's ten minutes is refused, whatever the browser kept.
		p.next(fresh, nil, nil)
		b6 := e.browser()
		late := b6.startSSO()
		e.clock.Add(int64(11 * time.Minute))
		if a := b6.get(late); a.status != http.StatusForbidden || !strings.Contains(a.body, "expired") {
			t.Errorf("a callback after 11 minutes: %d", a.status)
		}
		if a := b6.get("/console/"); a.status != http.StatusSeeOther {
			t.Errorf("signed in by a late callback (%d)", a.status)
		}

		// An existing password account is not taken over by a provider vouching for its email,
		// until an admin allows the link.
		rita, err := e.people.CreateUser(ctx, "cli:test", "rita@example.com", people.Viewer, password)
		if err != nil {
			t.Fatal(err)
		}
		ritaSSO := map[string]any{"sub": "u-3", "email": "rita@example.com", "email_verified": true, "groups": "kyc-team"}
		p.next(ritaSSO, nil, nil)
		b5 := e.browser()
		if a := b5.get(b5.startSSO()); a.status != http.StatusForbidden || !strings.Contains(a.body, "not linked to single sign-on") {
			t.Fatalf("single sign-on onto a password account: %d %s", a.status, a.body)
		}
		// Sam, an admin with the provider's second factor, allows it under People.
		if a := b2.post("/console/people/"+rita.ID, url.Values{"csrf": {b2.csrf("/console/people")}, "action": {"allow-sso-link"}}); a.status != http.StatusOK ||
			!strings.Contains(a.body, "linking allowed") {
			t.Fatalf("allow the link: %d %s", a.status, a.body)
		}
		admin, _ := e.people.User(ctx, sam.ID)
		// Allowed, the link still needs the provider to say the email is verified.
		p.next(map[string]any{"sub": "u-3", "email": "rita@example.com", "groups": "kyc-team"}, nil, nil)
		if a := b5.get(b5.startSSO()); a.status != http.StatusForbidden {
			t.Fatalf("a link without email_verified: %d", a.status)
		}
		p.next(ritaSSO, nil, nil)
		wantRedirect(t, b5.get(b5.startSSO()), "/console/")
		if got, _ := e.people.User(ctx, rita.ID); !got.SSOLinked || got.Role != people.Reviewer || got.SSO {
			t.Fatalf("linked %+v", got)
		}
		if n := e.count(); n != 3 {
			t.Fatalf("%d people, want 3 (sam, new, rita)", n)
		}

		// A disabled person is refused, and their sessions are gone.
		off := true
		if _, err := e.people.ChangeUser(ctx, admin, rita.ID, people.UserChange{Disabled: &off}); err != nil {
			t.Fatal(err)
		}
		wantRedirect(t, b5.get("/console/"), "/console/login")
		p.next(ritaSSO, nil, nil)
		if a := b5.get(b5.startSSO()); a.status != http.StatusForbidden || !strings.Contains(a.body, "disabled") {
			t.Fatalf("a disabled person: %d %s", a.status, a.body)
		}
	})
}
