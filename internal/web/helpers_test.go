package web_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"kycd/internal/app"
	"kycd/internal/app/apptest"
	"kycd/internal/kyc"
	"kycd/internal/store"
)

// env is one running kycd on a fresh database, reachable at URL, whose public URL is its own (so
// gatherer links point at it), with a /landing page standing in for the integrator's site.
type env struct {
	*apptest.Env
	t   *testing.T
	key string
}

func newEnv(t *testing.T, d store.Dialect) *env {
	t.Helper()
	a := apptest.Start(t, d,
		apptest.Configure(func(c *app.Config) { c.MaxUploadBytes = 4 << 20 }),
		apptest.Handler(func(kycd http.Handler) http.Handler {
			mux := http.NewServeMux()
			mux.HandleFunc("GET /landing", func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				_, _ = io.WriteString(w, `<!doctype html><title>landing</title><link rel="icon" href="data:,"><p>back at the integrator</p>`)
			})
			mux.Handle("/", kycd)
			return mux
		}))
	return &env{Env: a, t: t, key: a.Key(t, kyc.EnvTest)}
}

func (e *env) call(method, path string, body any) map[string]any {
	e.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.URL+path, r)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+e.key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil || res.StatusCode >= 300 {
		e.t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, raw)
	}
	return out
}

// request makes an applicant and a KYC request for an identity document with a selfie and a proof
// of address, and returns the request with its gatherer link.
func (e *env) request(expires time.Duration) (id, link string) {
	e.t.Helper()
	apl := e.call("POST", "/v1/applicants", map[string]any{"profile": map[string]any{"countryOfResidence": "US"}})
	req := e.call("POST", "/v1/kyc-requests", map[string]any{"applicantId": apl["id"], "redirectUrl": e.URL + "/landing?from=kyc",
		"expirationTime": time.Now().Add(expires).UTC().Format(time.RFC3339Nano),
		"documents": []any{map[string]any{"type": "identity-proof", "subtypes": []string{"passport", "id-card"}, "faceProofRequired": true},
			map[string]any{"type": "address-proof"}}})
	for _, l := range req["_links"].([]any) {
		if m := l.(map[string]any); m["rel"] == "gatherer" {
			link = m["href"].(string)
		}
	}
	if !strings.HasPrefix(link, e.URL+"/gather/") {
		e.t.Fatalf("gatherer link %q", link)
	}
	return req["id"].(string), link
}

// chromium finds Debian's chromium. Without it the browser tests skip, unless
// KYCD_TEST_REQUIRE_SERVICES=1 (make test), where they fail.
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"chromium", "/usr/bin/chromium", "chromium-browser"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("KYCD_TEST_REQUIRE_SERVICES") == "1" {
		t.Fatal("chromium is required (apt-get install -y chromium); scripts/test.sh installs it")
	}
	t.Skip("chromium not installed (apt-get install -y chromium); skipping the browser test")
	return ""
}
