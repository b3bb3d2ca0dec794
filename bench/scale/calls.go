package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"kycd/bench/internal/client"
)

// call is one HTTP request the workload made, as the client saw it.
type call struct {
	kind   string // "create applicant", "upload file", ...
	start  time.Time
	dur    time.Duration
	status int    // 0 when no answer came
	err    string // "" for an expected answer; else "status 502", "transport", ...
}

// recorder keeps every call.
type recorder struct {
	mu    sync.Mutex
	calls []call
}

func (r *recorder) add(c call) {
	r.mu.Lock()
	r.calls = append(r.calls, c)
	r.mu.Unlock()
}

func (r *recorder) all() []call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]call(nil), r.calls...)
}

// api sends the workload's requests through the proxy with the integrator's API key.
type api struct {
	base string
	key  string
	http *http.Client
	rec  *recorder
}

// request is one call: kind names it in the report; ok says which statuses are expected
// (default: 2xx); bearer replaces the API key ("-" sends none).
type request struct {
	kind, method, path string
	body               io.Reader
	contentType        string
	bearer             string
	client             *http.Client
	ok                 func(int) bool
}

// do sends rq, records it, and returns the status and the answer's body.
func (a *api) do(ctx context.Context, rq request) (int, []byte, error) {
	url := rq.path
	if strings.HasPrefix(url, "/") {
		url = a.base + url
	}
	req, err := http.NewRequestWithContext(ctx, rq.method, url, rq.body)
	if err != nil {
		return 0, nil, err
	}
	if rq.contentType != "" {
		req.Header.Set("Content-Type", rq.contentType)
	}
	switch rq.bearer {
	case "":
		req.Header.Set("Authorization", "Bearer "+a.key)
	case "-":
	default:
		req.Header.Set("Authorization", "Bearer "+rq.bearer)
	}
	c := rq.client
	if c == nil {
		c = a.http
	}
	start := time.Now()
	res, err := c.Do(req)
	rc := call{kind: rq.kind, start: start}
	if err != nil {
		rc.dur, rc.err = time.Since(start), "transport error"
		if ctx.Err() == nil {
			a.rec.add(rc)
		}
		return 0, nil, fmt.Errorf("%s: %w", rq.kind, err)
	}
	b, err := io.ReadAll(io.LimitReader(res.Body, 16<<20))
	_ = res.Body.Close()
	rc.dur, rc.status = time.Since(start), res.StatusCode
	if err != nil {
		rc.err = "answer cut off"
		a.rec.add(rc)
		return res.StatusCode, nil, fmt.Errorf("%s: read answer: %w", rq.kind, err)
	}
	ok := rq.ok
	if ok == nil {
		ok = func(s int) bool { return s >= 200 && s < 300 }
	}
	if !ok(res.StatusCode) {
		rc.err = fmt.Sprintf("status %d", res.StatusCode)
		a.rec.add(rc)
		return res.StatusCode, b, &client.StatusError{Op: rq.kind, Status: res.StatusCode, Body: string(b[:min(len(b), 300)])}
	}
	a.rec.add(rc)
	return res.StatusCode, b, nil
}

// json sends v as JSON and decodes a 2xx answer into out (when not nil).
func (a *api) json(ctx context.Context, kind, method, path, bearer string, v, out any) error {
	var body io.Reader
	ct := ""
	if v != nil {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		body, ct = bytes.NewReader(b), "application/json"
	}
	_, b, err := a.do(ctx, request{kind: kind, method: method, path: path, body: body, contentType: ct, bearer: bearer})
	if err != nil {
		return err
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("%s: decode answer: %w", kind, err)
		}
	}
	return nil
}

// get reads path with the API key into out, unrecorded: the checks after the run use it.
func (a *api) get(ctx context.Context, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.base+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+a.key)
	res, err := a.http.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 32<<20))
	if err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	if res.StatusCode != http.StatusOK {
		return &client.StatusError{Op: "GET " + path, Status: res.StatusCode, Body: string(b[:min(len(b), 300)])}
	}
	if raw, ok := out.(*[]byte); ok {
		*raw = b
		return nil
	}
	return json.Unmarshal(b, out)
}
