package console

import (
	"errors"
	"net/http"
	"strings"

	"kycd/internal/kyc"
	"kycd/internal/people"
)

// The pages where admins manage people, and where each person changes their password.

// peoplePage is what the people page shows.
type peoplePage struct {
	People []people.User
	Next   string
	Roles  []people.Role
	// Created is the person just created and their first password, shown once.
	Created  *people.User
	Password string
}

func (h *Handler) peopleList(w http.ResponseWriter, r *http.Request, v visit) {
	h.showPeople(w, r, v, http.StatusOK, page{})
}

func (h *Handler) showPeople(w http.ResponseWriter, r *http.Request, v visit, status int, p page) {
	list, err := h.d.People.Users(r.Context(), r.URL.Query().Get("cursor"), 50)
	if err != nil && !errors.As(err, new(*kyc.ValidationError)) {
		h.fail(w, r, err)
		return
	}
	data, _ := p.Data.(peoplePage)
	data.People, data.Next, data.Roles = list.Items, list.NextCursor, people.Roles
	p.Title, p.User, p.CSRF, p.Data, p.SSO = "People", &v.user, h.csrf(v.session), data, h.sso != nil
	h.render(w, r, status, "people", p)
}

// peopleCreate adds a person with a random first password, shown once to the admin, who hands it
// over; the person changes it (Password).
func (h *Handler) peopleCreate(w http.ResponseWriter, r *http.Request, v visit) {
	form := map[string]string{"email": r.PostFormValue("email"), "role": r.PostFormValue("role")}
	password := people.NewPassword()
	u, err := h.d.People.CreateUser(r.Context(), v.user.Actor(), form["email"], people.Role(form["role"]), password)
	switch {
	case err == nil:
		h.showPeople(w, r, v, http.StatusCreated, page{Notice: "Created " + u.Email + ".", Data: peoplePage{Created: &u, Password: password}})
	case errors.Is(err, kyc.ErrConflict):
		h.showPeople(w, r, v, http.StatusConflict, page{Form: form, Errors: map[string]string{"email": "A person with this email exists."}})
	case fieldErrors(err) != nil:
		h.showPeople(w, r, v, http.StatusUnprocessableEntity, page{Form: form, Errors: fieldErrors(err)})
	default:
		h.fail(w, r, err)
	}
}

// peopleChange changes a person's role, disables or enables them, resets their second factor, or
// allows their next single sign-on to link them.
func (h *Handler) peopleChange(w http.ResponseWriter, r *http.Request, v visit) {
	id := r.PathValue("id")
	var err error
	var done string
	switch r.PostFormValue("action") {
	case "role":
		role := people.Role(r.PostFormValue("role"))
		_, err = h.d.People.ChangeUser(r.Context(), v.user, id, people.UserChange{Role: &role})
		done = "Role changed."
	case "disable", "enable":
		off := r.PostFormValue("action") == "disable"
		_, err = h.d.People.ChangeUser(r.Context(), v.user, id, people.UserChange{Disabled: &off})
		done = "Access changed."
	case "allow-sso-link":
		err = h.d.People.AllowSSOLink(r.Context(), v.user, id)
		done = "Linking allowed: the person's next single sign-on with this email links them."
	case "reset-totp":
		err = h.d.People.ResetTOTP(r.Context(), v.user, id)
		done = "Second factor removed; the person sets up a new one at their next sign-in."
	default:
		h.showPeople(w, r, v, http.StatusUnprocessableEntity, page{Message: "Unknown action."})
		return
	}
	switch {
	case err == nil:
		h.showPeople(w, r, v, http.StatusOK, page{Notice: done})
	case errors.Is(err, kyc.ErrConflict), errors.Is(err, kyc.ErrNotFound), fieldErrors(err) != nil:
		h.showPeople(w, r, v, http.StatusConflict, page{Message: message(err)})
	default:
		h.fail(w, r, err)
	}
}

// message is what a person reads of a refusal: the domain's own words, without the wrapped
// sentinel.
func message(err error) string {
	var ve *kyc.ValidationError
	if errors.As(err, &ve) {
		var parts []string
		for _, f := range ve.Fields {
			parts = append(parts, f.Message)
		}
		return strings.Join(parts, "; ")
	}
	s := err.Error()
	for _, suffix := range []string{": " + kyc.ErrConflict.Error(), ": " + kyc.ErrNotFound.Error(), ": " + kyc.ErrForbidden.Error()} {
		if len(s) > len(suffix) && s[len(s)-len(suffix):] == suffix {
			return s[:len(s)-len(suffix)]
		}
	}
	return s
}

func (h *Handler) passwordForm(w http.ResponseWriter, r *http.Request, v visit) {
	if v.user.SSO {
		h.noPassword(w, r, v)
		return
	}
	h.render(w, r, http.StatusOK, "password", page{Title: "Change your password", User: &v.user, CSRF: h.csrf(v.session)})
}

// noPassword tells a person who signs in only through single sign-on that they have no password
// here to change.
func (h *Handler) noPassword(w http.ResponseWriter, r *http.Request, v visit) {
	h.render(w, r, http.StatusConflict, "error", page{Title: "No password", User: &v.user, CSRF: h.csrf(v.session),
		Message: "You sign in with single sign-on and have no kycd password. Your password is your single sign-on provider's."})
}

// password changes the person's own password after checking the current one; their other
// sessions end.
func (h *Handler) password(w http.ResponseWriter, r *http.Request, v visit) {
	if v.user.SSO {
		h.noPassword(w, r, v)
		return
	}
	p := page{Title: "Change your password", User: &v.user, CSRF: h.csrf(v.session)}
	err := h.d.People.ChangeOwnPassword(r.Context(), v.session, r.PostFormValue("current"), r.PostFormValue("password"))
	switch fe := fieldErrors(err); {
	case err == nil:
		p.Notice = "Your password is changed. Your other sessions ended."
		h.render(w, r, http.StatusOK, "password", p)
	case errors.Is(err, people.ErrThrottled):
		p.Message = "Too many failed attempts. Wait 15 minutes and try again."
		h.render(w, r, http.StatusTooManyRequests, "password", p)
	case errors.Is(err, people.ErrBadCredentials):
		p.Errors = map[string]string{"current": "This is not your current password."}
		h.render(w, r, http.StatusUnauthorized, "password", p)
	case fe != nil:
		p.Errors = fe
		h.render(w, r, http.StatusUnprocessableEntity, "password", p)
	default:
		h.fail(w, r, err)
	}
}
