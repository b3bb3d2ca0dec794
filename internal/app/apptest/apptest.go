package apptest

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"kycd/internal/app"
	"kycd/internal/auth"
	"kycd/internal/blob"
	"kycd/internal/kyc"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// MasterKey is the fixed master key of every test environment (32 bytes, base64).
const MasterKey = "a2ljZC10ZXN0LW1hc3Rlci1rZXktMzItYnl0ZXMhISE="

// Env is one running kycd over a fresh database.
type Env struct {
	// App is the running kycd.
	App *app.App
	// Server serves App.Handler (or what an Option wrapped it in).
	Server *httptest.Server
	// URL is the server's base URL, http://127.0.0.1:port. It is also the configured PublicURL, so
	// the links kycd gives out (gatherer, shared file links, partner callbacks) point at the server.
	URL string
	// BlobDir is the folder of the file blob store.
	BlobDir string
}

// Option changes how Start builds an Env.
type Option func(*options)

type options struct {
	configure []func(*app.Config)
	noJobs    bool
	wrap      func(http.Handler) http.Handler
	log       io.Writer
}

// Configure changes the app.Config before app.New reads it: MaxUploadBytes, Webhooks, Shares...
// Unset fields keep kycd's defaults (MaxUploadBytes 10 MiB).
func Configure(f func(*app.Config)) Option {
	return func(o *options) { o.configure = append(o.configure, f) }
}

// NoJobs leaves River stopped, so that background work (document checks, webhooks) waits until
// the test calls App.Store.StartJobs. By default the jobs run.
func NoJobs() Option {
	return func(o *options) { o.noJobs = true }
}

// Handler serves wrap(kycd's handler) instead of kycd's handler alone, for a test that needs
// pages of its own next to kycd's.
func Handler(wrap func(kycd http.Handler) http.Handler) Option {
	return func(o *options) { o.wrap = wrap }
}

// Log writes every log line of the server (from debug up, as text) to w as well, for a test that
// reads what kycd logged. w must be safe for concurrent writes.
func Log(w io.Writer) Option {
	return func(o *options) { o.log = w }
}

// Start runs kycd over a fresh database of dialect d and stops it when the test ends. Server logs
// are dropped (unless Log keeps them); KYCD_TEST_LOG=1 shows warnings and errors (they never hold
// personal data).
func Start(t testing.TB, d store.Dialect, opts ...Option) *Env {
	t.Helper()
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	dir := t.TempDir()
	// The listener comes first so that PublicURL can name it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e := &Env{URL: "http://" + ln.Addr().String(), BlobDir: filepath.Join(dir, "blobs")}
	cfg := app.Config{
		PublicURL:   e.URL,
		DataDir:     dir,
		DatabaseURL: storetest.NewDatabase(t, d),
		BlobURL:     blob.FileURL(e.BlobDir),
		MasterKey:   MasterKey,
	}
	for _, f := range o.configure {
		f(&cfg)
	}
	if e.App, err = app.New(context.Background(), cfg, logger(o.log)); err != nil {
		_ = ln.Close()
		t.Fatal(err)
	}
	if !o.noJobs {
		if err := e.App.Store.StartJobs(context.Background()); err != nil {
			_ = ln.Close()
			_ = e.App.Close()
			t.Fatal(err)
		}
	}
	var h http.Handler = e.App.Handler
	if o.wrap != nil {
		h = o.wrap(h)
	}
	e.Server = httptest.NewUnstartedServer(h)
	_ = e.Server.Listener.Close()
	e.Server.Listener = ln
	e.Server.Start()
	t.Cleanup(func() {
		e.Server.Close()
		_ = e.App.Store.StopJobs(context.Background())
		_ = e.App.Close()
	})
	return e
}

// Key mints an API key of environment en (test or live) and returns its secret.
func (e *Env) Key(t testing.TB, en kyc.Env) string {
	t.Helper()
	secret, _, err := auth.NewAPIKey(context.Background(), auth.NewKeys(e.App.Store), en, "test", "test")
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// logger drops server logs unless KYCD_TEST_LOG=1 (warnings and errors to stderr) or kept is set
// (every line, to kept).
func logger(kept io.Writer) *slog.Logger {
	var w io.Writer = io.Discard
	if os.Getenv("KYCD_TEST_LOG") == "1" {
		w = os.Stderr
	}
	if kept == nil {
		return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	return slog.New(slog.NewMultiHandler(
		slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}),
		slog.NewTextHandler(kept, &slog.HandlerOptions{Level: slog.LevelDebug})))
}
