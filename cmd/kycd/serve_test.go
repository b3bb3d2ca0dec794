package main

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"kycd/internal/store/storetest"
)

// TestServeSurvivesRestart builds the real binary, runs `kycd serve` with a fresh database of each
// dialect, stores an applicant, a file and a document, stops it with SIGTERM (a graceful exit) and
// starts it again: everything is found again, the file's bytes equal.
func TestServeSurvivesRestart(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "kycd")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			envv := append(os.Environ(), "KYCD_DATA_DIR="+dir, "KYCD_DATABASE_URL="+storetest.NewDatabase(t, d), "KYCD_ADDR="+freeAddr(t),
				"KYCD_SANCTIONS_REFRESH=off") // no test reaches the publishers
			if d == "postgres" {
				// The scale set-up: PostgreSQL and an S3-compatible bucket.
				envv = append(envv, "KYCD_BLOB_URL="+s3URL(t))
			}
			out, err := cmdIn(bin, envv, "apikey", "create", "--env", "test", "--name", "restart").Output()
			if err != nil {
				t.Fatalf("apikey create: %v", err)
			}
			key := strings.TrimSpace(string(out))
			c := &client{t: t, key: key, base: "http://" + strings.TrimPrefix(envValue(envv, "KYCD_ADDR"), "http://")}

			stop := serve(t, bin, envv, c)
			apl := c.post("/v1/applicants", `{"externalId":"restart-1","profile":{"firstName":"Anna","lastName":"Eriksson","dateOfBirth":"1974-08-12"}}`)["id"].(string)
			png, _ := os.ReadFile(filepath.Join("testdata", "astronaut.png"))
			fil := c.upload(apl, png)
			doc := c.post("/v1/kyc-documents", `{"applicantId":"`+apl+`","type":"identity-proof","subtype":"passport","fileIds":["`+fil+`"],"identification":{"number":"L898902C3"}}`)["id"].(string)
			stop()

			stop = serve(t, bin, envv, c)
			defer stop()
			if a := c.get("/v1/applicants/" + apl); a["externalId"] != "restart-1" || a["profile"].(map[string]any)["lastName"] != "Eriksson" {
				t.Fatalf("applicant after restart: %v", a)
			}
			if dd := c.get("/v1/kyc-documents/" + doc); dd["identification"].(map[string]any)["number"] != "L898902C3" {
				t.Fatalf("document after restart: %v", dd)
			}
			if got := c.raw("/v1/files/" + fil + "/content"); !bytes.Equal(got, png) {
				t.Fatalf("file bytes after restart differ: %d bytes, want %d", len(got), len(png))
			}
			// The bytes at rest are sealed, not the PNG.
			if d == "sqlite" {
				_ = filepath.Walk(filepath.Join(dir, "blobs"), func(p string, info os.FileInfo, err error) error {
					if err == nil && !info.IsDir() {
						b, _ := os.ReadFile(p)
						if bytes.Contains(b, png[:64]) {
							t.Errorf("blob %s holds plaintext", p)
						}
					}
					return nil
				})
			}
		})
	}
}

// s3URL is the test S3 server that `make test` starts (versitygw).
func s3URL(t *testing.T) string {
	u := os.Getenv("KYCD_TEST_S3_URL")
	if u == "" {
		if os.Getenv("KYCD_TEST_REQUIRE_SERVICES") == "1" {
			t.Fatal("KYCD_TEST_S3_URL is not set but KYCD_TEST_REQUIRE_SERVICES=1: run `make test`")
		}
		t.Skip("skipped: KYCD_TEST_S3_URL not set (run `make test` to start versitygw)")
	}
	return u
}

func cmdIn(bin string, env []string, args ...string) *exec.Cmd {
	c := exec.Command(bin, args...)
	c.Env = env
	return c
}

func envValue(env []string, k string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], k+"="); ok {
			return v
		}
	}
	return ""
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// serve starts kycd serve and waits for /readyz; the returned stop sends SIGTERM and requires a
// clean exit.
func serve(t *testing.T, bin string, env []string, c *client) (stop func()) {
	t.Helper()
	var logs bytes.Buffer
	cmd := cmdIn(bin, env, "serve")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(c.base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("kycd serve not ready:\n%s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	done := false
	stop = func() {
		if done {
			return
		}
		done = true
		_ = cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			t.Fatalf("kycd serve did not stop cleanly on SIGTERM: %v\n%s", err, logs.String())
		}
		if !strings.Contains(logs.String(), "kycd stopped") {
			t.Fatalf("no graceful stop in the logs:\n%s", logs.String())
		}
	}
	t.Cleanup(func() {
		if !done {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return stop
}

type client struct {
	t         *testing.T
	key, base string
}

func (c *client) do(req *http.Request, want int) []byte {
	c.t.Helper()
	req.Header.Set("Authorization", "Bearer "+c.key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		c.t.Fatalf("%s %s: %d %s", req.Method, req.URL.Path, res.StatusCode, b)
	}
	return b
}

func (c *client) decode(b []byte) map[string]any {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		c.t.Fatal(err)
	}
	return m
}

func (c *client) post(path, body string) map[string]any {
	req, _ := http.NewRequest("POST", c.base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return c.decode(c.do(req, 201))
}

func (c *client) get(path string) map[string]any {
	req, _ := http.NewRequest("GET", c.base+path, nil)
	return c.decode(c.do(req, 200))
}

func (c *client) raw(path string) []byte {
	req, _ := http.NewRequest("GET", c.base+path, nil)
	return c.do(req, 200)
}

func (c *client) upload(applicantID string, data []byte) string {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	_ = mw.WriteField("applicantId", applicantID)
	_ = mw.WriteField("tag", "id-front")
	fw, _ := mw.CreateFormFile("file", "id.png")
	_, _ = fw.Write(data)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", c.base+"/v1/files", &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.decode(c.do(req, 201))["id"].(string)
}

// TestServeRefusesABadLevelsFile: a broken levels file stops kycd serve with an error naming the
// file's line, before it listens.
func TestServeRefusesABadLevelsFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	levels := filepath.Join(dir, "levels.json")
	if err := os.WriteFile(levels, []byte("{\"levels\": [\n  {\"name\": \"L1\",\n   \"acceptAbove\": 40, \"rejectBelow\": 60}\n]}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	err := run([]string{"serve", "--sanctions-refresh", "off", "--data-dir", dir, "--addr", freeAddr(t), "--levels-file", levels}, io.Discard, &stderr)
	if err == nil || !strings.Contains(err.Error(), "levels.json:2: level L1: thresholds") {
		t.Fatalf("serve with a bad levels file: %v", err)
	}
}
