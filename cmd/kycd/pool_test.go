package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"kycd/internal/app"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// TestServeChecksPostgresConnections: on PostgreSQL (max_connections 600 on the dev server, 300 in
// make test), kycd serve with the default settings sizes its pool by River's rule and starts; a
// pool_max_conns or a KYCD_REPLICAS that max_connections cannot serve stops it before it listens,
// with an error naming the settings and the numbers.
func TestServeChecksPostgresConnections(t *testing.T) {
	t.Parallel()
	db := storetest.NewDatabase(t, store.Postgres)
	sep := "?"
	if strings.Contains(db, "?") {
		sep = "&"
	}
	dir := t.TempDir()
	flags := []string{"--sanctions-refresh", "off", "--data-dir", dir}
	for _, c := range []struct {
		name     string
		args     []string
		mentions []string
	}{
		{"a huge pool_max_conns", []string{"--database-url", db + sep + "pool_max_conns=100000"},
			[]string{"a pool of 100000", "max_connections", "superuser_reserved_connections", "pool_max_conns"}},
		{"a thousand replicas", []string{"--database-url", db, "--replicas", "1000"},
			[]string{fmt.Sprintf("KYCD_REPLICAS=1000 x %d connections", 59+runtime.GOMAXPROCS(0)+1), "max_connections", "superuser_reserved_connections"}},
	} {
		args := append(append(append([]string{"serve"}, flags...), c.args...), "--addr", freeAddr(t))
		err := run(args, io.Discard, io.Discard)
		if err == nil {
			t.Fatalf("%s: serve started", c.name)
		}
		t.Logf("%s: %v", c.name, err)
		for _, m := range c.mentions {
			if !strings.Contains(err.Error(), m) {
				t.Errorf("%s: %q does not say %q", c.name, err, m)
			}
		}
	}

	// By default: a pool of 20 + 10 + CPUs + 4 + 10 + 10 + 5, and serve starts.
	cfg, _, err := parse("serve", append(flags, "--database-url", db, "--addr", freeAddr(t)), io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := 59 + runtime.GOMAXPROCS(0)
	if got := app.PoolSize(cfg); got != want {
		t.Fatalf("PoolSize = %d, want %d", got, want)
	}
	a, err := app.New(t.Context(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if got := a.Store.MaxConns(); got != want {
		t.Errorf("serve's pool: %d connections, want %d", got, want)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx, cfg, slog.New(slog.DiscardHandler)) }()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if res, err := http.Get("http://" + cfg.Addr + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case err := <-done:
			t.Fatalf("serve with the defaults stopped: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("serve with the defaults is not ready after 30 s")
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
}
