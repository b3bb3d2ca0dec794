package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// receiver is the integrator's webhook endpoint: one server, one path per subscription
// (/hook/{n}). It verifies each delivery's signature with its own reading of the README (Standard
// Webhooks: HMAC-SHA256 under the secret's base64 bytes after "whsec_", of "id.timestamp.body",
// sent as "v1,<base64>", one per active secret separated by spaces), records every arrival, and
// answers 204, or 400 to a delivery whose signature does not verify.
type receiver struct {
	URL     string
	srv     *http.Server
	mu      sync.Mutex
	secrets map[string][]byte // by subscription path index
	// arrivals[sub][eventID] are the times the event reached subscription sub.
	arrivals map[string]map[string][]time.Time
	badSig   int
	bodies   map[string]string // event id -> type, from the bodies
}

func startReceiver() (*receiver, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	rc := &receiver{URL: "http://" + l.Addr().String(), secrets: map[string][]byte{}, arrivals: map[string]map[string][]time.Time{}, bodies: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /hook/{sub}", rc.handle)
	rc.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = rc.srv.Serve(l) }()
	return rc, nil
}

// addSecret records subscription sub's signing secret ("whsec_" and base64).
func (rc *receiver) addSecret(sub, secret string) error {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil || len(key) == 0 {
		return fmt.Errorf("receiver: signing secret is not whsec_<base64>")
	}
	rc.mu.Lock()
	rc.secrets[sub] = key
	rc.arrivals[sub] = map[string][]time.Time{}
	rc.mu.Unlock()
	return nil
}

func (rc *receiver) handle(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	sub := r.PathValue("sub")
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	id, ts, sigs := r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp"), r.Header.Get("webhook-signature")
	rc.mu.Lock()
	defer rc.mu.Unlock()
	key, ok := rc.secrets[sub]
	if !ok || !verifySignature(key, id, ts, body, sigs) {
		rc.badSig++
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	var ev struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	}
	if json.Unmarshal(body, &ev) != nil || ev.ID != id {
		rc.badSig++
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	rc.arrivals[sub][id] = append(rc.arrivals[sub][id], at)
	rc.bodies[id] = ev.Type
	w.WriteHeader(http.StatusNoContent)
}

// verifySignature reports whether one of the space-separated "v1,<base64>" signatures is the
// HMAC-SHA256 under key of "id.timestamp.body".
func verifySignature(key []byte, id, ts string, body []byte, sigs string) bool {
	if id == "" || ts == "" {
		return false
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id + "." + ts + "."))
	m.Write(body)
	want := m.Sum(nil)
	for s := range strings.FieldsSeq(sigs) {
		v, b64, ok := strings.Cut(s, ",")
		if !ok || v != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(b64)
		if err == nil && hmac.Equal(got, want) {
			return true
		}
	}
	return false
}

// snapshot copies the arrivals.
func (rc *receiver) snapshot() (map[string]map[string][]time.Time, int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := map[string]map[string][]time.Time{}
	for sub, m := range rc.arrivals {
		out[sub] = map[string][]time.Time{}
		for id, ts := range m {
			out[sub][id] = append([]time.Time(nil), ts...)
		}
	}
	return out, rc.badSig
}

func (rc *receiver) close() { _ = rc.srv.Close() }
