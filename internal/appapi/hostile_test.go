package appapi_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"kycd/internal/store/storetest"
)

// TestAppEndpointsRefuseHostileJSON: the app endpoints decode strictly too. Duplicate and
// case-folded names, NUL and bidirectional overrides in the profile are refused with 422, on
// SQLite and PostgreSQL, where encoding/json kept the last name or stored the NUL. A document of
// an unknown type, or with a number for a string, is refused before the profile in the same body
// is changed.
func TestAppEndpointsRefuseHostileJSON(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			_, a := e.call("POST", "/v1/applicants", e.key, map[string]any{"profile": map[string]any{"firstName": "Anna"}})
			id := a["id"].(string)
			_, tok := e.call("POST", "/v1/applicants/"+id+"/tokens", e.key, map[string]any{})
			token := tok["token"].(string)
			for name, body := range map[string]string{
				"duplicate first_name":                   `{"profile":{"first_name":"Anna","first_name":"Mallory"}}`,
				"case-folded first_name":                 `{"profile":{"FIRST_NAME":"Mallory"}}`,
				"NUL in last_name":                       `{"profile":{"last_name":"A\u0000"}}`,
				"override in last_name":                  `{"profile":{"last_name":"A\u202eB"}}`,
				"duplicate envelope":                     `{"data":{"profile":{}},"data":{"profile":{"first_name":"M"}}}`,
				"upload with duplicates":                 `{"fileData":{"type":"id_proof_front","type":"id_proof_live","file":"data:image/png;base64,AAAA"}}`,
				"profile, then an unknown document type": `{"profile":{"first_name":"Mallory"},"documents":[{"document_type":"passport"}]}`,
				"profile, then a number for a string":    `{"profile":{"first_name":"Mallory"},"documents":[{"document_type":"id_proof_front","identification_value":7}]}`,
			} {
				path := "/update_app_user_profile_v2"
				if name == "upload with duplicates" {
					path = "/upload-KYC-document"
				}
				st, out := e.call("POST", path, token, json.RawMessage(body))
				if st != 422 {
					t.Errorf("%s: %d %v", name, st, out)
				}
			}
			_, got := e.call("GET", "/v1/applicants/"+id, e.key, nil)
			if p := fmt.Sprint(got["profile"]); p != "map[firstName:Anna]" {
				t.Errorf("the profile changed: %s", p)
			}
		})
	}
}

// TestAppUpdateIsAllOrNothing: an update_app_user_profile_v2 refused in any part changes nothing.
// Before, the profile, the addresses and each document were committed one after another, so a bad
// second document answered 422 after the first had been created (and decided), and a bad document
// type answered 422 after the profile had changed and its event was sent.
func TestAppUpdateIsAllOrNothing(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			_, a := e.call("POST", "/v1/applicants", e.key, map[string]any{"profile": map[string]any{"firstName": "Anna", "countryOfResidence": "DE"}})
			id := a["id"].(string)
			_, tok := e.call("POST", "/v1/applicants/"+id+"/tokens", e.key, map[string]any{})
			token := tok["token"].(string)
			front, selfie, bill := images(t)
			for slot, file := range map[string]string{"id_proof_front": front, "id_proof_live": selfie, "address_proof": bill} {
				ext := "png"
				if slot == "id_proof_live" {
					ext = "jpg"
				}
				if st, out := e.call("POST", "/upload-KYC-document", token, map[string]any{"fileData": map[string]any{"type": slot, "file": file, "ext": ext}}); st != 200 {
					t.Fatalf("upload %s: %d %v", slot, st, out)
				}
			}
			goodFront := map[string]any{"document_type": "id_proof_front", "identification_type": "Passport", "identification_value": "C01X00T47",
				"identification_doc_expiry": "2031-01-01", "identification_doc_issuance_country": "DE"}
			goodSelfie := map[string]any{"document_type": "id_proof_live"}
			goodBill := map[string]any{"document_type": "address_proof", "identification_type": "Electricity bill"}
			profile := map[string]any{"first_name": "Mallory", "last_name": "Changed"}
			address := []any{map[string]any{"address_line_1": "1 Main St", "city": "Berlin", "zip_code": "10115", "country_code": "DE"}}
			_, before := e.call("GET", "/v1/events?limit=100", e.key, nil)
			for _, c := range []struct {
				name  string
				body  map[string]any
				field string
			}{
				{"bad second document", map[string]any{"profile": profile, "user_addresses": address, "documents": []any{goodBill,
					map[string]any{"document_type": "id_proof_front", "identification_doc_expiry": "01/01/2031"}}}, "body.documents[1].identification_doc_expiry"},
				{"bad document type", map[string]any{"profile": profile, "documents": []any{goodFront, goodSelfie, map[string]any{"document_type": "id_proof_side"}}},
					"body.documents[2].document_type"},
				{"bad third document after a complete identity", map[string]any{"profile": profile, "documents": []any{goodFront, goodSelfie,
					map[string]any{"document_type": "address_proof", "identification_doc_issuance_country": "Atlantis"}}},
					"body.documents[2].identification_doc_issuance_country"},
				{"bad profile after good documents", map[string]any{"profile": map[string]any{"birth_date": "yesterday"}, "documents": []any{goodBill}},
					"body.profile.dateOfBirth"},
				{"bad address after good documents", map[string]any{"user_addresses": []any{map[string]any{"city": "Berlin", "country_code": "XX"}},
					"documents": []any{goodFront, goodSelfie}}, ""},
			} {
				st, out := e.call("POST", "/update_app_user_profile_v2", token, c.body)
				if st != 422 {
					t.Errorf("%s: %d %v", c.name, st, out)
					continue
				}
				if c.field != "" && !strings.Contains(fmt.Sprint(out), c.field) {
					t.Errorf("%s: the problem does not name %s: %v", c.name, c.field, out)
				}
			}
			_, got := e.call("GET", "/v1/applicants/"+id, e.key, nil)
			if p := fmt.Sprint(got["profile"]); p != "map[countryOfResidence:DE firstName:Anna]" || fmt.Sprint(got["addresses"]) != "[]" || got["revision"] != a["revision"] {
				t.Errorf("the applicant changed: revision %v, profile %s, addresses %v", got["revision"], p, got["addresses"])
			}
			if _, docs := e.call("GET", "/v1/kyc-documents?applicantId="+id, e.key, nil); len(docs["items"].([]any)) != 0 {
				t.Errorf("documents were created: %v", docs["items"])
			}
			if _, after := e.call("GET", "/v1/events?limit=100", e.key, nil); len(after["items"].([]any)) != len(before["items"].([]any)) {
				t.Errorf("events were recorded: %d before, %d after", len(before["items"].([]any)), len(after["items"].([]any)))
			}
			// The same uploads are still staged: the whole update, corrected, goes through at once.
			st, out := e.call("POST", "/update_app_user_profile_v2", token, map[string]any{"profile": profile, "user_addresses": address,
				"documents": []any{goodFront, goodSelfie, goodBill}})
			if st != 200 {
				t.Fatalf("corrected update: %d %v", st, out)
			}
			_, docs := e.call("GET", "/v1/kyc-documents?applicantId="+id, e.key, nil)
			if n := len(docs["items"].([]any)); n != 2 {
				t.Errorf("corrected update: %d documents, want an identity and an address proof", n)
			}
		})
	}
}
