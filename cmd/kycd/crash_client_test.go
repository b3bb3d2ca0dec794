package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// crashOp is one write of the crash test: an API write (applicant, file, document, request) sent
// with its Idempotency-Key, or an end user's steps (app, hosted) run again whole when a kill cuts
// them.
type crashOp struct {
	key, kind string
	n         int
	applicant string // the applicant it is about
	file      string // document: the file it names
	request   string // hosted: the KYC request whose link it follows
	link      string // request: the gatherer link of its answer
	id        string // the resource of its 2xx answer
	token     string // app: the applicant token it used
	tries     int
	files     []string
	refs      []string // app: the documents update_app_user_profile_v2 answered
}

// api reports whether op is a /v1 write with an Idempotency-Key.
func (op *crashOp) api() bool {
	return op.kind == "applicant" || op.kind == "file" || op.kind == "document" || op.kind == "request"
}

// ok reports whether status is op's success: 2xx, or the hosted form's 303 to the next screen.
func (op *crashOp) ok(status int) bool {
	return status >= 200 && status <= 299 && op.kind != "hosted" || op.kind == "hosted" && status == http.StatusSeeOther
}

type crashClient struct {
	key, base string
	png       []byte
	http      *http.Client
	n         int
	done      []*crashOp
	used      map[string]bool // applicants and files an op has taken
}

func newCrashClient(key, base string, png []byte) *crashClient {
	return &crashClient{key: key, base: base, png: png, used: map[string]bool{},
		http: &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// next makes the next write, of a kind chosen at random among those that what is done allows: a
// file for an applicant, a document for an unused file, a request for an applicant without one, the
// hosted form of a request, the app flow of an applicant without a request.
func (c *crashClient) next(rng *rand.Rand) *crashOp {
	c.n++
	op := &crashOp{key: fmt.Sprintf("crash-%d", c.n), kind: "applicant", n: c.n}
	var applicants, free, files, requests []*crashOp
	for _, o := range c.done {
		switch {
		case o.kind == "applicant":
			applicants = append(applicants, o)
			if !c.used[o.id] {
				free = append(free, o)
			}
		case o.kind == "file" && !c.used[o.id]:
			files = append(files, o)
		case o.kind == "request" && !c.used[o.id]:
			requests = append(requests, o)
		}
	}
	pick := func(s []*crashOp) *crashOp { return s[rng.IntN(len(s))] }
	switch r := rng.IntN(10); {
	case r < 2 && len(applicants) > 0:
		op.kind, op.applicant = "file", pick(applicants).id
	case r < 4 && len(files) > 0:
		f := pick(files)
		op.kind, op.applicant, op.file = "document", f.applicant, f.id
		c.used[f.id] = true
	case r < 5 && len(free) > 0:
		op.kind, op.applicant = "request", pick(free).id
		c.used[op.applicant] = true
	case r < 7 && len(requests) > 0:
		rq := pick(requests)
		op.kind, op.applicant, op.request, op.link = "hosted", rq.applicant, rq.id, rq.link
		c.used[rq.id] = true
	case r < 8 && len(free) > 0:
		op.kind, op.applicant = "app", pick(free).id
		c.used[op.applicant] = true
	}
	return op
}

// send makes op's requests; 0 means one had no answer (the process died).
func (c *crashClient) send(op *crashOp) int {
	switch op.kind {
	case "app":
		return c.sendApp(op)
	case "hosted":
		return c.sendHosted(op)
	}
	var req *http.Request
	switch op.kind {
	case "applicant":
		req = jsonRequest("POST", c.base+"/v1/applicants", fmt.Sprintf(`{"externalId":"crash-%d","profile":{"firstName":"Anna","lastName":"Eriksson","dateOfBirth":"1974-08-12","nationality":"SE"}}`, op.n))
	case "file":
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		_ = mw.WriteField("applicantId", op.applicant)
		_ = mw.WriteField("tag", "id-front")
		fw, _ := mw.CreateFormFile("file", "id.png")
		_, _ = fw.Write(c.png)
		_ = mw.Close()
		req, _ = http.NewRequest("POST", c.base+"/v1/files", &b)
		req.Header.Set("Content-Type", mw.FormDataContentType())
	case "document":
		// Each outcome in turn: the checks' own decision, and the three forced ones of test mode.
		number := []string{"L898902C3", "TEST-ACCEPT", "TEST-REVIEW", "TEST-REJECT"}[op.n%4]
		req = jsonRequest("POST", c.base+"/v1/kyc-documents", fmt.Sprintf(`{"applicantId":%q,"type":"identity-proof","subtype":"passport","fileIds":[%q],`+
			`"identification":{"number":%q,"issuingCountry":"SE","issueDate":"2021-01-01","expiryDate":"2031-01-01","holderName":"Anna Eriksson"}}`, op.applicant, op.file, number))
	case "request":
		req = jsonRequest("POST", c.base+"/v1/kyc-requests", fmt.Sprintf(`{"applicantId":%q,"documents":[{"type":"identity-proof","subtypes":["passport"]}]}`, op.applicant))
	}
	var out struct {
		ID     string
		Links  []struct{ Rel, Href string } `json:"_links"`
		Status string
	}
	status := c.do(req, op.key, &out)
	op.id = out.ID
	for _, l := range out.Links {
		if l.Rel == "gatherer" {
			op.link = l.Href
		}
	}
	return status
}

// sendApp runs the app's screen: an applicant token, the front and the selfie uploaded, then the
// identity claims, which submit the document.
func (c *crashClient) sendApp(op *crashOp) int {
	var tok struct{ Token string }
	if status := c.do(jsonRequest("POST", c.base+"/v1/applicants/"+op.applicant+"/tokens", `{"ttlSeconds":3600}`), op.key+"-token", &tok); status != 201 {
		return status
	}
	op.token, op.files, op.refs = tok.Token, nil, nil
	for _, slot := range []string{"id_proof_front", "id_proof_live"} {
		var up struct {
			Data struct {
				DocumentReference string `json:"document_reference"`
			}
		}
		body := fmt.Sprintf(`{"fileData":{"type":%q,"file":"data:image/png;base64,%s","ext":"png"}}`, slot, base64.StdEncoding.EncodeToString(c.png))
		if status := c.appCall(op.token, "POST", "/upload-KYC-document", body, &up); status != 200 {
			return status
		}
		// document_reference is kycd/v1/<applicant>/<file id>.png
		ref := up.Data.DocumentReference
		op.files = append(op.files, strings.TrimSuffix(ref[strings.LastIndex(ref, "/")+1:], ".png"))
	}
	var view struct {
		Documents []struct {
			DocumentReference string `json:"document_reference"`
		}
	}
	status := c.appCall(op.token, "POST", "/update_app_user_profile_v2", fmt.Sprintf(`{"documents":[{"document_type":"id_proof_front","identification_type":"Passport",`+
		`"identification_value":"AE%07d","identification_doc_expiry":"2031-01-01","identification_issuing_date":"2021-01-01",`+
		`"identification_doc_issuance_country":"Sweden","identification_doc_holder_name":"Anna Eriksson"}]}`, op.n), &view)
	for _, d := range view.Documents {
		op.refs = append(op.refs, d.DocumentReference)
	}
	return status
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// sendHosted opens the request's gatherer link as a browser would (a fresh cookie jar) and posts
// the identity screen with the photo: 303 to the next screen. On a retry, a page with no identity
// form (the document was submitted before the kill) is a success too; the check afterwards finds
// the document.
func (c *crashClient) sendHosted(op *crashOp) int {
	op.tries++
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Timeout: 30 * time.Second, Jar: jar, CheckRedirect: c.http.CheckRedirect}
	page, status := []byte(nil), 0
	for u := op.link; u != ""; {
		res, err := hc.Get(u)
		if err != nil {
			return 0
		}
		page, err = io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			return 0
		}
		status, u = res.StatusCode, ""
		if loc, err := res.Location(); err == nil && res.StatusCode/100 == 3 {
			u = loc.String()
		}
	}
	if status != 200 {
		return status
	}
	m := csrfField.FindSubmatch(page)
	if m == nil || !bytes.Contains(page, []byte(`/identity"`)) {
		if op.tries == 1 {
			return -1 // a link never used must show the identity form
		}
		return http.StatusSeeOther
	}
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range map[string]string{"csrf": html.UnescapeString(string(m[1])), "first_name": "Anna", "last_name": "Eriksson", "date_of_birth": "1974-08-12",
		"nationality": "SE", "doc_type": "passport", "doc_number": fmt.Sprintf("HF%07d", op.n), "issue_date": "2021-01-01",
		"expiry_date": "2031-01-01", "issuing_country": "SE"} {
		_ = mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("front", "front.png")
	_, _ = fw.Write(c.png)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", c.base+"/gather/"+op.request+"/identity", &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := hc.Do(req)
	if err != nil {
		return 0
	}
	defer res.Body.Close()
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		return 0
	}
	return res.StatusCode
}

func jsonRequest(method, u, body string) *http.Request {
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return req
}

// do sends req with the API key (and key, when not empty) and decodes a 2xx answer into out; 0
// means no answer.
func (c *crashClient) do(req *http.Request, key string, out any) int {
	req.Header.Set("Authorization", "Bearer "+c.key)
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	return c.roundTrip(req, out)
}

func (c *crashClient) roundTrip(req *http.Request, out any) int {
	res, err := c.http.Do(req)
	if err != nil {
		return 0
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return 0
	}
	if res.StatusCode/100 == 2 && out != nil {
		_ = json.Unmarshal(body, out)
	}
	return res.StatusCode
}

// appCall calls an app endpoint with an applicant token.
func (c *crashClient) appCall(token, method, path, body string, out any) int {
	req, _ := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	return c.roundTrip(req, out)
}

func (c *crashClient) get(path string) (int, []byte) {
	req, _ := http.NewRequest("GET", c.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+c.key)
	res, err := c.http.Do(req)
	if err != nil {
		return 0, nil
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

func (c *crashClient) getJSON(path string, out any) int {
	req, _ := http.NewRequest("GET", c.base+path, nil)
	return c.do(req, "", out)
}

// list pages through a /v1 list, calling fn with each page's items.
func (c *crashClient) list(t *testing.T, path string, fn func(items json.RawMessage)) {
	t.Helper()
	cursor := ""
	for {
		var page struct {
			Items      json.RawMessage
			NextCursor string
		}
		u := c.base + path + "?limit=100"
		if cursor != "" {
			u += "&cursor=" + url.QueryEscape(cursor)
		}
		req, _ := http.NewRequest("GET", u, nil)
		if status := c.do(req, "", &page); status != 200 {
			t.Fatalf("GET %s: %d", path, status)
		}
		fn(page.Items)
		if cursor = page.NextCursor; cursor == "" {
			return
		}
	}
}

// undecided lists the documents still pending or in progress, and every document.
func (c *crashClient) undecided(t *testing.T) (undecided, all []string) {
	c.list(t, "/v1/kyc-documents", func(items json.RawMessage) {
		var docs []struct{ ID, Status string }
		_ = json.Unmarshal(items, &docs)
		for _, d := range docs {
			all = append(all, d.ID)
			if d.Status == "pending" || d.Status == "in-progress" {
				undecided = append(undecided, d.ID+" "+d.Status)
			}
		}
	})
	return undecided, all
}

// eventIDs lists every event of the key's environment.
func (c *crashClient) eventIDs(t *testing.T) []string {
	var ids []string
	c.list(t, "/v1/events", func(items json.RawMessage) {
		var evs []struct{ ID string }
		_ = json.Unmarshal(items, &evs)
		for _, e := range evs {
			ids = append(ids, e.ID)
		}
	})
	return ids
}

// createWebhook subscribes url to every event type and answers its signing secret.
func (c *crashClient) createWebhook(t *testing.T, url string) string {
	t.Helper()
	var out struct{ SigningSecret string }
	if status := c.do(jsonRequest("POST", c.base+"/v1/webhooks", fmt.Sprintf(`{"url":%q,"description":"crash test"}`, url)), "", &out); status != 201 || out.SigningSecret == "" {
		t.Fatalf("POST /v1/webhooks: %d", status)
	}
	return out.SigningSecret
}

// startKycd starts kycd serve and waits for /readyz.
func startKycd(t *testing.T, bin string, env []string, base string) *exec.Cmd {
	t.Helper()
	var logs bytes.Buffer
	cmd := cmdIn(bin, env, "serve")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return cmd
			}
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Fatalf("kycd serve not ready:\n%s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
