package httpapi_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"kycd/internal/app"
	"kycd/internal/level"
	"kycd/internal/screening"
	"kycd/internal/screening/match"
	"kycd/internal/store"
)

// TestNoListIsNotAClearAnswer: with no list loaded, POST /v1/screenings answers 503 instead of an
// empty list of hits, and /readyz stays 200 but says so.
func TestNoListIsNotAClearAnswer(t *testing.T) {
	t.Parallel()
	screeningEnv(t, func(t *testing.T, e *env, importList func(...match.Entry)) {
		r := e.json("POST", "/v1/screenings", e.testKey, `{"name":"Eileen Collins"}`)
		if r.Status != 503 || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") ||
			!strings.Contains(r.str("detail"), "no sanctions list is loaded") {
			t.Fatalf("screening with no list: %d %s", r.Status, r.Raw)
		}
		if r := e.json("POST", "/v1/screenings", e.testKey, `{"name":""}`); r.Status != 422 {
			t.Fatalf("a bad query is still a 422: %d %s", r.Status, r.Raw)
		}
		if r := e.json("GET", "/readyz", "", ""); r.Status != 200 || r.str("status") != "ready" || !strings.Contains(string(r.Raw), `"state":"none"`) {
			t.Fatalf("readyz with no list: %d %s", r.Status, r.Raw)
		}
		importList(petrov)
		if r := e.json("POST", "/v1/screenings", e.testKey, `{"name":"Eileen Collins"}`); r.Status != 200 || !strings.Contains(string(r.Raw), `"hits":[]`) {
			t.Fatalf("screening with a list: %d %s", r.Status, r.Raw)
		}
		if r := e.json("GET", "/readyz", "", ""); r.Status != 200 || !strings.Contains(string(r.Raw), `"sanctions":{"lists":1,"stale":[],"state":"current"}`) {
			t.Fatalf("readyz with a list: %d %s", r.Status, r.Raw)
		}
	})
}

// TestStaleListIsShown: a list not confirmed current for more than 30 days is stale in
// GET /v1/sanctions-lists and /readyz (still 200), with its dates.
func TestStaleListIsShown(t *testing.T) {
	t.Parallel()
	screeningEnv(t, func(t *testing.T, e *env, importList func(...match.Entry)) {
		importList(petrov)
		importer := screening.NewService(e.App.Store, screening.NewLists(e.App.Store, 0), 0, level.Defaults())
		old := time.Now().AddDate(0, 0, -40).UTC().Truncate(time.Second)
		un := match.Entry{List: "un", ID: "QDi.001", Type: "individual", Name: "Someone Unrelated Entirely"}
		if _, _, err := importer.ImportList(context.Background(), screening.Imported{List: "un", Source: "snapshot", Entries: []match.Entry{un},
			Raw: [][]byte{[]byte("un v1")}, PublishedAt: old, CheckedAt: old}, false); err != nil {
			t.Fatal(err)
		}
		r := e.json("GET", "/v1/sanctions-lists", e.testKey, "")
		items, _ := r.JSON["items"].([]any)
		if r.Status != 200 || len(items) != 2 {
			t.Fatalf("sanctions-lists: %d %s", r.Status, r.Raw)
		}
		for _, it := range items {
			l := it.(map[string]any)
			switch l["list"] {
			case "ofac-sdn":
				if l["stale"] != false || l["checkedTime"] == nil || l["publishedTime"] != nil {
					t.Fatalf("fresh list: %v", l)
				}
			case "un":
				if l["stale"] != true || l["publishedTime"] != old.Format(time.RFC3339) || l["checkedTime"] != old.Format(time.RFC3339) {
					t.Fatalf("stale list: %v", l)
				}
			}
		}
		if r := e.json("GET", "/readyz", "", ""); r.Status != 200 || !strings.Contains(string(r.Raw), `"sanctions":{"lists":2,"stale":["un"],"state":"stale"}`) {
			t.Fatalf("readyz with a stale list: %d %s", r.Status, r.Raw)
		}
		// A refresh that finds the same files confirms the list: no longer stale.
		if _, ch, err := importer.ImportList(context.Background(), screening.Imported{List: "un", Source: "https://example.org/un.xml", Entries: []match.Entry{un},
			Raw: [][]byte{[]byte("un v1")}, CheckedAt: time.Now()}, false); err != nil || len(ch.Changed) != 0 {
			t.Fatalf("confirm: %+v %v", ch, err)
		}
		if r := e.json("GET", "/readyz", "", ""); !strings.Contains(string(r.Raw), `"state":"current"`) {
			t.Fatalf("readyz after a confirming refresh: %s", r.Raw)
		}
	})
}

// TestImportRescreensEveryApplicant: an import re-screens applicants of any status, not only
// approved ones: one created while no list was loaded (never screened) gets a full screening and
// their accepted document is held; one screened clear against an older version who is not
// approved is raised when the new version adds them.
func TestImportRescreensEveryApplicant(t *testing.T) {
	t.Parallel()
	p := makePhotos(t)
	future := time.Now().AddDate(5, 0, 0).Format("2006-01-02")
	screeningEnv(t, func(t *testing.T, e *env, importList func(...match.Entry)) {
		apl, _, doc := e.apply(application{number: "P9000003", dob: "1956-11-19", expiry: future, holder: "COLLINS, Eileen", front: passportFront(t, "P9000003", "1956-11-19", future), selfie: p.selfie})
		before := e.settled(doc).str("status")
		if r := e.json("GET", "/v1/applicants/"+apl+"/screenings", e.testKey, ""); !strings.Contains(string(r.Raw), `"items":[]`) {
			t.Fatalf("screened with no list: %s", r.Raw)
		}

		importList(collins, petrov)
		sc := e.screenings(apl, 1)
		if sc["disposition"] != "potential-match" || sc["reason"] != "list-updated" || !e.hasEvent("screening-potential-match", sc["id"].(string)) {
			t.Fatalf("never-screened applicant after the import: %v", sc)
		}
		if before == "accepted" {
			if d := e.waitStatus("/v1/kyc-documents/"+doc, "pending-review"); !hasCheck(d, "sanctions-screening", true) {
				t.Fatalf("held document: %s", d.Raw)
			}
		} else if d := e.json("GET", "/v1/kyc-documents/"+doc, e.testKey, ""); d.str("status") == "accepted" {
			t.Fatalf("a document of a potential match is accepted: %s", d.Raw)
		}

		// Boris is unverified (no documents) and clear against this version.
		boris := e.newApplicant("Boris", "Ivanovich Kuznetsov", "1971-03-04")
		if sc := e.screenings(boris, 1); sc["disposition"] != "clear" {
			t.Fatalf("Boris before the list has him: %v", sc)
		}
		if s := e.status("/v1/applicants/" + boris); s == "approved" {
			t.Fatalf("Boris should not be approved: %s", s)
		}
		kuznetsov := match.Entry{List: "ofac-sdn", ID: "300", Type: "individual", Name: "KUZNETSOV, Boris Ivanovich"}
		importList(collins, petrov, kuznetsov)
		sc = e.screenings(boris, 2)
		if sc["disposition"] != "potential-match" || sc["reason"] != "list-updated" {
			t.Fatalf("unverified applicant after a new version adds him: %v", sc)
		}
		// Collins' open potential match is not raised twice.
		time.Sleep(200 * time.Millisecond)
		if r := e.json("GET", "/v1/applicants/"+apl+"/screenings", e.testKey, ""); len(r.JSON["items"].([]any)) != 1 {
			t.Fatalf("an open potential match raised again: %s", r.Raw)
		}
	})
}

// TestSnapshotAtStart: a kycd whose database holds no list imports its bundled snapshot (here
// fixture files, never the real lists) soon after start, without a network and without waiting
// for it before serving.
func TestSnapshotAtStart(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{}
	m := screening.Manifest{Date: time.Now().UTC().Truncate(time.Second), Files: map[string]screening.ManifestFile{}}
	for name, src := range map[string]string{"ofac-sdn/sdn.csv": "ofac/sdn.csv", "ofac-sdn/alt.csv": "ofac/alt.csv", "un/consolidated.xml": "un.xml"} {
		b, err := os.ReadFile(filepath.Join("..", "screening", "lists", "testdata", src))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		fsys[name] = &fstest.MapFile{Data: b}
		m.Files[name] = screening.ManifestFile{SHA256: hex.EncodeToString(sum[:])}
	}
	mb, _ := json.Marshal(m)
	fsys["manifest.json"] = &fstest.MapFile{Data: mb}
	e := newEnvWith(t, store.SQLite, func(c *app.Config) {
		c.Sanctions.CheckEvery = time.Millisecond
		c.Sanctions.Snapshot = fsys
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := e.json("GET", "/v1/sanctions-lists", e.testKey, "")
		if items, _ := r.JSON["items"].([]any); len(items) == 2 {
			if !strings.Contains(string(r.Raw), `"stale":false`) || !strings.Contains(string(r.Raw), `"source":"snapshot `) {
				t.Fatalf("snapshot lists: %s", r.Raw)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the snapshot was not imported: %s", r.Raw)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if r := e.json("POST", "/v1/screenings", e.testKey, `{"name":"John Quincy Smith"}`); r.Status != 200 {
		t.Fatalf("screening against the snapshot: %d %s", r.Status, r.Raw)
	}
}
