package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"reflect"

	"github.com/danielgtaylor/huma/v2"

	"kycd/internal/export"
	"kycd/internal/kyc"
)

// Exports prepares the export of an applicant. *export.Exporter satisfies it.
type Exports interface {
	Prepare(ctx context.Context, env kyc.Env, applicantID string) (*export.Archive, error)
}

var _ Exports = (*export.Exporter)(nil)

// registerExport adds GET /v1/applicants/{id}/export: it streams bytes, so it is a plain handler
// and its OpenAPI operation is described by hand.
func registerExport(api huma.API, mux *http.ServeMux, d Deps) {
	if d.Exports == nil {
		return
	}
	mux.HandleFunc("GET /v1/applicants/{id}/export", func(w http.ResponseWriter, r *http.Request) { serveExport(w, r, d) })
	errSchema := api.OpenAPI().Components.Schemas.Schema(reflect.TypeOf(huma.ErrorModel{}), true, "ErrorModel")
	problemResp := func(desc string) *huma.Response {
		return &huma.Response{Description: desc, Content: map[string]*huma.MediaType{"application/problem+json": {Schema: errSchema}}}
	}
	api.OpenAPI().AddOperation(&huma.Operation{
		OperationID: "exportApplicant", Method: http.MethodGet, Path: "/v1/applicants/{id}/export", Tags: []string{"Applicants"},
		Summary: "Download everything kycd holds about an applicant (ZIP)",
		Description: "An access request's answer, streamed as a ZIP: applicant.json (the applicant with its profile), requests.json, " +
			"documents/<id>.json (each KYC document with its identification, parsed data, check list, decision and review), " +
			"files/<id>.json and files/<id>.<ext> (each uploaded file's metadata and its bytes, decrypted), screenings.json, " +
			"shares.json, notes.json (the review console's notes on the applicant's cases), events.json (every event about the " +
			"applicant and its requests, documents, files, screenings and shares, with payloads) and, last, manifest.json: the " +
			"applicant, environment, time and kycd version, each entry's name, size, SHA-256 and description, and which lists " +
			"were cut at their caps (10,000 items a list, 10,000 events). Writes the audit entries `applicant.export` on the " +
			"applicant and `file.read-content` on each file included, with the key as actor, before the first byte is sent; " +
			"if they cannot be written nothing is sent (500).",
		Parameters: []*huma.Param{{Name: "id", In: "path", Required: true, Schema: &huma.Schema{Type: "string"}}},
		Responses: map[string]*huma.Response{
			"200": {Description: "The ZIP, as an attachment", Content: map[string]*huma.MediaType{"application/zip": {Schema: &huma.Schema{Type: "string", ContentEncoding: "binary"}}}},
			"401": problemResp("Unauthorized"), "404": problemResp("Not found"),
		},
	})
}

func serveExport(w http.ResponseWriter, r *http.Request, d Deps) {
	ctx := r.Context()
	p := principal(ctx)
	a, err := d.Exports.Prepare(ctx, p.Env, r.PathValue("id"))
	if err != nil {
		writeProblem(w, r, d.Log, err)
		return
	}
	entries := []kyc.AuditEntry{{Actor: p.Actor(), Action: "applicant.export", ResourceType: "applicant", ResourceID: a.ApplicantID()}}
	for _, id := range a.FileIDs() {
		entries = append(entries, kyc.AuditEntry{Actor: p.Actor(), Action: "file.read-content", ResourceType: "file", ResourceID: id})
	}
	if err := d.Reads.RecordReads(ctx, p.Env, entries); err != nil {
		writeProblem(w, r, d.Log, fmt.Errorf("audit the export: %w", err))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", `attachment; filename="`+a.Filename()+`"`)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, no-store")
	w.WriteHeader(http.StatusOK)
	if err := a.Write(ctx, w); err != nil {
		// Headers are gone; the ZIP without its central directory tells the client it failed.
		d.Log.ErrorContext(ctx, "applicant export", "applicant_id", a.ApplicantID(), "err", err)
	}
}
