package httpapi_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"kycd/internal/app"
	"kycd/internal/app/apptest"
	"kycd/internal/kyc"
	"kycd/internal/store"
)

// env is one running kycd over a fresh database of one dialect, with a test and a live key.
type env struct {
	*apptest.Env
	t        *testing.T
	testKey  string
	liveKey  string
	maxBytes int64
}

func newEnv(t *testing.T, d store.Dialect) *env {
	t.Helper()
	return newEnvWith(t, d, nil)
}

// newEnvWith is newEnv with a change to the configuration. Uploads are limited to 1 MiB unless
// configure says otherwise.
func newEnvWith(t *testing.T, d store.Dialect, configure func(*app.Config)) *env {
	t.Helper()
	return newEnvOpts(t, d, configure)
}

// newEnvOpts is newEnvWith with further options of apptest.Start (apptest.Log).
func newEnvOpts(t *testing.T, d store.Dialect, configure func(*app.Config), opts ...apptest.Option) *env {
	t.Helper()
	a := apptest.Start(t, d, append([]apptest.Option{apptest.Configure(func(c *app.Config) {
		c.MaxUploadBytes = 1 << 20
		if configure != nil {
			configure(c)
		}
	})}, opts...)...)
	return &env{Env: a, t: t, maxBytes: a.App.Config.MaxUploadBytes, testKey: a.Key(t, kyc.EnvTest), liveKey: a.Key(t, kyc.EnvLive)}
}

// resp is an answer with its body decoded as JSON.
type resp struct {
	Status int
	Header http.Header
	Raw    []byte
	JSON   map[string]any
}

// errorFields lists the locations of a problem's errors[].
func (r resp) errorFields() []string {
	var out []string
	errs, _ := r.JSON["errors"].([]any)
	for _, e := range errs {
		m, _ := e.(map[string]any)
		loc, _ := m["location"].(string)
		out = append(out, loc)
	}
	return out
}

func (r resp) str(k string) string { s, _ := r.JSON[k].(string); return s }

func (e *env) do(method, path, key string, body io.Reader, headers ...string) resp {
	e.t.Helper()
	req, err := http.NewRequest(method, e.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := resp{Status: res.StatusCode, Header: res.Header, Raw: raw}
	_ = json.Unmarshal(raw, &r.JSON)
	return r
}

func (e *env) json(method, path, key, body string, headers ...string) resp {
	e.t.Helper()
	return e.do(method, path, key, strings.NewReader(body), headers...)
}

// upload sends a multipart upload.
func (e *env) upload(key, applicantID, tag string, data []byte, headers ...string) resp {
	e.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	_ = mw.WriteField("applicantId", applicantID)
	_ = mw.WriteField("tag", tag)
	fw, _ := mw.CreateFormFile("file", "upload")
	_, _ = fw.Write(data)
	_ = mw.Close()
	return e.do(http.MethodPost, "/v1/files", key, &b, append([]string{"Content-Type", mw.FormDataContentType()}, headers...)...)
}

func (e *env) mustApplicant(key string) string {
	e.t.Helper()
	r := e.json(http.MethodPost, "/v1/applicants", key, `{"email":"anna@example.com","profile":{"firstName":"Anna","lastName":"Eriksson","dateOfBirth":"1974-08-12","nationality":"TH"}}`)
	if r.Status != http.StatusCreated {
		e.t.Fatalf("create applicant: %d %s", r.Status, r.Raw)
	}
	return r.str("id")
}

func (e *env) mustFile(key, applicantID string) string {
	e.t.Helper()
	r := e.upload(key, applicantID, "id-front", testdata(e.t, "astronaut.png"))
	if r.Status != http.StatusCreated {
		e.t.Fatalf("upload: %d %s", r.Status, r.Raw)
	}
	return r.str("id")
}

// stored is a fingerprint of everything stored in both environments: audit entries (every change
// writes one) and blob files. A refused request must leave it unchanged.
func (e *env) stored() string {
	e.t.Helper()
	var parts []string
	for _, en := range []kyc.Env{kyc.EnvTest, kyc.EnvLive} {
		n, err := e.App.Store.AuditLength(context.Background(), en)
		if err != nil {
			e.t.Fatal(err)
		}
		parts = append(parts, string(en)+":"+itoa(n))
	}
	blobs := 0
	_ = filepath.Walk(e.BlobDir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			blobs++
		}
		return nil
	})
	spool, _ := os.ReadDir(filepath.Join(e.App.Config.DataDir, "tmp"))
	return strings.Join(parts, ",") + " blobs:" + itoa(int64(blobs)) + " spool:" + itoa(int64(len(spool)))
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func testdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// waitStatus polls a resource until its status is want (the checks run as a background job).
func (e *env) waitStatus(path, want string) resp {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := e.json("GET", path, e.testKey, "")
		if r.str("status") == want {
			return r
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("%s still %q, want %q: %s", path, r.str("status"), want, r.Raw)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
