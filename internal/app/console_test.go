package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"kycd/internal/app"
	"kycd/internal/app/apptest"
	"kycd/internal/kyc"
	"kycd/internal/people"
	"kycd/internal/seal"
	"kycd/internal/store/storetest"
)

// TestConsoleEndToEnd: through the running server, a test-mode document forced to review becomes
// a case of the console's queue; a reviewer's request for a new attempt rejects it at once and
// leaves its KYC request attempted; the next document's page shows it and serves the uploaded
// image byte for byte; a reviewer's rejection waits for an approver (four eyes is on for every
// level by default), whose approval rejects the document through the document service, as the
// API shows.
func TestConsoleEndToEnd(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := apptest.Start(t, d)
			key := e.Key(t, kyc.EnvTest)
			ctx := t.Context()
			mk, err := seal.LoadKey(apptest.MasterKey, "")
			if err != nil {
				t.Fatal(err)
			}
			sealer, err := seal.New(mk)
			if err != nil {
				t.Fatal(err)
			}
			staff, err := app.NewPeople(e.App.Store, sealer, e.App.Config)
			if err != nil {
				t.Fatal(err)
			}
			const pw = "correct horse battery"
			for _, p := range []struct {
				email string
				role  people.Role
			}{{"rita@example.com", people.Reviewer}, {"amy@example.com", people.Approver}} {
				if _, err := staff.CreateUser(ctx, "cli:test", p.email, p.role, pw); err != nil {
					t.Fatal(err)
				}
			}

			api := func(method, path, body string, ct string) (int, map[string]any) {
				t.Helper()
				req, _ := http.NewRequest(method, e.URL+path, strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+key)
				req.Header.Set("Content-Type", ct)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var out map[string]any
				_ = json.NewDecoder(resp.Body).Decode(&out)
				return resp.StatusCode, out
			}
			st, apl := api("POST", "/v1/applicants", `{"profile":{"firstName":"Anna","lastName":"Eriksson","dateOfBirth":"1974-08-12","nationality":"SE"}}`, "application/json")
			if st != http.StatusCreated {
				t.Fatalf("applicant: %d %v", st, apl)
			}
			st, req := api("POST", "/v1/kyc-requests", `{"applicantId":"`+apl["id"].(string)+`","documents":[{"type":"identity-proof","maxAttempts":3}]}`, "application/json")
			if st != http.StatusCreated {
				t.Fatalf("request: %d %v", st, req)
			}
			img := image.NewRGBA(image.Rect(0, 0, 900, 600))
			r := rand.New(rand.NewPCG(1, 2))
			for i := range img.Pix {
				img.Pix[i] = uint8(r.IntN(256))
			}
			img.Set(0, 0, color.RGBA{1, 2, 3, 255})
			var pngBytes bytes.Buffer
			if err := png.Encode(&pngBytes, img); err != nil {
				t.Fatal(err)
			}
			var form bytes.Buffer
			mw := multipart.NewWriter(&form)
			_ = mw.WriteField("applicantId", apl["id"].(string))
			_ = mw.WriteField("tag", "id-front")
			fw, _ := mw.CreateFormFile("file", "passport.png")
			_, _ = fw.Write(pngBytes.Bytes())
			_ = mw.Close()
			st, file := api("POST", "/v1/files", form.String(), mw.FormDataContentType())
			if st != http.StatusCreated {
				t.Fatalf("file: %d %v", st, file)
			}
			newDocument := func() string {
				body, _ := json.Marshal(map[string]any{"applicantId": apl["id"], "requestId": req["id"], "type": "identity-proof", "subtype": "passport",
					"fileIds": []any{file["id"]}, "identification": map[string]string{"number": "TEST-REVIEW", "issuingCountry": "SE",
						"expiryDate": time.Now().AddDate(3, 0, 0).Format("2006-01-02")}})
				st, doc := api("POST", "/v1/kyc-documents", string(body), "application/json")
				if st != http.StatusCreated {
					t.Fatalf("document: %d %v", st, doc)
				}
				return doc["id"].(string)
			}
			browser := func(email string) *http.Client {
				jar, _ := cookiejar.New(nil)
				c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
				token := csrfOf(t, c, e.URL+"/console/login")
				resp, err := c.PostForm(e.URL+"/console/login", url.Values{"csrf": {token}, "email": {email}, "password": {pw}})
				if err != nil || resp.StatusCode != http.StatusSeeOther {
					t.Fatalf("sign in %s: %v %v", email, resp, err)
				}
				resp.Body.Close()
				return c
			}
			rita, amy := browser("rita@example.com"), browser("amy@example.com")

			caseOf := func(docID string) string {
				caseRe := regexp.MustCompile(`<code>(rvc_[0-9A-Z]+)</code><br><span class="muted">document ` + docID)
				for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
					if m := caseRe.FindStringSubmatch(get(t, rita, e.URL+"/console/?env=test")); m != nil {
						return m[1]
					}
				}
				t.Fatalf("document %s forced to review never became a case", docID)
				return ""
			}

			// A new attempt: the document is rejected at once (no second person), and the request,
			// with attempts left, asks again.
			first := newDocument()
			firstCase := e.URL + "/console/cases/test/" + caseOf(first)
			resp, err := rita.PostForm(firstCase+"/decide", url.Values{"csrf": {csrfOf(t, rita, firstCase)}, "action": {"new-attempt"},
				"rejectionType": {"document-unreadable"}, "message": {"The photo is blurred; take it again in good light."}})
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("new attempt: %v %v", resp, err)
			}
			resp.Body.Close()
			if st, d := api("GET", "/v1/kyc-documents/"+first, "", "application/json"); st != http.StatusOK || d["status"] != "rejected" {
				t.Fatalf("after a new attempt, the document: %d %v", st, d["status"])
			}
			if st, r := api("GET", "/v1/kyc-requests/"+req["id"].(string), "", "application/json"); st != http.StatusOK || r["status"] != "attempted" {
				t.Fatalf("after a new attempt, the request: %d %v", st, r["status"])
			}

			docID := newDocument()
			caseID := caseOf(docID)
			casePath := e.URL + "/console/cases/test/" + caseID
			if page := get(t, rita, casePath); !strings.Contains(page, docID) || !strings.Contains(page, "/console/files/test/"+file["id"].(string)) {
				t.Fatalf("case page: %s", page)
			}
			if got := get(t, rita, e.URL+"/console/files/test/"+file["id"].(string)); got != pngBytes.String() {
				t.Fatalf("the image served is not the upload (%d bytes, want %d)", len(got), pngBytes.Len())
			}
			resp, err = rita.PostForm(casePath+"/decide", url.Values{"csrf": {csrfOf(t, rita, casePath)}, "action": {"reject"},
				"rejectionType": {"document-unreadable"}, "message": {"The photo is too blurred to read; take it again."}})
			if err != nil || resp.StatusCode != http.StatusAccepted {
				t.Fatalf("reject: %v %v", resp, err)
			}
			resp.Body.Close()
			if st, d := api("GET", "/v1/kyc-documents/"+docID, "", "application/json"); st != http.StatusOK || d["status"] != "pending-review" {
				t.Fatalf("before approval: %d %v", st, d["status"])
			}
			page := get(t, amy, casePath)
			m := regexp.MustCompile(`action="/console/proposals/test/(rvp_[0-9A-Z]+)"`).FindStringSubmatch(page)
			if m == nil {
				t.Fatalf("no proposal to approve: %s", page)
			}
			resp, err = amy.PostForm(e.URL+"/console/proposals/test/"+m[1], url.Values{"csrf": {csrfOf(t, amy, casePath)}, "case": {caseID}, "action": {"approve"}})
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("approve: %v %v", resp, err)
			}
			resp.Body.Close()
			st, d := api("GET", "/v1/kyc-documents/"+docID, "", "application/json")
			rr, _ := d["rejectionReason"].(map[string]any)
			rv, _ := d["review"].(map[string]any)
			if st != http.StatusOK || d["status"] != "rejected" || rr["type"] != "document-unreadable" || !strings.HasPrefix(rv["reviewer"].(string), "user:usr_") ||
				!strings.Contains(rv["notes"].(string), "approved by user:usr_") {
				t.Fatalf("after approval: %d %v", st, d)
			}

			// One address guessing passwords for many accounts meets the server's limit on failed
			// authentications (20 a minute by default), which counts the console's 401s too. Last:
			// it blocks this address for the rest of the minute.
			jar, _ := cookiejar.New(nil)
			guesser := &http.Client{Jar: jar}
			token := csrfOf(t, guesser, e.URL+"/console/login")
			blocked := false
			for i := range 25 {
				resp, err := guesser.PostForm(e.URL+"/console/login", url.Values{"csrf": {token},
					"email": {fmt.Sprintf("guess%d@example.com", i)}, "password": {"not the password"}})
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusTooManyRequests {
					blocked = i >= 20
					break
				}
				if resp.StatusCode != http.StatusUnauthorized {
					t.Fatalf("guess %d: %d", i, resp.StatusCode)
				}
				m := csrfRe.FindStringSubmatch(string(b))
				if m == nil {
					t.Fatalf("guess %d: no form token", i)
				}
				token = m[1]
			}
			if !blocked {
				t.Fatal("25 failed sign-ins from one address were not refused after the 20th")
			}
		})
	}
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func get(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func csrfOf(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	m := csrfRe.FindStringSubmatch(get(t, c, u))
	if m == nil {
		t.Fatalf("no CSRF token on %s", u)
	}
	return m[1]
}
