package httpapi_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kycd/internal/app"
	"kycd/internal/store/storetest"
)

// TestLevelsAreAContract: a request must ask for every document type its level requires (every
// built-in level and one of KYCD_LEVELS_FILE), a custom level is usable over the API, and the
// applicant reaches a level only once each required type is accepted.
func TestLevelsAreAContract(t *testing.T) {
	levels := filepath.Join(t.TempDir(), "levels.json")
	if err := os.WriteFile(levels, []byte(`{"levels":[{"name":"EU-L2","base":"L1","documents":["identity-proof","address-proof"]}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnvWith(t, d, func(c *app.Config) { c.LevelsFile = levels })
			apl := e.mustApplicant(e.testKey)
			create := func(level string, types ...string) resp {
				docs := make([]string, 0, len(types))
				for _, typ := range types {
					docs = append(docs, `{"type":"`+typ+`"}`)
				}
				return e.json("POST", "/v1/kyc-requests", e.testKey, `{"applicantId":"`+apl+`","level":"`+level+`","documents":[`+strings.Join(docs, ",")+`]}`)
			}
			for _, c := range []struct {
				level  string
				types  []string
				status int
				field  string
			}{
				{"L0", []string{"address-proof"}, 201, ""},
				{"L1", []string{"identity-proof"}, 201, ""},
				{"L1", []string{"address-proof"}, 422, "body.documents"},
				{"L2", []string{"identity-proof", "address-proof", "funds-proof"}, 201, ""},
				{"L2", []string{"identity-proof"}, 422, "body.documents"},
				{"L2", []string{"identity-proof", "address-proof"}, 422, "body.documents"},
				{"EU-L2", []string{"identity-proof", "address-proof"}, 201, ""},
				{"EU-L2", []string{"identity-proof"}, 422, "body.documents"},
				{"L9", []string{"identity-proof"}, 422, "body.level"},
			} {
				r := create(c.level, c.types...)
				if r.Status != c.status || !strings.Contains(string(r.Raw), c.field) {
					t.Errorf("%s asking for %v: %d %s, want %d naming %q", c.level, c.types, r.Status, r.Raw, c.status, c.field)
				}
			}
			// Raising a request's level beyond what it asks for is refused too.
			l1 := create("L1", "identity-proof").str("id")
			if r := e.json("PATCH", "/v1/kyc-requests/"+l1, e.testKey, `{"level":"L2"}`); r.Status != 422 || !strings.Contains(string(r.Raw), "body.level") {
				t.Errorf("patch L1 to L2: %d %s", r.Status, r.Raw)
			}
			if r := e.json("DELETE", "/v1/kyc-requests/"+l1, e.testKey, ""); r.Status != 200 {
				t.Fatalf("abandon: %d %s", r.Status, r.Raw)
			}

			// The custom level is granted once both of its types are accepted, not before.
			r := create("EU-L2", "identity-proof", "address-proof")
			if r.Status != 201 {
				t.Fatalf("create EU-L2: %d %s", r.Status, r.Raw)
			}
			req := r.str("id")
			file := e.mustFile(e.testKey, apl)
			decide := func(typ, subtype, extra string) {
				t.Helper()
				r := e.json("POST", "/v1/kyc-documents", e.testKey, `{"applicantId":"`+apl+`","requestId":"`+req+`","type":"`+typ+`","subtype":"`+subtype+`","fileIds":["`+file+`"]`+extra+`}`)
				if r.Status != 201 {
					t.Fatalf("create %s: %d %s", typ, r.Status, r.Raw)
				}
				doc := r.str("id")
				deadline := time.Now().Add(30 * time.Second)
				for {
					g := e.json("GET", "/v1/kyc-documents/"+doc, e.testKey, "")
					if s := g.str("status"); s != "pending" && s != "in-progress" {
						if s != "accepted" {
							if a := e.json("POST", "/v1/kyc-documents/"+doc+"/acceptance", e.testKey, `{"override":true,"notes":"checked by hand"}`); a.Status != 200 {
								t.Fatalf("accept %s: %d %s", typ, a.Status, a.Raw)
							}
						}
						return
					}
					if time.Now().After(deadline) {
						t.Fatalf("%s never verified: %s", typ, g.Raw)
					}
					time.Sleep(50 * time.Millisecond)
				}
			}
			decide("identity-proof", "passport", `,"identification":{"number":"TEST-REVIEW","issuingCountry":"SE","holderName":"Anna Eriksson"}`)
			if g := e.json("GET", "/v1/applicants/"+apl, e.testKey, ""); g.str("level") == "EU-L2" || g.str("status") == "approved" {
				t.Fatalf("applicant with only identity accepted: %s", g.Raw)
			}
			decide("address-proof", "utility-bill", "")
			if g := e.json("GET", "/v1/kyc-requests/"+req, e.testKey, ""); g.str("status") != "fulfilled" {
				t.Fatalf("request: %s", g.Raw)
			}
			if g := e.json("GET", "/v1/applicants/"+apl, e.testKey, ""); g.str("level") != "EU-L2" || g.str("status") != "approved" {
				t.Fatalf("applicant after both: %s", g.Raw)
			}
		})
	}
}
