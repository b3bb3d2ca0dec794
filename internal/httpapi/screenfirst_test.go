package httpapi_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/mrz/mrztest"
	"kycd/internal/screening/match"
	"kycd/internal/store"
)

// TestNoDecisionWithoutScreening: an identity document is decided only after its applicant was
// screened against the lists loaded at that moment, in the same job.
func TestNoDecisionWithoutScreening(t *testing.T) {
	t.Parallel()
	p := makePhotos(t)
	future := time.Now().AddDate(5, 0, 0).Format("2006-01-02")
	screeningEnv(t, func(t *testing.T, e *env, importList func(...match.Entry)) {
		applicant := func(key string) string {
			r := e.json("POST", "/v1/applicants", key, `{"profile":{"firstName":"Eileen","lastName":"Collins","dateOfBirth":"1956-11-19","nationality":"US",
				"countryOfResidence":"US","gender":"female"},"addresses":[{"type":"residential","city":"Houston","country":"US"}]}`)
			if r.Status != 201 {
				t.Fatalf("applicant: %d %s", r.Status, r.Raw)
			}
			return r.str("id")
		}
		// apply sends an L1 identity document and waits for its decision.
		apply := func(key, apl, number, holder string, page []byte) resp {
			t.Helper()
			r := e.json("POST", "/v1/kyc-requests", key, `{"applicantId":"`+apl+`","documents":[{"type":"identity-proof","subtypes":["passport"],"faceProofRequired":true}]}`)
			if r.Status != 201 {
				t.Fatalf("request: %d %s", r.Status, r.Raw)
			}
			req := r.str("id")
			front, selfie := e.upload(key, apl, "id-front", page), e.upload(key, apl, "face-proof", p.selfie)
			body, _ := json.Marshal(map[string]any{"applicantId": apl, "requestId": req, "type": "identity-proof", "subtype": "passport",
				"fileIds":        []string{front.str("id"), selfie.str("id")},
				"identification": map[string]string{"number": number, "issuingCountry": "US", "issueDate": "2020-01-15", "expiryDate": future, "holderName": holder}})
			r = e.json("POST", "/v1/kyc-documents", key, string(body))
			if r.Status != 201 {
				t.Fatalf("document: %d %s", r.Status, r.Raw)
			}
			doc := r.str("id")
			for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
				d := e.json("GET", "/v1/kyc-documents/"+doc, key, "")
				if s := d.str("status"); s != "pending" && s != "in-progress" {
					return d
				}
				if time.Now().After(deadline) {
					t.Fatalf("document never decided: %s", d.Raw)
				}
			}
		}
		// anna is the passport page of the clean applicant below.
		anna := func(number string) []byte {
			return passportOf(t, mrztest.Holder{IssuingState: "USA", Nationality: "USA", Surname: "ERIKSSON", GivenNames: "ANNA",
				Number: number, DateOfBirth: "740812", Sex: "F", Expiry: yymmdd(future)}, true)
		}
		neverAccepted := func(key, doc string) {
			t.Helper()
			r := e.json("GET", "/v1/events?type=kyc-document-accepted&resourceId="+doc, key, "")
			if items, _ := r.JSON["items"].([]any); r.Status != 200 || len(items) != 0 {
				t.Fatalf("document %s was accepted at some point: %s", doc, r.Raw)
			}
		}
		screenedAs := func(d resp) any { return d.JSON["parsedData"].(map[string]any)["sanctionsScreening"] }

		// No list loaded: a live OFAC name with a perfect score waits for a person.
		early := applicant(e.liveKey)
		d := apply(e.liveKey, early, "P7000001", "COLLINS, Eileen", passportFront(t, "P7000001", "1956-11-19", future))
		if d.str("status") != "pending-review" || !hasCheck(d, "sanctions-screening", true) || screenedAs(d) != "no-list-loaded" {
			t.Fatalf("live document with no list loaded: %s", d.Raw)
		}
		neverAccepted(e.liveKey, d.str("id"))

		// The list arrives after the applicant was created: the next document screens first and is
		// held; the screening it made is the applicant's.
		importList(collins)
		d = apply(e.liveKey, early, "P7000002", "COLLINS, Eileen", passportFront(t, "P7000002", "1956-11-19", future))
		if d.str("status") != "pending-review" || !hasCheck(d, "sanctions-screening", true) || screenedAs(d) != "potential-match" {
			t.Fatalf("live document after the import: %s", d.Raw)
		}
		neverAccepted(e.liveKey, d.str("id"))
		scID, _ := d.JSON["parsedData"].(map[string]any)["screeningId"].(string)
		if r := e.json("GET", "/v1/screenings/"+scID, e.liveKey, ""); r.Status != 200 || r.str("applicantId") != early || r.str("disposition") != "potential-match" {
			t.Fatalf("the screening the decision saw: %d %s", r.Status, r.Raw)
		}

		// An applicant no screening job ever looked at (stored directly, as if its job had not run
		// yet): its first document is screened before it is decided, never accepted first.
		a := kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), Env: kyc.EnvTest, Type: "individual", Status: "unverified", Level: "L0",
			Profile: kyc.Profile{FirstName: "Eileen", LastName: "Collins", DateOfBirth: "1956-11-19", Nationality: "US", CountryOfResidence: "US"}}
		if err := e.App.Store.CreateApplicant(context.Background(), &a, store.Effects{Audit: kyc.AuditEntry{Actor: "test", Action: "create", ResourceType: "applicant", ResourceID: a.ID}}); err != nil {
			t.Fatal(err)
		}
		d = apply(e.testKey, a.ID, "P7000003", "COLLINS, Eileen", passportFront(t, "P7000003", "1956-11-19", future))
		if d.str("status") != "pending-review" || screenedAs(d) != "potential-match" {
			t.Fatalf("document of an unscreened applicant: %s", d.Raw)
		}
		neverAccepted(e.testKey, d.str("id"))
		if sc := e.screenings(a.ID, 1); sc["reason"] != "document-verification" {
			t.Fatalf("screening: %v", sc)
		}

		// A clean name with the list loaded is screened clear and accepted, in live too.
		r := e.json("POST", "/v1/applicants", e.liveKey, `{"profile":{"firstName":"Anna","lastName":"Eriksson","dateOfBirth":"1974-08-12","nationality":"US","countryOfResidence":"US"}}`)
		clean := r.str("id")
		d = apply(e.liveKey, clean, "P7000004", "ERIKSSON, Anna", anna("P7000004"))
		if screenedAs(d) != "clear" || hasCheck(d, "sanctions-screening", true) {
			t.Fatalf("clean live document: %s", d.Raw)
		}
		// The document's own holder name is screened too, not only the profile's.
		d = apply(e.liveKey, clean, "P7000005", "COLLINS, Eileen Marie", anna("P7000005"))
		if screenedAs(d) != "potential-match" || d.str("status") == "accepted" {
			t.Fatalf("a listed holder name on a clean profile: %s", d.Raw)
		}
	})
}
