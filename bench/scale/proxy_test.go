package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// TestProxySkipsADeadReplica: a replica that refuses connections costs one 502, is then marked
// down, and the live replica answers every later request; requests alternate while both live.
func TestProxySkipsADeadReplica(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	hits := map[string]int{}
	live := func(name string) *httptest.Server {
		return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			mu.Lock()
			hits[name]++
			mu.Unlock()
			_, _ = io.WriteString(w, name)
		}))
	}
	count := func(name string) int {
		mu.Lock()
		defer mu.Unlock()
		return hits[name]
	}
	a, b := live("a"), live("b")
	defer a.Close()
	p, err := startProxy()
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	if err := p.setBackends([]string{a.URL, b.URL}); err != nil {
		t.Fatal(err)
	}
	get := func() int {
		res, err := http.Get(p.URL + "/x")
		if err != nil {
			t.Fatal(err)
		}
		_ = res.Body.Close()
		return res.StatusCode
	}
	for range 4 {
		if s := get(); s != 200 {
			t.Fatalf("both replicas live: status %d", s)
		}
	}
	if count("a") != 2 || count("b") != 2 {
		t.Fatalf("round robin: a %d, b %d", count("a"), count("b"))
	}
	b.Close()
	bad := 0
	for range 6 {
		if get() == http.StatusBadGateway {
			bad++
		}
	}
	if bad != 1 || count("a") != 7 {
		t.Errorf("after b died: %d answers 502 (want 1), a served %d (want 7)", bad, count("a"))
	}
	if errs := p.errors(); len(errs) != 1 {
		t.Errorf("proxy errors: %v", errs)
	}
}
