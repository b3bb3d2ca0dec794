package httpapi_test

import (
	"net/http"
	"testing"
)

// TestPersonalDataIsNeverCached: every /v1, app-endpoint and hosted-flow answer says
// Cache-Control: no-store (successes, problems and unmatched routes alike); only the hosted flow's
// static assets may be cached, and their folder is not listed.
func TestPersonalDataIsNeverCached(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		apl := e.mustApplicant(e.testKey)
		tok := e.json("POST", "/v1/applicants/"+apl+"/tokens", e.testKey, `{"ttlSeconds":600}`).str("token")
		cases := []struct {
			name, method, path, key, body string
			status                        int
		}{
			{"created applicant", "POST", "/v1/applicants", e.testKey, `{"email":"b@example.com","profile":{"firstName":"Bo"}}`, 201},
			{"read applicant", "GET", "/v1/applicants/" + apl, e.testKey, "", 200},
			{"list applicants", "GET", "/v1/applicants", e.testKey, "", 200},
			{"problem", "GET", "/v1/applicants/apl_nope", e.testKey, "", 404},
			{"unauthenticated", "GET", "/v1/applicants", "", "", 401},
			{"unmatched route", "GET", "/v1/nowhere", e.testKey, "", 404},
			{"app endpoint profile", "GET", "/get_app_user_profile_v2", tok, "", 200},
			{"app endpoint without token", "GET", "/get_app_user_profile_v2", "", "", 401},
			{"hosted flow page", "GET", "/gather/req_nope", "", "", 0},
		}
		for _, c := range cases {
			r := e.json(c.method, c.path, c.key, c.body)
			if c.status != 0 && r.Status != c.status {
				t.Errorf("%s: status %d, want %d: %s", c.name, r.Status, c.status, r.Raw)
			}
			if got := r.Header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("%s: Cache-Control %q, want no-store", c.name, got)
			}
		}

		if r := e.json("GET", "/gather-assets/app.js", "", ""); r.Status != http.StatusOK || r.Header.Get("Cache-Control") != "public, max-age=3600" {
			t.Errorf("asset: %d, Cache-Control %q", r.Status, r.Header.Get("Cache-Control"))
		}
		for _, p := range []string{"/gather-assets/", "/gather-assets/./"} {
			if r := e.json("GET", p, "", ""); r.Status != http.StatusNotFound {
				t.Errorf("%s: status %d, want 404 (no listing): %.200s", p, r.Status, r.Raw)
			}
		}
	})
}
