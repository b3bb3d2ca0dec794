package web

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strconv"

	"kycd/internal/gather"
	"kycd/internal/kyc"
)

// Screens of the flow, in order.
const (
	stepIdentity = "identity"
	stepSelfie   = "selfie"
	stepAddress  = "address"
)

// docState is where one requested document type stands, for the status page.
type docState struct {
	Type string
	// State is missing, pending, review, accepted, rejected (attempts left) or failed.
	State        string
	Reason       string
	AttemptsLeft int
	// Step is the screen that uploads this type again, when it may be.
	Step string
}

// flow is everything a page of one request needs.
type flow struct {
	who          gather.Who
	req          kyc.Request
	applicant    kyc.Applicant
	draft        gather.Draft
	docs         []docState
	steps        []string
	faceRequired bool
	// livenessRequired: the selfie is taken through a liveness challenge, never chosen as a file.
	livenessRequired bool
}

func (h *Handler) load(ctx context.Context, s session) (*flow, error) {
	c := s.claims
	f := &flow{who: gather.Who{Env: c.Env, ApplicantID: c.ApplicantID, RequestID: c.RequestID}}
	// The documents are read before their request: these are separate reads, and a decision can
	// commit between them. Read in this order, the page can only show a document older than its
	// request (still pending, so the page refreshes and catches up); read the other way round it
	// could show every document decided under a headline from before the last decision, and
	// stop refreshing.
	var mine []kyc.Document
	cursor := ""
	for {
		page, err := h.d.Documents.List(ctx, c.Env, c.ApplicantID, cursor, 100)
		if err != nil {
			return nil, err
		}
		for _, d := range page.Items {
			if d.RequestID == c.RequestID {
				mine = append(mine, d)
			}
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	var err error
	if f.req, err = h.d.Requests.Get(ctx, c.Env, c.RequestID); err != nil {
		return nil, err
	}
	if f.applicant, err = h.d.Applicants.Get(ctx, c.Env, c.ApplicantID); err != nil {
		return nil, err
	}
	if f.draft, err = h.d.Gather.Draft(ctx, f.who); err != nil {
		return nil, err
	}
	for _, rd := range f.req.Documents {
		switch rd.Type {
		case "identity-proof":
			f.steps = append(f.steps, stepIdentity)
			if rd.FaceProofRequired || rd.FaceLivenessRequired {
				f.faceRequired, f.livenessRequired = true, rd.FaceLivenessRequired
				f.steps = append(f.steps, stepSelfie)
			}
		case "address-proof":
			f.steps = append(f.steps, stepAddress)
		}
		f.docs = append(f.docs, stateOf(rd, mine))
	}
	return f, nil
}

// stateOf reads a requested type's state from its documents (newest first, as listed).
func stateOf(rd kyc.RequestDocument, docs []kyc.Document) docState {
	st := docState{Type: rd.Type, State: "missing", AttemptsLeft: -1}
	rejected := 0
	latest := -1
	for i, d := range docs {
		if d.Type != rd.Type {
			continue
		}
		if latest < 0 {
			latest = i
		}
		if d.Status == "rejected" {
			rejected++
		}
	}
	if rd.MaxAttempts > 0 {
		st.AttemptsLeft = max(rd.MaxAttempts-rejected, 0)
	}
	if latest >= 0 {
		d := docs[latest]
		switch d.Status {
		case "pending", "in-progress":
			st.State = "pending"
		case "pending-review":
			st.State = "review"
		case "accepted":
			st.State = "accepted"
		case "rejected":
			st.State = "rejected"
			if st.AttemptsLeft == 0 {
				st.State = "failed"
			}
			if d.RejectionReason != nil {
				st.Reason = d.RejectionReason.Type
			}
		}
	}
	if st.State == "missing" || st.State == "rejected" {
		switch rd.Type {
		case "identity-proof":
			st.Step = stepIdentity
		case "address-proof":
			st.Step = stepAddress
		}
	}
	return st
}

// open reports whether the end user may send a document of type now.
func (f *flow) open(typ string) bool {
	if !kyc.AwaitingEndUser(f.req.Status) {
		return false
	}
	for _, d := range f.docs {
		if d.Type == typ {
			return d.State == "missing" || d.State == "rejected"
		}
	}
	return false
}

// state returns the state of a requested type ("" when the request does not ask for it).
func (f *flow) state(typ string) string {
	for _, d := range f.docs {
		if d.Type == typ {
			return d.State
		}
	}
	return ""
}

// current is the screen to show: claims waiting for their selfie first, then the first type never
// sent, or "" for the status page. A rejected type is offered again from the status page, which
// says why.
func (f *flow) current() string {
	if !kyc.AwaitingEndUser(f.req.Status) {
		return ""
	}
	if f.faceRequired && f.draft.Identity != nil && f.open("identity-proof") {
		return stepSelfie
	}
	if f.state("identity-proof") == "missing" {
		return stepIdentity
	}
	if f.state("address-proof") == "missing" {
		return stepAddress
	}
	return ""
}

// allowed reports whether a screen may be shown now: the current one, or one that sends a type again.
func (f *flow) allowed(step string) bool {
	switch step {
	case f.current():
		return step != ""
	case stepIdentity:
		return f.open("identity-proof")
	case stepSelfie:
		return f.faceRequired && f.draft.Identity != nil && f.open("identity-proof")
	case stepAddress:
		return f.open("address-proof")
	}
	return false
}

// info is the ?info= of the redirect back to the integrator (Rebilly's values).
func (f *flow) info() string {
	switch f.req.Status {
	case "fulfilled":
		return "success"
	case "partial":
		return "partial"
	case "pending-review":
		return "manual"
	case "expired":
		return "token_expired"
	}
	if f.current() == "" && kyc.AwaitingEndUser(f.req.Status) {
		return "manual" // everything is sent; the checks or a person decide
	}
	return "back"
}

// page answers GET /gather/{id}: the link's first visit, and every screen after it.
func (h *Handler) page(w http.ResponseWriter, r *http.Request) {
	s, f, ok := h.session(w, r)
	if !ok {
		return
	}
	if r.URL.Query().Get("token") != "" {
		h.setCookie(w, s)
	}
	lang := h.msgs.pick(w, r, h.secure)
	v := h.newView(r, lang)
	v.RequestID, v.CSRF = f.req.ID, h.csrf(s)
	v.BackURL = "/gather/" + f.req.ID + "/done"
	step := f.current()
	if want := r.URL.Query().Get("step"); want != "" && f.allowed(want) {
		step = want
	}
	switch step {
	case stepIdentity:
		h.fillIdentity(v, f)
		h.renderStep(w, r, http.StatusOK, stepIdentity, v, f)
	case stepSelfie:
		h.renderStep(w, r, http.StatusOK, stepSelfie, v, f)
	case stepAddress:
		h.fillAddress(v, f)
		h.renderStep(w, r, http.StatusOK, stepAddress, v, f)
	default:
		h.renderStatus(w, r, v, f)
	}
}

// session opens the link or cookie and loads the flow, answering the error page itself when it
// cannot: an invalid link, an expired one (or an expired or abandoned request), or a failure.
func (h *Handler) session(w http.ResponseWriter, r *http.Request) (session, *flow, bool) {
	id := r.PathValue("id")
	s, problem := h.open(r, id)
	switch problem {
	case linkInvalid:
		h.errorPage(w, r, http.StatusForbidden, "invalid", "")
		return s, nil, false
	case linkExpired:
		back := ""
		if req, err := h.d.Requests.Get(r.Context(), s.claims.Env, id); err == nil {
			back = withInfo(req.RedirectURL, "token_expired")
		}
		h.errorPage(w, r, http.StatusGone, "expired", back)
		return s, nil, false
	}
	f, err := h.load(r.Context(), s)
	if err != nil {
		h.d.Log.ErrorContext(r.Context(), "web: load flow", "kyc_request_id", id, "err", err)
		h.errorPage(w, r, http.StatusInternalServerError, "generic", "")
		return s, nil, false
	}
	switch f.req.Status {
	case "expired":
		h.errorPage(w, r, http.StatusGone, "expired", withInfo(f.req.RedirectURL, "token_expired"))
		return s, nil, false
	case "abandoned":
		h.errorPage(w, r, http.StatusGone, "closed", "")
		return s, nil, false
	}
	return s, f, true
}

// renderStep renders a screen with the progress indicator.
// With liveness required, the selfie screen is the liveness challenge.
func (h *Handler) renderStep(w http.ResponseWriter, r *http.Request, status int, step string, v *view, f *flow) {
	v.Step, v.Steps = slices.Index(f.steps, step)+1, len(f.steps)
	page := step
	if step == stepSelfie && f.livenessRequired {
		page = "liveness"
		ch, err := h.challenge(r.Context(), v, f)
		if err != nil {
			h.fail(w, r, f, err)
			return
		}
		v.Data = ch
	}
	v.Title = v.T(page + ".title")
	if v.Data == nil {
		v.Data = h.stepData(v, f)
	}
	h.render(w, r, status, page, v)
}

// statusData is the status page's content.
type statusData struct {
	Headline string
	Docs     []docState
	Pending  bool
	Return   string
}

func (h *Handler) renderStatus(w http.ResponseWriter, r *http.Request, v *view, f *flow) {
	v.Title = v.T("status.title")
	d := statusData{Headline: v.T("request." + f.req.Status), Docs: f.docs}
	for _, ds := range f.docs {
		if ds.State == "pending" {
			d.Pending = true
		}
	}
	if f.req.RedirectURL != "" {
		d.Return = "/gather/" + f.req.ID + "/done"
	}
	v.Refresh = d.Pending || f.req.Status == "pending-review"
	v.Step, v.Steps = len(f.steps)+1, len(f.steps)
	v.Data = d
	h.render(w, r, http.StatusOK, "status", v)
}

// done sends the end user back to the integrator with ?info= saying how far they got.
func (h *Handler) done(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s, problem := h.open(r, id)
	if problem == linkExpired {
		if req, err := h.d.Requests.Get(r.Context(), s.claims.Env, id); err == nil && req.RedirectURL != "" {
			http.Redirect(w, r, withInfo(req.RedirectURL, "token_expired"), http.StatusSeeOther)
			return
		}
	}
	if problem != linkOK {
		h.errorPage(w, r, http.StatusForbidden, "invalid", "")
		return
	}
	f, err := h.load(r.Context(), s)
	if err != nil {
		h.errorPage(w, r, http.StatusInternalServerError, "generic", "")
		return
	}
	if f.req.RedirectURL == "" {
		http.Redirect(w, r, "/gather/"+id, http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, withInfo(f.req.RedirectURL, f.info()), http.StatusSeeOther)
}

// file shows an uploaded file back to the session that uploaded it: only files of the request's
// applicant that this flow staged or submitted.
func (h *Handler) file(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s, problem := h.open(r, id)
	if problem != linkOK {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	fileID := r.PathValue("fileId")
	d, err := h.d.Gather.Draft(r.Context(), gather.Who{Env: s.claims.Env, ApplicantID: s.claims.ApplicantID})
	if err != nil || !draftHas(d, fileID) {
		http.NotFound(w, r)
		return
	}
	f, rc, err := h.d.Files.Open(r.Context(), s.claims.Env, fileID)
	if err != nil || f.ApplicantID != s.claims.ApplicantID {
		http.NotFound(w, r)
		return
	}
	defer rc.Close()
	hd := w.Header()
	securityHeaders(w)
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	hd.Set("Content-Type", f.MIME)
	hd.Set("Content-Length", strconv.FormatInt(f.Size, 10))
	hd.Set("Content-Disposition", "inline")
	_, _ = io.Copy(w, rc)
}

func draftHas(d gather.Draft, fileID string) bool {
	for _, u := range d.Uploads {
		if u.FileID == fileID {
			return true
		}
	}
	for _, s := range d.Submitted {
		if s.FileID == fileID {
			return true
		}
	}
	return false
}
