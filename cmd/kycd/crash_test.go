package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kycd/internal/store/storetest"
)

// crashOp is one write the test makes, retried with its Idempotency-Key until it has an answer.
type crashOp struct {
	key, kind, applicant string // kind: applicant or file; applicant: the file's owner
	n                    int
	id                   string // the resource of its 2xx answer
}

// TestServeSurvivesKill9 runs `kycd serve`, writes applicants and files with Idempotency-Keys
// while killing it with SIGKILL at random points (10 times), restarts it and checks: every write
// cut by a kill gets an answer when retried with its key (never 409 once restarted), every 2xx
// answer's resource is there with its bytes, and no upload's plaintext is left in the data folder.
func TestServeSurvivesKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills kycd")
	}
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "kycd")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	png, err := os.ReadFile(filepath.Join("testdata", "astronaut.png"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			envv := append(os.Environ(), "KYCD_DATA_DIR="+dir, "KYCD_DATABASE_URL="+storetest.NewDatabase(t, d), "KYCD_ADDR="+freeAddr(t),
				"KYCD_SANCTIONS_REFRESH=off")
			if d == "postgres" {
				envv = append(envv, "KYCD_BLOB_URL="+s3URL(t))
			}
			out, err := cmdIn(bin, envv, "apikey", "create", "--env", "test", "--name", "crash").Output()
			if err != nil {
				t.Fatalf("apikey create: %v", err)
			}
			c := &crashClient{key: strings.TrimSpace(string(out)), base: "http://" + envValue(envv, "KYCD_ADDR"), png: png}
			rng := rand.New(rand.NewPCG(1, uint64(time.Now().UnixNano())))
			var done []*crashOp
			var pending *crashOp
			retried, writes := 0, 0
			const kills = 10
			for k := 0; k <= kills; k++ {
				cmd := startKycd(t, bin, envv, c.base)
				if pending != nil {
					// The write the kill cut: its key must answer now, once.
					status := c.send(pending)
					if status < 200 || status > 299 {
						_ = cmd.Process.Kill()
						t.Fatalf("after restart %d, the retry of %s %s answered %d, want 2xx", k, pending.kind, pending.key, status)
					}
					retried++
					done, pending = append(done, pending), nil
				}
				if k == kills {
					_ = cmd.Process.Kill()
					_ = cmd.Wait()
					break
				}
				killAt := time.Now().Add(time.Duration(200+rng.IntN(800)) * time.Millisecond)
				killed := make(chan struct{})
				go func() {
					time.Sleep(time.Until(killAt))
					_ = cmd.Process.Kill()
					close(killed)
				}()
				for pending == nil {
					op := c.next(rng, done)
					writes++
					status := c.send(op)
					switch {
					case status == 0: // the connection died with the process
						pending = op
					case status >= 200 && status <= 299:
						done = append(done, op)
					default:
						<-killed
						_ = cmd.Wait()
						t.Fatalf("%s %s answered %d", op.kind, op.key, status)
					}
				}
				<-killed
				_ = cmd.Wait()
			}

			cmd := startKycd(t, bin, envv, c.base)
			defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
			files := 0
			for _, op := range done {
				switch op.kind {
				case "applicant":
					if status, _ := c.get("/v1/applicants/" + op.id); status != 200 {
						t.Errorf("applicant %s of a 2xx answer: %d", op.id, status)
					}
				case "file":
					files++
					if status, b := c.get("/v1/files/" + op.id + "/content"); status != 200 || !bytes.Equal(b, png) {
						t.Errorf("file %s of a 2xx answer: %d, %d bytes (want %d equal)", op.id, status, len(b), len(png))
					}
				}
			}
			plain := 0
			_ = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
				if err == nil && info.Mode().IsRegular() {
					b, _ := os.ReadFile(p)
					if bytes.Contains(b, png[:64]) || bytes.Contains(b, png[len(png)/2:len(png)/2+64]) {
						plain++
						t.Errorf("%s holds an upload's plaintext", p)
					}
				}
				return nil
			})
			t.Logf("%s: %d kills, %d writes, %d cut by a kill and answered on retry (no 409), %d resources found again (%d files, bytes equal), %d files with plaintext in the data folder",
				d, kills, writes, retried, len(done), files, plain)
		})
	}
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

type crashClient struct {
	key, base string
	png       []byte
	n         int
}

// next makes the next write: a file for a known applicant, or an applicant.
func (c *crashClient) next(rng *rand.Rand, done []*crashOp) *crashOp {
	c.n++
	op := &crashOp{key: fmt.Sprintf("crash-%d", c.n), kind: "applicant", n: c.n}
	var applicants []*crashOp
	for _, o := range done {
		if o.kind == "applicant" {
			applicants = append(applicants, o)
		}
	}
	if len(applicants) > 0 && rng.IntN(2) == 0 {
		op.kind, op.applicant = "file", applicants[rng.IntN(len(applicants))].id
	}
	return op
}

// send makes op's request with its key; 0 means no answer (the process died).
func (c *crashClient) send(op *crashOp) int {
	var req *http.Request
	if op.kind == "applicant" {
		req, _ = http.NewRequest("POST", c.base+"/v1/applicants", strings.NewReader(fmt.Sprintf(`{"externalId":"crash-%d"}`, op.n)))
		req.Header.Set("Content-Type", "application/json")
	} else {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		_ = mw.WriteField("applicantId", op.applicant)
		_ = mw.WriteField("tag", "id-front")
		fw, _ := mw.CreateFormFile("file", "id.png")
		_, _ = fw.Write(c.png)
		_ = mw.Close()
		req, _ = http.NewRequest("POST", c.base+"/v1/files", &b)
		req.Header.Set("Content-Type", mw.FormDataContentType())
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set("Idempotency-Key", op.key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return 0
	}
	var m map[string]any
	if json.Unmarshal(body, &m) == nil {
		op.id, _ = m["id"].(string)
	}
	return res.StatusCode
}

func (c *crashClient) get(path string) (int, []byte) {
	req, _ := http.NewRequest("GET", c.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+c.key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}
