package httpapi_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"kycd/internal/app"
	"kycd/internal/app/apptest"
	"kycd/internal/auth"
	"kycd/internal/kyc"
	"kycd/internal/store/storetest"
)

// TestAPIKeyScopes: a key sees only its scopes (403 naming the scope it lacks); a key with
// api-keys:write creates keys no stronger than itself, lists them without secrets and revokes
// them, and a revoked key is refused at once by another replica over the same database. The
// OpenAPI document names each operation's scope.
func TestAPIKeyScopes(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			var dbURL, blobURL string
			e := newEnvWith(t, d, func(c *app.Config) { dbURL, blobURL = c.DatabaseURL, c.BlobURL })
			two := apptest.Start(t, d, apptest.NoJobs(), apptest.Configure(func(c *app.Config) { c.DatabaseURL, c.BlobURL = dbURL, blobURL }))
			on2 := &env{Env: two, t: t}
			admin, adminKey, err := auth.NewAPIKey(context.Background(), auth.NewKeys(e.App.Store), kyc.EnvTest, "admin", "test", "read", "write", "api-keys:write")
			if err != nil {
				t.Fatal(err)
			}
			applicant := e.mustApplicant(e.testKey)

			// The default key (read, write) does not manage keys.
			if r := e.json(http.MethodGet, "/v1/api-keys", e.testKey, ""); r.Status != http.StatusForbidden || !strings.Contains(string(r.Raw), "api-keys:read") {
				t.Fatalf("a read-write key lists keys: %d %s", r.Status, r.Raw)
			}

			create := func(key, body string) resp {
				t.Helper()
				return e.json(http.MethodPost, "/v1/api-keys", key, body)
			}
			r := create(admin, `{"name":"reader","scopes":["applicants:read"]}`)
			if r.Status != http.StatusCreated || !strings.HasPrefix(r.str("secret"), "kycd_test_") || fmt.Sprint(r.JSON["scopes"]) != "[applicants:read]" || r.str("environment") != "test" {
				t.Fatalf("create a reader: %d %s", r.Status, r.Raw)
			}
			reader, readerID := r.str("secret"), r.str("id")

			for _, c := range []struct {
				method, path string
				status       int
				scope        string
			}{
				{http.MethodGet, "/v1/applicants", http.StatusOK, ""},
				{http.MethodGet, "/v1/applicants/" + applicant, http.StatusOK, ""},
				{http.MethodPost, "/v1/applicants", http.StatusForbidden, "applicants:write"},
				{http.MethodPatch, "/v1/applicants/" + applicant, http.StatusForbidden, "applicants:write"},
				{http.MethodPost, "/v1/applicants/" + applicant + "/tokens", http.StatusForbidden, "applicants:write"},
				{http.MethodGet, "/v1/kyc-documents", http.StatusForbidden, "kyc-documents:read"},
				{http.MethodGet, "/v1/applicants/" + applicant + "/screenings", http.StatusForbidden, "screenings:read"},
				{http.MethodGet, "/v1/events", http.StatusForbidden, "events:read"},
				{http.MethodGet, "/v1/api-keys", http.StatusForbidden, "api-keys:read"},
				{http.MethodGet, "/v1/applicants/" + applicant + "/export", http.StatusForbidden, "exports:read"},
			} {
				r := e.json(c.method, c.path, reader, `{}`)
				if r.Status != c.status || c.scope != "" && !strings.Contains(string(r.Raw), "lacks the scope "+c.scope) {
					t.Errorf("the reader's %s %s: %d %s, want %d naming %q", c.method, c.path, r.Status, r.Raw, c.status, c.scope)
				}
			}

			// Bad scopes are named; a key cannot make a key stronger than itself.
			if r := create(admin, `{"name":"x","scopes":["applicants:delete"]}`); r.Status != http.StatusUnprocessableEntity || !slices.Contains(r.errorFields(), "body.scopes") {
				t.Errorf("a bad scope: %d %s", r.Status, r.Raw)
			}
			r = create(admin, `{"name":"keeper","scopes":["api-keys:write","applicants:read"]}`)
			if r.Status != http.StatusCreated {
				t.Fatalf("create a keeper: %d %s", r.Status, r.Raw)
			}
			keeper := r.str("secret")
			if r := create(keeper, `{"name":"escalate","scopes":["write"]}`); r.Status != http.StatusForbidden || !strings.Contains(string(r.Raw), "beyond its own") {
				t.Errorf("a key making a stronger key: %d %s", r.Status, r.Raw)
			}
			r = create(keeper, `{"name":"narrower","scopes":["applicants:read"]}`)
			if r.Status != http.StatusCreated {
				t.Errorf("a key making a key no stronger than itself: %d %s", r.Status, r.Raw)
			}
			narrower := r.str("id")
			// Nor can it revoke a stronger key, while it can revoke one no stronger than itself.
			r = e.json(http.MethodDelete, "/v1/api-keys/"+adminKey.ID, keeper, "")
			if r.Status != http.StatusForbidden || !strings.Contains(string(r.Raw), "beyond the calling key") {
				t.Errorf("a key revoking a stronger key: %d %s", r.Status, r.Raw)
			}
			if r := e.json(http.MethodDelete, "/v1/api-keys/"+narrower, keeper, ""); r.Status != http.StatusNoContent {
				t.Errorf("a key revoking a key no stronger than itself: %d %s", r.Status, r.Raw)
			}

			// The list shows the environment's keys, never a secret or its hash.
			list := e.json(http.MethodGet, "/v1/api-keys", admin, "")
			sum := sha256.Sum256([]byte(reader))
			if list.Status != http.StatusOK || !strings.Contains(string(list.Raw), readerID) || strings.Contains(string(list.Raw), reader) ||
				strings.Contains(string(list.Raw), hex.EncodeToString(sum[:])) || strings.Contains(string(list.Raw), `"environment":"live"`) {
				t.Fatalf("the list: %d %s", list.Status, list.Raw)
			}

			// Revoked on one replica, refused on the other at once.
			if r := on2.json(http.MethodGet, "/v1/applicants", reader, ""); r.Status != http.StatusOK {
				t.Fatalf("the reader on the other replica: %d", r.Status)
			}
			if r := e.json(http.MethodDelete, "/v1/api-keys/"+readerID, admin, ""); r.Status != http.StatusNoContent {
				t.Fatalf("revoke: %d %s", r.Status, r.Raw)
			}
			if r := on2.json(http.MethodGet, "/v1/applicants", reader, ""); r.Status != http.StatusUnauthorized {
				t.Fatalf("a revoked key on the other replica: %d", r.Status)
			}
			if r := e.json(http.MethodDelete, "/v1/api-keys/"+readerID, admin, ""); r.Status != http.StatusConflict {
				t.Errorf("revoke twice: %d %s", r.Status, r.Raw)
			}
			if r := e.json(http.MethodDelete, "/v1/api-keys/key_01JAAAAAAAAAAAAAAAAAAAAAAA", admin, ""); r.Status != http.StatusNotFound {
				t.Errorf("revoke no key: %d %s", r.Status, r.Raw)
			}
			trail, err := e.App.Store.AuditTrail(t.Context(), kyc.EnvTest, readerID)
			if err != nil || len(trail) != 2 || trail[0].Action != "api-key.create" || trail[1].Action != "api-key.revoke" || !strings.HasPrefix(string(trail[1].Actor), "key_") {
				t.Errorf("the reader's audit trail: %+v %v", trail, err)
			}

			// The OpenAPI document names each operation's scope.
			doc := e.json(http.MethodGet, "/v1/openapi.json", "", "")
			paths := doc.JSON["paths"].(map[string]any)
			scopes := func(path, method string) string {
				op := paths[path].(map[string]any)[method].(map[string]any)
				return fmt.Sprint(op["security"])
			}
			if s := scopes("/v1/api-keys", "post"); s != "[map[apiKey:[api-keys:write]]]" {
				t.Errorf("createApiKey's security: %s", s)
			}
			if s := scopes("/v1/applicants/{id}/screenings", "get"); s != "[map[apiKey:[screenings:read read]]]" {
				t.Errorf("listApplicantScreenings's security: %s", s)
			}
			if _, ok := paths["/v1/applicants/{id}/screenings"].(map[string]any)["get"].(map[string]any)["responses"].(map[string]any)["403"]; !ok {
				t.Error("listApplicantScreenings does not document the 403 of a key without its scope")
			}
		})
	}
}
