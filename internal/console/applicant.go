package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"kycd/internal/erasure"
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
	// CanErase says the console erases applicants (Deps.Erasures); admins see the form.
	CanErase bool
}

type applicantDocument struct {
	kyc.Document
	Images []caseImage
}

// applicantView shows one applicant of env; the view is audited with the person, as the case
// page's is.
func (h *Handler) applicantView(w http.ResponseWriter, r *http.Request, v visit) {
	env, id := kyc.Env(r.PathValue("env")), r.PathValue("id")
	if !env.Valid() || !kyc.ValidID(kyc.PrefixApplicant, id) {
		h.notFound(w, r, v, "applicant")
		return
	}
	h.showApplicant(w, r, v, env, id, http.StatusOK, page{})
}

// showApplicant renders the applicant page of env's applicant id with status and p's message or
// notice, after auditing the view.
func (h *Handler) showApplicant(w http.ResponseWriter, r *http.Request, v visit, env kyc.Env, id string, status int, p page) {
	ctx := r.Context()
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
	data.CanErase = h.d.Erasures != nil
	p.Title, p.User, p.CSRF, p.Data = "Applicant "+id, &v.user, h.csrf(v.session), data
	h.render(w, r, status, "applicant", p)
}

// Erasures erases applicants. *erasure.Service satisfies it.
type Erasures interface {
	Erase(ctx context.Context, actor kyc.Actor, env kyc.Env, applicantID string) (erasure.Erasure, error)
}

var _ Erasures = (*erasure.Service)(nil)

// eraseApplicant erases an applicant (DELETE /v1/applicants/{id} from the console), once the
// admin typed its id to confirm: at once, or scheduled when KYCD_ERASURE_DELAY is set. A legal
// hold refuses it (409, naming the hold); the erasure is audited with the person as actor.
func (h *Handler) eraseApplicant(w http.ResponseWriter, r *http.Request, v visit) {
	env, id := kyc.Env(r.PathValue("env")), r.PathValue("id")
	if !env.Valid() || !kyc.ValidID(kyc.PrefixApplicant, id) {
		h.notFound(w, r, v, "applicant")
		return
	}
	if strings.TrimSpace(r.PostFormValue("confirm")) != id {
		h.showApplicant(w, r, v, env, id, http.StatusUnprocessableEntity,
			page{Message: "Nothing was erased: type the applicant's id, " + id + ", to confirm the erasure."})
		return
	}
	e, err := h.d.Erasures.Erase(r.Context(), v.user.Actor(), env, id)
	switch {
	case errors.Is(err, kyc.ErrNotFound):
		h.notFound(w, r, v, "applicant")
	case errors.Is(err, kyc.ErrConflict):
		h.showApplicant(w, r, v, env, id, http.StatusConflict, page{Message: "Nothing was erased: " + message(err)})
	case err != nil:
		h.fail(w, r, err)
	case e.Status == "scheduled":
		h.showApplicant(w, r, v, env, id, http.StatusOK, page{Notice: "Erasure scheduled for " + e.DueTime.UTC().Format("2006-01-02 15:04") +
			" UTC (KYCD_ERASURE_DELAY); it can be cancelled until then with POST /v1/applicants/" + id + "/erasure/cancel."})
	default:
		h.showApplicant(w, r, v, env, id, http.StatusOK, page{Notice: "Erased: the applicant's data key is destroyed and its personal data removed; " +
			"the signed receipt is at GET /v1/applicants/" + id + "/erasure."})
	}
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
