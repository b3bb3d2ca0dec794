package httpapi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"kycd/internal/app"
	"kycd/internal/level"
	"kycd/internal/screening"
	"kycd/internal/screening/match"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// screeningEnv is a kycd whose replicas look for new list versions at every use, with an importer
// beside it (as `kycd lists import` is a separate process).
func screeningEnv(t *testing.T, fn func(t *testing.T, e *env, importList func(entries ...match.Entry))) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnvWith(t, d, func(c *app.Config) { c.Sanctions.CheckEvery = time.Millisecond })
			importer := screening.NewService(e.App.Store, screening.NewLists(e.App.Store, 0), 0, level.Defaults())
			n := 0
			fn(t, e, func(entries ...match.Entry) {
				t.Helper()
				n++
				if _, _, err := importer.Import(context.Background(), "ofac-sdn", "test", entries, [][]byte{[]byte(fmt.Sprint("version ", n))}, false); err != nil {
					t.Fatal(err)
				}
			})
		})
	}
}

var (
	collins = match.Entry{List: "ofac-sdn", ID: "100", Type: "individual", Name: "COLLINS, Eileen Marie", DatesOfBirth: []string{"1956-11-19"}}
	petrov  = match.Entry{List: "ofac-sdn", ID: "200", Type: "individual", Name: "PETROV, Ivan Sergeyevich"}
)

// screenings waits until the applicant has n screenings and returns the newest.
func (e *env) screenings(apl string, n int) map[string]any {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := e.json("GET", "/v1/applicants/"+apl+"/screenings", e.testKey, "")
		items, _ := r.JSON["items"].([]any)
		if r.Status == 200 && len(items) >= n {
			return items[0].(map[string]any)
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("applicant %s: want %d screenings: %d %s", apl, n, r.Status, r.Raw)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (e *env) newApplicant(first, last, dob string) string {
	e.t.Helper()
	r := e.json("POST", "/v1/applicants", e.testKey, `{"profile":{"firstName":"`+first+`","lastName":"`+last+`","dateOfBirth":"`+dob+`","nationality":"US",
		"countryOfResidence":"US","gender":"female"},"addresses":[{"type":"residential","city":"Houston","country":"US"}]}`)
	if r.Status != 201 {
		e.t.Fatalf("applicant: %d %s", r.Status, r.Raw)
	}
	return r.str("id")
}

func (e *env) hasEvent(typ, resourceID string) bool {
	e.t.Helper()
	r := e.json("GET", "/v1/events?type="+typ+"&resourceId="+resourceID, e.testKey, "")
	items, _ := r.JSON["items"].([]any)
	return len(items) > 0
}

func hasCheck(d resp, name string, failed bool) bool {
	cl, _ := d.JSON["checkList"].([]any)
	for _, c := range cl {
		m := c.(map[string]any)
		if m["name"] == name && m["failed"] == failed {
			return true
		}
	}
	return false
}

// TestScreeningReviewFlow: a name on the list is a potential match, its document waits for
// review, an event says so, and a reviewer's confirmation rejects decisively.
func TestScreeningReviewFlow(t *testing.T) {
	t.Parallel()
	p := makePhotos(t)
	future := time.Now().AddDate(5, 0, 0).Format("2006-01-02")
	screeningEnv(t, func(t *testing.T, e *env, importList func(...match.Entry)) {
		importList(collins, petrov)
		lists := e.json("GET", "/v1/sanctions-lists", e.testKey, "")
		if items, _ := lists.JSON["items"].([]any); len(items) != 1 || items[0].(map[string]any)["entryCount"] != 2.0 {
			t.Fatalf("sanctions-lists: %s", lists.Raw)
		}
		r := e.json("POST", "/v1/screenings", e.testKey, `{"name":"Eileen Collins","dateOfBirth":"1956-11-19"}`)
		if hits, _ := r.JSON["hits"].([]any); r.Status != 200 || len(hits) != 1 || hits[0].(map[string]any)["entryId"] != "100" ||
			!strings.Contains(string(r.Raw), `"matchedName":"COLLINS, Eileen Marie"`) {
			t.Fatalf("screen: %d %s", r.Status, r.Raw)
		}
		if r := e.json("POST", "/v1/screenings", e.testKey, `{"name":"Eileen Bush"}`); !strings.Contains(string(r.Raw), `"hits":[]`) {
			t.Fatalf("a shared first name alone matched: %s", r.Raw)
		}
		if r := e.json("POST", "/v1/screenings", e.testKey, `{"name":""}`); r.Status != 422 {
			t.Fatalf("empty name: %d %s", r.Status, r.Raw)
		}

		apl := e.newApplicant("Eileen", "Collins", "1956-11-19")
		sc := e.screenings(apl, 1)
		if sc["disposition"] != "potential-match" || sc["reason"] != "applicant-created" || len(sc["lists"].([]any)) != 1 ||
			sc["lists"].([]any)[0].(map[string]any)["version"] == "" {
			t.Fatalf("screening: %v", sc)
		}
		scID := sc["id"].(string)
		if !e.hasEvent("screening-potential-match", scID) {
			t.Fatal("no screening-potential-match event")
		}
		_, _, doc := e.apply(application{applicantID: apl, number: "P9000001", expiry: future, holder: "COLLINS, Eileen", front: passportFront(t, "P9000001", "1956-11-19", future), selfie: p.selfie})
		d := e.settled(doc)
		if d.str("status") != "pending-review" || !hasCheck(d, "sanctions-screening", true) {
			t.Fatalf("document of a potential match: %s", d.Raw)
		}

		if r := e.json("POST", "/v1/screenings/"+scID+"/review", e.testKey, `{"disposition":"maybe"}`); r.Status != 422 {
			t.Fatalf("bad disposition: %d %s", r.Status, r.Raw)
		}
		r = e.json("POST", "/v1/screenings/"+scID+"/review", e.testKey, `{"disposition":"confirmed","notes":"same DOB and passport"}`)
		if r.Status != 200 || r.str("disposition") != "confirmed" {
			t.Fatalf("confirm: %d %s", r.Status, r.Raw)
		}
		if r := e.json("POST", "/v1/screenings/"+scID+"/review", e.testKey, `{"disposition":"false-positive"}`); r.Status != 409 {
			t.Fatalf("second review: %d %s", r.Status, r.Raw)
		}
		if d := e.json("GET", "/v1/kyc-documents/"+doc, e.testKey, ""); d.str("status") != "rejected" {
			t.Fatalf("document after confirmation: %s", d.Raw)
		}
		if s := e.status("/v1/applicants/" + apl); s != "rejected" {
			t.Fatalf("applicant after confirmation: %s", s)
		}
		if !e.hasEvent("screening-reviewed", scID) {
			t.Fatal("no screening-reviewed event")
		}
		if r := e.json("GET", "/v1/applicants/"+apl+"/screenings", e.liveKey, ""); r.Status != 404 {
			t.Fatalf("a live key sees a test applicant's screenings: %d", r.Status)
		}
	})
}

// TestScreeningFalsePositiveAndMonitoring: a false positive is remembered until its entry
// changes; an import with a new entry matching an approved applicant raises a review case and an
// event without anyone touching the applicant.
func TestScreeningFalsePositiveAndMonitoring(t *testing.T) {
	t.Parallel()
	p := makePhotos(t)
	future := time.Now().AddDate(5, 0, 0).Format("2006-01-02")
	screeningEnv(t, func(t *testing.T, e *env, importList func(...match.Entry)) {
		importList(petrov)

		// False positive, remembered for this applicant and entry.
		ivan := e.newApplicant("Ivan", "Petrov", "1990-01-01")
		sc := e.screenings(ivan, 1)
		if sc["disposition"] != "potential-match" {
			t.Fatalf("Ivan Petrov: %v", sc)
		}
		r := e.json("POST", "/v1/screenings/"+sc["id"].(string)+"/review", e.testKey, `{"disposition":"false-positive","notes":"other person"}`)
		if r.Status != 200 || r.str("disposition") != "false-positive" {
			t.Fatalf("false-positive: %d %s", r.Status, r.Raw)
		}
		if r := e.json("PATCH", "/v1/applicants/"+ivan, e.testKey, `{"profile":{"dateOfBirth":"1990-01-02"}}`); r.Status != 200 {
			t.Fatalf("patch: %d %s", r.Status, r.Raw)
		}
		if sc := e.screenings(ivan, 2); sc["disposition"] != "clear" || sc["reason"] != "applicant-updated" {
			t.Fatalf("after a false positive, the same hit came back: %v", sc)
		}
		if r := e.json("PATCH", "/v1/applicants/"+ivan, e.testKey, `{"email":"ivan@example.com"}`); r.Status != 200 {
			t.Fatalf("patch: %d", r.Status)
		}

		// Monitoring: Eileen Collins is approved; then a list version adds her.
		apl, _, doc := e.apply(application{number: "P9000002", dob: "1956-11-19", expiry: future, holder: "COLLINS, Eileen", front: passportFront(t, "P9000002", "1956-11-19", future), selfie: p.selfie})
		if d := e.settled(doc); d.str("status") != "accepted" {
			t.Fatalf("clean application: %s", d.Raw)
		}
		e.waitStatus("/v1/applicants/"+apl, "approved")
		if sc := e.screenings(apl, 1); sc["disposition"] != "clear" {
			t.Fatalf("Collins before the list has her: %v", sc)
		}
		changed := petrov
		changed.Aliases = []string{"PETROV, Vanya"}
		importList(changed, collins)
		sc = e.screenings(apl, 2)
		if sc["disposition"] != "potential-match" || sc["reason"] != "list-updated" || !e.hasEvent("screening-potential-match", sc["id"].(string)) {
			t.Fatalf("monitoring: %v", sc)
		}
		if d := e.waitStatus("/v1/kyc-documents/"+doc, "pending-review"); !hasCheck(d, "sanctions-screening", true) {
			t.Fatalf("held document: %s", d.Raw)
		}
		e.waitStatus("/v1/applicants/"+apl, "pending-review")

		// The false positive's entry changed: the hit is raised again at the next screening.
		if r := e.json("PATCH", "/v1/applicants/"+ivan, e.testKey, `{"profile":{"nationality":"RU"}}`); r.Status != 200 {
			t.Fatalf("patch: %d", r.Status)
		}
		if sc := e.screenings(ivan, 3); sc["disposition"] != "potential-match" {
			t.Fatalf("a changed entry did not come back: %v", sc)
		}

		// A false positive on the monitoring hit releases the held document.
		r = e.json("POST", "/v1/screenings/"+e.screenings(apl, 2)["id"].(string)+"/review", e.testKey, `{"disposition":"false-positive"}`)
		if r.Status != 200 {
			t.Fatalf("release: %d %s", r.Status, r.Raw)
		}
		e.waitStatus("/v1/kyc-documents/"+doc, "accepted")
		e.waitStatus("/v1/applicants/"+apl, "approved")
	})
}

// TestScreeningResponsesMatchServedOpenAPI validates the screening endpoints' answers against the
// served OpenAPI document.
func TestScreeningResponsesMatchServedOpenAPI(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, store.SQLite, func(c *app.Config) { c.Sanctions.CheckEvery = time.Millisecond })
	router := e.specRouter()
	check := func(method, path, body string) resp {
		t.Helper()
		r := e.json(method, path, e.testKey, body)
		validate(t, router, method, e.URL+path, body, r)
		return r
	}
	check("GET", "/v1/sanctions-lists", "")
	if r := check("POST", "/v1/screenings", `{"name":"Eileen Collins"}`); r.Status != 503 {
		t.Fatalf("screening with no list loaded: %d %s", r.Status, r.Raw)
	}
	importer := screening.NewService(e.App.Store, screening.NewLists(e.App.Store, 0), 0, level.Defaults())
	if _, _, err := importer.Import(context.Background(), "ofac-sdn", "test", []match.Entry{collins}, [][]byte{[]byte("v1")}, false); err != nil {
		t.Fatal(err)
	}
	check("GET", "/v1/sanctions-lists", "")
	check("POST", "/v1/screenings", `{"name":"Eileen Collins","dateOfBirth":"1956","country":"US","type":"individual","minScore":0.5,"limit":5}`)
	check("POST", "/v1/screenings", `{"name":"Eileen Collins","type":"vessel"}`)
	apl := e.newApplicant("Eileen", "Collins", "1956-11-19")
	sc := e.screenings(apl, 1)
	check("GET", "/v1/applicants/"+apl+"/screenings", "")
	check("GET", "/v1/applicants/apl_01J9Z3K6Q5W8C2B7X4N0M1R2S3/screenings", "")
	if r := check("GET", "/v1/screenings/"+sc["id"].(string), ""); r.Status != 200 || r.str("id") != sc["id"] {
		t.Fatalf("get screening: %d %s", r.Status, r.Raw)
	}
	if r := check("GET", "/v1/screenings/scr_01J9Z3K6Q5W8C2B7X4N0M1R2S3", ""); r.Status != 404 {
		t.Fatalf("get a missing screening: %d %s", r.Status, r.Raw)
	}
	check("POST", "/v1/screenings/"+sc["id"].(string)+"/review", `{"disposition":"false-positive"}`)
	check("POST", "/v1/screenings/"+sc["id"].(string)+"/review", `{"disposition":"confirmed"}`)
	check("POST", "/v1/screenings/scr_01J9Z3K6Q5W8C2B7X4N0M1R2S3/review", `{"disposition":"confirmed"}`)
}
