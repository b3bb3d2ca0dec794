package httpapi

import (
	"net/http"
	"reflect"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"kycd/internal/auth"
)

// scopeOf says which resource a /v1 call touches and whether it reads or writes it, from its
// method and path (a concrete path or a route's pattern: the segments that matter are literal).
// GET reads; every other method writes, but for the calls that only compute an answer from files
// (reading a file's document zone, comparing two faces), which read files. An applicant's export
// is the exports resource: it carries every other resource of the applicant.
func scopeOf(method, path string) (resource, access string) {
	parts := strings.Split(strings.TrimPrefix(path, "/v1/"), "/")
	resource, access = parts[0], auth.Write
	if method == http.MethodGet || method == http.MethodHead {
		access = auth.Read
	}
	switch {
	case resource == "applicants" && len(parts) == 3 && (parts[2] == "screenings" || parts[2] == "shares"):
		resource = parts[2]
	case resource == "applicants" && len(parts) == 3 && parts[2] == "export":
		resource = "exports"
	case resource == "sanctions-lists":
		resource = "screenings"
	case resource == "events" && len(parts) == 3 && parts[2] == "redelivery":
		resource = "webhooks"
	case resource == "face-comparisons", resource == "files" && len(parts) == 3 && parts[2] == "reading":
		resource, access = "files", auth.Read
	}
	return resource, access
}

// documentScopes writes each operation's scope into the OpenAPI document (the security
// requirement's scopes), from the same scopeOf that authenticate enforces, and the 403 a key
// without it gets. Paths served without a key are left as they are.
func documentScopes(api huma.API) {
	errSchema := api.OpenAPI().Components.Schemas.Schema(reflect.TypeOf(huma.ErrorModel{}), true, "ErrorModel")
	for path, item := range api.OpenAPI().Paths {
		for method, op := range map[string]*huma.Operation{http.MethodGet: item.Get, http.MethodPost: item.Post, http.MethodPatch: item.Patch,
			http.MethodPut: item.Put, http.MethodDelete: item.Delete} {
			if op == nil || public(path) {
				continue
			}
			res, access := scopeOf(method, path)
			scopes := []string{res + ":" + access}
			if res != "api-keys" {
				scopes = append(scopes, access)
			}
			op.Security = []map[string][]string{{"apiKey": scopes}}
			if op.Description != "" {
				op.Description += "\n\n"
			}
			op.Description += "Needs an API key with the scope `" + strings.Join(scopes, "` or `") + "` (write includes read)."
			if op.Responses == nil {
				op.Responses = map[string]*huma.Response{}
			}
			if _, ok := op.Responses["403"]; !ok {
				op.Responses["403"] = &huma.Response{Description: "The API key lacks the scope this operation needs (the problem names it)",
					Content: map[string]*huma.MediaType{"application/problem+json": {Schema: errSchema}}}
			}
		}
	}
}
