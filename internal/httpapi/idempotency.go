package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"

	"kycd/internal/kyc"
	"kycd/internal/store"
)

// IdempotencyStore keeps the answers to requests sent with an Idempotency-Key.
type IdempotencyStore interface {
	ClaimIdempotencyKey(ctx context.Context, env kyc.Env, key, method, path, requestHash string) (*store.IdempotentResponse, error)
	CompleteIdempotencyKey(ctx context.Context, env kyc.Env, key string, resp store.IdempotentResponse) error
	ReleaseIdempotencyKey(ctx context.Context, env kyc.Env, key string) error
}

var _ IdempotencyStore = (*store.Store)(nil)

// maxRemembered bounds the answer kept for a key; every kycd answer to a POST is far smaller.
const maxRemembered = 1 << 20

// idempotency makes a POST with an Idempotency-Key safe to retry. The first request claims the key
// and runs; a successful (2xx) answer is remembered with a hash of the request. A retry with the
// same method, path and body gets the remembered answer (header Idempotent-Replayed: true); with
// another body, 422; while the first still runs, 409. When the first died with its process (a
// crash), the retry takes the key over: it runs again if the first committed nothing, and otherwise
// answers with the current state of the resource that the first committed (see answerTakenOver),
// so a crash never leaves a key "in progress" nor makes a resource twice. An answer that is not 2xx is not remembered,
// so a corrected request may reuse the key. Keys are scoped to the environment of the API key.
func idempotency(next http.Handler, st IdempotencyStore, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		p := principal(r.Context())
		if r.Method != http.MethodPost || key == "" || p.Env == "" {
			next.ServeHTTP(w, r)
			return
		}
		if len(key) > 255 {
			writeProblem(w, r, log, kyc.Invalid("header.Idempotency-Key", "must be at most 255 characters"))
			return
		}
		ctx := r.Context()
		h := newRequestHasher(r)
		if err := h.prehash(r); err != nil {
			writeProblem(w, r, log, bodyError(err))
			return
		}
		prev, err := st.ClaimIdempotencyKey(ctx, p.Env, key, r.Method, r.URL.Path, h.pre)
		if err != nil {
			writeProblem(w, r, log, err)
			return
		}
		if prev != nil && prev.TakenOver && resourcePaths[prev.ResourceType] != "" {
			answerTakenOver(w, r, next, st, log, prev, h, key)
			return
		}
		// Answered, or still running in a live process: replay. Taken over with nothing to read
		// back (the first committed nothing): the request runs again below.
		if prev != nil && !prev.TakenOver {
			replay(w, r, log, prev, h)
			return
		}
		ctx = store.WithIdempotencyKey(ctx, p.Env, key)
		r = r.WithContext(ctx)
		if h.pre == "" {
			r.Body = struct {
				io.Reader
				io.Closer
			}{io.TeeReader(r.Body, h), r.Body}
		}
		rec := &capture{ResponseWriter: w}
		completed := false
		defer func() {
			if !completed {
				_ = st.ReleaseIdempotencyKey(context.WithoutCancel(ctx), p.Env, key)
			}
		}()
		next.ServeHTTP(rec, r)
		if rec.status < 200 || rec.status > 299 || rec.overflow {
			return
		}
		sum := h.pre
		if sum == "" {
			_, _ = io.Copy(io.Discard, r.Body) // through the tee: hash the whole body even if the handler stopped early
			sum = h.sum()
		}
		err = st.CompleteIdempotencyKey(context.WithoutCancel(ctx), p.Env, key, store.IdempotentResponse{
			RequestHash: sum, StatusCode: rec.status, Body: rec.body.Bytes()})
		if err != nil {
			log.ErrorContext(ctx, "idempotency: remember answer", "request_id", requestID(ctx), "err", err)
			return
		}
		completed = true
	})
}

// resourcePaths are where each kind of resource that a POST makes or changes is read back.
var resourcePaths = map[string]string{
	"applicant":    "/v1/applicants/",
	"file":         "/v1/files/",
	"kyc-document": "/v1/kyc-documents/",
	"kyc-request":  "/v1/kyc-requests/",
	"webhook":      "/v1/webhooks/",
	"share":        "/v1/shares/",
	"screening":    "/v1/screenings/",
	"event":        "/v1/events/",
}

// answerTakenOver answers a retry whose first request died after committing its change but before
// its answer was remembered: with the resource's current representation (its GET) and the status
// the first would have given, 201 for a resource that the POST created (its id is not in the path)
// and 200 for one it changed. The answer is then remembered like any other.
func answerTakenOver(w http.ResponseWriter, r *http.Request, next http.Handler, st IdempotencyStore, log *slog.Logger, prev *store.IdempotentResponse, h *requestHasher, key string) {
	ctx := r.Context()
	env := principal(ctx).Env
	release := func() { _ = st.ReleaseIdempotencyKey(context.WithoutCancel(ctx), env, key) }
	base := resourcePaths[prev.ResourceType]
	sum, err := h.rest(r.Body)
	if err != nil {
		release()
		writeProblem(w, r, log, bodyError(err))
		return
	}
	get := r.Clone(ctx)
	get.Method, get.Body, get.ContentLength = http.MethodGet, http.NoBody, 0
	get.URL.Path, get.URL.RawPath, get.URL.RawQuery = base+prev.ResourceID, "", ""
	get.RequestURI = get.URL.RequestURI()
	get.Header.Del("Content-Type")
	rec := &capture{ResponseWriter: discardWriter{header: w.Header()}}
	next.ServeHTTP(rec, get)
	if rec.status != http.StatusOK || rec.overflow {
		// The resource is gone since (or cannot be read): that answer, not remembered.
		release()
		w.WriteHeader(rec.status)
		_, _ = w.Write(rec.body.Bytes())
		return
	}
	status := http.StatusCreated
	if strings.Contains(r.URL.Path, prev.ResourceID) {
		status = http.StatusOK
	}
	if err := st.CompleteIdempotencyKey(context.WithoutCancel(ctx), env, key, store.IdempotentResponse{
		RequestHash: sum, StatusCode: status, Body: rec.body.Bytes()}); err != nil {
		log.ErrorContext(ctx, "idempotency: remember answer", "request_id", requestID(ctx), "err", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(rec.body.Bytes())
}

// discardWriter is a ResponseWriter that keeps nothing: capture keeps the body.
type discardWriter struct{ header http.Header }

func (d discardWriter) Header() http.Header         { return d.header }
func (d discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d discardWriter) WriteHeader(int)             {}

// replay answers a retry of a key already claimed: 422 for another request (method, path, or body
// when its hash is known), 409 while the first still runs, else the remembered answer.
func replay(w http.ResponseWriter, r *http.Request, log *slog.Logger, prev *store.IdempotentResponse, h *requestHasher) {
	if prev.Method != r.Method || prev.Path != r.URL.Path {
		writeProblem(w, r, log, fmt.Errorf("%w", kyc.ErrIdempotencyMismatch))
		return
	}
	if prev.StatusCode == 0 && (prev.RequestHash == "" || h.pre == "") {
		writeProblem(w, r, log, kyc.ErrIdempotencyInProgress)
		return
	}
	sum, err := h.rest(r.Body)
	if err != nil {
		writeProblem(w, r, log, bodyError(err))
		return
	}
	if prev.RequestHash != sum {
		writeProblem(w, r, log, fmt.Errorf("%w", kyc.ErrIdempotencyMismatch))
		return
	}
	if prev.StatusCode == 0 {
		writeProblem(w, r, log, kyc.ErrIdempotencyInProgress)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Idempotent-Replayed", "true")
	w.WriteHeader(prev.StatusCode)
	_, _ = w.Write(prev.Body)
}

// requestHasher hashes a request's method, path and body. A multipart boundary is chosen afresh by
// the client on every send, so it is left out of the hash: a retried upload of the same file with the
// same fields hashes the same.
type requestHasher struct {
	// pre is the hash of a body read whole before the request runs (see prehash); "" when the
	// body is streamed through Write instead.
	pre      string
	h        hash.Hash
	boundary []byte
	carry    []byte // a tail shorter than the boundary, held back from the last write
	scratch  []byte // carry + the next write, reused
}

func newRequestHasher(r *http.Request) *requestHasher {
	h := &requestHasher{h: sha256.New()}
	fmt.Fprintf(h.h, "%s %s\n", r.Method, r.URL.Path)
	if ct, params, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err == nil && ct == "multipart/form-data" && params["boundary"] != "" {
		h.boundary = []byte(params["boundary"])
	}
	return h
}

// Write hashes p with every occurrence of the boundary removed. The last len(boundary)-1 bytes are
// held back until the next write, so an occurrence split across two writes is found too.
func (h *requestHasher) Write(p []byte) (int, error) {
	if len(h.boundary) == 0 {
		return h.h.Write(p)
	}
	buf := p
	if len(h.carry) > 0 {
		h.scratch = append(append(h.scratch[:0], h.carry...), p...)
		buf = h.scratch
	}
	for {
		i := bytes.Index(buf, h.boundary)
		if i < 0 {
			break
		}
		h.h.Write(buf[:i])
		buf = buf[i+len(h.boundary):]
	}
	keep := min(len(h.boundary)-1, len(buf))
	h.h.Write(buf[:len(buf)-keep])
	h.carry = append(h.carry[:0], buf[len(buf)-keep:]...)
	return len(p), nil
}

// maxPrehashed is the largest body that is read and hashed before the request runs, so its claim
// names its hash: every /v1 JSON body fits (1 MiB). Uploads and larger bodies stream.
const maxPrehashed = 1 << 20

// prehash reads a body that is not an upload whole (up to maxPrehashed), hashes it and gives the
// request a copy, so the claim of its key records what it was; a retry after a crash with another
// body is then refused, not answered with the first one's resource.
func (h *requestHasher) prehash(r *http.Request) error {
	if isUpload(r) {
		return nil
	}
	if r.Body == nil || r.Body == http.NoBody {
		h.pre = h.sum()
		return nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxPrehashed+1))
	if err != nil {
		return err
	}
	if len(b) > maxPrehashed {
		r.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(b), r.Body), r.Body}
		return nil
	}
	_, _ = h.Write(b)
	h.pre = h.sum()
	r.Body = struct {
		io.Reader
		io.Closer
	}{bytes.NewReader(b), r.Body}
	return nil
}

// rest hashes what is left of a streamed body and answers the request's hash.
func (h *requestHasher) rest(body io.Reader) (string, error) {
	if h.pre != "" {
		return h.pre, nil
	}
	if _, err := io.Copy(h, body); err != nil {
		return "", err
	}
	return h.sum(), nil
}

func (h *requestHasher) sum() string {
	h.h.Write(h.carry)
	h.carry = nil
	return hex.EncodeToString(h.h.Sum(nil))
}

// capture passes a response through and keeps a copy of its body, up to maxRemembered.
type capture struct {
	http.ResponseWriter
	status   int
	body     bytes.Buffer
	overflow bool
}

func (c *capture) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *capture) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	if c.body.Len()+len(b) > maxRemembered {
		c.overflow = true
	} else {
		c.body.Write(b)
	}
	return c.ResponseWriter.Write(b)
}

func (c *capture) Unwrap() http.ResponseWriter { return c.ResponseWriter }
