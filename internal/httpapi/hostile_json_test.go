package httpapi_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"kycd/internal/kyc"
	"kycd/internal/store/storetest"
)

// TestHostileJSONIsRefused is issue 11's finding 7 over the real HTTP stack on each database: JSON
// and parameters that encoding/json and the stores used to take (invalid UTF-8 turned into U+FFFD,
// NUL stored on SQLite and a 500 on PostgreSQL, duplicate names where the last won, FIRSTNAME
// filling firstName, bidirectional overrides in names) are each refused with a 4xx naming the
// field, and nothing is stored.
func TestHostileJSONIsRefused(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			apl := e.mustApplicant(e.testKey)
			fil := e.mustFile(e.testKey, apl)
			png := "data:image/png;base64," + b64(testdata(t, "astronaut.png"))

			cases := []struct {
				name, method, path, body string
				headers                  []string
				field                    string // a location of errors[]
			}{
				{name: "invalid UTF-8", method: "POST", path: "/v1/applicants", body: "{\"profile\":{\"firstName\":\"Ann\xe9\"}}", field: "body.profile.firstName"},
				{name: "invalid UTF-8 in a name", method: "POST", path: "/v1/applicants", body: "{\"profile\":{\"first\xffName\":\"Anna\"}}", field: "body.profile"},
				{name: "NUL in externalId", method: "POST", path: "/v1/applicants", body: `{"externalId":"u\u0000-1"}`, field: "body.externalId"},
				{name: "escape sequence in a name", method: "POST", path: "/v1/applicants", body: `{"profile":{"lastName":"\u001b[2J"}}`, field: "body.profile.lastName"},
				{name: "newline in externalId", method: "POST", path: "/v1/applicants", body: `{"externalId":"u-1\nu-2"}`, field: "body.externalId"},
				{name: "duplicate name", method: "POST", path: "/v1/applicants", body: `{"profile":{"firstName":"Anna","firstName":"Mallory"}}`, field: "body.profile.firstName"},
				{name: "duplicate top name", method: "POST", path: "/v1/applicants", body: `{"externalId":"a","externalId":"b"}`, field: "body.externalId"},
				{name: "case-folded name", method: "POST", path: "/v1/applicants", body: `{"profile":{"FIRSTNAME":"Mallory"}}`, field: "body.profile.FIRSTNAME"},
				{name: "right-to-left override in a name", method: "POST", path: "/v1/applicants", body: `{"profile":{"firstName":"Anna\u202egpj.exe"}}`, field: "body.profile.firstName"},
				{name: "isolate in an address", method: "POST", path: "/v1/applicants", body: `{"addresses":[{"city":"Ban\u2066gkok"}]}`, field: "body.addresses[0].city"},
				{name: "patch with NUL", method: "PATCH", path: "/v1/applicants/" + apl, body: `{"externalId":"\u0000"}`, field: "body.externalId"},
				{name: "patch with a duplicate", method: "PATCH", path: "/v1/applicants/" + apl, body: `{"email":"a@example.com","email":"b@example.com"}`, field: "body.email"},
				{name: "patch with a case-folded name", method: "PATCH", path: "/v1/applicants/" + apl, body: `{"profile":{"LastName":"Mallory"}}`, field: "body.profile.LastName"},
				{name: "patch with invalid UTF-8", method: "PATCH", path: "/v1/applicants/" + apl, body: "{\"profile\":{\"lastName\":\"\xc3\x28\"}}", field: "body.profile.lastName"},
				{name: "patch with a bidi override", method: "PATCH", path: "/v1/applicants/" + apl, body: `{"profile":{"lastName":"\u202dX"}}`, field: "body.profile.lastName"},
				{name: "document holder with an override", method: "POST", path: "/v1/kyc-documents", body: `{"applicantId":"` + apl + `","type":"identity-proof","subtype":"passport","fileIds":["` + fil + `"],"identification":{"holderName":"A\u202eB"}}`, field: "body.identification.holderName"},
				{name: "document with NUL", method: "POST", path: "/v1/kyc-documents", body: `{"applicantId":"` + apl + `","type":"identity-proof","fileIds":["` + fil + `"],"identification":{"number":"X\u0000"}}`, field: "body.identification.number"},
				{name: "webhook description with NUL", method: "POST", path: "/v1/webhooks", body: `{"url":"http://127.0.0.1:9/h","events":["` + kyc.EventApplicantCreated + `"],"description":"a\u0000b"}`, field: "body.description"},
				{name: "screening name with an override", method: "POST", path: "/v1/screenings", body: `{"name":"Osama\u202e"}`, field: "body.name"},
				{name: "file upload JSON with a duplicate", method: "POST", path: "/v1/files", body: `{"applicantId":"` + apl + `","applicantId":"` + apl + `","tag":"other","data":"` + png + `"}`, field: "body.applicantId"},
				{name: "file upload JSON with a case-folded name", method: "POST", path: "/v1/files", body: `{"APPLICANTID":"` + apl + `","tag":"other","data":"` + png + `"}`, field: "body.APPLICANTID"},
				{name: "NUL in a filter", method: "GET", path: "/v1/applicants?externalId=u%00", field: "query.externalId"},
				{name: "invalid UTF-8 in a filter", method: "GET", path: "/v1/kyc-documents?applicantId=%ff", field: "query.applicantId"},
				{name: "NUL in resourceId", method: "GET", path: "/v1/events?resourceId=" + apl + "%00", field: "query.resourceId"},
				{name: "NUL in a path id", method: "GET", path: "/v1/applicants/apl_%00", field: "path"},
				{name: "invalid UTF-8 in an Idempotency-Key", method: "POST", path: "/v1/applicants", body: `{}`, headers: []string{"Idempotency-Key", "k\xff"}, field: "header.Idempotency-Key"},
			}
			for _, c := range cases {
				before := e.stored()
				r := e.json(c.method, c.path, e.testKey, c.body, c.headers...)
				if r.Status != http.StatusBadRequest && r.Status != http.StatusUnprocessableEntity {
					t.Errorf("%s: status %d, want 400 or 422: %s", c.name, r.Status, r.Raw)
					continue
				}
				if !slices.Contains(r.errorFields(), c.field) {
					t.Errorf("%s: errors name %v, want %s: %s", c.name, r.errorFields(), c.field, r.Raw)
				}
				if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
					t.Errorf("%s: content type %q", c.name, r.Header.Get("Content-Type"))
				}
				if after := e.stored(); after != before {
					t.Errorf("%s: something was stored: %s -> %s", c.name, before, after)
				}
			}

			// What is refused above is refused for what it holds, not for being unusual: the same
			// bodies without the hostile part are accepted, and U+FFFD sent as itself is kept.
			ok := e.json("POST", "/v1/applicants", e.testKey, `{"externalId":"u-1","profile":{"firstName":"Anna \ufffd","lastName":"\u05db\u05d4\u05df"},"addresses":[{"city":"Bangkok"}]}`)
			if ok.Status != http.StatusCreated {
				t.Fatalf("a clean applicant: %d %s", ok.Status, ok.Raw)
			}
			if got := e.json("GET", "/v1/applicants?externalId=u-1", e.testKey, ""); got.Status != http.StatusOK || !strings.Contains(string(got.Raw), ok.str("id")) {
				t.Fatalf("filter by a clean externalId: %d %s", got.Status, got.Raw)
			}
		})
	}
}
