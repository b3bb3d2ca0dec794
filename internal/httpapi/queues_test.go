package httpapi_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"kycd/internal/kyc"
	"kycd/internal/store"
)

// listIDs pages through path (which carries its own filters) with limit=1 and returns the ids in
// the order served, validating every page against the served OpenAPI document.
func (e *env) listIDs(t *testing.T, validatePage func(path string, r resp), path, key string) []string {
	t.Helper()
	var ids []string
	cursor := ""
	for range 20 {
		p := path + "&limit=1"
		if cursor != "" {
			p += "&cursor=" + cursor
		}
		r := e.json("GET", p, key, "")
		validatePage(p, r)
		if r.Status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", p, r.Status, r.Raw)
		}
		items, _ := r.JSON["items"].([]any)
		if len(items) > 1 {
			t.Fatalf("GET %s: %d items, limit 1", p, len(items))
		}
		for _, it := range items {
			ids = append(ids, it.(map[string]any)["id"].(string))
		}
		if cursor = r.str("nextCursor"); cursor == "" {
			return ids
		}
	}
	t.Fatalf("GET %s: the pages never end", path)
	return nil
}

// TestQueuesListAcrossApplicants: GET /v1/kyc-requests, GET /v1/kyc-documents without
// applicantId and GET /v1/screenings filter, page across pages in both orders, show only the key's
// environment, and answer as the served OpenAPI document says.
func TestQueuesListAcrossApplicants(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		router := e.specRouter()
		check := func(path string, r resp) { validate(t, router, "GET", e.URL+path, "", r) }
		a, b := e.mustApplicant(e.testKey), e.mustApplicant(e.testKey)
		live := e.mustApplicant(e.liveKey)

		// Requests, made over the API; one abandoned.
		newRequest := func(key, apl, level string) string {
			docs := `{"type":"identity-proof"}`
			if level == "L2" {
				docs += `,{"type":"address-proof"},{"type":"funds-proof"}`
			}
			r := e.json("POST", "/v1/kyc-requests", key, `{"applicantId":"`+apl+`","level":"`+level+`","documents":[`+docs+`]}`)
			if r.Status != http.StatusCreated {
				t.Fatalf("create request: %d %s", r.Status, r.Raw)
			}
			return r.str("id")
		}
		r0, r1, r2 := newRequest(e.testKey, a, "L1"), newRequest(e.testKey, b, "L2"), newRequest(e.testKey, a, "L2")
		liveReq := newRequest(e.liveKey, live, "L2")
		if r := e.json("DELETE", "/v1/kyc-requests/"+r1, e.testKey, ""); r.Status != http.StatusOK {
			t.Fatalf("abandon: %d %s", r.Status, r.Raw)
		}

		// Documents and screenings in the states a queue holds, written to the store directly so
		// that no background check changes them under the test.
		files := map[string]string{a: e.mustFile(e.testKey, a), b: e.mustFile(e.testKey, b), live: e.mustFile(e.liveKey, live)}
		newDocument := func(en kyc.Env, apl, status string) string {
			d := kyc.Document{ID: kyc.NewID(kyc.PrefixDocument), Env: en, ApplicantID: apl, Type: "identity-proof", Subtype: "passport",
				FileIDs: []string{files[apl]}, Status: status}
			if err := e.App.Store.CreateDocument(ctx, &d, storeAudit(d.ID), nil); err != nil {
				t.Fatal(err)
			}
			return d.ID
		}
		d0, d1, d2 := newDocument(kyc.EnvTest, a, "pending-review"), newDocument(kyc.EnvTest, b, "accepted"), newDocument(kyc.EnvTest, b, "pending-review")
		newDocument(kyc.EnvLive, live, "pending-review")
		newScreening := func(en kyc.Env, apl, disposition string) string {
			sc := kyc.Screening{ID: kyc.NewID(kyc.PrefixScreening), Env: en, ApplicantID: apl, Reason: "manual", Disposition: disposition,
				Threshold: 0.9, Hits: []kyc.ScreeningHit{}, Lists: []kyc.SanctionsList{}}
			if err := e.App.Store.CreateScreening(ctx, &sc, storeAudit(sc.ID)); err != nil {
				t.Fatal(err)
			}
			return sc.ID
		}
		s0, s1 := newScreening(kyc.EnvTest, a, "potential-match"), newScreening(kyc.EnvTest, b, "confirmed")
		s2 := newScreening(kyc.EnvTest, b, "potential-match")
		liveScr := newScreening(kyc.EnvLive, live, "potential-match")

		cases := []struct {
			name, path, key string
			want            []string
		}{
			{"requests, newest first", "/v1/kyc-requests?", e.testKey, []string{r2, r1, r0}},
			{"requests, oldest first", "/v1/kyc-requests?order=asc", e.testKey, []string{r0, r1, r2}},
			{"requests by status", "/v1/kyc-requests?status=gathering", e.testKey, []string{r2, r0}},
			{"requests by level", "/v1/kyc-requests?level=L2", e.testKey, []string{r2, r1}},
			{"requests by applicant and level", "/v1/kyc-requests?applicantId=" + a + "&level=L2", e.testKey, []string{r2}},
			{"requests of an unknown level", "/v1/kyc-requests?level=EU-L9", e.testKey, nil},
			{"requests with a live key", "/v1/kyc-requests?", e.liveKey, []string{liveReq}},
			{"a live applicant's requests with a test key", "/v1/kyc-requests?applicantId=" + live, e.testKey, nil},
			{"documents in review, oldest first", "/v1/kyc-documents?status=pending-review&order=asc", e.testKey, []string{d0, d2}},
			{"documents in review, newest first", "/v1/kyc-documents?status=pending-review", e.testKey, []string{d2, d0}},
			{"documents across applicants", "/v1/kyc-documents?", e.testKey, []string{d2, d1, d0}},
			{"an applicant's documents, as before", "/v1/kyc-documents?applicantId=" + b, e.testKey, []string{d2, d1}},
			{"an applicant's accepted documents", "/v1/kyc-documents?applicantId=" + b + "&status=accepted", e.testKey, []string{d1}},
			{"open screening hits", "/v1/screenings?disposition=potential-match", e.testKey, []string{s2, s0}},
			{"open screening hits, oldest first", "/v1/screenings?disposition=potential-match&order=asc", e.testKey, []string{s0, s2}},
			{"one applicant's open hits", "/v1/screenings?disposition=potential-match&applicantId=" + b, e.testKey, []string{s2}},
			{"confirmed hits", "/v1/screenings?disposition=confirmed", e.testKey, []string{s1}},
			{"open hits with a live key", "/v1/screenings?disposition=potential-match", e.liveKey, []string{liveScr}},
		}
		for _, c := range cases {
			if got := e.listIDs(t, check, c.path, c.key); !slices.Equal(got, c.want) {
				t.Errorf("%s: %v, want %v", c.name, got, c.want)
			}
		}
	})
}

// TestQueuesRefuseBadFilters: a filter value that cannot match answers 422 problem+json naming the
// query parameter, as the served OpenAPI document says.
func TestQueuesRefuseBadFilters(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "sqlite")
	router := e.specRouter()
	cases := []struct{ path, field string }{
		{"/v1/kyc-requests?status=open", "query.status"},
		{"/v1/kyc-requests?applicantId=bob", "query.applicantId"},
		{"/v1/kyc-requests?level=L%201", "query.level"},
		{"/v1/kyc-requests?order=sideways", "query.order"},
		{"/v1/kyc-requests?cursor=garbage!", "query.cursor"},
		{"/v1/kyc-requests?limit=1000", "query.limit"},
		{"/v1/kyc-documents?status=waiting", "query.status"},
		{"/v1/kyc-documents?applicantId=doc_01J9Z3K6Q5W8C2B7X4N0M1R2S3", "query.applicantId"},
		{"/v1/kyc-documents?order=random", "query.order"},
		{"/v1/screenings?disposition=maybe", "query.disposition"},
		{"/v1/screenings?applicantId=x", "query.applicantId"},
		{"/v1/screenings?order=ASC", "query.order"},
	}
	for _, c := range cases {
		r := e.json("GET", c.path, e.testKey, "")
		if r.Status != http.StatusUnprocessableEntity || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") ||
			!slices.Contains(r.errorFields(), c.field) {
			t.Errorf("GET %s: %d %s %s, want 422 problem+json naming %s", c.path, r.Status, r.Header.Get("Content-Type"), r.Raw, c.field)
		}
		validate(t, router, "GET", e.URL+c.path, "", r)
	}
}

// TestQueueFiltersAreTheDomainLists: the served OpenAPI document offers exactly kyc's statuses and
// dispositions as filter values, so the filters cannot drift from the domain.
func TestQueueFiltersAreTheDomainLists(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "sqlite")
	spec := e.do("GET", "/v1/openapi.json", "", nil)
	paths, _ := spec.JSON["paths"].(map[string]any)
	enum := func(path, param string) []string {
		get, _ := paths[path].(map[string]any)["get"].(map[string]any)
		params, _ := get["parameters"].([]any)
		for _, p := range params {
			pm := p.(map[string]any)
			if pm["name"] == param {
				var out []string
				for _, v := range pm["schema"].(map[string]any)["enum"].([]any) {
					out = append(out, v.(string))
				}
				return out
			}
		}
		t.Fatalf("GET %s has no parameter %s", path, param)
		return nil
	}
	for _, c := range []struct {
		path, param string
		want        []string
	}{
		{"/v1/kyc-requests", "status", kyc.RequestStatuses},
		{"/v1/kyc-documents", "status", kyc.DocumentStatuses},
		{"/v1/screenings", "disposition", kyc.ScreeningDispositions},
		{"/v1/kyc-requests", "order", []string{"desc", "asc"}},
	} {
		if got := enum(c.path, c.param); !slices.Equal(got, c.want) {
			t.Errorf("GET %s %s: enum %v, want %v", c.path, c.param, got, c.want)
		}
	}
}

func storeAudit(id string) store.Effects {
	return store.Effects{Audit: kyc.AuditEntry{Actor: "key_test", Action: "test.create", ResourceType: "test", ResourceID: id}}
}
