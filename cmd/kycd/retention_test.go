package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"kycd/internal/app"
	"kycd/internal/app/apptest"
	"kycd/internal/erasure"
	"kycd/internal/kyc"
	"kycd/internal/retention"
	"kycd/internal/store"
)

// TestRetentionPlan: `kycd retention plan` counts, per class, what the retention job would take
// (an applicant last active six years ago: its image and its personal data; one active a year ago:
// nothing), changes nothing (rows, payloads, audit entries and blobs the same after it), and the
// job then does what it counted. With an audit retention, it counts the audit trails due.
func TestRetentionPlan(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t, store.SQLite, apptest.NoJobs())
	ctx := context.Background()
	key := e.Key(t, kyc.EnvTest)
	post := func(path, body string) string {
		t.Helper()
		req, _ := http.NewRequest("POST", e.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		var out struct{ ID string }
		if res.StatusCode/100 != 2 || json.Unmarshal(raw, &out) != nil {
			t.Fatalf("POST %s: %d %s", path, res.StatusCode, raw)
		}
		return out.ID
	}
	var img bytes.Buffer
	_ = png.Encode(&img, image.NewGray(image.Rect(0, 0, 32, 32)))
	data := "data:image/png;base64," + base64.StdEncoding.EncodeToString(img.Bytes())
	exec := func(query string, args ...any) {
		t.Helper()
		if err := e.App.Store.Record(ctx, kyc.EnvTest, func(tx *store.Tx) (store.Effects, error) {
			_, err := tx.Exec(ctx, query, args...)
			return store.Effects{}, err
		}); err != nil {
			t.Fatal(err)
		}
	}
	for i, age := range []time.Duration{6 * 365 * 24 * time.Hour, 365 * 24 * time.Hour} {
		id := post("/v1/applicants", fmt.Sprintf(`{"email":"plan%d@example.com","profile":{"firstName":"Plan","lastName":"Retained"}}`, i))
		post("/v1/files", fmt.Sprintf(`{"applicantId":%q,"tag":"id-front","data":%q}`, id, data))
		at := time.Now().Add(-age).UnixMicro()
		exec(`UPDATE applicants SET updated_at = ? WHERE id = ?`, at, id)
		exec(`UPDATE files SET created_at = ? WHERE applicant_id = ?`, at, id)
	}
	state := func() string {
		t.Helper()
		var a, f, ev, payload, audit int64
		err := e.App.Store.Record(ctx, kyc.EnvTest, func(tx *store.Tx) (store.Effects, error) {
			return store.Effects{}, tx.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM applicants WHERE erased_at IS NULL),
				(SELECT COUNT(*) FROM files WHERE blob_deleted_at IS NULL), (SELECT COUNT(*) FROM events),
				(SELECT COALESCE(SUM(length(payload)), 0) FROM events), (SELECT COUNT(*) FROM audit_log)`).Scan(&a, &f, &ev, &payload, &audit)
		})
		if err != nil {
			t.Fatal(err)
		}
		blobs := 0
		_ = filepath.WalkDir(e.BlobDir, func(_ string, d os.DirEntry, _ error) error {
			if d != nil && !d.IsDir() {
				blobs++
			}
			return nil
		})
		return fmt.Sprintf("applicants %d, files %d, events %d, payload bytes %d, audit entries %d, blobs %d", a, f, ev, payload, audit, blobs)
	}
	installation := []string{"--data-dir", e.App.Config.DataDir, "--database-url", e.App.Config.DatabaseURL, "--master-key", apptest.MasterKey}
	before := state()
	var out bytes.Buffer
	if err := run(append([]string{"retention", "plan"}, installation...), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if after := state(); after != before {
		t.Fatalf("kycd retention plan changed the data:\nbefore %s\nafter  %s", before, after)
	}
	due := map[string]int64{}
	line := regexp.MustCompile(`(?m)^(.+?)\s{2,}KYCD_\S+(?:, KYCD_\S+)?\s{2,}.+?\s{2,}(\d+)\s{2,}(.+)$`)
	for _, m := range line.FindAllStringSubmatch(out.String(), -1) {
		n, _ := strconv.ParseInt(m[2], 10, 64)
		due[m[1]] = n
		if (n > 0) != strings.HasSuffix(m[3], " ago") {
			t.Errorf("class %q: %d due, oldest %q", m[1], n, m[3])
		}
	}
	want := map[string]int64{"document images": 1, "personal data (applicants erased)": 1, "applicants under a legal hold (skipped)": 0,
		"event payloads": 0, "audit trails (kept for ever)": 0}
	if fmt.Sprint(due) != fmt.Sprint(want) {
		t.Fatalf("kycd retention plan:\n%s\nread %v, want %v", out.String(), due, want)
	}
	if !strings.Contains(out.String(), "2190 days") {
		t.Errorf("the oldest age is not six years:\n%s", out.String())
	}

	// The job, with the same (default) settings, takes what the plan counted.
	sealer, err := app.ExistingSealer(t.Context(), e.App.Config)
	if err != nil {
		t.Fatal(err)
	}
	erasures := erasure.NewService(e.App.Store, erasure.Config{SigningKey: erasure.SigningKey(sealer.Derive)})
	svc := retention.NewService(e.App.Store, e.App.Blobs, retention.EraserFunc(func(ctx context.Context, en kyc.Env, id string) error {
		_, err := erasures.Erase(ctx, retention.Actor, en, id)
		return err
	}), e.App.Config.Retention)
	r, err := svc.Run(ctx)
	if err != nil || int64(r.ImagesDeleted) != due["document images"] || int64(r.ApplicantsErased) != due["personal data (applicants erased)"] ||
		r.EventPayloadsRemoved != due["event payloads"] || len(r.Held) != 0 {
		t.Fatalf("the job did %+v (%v), the plan counted %v", r, err, due)
	}

	// With an audit retention shorter than the trails' age, the plan counts the trails it would
	// prune (every one of this installation's: all were written before now, and the period is
	// a microsecond), and prunes none of them.
	entries, err := e.App.Store.AuditLength(ctx, kyc.EnvTest)
	if err != nil {
		t.Fatal(err)
	}
	var planOut, stderr bytes.Buffer
	if err := run(append([]string{"retention", "plan", "--retention-audit", "1us"}, installation...), &planOut, &stderr); err != nil {
		t.Fatalf("plan with an audit retention: %v %s", err, stderr.String())
	}
	auditLine := ""
	for l := range strings.Lines(planOut.String()) {
		if strings.HasPrefix(l, "audit trails") {
			auditLine = l
		}
	}
	if m := regexp.MustCompile(`KYCD_RETENTION_AUDIT\s+0 days \([^)]*\)\s+([1-9][0-9]*)\s+0 days`).FindStringSubmatch(auditLine); m == nil {
		t.Fatalf("the plan's audit line: %q in\n%s", auditLine, planOut.String())
	}
	if n, err := e.App.Store.AuditLength(ctx, kyc.EnvTest); err != nil || n != entries {
		t.Fatalf("the plan changed the audit log: %d entries, had %d", n, entries)
	}
}
