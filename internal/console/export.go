package console

import (
	"context"
	"errors"
	"net/http"

	"kycd/internal/export"
	"kycd/internal/kyc"
)

// Exports prepares the export of an applicant. *export.Exporter satisfies it.
type Exports interface {
	Prepare(ctx context.Context, env kyc.Env, applicantID string) (*export.Archive, error)
}

var _ Exports = (*export.Exporter)(nil)

// exportApplicant streams everything kycd holds about one applicant of env as a ZIP (an access
// request's answer). It is audited with the person before the first byte goes out:
// console.view-export on the applicant and console.view-file on each file whose bytes it holds.
func (h *Handler) exportApplicant(w http.ResponseWriter, r *http.Request, v visit) {
	ctx := r.Context()
	env, id := kyc.Env(r.PathValue("env")), r.PathValue("applicantID")
	if !env.Valid() || !kyc.ValidID(kyc.PrefixApplicant, id) {
		h.notFound(w, r, v, "applicant")
		return
	}
	a, err := h.d.Exports.Prepare(ctx, env, id)
	if errors.Is(err, kyc.ErrNotFound) {
		h.notFound(w, r, v, "applicant")
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var files []kyc.AuditEntry
	for _, f := range a.FileIDs() {
		files = append(files, kyc.AuditEntry{Actor: v.user.Actor(), Action: "console.view-file", ResourceType: "file", ResourceID: f})
	}
	if err := h.d.Evidence.Viewed(ctx, env, kyc.AuditEntry{Actor: v.user.Actor(), Action: "console.view-export", ResourceType: "applicant", ResourceID: id}, files...); err != nil {
		h.fail(w, r, err)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "application/zip")
	hd.Set("Content-Disposition", `attachment; filename="`+a.Filename()+`"`)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	if err := a.Write(ctx, w); err != nil {
		// Headers are gone; the ZIP without its central directory tells the browser it failed.
		h.d.Log.ErrorContext(ctx, "applicant export", "applicant_id", id, "err", err)
	}
}
