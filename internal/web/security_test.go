package web_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/store"
	"kycd/internal/web"
)

// client is a browser without JavaScript: a cookie jar, no redirects followed.
func client(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func get(t *testing.T, c *http.Client, url string, headers ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func post(t *testing.T, c *http.Client, url string, fields map[string]string) (*http.Response, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	_ = mw.Close()
	res, err := c.Post(url, mw.FormDataContentType(), &b)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// TestHostedFlowSecurity checks the security model without a browser: the link becomes a
// SameSite=Strict, HttpOnly cookie scoped to its request; pages carry a strict CSP; a form without
// the CSRF token, a link for another request, an applicant token and an unknown file are refused;
// the language follows Accept-Language.
func TestHostedFlowSecurity(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.SQLite)
	reqID, link := e.request(time.Hour)
	otherID, _ := e.request(time.Hour)
	c := client(t)

	res, body := get(t, c, link, "Accept-Language", "es-MX,es;q=0.9")
	if res.StatusCode != 200 || !strings.Contains(body, `<html lang="es">`) {
		t.Fatalf("first visit: %d %.300s", res.StatusCode, body)
	}
	ck := res.Header.Get("Set-Cookie")
	for _, want := range []string{"kycd_gather=", "Path=/gather/" + reqID, "HttpOnly", "SameSite=Strict"} {
		if !strings.Contains(ck, want) {
			t.Errorf("session cookie %q lacks %s", ck, want)
		}
	}
	csp := res.Header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "default-src 'none'", "frame-ancestors 'none'", "form-action 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %s", csp, want)
		}
	}
	if regexp.MustCompile(`<script>|<style|style=| on[a-z]+=`).MatchString(body) {
		t.Errorf("inline script or style in the page")
	}
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no CSRF token in the form")
	}

	// The cookie alone opens the page again; Chinese by Accept-Language.
	if res, body := get(t, c, e.URL+"/gather/"+reqID, "Accept-Language", "zh-CN"); res.StatusCode != 200 || !strings.Contains(body, `<html lang="zh">`) {
		t.Fatalf("with the cookie: %d", res.StatusCode)
	}
	// A form without the token, or with another, is refused and changes nothing.
	for _, tok := range []string{"", "forged"} {
		res, _ := post(t, c, e.URL+"/gather/"+reqID+"/identity", map[string]string{"csrf": tok, "first_name": "Mallory"})
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("CSRF %q: %d", tok, res.StatusCode)
		}
	}
	// With the token, field errors come back as 422 in the page.
	if res, body := post(t, c, e.URL+"/gather/"+reqID+"/identity", map[string]string{"csrf": m[1]}); res.StatusCode != 422 || !strings.Contains(body, `id="e-first_name"`) {
		t.Errorf("field errors: %d", res.StatusCode)
	}
	// The cookie is for its request only; another request's page is an invalid link.
	if res, body := get(t, c, e.URL+"/gather/"+otherID); res.StatusCode != http.StatusForbidden || !strings.Contains(body, "not valid") {
		t.Errorf("other request: %d", res.StatusCode)
	}
	// An applicant token is not a gatherer link.
	apl := e.call("GET", "/v1/kyc-requests/"+reqID, nil)["applicantId"].(string)
	tok := e.call("POST", "/v1/applicants/"+apl+"/tokens", map[string]any{})["token"].(string)
	if res, _ := get(t, client(t), e.URL+"/gather/"+reqID+"?token="+tok); res.StatusCode != http.StatusForbidden {
		t.Errorf("applicant token as a link: %d", res.StatusCode)
	}
	// Files come back only to the session, and only the flow's own.
	if res, _ := get(t, client(t), e.URL+"/gather/"+reqID+"/files/fil_01JAAAAAAAAAAAAAAAAAAAAAAA"); res.StatusCode != http.StatusForbidden {
		t.Errorf("file without a session: %d", res.StatusCode)
	}
	if res, _ := get(t, c, e.URL+"/gather/"+reqID+"/files/fil_01JAAAAAAAAAAAAAAAAAAAAAAA"); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown file: %d", res.StatusCode)
	}
	// Leaving early sends the end user back with info=back.
	if res, _ := get(t, c, e.URL+"/gather/"+reqID+"/done"); res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "info=back") {
		t.Errorf("done before finishing: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	// The assets are served with a type and no-sniff.
	if res, _ := get(t, c, e.URL+"/gather-assets/app.js"); res.StatusCode != 200 || res.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("asset: %d", res.StatusCode)
	}
}

// TestMessagesComplete: every key the templates and code use exists in every language, and no
// page shows a raw key.
func TestMessagesComplete(t *testing.T) {
	t.Parallel()
	keys := map[string]bool{}
	for _, dir := range []string{"templates", "."} {
		entries, _ := os.ReadDir(dir)
		for _, en := range entries {
			if en.IsDir() || strings.HasSuffix(en.Name(), "_test.go") {
				continue
			}
			b, _ := os.ReadFile(filepath.Join(dir, en.Name()))
			for _, m := range regexp.MustCompile(`T "([a-z_.\-]+)"|T\("([a-z_.\-]+)"`).FindAllStringSubmatch(string(b), -1) {
				if k := m[1] + m[2]; !strings.HasSuffix(k, ".") {
					keys[k] = true
				}
			}
			for _, m := range regexp.MustCompile(`\.(?:F|Sel|Country|File) "([a-z_]+)"`).FindAllStringSubmatch(string(b), -1) {
				keys["field."+m[1]] = true
			}
		}
	}
	for _, typ := range kyc.DocumentTypes {
		keys["doc."+typ] = true
	}
	for _, st := range kyc.RequestStatuses {
		keys["request."+st] = true
	}
	for _, typ := range []string{"identity-proof", "address-proof"} {
		for _, st := range kyc.Subtypes[typ] {
			keys["subtype."+st] = true
		}
	}
	for _, kind := range []string{"expired", "invalid", "closed", "generic"} {
		keys["error."+kind+".title"], keys["error."+kind+".body"] = true, true
	}
	for _, st := range []string{"missing", "pending", "review", "accepted", "rejected", "failed"} {
		keys["state."+st] = true
	}
	for _, r := range web.RetakeReasons {
		keys["capture.retake."+r] = true
	}
	for _, l := range web.Languages {
		b, err := os.ReadFile(filepath.Join("messages", l+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		for k := range keys {
			if m[k] == "" {
				t.Errorf("%s: %q is missing", l, k)
			}
		}
	}
}
