package auth

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"sync"
	"time"
)

// Throttle counts failed authentications per key (a client IP, an applicant token's subject) and
// says when a key has failed too often: after Limit failures within Window, the key is blocked
// until that window ends. Successes cost nothing and reset nothing, so guessing stays as slow
// whatever the guesser mixes in. The counts live in this process: each replica throttles on its
// own. It is safe for concurrent use.
type Throttle struct {
	limit  int
	window time.Duration
	now    func() time.Time

	mu        sync.Mutex
	keys      map[string]*failures
	lastSweep time.Time
}

// failures is a key's window: when its first counted failure came and how many followed.
type failures struct {
	start time.Time
	n     int
}

// Defaults of NewThrottle.
const (
	// DefaultFailureLimit is how many failed authentications a client may make within
	// DefaultFailureWindow: enough for an integrator who mistypes a key or a phone retrying with
	// an expired token, far too few to guess anything.
	DefaultFailureLimit  = 20
	DefaultFailureWindow = time.Minute
	// maxThrottleKeys bounds the memory a flood of distinct keys can take (about 100 bytes each);
	// past it the oldest windows are forgotten first at the next sweep, and new keys still count.
	maxThrottleKeys = 100_000
)

// NewThrottle returns a throttle of limit failures per window (the defaults when zero or less).
func NewThrottle(limit int, window time.Duration) *Throttle {
	if limit <= 0 {
		limit = DefaultFailureLimit
	}
	if window <= 0 {
		window = DefaultFailureWindow
	}
	return &Throttle{limit: limit, window: window, now: time.Now, keys: map[string]*failures{}}
}

// Blocked reports whether key has used up its failures, and how long until it may try again.
func (t *Throttle) Blocked(key string) (retryAfter time.Duration, blocked bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	f, ok := t.keys[key]
	if !ok || now.Sub(f.start) >= t.window {
		return 0, false
	}
	if f.n < t.limit {
		return 0, false
	}
	return f.start.Add(t.window).Sub(now), true
}

// Fail counts one failed authentication of key.
func (t *Throttle) Fail(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	t.sweep(now)
	f, ok := t.keys[key]
	if !ok || now.Sub(f.start) >= t.window {
		t.keys[key] = &failures{start: now, n: 1}
		return
	}
	f.n++
}

// sweep forgets the windows that ended, once per window, or at once when there are too many keys.
func (t *Throttle) sweep(now time.Time) {
	if now.Sub(t.lastSweep) < t.window && len(t.keys) < maxThrottleKeys {
		return
	}
	t.lastSweep = now
	for k, f := range t.keys {
		if now.Sub(f.start) >= t.window {
			delete(t.keys, k)
		}
	}
	for k := range t.keys { // still too many: forget some; map order is random enough
		if len(t.keys) < maxThrottleKeys {
			break
		}
		delete(t.keys, k)
	}
}

// TokenSubject returns the applicant id an applicant or gatherer token claims, without checking
// its signature or expiry, or "" when token is not one: what a throttle counts failures of a
// token's subject by. Never trust it for anything else.
func TokenSubject(token string) string {
	rest, ok := strings.CutPrefix(token, "kyct_")
	payload, _, ok2 := strings.Cut(rest, ".")
	if !ok || !ok2 || len(token) > 1024 {
		return ""
	}
	body, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return ""
	}
	var c ApplicantClaims
	if json.Unmarshal(body, &c) != nil || !strings.HasPrefix(c.ApplicantID, "apl_") || len(c.ApplicantID) > 64 {
		return ""
	}
	return c.ApplicantID
}
