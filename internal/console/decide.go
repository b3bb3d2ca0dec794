package console

import (
	"errors"
	"net/http"

	"kycd/internal/kyc"
	"kycd/internal/people"
	"kycd/internal/review"
)

// The decisions taken on the case page, and the second pair of eyes.

// decisionForms is what the case page offers to decide, and the proposal waiting, if any.
type decisionForms struct {
	Pending        *review.Proposal
	ProposedBy     string
	CanApprove     bool
	RejectionTypes []string
}

func person(u people.User) review.Person {
	return review.Person{ID: u.ID, Approver: u.Role.Allows(people.Approver)}
}

// decide takes a decision on a case: carried out, or proposed for an approver.
func (h *Handler) decide(w http.ResponseWriter, r *http.Request, v visit) {
	env, id := kyc.Env(r.PathValue("env")), r.PathValue("id")
	if !env.Valid() {
		h.notFound(w, r, v, "case")
		return
	}
	d := review.Decision{Action: r.PostFormValue("action"), RejectionType: r.PostFormValue("rejectionType"),
		Message: r.PostFormValue("message"), Note: r.PostFormValue("note")}
	out, err := h.d.Reviews.Decide(r.Context(), env, id, person(v.user), d)
	switch {
	case err == nil && out.Done:
		h.showCase(w, r, v, env, id, http.StatusOK, page{Notice: "Decided."})
	case err == nil:
		h.showCase(w, r, v, env, id, http.StatusAccepted, page{Notice: "Proposed: this decision needs a second person with the approver role."})
	default:
		h.refused(w, r, v, env, id, err)
	}
}

// proposal approves or refuses the proposal waiting on a case.
func (h *Handler) proposal(w http.ResponseWriter, r *http.Request, v visit) {
	env, id := kyc.Env(r.PathValue("env")), r.PathValue("id")
	if !env.Valid() {
		h.notFound(w, r, v, "case")
		return
	}
	var caseID, done string
	var err error
	switch r.PostFormValue("action") {
	case "approve":
		caseID, err = h.d.Reviews.Approve(r.Context(), env, id, person(v.user))
		done = "Approved and carried out."
	case "refuse":
		caseID, err = h.d.Reviews.Refuse(r.Context(), env, id, person(v.user))
		done = "Refused; the case waits for a decision again."
	default:
		err = kyc.Invalid("action", "approve or refuse")
	}
	switch {
	case caseID == "" && fieldErrors(err) != nil:
		// The case page's forms send approve or refuse; anything else is no request of theirs.
		h.render(w, r, http.StatusBadRequest, "error", page{Title: "Bad request", User: &v.user, CSRF: h.csrf(v.session), Message: message(err)})
	case caseID == "" && errors.Is(err, kyc.ErrNotFound):
		// No such proposal: no case to show. The page shown is always the proposal's case,
		// never one the form names.
		h.notFound(w, r, v, "proposal")
	case caseID == "":
		h.fail(w, r, err)
	case err != nil:
		h.refused(w, r, v, env, caseID, err)
	default:
		h.showCase(w, r, v, env, caseID, http.StatusOK, page{Notice: done})
	}
}

// refused shows the case page again with why a decision was refused.
func (h *Handler) refused(w http.ResponseWriter, r *http.Request, v visit, env kyc.Env, caseID string, err error) {
	switch {
	case errors.Is(err, kyc.ErrForbidden):
		h.showCase(w, r, v, env, caseID, http.StatusForbidden, page{Message: message(err)})
	case errors.Is(err, kyc.ErrConflict):
		h.showCase(w, r, v, env, caseID, http.StatusConflict, page{Message: message(err)})
	case errors.Is(err, kyc.ErrNotFound):
		h.notFound(w, r, v, "case")
	case fieldErrors(err) != nil:
		h.showCase(w, r, v, env, caseID, http.StatusUnprocessableEntity, page{Message: message(err), Errors: fieldErrors(err)})
	default:
		h.fail(w, r, err)
	}
}

// note adds a note to a case, for the case file.
func (h *Handler) note(w http.ResponseWriter, r *http.Request, v visit) {
	env, id := kyc.Env(r.PathValue("env")), r.PathValue("id")
	if !env.Valid() {
		h.notFound(w, r, v, "case")
		return
	}
	if _, err := h.d.Reviews.AddNote(r.Context(), env, id, person(v.user), r.PostFormValue("note")); err != nil {
		h.refused(w, r, v, env, id, err)
		return
	}
	h.showCase(w, r, v, env, id, http.StatusCreated, page{Notice: "Note added."})
}
