package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"kycd/internal/store"
)

// TestResponsesMatchServedOpenAPI sends real requests and validates every answer (status, headers
// and body) against the OpenAPI document that the server itself serves, so the spec cannot drift
// from the code.
func TestResponsesMatchServedOpenAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.SQLite)
	router := e.specRouter()

	// The validator must be able to fail: a wrong body for GET applicant is refused.
	bogus := resp{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Raw: []byte(`{"id":42,"status":"flying"}`)}
	if validateErr(router, "GET", e.URL+"/v1/applicants/apl_01J9Z3K6Q5W8C2B7X4N0M1R2S3", "", bogus) == nil {
		t.Fatal("a response that breaks the spec passed validation: the check proves nothing")
	}

	apl := e.mustApplicant(e.testKey)
	fil := e.mustFile(e.testKey, apl)
	passport := e.upload(e.testKey, apl, "id-front", passportFront(t, "P8200001", "1956-11-19", "2031-01-01")).str("id")
	cat := e.upload(e.testKey, apl, "other", testdata(t, "chelsea.png")).str("id")
	compare := func(source, target string) string {
		return `{"sourceFileId":"` + source + `","targetFileId":"` + target + `"}`
	}
	calls := []struct{ method, path, body string }{
		{"POST", "/v1/applicants", `{"externalId":"spec-1","email":"a@example.com","profile":{"firstName":"A","dateOfBirth":"1990-01-01","phone":{"countryCode":"1","number":"2025550123"}},"addresses":[{"country":"US"}]}`},
		{"POST", "/v1/applicants", `{"email":"nope"}`},
		{"GET", "/v1/applicants/" + apl, ""},
		{"GET", "/v1/applicants/apl_01J9Z3K6Q5W8C2B7X4N0M1R2S3", ""},
		{"GET", "/v1/applicants?limit=1", ""},
		{"PATCH", "/v1/applicants/" + apl, `{"profile":{"lastName":"B"}}`},
		{"POST", "/v1/applicants/" + apl + "/tokens", `{}`},
		{"GET", "/v1/files/" + fil, ""},
		{"POST", "/v1/files/" + fil + "/reading", ""},
		{"POST", "/v1/files/" + passport + "/reading", ""},
		{"POST", "/v1/files/fil_01J9Z3K6Q5W8C2B7X4N0M1R2S3/reading", ""},
		{"POST", "/v1/face-comparisons", compare(fil, passport)},
		{"POST", "/v1/face-comparisons", compare(fil, "fil_01J9Z3K6Q5W8C2B7X4N0M1R2S3")},
		{"POST", "/v1/face-comparisons", compare(fil, cat)},
		{"POST", "/v1/face-comparisons", `{"sourceFileId":"` + fil + `"}`},
		{"POST", "/v1/kyc-requests", `{"applicantId":"` + apl + `","documents":[{"type":"identity-proof"}]}`},
		{"POST", "/v1/kyc-documents", `{"applicantId":"` + apl + `","type":"identity-proof","fileIds":["` + fil + `"],"identification":{"number":"X1","expiryDate":"2030-01-01"}}`},
		{"GET", "/v1/kyc-documents?applicantId=" + apl, ""},
	}
	for _, c := range calls {
		var body io.Reader
		if c.body != "" {
			body = strings.NewReader(c.body)
		}
		r := e.do(c.method, c.path, e.testKey, body)
		validate(t, router, c.method, e.URL+c.path, c.body, r)
	}
	// The documents just created: get, reject, accept, archive, and a request's get/patch/delete.
	docs := e.json("GET", "/v1/kyc-documents?applicantId="+apl, e.testKey, "")
	docID := docs.JSON["items"].([]any)[0].(map[string]any)["id"].(string)
	reqs := e.json("POST", "/v1/kyc-requests", e.testKey, `{"applicantId":"`+apl+`","level":"L0","documents":[{"type":"address-proof"}]}`)
	reqID := reqs.str("id")
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/v1/kyc-documents/" + docID, ""},
		{"POST", "/v1/kyc-documents/" + docID + "/rejection", `{"type":"document-unreadable"}`},
		{"POST", "/v1/kyc-documents/" + docID + "/acceptance", ""},
		{"GET", "/v1/kyc-requests/" + reqID, ""},
		{"PATCH", "/v1/kyc-requests/" + reqID, `{"reason":"x"}`},
		{"DELETE", "/v1/kyc-requests/" + reqID, ""},
		{"DELETE", "/v1/kyc-requests/" + reqID, ""},
		{"DELETE", "/v1/kyc-documents/" + docID, ""},
		{"DELETE", "/v1/kyc-documents/" + docID, ""},
		{"DELETE", "/v1/kyc-documents/doc_01J9Z3K6Q5W8C2B7X4N0M1R2S3", ""},
	} {
		var body io.Reader
		if c.body != "" {
			body = strings.NewReader(c.body)
		}
		validate(t, router, c.method, e.URL+c.path, c.body, e.do(c.method, c.path, e.testKey, body))
	}
}

// specRouter loads the OpenAPI document the server serves (it must be OpenAPI 3.1.0) and routes
// requests to its operations, for validate.
func (e *env) specRouter() routers.Router {
	e.t.Helper()
	spec := e.do("GET", "/v1/openapi.json", "", nil)
	if spec.Status != 200 || spec.str("openapi") != "3.1.0" {
		e.t.Fatalf("spec: %d %.200s", spec.Status, spec.Raw)
	}
	doc, err := openapi3.NewLoader().LoadFromData(spec.Raw)
	if err != nil {
		e.t.Fatalf("load spec: %v", err)
	}
	doc.Servers = openapi3.Servers{{URL: e.URL}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		e.t.Fatalf("router: %v", err)
	}
	return router
}

func validate(t *testing.T, router routers.Router, method, url, body string, r resp) {
	t.Helper()
	if err := validateErr(router, method, url, body, r); err != nil {
		t.Errorf("%s %s -> %d does not match the spec: %v\n%s", method, url, r.Status, err, r.Raw)
	}
}

func validateErr(router routers.Router, method, url, body string, r resp) error {
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	route, params, err := router.FindRoute(req)
	if err != nil {
		return fmt.Errorf("no route in the spec: %w", err)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: r.Status, Header: r.Header,
		Body: io.NopCloser(bytes.NewReader(r.Raw)), Options: &openapi3filter.Options{IncludeResponseStatus: true}}
	return openapi3filter.ValidateResponse(context.Background(), out)
}
