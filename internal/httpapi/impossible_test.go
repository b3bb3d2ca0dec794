package httpapi_test

import (
	"strings"
	"testing"
	"time"
)

// TestImpossibleIdentifiersAreNotAccepted: on both databases, over HTTP, an otherwise clean L1
// application is not accepted when it carries an identifier that cannot exist. An SSN in the
// never-issued area 666 costs only its 20 points (score 80, the accept threshold) yet holds the
// document for review; a document number with a character no document prints rejects it.
func TestImpossibleIdentifiersAreNotAccepted(t *testing.T) {
	t.Parallel()
	p := makePhotos(t)
	future := time.Now().AddDate(5, 0, 0).Format("2006-01-02")
	forEachDB(t, func(t *testing.T, e *env) {
		r := e.json("POST", "/v1/applicants", e.testKey, `{"profile":{"firstName":"Eileen","lastName":"Collins","dateOfBirth":"1956-11-19","nationality":"US",
			"countryOfResidence":"US","gender":"female","ssn":"666-12-3456"},"addresses":[{"type":"residential","city":"Houston","country":"US"}]}`)
		if r.Status != 201 {
			t.Fatalf("applicant: %d %s", r.Status, r.Raw)
		}
		_, req, doc := e.apply(application{applicantID: r.str("id"), number: "P6000001", expiry: future, holder: "Eileen Collins", front: passportFront(t, "P6000001", "1956-11-19", future), selfie: p.selfie})
		d := e.settled(doc)
		if d.str("status") != "pending-review" || strings.Join(failedChecks(d), " ") != "ssn-valid" || d.JSON["score"].(float64) != 80 {
			t.Fatalf("SSN 666-12-3456: %s, score %v, failed %v; want pending-review at 80 with only ssn-valid failed\n%s",
				d.str("status"), d.JSON["score"], failedChecks(d), d.Raw)
		}
		if s := e.status("/v1/kyc-requests/" + req); s != "pending-review" {
			t.Fatalf("request of a document held for review: %s", s)
		}

		_, _, doc = e.apply(application{dob: "1956-11-19", number: "P60#0002", expiry: future, holder: "Eileen Collins", front: p.otherFront, selfie: p.otherSelfie})
		d = e.settled(doc)
		reason, _ := d.JSON["rejectionReason"].(map[string]any)
		if d.str("status") != "rejected" || reason["type"] != "document-invalid" || d.JSON["decision"].(map[string]any)["decisive"] != "document-number-plausible" {
			t.Fatalf("document number P60#0002: %s, failed %v\n%s", d.str("status"), failedChecks(d), d.Raw)
		}
	})
}
