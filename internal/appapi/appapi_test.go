package appapi_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"kycd/internal/app"
	"kycd/internal/app/apptest"
	"kycd/internal/kyc"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// docAccessID is the access_id of the document's examples; the test's applicant id replaces it.
const docAccessID = "8tGTAXVzi4UXVThKNR3xOKcWocL2"

type env struct {
	*apptest.Env
	t   *testing.T
	key string
}

// newEnv runs kycd on a fresh database of dialect d. River is not started, so documents stay
// pending until the test starts it.
func newEnv(t *testing.T, d store.Dialect) *env {
	t.Helper()
	a := apptest.Start(t, d, apptest.NoJobs(), apptest.Configure(func(c *app.Config) { c.MaxUploadBytes = 4 << 20 }))
	return &env{Env: a, t: t, key: a.Key(t, kyc.EnvTest)}
}

func (e *env) call(method, path, bearer string, body any) (int, map[string]any) {
	e.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.URL+path, r)
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		e.t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, raw)
	}
	return res.StatusCode, out
}

func readJSON(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

func dataURL(mime string, b []byte) string {
	return "data:" + mime + ";base64," + base64.StdEncoding.EncodeToString(b)
}

// images are the three uploads: a PNG passport page, a JPEG selfie (the document's answer names
// it .jpg, image/jpeg) and a PNG bill.
func images(t *testing.T) (front, selfie, bill string) {
	t.Helper()
	astro, err := os.ReadFile("testdata/astronaut.png")
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(astro))
	if err != nil {
		t.Fatal(err)
	}
	var jb bytes.Buffer
	if err := jpeg.Encode(&jb, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	text, err := os.ReadFile("testdata/text.png")
	if err != nil {
		t.Fatal(err)
	}
	return dataURL("image/png", astro), dataURL("image/jpeg", jb.Bytes()), dataURL("image/png", text)
}

// generated are the fields whose values kycd makes up: times and storage references.
var generated = map[string]bool{"when_created": true, "document_reference": true}

// compare reports every field where got differs from want, walking want: the document's example.
func compare(path string, want, got any, ignore map[string]bool, diffs *[]string) {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			*diffs = append(*diffs, fmt.Sprintf("%s: want an object, got %v", path, got))
			return
		}
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := path + "." + k
			if generated[k] || ignore[p] {
				continue
			}
			gv, ok := g[k]
			if !ok {
				*diffs = append(*diffs, p+": missing")
				continue
			}
			compare(p, w[k], gv, ignore, diffs)
		}
		for k := range g {
			if _, ok := w[k]; !ok && !ignore[path+"."+k] {
				*diffs = append(*diffs, path+"."+k+": not in the document")
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			*diffs = append(*diffs, fmt.Sprintf("%s: want %d items, got %v", path, len(w), got))
			return
		}
		for i := range w {
			compare(fmt.Sprintf("%s[%d]", path, i), w[i], g[i], ignore, diffs)
		}
	default:
		if !reflect.DeepEqual(want, got) {
			*diffs = append(*diffs, fmt.Sprintf("%s: want %v, got %v", path, want, got))
		}
	}
}

// withID replaces the document's access_id with the applicant's id everywhere.
func withID(t *testing.T, v map[string]any, id string) map[string]any {
	b, _ := json.Marshal(v)
	var out map[string]any
	if err := json.Unmarshal(bytes.ReplaceAll(b, []byte(docAccessID), []byte(id)), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestAppFlowReplaysTheDocument replays the three screens of app-kyc-flow.md with the document's
// own bodies and compares get_app_user_profile_v2 field by field with its example answers, on
// SQLite and PostgreSQL. Then the checks run, and the answer follows the decisions.
func TestAppFlowReplaysTheDocument(t *testing.T) {
	t.Parallel()
	front, selfie, bill := images(t)
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			// The profile the document's answers show was there before screen 1.
			st, a := e.call("POST", "/v1/applicants", e.key, map[string]any{"profile": map[string]any{"firstName": "Chattarin", "lastName": "Hongladarom",
				"dateOfBirth": "1980-06-21", "nationality": "JP", "countryOfResidence": "JP", "phone": map[string]string{"countryCode": "81", "number": "42342348"}}})
			if st != 201 {
				t.Fatalf("applicant: %d %v", st, a)
			}
			id := a["id"].(string)
			_, tok := e.call("POST", "/v1/applicants/"+id+"/tokens", e.key, map[string]any{})
			token := tok["token"].(string)

			for i, img := range []string{front, selfie, bill} {
				n := i + 1
				up := readJSON(t, fmt.Sprintf("screen%d_upload.json", n))
				up["fileData"].(map[string]any)["file"] = img
				if st, out := e.call("POST", "/upload-KYC-document", token, up); st != 200 {
					t.Fatalf("screen %d upload: %d %v", n, st, out)
				}
				if st, out := e.call("POST", "/update_app_user_profile_v2", token, readJSON(t, fmt.Sprintf("screen%d_update.json", n))); st != 200 {
					t.Fatalf("screen %d update: %d %v", n, st, out)
				}
				// GET and POST answer the same.
				_, got := e.call("GET", "/get_app_user_profile_v2", token, nil)
				_, posted := e.call("POST", "/get_app_user_profile_v2", token, map[string]any{})
				if !reflect.DeepEqual(got, posted) {
					t.Fatalf("screen %d: GET and POST differ:\n%v\n%v", n, got, posted)
				}
				want := withID(t, readJSON(t, fmt.Sprintf("screen%d_profile.json", n)), id)
				ignore := map[string]bool{}
				if n == 2 {
					// The document's screen 2 answer already shows the address that screen 3 sends.
					ignore[".profile.addresses"] = true
				}
				var diffs []string
				compare("", want, got, ignore, &diffs)
				if len(diffs) > 0 {
					t.Fatalf("screen %d: get_app_user_profile_v2 differs from the document:\n%s", n, strings.Join(diffs, "\n"))
				}
			}

			// The same documents are visible on /v1, and the checks decide them: the passport of the
			// document expired in 2024, so it is rejected, and the app sees why.
			_, docs := e.call("GET", "/v1/kyc-documents?applicantId="+id, e.key, nil)
			if items, _ := docs["items"].([]any); len(items) != 2 {
				t.Fatalf("/v1 documents: want the identity and address documents, got %v", docs)
			}
			if err := e.App.Store.StartJobs(context.Background()); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(60 * time.Second)
			for {
				_, got := e.call("GET", "/get_app_user_profile_v2", token, nil)
				row := got["documents"].([]any)[0].(map[string]any)
				if row["kyc_status"] == "REJECTED" {
					if row["failed_reason"] != "document-expired" {
						t.Fatalf("failed_reason: %v", row)
					}
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the passport was not decided: %v", got)
				}
				time.Sleep(100 * time.Millisecond)
			}
		})
	}
}

// TestAppEndpointsRefuse: no token, an API key, a gatherer link's token, a bad type and a broken
// image are refused as problem+json.
func TestAppEndpointsRefuse(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.SQLite)
	_, a := e.call("POST", "/v1/applicants", e.key, map[string]any{})
	_, tok := e.call("POST", "/v1/applicants/"+a["id"].(string)+"/tokens", e.key, map[string]any{})
	token := tok["token"].(string)
	cases := []struct {
		name, bearer string
		body         any
		status       int
		field        string
	}{
		{"no token", "", map[string]any{}, 401, ""},
		{"API key", e.key, map[string]any{}, 401, ""},
		{"bad type", token, map[string]any{"fileData": map[string]any{"type": "passport", "file": "data:image/png;base64,AAAA"}}, 422, "body.fileData.type"},
		{"broken image", token, map[string]any{"data": map[string]any{"fileData": map[string]any{"type": "id_proof_front", "file": "data:image/png;base64,iVBORw0KGgo="}}}, 422, ""},
		{"not base64", token, map[string]any{"fileData": map[string]any{"type": "id_proof_front", "file": "data:image/png;base64,@@@@"}}, 422, "body.fileData.file"},
	}
	for _, c := range cases {
		st, out := e.call("POST", "/upload-KYC-document", c.bearer, c.body)
		if st != c.status {
			t.Errorf("%s: %d %v", c.name, st, out)
		}
		if c.field != "" && !strings.Contains(fmt.Sprint(out["errors"]), c.field) {
			t.Errorf("%s: errors do not name %s: %v", c.name, c.field, out)
		}
	}
	// A claim with a bad country is named in the app's own field.
	st, out := e.call("POST", "/update_app_user_profile_v2", token, map[string]any{"documents": []any{map[string]any{
		"document_type": "id_proof_front", "identification_type": "Passport", "identification_doc_issuance_country": "Atlantis"}}})
	if st != 422 || !strings.Contains(fmt.Sprint(out["errors"]), "body.documents[0].identification_doc_issuance_country") {
		t.Errorf("bad country: %d %v", st, out)
	}
}

// TestAppDocumentsAnswerTheTokensRequest: with a token minted for a KYC request, the app's
// documents answer that request (here without a selfie, as the request asks for none), are checked
// and move it on, and the app sees the outcome.
func TestAppDocumentsAnswerTheTokensRequest(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.SQLite)
	if err := e.App.Store.StartJobs(context.Background()); err != nil {
		t.Fatal(err)
	}
	front, _, _ := images(t)
	_, a := e.call("POST", "/v1/applicants", e.key, map[string]any{"profile": map[string]any{"firstName": "Eileen", "lastName": "Collins",
		"dateOfBirth": "1956-11-19", "nationality": "US", "countryOfResidence": "US"}})
	id := a["id"].(string)
	_, req := e.call("POST", "/v1/kyc-requests", e.key, map[string]any{"applicantId": id, "documents": []any{map[string]any{"type": "identity-proof"}}})
	if st, out := e.call("POST", "/v1/applicants/"+id+"/tokens", e.key, map[string]any{"requestId": "req_01JAAAAAAAAAAAAAAAAAAAAAAA"}); st != 422 {
		t.Fatalf("token for a request that is not the applicant's: %d %v", st, out)
	}
	_, tok := e.call("POST", "/v1/applicants/"+id+"/tokens", e.key, map[string]any{"requestId": req["id"]})
	token := tok["token"].(string)
	e.call("POST", "/upload-KYC-document", token, map[string]any{"fileData": map[string]any{"type": "id_proof_front", "file": front, "ext": "png"}})
	st, out := e.call("POST", "/update_app_user_profile_v2", token, map[string]any{"data": map[string]any{"documents": []any{map[string]any{
		"document_type": "id_proof_front", "identification_type": "Passport", "identification_value": "TEST-ACCEPT",
		"identification_doc_expiry": time.Now().AddDate(5, 0, 0).Format("2006-01-02"), "identification_doc_issuance_country": "United States",
		"identification_doc_holder_name": "Eileen Collins"}}}, "method": "POST", "endpoint": "/update_app_user_profile_v2"})
	if st != 200 {
		t.Fatalf("update: %d %v", st, out)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		_, got := e.call("GET", "/get_app_user_profile_v2", token, nil)
		if got["kyc_status"].(map[string]any)["status"] == "verified" {
			row := got["documents"].([]any)[0].(map[string]any)
			if row["kyc_status"] != "APPROVED" || got["profile"].(map[string]any)["kyc_status"] != "APPROVED" {
				t.Fatalf("answer after approval: %v", got)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not verified: %v", got)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, r := e.call("GET", "/v1/kyc-requests/"+req["id"].(string), e.key, nil); r["status"] != "fulfilled" {
		t.Fatalf("request: %v", r["status"])
	}
}
