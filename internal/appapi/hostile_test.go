package appapi_test

import (
	"encoding/json"
	"fmt"
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
