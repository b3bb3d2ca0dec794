package share

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"kycd/internal/tracing"
)

// Client makes a partner's HTTP calls: it bounds each with a timeout, turns network failures, 5xx
// and 429 answers into *TemporaryError, and logs each exchange with personal data redacted.
type Client struct {
	// Partner names the partner in logs.
	Partner string
	// HTTP sends the requests. Default a client with a 30 s timeout.
	HTTP *http.Client
	// Log receives one line per call: method, path, status, duration and the answer redacted.
	Log *slog.Logger
}

// Response is a partner's answer that was not a temporary failure.
type Response struct {
	Status int
	Body   []byte
}

// Do sends req (whose body, if any, is body) and reads the answer.
func (c *Client) Do(req *http.Request, body []byte) (Response, error) {
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	// The call gets a client span; the trace context stays kycd's (no traceparent to the partner).
	traced := *hc
	traced.Transport = tracing.ExternalTransport(hc.Transport)
	hc = &traced
	if body != nil {
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.ContentLength = int64(len(body))
	}
	start := time.Now()
	resp, err := hc.Do(req)
	if err != nil {
		c.log(req, 0, start, nil, body, err)
		if req.Context().Err() != nil && errors.Is(req.Context().Err(), context.Canceled) {
			return Response{}, req.Context().Err()
		}
		return Response{}, Temporary(fmt.Errorf("%s %s: %s", req.Method, req.URL.Path, describe(err)), 0)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	c.log(req, resp.StatusCode, start, b, body, err)
	if err != nil {
		return Response{}, Temporary(fmt.Errorf("%s %s: reading the answer: %s", req.Method, req.URL.Path, describe(err)), 0)
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return Response{}, Temporary(fmt.Errorf("%s %s: rate limited (429)", req.Method, req.URL.Path), retryAfter(resp.Header.Get("Retry-After")))
	case resp.StatusCode >= 500:
		return Response{}, Temporary(fmt.Errorf("%s %s: the partner answered %d", req.Method, req.URL.Path, resp.StatusCode), 0)
	}
	return Response{Status: resp.StatusCode, Body: b}, nil
}

func (c *Client) log(req *http.Request, status int, start time.Time, resp, sent []byte, err error) {
	if c.Log == nil {
		return
	}
	attrs := []any{"partner", c.Partner, "method", req.Method, "path", req.URL.Path, "status", status,
		"duration_ms", time.Since(start).Milliseconds(), "response", Redact(resp)}
	if req.Header.Get("Content-Type") == "application/json" {
		attrs = append(attrs, "request", Redact(sent))
	} else if sent != nil {
		attrs = append(attrs, "request_bytes", len(sent))
	}
	if err != nil {
		attrs = append(attrs, "err", describe(err))
	}
	c.Log.InfoContext(req.Context(), "partner call", attrs...)
}

// describe says why a call failed without the URL's query (it may hold references).
func describe(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "no answer in time"
	}
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) {
		if inner := ue.Unwrap(); inner != nil {
			return inner.Error()
		}
	}
	return err.Error()
}

func retryAfter(v string) time.Duration {
	if n, err := strconv.Atoi(v); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return time.Until(t)
	}
	return 0
}

// Keys whose values are never personal data nor secrets, and are kept in logs: envelope words at
// the top level only (a nested "code" can be an authorization code), status words, enums and
// references at any depth. Alchemy Pay's and Saintpay's error text (msg) names fields, not values;
// Interlace's message can be a reviewer's words about the person, so it is redacted. Every other
// value is redacted.
var (
	keepTop = map[string]bool{"code": true, "msg": true, "success": true, "error": true, "traceId": true, "requestTime": true,
		"eventType": true, "apiVersion": true, "id": true}
	keepAny = map[string]bool{"kycStatus": true, "status": true, "requestNo": true, "accountId": true, "userId": true, "type": true,
		"kycType": true, "kycLevel": true, "idType": true, "idDocType": true, "holderType": true, "kycPlatform": true}
)

// Redact returns a JSON body with every value replaced by "***" except under the keys of keepTop
// and keepAny; a body that is not JSON is summarised by its length.
func Redact(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Sprintf("(%d bytes, not JSON)", len(b))
	}
	out, _ := json.Marshal(redact(v, true, false))
	return string(out)
}

func redact(v any, top, keepValue bool) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = redact(e, false, keepAny[k] || top && keepTop[k])
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = redact(e, false, keepValue)
		}
		return x
	case string:
		if keepValue || x == "" {
			return x
		}
		return "***"
	case float64:
		if keepValue {
			return x
		}
		return "***"
	}
	return v
}
