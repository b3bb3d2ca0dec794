package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"gocloud.dev/blob"
)

// hookReceiver is the webhook's receiver: it counts each event's deliveries and checks their
// Standard Webhooks signatures with its own code.
type hookReceiver struct {
	url    string
	secret string // whsec_<base64 key>, set once the webhook exists

	mu   sync.Mutex
	got  map[string]int // event id -> deliveries
	bad  int
	seen int
}

func newHookReceiver(t *testing.T) *hookReceiver {
	r := &hookReceiver{got: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return
		}
		id := req.Header.Get("webhook-id")
		valid := r.verify(id, req.Header.Get("webhook-timestamp"), body, req.Header.Get("webhook-signature"))
		r.mu.Lock()
		r.seen++
		if valid {
			r.got[id]++
		} else {
			r.bad++
		}
		r.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	r.url = srv.URL + "/kyc-events"
	return r
}

// verify checks one of the space-separated v1 signatures: base64 HMAC-SHA256 of id.timestamp.body
// under the secret's key.
func (r *hookReceiver) verify(id, ts string, body []byte, sigs string) bool {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(r.secret, "whsec_"))
	if err != nil || id == "" || ts == "" {
		return false
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id + "." + ts + "."))
	m.Write(body)
	want := base64.StdEncoding.EncodeToString(m.Sum(nil))
	for _, s := range strings.Fields(sigs) {
		if v, ok := strings.CutPrefix(s, "v1,"); ok && hmac.Equal([]byte(v), []byte(want)) {
			return true
		}
	}
	return false
}

// missing answers the events of ids not received yet, and how many ids there are.
func (r *hookReceiver) missing(ids []string) (missing []string, all int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range ids {
		if r.got[id] == 0 {
			missing = append(missing, id)
		}
	}
	return missing, len(ids)
}

func (r *hookReceiver) total() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seen
}

func (r *hookReceiver) badSignatures() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.bad
}

// crashDB reads kycd's database directly: which blobs rows name, and whether the sweep ran.
type crashDB struct {
	query func(q string) ([]string, error)
}

func openCrashDB(t *testing.T, dialect, dsn string) *crashDB {
	t.Helper()
	if dialect == "postgres" {
		conn, err := pgx.Connect(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = conn.Close(context.Background()) })
		return &crashDB{query: func(q string) ([]string, error) {
			rows, err := conn.Query(context.Background(), q)
			if err != nil {
				return nil, err
			}
			return pgx.CollectRows(rows, pgx.RowTo[string])
		}}
	}
	db, err := sql.Open("sqlite", "file:"+dsn+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return &crashDB{query: func(q string) ([]string, error) {
		rows, err := db.Query(q)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, rows.Err()
	}}
}

func (db *crashDB) strings(t *testing.T, q string) []string {
	t.Helper()
	out, err := db.query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return out
}

// completedSweeps counts the orphan-blob sweeps that finished.
func (db *crashDB) completedSweeps(t *testing.T) string {
	return db.strings(t, `SELECT CAST(COUNT(*) AS TEXT) FROM river_job WHERE kind = 'blobs_sweep_orphans' AND state = 'completed'`)[0]
}

// countOrphans lists the blobs (every file in the data folder's blob folder, or every object under
// the test's bucket prefix) and counts those that no row names: a file blob whose key is no
// files.blob_key, a draft of an applicant that does not exist, anything else (such as a temporary
// file a crash left). With report, each orphan is a test error.
func countOrphans(t *testing.T, db *crashDB, dir, blobURL string, report bool) (blobs, orphans int) {
	t.Helper()
	named := map[string]bool{}
	for _, k := range db.strings(t, `SELECT blob_key FROM files`) {
		named[k] = true
	}
	for _, id := range db.strings(t, `SELECT id FROM applicants`) {
		named["drafts/test/"+id], named["drafts/live/"+id] = true, true
	}
	var keys []string
	if blobURL == "" {
		root := filepath.Join(dir, "blobs")
		_ = filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() {
				rel, _ := filepath.Rel(root, p)
				keys = append(keys, filepath.ToSlash(rel))
			}
			return nil
		})
	} else {
		for k := range bucketObjects(t, blobURL) {
			keys = append(keys, k)
		}
	}
	for _, k := range keys {
		if !named[k] {
			orphans++
			if report {
				t.Errorf("blob %s: no row names it after the sweep", k)
			}
		}
	}
	return len(keys), orphans
}

// bucketObjects reads every object under the URL's prefix as it is stored.
func bucketObjects(t *testing.T, blobURL string) map[string][]byte {
	t.Helper()
	ctx := context.Background()
	b, err := blob.OpenBucket(ctx, blobURL)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	out := map[string][]byte{}
	it := b.List(nil)
	for {
		obj, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if out[obj.Key], err = b.ReadAll(ctx, obj.Key); err != nil {
			t.Fatal(err)
		}
	}
}
