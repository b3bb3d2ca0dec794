package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// TestTwoProcessesDeliverEachEventOnce starts two `kycd serve` processes on one PostgreSQL
// database and one receiver, creates 500 events through both, and finds each delivered (answered
// 2xx) exactly once: none lost, none twice. The receiver refuses the first attempt of every
// seventh event, so retries cross processes too.
func TestTwoProcessesDeliverEachEventOnce(t *testing.T) {
	t.Parallel()
	const events = 500
	dsn := storetest.NewDatabase(t, store.Postgres)
	bin := filepath.Join(t.TempDir(), "kycd")
	if out, err := exec.Command("go", "build", "-o", bin, "kycd/cmd/kycd").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	shared := []string{
		"KYCD_DATABASE_URL=" + dsn,
		"KYCD_MASTER_KEY=a2ljZC10ZXN0LW1hc3Rlci1rZXktMzItYnl0ZXMhISE=",
		"KYCD_BLOB_URL=file://" + t.TempDir(),
		"KYCD_WEBHOOK_RETRIES=50ms,100ms,200ms,400ms,800ms,1s,1s,1s,1s,1s",
		"KYCD_WEBHOOK_ALLOW_PRIVATE=true", // the receiver is on loopback
		"KYCD_LOG_LEVEL=warn",
		"KYCD_SANCTIONS_REFRESH=off", // no test reaches the publishers
	}
	out, err := command(bin, append(shared, "KYCD_DATA_DIR="+t.TempDir()), "apikey", "create", "--env", "test", "--name", "two").Output()
	if err != nil {
		t.Fatalf("apikey create: %v", err)
	}
	key := strings.TrimSpace(string(out))
	a, b := startServe(t, bin, shared), startServe(t, bin, shared)

	rcv := &countingReceiver{delivered: map[string]int{}, attempts: map[string]int{}}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	hook := call(t, a, key, "POST", "/v1/webhooks", `{"url":"`+srv.URL+`","events":["applicant-created"]}`, 201)
	if hook == nil {
		t.FailNow()
	}
	rcv.secret = hook["signingSecret"].(string)

	var wg sync.WaitGroup
	work := make(chan int)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				base := a
				if i%2 == 1 {
					base = b
				}
				call(t, base, key, "POST", "/v1/applicants", fmt.Sprintf(`{"externalId":"two-%d"}`, i), 201)
			}
		}()
	}
	for i := range events {
		work <- i
	}
	close(work)
	wg.Wait()

	deadline := time.Now().Add(2 * time.Minute)
	for rcv.count() < events || unfinished(t, a, key, hook["id"].(string)) {
		if time.Now().After(deadline) {
			t.Fatalf("after 2 minutes %d of %d events delivered", rcv.count(), events)
		}
		time.Sleep(100 * time.Millisecond)
	}
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if rcv.badSignatures > 0 {
		t.Fatalf("%d deliveries did not verify", rcv.badSignatures)
	}
	retried := 0
	for id, n := range rcv.delivered {
		if n != 1 {
			t.Errorf("event %s delivered %d times", id, n)
		}
		if rcv.attempts[id] > 1 {
			retried++
		}
	}
	if t.Failed() {
		jobErrors(t, dsn)
	}
	if len(rcv.delivered) != events || retried == 0 {
		t.Fatalf("%d events delivered (want %d), %d after a retry", len(rcv.delivered), events, retried)
	}
	t.Logf("%d events delivered once each, %d after a retry; jobs worked per process: %v", events, retried, jobsPerProcess(t, dsn))
}

// countingReceiver counts, per webhook-id, the attempts and the 2xx answers.
type countingReceiver struct {
	mu            sync.Mutex
	secret        string
	delivered     map[string]int
	attempts      map[string]int
	badSignatures int
	seen          int
}

func (c *countingReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	id := r.Header.Get("webhook-id")
	wh, _ := standardwebhooks.NewWebhook(c.secret)
	c.mu.Lock()
	defer c.mu.Unlock()
	if wh == nil || wh.Verify(body, r.Header) != nil {
		c.badSignatures++
	}
	c.attempts[id]++
	if c.attempts[id] == 1 {
		c.seen++
		if c.seen%7 == 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
	}
	c.delivered[id]++
}

func (c *countingReceiver) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.delivered)
}

// unfinished reports whether the webhook has deliveries still waiting or pending.
func unfinished(t *testing.T, base, key, hook string) bool {
	for _, status := range []string{"waiting", "pending"} {
		r := call(t, base, key, "GET", "/v1/webhooks/"+hook+"/deliveries?limit=1&status="+status, "", 200)
		if r == nil {
			t.FailNow()
		}
		if items, _ := r["items"].([]any); len(items) > 0 {
			return true
		}
	}
	return false
}

// jobsPerProcess counts the delivery jobs each River client worked, for the log.
func jobsPerProcess(t *testing.T, dsn string) map[string]int {
	ctx := context.Background()
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	rows, err := c.Query(ctx, `SELECT attempted_by[array_length(attempted_by, 1)], count(*) FROM river_job WHERE kind = 'webhook_delivery' GROUP BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for rows.Next() {
		var who *string
		var n int
		if err := rows.Scan(&who, &n); err != nil {
			t.Fatal(err)
		}
		if who != nil {
			out[*who] = n
		}
	}
	return out
}

// jobErrors logs the errors River recorded on delivery jobs other than a receiver's refusal, to
// tell why a delivery was sent again.
func jobErrors(t *testing.T, dsn string) {
	ctx := context.Background()
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	rows, err := c.Query(ctx, `SELECT id, args->>'deliveryId', e->>'attempt', e->>'error' FROM river_job, unnest(errors) e
		WHERE kind = 'webhook_delivery' AND e->>'error' NOT LIKE 'webhook delivery attempt %'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var delivery, attempt, msg string
		if err := rows.Scan(&id, &delivery, &attempt, &msg); err != nil {
			t.Fatal(err)
		}
		t.Logf("job %d (delivery %s) attempt %s: %s", id, delivery, attempt, msg)
	}
}

func command(bin string, env []string, args ...string) *exec.Cmd {
	c := exec.Command(bin, args...)
	c.Env = append(os.Environ(), env...)
	return c
}

// startServe runs `kycd serve` on a free port with its own data folder, waits for /readyz, and
// stops it with SIGTERM when the test ends. It returns the base URL.
func startServe(t *testing.T, bin string, shared []string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	var logs bytes.Buffer
	cmd := command(bin, append(shared, "KYCD_ADDR="+addr, "KYCD_DATA_DIR="+t.TempDir()), "serve")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("kycd serve %s log:\n%s", addr, logs.String())
		}
	})
	base := "http://" + addr
	deadline := time.Now().Add(30 * time.Second)
	for {
		if res, err := http.Get(base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return base
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("kycd serve not ready:\n%s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// call sends a request and requires the status want.
func call(t *testing.T, base, key, method, path, body string, want int) map[string]any {
	req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return nil
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		t.Errorf("%s %s: %d %s", method, path, res.StatusCode, raw)
		return nil
	}
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return m
}
