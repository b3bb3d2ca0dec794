package main

import (
	"bytes"
	"crypto/rand"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"kycd/internal/store/storetest"
)

// crashKills is how many times the crash test kills kycd serve.
const crashKills = 10

// crashSettle is how long after the last restart every document must be decided, every event
// delivered and the orphan blobs swept.
const crashSettle = time.Minute

// TestServeSurvivesKill9 runs `kycd serve` (SQLite in its data folder, and PostgreSQL + S3), drives
// a steady mix of writes: API applicants, files, KYC documents and requests with Idempotency-Keys,
// the app endpoints (token, two uploads, update_app_user_profile_v2) and the hosted flow's identity
// form, while a webhook on a local receiver takes every event. It kills kycd with SIGKILL at random
// points (crashKills times), restarts it and checks:
//
//   - the write each kill cut answers when retried (an API write with its Idempotency-Key: never
//     409 once restarted);
//   - every 2xx answer's resource is there, file bytes equal, and every API key replays its answer;
//   - within crashSettle of the last restart, every document has left pending, every event listed
//     by GET /v1/events reached the receiver with a valid signature, and the orphan-blob sweep
//     (KYCD_BLOB_ORPHAN_GRACE shortened for that start only) has run and left no blob that no row
//     names;
//   - no upload's plaintext is in the data folder (or, on PostgreSQL, in the bucket).
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
			runCrash(t, string(d), bin, png)
		})
	}
}

func runCrash(t *testing.T, d, bin string, png []byte) {
	dir := t.TempDir()
	dbURL := filepath.Join(dir, "kycd.db") // the default place: the data folder holds everything
	blobURL := ""
	if d == "postgres" {
		dbURL = storetest.NewDatabase(t, "postgres")
		// A prefix of its own, so that this test's sweep and orphan count see only its objects.
		blobURL = s3URL(t) + "&prefix=crash-" + strings.ToLower(rand.Text()[:12]) + "/"
	}
	envv := append(os.Environ(), "KYCD_DATA_DIR="+dir, "KYCD_DATABASE_URL="+dbURL, "KYCD_ADDR="+freeAddr(t),
		"KYCD_SANCTIONS_REFRESH=off", "KYCD_WEBHOOK_ALLOW_PRIVATE=true")
	if blobURL != "" {
		envv = append(envv, "KYCD_BLOB_URL="+blobURL)
	}
	out, err := cmdIn(bin, envv, "apikey", "create", "--env", "test", "--name", "crash").Output()
	if err != nil {
		t.Fatalf("apikey create: %v", err)
	}
	recv := newHookReceiver(t)
	c := newCrashClient(strings.TrimSpace(string(out)), "http://"+envValue(envv, "KYCD_ADDR"), png)
	rng := mrand.New(mrand.NewPCG(1, uint64(time.Now().UnixNano())))
	var pending *crashOp
	retried, writes, cut := 0, 0, map[string]int{}
	for k := 0; k <= crashKills; k++ {
		cmd := startKycd(t, bin, envv, c.base)
		if k == 0 {
			// Every event from the first write on has a delivery to the receiver.
			recv.secret = c.createWebhook(t, recv.url)
		}
		if pending != nil {
			// The write the kill cut must answer now: an API write with its first answer or a
			// clean run (never 409), an app or hosted-flow write by running again.
			if status := c.send(pending); !pending.ok(status) {
				_ = cmd.Process.Kill()
				_ = cmd.Wait()
				t.Fatalf("after restart %d, the retry of %s %s answered %d", k, pending.kind, pending.key, status)
			}
			retried++
			c.done, pending = append(c.done, pending), nil
		}
		if k == crashKills {
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
			op := c.next(rng)
			writes++
			status := c.send(op)
			switch {
			case status == 0: // the connection died with the process
				pending = op
				cut[op.kind]++
			case op.ok(status):
				c.done = append(c.done, op)
			default:
				<-killed
				_ = cmd.Wait()
				t.Fatalf("%s %s answered %d", op.kind, op.key, status)
			}
		}
		<-killed
		_ = cmd.Wait()
	}

	// The last start sweeps orphan blobs at once: nothing is written while it runs.
	db := openCrashDB(t, d, dbURL)
	sweeps := db.completedSweeps(t)
	_, left := countOrphans(t, db, dir, blobURL, false)
	restarted := time.Now()
	cmd := startKycd(t, bin, append(envv, "KYCD_BLOB_ORPHAN_GRACE=1ms"), c.base)
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()

	found := c.checkDone(t)
	docs, events := c.settle(t, recv, restarted)
	for time.Since(restarted) < crashSettle && db.completedSweeps(t) == sweeps {
		time.Sleep(200 * time.Millisecond)
	}
	if db.completedSweeps(t) == sweeps {
		t.Errorf("the orphan-blob sweep did not run within %v of the restart", crashSettle)
	}
	blobs, orphans := countOrphans(t, db, dir, blobURL, true)
	replayed := c.replay(t)
	plain := countPlaintext(t, dir, blobURL, png)
	n := c.counts()
	t.Logf("%s: %d kills, %d writes (%d applicants, %d files, %d documents, %d requests via the API; %d app flows; %d hosted-flow forms), "+
		"%d cut by a kill and answered on retry (no 409; cut: %v), %d resources found again (%d files, bytes equal), %d API keys replayed with their answer, "+
		"%d documents decided and %d events delivered (%d deliveries, %d duplicates, signatures checked) within %v of the restart, "+
		"%d orphan blobs before the sweep, %d blobs and %d orphans after it, %d files with plaintext",
		d, crashKills, writes, n["applicant"], n["file"], n["document"], n["request"], n["app"], n["hosted"],
		retried, cut, found.resources, found.files, replayed, docs, events, recv.total(), recv.total()-events, time.Since(restarted).Round(time.Second),
		left, blobs, orphans, plain)
}

// settle waits, until crashSettle after the restart, for every document to be decided and every
// event to reach the receiver; it answers how many of each it saw.
func (c *crashClient) settle(t *testing.T, recv *hookReceiver, restarted time.Time) (docs, events int) {
	t.Helper()
	for {
		undecided, listed := c.undecided(t)
		missing, all := recv.missing(c.eventIDs(t))
		if len(undecided) == 0 && len(missing) == 0 {
			for _, op := range c.done {
				if op.kind == "document" && !slices.Contains(listed, op.id) {
					t.Errorf("document %s of a 2xx answer is not listed", op.id)
				}
			}
			if bad := recv.badSignatures(); bad > 0 {
				t.Errorf("%d deliveries had no valid signature", bad)
			}
			return len(listed), all
		}
		if time.Since(restarted) > crashSettle {
			t.Fatalf("%v after the restart: %d documents still undecided (%v), %d of %d events not delivered (%v)",
				crashSettle, len(undecided), first(undecided), len(missing), all, first(missing))
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func first(s []string) []string { return s[:min(len(s), 5)] }

// countPlaintext counts the files of the data folder, and on PostgreSQL the objects of the bucket,
// that hold a piece of the upload as it was sent.
func countPlaintext(t *testing.T, dir, blobURL string, png []byte) int {
	t.Helper()
	plain := 0
	holds := func(b []byte) bool {
		return bytes.Contains(b, png[:64]) || bytes.Contains(b, png[len(png)/2:len(png)/2+64])
	}
	_ = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && info.Mode().IsRegular() {
			if b, _ := os.ReadFile(p); holds(b) {
				plain++
				t.Errorf("%s holds an upload's plaintext", p)
			}
		}
		return nil
	})
	if blobURL != "" {
		for key, b := range bucketObjects(t, blobURL) {
			if holds(b) {
				plain++
				t.Errorf("object %s holds an upload's plaintext", key)
			}
		}
	}
	return plain
}

// checkDone finds the resource of every 2xx answer again.
func (c *crashClient) checkDone(t *testing.T) (found struct{ resources, files int }) {
	t.Helper()
	file := func(id string) {
		found.files++
		if status, b := c.get("/v1/files/" + id + "/content"); status != 200 || !bytes.Equal(b, c.png) {
			t.Errorf("file %s of a 2xx answer: %d, %d bytes (want %d equal)", id, status, len(b), len(c.png))
		}
	}
	for _, op := range c.done {
		found.resources++
		switch op.kind {
		case "applicant", "request":
			if status, _ := c.get("/v1/" + map[string]string{"applicant": "applicants", "request": "kyc-requests"}[op.kind] + "/" + op.id); status != 200 {
				t.Errorf("%s %s of a 2xx answer: %d", op.kind, op.id, status)
			}
		case "file":
			file(op.id)
		case "document":
			var doc struct{ FileIDs []string }
			if status := c.getJSON("/v1/kyc-documents/"+op.id, &doc); status != 200 || !slices.Contains(doc.FileIDs, op.file) {
				t.Errorf("document %s of a 2xx answer: %d, files %v (want %s)", op.id, status, doc.FileIDs, op.file)
			}
		case "hosted":
			// The form answered 303: the request has its identity document, with the photo sent.
			var list struct {
				Items []struct {
					RequestID, Type string
					FileIDs         []string
				}
			}
			c.getJSON("/v1/kyc-documents?limit=100&applicantId="+op.applicant, &list)
			n := 0
			for _, doc := range list.Items {
				if doc.RequestID == op.request && doc.Type == "identity-proof" && len(doc.FileIDs) > 0 {
					n++
					file(doc.FileIDs[0]) // the front
				}
			}
			if n == 0 {
				t.Errorf("hosted flow of request %s answered 303, but the request has no identity document", op.request)
			}
		case "app":
			for _, id := range op.files {
				file(id)
			}
			var view struct {
				Documents []struct {
					DocumentReference string `json:"document_reference"`
				}
			}
			status := c.appCall(op.token, "GET", "/get_app_user_profile_v2", "", &view)
			for _, ref := range op.refs {
				if !slices.ContainsFunc(view.Documents, func(d struct {
					DocumentReference string `json:"document_reference"`
				}) bool {
					return d.DocumentReference == ref
				}) {
					t.Errorf("app applicant %s: get_app_user_profile_v2 (%d) has no document %s, which update_app_user_profile_v2 answered", op.applicant, status, ref)
				}
			}
		}
	}
	return found
}

// replay sends every API write again with its key: each answers 2xx with the same resource.
func (c *crashClient) replay(t *testing.T) int {
	t.Helper()
	n := 0
	for _, op := range c.done {
		if !op.api() {
			continue
		}
		id := op.id
		if status := c.send(op); status < 200 || status > 299 || op.id != id {
			t.Errorf("replay of %s %s: %d, id %s (first answer %s)", op.kind, op.key, status, op.id, id)
		}
		n++
	}
	return n
}

// counts answers how many writes of each kind were answered.
func (c *crashClient) counts() map[string]int {
	n := map[string]int{}
	for _, op := range c.done {
		n[op.kind]++
	}
	return n
}
