package httpapi_test

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"kycd/internal/app"
	"kycd/internal/store/storetest"
)

// TestFailedAuthenticationIsThrottled: successes cost nothing; after 20 wrong API keys from one IP
// that IP gets 429 problem+json with Retry-After (without its credentials being checked), another
// IP does not; 20 forged applicant tokens naming one applicant block that subject from any IP.
func TestFailedAuthenticationIsThrottled(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnvWith(t, d, func(c *app.Config) { c.Limits.ClientIPHeader = "X-Forwarded-For" })
			from := func(ip string) []string { return []string{"X-Forwarded-For", ip} }
			for range 30 {
				if r := e.json("GET", "/v1/applicants", e.testKey, "", from("203.0.113.1")...); r.Status != 200 {
					t.Fatalf("good key: %d", r.Status)
				}
			}
			for i := range 20 {
				if r := e.json("GET", "/v1/applicants", "kycd_test_wrong", "", from("203.0.113.1")...); r.Status != 401 {
					t.Fatalf("wrong key %d: %d, want 401", i, r.Status)
				}
			}
			r := e.json("GET", "/v1/applicants", "kycd_test_wrong", "", from("203.0.113.1")...)
			if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" || r.Header.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("21st wrong key: %d %v %s", r.Status, r.Header, r.Raw)
			}
			if r := e.json("GET", "/v1/applicants", e.testKey, "", from("203.0.113.2")...); r.Status != 200 {
				t.Fatalf("another IP: %d", r.Status)
			}

			forged := "kyct_eyJwIjoiYXBwbGljYW50IiwiZSI6InRlc3QiLCJhIjoiYXBsXzAxSkFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBIiwieCI6OTk5OTk5OTk5OX0.AAAA"
			for i := range 20 {
				ip := "198.51.100." + itoa(int64(i+1))
				if r := e.json("GET", "/get_app_user_profile_v2", forged, "", from(ip)...); r.Status != 401 {
					t.Fatalf("forged token %d: %d", i, r.Status)
				}
			}
			if r := e.json("GET", "/get_app_user_profile_v2", forged, "", from("198.51.100.99")...); r.Status != http.StatusTooManyRequests {
				t.Fatalf("forged token for a throttled subject from a new IP: %d", r.Status)
			}
		})
	}
}

// TestSlowJSONBodyIsCutOff: an app-endpoint JSON request that stops sending its body is answered
// (and its connection freed) after the body timeout, not after the 5 minutes uploads get. (The /v1
// operations have huma's own 5-second body timeout.)
func TestSlowJSONBodyIsCutOff(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, storetest.Dialects[0], func(c *app.Config) { c.Limits.BodyTimeout = 300 * time.Millisecond })
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	apl := e.mustApplicant(e.testKey)
	tok := e.json("POST", "/v1/applicants/"+apl+"/tokens", e.testKey, `{"ttlSeconds":600}`).str("token")
	_, _ = conn.Write([]byte("POST /update_app_user_profile_v2 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + tok +
		"\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"profile\":"))
	start := time.Now()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err == nil {
		res.Body.Close()
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("the stalled body held the request for %s (answer %v, %v)", took, res, err)
	}
}
