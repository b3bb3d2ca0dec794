package httpapi_test

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"kycd/internal/face/facetest"
)

// TestLivenessRequiredAPISelfie: when the request asks for faceLivenessRequired, a selfie uploaded
// through the API (no liveness challenge behind it) is not accepted, even when it is the document
// holder's face: the document waits for a person, check liveness failed with its reason and
// parsedData.liveness not passed, while face-match still compares the faces. On both databases.
func TestLivenessRequiredAPISelfie(t *testing.T) {
	t.Parallel()
	future := time.Now().AddDate(5, 0, 0).Format("2006-01-02")
	her := facetest.Face("sample6-2")
	selfie := facetest.JPEG(facetest.Selfie(facetest.Mirror(her), rand.New(rand.NewPCG(13, 1))))
	page := holderPassport(t, "DOE", "JANE", "P3300001", "1990-04-12", future, headShot(her))
	forEachDB(t, func(t *testing.T, e *env) {
		r := e.json("POST", "/v1/applicants", e.testKey, `{"profile":{"firstName":"Jane","lastName":"Doe","dateOfBirth":"1990-04-12","nationality":"US",
			"countryOfResidence":"US","gender":"female"},"addresses":[{"type":"residential","city":"Houston","country":"US"}]}`)
		if r.Status != 201 {
			t.Fatalf("applicant: %d %s", r.Status, r.Raw)
		}
		apl := r.str("id")
		r = e.json("POST", "/v1/kyc-requests", e.testKey, `{"applicantId":"`+apl+`","level":"L1","documents":[{"type":"identity-proof","subtypes":["passport"],"maxAttempts":3,"faceLivenessRequired":true}]}`)
		if r.Status != 201 {
			t.Fatalf("request: %d %s", r.Status, r.Raw)
		}
		req := r.str("id")
		_, _, doc := e.apply(application{first: "Jane", last: "Doe", dob: "1990-04-12", number: "P3300001", expiry: future, holder: "DOE, Jane",
			front: page, selfie: selfie, applicantID: apl, requestID: req})
		d := e.settled(doc)
		parsed, _ := d.JSON["parsedData"].(map[string]any)
		live, _ := parsed["liveness"].(map[string]any)
		fm, _ := parsed["faceMatch"].(map[string]any)
		if d.str("status") != "pending-review" || !slices.Equal(failedChecks(d), []string{"liveness"}) || live["passed"] != false || fm["matched"] != true {
			t.Fatalf("API selfie with liveness required: %s, failed %v, liveness %v, faceMatch %v\n%s", d.str("status"), failedChecks(d), live, fm, d.Raw)
		}
		checks, _ := live["checks"].([]any)
		if len(checks) != 1 || checks[0].(map[string]any)["detail"] != "the selfie was not taken through a liveness challenge" {
			t.Fatalf("liveness checks: %v", live)
		}
		if s := e.status("/v1/kyc-requests/" + req); s != "pending-review" {
			t.Fatalf("request: %s", s)
		}
	})
}
