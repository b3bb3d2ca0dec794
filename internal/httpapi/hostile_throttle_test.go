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

// TestInFlightPerIPIsCapped: one client IP holding requests open (bodies that never come) gets 429
// for the next one once it holds KYCD_MAX_INFLIGHT_PER_IP, while another IP is served; when its
// requests end, the client is served again.
func TestInFlightPerIPIsCapped(t *testing.T) {
	t.Parallel()
	const limit = 3
	e := newEnvWith(t, storetest.Dialects[0], func(c *app.Config) {
		c.Limits.ClientIPHeader = "X-Forwarded-For"
		c.Limits.MaxInFlightPerIP = limit
		c.Limits.BodyTimeout = time.Minute
	})
	apl := e.mustApplicant(e.testKey)
	tok := e.json("POST", "/v1/applicants/"+apl+"/tokens", e.testKey, `{"ttlSeconds":600}`).str("token")
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for range limit {
		conn, err := net.Dial("tcp", strings.TrimPrefix(e.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, conn)
		_, _ = conn.Write([]byte("POST /update_app_user_profile_v2 HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.7\r\nAuthorization: Bearer " + tok +
			"\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"profile\":"))
	}
	from := func(ip string) []string { return []string{"X-Forwarded-For", ip} }
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := e.json("GET", "/get_app_user_profile_v2", tok, "", from("203.0.113.7")...)
		if r.Status == http.StatusTooManyRequests {
			if r.Header.Get("Retry-After") == "" || !strings.Contains(string(r.Raw), "at once") {
				t.Fatalf("429 without Retry-After or reason: %v %s", r.Header, r.Raw)
			}
			break
		}
		if r.Status != 200 || time.Now().After(deadline) {
			t.Fatalf("with %d requests held open: %d %s, want 429", limit, r.Status, r.Raw)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if r := e.json("GET", "/get_app_user_profile_v2", tok, "", from("203.0.113.8")...); r.Status != 200 {
		t.Fatalf("another IP: %d %s", r.Status, r.Raw)
	}
	for _, c := range held {
		c.Close()
	}
	held = nil
	for {
		r := e.json("GET", "/get_app_user_profile_v2", tok, "", from("203.0.113.7")...)
		if r.Status == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the held requests ended: %d %s", r.Status, r.Raw)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
