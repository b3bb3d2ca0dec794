package httpapi_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"kycd/internal/screening/match"
	"kycd/internal/store"
)

// TestEveryStatusChangeIsAnEvent walks the statuses of DESIGN.md's lifecycle (documents: pending,
// pending-review, accepted, rejected, archived; requests: gathering, pending-review, attempted,
// partial, fulfilled, failed, abandoned, expired; applicants: unverified, pending-review, approved,
// rejected; screenings: clear, potential-match, false-positive) and asserts that each resource's
// events are exactly one per status change, in revision order.
func TestEveryStatusChangeIsAnEvent(t *testing.T) {
	t.Parallel()
	screeningEnv(t, func(t *testing.T, e *env, importList func(...match.Entry)) {
		importList(collins)
		// statusEvents are a resource's events oldest first, without kyc-document-reviewed (a
		// person's decision, told beside the status it sets); revisions never go back and each
		// status event has a revision of its own.
		statusEvents := func(id string) []string {
			t.Helper()
			pg, err := e.App.Store.ListEvents(context.Background(), "test", store.EventFilter{ResourceID: id}, "", 100)
			if err != nil {
				t.Fatal(err)
			}
			var types []string
			last := int64(-1)
			for _, ev := range slices.Backward(pg.Items) {
				if ev.Revision < last {
					t.Errorf("%s: %s at revision %d after revision %d", id, ev.Type, ev.Revision, last)
				}
				if ev.Type == "kyc-document-reviewed" {
					continue
				}
				if ev.Revision == last {
					t.Errorf("%s: two status events at revision %d", id, last)
				}
				last = ev.Revision
				types = append(types, ev.Type)
			}
			return types
		}
		expect := func(id string, want ...string) {
			t.Helper()
			if got := statusEvents(id); !slices.Equal(got, want) {
				t.Errorf("%s events\n got  %v\n want %v", id, got, want)
			}
		}
		newRequest := func(apl, body string) string {
			t.Helper()
			r := e.json("POST", "/v1/kyc-requests", e.testKey, `{"applicantId":"`+apl+`",`+body+`}`)
			if r.Status != 201 {
				t.Fatalf("request: %d %s", r.Status, r.Raw)
			}
			return r.str("id")
		}
		file := ""
		newDoc := func(apl, req, typ, subtype, number, want string) string {
			t.Helper()
			body, _ := json.Marshal(map[string]any{"applicantId": apl, "requestId": req, "type": typ, "subtype": subtype, "fileIds": []string{file},
				"identification": map[string]string{"number": number, "holderName": "Anna Eriksson"}})
			r := e.json("POST", "/v1/kyc-documents", e.testKey, string(body))
			if r.Status != 201 {
				t.Fatalf("document: %d %s", r.Status, r.Raw)
			}
			e.waitStatus("/v1/kyc-documents/"+r.str("id"), want)
			return r.str("id")
		}
		call := func(method, path, body string, want int) {
			t.Helper()
			if r := e.json(method, path, e.testKey, body); r.Status != want {
				t.Fatalf("%s %s: %d %s", method, path, r.Status, r.Raw)
			}
		}

		apl := e.newApplicant("Anna", "Eriksson", "1974-08-12")
		file = e.mustFile(e.testKey, apl)
		l2 := newRequest(apl, `"level":"L2","documents":[{"type":"identity-proof","maxAttempts":2},{"type":"address-proof"},{"type":"funds-proof"}]`)
		id1 := newDoc(apl, l2, "identity-proof", "passport", "TEST-REVIEW", "pending-review")   // request and applicant to pending-review
		call("POST", "/v1/kyc-documents/"+id1+"/rejection", `{"type":"document-expired"}`, 200) // request attempted, applicant unverified
		id2 := newDoc(apl, l2, "identity-proof", "passport", "TEST-ACCEPT", "accepted")         // request partial
		addr := newDoc(apl, l2, "address-proof", "utility-bill", "TEST-ACCEPT", "accepted")     // still partial: no request event
		funds := newDoc(apl, l2, "funds-proof", "bank-statement", "TEST-ACCEPT", "accepted")    // fulfilled, applicant approved at L2
		if a := e.json("GET", "/v1/applicants/"+apl, e.testKey, ""); a.str("status") != "approved" || a.str("level") != "L2" {
			t.Fatalf("applicant after L2: %s", a.Raw)
		}
		call("DELETE", "/v1/kyc-documents/"+id2, "", 200) // archived; the fulfilled request keeps its status
		call("DELETE", "/v1/kyc-documents/"+id2, "", 409)

		l1 := newRequest(apl, `"documents":[{"type":"identity-proof","maxAttempts":1}]`)
		failed := newDoc(apl, l1, "identity-proof", "passport", "TEST-REJECT", "rejected") // request failed, applicant rejected
		abandoned := newRequest(apl, `"documents":[{"type":"identity-proof"}]`)
		call("DELETE", "/v1/kyc-requests/"+abandoned, "", 200)
		expiring := newRequest(apl, `"documents":[{"type":"identity-proof"}],"expirationTime":"`+time.Now().Add(1500*time.Millisecond).UTC().Format(time.RFC3339Nano)+`"`)
		e.waitStatus("/v1/kyc-requests/"+expiring, "expired")
		// A pending-review document archived: its request goes back to gathering.
		gathering := newRequest(apl, `"level":"L0","documents":[{"type":"address-proof"}]`)
		held := newDoc(apl, gathering, "address-proof", "utility-bill", "TEST-REVIEW", "pending-review")
		call("DELETE", "/v1/kyc-documents/"+held, "", 200)

		expect(id1, "kyc-document-created", "kyc-document-pending-review", "kyc-document-rejected")
		expect(id2, "kyc-document-created", "kyc-document-accepted", "kyc-document-archived")
		expect(addr, "kyc-document-created", "kyc-document-accepted")
		expect(funds, "kyc-document-created", "kyc-document-accepted")
		expect(failed, "kyc-document-created", "kyc-document-rejected")
		expect(held, "kyc-document-created", "kyc-document-pending-review", "kyc-document-archived")
		expect(l2, "kyc-request-created", "kyc-request-pending-review", "kyc-request-attempted", "kyc-request-partially-fulfilled", "kyc-request-fulfilled")
		expect(l1, "kyc-request-created", "kyc-request-failed")
		expect(abandoned, "kyc-request-created", "kyc-request-abandoned")
		expect(expiring, "kyc-request-created", "kyc-request-expired")
		expect(gathering, "kyc-request-created", "kyc-request-pending-review", "kyc-request-updated")
		// unverified -> pending-review -> unverified -> approved (L2) -> rejected (a failed request) ->
		// pending-review (the held document) -> unverified (archived)
		expect(apl, "applicant-created", "applicant-updated", "applicant-updated", "applicant-updated", "applicant-updated",
			"applicant-updated", "applicant-updated")

		// Screenings: the identity documents screened the applicant (clear); a listed name is a
		// potential match that a reviewer marks false-positive.
		scs := e.json("GET", "/v1/applicants/"+apl+"/screenings", e.testKey, "")
		items, _ := scs.JSON["items"].([]any)
		if len(items) == 0 {
			t.Fatalf("no screening of %s: %s", apl, scs.Raw)
		}
		for _, it := range items {
			sc := it.(map[string]any)
			if sc["disposition"] != "clear" {
				t.Fatalf("screening of a clean name: %v", sc)
			}
			expect(sc["id"].(string), "screening-clear")
		}
		listed := e.newApplicant("Eileen", "Collins", "1956-11-19")
		sc := e.screenings(listed, 1)
		id := sc["id"].(string)
		call("POST", "/v1/screenings/"+id+"/review", `{"disposition":"false-positive"}`, 200)
		expect(id, "screening-potential-match", "screening-reviewed")
	})
}
