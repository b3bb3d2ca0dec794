package appapi_test

import (
	"net/http"
	"strings"
	"testing"

	"kycd/internal/app"
	"kycd/internal/app/apptest"
	"kycd/internal/kyc"
	"kycd/internal/store/storetest"
)

// TestTokensRevokedOnEveryReplica: two replicas share one database and one blob folder. Revoking
// an applicant's tokens on one refuses, on the other and at once, the applicant tokens and the
// gatherer link issued before; tokens and links issued afterwards work; an applicant token bound
// to a KYC request stops working when the request is abandoned, while the unbound one goes on.
func TestTokensRevokedOnEveryReplica(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			var dbURL, blobURL string
			one := apptest.Start(t, d, apptest.NoJobs(), apptest.Configure(func(c *app.Config) { dbURL, blobURL = c.DatabaseURL, c.BlobURL }))
			two := apptest.Start(t, d, apptest.NoJobs(), apptest.Configure(func(c *app.Config) { c.DatabaseURL, c.BlobURL = dbURL, blobURL }))
			e := &env{Env: one, t: t, key: one.Key(t, kyc.EnvTest)}
			on2 := &env{Env: two, t: t, key: e.key}

			_, a := e.call("POST", "/v1/applicants", e.key, map[string]any{})
			id := a["id"].(string)
			_, req := e.call("POST", "/v1/kyc-requests", e.key, map[string]any{"applicantId": id, "documents": []any{map[string]any{"type": "identity-proof"}}})
			mint := func(body map[string]any) string {
				t.Helper()
				st, tok := e.call("POST", "/v1/applicants/"+id+"/tokens", e.key, body)
				if st != http.StatusCreated {
					t.Fatalf("mint a token: %d %v", st, tok)
				}
				return tok["token"].(string)
			}
			// status is what replica two answers the app's profile read with token.
			status := func(token string) int {
				t.Helper()
				st, _ := on2.call("GET", "/get_app_user_profile_v2", token, nil)
				return st
			}
			// gatherer is the request's hosted-flow link as replica one gives it now; page opens it on
			// replica two.
			gatherer := func() string {
				t.Helper()
				_, r := e.call("GET", "/v1/kyc-requests/"+req["id"].(string), e.key, nil)
				for _, l := range r["_links"].([]any) {
					if l := l.(map[string]any); l["rel"] == "gatherer" {
						return strings.Replace(l["href"].(string), one.URL, two.URL, 1)
					}
				}
				t.Fatalf("no gatherer link: %v", r)
				return ""
			}
			page := func(link string) int {
				t.Helper()
				res, err := http.Get(link)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				return res.StatusCode
			}
			bound, unbound, link := mint(map[string]any{"requestId": req["id"]}), mint(map[string]any{}), gatherer()
			if status(bound) != 200 || status(unbound) != 200 || page(link) != 200 {
				t.Fatalf("before revocation: %d %d %d", status(bound), status(unbound), page(link))
			}

			if st := e.revoke(id, e.key); st != http.StatusNoContent {
				t.Fatalf("revoke: %d", st)
			}
			if s1, s2, s3 := status(bound), status(unbound), page(link); s1 != 401 || s2 != 401 || s3 != http.StatusForbidden {
				t.Fatalf("after revocation, on the other replica: bound token %d, unbound token %d, gatherer link %d; want 401, 401, 403", s1, s2, s3)
			}
			trail, err := one.App.Store.AuditTrail(t.Context(), kyc.EnvTest, id)
			if err != nil || trail[len(trail)-1].Action != "applicant.revoke-tokens" {
				t.Fatalf("the revocation's audit: %+v %v", trail, err)
			}

			bound, unbound, link = mint(map[string]any{"requestId": req["id"]}), mint(map[string]any{}), gatherer()
			if status(bound) != 200 || status(unbound) != 200 || page(link) != 200 {
				t.Fatalf("tokens issued after the revocation: %d %d %d", status(bound), status(unbound), page(link))
			}

			if st, out := e.call("DELETE", "/v1/kyc-requests/"+req["id"].(string), e.key, nil); st != 200 {
				t.Fatalf("abandon: %d %v", st, out)
			}
			if s1, s2 := status(bound), status(unbound); s1 != 401 || s2 != 200 {
				t.Fatalf("after the request is abandoned: bound token %d (want 401), unbound %d (want 200)", s1, s2)
			}

			if st := e.revoke("apl_01JAAAAAAAAAAAAAAAAAAAAAAA", e.key); st != 404 {
				t.Fatalf("revoke the tokens of no applicant: %d", st)
			}
			if st := e.revoke(id, unbound); st != http.StatusForbidden {
				t.Fatalf("an applicant token revoking tokens: %d", st)
			}
		})
	}
}

// revoke revokes the applicant's tokens with the credential bearer and returns the status.
func (e *env) revoke(applicantID, bearer string) int {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodDelete, e.URL+"/v1/applicants/"+applicantID+"/tokens", nil)
	req.Header.Set("Authorization", "Bearer "+bearer)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}
