package webhook

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"kycd/internal/kyc"
)

// secretPage stands in for a local admin endpoint: its answer must never reach the delivery log.
const secretPage = `{"adminToken":"s3cr3t-admin-token-from-localhost"}`

// work is a delivery to url with a fresh secret.
func work(url string) DeliveryWork {
	return DeliveryWork{URL: url, Enabled: true, Secrets: []Secret{{Secret: NewSecret()}}, Body: []byte(`{"type":"ping"}`),
		Delivery: Delivery{ID: "wdl_1", EventID: "evt_1"}}
}

// TestInternalAnswerIsNotKept: even with AllowPrivate (the only way a webhook reaches loopback),
// the answer of an internal receiver is not kept, only its status; a public receiver's answer is
// kept as a short, sanitised excerpt.
func TestInternalAnswerIsNotKept(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/public" {
			// Controls, a bidi override, invalid UTF-8, and far more than the excerpt keeps.
			_, _ = w.Write([]byte("ok\x1b[31m \u202evil\xff\tdone\n" + strings.Repeat("é", 400)))
			return
		}
		_, _ = w.Write([]byte(secretPage))
	}))
	defer srv.Close()
	for _, env := range []kyc.Env{kyc.EnvTest, kyc.EnvLive} {
		w := NewWorker(nil, Config{AllowPrivate: true}, nil)
		res := w.send(context.Background(), env, work(srv.URL+"/admin"))
		if res.err != "" || res.status != 200 || res.body != nil {
			t.Fatalf("%s: internal receiver: err %q status %d body %q", env, res.err, res.status, res.body)
		}
	}
	// The same receiver taken for a public one (every test receiver is on loopback).
	w := NewWorker(nil, Config{AllowPrivate: true}, nil)
	w.internal = func(netip.Addr) bool { return false }
	res := w.send(context.Background(), kyc.EnvTest, work(srv.URL+"/public"))
	if res.err != "" || len(res.body) == 0 || len(res.body) > maxExcerpt || !utf8.Valid(res.body) ||
		!bytes.HasPrefix(res.body, []byte("ok[31m vil\tdone\né")) || bytes.ContainsAny(res.body, "\x1b\u202e\ufffd") {
		t.Fatalf("public receiver: err %q, excerpt %q (%d bytes)", res.err, res.body, len(res.body))
	}
}

// TestNoRedirectFollowed: a receiver that redirects to another (internal) address gets one request
// and a failed attempt; the redirect target is never asked.
func TestNoRedirectFollowed(t *testing.T) {
	t.Parallel()
	var target atomic.Int32
	inner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		target.Add(1)
		_, _ = w.Write([]byte(secretPage))
	}))
	defer inner.Close()
	outer := httptest.NewServer(http.RedirectHandler(inner.URL, http.StatusFound))
	defer outer.Close()
	w := NewWorker(nil, Config{AllowPrivate: true}, nil)
	w.internal = func(netip.Addr) bool { return false }
	res := w.send(context.Background(), kyc.EnvTest, work(outer.URL))
	if res.status != http.StatusFound || res.err == "" || target.Load() != 0 || bytes.Contains(res.body, []byte("adminToken")) {
		t.Fatalf("redirect: status %d err %q, target asked %d times, body %q", res.status, res.err, target.Load(), res.body)
	}
}

// TestExcerpt: the excerpt is bounded, valid UTF-8 without a cut rune, and empty bodies stay nil.
func TestExcerpt(t *testing.T) {
	t.Parallel()
	if excerpt(nil) != nil || excerpt([]byte("\x00\x01")) != nil {
		t.Fatal("an empty excerpt is not nil")
	}
	long := []byte("a" + strings.Repeat("€", 200)) // 1 + 3n bytes: the limit falls inside a rune
	got := excerpt(long)
	if len(got) > maxExcerpt || !utf8.Valid(got) || len(got) != 1+3*((maxExcerpt-1)/3) {
		t.Fatalf("excerpt of %d bytes: %d bytes, valid %v", len(long), len(got), utf8.Valid(got))
	}
}
