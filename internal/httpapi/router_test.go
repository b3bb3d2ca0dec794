package httpapi_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestRouterAnswersAreProblems: a path without a route (404) and a method the path does not take
// (405, with its Allow header) answer problem+json like every other answer, under /v1 and outside
// it; routes that matched (the hosted flow, its assets) still answer for themselves.
func TestRouterAnswersAreProblems(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "sqlite")
	cases := []struct {
		name, method, path, key string
		status                  int
		allow                   []string // for 405
	}{
		{"unknown /v1 path", "GET", "/v1/nope", e.testKey, 404, nil},
		{"unknown id path below a resource", "GET", "/v1/kyc-requests/req_x/nope", e.testKey, 404, nil},
		{"unknown path outside /v1", "GET", "/nope", "", 404, nil},
		{"DELETE on a list", "DELETE", "/v1/kyc-requests", e.testKey, 405, []string{"GET", "POST"}},
		{"PUT on a document", "PUT", "/v1/kyc-documents/doc_01J9Z3K6Q5W8C2B7X4N0M1R2S3", e.testKey, 405, []string{"GET"}},
		{"POST on a public probe", "POST", "/healthz", "", 405, []string{"GET"}},
		{"GET on an app endpoint that takes POST", "GET", "/upload-KYC-document", "", 405, []string{"POST"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.do(c.method, c.path, c.key, nil)
			if r.Status != c.status || r.Header.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("%s %s: %d %q %s, want %d problem+json", c.method, c.path, r.Status, r.Header.Get("Content-Type"), r.Raw, c.status)
			}
			if n, _ := r.JSON["status"].(float64); int(n) != c.status || r.str("title") != http.StatusText(c.status) || r.str("detail") == "" {
				t.Errorf("body %s: want status %d, title %q and a detail", r.Raw, c.status, http.StatusText(c.status))
			}
			if strings.Contains(string(r.Raw), "page not found") || strings.Contains(string(r.Raw), "not allowed\n") {
				t.Errorf("the mux's plain text leaked into the body: %q", r.Raw)
			}
			allow := strings.Split(strings.ReplaceAll(r.Header.Get("Allow"), " ", ""), ",")
			for _, m := range c.allow {
				if !slices.Contains(allow, m) {
					t.Errorf("Allow %q lacks %s", r.Header.Get("Allow"), m)
				}
			}
		})
	}

	// Matched routes keep their own answers: the hosted flow's HTML pages, the asset server's 404.
	page := e.do("GET", "/gather/req_01J9Z3K6Q5W8C2B7X4N0M1R2S3", "", nil)
	if !strings.HasPrefix(page.Header.Get("Content-Type"), "text/html") {
		t.Errorf("hosted flow page for an unknown link: %d %q, want its own HTML page", page.Status, page.Header.Get("Content-Type"))
	}
	asset := e.do("GET", "/gather-assets/missing.css", "", nil)
	if asset.Status != 404 || asset.Header.Get("Content-Type") == "application/problem+json" {
		t.Errorf("missing asset: %d %q, want the file server's own 404", asset.Status, asset.Header.Get("Content-Type"))
	}
}
