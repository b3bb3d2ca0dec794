package httpapi

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/prometheus/client_golang/prometheus"

	"kycd/internal/auth"
	"kycd/internal/kyc"
	"kycd/internal/share"
)

func requestID(ctx context.Context) string { return kyc.RequestID(ctx) }

// principal returns the caller; authenticate guarantees one on every /v1 operation.
func principal(ctx context.Context) auth.Principal {
	p, _ := auth.FromContext(ctx)
	return p
}

// public reports whether a path is served without credentials.
func public(path string) bool {
	switch path {
	case "/healthz", "/readyz", "/metrics", OpenAPIPath + ".json", OpenAPIPath + ".yaml", OpenAPIPath + "-3.0.json", OpenAPIPath + "-3.0.yaml":
		return true
	}
	if strings.HasPrefix(path, partnerCallbackPrefix) || strings.HasPrefix(path, share.LinkPath) {
		return true // partners and file links prove themselves by their signatures
	}
	return !strings.HasPrefix(path, "/v1/")
}

// authenticate requires an API key (Authorization: Bearer kycd_test_... or kycd_live_...) on every
// /v1 path but the OpenAPI document, refuses a key whose scopes do not cover the call (403 naming
// the scope), and puts its principal in the context. An applicant token is refused here: it is
// only for the end-user endpoints.
func authenticate(next http.Handler, keys auth.KeyStore, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if public(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		secret, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="kycd"`)
			writeProblem(w, r, log, fmt.Errorf("no bearer credentials: %w", kyc.ErrUnauthenticated))
			return
		}
		secret = strings.TrimSpace(secret)
		if strings.HasPrefix(secret, "kyct_") {
			writeProblem(w, r, log, fmt.Errorf("an applicant token is valid only on the end-user endpoints: %w", kyc.ErrForbidden))
			return
		}
		k, err := auth.VerifyAPIKey(r.Context(), keys, secret)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="kycd"`)
			writeProblem(w, r, log, err)
			return
		}
		if res, access := scopeOf(r.Method, r.URL.Path); !k.Allows(res, access) {
			writeProblem(w, r, log, auth.ScopeError(res, access))
			return
		}
		next.ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), auth.Principal{Env: k.Env, KeyID: k.ID, Scopes: k.Scopes})))
	})
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// observe gives each request an id (X-Request-Id), recovers from panics, counts and times requests
// by route pattern for Prometheus, and logs one line per request: method, route, status, duration,
// request id. It never logs bodies, query strings or headers, which may hold personal data.
func observe(next http.Handler, mux *http.ServeMux, log *slog.Logger, reg *prometheus.Registry) http.Handler {
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kycd_http_requests_total", Help: "HTTP requests by method, route and status."},
		[]string{"method", "route", "code"})
	duration := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "kycd_http_request_duration_seconds", Help: "HTTP request latency by route.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}}, []string{"method", "route"})
	reg.MustRegister(requests, duration)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := rand.Text()[:16]
		w.Header().Set("X-Request-Id", id)
		ctx := kyc.WithRequestID(r.Context(), id)
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				log.ErrorContext(ctx, "panic", "request_id", id, "panic", fmt.Sprint(p))
				if rec.status == 0 {
					writeProblem(rec, r.WithContext(ctx), log, fmt.Errorf("panic"))
				}
			}
			_, route := mux.Handler(r)
			if route == "" {
				route = "unmatched"
			}
			if rec.status == 0 {
				rec.status = http.StatusOK
			}
			requests.WithLabelValues(r.Method, route, strconv.Itoa(rec.status)).Inc()
			duration.WithLabelValues(r.Method, route).Observe(time.Since(start).Seconds())
			log.LogAttrs(ctx, slog.LevelInfo, "http", slog.String("method", r.Method), slog.String("route", route),
				slog.Int("status", rec.status), slog.Int64("duration_ms", time.Since(start).Milliseconds()), slog.String("request_id", id))
		}()
		next.ServeHTTP(rec, r.WithContext(ctx))
	})
}

// unmatched answers the mux's own 404 (no route for the path) and 405 (the path exists, not the
// method) as problem+json, keeping the Allow header the mux sets. Routes that matched answer for
// themselves (the hosted flow renders its own HTML pages), so only requests without a pattern are
// wrapped.
func unmatched(mux *http.ServeMux, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(&routeProblem{ResponseWriter: w, r: r, log: log}, r)
	})
}

// routeProblem turns the plain-text error the mux writes into problem+json and drops its body.
// Any other status (none today) passes through unchanged.
type routeProblem struct {
	http.ResponseWriter
	r       *http.Request
	log     *slog.Logger
	decided bool
	ours    bool
}

func (p *routeProblem) WriteHeader(code int) {
	if p.decided {
		return
	}
	p.decided = true
	var err error
	switch code {
	case http.StatusNotFound:
		err = fmt.Errorf("no route for this path: %w", kyc.ErrNotFound)
	case http.StatusMethodNotAllowed:
		err = huma.NewError(code, "this path does not take "+p.r.Method+"; the Allow header lists the methods it takes")
	default:
		p.ResponseWriter.WriteHeader(code)
		return
	}
	p.ours = true
	p.Header().Del("X-Content-Type-Options")
	writeProblem(p.ResponseWriter, p.r, p.log, err)
}

func (p *routeProblem) Write(b []byte) (int, error) {
	if !p.decided {
		p.WriteHeader(http.StatusOK)
	}
	if p.ours {
		return len(b), nil
	}
	return p.ResponseWriter.Write(b)
}
