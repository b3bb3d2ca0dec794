package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"kycd/internal/kyc"
	"kycd/internal/review"
)

// applicantPage is what the applicant page shows: the person, their documents with their images,
// their requests and screenings, and the cases open on them. A case page's duplicates link here,
// so a reviewer sees the other applicant beside the one in review.
type applicantPage struct {
	Env       kyc.Env
	Applicant kyc.Applicant
	Documents []applicantDocument
	Requests  []kyc.Request
	// Screenings are the applicant's sanctions screenings, newest first as Evidence gives them.
	Screenings []kyc.Screening
	// Cases are the open review cases of the applicant's documents and screenings.
	Cases []review.Case
}

type applicantDocument struct {
	kyc.Document
	Images []caseImage
}

// applicantView shows one applicant of env; the view is audited with the person, as the case
// page's is.
func (h *Handler) applicantView(w http.ResponseWriter, r *http.Request, v visit) {
	ctx := r.Context()
	env, id := kyc.Env(r.PathValue("env")), r.PathValue("id")
	if !env.Valid() || !kyc.ValidID(kyc.PrefixApplicant, id) {
		h.notFound(w, r, v, "applicant")
		return
	}
	data, err := h.gatherApplicant(ctx, env, id)
	if errors.Is(err, kyc.ErrNotFound) {
		h.notFound(w, r, v, "applicant")
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.d.Evidence.Viewed(ctx, env, kyc.AuditEntry{Actor: v.user.Actor(), Action: "console.view-applicant", ResourceType: "applicant", ResourceID: id}); err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "applicant", page{Title: "Applicant " + id, User: &v.user, CSRF: h.csrf(v.session), Data: data})
}

func (h *Handler) gatherApplicant(ctx context.Context, env kyc.Env, id string) (applicantPage, error) {
	ev := h.d.Evidence
	data := applicantPage{Env: env}
	var err error
	if data.Applicant, err = ev.Applicant(ctx, env, id); err != nil {
		return data, err
	}
	docs, err := ev.Documents(ctx, env, id)
	if err != nil {
		return data, fmt.Errorf("documents: %w", err)
	}
	var subjects []string
	for _, d := range docs {
		ad := applicantDocument{Document: d}
		for _, f := range d.FileIDs {
			file, err := ev.FileInfo(ctx, env, f)
			if err != nil {
				return data, fmt.Errorf("file %s: %w", f, err)
			}
			ad.Images = append(ad.Images, caseImage{FileID: f, Tag: file.Tag, URL: "/console/files/" + string(env) + "/" + f})
		}
		data.Documents = append(data.Documents, ad)
		subjects = append(subjects, d.ID)
	}
	if data.Requests, err = ev.Requests(ctx, env, id); err != nil {
		return data, fmt.Errorf("requests: %w", err)
	}
	if data.Screenings, err = ev.Screenings(ctx, env, id); err != nil {
		return data, fmt.Errorf("screenings: %w", err)
	}
	for _, s := range data.Screenings {
		subjects = append(subjects, s.ID)
	}
	if data.Cases, err = h.d.Reviews.OpenCases(ctx, env, subjects); err != nil {
		return data, fmt.Errorf("open cases: %w", err)
	}
	return data, nil
}
