package httpapi

import (
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"kycd/internal/auth"
)

// Limits bound what one client can do. The zero value of each field means its default.
type Limits struct {
	// AuthFailures is how many failed authentications (401, or 403 on a hosted-flow link) a client
	// IP, or an applicant token's subject, may make within AuthFailureWindow; past it every
	// request of that IP (or bearing a token of that subject) answers 429 with Retry-After until
	// the window ends. Default 20 per minute.
	AuthFailures      int
	AuthFailureWindow time.Duration
	// ClientIPHeader names the header a trusted reverse proxy sets to the client's address
	// (X-Forwarded-For: its last entry is used); empty uses the connection's address. Behind a
	// load balancer set it, or every client shares the balancer's address and its limits.
	ClientIPHeader string
	// MaxInFlightPerIP is how many requests of one client IP run at once; one more answers 429.
	// Default 64.
	MaxInFlightPerIP int
	// BodyTimeout is how long a request that is not an upload has to send its body. Default 20 s;
	// uploads keep the server's 5 minutes.
	BodyTimeout time.Duration
}

func (l Limits) withDefaults() Limits {
	if l.MaxInFlightPerIP <= 0 {
		l.MaxInFlightPerIP = 64
	}
	if l.BodyTimeout <= 0 {
		l.BodyTimeout = 20 * time.Second
	}
	return l
}

// guard applies Limits: it throttles failed authentication per client IP and per token subject,
// caps each IP's requests in flight, and gives bodies that are not uploads a short read deadline,
// so that slow-body connections cannot pile up. Health checks and metrics pass untouched.
func guard(next http.Handler, l Limits, log *slog.Logger) http.Handler {
	l = l.withDefaults()
	th := auth.NewThrottle(l.AuthFailures, l.AuthFailureWindow)
	var mu sync.Mutex
	inFlight := map[string]int{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/healthz", "/readyz", "/metrics":
			next.ServeHTTP(w, r)
			return
		}
		ip := clientIP(r, l.ClientIPHeader)
		sub := auth.TokenSubject(strings.TrimSpace(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")))
		if sub == "" {
			sub = auth.TokenSubject(r.URL.Query().Get("token"))
		}
		keys := []string{"ip:" + ip}
		if sub != "" {
			keys = append(keys, "sub:"+sub)
		}
		for _, k := range keys {
			if retry, blocked := th.Blocked(k); blocked {
				tooMany(w, r, log, retry, "too many failed authentications from this client; try again later")
				return
			}
		}
		mu.Lock()
		if inFlight[ip] >= l.MaxInFlightPerIP {
			mu.Unlock()
			tooMany(w, r, log, time.Second, fmt.Sprintf("more than %d requests at once from this client", l.MaxInFlightPerIP))
			return
		}
		inFlight[ip]++
		mu.Unlock()
		defer func() {
			mu.Lock()
			if inFlight[ip]--; inFlight[ip] <= 0 {
				delete(inFlight, ip)
			}
			mu.Unlock()
		}()
		if !isUpload(r) {
			// Not every writer supports deadlines (httptest's recorder); then the server's own apply.
			_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(l.BodyTimeout))
		}
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status == http.StatusUnauthorized || rec.status == http.StatusForbidden && strings.HasPrefix(r.URL.Path, "/gather/") {
			for _, k := range keys {
				th.Fail(k)
			}
		}
	})
}

// isUpload reports the routes whose bodies are files: they keep the server's long read timeout.
func isUpload(r *http.Request) bool {
	return r.Method == http.MethodPost && (r.URL.Path == "/v1/files" || r.URL.Path == "/upload-KYC-document" || strings.HasPrefix(r.URL.Path, "/gather/"))
}

// clientIP is the last address in header (what the nearest trusted proxy appended) when set and
// present, else the connection's remote address.
func clientIP(r *http.Request, header string) string {
	if header != "" {
		if v := r.Header.Values(header); len(v) > 0 {
			parts := strings.Split(v[len(v)-1], ",")
			if ip := strings.TrimSpace(parts[len(parts)-1]); ip != "" {
				return ip
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// tooMany answers 429 problem+json with Retry-After in whole seconds.
func tooMany(w http.ResponseWriter, r *http.Request, log *slog.Logger, retry time.Duration, msg string) {
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(max(retry, time.Second).Seconds()))))
	writeProblem(w, r, log, huma.NewError(http.StatusTooManyRequests, msg))
}
